package canteen_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var (
	safety  = auth.Actor{UserID: "u-safety", Name: "王安全", Role: auth.RoleSafety, IP: "127.0.0.1"}
	leader  = auth.Actor{UserID: "u-leader", Name: "领导", Role: auth.RoleLeader, IP: "127.0.0.1"}
	staff   = auth.Actor{UserID: "u-staff", Name: "站员", Role: auth.RoleStaff, IP: "127.0.0.1"}
	sensor  = auth.Actor{UserID: "k-sensor", Name: "冷库探头", Role: auth.RolePartner, Scopes: []string{auth.ScopeCanteenSensor}}
	keyless = auth.Actor{UserID: "k-other", Name: "110", Role: auth.RolePartner, Scopes: []string{"family.write"}}
)

// now: 2026-12-01 12:00 CST.
var now = time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)

type fixture struct {
	db              *store.DB
	svc             *canteen.Service
	clock           *time.Time
	fridge, freezer *canteen.ColdUnit
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db}
	c := now
	f.clock = &c
	f.svc = &canteen.Service{Store: db, More: db, Files: db.Files(), Duties: db, Audit: db, Now: func() time.Time { return *f.clock }}
	ctx := context.Background()
	var err error
	if f.fridge, err = f.svc.AddColdUnit(ctx, safety, "留样冰箱", canteen.Chilled, true); err != nil {
		t.Fatal(err)
	}
	if f.freezer, err = f.svc.AddColdUnit(ctx, safety, "冷冻柜", canteen.Frozen, false); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EnsureDuties(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

func fieldErr(t *testing.T, err error, field, key string) {
	t.Helper()
	if !errs.Is(errs.Invalid, err) {
		t.Fatalf("want Invalid on %s, got %v", field, err)
	}
	if got := errs.FieldsOf(err)[field]; got != key {
		t.Fatalf("field %s: %q, want %q (all: %v)", field, got, key, errs.FieldsOf(err))
	}
}

func TestMealsAndSamples(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		meal := canteen.MealInput{Day: "2026-12-01", Kind: canteen.Lunch, Served: "12", SampledAt: "2026-12-01T11:30",
			Sampler: "李厨", Reviewer: "王安全", UnitID: f.fridge.ID,
			Dishes: []canteen.DishInput{{Name: "番茄炒蛋", SampleInput: canteen.SampleInput{Grams: "125", Sealed: true}},
				{Name: "米饭", SampleInput: canteen.SampleInput{Grams: "124", Sealed: true}}}}
		_, err := f.svc.RecordMeal(ctx, safety, meal)
		fieldErr(t, err, "dish.1.grams", "canteen.err_sample_grams")
		if ms, _ := db.Meals(ctx, "2026-11-01", "2026-12-31"); len(ms) != 0 {
			t.Fatalf("a refused meal was stored: %d", len(ms))
		}
		bad := meal
		bad.Dishes = []canteen.DishInput{{Name: "米饭", SampleInput: canteen.SampleInput{Grams: "150", Sealed: true}}}
		bad.Day = "2026-12-02"
		_, err = f.svc.RecordMeal(ctx, safety, bad)
		fieldErr(t, err, "day", "err.date_future")
		bad.Day, bad.SampledAt = "2026-12-01", "2026-12-01T13:00"
		_, err = f.svc.RecordMeal(ctx, safety, bad)
		fieldErr(t, err, "sampled_at", "err.future_time")
		bad.SampledAt, bad.UnitID = "2026-12-01T11:30", f.freezer.ID
		_, err = f.svc.RecordMeal(ctx, safety, bad)
		fieldErr(t, err, "unit_id", "canteen.err_sample_fridge")

		// A dish without a sample is stored, and raises an alert.
		meal.Dishes[1] = canteen.DishInput{Name: "米饭"}
		m, err := f.svc.RecordMeal(ctx, safety, meal)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordMeal(ctx, leader, meal); !errs.Is(errs.Forbidden, err) {
			t.Errorf("leader recorded a meal: %v", err)
		}
		o, err := f.svc.Overview(ctx, leader)
		if err != nil {
			t.Fatal(err)
		}
		if !hasAlert(o, canteen.AlertNoSample, "米饭") {
			t.Errorf("no alert for the dish without a sample: %+v", o.Alerts)
		}
		if !hasAlert(o, canteen.AlertServedOver, canteen.Lunch) {
			t.Errorf("12 served with nobody in care: no alert")
		}
		if _, err := f.svc.Overview(ctx, staff); !errs.Is(errs.Forbidden, err) {
			t.Errorf("station staff read the canteen: %v", err)
		}
		// The missing sample added afterwards.
		if _, err := f.svc.AddSample(ctx, safety, m.Dishes[1].ID, canteen.SampleInput{Grams: "130", Sealed: true}, "2026-12-01T11:40", "李厨", "王安全", f.fridge.ID); err != nil {
			t.Fatal(err)
		}
		sm := m.Dishes[0].Sample
		// Discard: refused a second before 48 h, allowed at exactly 48 h.
		*f.clock = time.Date(2026, 12, 3, 3, 29, 59, 0, time.UTC) // 11:29:59 CST
		if err := f.svc.DiscardSample(ctx, safety, sm.ID); !errs.Is(errs.Conflict, err) || errs.MessageOf(err) != "canteen.err_discard_early" {
			t.Fatalf("early discard: %v", err)
		}
		got, _ := db.SampleByID(ctx, sm.ID)
		if !got.DiscardedAt.IsZero() {
			t.Fatal("an early discard was stored")
		}
		o, _ = f.svc.Overview(ctx, safety)
		if hasAlert(o, canteen.AlertDiscardDue, "") {
			t.Error("a sample not yet due for discard is listed")
		}
		*f.clock = time.Date(2026, 12, 3, 3, 30, 0, 0, time.UTC)
		o, _ = f.svc.Overview(ctx, safety)
		if !hasAlert(o, canteen.AlertDiscardDue, "") {
			t.Errorf("no discard-due alert at 48 h: %+v", o.Alerts)
		}
		if err := f.svc.DiscardSample(ctx, safety, sm.ID); err != nil {
			t.Fatalf("discard at exactly 48 h: %v", err)
		}
		got, _ = db.SampleByID(ctx, sm.ID)
		if got.DiscardedBy != "王安全" || got.DiscardedAt.IsZero() {
			t.Errorf("discard not recorded: %+v", got)
		}
		if err := f.svc.DiscardSample(ctx, safety, sm.ID); !errs.Is(errs.Conflict, err) {
			t.Errorf("discarded twice: %v", err)
		}
	})
}

