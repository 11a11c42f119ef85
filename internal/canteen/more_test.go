package canteen_test

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func TestParseQuantity(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		unit string
		ok   bool
	}{
		{"20 kg", 20000, "kg", true}, {"50公斤", 50000, "公斤", true}, {"４袋", 4000, "袋", true}, {"2.5 L", 2500, "L", true},
		{"０．５斤", 500, "斤", true}, {"0.001kg", 1, "kg", true}, {"1000000", 1e9, "", true},
		{"1000000.001", 0, "", false}, {"0", 0, "", false}, {"0.0001kg", 0, "", false}, {"kg", 0, "", false}, {"", 0, "", false},
		{".5kg", 0, "", false}, {"5.kg", 0, "", false}, {"1.2.3", 0, "", false}, {"-2 kg", 0, "", false},
	} {
		m, u, ok := canteen.ParseQuantity(c.in)
		if m != c.want || u != c.unit || ok != c.ok {
			t.Errorf("%q: %d %q %v, want %d %q %v", c.in, m, u, ok, c.want, c.unit, c.ok)
		}
	}
	for m, want := range map[int64]string{20000: "20", 2500: "2.5", 1: "0.001", 1050: "1.05"} {
		if got := canteen.FormatMilli(m); got != want {
			t.Errorf("FormatMilli(%d) = %s, want %s", m, got, want)
		}
	}
}

// FuzzParseQuantity: a typed quantity never panics, and what it accepts
// is positive, within a million and prints back to the same number.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"20 kg", "50公斤", "４袋", "2.5 L", "", ".", "1.", "9999999.999x", "1e9", "0.000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, _, ok := canteen.ParseQuantity(s)
		if !ok {
			return
		}
		if m <= 0 || m > 1e9 {
			t.Fatalf("%q: %d", s, m)
		}
		if back, _, ok := canteen.ParseQuantity(canteen.FormatMilli(m)); !ok || back != m {
			t.Fatalf("%q: %d prints as %s", s, m, canteen.FormatMilli(m))
		}
	})
}

func TestPeriods(t *testing.T) {
	at := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC) // Tuesday 2026-12-01 00:30 CST
	for list, want := range map[string]string{canteen.ListDaily: "2026-12-01", canteen.ListWeekly: "2026-11-30", canteen.ListMonthly: "2026-12"} {
		if got := canteen.PeriodOf(list, at); got != want {
			t.Errorf("%s: %s, want %s", list, got, want)
		}
	}
	sunday := time.Date(2026, 12, 6, 15, 59, 0, 0, time.UTC) // Sunday 23:59 CST: still the week of Monday 11-30
	if got := canteen.PeriodOf(canteen.ListWeekly, sunday); got != "2026-11-30" {
		t.Errorf("Sunday night: %s", got)
	}
}

