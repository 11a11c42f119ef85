package demo

import (
	"context"
	"fmt"
	"image/color"
	"math/rand/v2"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
)

// HelpedSince2024 is how many people the demo station helped from 1
// January 2024 to the seed article's day, 15 June 2025 (each once: the
// people who came back did so later).
const HelpedSince2024 = 638

var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文")
	// given names as parents in 河南 give them: a man's and a woman's.
	givenMale   = []string{"建国", "志强", "国庆", "明", "伟", "军", "磊", "洋", "勇", "杰", "涛", "超", "刚", "建华", "德胜", "福贵", "春生", "小龙", "铁柱", "永强", "长林", "文革", "卫东"}
	givenFemale = []string{"秀英", "桂兰", "玉兰", "海燕", "芳", "艳", "娟", "霞", "平", "桂英", "红梅", "二妮", "金花"}
	// region codes of where people come from: 新乡 and its neighbours most.
	regions = []string{"410702", "410703", "410711", "410721", "410724", "410725", "410726", "410727", "410781", "410782", "410728",
		"410102", "410105", "410305", "410502", "410602", "410802", "411302", "411402", "412701", "130102", "340104", "371302", "510104", "610112"}
	places = map[string]string{}
)

func init() {
	for _, c := range regions {
		places[c] = idcard.RegionOf(c).String()
	}
}

// nameFor draws a name that goes with the person's sex.
func nameFor(r *rand.Rand, male bool) string {
	given := givenFemale
	if male {
		given = givenMale
	}
	return string(surnames[r.IntN(len(surnames))]) + given[r.IntN(len(given))]
}

// demoID makes a valid citizen ID number.
func demoID(r *rand.Rand, region string, birth time.Time, male bool) string {
	seq := r.IntN(500) * 2
	if male {
		seq++
	}
	first17 := fmt.Sprintf("%s%s%03d", region, birth.Format("20060102"), seq)
	return first17 + string(idcard.CheckChar(first17))
}

// coats are the colours of what people in care came in: grey, navy, army
// green, dark red.
var coats = []color.RGBA{{0x6b, 0x6e, 0x72, 0xff}, {0x2c, 0x3e, 0x66, 0xff}, {0x4b, 0x5a, 0x32, 0xff}, {0x7a, 0x2e, 0x2e, 0xff}}

var reasons = []string{"流浪乞讨，无钱返乡", "务工被欠薪，滞留车站", "走失，家属寻找中", "钱物被盗，临时遇困", "精神异常，街面徘徊", "寒冬露宿，冻伤", "离家出走（未成年人）", "就医后无钱返乡"}