func hasAlert(o *canteen.Overview, kind, subject string) bool {
	for _, a := range o.Alerts {
		if a.Kind == kind && (subject == "" || a.Subject == subject) {
			return true
		}
	}
	return false
}

func TestReadingsAndSensor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.RecordReading(ctx, safety, canteen.ReadingInput{UnitID: f.fridge.ID, TempC: "70"})
		fieldErr(t, err, "temp_c", "canteen.err_reading")
		_, err = f.svc.RecordReading(ctx, safety, canteen.ReadingInput{UnitID: f.fridge.ID, TempC: "4", At: "2026-12-01T13:00"})
		fieldErr(t, err, "at", "err.future_time")
		if rs, _ := db.Readings(ctx, now.Add(-time.Hour*48)); len(rs) != 0 {
			t.Fatalf("refused readings stored: %d", len(rs))
		}
		if _, err := f.svc.RecordReading(ctx, keyless, canteen.ReadingInput{UnitID: f.fridge.ID, TempC: "4"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a key without canteen.sensor: %v", err)
		}
		r, err := f.svc.RecordReading(ctx, sensor, canteen.ReadingInput{UnitID: f.freezer.ID, TempC: "-8"})
		if err != nil || !r.OutOfRange || r.Source != "sensor" {
			t.Fatalf("sensor reading: %v %+v", err, r)
		}
		if _, err := f.svc.RecordReading(ctx, safety, canteen.ReadingInput{UnitID: f.fridge.ID, TempC: "4"}); err != nil {
			t.Fatal(err)
		}
		o, _ := f.svc.Overview(ctx, safety)
		if !hasAlert(o, canteen.AlertReading, "冷冻柜") || hasAlert(o, canteen.AlertReading, "留样冰箱") {
			t.Errorf("out-of-range alerts: %+v", o.Alerts)
		}
		// A noon reading is too early for the 21:00 log; one at 19:00 does it.
		d, _ := db.DutyByKey(ctx, canteen.Area, canteen.DutyTempLog, f.fridge.ID)
		if !d.LastDone.IsZero() {
			t.Errorf("a noon reading closed the 21:00 log: %+v", d)
		}
		*f.clock = now.Add(7 * time.Hour)
		if _, err := f.svc.RecordReading(ctx, safety, canteen.ReadingInput{UnitID: f.fridge.ID, TempC: "4"}); err != nil {
			t.Fatal(err)
		}
		d, _ = db.DutyByKey(ctx, canteen.Area, canteen.DutyTempLog, f.fridge.ID)
		if d.LastDone.IsZero() || d.State(*f.clock) != duties.Open {
			t.Errorf("the 19:00 reading did not close the 21:00 log: %+v", d)
		}
	})
}

func TestPurchasesAndRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.AddSupplier(ctx, safety, canteen.SupplierInput{Name: strings.Repeat("菜", 101), LicenceNo: "JY1", LicenceExpires: "2026-11-30"})
		fieldErr(t, err, "name", "err.too_long") // the message every form gives text too long
		old, err := f.svc.AddSupplier(ctx, safety, canteen.SupplierInput{Name: "过期蔬菜行", LicenceNo: "JY14107000000001", LicenceExpires: "2026-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		in := canteen.PurchaseInput{ReceivedOn: "2026-12-01", SupplierID: old.ID, Item: "猪肉", Quantity: "20 kg", ProducedOn: "2026-11-30",
			ShelfDays: "5", Storage: canteen.Chilled, ReceiveTemp: "4", Inspector: "王安全", Accepted: true}
		_, err = f.svc.AddPurchase(ctx, safety, in)
		fieldErr(t, err, "override", "canteen.err_licence_expired")
		in.Override = "唯一供货商，已报备"
		in.ReceiveTemp = "12"
		_, err = f.svc.AddPurchase(ctx, safety, in)
		fieldErr(t, err, "receive_temp", "canteen.err_receive_warm")
		in.ReceiveTemp = ""
		_, err = f.svc.AddPurchase(ctx, safety, in)
		fieldErr(t, err, "receive_temp", "err.required")
		in.ReceiveTemp = "3.5"
		p, err := f.svc.AddPurchase(ctx, safety, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.ExpiresOn != "2026-12-04" || p.RetainUntil != "2027-06-04" {
			t.Errorf("expiry %s, retain until %s", p.ExpiresOn, p.RetainUntil)
		}
		rej := canteen.PurchaseInput{ReceivedOn: "2026-12-01", SupplierID: old.ID, Item: "大米", Quantity: "50 kg", Storage: canteen.Ambient,
			Inspector: "王安全", Override: "同上"}
		_, err = f.svc.AddPurchase(ctx, safety, rej)
		fieldErr(t, err, "reject_reason", "canteen.err_reject_reason")
		if err := f.svc.DeletePurchase(ctx, safety, p.ID); !errs.Is(errs.Conflict, err) {
			t.Fatalf("deleted before retention: %v", err)
		}
		*f.clock = time.Date(2027, 6, 3, 16, 0, 0, 0, time.UTC) // 2027-06-04 00:00 CST
		if err := f.svc.DeletePurchase(ctx, safety, p.ID); err != nil {
			t.Fatalf("delete on the retention day: %v", err)
		}
		if ps, _ := db.Purchases(ctx, "2026-01-01", "2027-12-31"); len(ps) != 0 {
			t.Errorf("purchase not deleted")
		}
	})
}

func TestHandlersAndChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		today, err := f.svc.AddHandler(ctx, safety, "张厨", "豫健2025001", "2026-12-01")
		if err != nil {
			t.Fatal(err)
		}
		gone, _ := f.svc.AddHandler(ctx, safety, "刘帮厨", "豫健2025002", "2026-11-30")
		sick, _ := f.svc.AddHandler(ctx, safety, "赵面点", "豫健2025003", "2027-10-01")
		o, _ := f.svc.Overview(ctx, safety)
		if !hasAlert(o, canteen.AlertCheckMissing, "张厨") || !hasAlert(o, canteen.AlertCertExpiring, "张厨") || !hasAlert(o, canteen.AlertCertExpired, "刘帮厨") {
			t.Errorf("alerts: %+v", o.Alerts)
		}
		if _, err := f.svc.RecordCheck(ctx, safety, canteen.CheckInput{HandlerID: today.ID, OnDuty: true}); err != nil {
			t.Errorf("on the certificate's last day: %v", err)
		}
		_, err = f.svc.RecordCheck(ctx, safety, canteen.CheckInput{HandlerID: gone.ID, OnDuty: true})
		fieldErr(t, err, "on_duty", "canteen.err_cert_expired")
		_, err = f.svc.RecordCheck(ctx, safety, canteen.CheckInput{HandlerID: sick.ID, Symptoms: []string{"fever"}, OnDuty: true})
		fieldErr(t, err, "on_duty", "canteen.err_excluded")
		c, err := f.svc.RecordCheck(ctx, safety, canteen.CheckInput{HandlerID: sick.ID, Symptoms: []string{"fever"}})
		if err != nil || c.Fit {
			t.Fatalf("excluded: %v %+v", err, c)
		}
		// Set up at noon, the first morning check falls due tomorrow at 08:00;
		// a check at 07:00 does it.
		*f.clock = time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
		if _, err := f.svc.RecordCheck(ctx, safety, canteen.CheckInput{HandlerID: sick.ID}); err != nil {
			t.Fatal(err)
		}
		d, _ := db.DutyByKey(ctx, canteen.Area, canteen.DutyMorningCheck, "")
		if d.LastBy != "王安全" {
			t.Errorf("morning check duty not done: %+v", d)
		}
	})
}

func TestDisinfectionAndDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		d, err := f.svc.RecordDisinfection(ctx, safety, canteen.DisinfectionInput{Method: canteen.MethodDishwasher, TempC: "84", Seconds: "40"})
		if err != nil || !d.Below {
			t.Fatalf("dishwasher at 84 °C: %v %+v", err, d)
		}
		_, err = f.svc.RecordDisinfection(ctx, safety, canteen.DisinfectionInput{Method: canteen.MethodChlorine})
		fieldErr(t, err, "mg_l", "err.required")
		// Next day at 20:30 CST: the morning check and the temperature logs
		// are overdue; the disinfection (done yesterday at noon for 20:00) too.
		*f.clock = time.Date(2026, 12, 2, 12, 30, 0, 0, time.UTC)
		rows, err := f.svc.DutiesToday(ctx, leader)
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]string{}
		for _, r := range rows {
			states[r.Kind] = r.State
		}
		if states[canteen.DutyMorningCheck] != duties.Overdue || states[canteen.DutyTempLog] != duties.Overdue || states[canteen.DutyDisinfection] != duties.Overdue {
			t.Errorf("states: %v", states)
		}
		// A self-check list's duty is done by its completion, not by a tick.
		it, err := f.svc.AddCheckItem(ctx, safety, canteen.ListDaily, "留样齐全", "")
		if err != nil {
			t.Fatal(err)
		}
		done := canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{{ItemID: it.ID, Verdict: "ok"}}}
		if _, err := f.svc.RecordSelfCheck(ctx, leader, done); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader did a self-check: %v", err)
		}
		if _, err := f.svc.RecordSelfCheck(ctx, safety, done); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RecordSelfCheck(ctx, safety, done); !errs.Is(errs.Conflict, err) {
			t.Errorf("done twice in a day: %v", err)
		}
		rows, _ = f.svc.DutiesToday(ctx, leader)
		for _, r := range rows {
			if r.Kind == canteen.DutySelfDaily && r.State == duties.Overdue {
				t.Errorf("the daily self-check is still overdue: %+v", r)
			}
		}
	})
}

func TestDiscardDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		for _, at := range []string{"2026-12-01T07:00", "2026-12-01T11:00"} {
			if _, err := f.svc.RecordMeal(ctx, safety, canteen.MealInput{Day: "2026-12-01", Kind: canteen.Breakfast, Served: "0", SampledAt: at,
				Sampler: "李厨", Reviewer: "王安全", UnitID: f.fridge.ID, Dishes: []canteen.DishInput{{Name: "粥", SampleInput: canteen.SampleInput{Grams: "125", Sealed: true}}}}); err != nil {
				t.Fatal(err)
			}
		}
		// 2026-12-03 07:00 CST: exactly 48 h after the first, not the second.
		*f.clock = time.Date(2026, 12, 2, 23, 0, 0, 0, time.UTC)
		if _, err := f.svc.DiscardDue(ctx, leader); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader discarded: %v", err)
		}
		n, err := f.svc.DiscardDue(ctx, safety)
		if err != nil || n != 1 {
			t.Fatalf("discard due: %d %v", n, err)
		}
		kept, _ := db.SamplesKept(ctx)
		if len(kept) != 1 || !kept[0].SampledAt.Equal(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)) {
			t.Errorf("kept: %+v", kept)
		}
	})
}
