package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/errs"
)

// SeedCanteen adds the station canteen: suppliers (one licence expiring
// within the month), food handlers (one certificate expiring), a sample
// fridge and a freezer with a week's temperature log and one excursion,
// a month of meals with their samples (one dish of yesterday's lunch
// without a sample), the samples past their 48 hours discarded and one
// early discard refused, a week of disinfections and purchases, and
// today's morning checks; the pest control log, a month of self-checks
// (one day missed) and the stock issued from the week's deliveries (one
// expired batch left). Everything goes through the service, with its
// clock set to when each record was made.
func SeedCanteen(ctx context.Context, cs *canteen.Service, now time.Time) error {
	a := auth.Actor{Name: "陈刚", Role: auth.RoleSafety}
	svc := *cs
	var clock time.Time
	svc.Now = func() time.Time { return clock }
	at := func(daysAgo, hh, mm int) time.Time {
		c := now.In(canteen.CST)
		return time.Date(c.Year(), c.Month(), c.Day()-daysAgo, hh, mm, 0, 0, canteen.CST).UTC()
	}
	clock = at(31, 9, 0)
	today := canteen.Day(now)
	fridge, err := svc.AddColdUnit(ctx, a, "留样冰箱", canteen.Chilled, true)
	if err != nil {
		return err
	}
	chiller, err := svc.AddColdUnit(ctx, a, "冷藏柜", canteen.Chilled, false)
	if err != nil {
		return err
	}
	freezer, err := svc.AddColdUnit(ctx, a, "冷冻柜", canteen.Frozen, false)
	if err != nil {
		return err
	}
	days := func(n int) string { return canteen.Day(now.AddDate(0, 0, n)) }
	var sup []*canteen.Supplier
	for _, s := range []canteen.SupplierInput{
		{Name: "新乡市牧野区绿源蔬菜配送中心", LicenceNo: "JY14107110012345", LicenceExpires: days(400), Contact: "周建国", Phone: "0373-5061234"},
		{Name: "新乡市红旗区鑫鑫肉类批发部", LicenceNo: "JY14107020056789", LicenceExpires: days(18), Contact: "马红", Phone: "0373-2034567"},
		{Name: "新乡市粮油购销有限公司", LicenceNo: "JY14107030098765", LicenceExpires: days(700), Contact: "郭明", Phone: "0373-3045678"},
	} {
		sp, err := svc.AddSupplier(ctx, a, s)
		if err != nil {
			return err
		}
		sup = append(sup, sp)
	}
	var handlers []*canteen.Handler
	for _, h := range []struct{ name, no, exp string }{
		{"李建华", "豫健证2026010301", days(200)},
		{"王秀兰", "豫健证2025123002", days(12)},
		{"赵师傅", "豫健证2026020503", days(300)},
	} {
		hd, err := svc.AddHandler(ctx, a, h.name, h.no, h.exp)
		if err != nil {
			return err
		}
		handlers = append(handlers, hd)
	}
	if err := svc.EnsureDuties(ctx); err != nil {
		return err
	}

	// A week of temperatures, morning and evening; the freezer warmed
	// to −6 ℃ last night while its door was left open.
	for d := 7; d >= 0; d-- {
		for _, hh := range []int{9, 21} {
			clock = at(d, hh, 5)
			if clock.After(now) {
				continue
			}
			for i, u := range []*canteen.ColdUnit{fridge, chiller, freezer} {
				c := []string{"3", "4", "-18"}[i]
				if u == freezer && d == 1 && hh == 21 {
					c = "-6"
				}
				if _, err := svc.RecordReading(ctx, a, canteen.ReadingInput{UnitID: u.ID, TempC: c}); err != nil {
					return err
				}
			}
		}
	}

	// A month of meals, each dish sampled.
	menu := map[string][][]string{
		canteen.Breakfast: {{"小米粥", "馒头", "煮鸡蛋"}, {"豆浆", "油条", "咸菜"}, {"胡辣汤", "包子", "凉拌黄瓜"}},
		canteen.Lunch:     {{"红烧肉", "清炒白菜", "米饭"}, {"土豆炖牛肉", "西红柿炒鸡蛋", "米饭"}, {"烩面", "凉拌豆芽"}},
		canteen.Dinner:    {{"炒面条", "紫菜蛋汤"}, {"白菜炖豆腐", "花卷"}, {"青椒肉丝", "米饭", "冬瓜汤"}},
	}
	times := map[string][2]int{canteen.Breakfast: {7, 10}, canteen.Lunch: {11, 20}, canteen.Dinner: {17, 20}}
	for d := 30; d >= 0; d-- {
		for _, kind := range []string{canteen.Breakfast, canteen.Lunch, canteen.Dinner} {
			t := times[kind]
			clock = at(d, t[0], t[1]+15)
			if clock.After(now) {
				continue
			}
			inCare, err := cs.Store.InCareOn(ctx, canteen.Day(clock))
			if err != nil {
				return err
			}
			in := canteen.MealInput{Day: canteen.Day(clock), Kind: kind, Served: strconv.Itoa(max(inCare-(d+t[0])%3, 0)),
				Sampler: "李建华", Reviewer: "陈刚", UnitID: fridge.ID}
			for j, dish := range menu[kind][d%3] {
				grams := strconv.Itoa(130 + (d+j)%4*10)
				if d == 1 && kind == canteen.Lunch && j == 1 {
					grams = "" // the dish the sampler forgot
				}
				in.Dishes = append(in.Dishes, canteen.DishInput{Name: dish, SampleInput: canteen.SampleInput{Grams: grams, Sealed: true}})
			}
			if _, err := svc.RecordMeal(ctx, a, in); err != nil {
				return fmt.Errorf("meal %s %s: %w", in.Day, kind, err)
			}
		}
		// Each evening the samples past their 48 hours are discarded.
		clock = at(d, 19, 0)
		if !clock.After(now) {
			if _, err := svc.DiscardDue(ctx, a); err != nil {
				return err
			}
		}
	}
	// Yesterday someone tried to discard that morning's samples early: refused.
	clock = at(1, 19, 30)
	if !clock.After(now) {
		kept, err := cs.Store.SamplesKept(ctx)
		if err != nil {
			return err
		}
		if len(kept) > 0 {
			if err := svc.DiscardSample(ctx, a, kept[len(kept)-1].ID); !errs.Is(errs.Conflict, err) {
				return fmt.Errorf("the early discard was not refused: %v", err)
			}
		}
	}

	// A week of disinfections (one dishwasher run too cool) and deliveries.
	for d := 6; d >= 0; d-- {
		clock = at(d, 13, 30)
		if clock.After(now) {
			continue
		}
		in := canteen.DisinfectionInput{Method: canteen.MethodInfrared, TempC: "120", Minutes: "15", Items: "餐盘、碗筷"}
		if d == 2 {
			in = canteen.DisinfectionInput{Method: canteen.MethodDishwasher, TempC: "80", Seconds: "40", Items: "餐盘"}
		}
		if _, err := svc.RecordDisinfection(ctx, a, in); err != nil {
			return err
		}
		p := canteen.PurchaseInput{ReceivedOn: canteen.Day(clock), SupplierID: sup[0].ID, Item: "大白菜", Spec: "散装", Quantity: "50公斤",
			Batch: canteen.Day(clock), Storage: canteen.Ambient, Inspector: "陈刚", Accepted: true}
		if d%2 == 0 {
			p = canteen.PurchaseInput{ReceivedOn: canteen.Day(clock), SupplierID: sup[1].ID, Item: "猪肉", Spec: "冷鲜", Quantity: "20公斤",
				Batch: canteen.Day(clock) + "-2", ProducedOn: canteen.Day(clock), ShelfDays: "5", Storage: canteen.Chilled, ReceiveTemp: "3",
				Inspector: "陈刚", Accepted: true}
		}
		if _, err := svc.AddPurchase(ctx, a, p); err != nil {
			return err
		}
	}
	if err := seedCanteenMore(ctx, &svc, func(t time.Time) { clock = t }, at, now); err != nil {
		return err
	}
	clock = at(0, 6, 50)
	if clock.After(now) {
		return nil
	}
	if _, err := svc.AddPurchase(ctx, a, canteen.PurchaseInput{ReceivedOn: today, SupplierID: sup[2].ID, Item: "大米", Spec: "25公斤／袋",
		Quantity: "4袋", Batch: "20261101", Storage: canteen.Ambient, Inspector: "陈刚", Accepted: true}); err != nil {
		return err
	}
	// This morning's checks: one handler kept off food work with a sore
	// throat; the third not yet checked.
	if _, err := svc.RecordCheck(ctx, a, canteen.CheckInput{HandlerID: handlers[0].ID, OnDuty: true}); err != nil {
		return err
	}
	_, err = svc.RecordCheck(ctx, a, canteen.CheckInput{HandlerID: handlers[1].ID, Symptoms: []string{"sore_throat"}})
	return err
}