// SeedCases adds the station's people: HelpedSince2024 people helped from
// 2024 to mid-June 2025, and about eight a month since, with realistic stays — most returned home with a travel voucher,
// others collected by family, escorted, transferred, placed or sent to
// hospital; a few refused — and the people in care today, some
// unidentified (one with the 24 h notice falling due, one overdue), some
// minors, some long-stay, with belongings, health checks, medications and
// green-channel referrals in progress.
func SeedCases(ctx context.Context, cs *cases.Service, hs *health.Service, a *auth.Service, now time.Time) error {
	staff, doctor := as("staff"), as("medical")
	r := rand.New(rand.NewPCG(20, 24))
	depts, err := a.Store.ListDepartments(ctx)
	if err != nil {
		return err
	}
	var hospitals []string
	for _, d := range depts {
		if d.Kind == "hospital" {
			hospitals = append(hospitals, d.ID)
		}
	}
	start := time.Date(2024, 1, 1, 8, 0, 0, 0, cases.CST)
	// The seed article's day: "2024 年至今，该站共救助流浪乞讨人员 638 人"
	// counts the people who arrived from 1 January 2024 to 15 June 2025.
	articleDay := time.Date(2025, 6, 16, 0, 0, 0, 0, cases.CST)
	person := func(r *rand.Rand, identified bool, minAge, maxAge int) cases.PersonInput {
		return personInput(r, now, identified, minAge, maxAge)
	}
	exitAll := func(r *rand.Rand, st *cases.Stay, kind cases.ExitKind, at time.Time) error {
		items, err := cs.Store.Belongings(ctx, st.ID)
		if err != nil {
			return err
		}
		_, err = cs.Exit(ctx, staff, st.ID, exitInput(r, kind, at, items), st.Version)
		return err
	}
	kinds := []cases.ExitKind{cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome,
		cases.ExitFamily, cases.ExitFamily, cases.ExitEscorted, cases.ExitSelf, cases.ExitTransfer, cases.ExitPlacement, cases.ExitHospital}
	// History: the people helped since 2024, each arriving at a random
	// moment of [from, from+span), staying a few days and leaving.
	const inCare = 14
	var returning []*cases.Person
	helped := func(r *rand.Rand, i int, from time.Time, span time.Duration) error {
		identified := r.IntN(10) < 8
		arrived := from.Add(time.Duration(r.Int64N(int64(span))))
		entered := arrived.Add(time.Duration(10+r.IntN(300)) * time.Minute)
		if r.IntN(12) == 0 { // entered the next day or later
			entered = arrived.Add(time.Duration(25+r.IntN(48)) * time.Hour)
		}
		in := cases.AdmitInput{Historical: true, NewPerson: true, Source: cases.Sources[r.IntN(4)], ArrivedAt: arrived, EnteredAt: entered,
			Person: person(r, identified, 20, 75), Form: cases.Form{Reason: reasons[r.IntN(len(reasons))], Security: "passed", Welfare: "none"}, Belongings: belongingsInput(r)}
		ad, err := cs.Admit(ctx, staff, in)
		if err != nil {
			return fmt.Errorf("demo admission %d: %v", i, err)
		}
		st := ad.Stay
		if ad.Stay.Unidentified && r.IntN(10) < 9 {
			_ = cs.Store.DoTask(ctx, &cases.Task{StayID: st.ID, Rule: cases.RuleNotice, DoneAt: st.ArrivedAt.Add(time.Duration(2+r.IntN(20)) * time.Hour), DoneBy: staff.Name}, staff.Entry("stay.task", "stay", st.ID))
			_ = cs.Store.DoTask(ctx, &cases.Task{StayID: st.ID, Rule: cases.RuleDNA, DoneAt: st.ArrivedAt.Add(time.Duration(1+r.IntN(8)) * 24 * time.Hour), DoneBy: staff.Name}, staff.Entry("stay.task", "stay", st.ID))
		}
		kind := kinds[r.IntN(len(kinds))]
		if i%97 == 0 {
			kind = cases.ExitDeath
		}
		if (ad.Person.CannotTravelAlone(st.ArrivedAt) || ad.Person.CannotTravelAlone(now)) && (kind == cases.ExitReturnHome || kind == cases.ExitSelf) {
			kind = cases.ExitEscorted
		}
		if err := exitAll(r, st, kind, st.ArrivedAt.Add(time.Duration(12+r.IntN(24*9))*time.Hour)); err != nil {
			return fmt.Errorf("demo exit %d: %v", i, err)
		}
		if identified && len(returning) < 30 && r.IntN(8) == 0 {
			returning = append(returning, ad.Person)
		}
		return nil
	}
	// HelpedSince2024 arrivals by the article's day (its last arrival by
	// 20:00 on 15 June), each a different person; then about eight a
	// month until two months ago, drawn from a second source so that the
	// people in care today are the same whatever the date.
	inWindow := articleDay.Add(-4 * time.Hour).Sub(start)
	for i := range HelpedSince2024 - inCare {
		if err := helped(r, i, start, inWindow); err != nil {
			return err
		}
	}
	r2 := rand.New(rand.NewPCG(20, 25))
	for i := range inCare {
		if err := helped(r2, HelpedSince2024-inCare+i, start, inWindow); err != nil {
			return err
		}
	}
	if recent := now.Add(-60 * 24 * time.Hour).Sub(articleDay); recent > 0 {
		for i := range int(recent.Hours() / 24 / 30 * 8) {
			if err := helped(r2, HelpedSince2024+i, articleDay, recent); err != nil {
				return err
			}
		}
	}
	// Some came back (a second stay of the same person), and a few were
	// refused help.
	for i, p := range returning {
		arr := now.Add(-time.Duration(40-i) * 24 * time.Hour)
		ad, err := cs.Admit(ctx, staff, cases.AdmitInput{Historical: true, PersonID: p.ID, Source: "walk_in", ArrivedAt: arr, EnteredAt: arr.Add(time.Hour),
			Form: cases.Form{Reason: reasons[r.IntN(len(reasons))], Security: "passed"}})
		if err != nil {
			return fmt.Errorf("demo re-admission: %v", err)
		}
		kind := cases.ExitReturnHome
		if ad.Person.CannotTravelAlone(arr) {
			kind = cases.ExitEscorted
		}
		if err := exitAll(r, ad.Stay, kind, arr.Add(30*time.Hour)); err != nil {
			return err
		}
	}
	for i := range 6 {
		if _, err := cs.Admit(ctx, staff, cases.AdmitInput{Historical: true, NewPerson: true, Refuse: true, Source: "walk_in",
			ArrivedAt: now.Add(-time.Duration(50+i*30) * 24 * time.Hour), Person: person(r, true, 25, 50),
			Form: cases.Form{Security: "passed", RefusalGround: "has_means", RefusalNote: "本地有住所，经核实有工作收入"}}); err != nil {
			return fmt.Errorf("demo refusal: %v", err)
		}
	}
	// In care today.
	type today struct {
		ago        time.Duration
		identified bool
		minAge     int
		maxAge     int
		mental     cases.Mental
		notice     bool
		photo      bool // photographed at admission (adults whose notice is up)
	}
	for i, c := range []today{
		{14 * time.Hour, false, 40, 50, cases.MentalUnknown, false, false},          // notice due soon
		{30 * time.Hour, false, 60, 70, cases.MentalIntellectual, false, false},     // notice overdue
		{5 * 24 * time.Hour, false, 30, 40, cases.MentalNormal, true, true},         // notice done, DNA falling due
		{9 * 24 * time.Hour, true, 30, 50, cases.MentalNormal, true, false},         // 10-day review tomorrow
		{2 * 24 * time.Hour, true, 13, 15, cases.MentalNormal, false, false},        // a minor
		{1 * 24 * time.Hour, true, 15, 16, cases.MentalNormal, false, false},        // a minor
		{20 * time.Hour, false, 10, 12, cases.MentalUnknown, true, false},           // a minor, unidentified
		{120 * 24 * time.Hour, false, 50, 60, cases.MentalIntellectual, true, true}, // long stay: placement review overdue
		{95 * 24 * time.Hour, false, 40, 50, cases.MentalIllness, true, true},       // long stay
		{6 * time.Hour, true, 60, 80, cases.MentalNormal, false, false},
		{14 * time.Hour, true, 25, 40, cases.MentalNormal, false, false},
		{4 * 24 * time.Hour, true, 40, 60, cases.MentalNormal, false, false},
		{7 * 24 * time.Hour, true, 20, 30, cases.MentalNormal, false, false},
		{11 * time.Hour, true, 30, 45, cases.MentalNormal, false, false},
	} {
		in := person(r, c.identified, c.minAge, c.maxAge)
		if c.mental != "" {
			in.Mental = c.mental
		}
		var photo []byte
		if c.photo {
			photo = portrait(coats[i%len(coats)], c.minAge >= 50, in.Sex == cases.Female)
		}
		ad, err := cs.Admit(ctx, staff, cases.AdmitInput{Historical: true, NewPerson: true, Source: []string{"patrol", "police", "walk_in"}[i%3], Photo: photo,
			ArrivedAt: now.Add(-c.ago), EnteredAt: now.Add(-c.ago).Add(20 * time.Minute), Person: in, Room: fmt.Sprintf("%d0%d", 1+i%3, 1+i%5), Bed: fmt.Sprintf("%d", 1+i%4),
			Form: cases.Form{Reason: reasons[i%len(reasons)], Story: "巡查中发现，经劝导同意入站", Security: "passed", Welfare: "none"}, Belongings: belongingsInput(r)})
		if err != nil {
			return fmt.Errorf("demo in care %d: %v", i, err)
		}
		st := ad.Stay
		if c.notice {
			_ = cs.Store.DoTask(ctx, &cases.Task{StayID: st.ID, Rule: cases.RuleNotice, DoneAt: st.ArrivedAt.Add(6 * time.Hour), DoneBy: staff.Name, Note: "全国救助寻亲网已发布"}, staff.Entry("stay.task", "stay", st.ID))
		}
		_ = cs.Store.AddCareNote(ctx, &cases.Note{ID: id.New(), StayID: st.ID, At: st.ArrivedAt.Add(2 * time.Hour), Kind: "care",
			Text: "洗浴更衣，情绪平稳", AuthorName: staff.Name}, staff.Entry("stay.note", "stay", st.ID))
		check := health.CheckData{TempC: 36.2 + float64(r.IntN(10))/10, Pulse: 70 + r.IntN(20), BPSys: 110 + r.IntN(30), BPDia: 70 + r.IntN(15), SpO2: 96 + r.IntN(4),
			Mental: "calm", Infectious: map[string]string{"tb": "negative", "skin": "negative"}}
		switch i {
		case 1:
			check.TempC, check.Mental, check.Injuries = 35.1, "confused", "双足冻伤"
		case 8:
			check.Mental = "psychotic"
		}
		if _, err := hs.RecordCheck(ctx, doctor, ad.Person.ID, st.ID, health.CheckIntake, check); err != nil {
			return fmt.Errorf("demo health check: %v", err)
		}
		switch i {
		case 1: // frostbite: at the general hospital
			ref, err := hs.Refer(ctx, doctor, ad.Person.ID, st.ID, hospitals[len(hospitals)-1], "低体温、双足冻伤", true)
			if err == nil {
				_, err = hs.Advance(ctx, doctor, ref.ID, health.Transferred, "120送达急诊", ref.Version)
			}
			if err != nil {
				return fmt.Errorf("demo referral: %v", err)
			}
		case 8: // psychiatric assessment requested
			if _, err := hs.Refer(ctx, doctor, ad.Person.ID, st.ID, hospitals[0], "幻听，夜间躁动，需精神科评估", false); err != nil {
				return fmt.Errorf("demo referral: %v", err)
			}
			if _, err := hs.AddMedication(ctx, doctor, ad.Person.ID, "奥氮平片", "5mg", "20:00", "遵医嘱"); err != nil {
				return err
			}
		case 7:
			if _, err := hs.AddMedication(ctx, doctor, ad.Person.ID, "硝苯地平缓释片", "10mg", "08:00, 20:00", "高血压"); err != nil {
				return err
			}
		}
	}
	return nil
}

