package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/firesafety"
)

// SeedFire adds the station's fire safety: a register of 60 items (some
// extinguishers due for service, one water-based one past scrapping, the
// kitchen's sprinkler model short of spares), four patrol checkpoints and a
// month of patrols (a day round and four night rounds a day; the night
// nine days ago has a 3-hour gap, last night's third round missed the
// kitchen), three monthly inspections (the latest found a blocked exit
// whose deadline has passed: an overdue hazard), the fire organisation
// with its control-room roster, the last training and drill, and last
// year's full test with its report. Everything goes through the service,
// with its clock set to when each record was made.
func SeedFire(ctx context.Context, fs *firesafety.Service, now time.Time) error {
	a := auth.Actor{Name: "陈刚", Role: auth.RoleSafety}
	svc := *fs
	var clock time.Time
	svc.Now = func() time.Time { return clock }
	at := func(daysAgo, hh, mm int) time.Time {
		c := now.In(firesafety.CST)
		return time.Date(c.Year(), c.Month(), c.Day()-daysAgo, hh, mm, 0, 0, firesafety.CST).UTC()
	}
	day := func(daysAgo int) string { return firesafety.Day(at(daysAgo, 12, 0)) }
	clock = at(40, 9, 0)
	if err := svc.EnsureDuties(ctx); err != nil {
		return err
	}

	// The register.
	made := func(yearsAgo, daysAgo int) string { return firesafety.Day(at(daysAgo, 12, 0).AddDate(-yearsAgo, 0, 0)) }
	places := []string{"一楼大厅", "一楼男宿舍走廊", "二楼女宿舍走廊", "二楼医务室", "厨房", "餐厅", "配电室", "消防控制室", "库房", "三楼老人照护区"}
	exts := []struct {
		typ        string
		years, off int
	}{
		{firesafety.Water, 6, 20},       // past scrapping (6 years 20 days old; serviced yearly)
		{firesafety.Water, 3, -40},      // first service in 40 days (3 years after manufacture)
		{firesafety.Powder, 5, -30},     // first service in a month (5 years)
		{firesafety.CO2, 12, -50},       // scrapped at 12 years: in 50 days
		{firesafety.Powder, 5, 10},      // service 10 days overdue
		{firesafety.CleanAgent, 1, 100}, // fine
	}
	n := 0
	for i := range 30 {
		e := exts[i%len(exts)]
		if i >= len(exts) {
			e = struct {
				typ        string
				years, off int
			}{[]string{firesafety.Powder, firesafety.Powder, firesafety.CO2, firesafety.Water}[i%4], 1 + i%2, 30 + i*7}
		}
		name := map[string]string{firesafety.Water: "6L 水基型灭火器", firesafety.Powder: "4kg ABC 干粉灭火器", firesafety.CO2: "3kg 二氧化碳灭火器",
			firesafety.CleanAgent: "4kg 洁净气体灭火器"}[e.typ]
		mf := made(e.years, e.off)
		in := firesafety.EquipmentInput{Kind: firesafety.KindExtinguisher, Name: name, Location: places[i%len(places)] + "（" + strconv.Itoa(i/len(places)+1) + "号箱）",
			ExtType: e.typ, ManufacturedOn: mf, InstalledOn: firesafety.Day(at(e.off, 12, 0).AddDate(-e.years, 2, 0))}
		if i == 0 || i == 3 { // the old ones were serviced on time
			in.LastServiceOn = day(300 + 100*i)
		}
		if _, err := svc.AddEquipment(ctx, a, in); err != nil {
			return fmt.Errorf("extinguisher %d: %w", i, err)
		}
		n++
	}
	type other struct {
		kind, name, place, installed, spares string
	}
	others := []other{
		{firesafety.KindSprinkler, "ZSTX15-68℃ 下垂型喷头", "宿舍楼一至三层", "1200", "14"},
		{firesafety.KindSprinkler, "ZSTB15-68℃ 边墙型喷头", "走廊与大厅", "300", "10"},
		{firesafety.KindSprinkler, "ZSTX15-93℃ 下垂型喷头", "厨房", "80", "6"}, // short: at least 10 per model
	}
	for i, p := range places {
		others = append(others, other{kind: firesafety.KindAlarm, name: "点型光电感烟探测器", place: p})
		if i < 6 {
			others = append(others, other{kind: firesafety.KindEmergencyLight, name: "消防应急照明灯", place: p})
		}
	}
	for _, p := range []string{"一楼东侧出口", "一楼西侧出口", "二楼楼梯口", "三楼楼梯口", "厨房后门"} {
		others = append(others, other{kind: firesafety.KindExitSign, name: "安全出口标志灯", place: p})
	}
	for _, p := range []string{"一楼大厅", "二楼走廊", "三楼走廊"} {
		others = append(others, other{kind: firesafety.KindHydrant, name: "室内消火栓箱", place: p})
	}
	for _, p := range []string{"一楼楼梯间", "二楼楼梯间", "三楼楼梯间"} {
		others = append(others, other{kind: firesafety.KindFireDoor, name: "乙级防火门（常闭）", place: p})
	}
	others = append(others, other{kind: firesafety.KindControlRoom, name: "消防控制室（火灾报警控制器）", place: "一楼东侧"})
	for _, o := range others {
		in := firesafety.EquipmentInput{Kind: o.kind, Name: o.name, Location: o.place, InstalledOn: made(4, 60), Installed: o.installed, Spares: o.spares}
		e, err := svc.AddEquipment(ctx, a, in)
		if err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
		n++
		if o.kind == firesafety.KindSprinkler && o.spares == "14" {
			clock = at(12, 15, 0)
			if _, err := svc.RecordEvent(ctx, a, e.ID, firesafety.EventInput{Kind: firesafety.EventReplacement, On: day(12), Count: "2",
				Note: "二楼217室喷头玻璃球破损，更换两只"}); err != nil {
				return err
			}
			clock = at(40, 9, 0)
		}
	}
	_ = n

	// People, the roster, training and drill.
	var ops, all []string
	for i, p := range []struct {
		name, cert string
		exp        int // days from now
		op, micro  bool
	}{
		{"周立新", "消控证豫2021-0318", 400, true, true}, {"韩晓东", "消控证豫2022-0722", 20, true, true},
		{"赵红梅", "消控证豫2023-1105", 600, true, false}, {"孙建平", "消控证豫2020-0911", 300, true, true},
		{"郭志强", "", 0, false, true}, {"杨帆", "", 0, false, true}, {"马俊", "", 0, false, true},
	} {
		in := firesafety.PersonInput{Name: p.name, Operator: p.op, Micro: p.micro, CertNo: p.cert}
		if p.op {
			in.CertExpires = day(-p.exp)
		}
		pr, err := svc.AddPerson(ctx, a, in)
		if err != nil {
			return fmt.Errorf("person %d: %w", i, err)
		}
		all = append(all, pr.ID)
		if p.op {
			ops = append(ops, pr.ID)
		}
	}
	if _, err := svc.AddPerson(ctx, a, firesafety.PersonInput{Name: "吴静", StartsOn: day(-5)}); err != nil { // starts in 5 days, not trained yet
		return err
	}
	clock = at(0, 0, 0).Add(-time.Second)
	if now.Before(clock) {
		clock = now
	}
	for d := range 7 {
		for s, slot := range firesafety.Slots {
			people := []string{ops[(d+s)%4], ops[(d+s+1)%4]}
			if d == 3 && slot == firesafety.SlotNight {
				people = people[:1] // one operator short
			}
			if _, err := svc.SaveShift(ctx, a, firesafety.ShiftInput{On: day(-d), Slot: slot, People: people}); err != nil {
				return err
			}
		}
	}
	clock = at(120, 15, 0)
	if _, err := svc.RecordTraining(ctx, a, firesafety.TrainingInput{On: day(120), Topic: "灭火器与室内消火栓的使用、夜间疏散引导", Trainer: "新乡市消防救援支队宣传科",
		Attendees: all, Others: "18"}); err != nil {
		return err
	}
	clock = at(150, 16, 0)
	if _, err := svc.RecordDrill(ctx, a, firesafety.DrillInput{On: day(150), Scenario: "夜间宿舍楼火灾疏散演练", Attendees: all, Volunteers: "6",
		VolunteerNames: "新乡市红十字志愿服务队6人", Evaluation: "全员4分30秒疏散至集合点；二楼女宿舍一名受助人员需搀扶，需增加夜班引导人员。"}); err != nil {
		return err
	}
	clock = at(300, 10, 0)
	if _, err := svc.AddTest(ctx, a, firesafety.TestInput{On: day(300), Company: "河南安泰消防技术服务有限公司", CertNo: "豫消技服字〔2023〕第0117号",
		Passed: true, Note: "火灾自动报警系统、自动喷水灭火系统、消火栓系统年度检测合格", Report: reportPhoto()}); err != nil {
		return err
	}

	// Checkpoints and a month of patrols.
	cps := [][2]string{{"XC-01", "一楼大厅与消防控制室"}, {"XC-02", "一楼男宿舍走廊"}, {"XC-03", "二楼女宿舍走廊"}, {"XC-04", "厨房与配电室"}}
	for i, c := range cps {
		if _, err := svc.AddCheckpoint(ctx, a, c[0], c[1], strconv.Itoa(i+1)); err != nil {
			return err
		}
	}
	walker := auth.Actor{Name: "孙建平", Role: auth.RoleSafety}
	k := 0
	round := func(start time.Time, skip string) error {
		for i, c := range cps {
			if c[0] == skip {
				continue
			}
			clock = start.Add(time.Duration(i*2) * time.Minute)
			if clock.After(now) {
				return nil
			}
			k++
			if _, _, err := svc.RecordScan(ctx, walker, firesafety.ScanInput{Code: c[0], ClientID: "demo-fire-" + strconv.Itoa(k)}); err != nil {
				return fmt.Errorf("scan %s: %w", c[0], err)
			}
		}
		return nil
	}
	for d := 31; d >= 0; d-- {
		starts := []time.Time{at(d, 10, 0), at(d, 22, 30), at(d-1, 0, 30), at(d-1, 2, 30), at(d-1, 4, 30)}
		if d == 9 {
			// The round at 00:30 was not walked: 22:36 to 01:36 is 3 hours.
			starts = []time.Time{at(d, 10, 0), at(d, 22, 30), at(d-1, 1, 36), at(d-1, 3, 30), at(d-1, 5, 0)}
		}
		for j, st := range starts {
			skip := ""
			if d == 1 && j == 3 {
				skip = "XC-04"
			}
			if err := round(st, skip); err != nil {
				return err
			}
		}
	}

	// Inspections and their hazards.
	for _, m := range []int{65, 35, 6} {
		clock = at(m, 15, 0)
		in := firesafety.InspectionInput{On: day(m), Inspector: "陈刚", Responsible: "刘建国", Signed: true,
			Summary: "检查消防设施、疏散通道、用火用电和值班情况。"}
		switch m {
		case 35:
			in.Findings = []firesafety.FindingInput{{Location: "配电室", Description: "2号箱干粉灭火器压力表指针偏低", FixedOnSpot: true}}
		case 6:
			in.Findings = []firesafety.FindingInput{{Location: "二楼女宿舍走廊", Description: "安全出口前堆放被褥杂物，影响疏散"},
				{Location: "厨房", Description: "燃气软管老化开裂"}}
		}
		if _, err := svc.RecordInspection(ctx, a, in); err != nil {
			return err
		}
	}
	clock = at(6, 15, 30)
	o, err := svc.Overview(ctx, a)
	if err != nil {
		return err
	}
	for _, h := range o.Hazards {
		switch h.Description {
		case "安全出口前堆放被褥杂物，影响疏散": // deadline two days ago, not rechecked: overdue
			if _, err := svc.PlanHazard(ctx, a, h.ID, firesafety.PlanInput{Measure: "清理杂物，在出口前划设禁止堆放区", Deadline: day(2), Owner: "李宿管", Funds: "0"}); err != nil {
				return err
			}
		case "燃气软管老化开裂":
			if _, err := svc.PlanHazard(ctx, a, h.ID, firesafety.PlanInput{Measure: "关闭燃气，更换金属波纹管并检漏", Deadline: day(-10), Owner: "后勤科张师傅", Funds: "2800"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// reportPhoto draws the first page of a test report: the demo holds no
// real company's document.
func reportPhoto() []byte {
	const w, h = 420, 594
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0xfa, 0xfa, 0xf5, 0xff}
			if y > 60 && y < 80 && x > 80 && x < 340 || y > 120 && y%24 < 3 && x > 40 && x < 380 && y < 520 {
				c = color.RGBA{0x55, 0x55, 0x55, 0xff}
			}
			if (x-330)*(x-330)+(y-500)*(y-500) < 40*40 && (x-330)*(x-330)+(y-500)*(y-500) > 34*34 {
				c = color.RGBA{0xc0, 0x20, 0x20, 0xff} // the seal
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	return b.Bytes()
}
