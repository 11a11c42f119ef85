package intake

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Partner is a platform that sends work orders and gets outcomes back:
// the 12345 hotline, the 110 command centre, 数字城管.
type Partner struct {
	Code         Channel
	Name         string
	APIKeyID     string // the key the partner must use; "" until one is set
	WebhookURL   string // where outcomes go; "" to not send
	SecretSealed string // webhook signing secret, sealed ("partners.secret")
	Mapping      Mapping
	UpdatedAt    time.Time
}

// Mapping adapts a partner's work-order JSON to Haven's fields without
// code: each Haven field names a dot path in the partner's document, and
// the partner's category values map to Haven service codes.
type Mapping struct {
	Fields         map[string]string `json:"fields"`          // haven field -> path, e.g. "lat": "location.lat"
	ServiceCodes   map[string]string `json:"service_codes"`   // partner category -> service code
	DefaultService string            `json:"default_service"` // when the category is unknown
	TimeLayout     string            `json:"time_layout"`     // Go layout of reported_at, default "2006-01-02 15:04:05"
	CoordSystem    string            `json:"coord_system"`    // "wgs84" (default) or "gcj02"
}

// MappableFields are the Haven fields a mapping may fill.
var MappableFields = []string{"external_id", "service", "description", "lat", "lng", "address", "phone", "reporter", "reported_at"}

// Validate checks a mapping an administrator entered.
func (m Mapping) Validate() error {
	if m.Fields["external_id"] == "" {
		return fmt.Errorf("fields.external_id is required")
	}
	for k, v := range m.Fields {
		if !contains(MappableFields, k) {
			return fmt.Errorf("fields.%s: unknown field; use %s", k, strings.Join(MappableFields, ", "))
		}
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("fields.%s: empty path", k)
		}
	}
	for cat, code := range m.ServiceCodes {
		if _, ok := ServiceByCode(code); !ok {
			return fmt.Errorf("service_codes[%q]: unknown service %q", cat, code)
		}
	}
	if m.DefaultService != "" {
		if _, ok := ServiceByCode(m.DefaultService); !ok {
			return fmt.Errorf("default_service: unknown service %q", m.DefaultService)
		}
	}
	if m.CoordSystem != "" && m.CoordSystem != "wgs84" && m.CoordSystem != "gcj02" {
		return fmt.Errorf("coord_system: use wgs84 or gcj02")
	}
	return nil
}

// Apply reads a partner's work order (JSON) into an Input. Unknown
// categories fall back to the default service; a missing required field is
// reported by name.
func (m Mapping) Apply(ch Channel, body []byte) (Input, error) {
	var doc any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return Input{}, fmt.Errorf("body is not valid JSON: %v", err)
	}
	if _, ok := doc.(map[string]any); !ok {
		return Input{}, fmt.Errorf("body must be a JSON object")
	}
	get := func(field string) (string, bool) {
		path := m.Fields[field]
		if path == "" {
			return "", false
		}
		return lookup(doc, path)
	}
	in := Input{Channel: ch, Attributes: map[string]string{}}
	var ok bool
	if in.ExternalID, ok = get("external_id"); !ok || in.ExternalID == "" {
		return Input{}, fmt.Errorf("%s (external_id) is missing", m.Fields["external_id"])
	}
	cat, _ := get("service")
	in.ServiceCode = m.ServiceCodes[cat]
	if in.ServiceCode == "" {
		if _, known := ServiceByCode(cat); known {
			in.ServiceCode = cat
		} else {
			in.ServiceCode = m.DefaultService
		}
	}
	if cat != "" {
		in.Attributes["partner_category"] = cat
	}
	in.Description, _ = get("description")
	in.Address, _ = get("address")
	in.Phone, _ = get("phone")
	in.Reporter, _ = get("reporter")
	latS, hasLat := get("lat")
	lngS, hasLng := get("lng")
	if hasLat && hasLng && latS != "" && lngS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil || err2 != nil {
			return Input{}, fmt.Errorf("%s/%s: coordinates must be numbers", m.Fields["lat"], m.Fields["lng"])
		}
		if m.CoordSystem == "gcj02" {
			lat, lng = GCJ02ToWGS84(lat, lng)
		}
		in.Lat, in.Lng = &lat, &lng
	}
	if ts, ok := get("reported_at"); ok && ts != "" {
		layout := m.TimeLayout
		if layout == "" {
			layout = "2006-01-02 15:04:05"
		}
		t, err := time.ParseInLocation(layout, ts, ChinaTime)
		if err != nil {
			return Input{}, fmt.Errorf("%s: time %q does not match %q", m.Fields["reported_at"], ts, layout)
		}
		in.ReportedAt = t
	}
	return in, nil
}

// ChinaTime is the zone partner platforms write local times in.
var ChinaTime = time.FixedZone("CST", 8*3600)

// lookup follows a dot path ("a.b.0.c") through decoded JSON and returns
// the value as a string.
func lookup(doc any, path string) (string, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return "", false
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(v) {
				return "", false
			}
			cur = v[i]
		default:
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "", true
	}
	return "", false
}

// DefaultPartners are the partners a new installation knows, with the
// formats documented in docs/partners.md.
func DefaultPartners() []Partner {
	return []Partner{
		{Code: Channel12345, Name: "12345政务服务便民热线", Mapping: Mapping{
			Fields: map[string]string{"external_id": "order_no", "service": "category", "description": "content", "lat": "location.lat",
				"lng": "location.lng", "address": "address", "phone": "caller.phone", "reporter": "caller.name", "reported_at": "accept_time"},
			ServiceCodes: map[string]string{"流浪乞讨": "begging", "露宿街头": "rough_sleeping", "临时遇困": "distress", "未成年人": "minor_alone",
				"精神异常": "mental_illness", "伤病": "injured", "寒潮高温": "weather_exposure"},
			DefaultService: "distress", CoordSystem: "wgs84"}},
		{Code: Channel110, Name: "公安110指挥中心", Mapping: Mapping{
			Fields: map[string]string{"external_id": "jjdbh", "service": "ajlx", "description": "bjnr", "lat": "wd", "lng": "jd",
				"address": "fadz", "phone": "bjrdh", "reporter": "bjrxm", "reported_at": "bjsj"},
			ServiceCodes:   map[string]string{"求助-流浪乞讨": "begging", "求助-遇困": "distress", "求助-走失儿童": "minor_alone", "求助-精神病人": "mental_illness", "求助-伤病": "injured"},
			DefaultService: "distress", TimeLayout: "20060102150405", CoordSystem: "wgs84"}},
		{Code: ChannelCity, Name: "数字城管监督指挥中心", Mapping: Mapping{
			Fields: map[string]string{"external_id": "case.id", "service": "case.subtype", "description": "case.desc", "lat": "case.point.1",
				"lng": "case.point.0", "address": "case.addr", "reported_at": "case.report_time"},
			ServiceCodes:   map[string]string{"街面秩序-流浪乞讨": "begging", "街面秩序-露宿": "rough_sleeping"},
			DefaultService: "rough_sleeping", CoordSystem: "gcj02"}},
	}
}