func TestPestControl(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.RecordPest(ctx, safety, canteen.PestInput{Day: "2026-12-01", Area: "后厨", Measures: []string{"professional"}})
		fieldErr(t, err, "company", "err.required")
		_, err = f.svc.RecordPest(ctx, safety, canteen.PestInput{Day: "2026-12-02", Area: "后厨", Measures: []string{"traps"}})
		fieldErr(t, err, "pest_day", "err.date_future")
		_, err = f.svc.RecordPest(ctx, safety, canteen.PestInput{Day: "2026-12-01", Area: "后厨"})
		fieldErr(t, err, "measures", "canteen.err_measures")
		_, err = f.svc.RecordPest(ctx, safety, canteen.PestInput{Day: "2026-12-01", Area: "后厨", Measures: []string{"poison gas"}})
		fieldErr(t, err, "measures", "err.invalid_choice")
		if _, err := f.svc.RecordPest(ctx, leader, canteen.PestInput{Day: "2026-12-01", Area: "后厨", Measures: []string{"traps"}}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader wrote the pest log: %v", err)
		}
		if log, _ := db.PestLog(ctx, "2026-01-01", "2026-12-31"); len(log) != 0 {
			t.Fatalf("refused entries stored: %d", len(log))
		}
		// The monthly round falls due tonight at 18:00; done at noon (within
		// its week of "due soon"), the next is a month on.
		p, err := f.svc.RecordPest(ctx, safety, canteen.PestInput{Day: "2026-12-01", Area: "后厨、库房", Measures: []string{"traps", "screens", "traps"},
			Findings: "库房角落发现鼠粪，已清理"})
		if err != nil {
			t.Fatal(err)
		}
		log, _ := db.PestLog(ctx, "2026-12-01", "2026-12-01")
		if len(log) != 1 || len(log[0].Measures) != 2 || log[0].By != safety.Name || log[0].ID != p.ID {
			t.Fatalf("log: %+v", log)
		}
		d, _ := db.DutyByKey(ctx, canteen.Area, canteen.DutyPest, "")
		if want := time.Date(2027, 1, 1, 10, 0, 0, 0, time.UTC); !d.NextDue.Equal(want) {
			t.Errorf("next pest round %v, want %v", d.NextDue, want)
		}
	})
}

func TestSelfChecks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		_, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily})
		fieldErr(t, err, "list", "canteen.err_no_items")
		a, err := f.svc.AddCheckItem(ctx, safety, canteen.ListDaily, "从业人员健康状况", "")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := f.svc.AddCheckItem(ctx, safety, canteen.ListDaily, "留样是否齐全", "")
		if _, err := f.svc.AddCheckItem(ctx, leader, canteen.ListDaily, "领导加的", ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader edited the list: %v", err)
		}
		_, err = f.svc.AddCheckItem(ctx, safety, canteen.ListDaily, "  ", "")
		fieldErr(t, err, "item_text", "err.required")

		// Every item answered; a problem needs a note.
		_, err = f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{{ItemID: a.ID, Verdict: "ok"}}})
		fieldErr(t, err, "answer."+b.ID, "canteen.err_answer")
		_, err = f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{
			{ItemID: a.ID, Verdict: "ok"}, {ItemID: b.ID, Verdict: "problem"}}})
		fieldErr(t, err, "note."+b.ID, "canteen.err_problem_note")
		_, err = f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{
			{ItemID: a.ID, Verdict: "ok"}, {ItemID: b.ID, Verdict: "maybe"}}})
		fieldErr(t, err, "answer."+b.ID, "err.invalid_choice")
		if cs, _ := db.SelfChecks(ctx, canteen.ListDaily, "", ""); len(cs) != 0 {
			t.Fatalf("refused checks stored: %d", len(cs))
		}
		ans := []canteen.AnswerInput{{ItemID: a.ID, Verdict: "ok"}, {ItemID: b.ID, Verdict: "problem", Note: "午餐青菜未留样，已补"}}
		c, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: ans})
		if err != nil || c.Problems != 1 || c.Period != "2026-12-01" {
			t.Fatalf("check: %v %+v", err, c)
		}
		if _, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: ans}); !errs.Is(errs.Conflict, err) {
			t.Errorf("done twice the same day: %v", err)
		}
		d, _ := db.DutyByKey(ctx, canteen.Area, canteen.DutySelfDaily, "")
		if d.LastBy != safety.Name {
			t.Errorf("the daily duty was not done: %+v", d)
		}
		// Tomorrow's check not done by 18:00 is overdue a minute later.
		if st := d.State(time.Date(2026, 12, 2, 10, 1, 0, 0, time.UTC)); st != duties.Overdue {
			t.Errorf("a missed day: %s", st)
		}

		// Rewording an item retires it: the past answer keeps the old words.
		b2, err := f.svc.AddCheckItem(ctx, safety, canteen.ListDaily, "每餐每样菜品留样不少于125克", b.ID)
		if err != nil || b2.Seq != b.Seq || b2.Replaces != b.ID {
			t.Fatalf("reworded: %v %+v", err, b2)
		}
		items, _ := db.CheckItems(ctx, canteen.ListDaily, false)
		if len(items) != 2 || items[1].Text != "每餐每样菜品留样不少于125克" {
			t.Fatalf("items: %+v", items)
		}
		// The next day is missed; the day after is done: the page shows the gap.
		*f.clock = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) // 12-03 17:00 CST
		if _, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{
			{ItemID: a.ID, Verdict: "ok"}, {ItemID: b.ID, Verdict: "ok"}}}); err == nil {
			t.Error("answered a retired item")
		}
		if _, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: []canteen.AnswerInput{
			{ItemID: a.ID, Verdict: "ok"}, {ItemID: b2.ID, Verdict: "ok"}}}); err != nil {
			t.Fatal(err)
		}
		p, err := f.svc.SelfCheckList(ctx, leader, canteen.ListDaily)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.History) != 3 || p.History[0].Check == nil || p.History[1].Check != nil || p.History[2].Check == nil {
			t.Fatalf("history: %+v", p.History)
		}
		if old := p.History[2].Check.Answers[1]; old.Text != "留样是否齐全" || old.Note != "午餐青菜未留样，已补" {
			t.Errorf("the past answer lost its wording: %+v", old)
		}
		// The missed day was overdue until now: its occurrence closed late;
		// today's is done, so the duty is not overdue tonight.
		d, _ = db.DutyByKey(ctx, canteen.Area, canteen.DutySelfDaily, "")
		if tonight := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC); d.State(tonight) == duties.Overdue || canteen.PeriodOf(canteen.ListDaily, d.NextDue) != "2026-12-04" {
			t.Errorf("after today's check: %+v", d)
		}
	})
}