// seedCanteenMore adds three months of pest control rounds, the self-check
// lists with a month of completions (the daily check of nine days ago
// missed, one problem found), and the kitchen's issues from the week's
// deliveries: pork issued out of order once (confirmed), so that five
// kilograms of the oldest batch expired on hand.
func seedCanteenMore(ctx context.Context, svc *canteen.Service, setClock func(time.Time), at func(daysAgo, hh, mm int) time.Time, now time.Time) error {
	a := auth.Actor{Name: "陈刚", Role: auth.RoleSafety}
	when := func(t time.Time) bool {
		setClock(t)
		return !t.After(now)
	}
	for _, p := range []struct {
		days     int
		area     string
		measures []string
		findings string
		company  string
	}{
		{62, "后厨、库房", []string{"traps", "bait", "professional"}, "", "新乡市洁安有害生物防治有限公司"},
		{31, "后厨、库房、餐厅", []string{"traps", "screens"}, "库房墙角发现鼠粪，已清理并加放粘鼠板", ""},
		{1, "后厨、库房", []string{"traps", "bait", "professional"}, "", "新乡市洁安有害生物防治有限公司"},
	} {
		if !when(at(p.days, 15, 0)) {
			continue
		}
		if _, err := svc.RecordPest(ctx, a, canteen.PestInput{Day: canteen.Day(at(p.days, 15, 0)), Area: p.area, Measures: p.measures,
			Findings: p.findings, Company: p.company, By: "陈刚"}); err != nil {
			return fmt.Errorf("pest: %w", err)
		}
	}

	items := map[string][]string{
		canteen.ListDaily: {"从业人员晨检已完成，有症状者未上岗", "每餐每样菜品留样不少于125克，标签齐全", "冷藏冷冻设备温度正常",
			"餐用具清洗消毒合格，保洁柜密闭", "加工操作生熟分开，无过期原料"},
		canteen.ListWeekly:  {"库存食材无过期变质，先进先出", "防虫防鼠设施完好", "供货商证照在有效期内", "排水、排烟设施通畅"},
		canteen.ListMonthly: {"本月问题整改落实情况", "从业人员健康证有效", "下月食品安全工作安排"},
	}
	if when(at(31, 9, 30)) {
		for _, l := range canteen.Lists {
			for _, text := range items[l] {
				if _, err := svc.AddCheckItem(ctx, a, l, text, ""); err != nil {
					return err
				}
			}
		}
	}
	answer := func(list string, problem string) error {
		its, err := svc.More.CheckItems(ctx, list, false)
		if err != nil {
			return err
		}
		in := canteen.SelfCheckInput{List: list}
		for i, it := range its {
			x := canteen.AnswerInput{ItemID: it.ID, Verdict: "ok"}
			if problem != "" && i == 1 {
				x = canteen.AnswerInput{ItemID: it.ID, Verdict: "problem", Note: problem}
			}
			in.Answers = append(in.Answers, x)
		}
		_, err = svc.RecordSelfCheck(ctx, a, in)
		if errs.Is(errs.Conflict, err) { // the period was done already
			return nil
		}
		return err
	}
	for d := 30; d >= 0; d-- {
		day := at(d, 17, 30)
		if !when(day) {
			continue
		}
		problem := ""
		if d == 1 {
			problem = "午餐西红柿炒鸡蛋漏留样，已提醒留样员"
		}
		if d != 9 { // the day's check forgotten
			if err := answer(canteen.ListDaily, problem); err != nil {
				return fmt.Errorf("daily check: %w", err)
			}
		}
		if day.In(canteen.CST).Weekday() == time.Friday || d == 0 {
			if err := answer(canteen.ListWeekly, ""); err != nil {
				return fmt.Errorf("weekly check: %w", err)
			}
		}
		if day.In(canteen.CST).Day() == 28 || d == 30 {
			if err := answer(canteen.ListMonthly, ""); err != nil {
				return fmt.Errorf("monthly check: %w", err)
			}
		}
	}

	// The kitchen's issues from the week's deliveries (pork every other
	// day from six days ago, cabbage the days between).
	on, err := svc.More.OnHand(ctx)
	if err != nil {
		return err
	}
	batch := func(item string, daysAgo int) string {
		day := canteen.Day(at(daysAgo, 12, 0))
		for _, p := range on {
			if p.Item == item && p.ReceivedOn == day {
				return p.ID
			}
		}
		return ""
	}
	for _, is := range []struct {
		days    int
		item    string
		from    int
		amount  string
		confirm bool
		note    string
	}{
		{5, "猪肉", 6, "15", false, ""},
		{4, "大白菜", 5, "30", false, ""},
		{3, "猪肉", 4, "15", true, "旧批次留作晚餐，先用新到的"},
		{2, "大白菜", 5, "20", false, ""},
		{1, "大白菜", 3, "20", false, ""},
		{1, "猪肉", 4, "5", false, ""},
	} {
		id := batch(is.item, is.from)
		if id == "" || !when(at(is.days, 10, 0)) {
			continue
		}
		if _, err := svc.IssueStock(ctx, a, canteen.IssueInput{PurchaseID: id, Amount: is.amount, Kind: canteen.IssueKitchen,
			Confirm: is.confirm, Note: is.note}); err != nil {
			return fmt.Errorf("issue %s: %w", is.item, err)
		}
	}
	return nil
}
