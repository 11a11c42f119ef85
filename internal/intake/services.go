package intake

import "time"

// ServiceType is a kind of help signal (an Open311 service code).
type ServiceType struct {
	Code       string
	NameZh     string
	NameEn     string
	DescZh     string
	DescEn     string
	Group      string        // services in one group may merge into one incident
	SLA        time.Duration // on scene within
	Urgent     bool
	Keywords   string
	Attributes []Attribute
}

// Name returns the service's name in lang.
func (s ServiceType) Name(lang string) string {
	if lang == "en" {
		return s.NameEn
	}
	return s.NameZh
}

// Attribute is an extra question of a service (Open311 service definition).
type Attribute struct {
	Code     string
	Datatype string // string, number, datetime, text, singlevaluelist, multivaluelist
	Required bool
	DescZh   string
	DescEn   string
	Values   []AttrValue
}

// AttrValue is one choice of a list attribute.
type AttrValue struct{ Key, NameZh, NameEn string }

var headcount = Attribute{Code: "people_count", Datatype: "number", DescZh: "现场人数", DescEn: "Number of people"}
var condition = Attribute{Code: "condition", Datatype: "singlevaluelist", DescZh: "对方状态", DescEn: "Their condition", Values: []AttrValue{
	{"awake", "清醒", "Awake"}, {"asleep", "睡着", "Asleep"}, {"unresponsive", "叫不醒/无反应", "Unresponsive"}, {"unknown", "不清楚", "Not sure"},
}}

var needs = Attribute{Code: "needs", Datatype: "multivaluelist", DescZh: "急需", DescEn: "Urgent needs", Values: []AttrValue{
	{"food", "食物饮水", "Food and water"}, {"clothing", "衣物被褥", "Clothing and bedding"}, {"medical", "就医", "Medical care"}, {"shelter", "住宿", "Shelter"},
}}

// Services is Haven's catalogue of help signals, most urgent first.
var Services = []ServiceType{
	{Code: "injured", NameZh: "受伤或患病", NameEn: "Injured or ill person", DescZh: "街面人员受伤、患病或昏倒", DescEn: "A person on the street who is injured, ill or collapsed",
		Group: "medical", SLA: 30 * time.Minute, Urgent: true, Keywords: "受伤,患病,昏倒,injured,ill", Attributes: []Attribute{condition}},
	{Code: "weather_exposure", NameZh: "极端天气受困", NameEn: "Extreme weather exposure", DescZh: "寒潮、暴雨或高温下露宿受困人员", DescEn: "A person exposed to cold, storms or heat",
		Group: "street", SLA: 30 * time.Minute, Urgent: true, Keywords: "寒冷,高温,暴雨,cold,heat", Attributes: []Attribute{condition, headcount, needs}},
	{Code: "minor_alone", NameZh: "未成年人独自流浪", NameEn: "Minor alone", DescZh: "无人陪伴的未成年人在街面流浪或乞讨", DescEn: "A child or teenager alone on the street",
		Group: "minor", SLA: 30 * time.Minute, Urgent: true, Keywords: "儿童,未成年,child,minor", Attributes: []Attribute{headcount}},
	{Code: "mental_illness", NameZh: "疑似精神障碍", NameEn: "Suspected mental illness", DescZh: "言行异常、疑似精神障碍的流浪人员", DescEn: "A person who seems mentally ill",
		Group: "medical", SLA: 60 * time.Minute, Keywords: "精神,异常,mental"},
	{Code: "distress", NameZh: "临时遇困", NameEn: "Person in distress", DescZh: "钱物被盗、迷路、滞留等临时遇困人员", DescEn: "A person stranded, robbed or lost",
		Group: "street", SLA: 60 * time.Minute, Keywords: "遇困,滞留,迷路,stranded,lost"},
	{Code: "rough_sleeping", NameZh: "街头露宿", NameEn: "Person sleeping rough", DescZh: "在桥洞、地下通道、车站等处露宿的人员", DescEn: "A person sleeping in the open",
		Group: "street", SLA: 2 * time.Hour, Keywords: "露宿,桥洞,流浪,sleeping rough", Attributes: []Attribute{headcount, needs}},
	{Code: "begging", NameZh: "街面乞讨", NameEn: "Begging", DescZh: "街面乞讨人员", DescEn: "A person begging on the street",
		Group: "street", SLA: 4 * time.Hour, Keywords: "乞讨,begging"},
}

// ServiceByCode returns the service with code, or false.
func ServiceByCode(code string) (ServiceType, bool) {
	for _, s := range Services {
		if s.Code == code {
			return s, true
		}
	}
	return ServiceType{}, false
}

// Compatible reports whether signals of kinds a and b may describe the
// same situation and so merge into one incident. An incident keeps its
// first kind; a more urgent later signal raises its SLA.
func Compatible(a, b string) bool {
	if a == b {
		return true
	}
	sa, ok1 := ServiceByCode(a)
	sb, ok2 := ServiceByCode(b)
	return ok1 && ok2 && sa.Group == sb.Group
}