// TestRecordsReadOnlyTheMonth: a month's records hold the self-checks
// done in it, and the store reads only that month's periods: a check of a
// later month is not read for an earlier month's print. A week that
// spans two months prints in the month it was done in.
func TestRecordsReadOnlyTheMonth(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		check := func(list string, at time.Time) *canteen.SelfCheck {
			t.Helper()
			*f.clock = at
			items, _ := db.CheckItems(ctx, list, false)
			var ans []canteen.AnswerInput
			for _, it := range items {
				ans = append(ans, canteen.AnswerInput{ItemID: it.ID, Verdict: "ok"})
			}
			c, err := f.svc.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: list, Answers: ans})
			if err != nil {
				t.Fatalf("%s check at %v: %v", list, at, err)
			}
			return c
		}
		for _, list := range []string{canteen.ListDaily, canteen.ListWeekly} {
			if _, err := f.svc.AddCheckItem(ctx, safety, list, "生熟分开存放", ""); err != nil {
				t.Fatal(err)
			}
		}
		dec := check(canteen.ListDaily, time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC))     // 18:00 CST
		jan := check(canteen.ListDaily, time.Date(2027, 1, 1, 1, 0, 0, 0, time.UTC))        // 09:00 CST, the next month
		weekDec := check(canteen.ListWeekly, time.Date(2026, 12, 29, 2, 0, 0, 0, time.UTC)) // the week of Monday 12-28
		weekJan := check(canteen.ListWeekly, time.Date(2027, 1, 5, 2, 0, 0, 0, time.UTC))   // the week of Monday 01-04

		cs, err := db.SelfChecks(ctx, canteen.ListDaily, "2026-12-01", "2026-12-31")
		if err != nil || len(cs) != 1 || cs[0].ID != dec.ID || len(cs[0].Answers) != 1 {
			t.Fatalf("December's daily checks read: %v %+v", err, cs)
		}
		if cs, _ := db.SelfChecks(ctx, canteen.ListWeekly, "2026-11-30", "2026-12-28"); len(cs) != 1 || cs[0].ID != weekDec.ID {
			t.Fatalf("December's weekly checks read: %+v", cs)
		}
		if cs, _ := db.SelfChecks(ctx, canteen.ListDaily, "2026-12-01", ""); len(cs) != 2 {
			t.Fatalf("checks from December on: %d", len(cs))
		}

		ids := func(cs []*canteen.SelfCheck) (out []string) {
			for _, c := range cs {
				out = append(out, c.ID)
			}
			return out
		}
		for month, want := range map[string]map[string][]string{
			"2026-12": {canteen.ListDaily: {dec.ID}, canteen.ListWeekly: {weekDec.ID}},
			"2027-01": {canteen.ListDaily: {jan.ID}, canteen.ListWeekly: {weekJan.ID}},
			"2026-11": {},
		} {
			r, err := f.svc.Records(ctx, leader, month)
			if err != nil {
				t.Fatal(err)
			}
			for _, list := range canteen.Lists {
				if got := ids(r.Checks[list]); !slices.Equal(got, want[list]) {
					t.Errorf("%s %s: %v, want %v", month, list, got, want[list])
				}
			}
		}
	})
}