// personInput draws a person as staff would enter them: identified (name,
// ID number, hukou) or not (an age range, marks, a dialect).
func personInput(r *rand.Rand, now time.Time, identified bool, minAge, maxAge int) cases.PersonInput {
	male := r.IntN(10) < 8
	age := minAge + r.IntN(maxAge-minAge+1)
	in := cases.PersonInput{Mental: cases.MentalNormal, Dialect: "河南话"}
	if !male {
		in.Sex = cases.Female
	} else {
		in.Sex = cases.Male
	}
	if identified {
		region := regions[r.IntN(len(regions))]
		birth := time.Date(now.Year()-age, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, cases.CST)
		in.Name = nameFor(r, male)
		in.IDNumber = demoID(r, region, birth, male)
		in.Hukou, in.NativePlace = places[region], places[region]
		in.Sex = ""
	} else {
		in.AgeMin, in.AgeMax = age-5, age+5
		k := r.IntN(5)
		in.Marks = []string{"左臂有烫伤疤痕", "右手缺小指", "前额有旧伤疤", "左脸颊有黑痣", "右腿旧伤，走路微跛"}[k]
		if k == 3 {
			in.Dialect = "四川口音"
		}
		if r.IntN(3) == 0 {
			in.Mental = cases.MentalIntellectual
		}
	}
	return in
}

