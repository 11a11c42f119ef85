package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
)

// homophones of the demo's given names: a name heard on the phone or told
// in dialect and written with other characters.
var homophones = map[string]string{"建国": "建果", "志强": "智强", "秀英": "秀莹", "桂兰": "贵兰", "国庆": "国青", "玉兰": "玉岚", "海燕": "海艳",
	"明": "鸣", "伟": "卫", "芳": "方", "军": "君", "磊": "蕾", "洋": "阳", "勇": "永", "艳": "燕", "杰": "洁", "娟": "绢", "涛": "滔", "超": "潮",
	"霞": "侠", "平": "萍", "刚": "钢", "桂英": "贵英", "建华": "建化", "红梅": "洪梅", "德胜": "得胜", "福贵": "富贵", "春生": "春升", "小龙": "晓龙",
	"二妮": "二妞", "铁柱": "铁竹", "永强": "勇强", "金花": "金华", "长林": "常林", "文革": "文格", "卫东": "为东"}

// SeedFamily adds family search to the demo: notices for the unidentified
// people in care whose 24 h deadline was met; missing-person reports from
// families, the police (through an API key it creates) and another
// station, some matching people in care or earlier records under a
// misheard name, a wrong age or an old region code, most matching no one;
// and two confirmed reunions. It returns the police key.
func SeedFamily(ctx context.Context, fs *family.Service, cs *cases.Service, a *auth.Service, now time.Time) ([]Key, error) {
	staff := as("staff")
	r := rand.New(rand.NewPCG(6, 19))
	full, k, err := a.CreateAPIKey(ctx, auth.CLIActor(), "演示-公安寻人", []string{"family.write"}, "")
	if err != nil {
		return nil, err
	}
	police := auth.Actor{UserID: k.ID, Name: k.Name, Username: "apikey:" + k.Name, Role: auth.RolePartner, Scopes: k.Scopes}
	keys := []Key{{Name: "police", Key: full, Scopes: "family.write", Use: "POST /api/v1/missing-reports"}}

	// Reports are filed, then everything is matched once, before the
	// reunions.
	inCare, err := cs.Store.ListPeople(ctx, cases.PersonFilter{InStation: true, Unidentified: true, Limit: 100})
	if err != nil {
		return nil, err
	}
	clothes := []string{"灰色棉衣，黑色棉裤", "藏青色羽绒服，运动鞋", "军绿色大衣，解放鞋", "深红色毛衣，灰裤子", "黑色夹克，蓝色牛仔裤"}
	foundAt := []string{"新乡火车站广场", "平原路与人民路交叉口", "新乡东站出站口", "牧野区金穗大道桥下", "红旗区胜利路公交站"}
	for i, p := range inCare {
		stays, err := cs.Store.StaysOf(ctx, []string{p.ID})
		if err != nil {
			return nil, err
		}
		var open *cases.Stay
		for _, st := range stays {
			if st.State == cases.StayOpen {
				open = st
			}
		}
		tasks, err := cs.Store.Tasks(ctx, []string{open.ID})
		if err != nil {
			return nil, err
		}
		done := false
		for _, t := range tasks {
			done = done || t.Rule == cases.RuleNotice
		}
		if !done { // the dashboard shows these as due or overdue
			continue
		}
		if _, err := fs.Publish(ctx, staff, p.ID, family.NoticeInput{FoundPlace: foundAt[i%len(foundAt)], Features: p.Marks, Clothing: clothes[i%len(clothes)]}); err != nil {
			return nil, fmt.Errorf("demo notice: %v", err)
		}
	}

	lostBefore := func(days int) string {
		return now.AddDate(0, 0, -days).In(cases.CST).Format("2006-01-02")
	}
	phone := func() string { return fmt.Sprintf("139%08d", r.IntN(1e8)) }
	var matching []*family.Report
	// Families looking for people now in care: described as the family
	// knows them (a name, a birth year, the marks), the age off by a few
	// years.
	for i, p := range inCare {
		if i >= 3 {
			break
		}
		mid := (p.AgeMin + p.AgeMax) / 2
		off := []int{1, -3, 6}[i]
		sex := p.Sex
		if sex == cases.SexUnknown {
			sex = cases.Male
		}
		name := nameFor(r, sex == cases.Male)
		in := family.ReportInput{Name: name, Sex: sex, BirthDate: fmt.Sprint(now.Year() - mid - off), NativePlace: places[regions[r.IntN(11)]],
			Dialect: p.Dialect, LostOn: lostBefore(20 + r.IntN(60)), LostPlace: "家附近", Features: p.Marks,
			ContactName: "家属", ContactRelation: []string{"儿子", "女儿", "妻子"}[i], ContactPhone: phone()}
		rep, err := fs.File(ctx, auth.Actor{}, in)
		if err != nil {
			return nil, fmt.Errorf("demo report: %v", err)
		}
		matching = append(matching, rep)
	}
	// Families looking for someone the station helped before, under a name
	// heard with one homophone and a partial ID number (some of the demo's
	// ID numbers carry region codes retired since, such as 新乡郊区 410711).
	earlier, err := cs.Store.ListPeople(ctx, cases.PersonFilter{Limit: 400})
	if err != nil {
		return nil, err
	}
	n := 0
	for _, p := range earlier {
		if n >= 2 || !p.Identified || len([]rune(p.Name)) < 2 || p.BirthDate == "" {
			continue
		}
		rs := []rune(p.Name)
		g, ok := homophones[string(rs[1:])]
		if !ok {
			continue
		}
		id, err := cs.Keys.Open(cases.IDContext, p.IDSealed)
		if err != nil {
			return nil, err
		}
		in := family.ReportInput{Name: string(rs[0]) + g, Sex: p.Sex, BirthDate: p.BirthDate[:4], NativePlace: p.NativePlace, LostOn: lostBefore(200 + r.IntN(200)),
			LostPlace: "外出务工后失联", Description: "外出打工后多年没有音讯", ContactName: "家属", ContactRelation: "哥哥", ContactPhone: phone(),
			IDNumber: id[:10] + "********"} // the family remembers the region and the year only
		if _, err := fs.File(ctx, auth.Actor{}, in); err != nil {
			return nil, fmt.Errorf("demo report: %v", err)
		}
		n++
	}
	// Reports that match no one yet: families and the police.
	var batch []family.ReportInput
	for i := range 14 {
		male := r.IntN(10) < 7
		sex := cases.Female
		if male {
			sex = cases.Male
		}
		age := 8 + r.IntN(70)
		region := regions[r.IntN(len(regions))]
		in := family.ReportInput{Name: nameFor(r, male), Sex: sex,
			BirthDate: fmt.Sprint(now.Year() - age), HeightCm: 140 + r.IntN(40), NativePlace: idcard.RegionOf(region).String(),
			LostOn: lostBefore(10 + r.IntN(700)), LostPlace: places[region],
			ContactName: "家属", ContactRelation: "家人", ContactPhone: phone()}
		// What the family says: clothing and health, or a mark.
		switch k := r.IntN(5); k {
		case 3, 4:
			in.Features = []string{"右脸有胎记", "走路有点跛，左腿旧伤"}[k-3]
		default:
			in.Description = []string{"身穿蓝色外套，黑裤子", "患有阿尔茨海默病，记不清家", "智力残疾，会说自己名字"}[k]
		}
		if i < 5 {
			in.ExternalID = fmt.Sprintf("XXGA-2026-%04d", 100+i)
			batch = append(batch, in)
			continue
		}
		if _, err := fs.File(ctx, auth.Actor{}, in); err != nil {
			return nil, fmt.Errorf("demo report: %v", err)
		}
	}
	if _, bad, err := fs.FileBatch(ctx, police, batch); err != nil {
		return nil, fmt.Errorf("demo police reports: %v %v", err, bad)
	}
	if err := fs.Refresh(ctx); err != nil {
		return nil, err
	}
	// Two reunions: the first two families' reports confirmed.
	for _, rep := range matching[:min(2, len(matching))] {
		cs, err := fs.Store.Candidates(ctx, []string{family.Proposed}, "", rep.ID)
		if err != nil {
			return nil, err
		}
		if len(cs) == 0 {
			continue
		}
		if _, err := fs.Decide(ctx, staff, cs[0].ID, family.DecideConfirm, "与家属视频核实，确认身份"); err != nil {
			return nil, fmt.Errorf("demo reunion: %v", err)
		}
	}
	return keys, nil
}