func TestStockFIFO(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sp, err := f.svc.AddSupplier(ctx, safety, canteen.SupplierInput{Name: "肉联厂", LicenceNo: "JY1", LicenceExpires: "2030-01-01"})
		if err != nil {
			t.Fatal(err)
		}
		buy := func(received, produced, qty string) *canteen.Purchase {
			t.Helper()
			p, err := f.svc.AddPurchase(ctx, safety, canteen.PurchaseInput{ReceivedOn: received, SupplierID: sp.ID, Item: "猪肉", Quantity: qty,
				Batch: received, ProducedOn: produced, ShelfDays: "5", Storage: canteen.Chilled, ReceiveTemp: "3", Inspector: "王安全", Accepted: true})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		expired := buy("2026-11-25", "2026-11-25", "10公斤") // last day 11-29
		lastDay := buy("2026-11-27", "2026-11-27", "5公斤")  // last day 12-01: today, still good
		newer := buy("2026-11-30", "2026-11-30", "20公斤")
		if _, err := f.svc.AddPurchase(ctx, safety, canteen.PurchaseInput{ReceivedOn: "2026-12-01", SupplierID: sp.ID, Item: "猪肉", Quantity: "8公斤",
			Storage: canteen.Chilled, ReceiveTemp: "12", Inspector: "王安全", RejectReason: "温度超标"}); err != nil {
			t.Fatal(err)
		}
		st, err := f.svc.Stock(ctx, leader)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Batches) != 3 || !st.Batches[0].Expired || st.Batches[1].Expired || !st.Batches[1].First || st.Batches[2].First {
			t.Fatalf("batches: %+v", st.Batches)
		}
		// Expired stock: not issued, only discarded.
		_, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: expired.ID, Amount: "1", Kind: canteen.IssueKitchen})
		fieldErr(t, err, "issue_kind", "canteen.err_issue_expired")
		// A newer batch while an older one remains: a warning to confirm.
		_, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: newer.ID, Amount: "2", Kind: canteen.IssueKitchen})
		fieldErr(t, err, "confirm", "canteen.err_fifo")
		_, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: lastDay.ID, Amount: "5.001", Kind: canteen.IssueKitchen})
		fieldErr(t, err, "amount", "canteen.err_amount_left")
		_, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: lastDay.ID, Amount: "两斤", Kind: canteen.IssueKitchen})
		fieldErr(t, err, "amount", "canteen.err_amount")
		if _, err := f.svc.IssueStock(ctx, leader, canteen.IssueInput{PurchaseID: lastDay.ID, Amount: "1", Kind: canteen.IssueKitchen}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader issued stock: %v", err)
		}
		if is, _ := db.Issues(ctx, now.AddDate(0, 0, -30)); len(is) != 0 {
			t.Fatalf("refused issues stored: %d", len(is))
		}
		// Exactly what is left, on its last day: allowed; then the newer one is first.
		if _, err := f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: lastDay.ID, Amount: "5", Kind: canteen.IssueKitchen}); err != nil {
			t.Fatal(err)
		}
		is, err := f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: newer.ID, Amount: "2.5", Kind: canteen.IssueKitchen})
		if err != nil || is.OutOfOrder {
			t.Fatalf("the oldest good batch: %v %+v", err, is)
		}
		if _, err := f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: expired.ID, Amount: "10", Kind: canteen.IssueDiscard, Note: "过期报废"}); err != nil {
			t.Fatal(err)
		}
		st, _ = f.svc.Stock(ctx, leader)
		if len(st.Batches) != 1 || st.Batches[0].Left != 17500 || len(st.Issues) != 3 {
			t.Fatalf("after: %+v, %d issues", st.Batches, len(st.Issues))
		}
		// A later delivery with an earlier expiry goes first: the confirmed
		// skip is stored and marked.
		early := buy("2026-12-01", "2026-11-28", "3公斤")
		_, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: newer.ID, Amount: "1", Kind: canteen.IssueKitchen})
		fieldErr(t, err, "confirm", "canteen.err_fifo")
		is, err = f.svc.IssueStock(ctx, safety, canteen.IssueInput{PurchaseID: newer.ID, Amount: "1", Kind: canteen.IssueKitchen, Confirm: true})
		if err != nil || !is.OutOfOrder {
			t.Fatalf("confirmed: %v %+v", err, is)
		}
		_ = early
		o, _ := f.svc.Overview(ctx, leader)
		if hasAlert(o, canteen.AlertExpiredStock, "猪肉") {
			t.Error("an expired batch used up still alerts")
		}
	})
}