// belongingsInput draws what a person brought in.
func belongingsInput(r *rand.Rand) []cases.BelongingInput {
	items := []cases.BelongingInput{{Item: "手机", Qty: 1, Description: "黑色，屏幕碎裂", Location: "物品柜A"}, {Item: "现金", Qty: 1 + r.IntN(60), Description: "元", Location: "保险柜"},
		{Item: "被褥", Qty: 1, Location: "储物间"}, {Item: "编织袋", Qty: 1, Description: "衣物若干", Location: "储物间"}, {Item: "身份证", Qty: 1, Location: "保险柜"}}
	n := r.IntN(4)
	out := make([]cases.BelongingInput, 0, n)
	for i := range n {
		out = append(out, items[(i+r.IntN(2))%len(items)])
	}
	return out
}

// exitInput draws an exit of kind at at, every item handed back.
func exitInput(r *rand.Rand, kind cases.ExitKind, at time.Time, items []*cases.Belonging) cases.ExitInput {
	in := cases.ExitInput{Kind: kind, At: at, Returns: map[string]cases.Return{}, Services: "住宿、饮食、洗浴、理发"}
	for _, b := range items {
		in.Returns[b.ID] = cases.Return{Qty: b.Qty}
	}
	switch kind {
	case cases.ExitReturnHome:
		in.Destination = "原籍"
		in.Voucher = cases.Voucher{Mode: "ticket", Route: "新乡—" + []string{"郑州", "安阳", "商丘", "南阳", "石家庄", "合肥", "成都"}[r.IntN(7)], TicketNo: fmt.Sprintf("E%08d", r.IntN(1e8)), CostFen: 1500 + r.IntN(20000)}
		if r.IntN(10) == 0 {
			in.Destination, in.Voucher = "新乡市辖区内", cases.Voucher{Mode: "cash", CostFen: 500 + r.IntN(1500), LocalTransit: true, ReceiptSigned: true}
		}
	case cases.ExitEscorted:
		in.Destination, in.Escorts = "原籍民政部门", "赵敏、王强"
	case cases.ExitFamily:
		in.Collector.Name, in.Collector.Relation, in.Collector.Checked = nameFor(r, true), "亲属", true
		in.Collector.IDNumber = demoID(r, "410702", time.Date(1975, 3, 3, 0, 0, 0, 0, cases.CST), true)
	case cases.ExitSelf:
		in.Statement = true
	case cases.ExitTransfer:
		in.Destination = "郑州市救助管理站"
	case cases.ExitPlacement:
		in.Destination = "新乡市社会福利院"
	case cases.ExitHospital:
		in.Destination = "新乡市第二人民医院"
	case cases.ExitDeath:
		in.Cause = "医院抢救无效，死亡证明已开具"
	}
	return in
}
