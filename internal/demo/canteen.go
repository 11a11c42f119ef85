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
// today's morning checks. Everything goes through the service, with its
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