func tinyJPEG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestPurchasePhotos(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		sp, _ := f.svc.AddSupplier(ctx, safety, canteen.SupplierInput{Name: "粮油公司", LicenceNo: "JY2", LicenceExpires: "2030-01-01"})
		p, err := f.svc.AddPurchase(ctx, safety, canteen.PurchaseInput{ReceivedOn: "2026-12-01", SupplierID: sp.ID, Item: "大米", Quantity: "4袋",
			Storage: canteen.Ambient, Inspector: "王安全", Accepted: true})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AttachPurchasePhoto(ctx, safety, p.ID, "invoice", []byte("GIF89a not a photo"))
		fieldErr(t, err, "photo", "err.photo_format")
		_, err = f.svc.AttachPurchasePhoto(ctx, safety, p.ID, "selfie", tinyJPEG(t))
		fieldErr(t, err, "file_kind", "err.invalid_choice")
		_, err = f.svc.AttachPurchasePhoto(ctx, safety, p.ID, "invoice", nil)
		fieldErr(t, err, "photo", "err.required")
		if _, err := f.svc.AttachPurchasePhoto(ctx, leader, p.ID, "invoice", tinyJPEG(t)); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the leader attached: %v", err)
		}
		pf, err := f.svc.AttachPurchasePhoto(ctx, safety, p.ID, "invoice", tinyJPEG(t))
		if err != nil {
			t.Fatal(err)
		}
		if fs, _ := db.PurchaseFiles(ctx, []string{p.ID}); len(fs) != 1 {
			t.Fatalf("files: %d", len(fs))
		}
		data, err := f.svc.PurchasePhoto(ctx, leader, p.ID, pf.ID)
		if err != nil || len(data) == 0 {
			t.Fatalf("the leader reads the photo: %v", err)
		}
		if _, err := f.svc.PurchasePhoto(ctx, staff, p.ID, pf.ID); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff read the photo: %v", err)
		}
		if _, err := f.svc.PurchasePhoto(ctx, leader, "other", pf.ID); !errs.Is(errs.NotFound, err) {
			t.Errorf("the photo through another purchase: %v", err)
		}
	})
}
