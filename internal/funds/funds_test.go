package funds_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

type fixture struct {
	svc                     *funds.Service
	db                      *store.DB
	now                     time.Time
	staff, finance, cashier auth.Actor
	leader                  auth.Actor
	budget                  *funds.Budget
	travel, food, personnel *funds.Line
}

func setup(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: time.Date(2026, 6, 15, 10, 0, 0, 0, funds.CST)}
	f.svc = &funds.Service{Store: db, Audit: db, Now: func() time.Time { return f.now }}
	f.staff = auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
	f.finance = auth.Actor{UserID: "u-fin", Name: "孙静", Role: auth.RoleFinance}
	f.cashier = auth.Actor{UserID: "u-cash", Name: "吴倩", Role: auth.RoleFinance}
	f.leader = auth.Actor{UserID: "u-lead", Name: "郑国华", Role: auth.RoleLeader}
	dept := &auth.Department{ID: id.New(), Name: "救助站", Kind: "station", CreatedAt: f.now}
	if err := db.CreateDepartment(ctx, dept, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	b, err := f.svc.CreateBudget(ctx, f.finance, funds.BudgetInput{DepartmentID: dept.ID, Year: 2026, ApprovedBy: "市财政局批复",
		Lines: []funds.LineInput{
			{Code: funds.LinePersonnel, AmountFen: 300_000_00},
			{Code: funds.LineFood, AmountFen: 50_000_00},
			{Code: funds.LineTravel, AmountFen: 1_000_00, HardCap: true},
		}})
	if err != nil {
		t.Fatal(err)
	}
	f.budget = b
	for _, l := range b.Lines {
		switch l.Code {
		case funds.LineTravel:
			f.travel = l
		case funds.LineFood:
			f.food = l
		case funds.LinePersonnel:
			f.personnel = l
		}
	}
	return f
}

func (f *fixture) request(t testing.TB, line *funds.Line, fen int64) *funds.Expense {
	t.Helper()
	x, err := f.svc.Request(context.Background(), f.staff, funds.ExpenseInput{LineID: line.ID, AmountFen: fen, Purpose: "车票"})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// paid requests, approves (finance) and pays (cashier) an expense.
func (f *fixture) paid(t testing.TB, line *funds.Line, fen int64) *funds.Expense {
	t.Helper()
	ctx := context.Background()
	x := f.request(t, line, fen)
	approver := f.finance
	if fen > f.svc.Threshold() {
		approver = f.leader
	}
	if _, err := f.svc.Approve(ctx, approver, x.ID); err != nil {
		t.Fatal(err)
	}
	x, err := f.svc.Pay(ctx, f.cashier, x.ID)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// reconciled checks that every line's spent amount is the sum of its
// ledger entries and returns the line's spent amount.
func (f *fixture) spent(t testing.TB, line *funds.Line) int64 {
	t.Helper()
	ctx := context.Background()
	tot, err := f.db.LineTotals(ctx, f.budget.ID)
	if err != nil {
		t.Fatal(err)
	}
	for lid, v := range tot {
		if v[0] != v[1] {
			t.Fatalf("line %s says %d spent, its ledger sums to %d", lid, v[0], v[1])
		}
	}
	entries, err := f.db.Ledger(ctx, f.budget.ID)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, e := range entries {
		if e.LineID == line.ID {
			sum += e.AmountFen
		}
	}
	if tot[line.ID][0] != sum {
		t.Fatalf("line %s: %d spent, entries listed sum to %d", line.Code, tot[line.ID][0], sum)
	}
	return sum
}

func TestLedgerTotalsAreTheSumOfEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a := f.paid(t, f.food, 1234_56)
		f.paid(t, f.food, 7000_00) // above the threshold: the leader approves
		f.paid(t, f.travel, 245_00)
		if _, err := f.svc.Refund(ctx, f.finance, a.ID, 34_56, "退餐费"); err != nil {
			t.Fatal(err)
		}
		if got := f.spent(t, f.food); got != 1234_56+7000_00-34_56 {
			t.Fatalf("food spent %d", got)
		}
		if got := f.spent(t, f.travel); got != 245_00 {
			t.Fatalf("travel spent %d", got)
		}
		// A refund larger than what is left of the payment: refused, nothing stored.
		if _, err := f.svc.Refund(ctx, f.finance, a.ID, 1200_01, "多退"); errs.FieldsOf(err)["amount"] != "funds.err.refund_too_much" {
			t.Fatalf("refund past the payment: %v", err)
		}
		if got := f.spent(t, f.food); got != 1234_56+7000_00-34_56 {
			t.Fatalf("food spent %d after a refused refund", got)
		}
		ok, err := f.svc.Reconciled(ctx, f.finance, f.budget.ID)
		if err != nil || !ok {
			t.Fatalf("reconciled %v %v", ok, err)
		}
		// Adjustments: a change, never an overwrite; the first amount is one.
		if _, err := f.svc.Adjust(ctx, f.finance, f.food.ID, 10_000_00, "追加预算", "郑国华"); err != nil {
			t.Fatal(err)
		}
		b, adj, err := f.svc.Budget(ctx, f.leader, f.budget.ID)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, a := range adj {
			if a.LineID == f.food.ID {
				sum += a.DeltaFen
			}
		}
		for _, l := range b.Lines {
			if l.ID == f.food.ID && (l.AmountFen != 60_000_00 || sum != l.AmountFen) {
				t.Fatalf("food amount %d, adjustments sum %d", l.AmountFen, sum)
			}
		}
		// A hard-capped line never goes below what it spent.
		if _, err := f.svc.Adjust(ctx, f.finance, f.travel.ID, -900_00, "调减", "郑国华"); !errs.Is(errs.Conflict, err) {
			t.Fatalf("adjusting a hard line below its spending: %v", err)
		}
	})
}

func TestSeparationOfDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		msg := func(err error) string { return errs.MessageOf(err) }

		// Finance requests; finance approving its own: refused.
		own, err := f.svc.Request(ctx, f.finance, funds.ExpenseInput{LineID: f.food.ID, AmountFen: 100_00, Purpose: "蔬菜"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, f.finance, own.ID); msg(err) != "funds.err.own_request" {
			t.Fatalf("self-approval: %v", err)
		}
		// Paying an unapproved request: refused.
		if _, err := f.svc.Pay(ctx, f.cashier, own.ID); msg(err) != "funds.err.unapproved" {
			t.Fatalf("paying unapproved: %v", err)
		}
		// Above the threshold, finance may not approve; the leader may.
		big := f.request(t, f.food, f.svc.Threshold()+1)
		if _, err := f.svc.Approve(ctx, f.finance, big.ID); msg(err) != "funds.err.above_threshold" {
			t.Fatalf("finance approving above the threshold: %v", err)
		}
		edge := f.request(t, f.food, f.svc.Threshold())
		if _, err := f.svc.Approve(ctx, f.finance, edge.ID); err != nil {
			t.Fatalf("finance approving at the threshold: %v", err)
		}
		if _, err := f.svc.Approve(ctx, f.leader, big.ID); err != nil {
			t.Fatal(err)
		}
		// The approver does not pay; neither does the requester.
		if _, err := f.svc.Pay(ctx, f.finance, edge.ID); msg(err) != "funds.err.same_person" {
			t.Fatalf("approver paying: %v", err)
		}
		mine, err := f.svc.Request(ctx, f.cashier, funds.ExpenseInput{LineID: f.food.ID, AmountFen: 50_00, Purpose: "面粉"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, f.finance, mine.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Pay(ctx, f.cashier, mine.ID); msg(err) != "funds.err.same_person" {
			t.Fatalf("requester paying: %v", err)
		}
		// Roles: staff neither approves nor pays; the leader does not pay.
		if _, err := f.svc.Approve(ctx, f.staff, own.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff approving: %v", err)
		}
		if _, err := f.svc.Pay(ctx, f.leader, edge.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("leader paying: %v", err)
		}
		// Paid once, never twice.
		if _, err := f.svc.Pay(ctx, f.cashier, edge.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Pay(ctx, f.cashier, edge.ID); msg(err) != "funds.err.state" {
			t.Fatalf("paying twice: %v", err)
		}
		// A refusal needs a reason and ends the request.
		if _, err := f.svc.Refuse(ctx, f.finance, own.ID+"x", ""); !errs.Is(errs.NotFound, err) {
			t.Fatalf("refusing an unknown request: %v", err)
		}
		if _, err := f.svc.Refuse(ctx, f.leader, own.ID, " "); errs.FieldsOf(err)["reason"] == "" {
			t.Fatalf("refusal without a reason: %v", err)
		}
		if _, err := f.svc.Refuse(ctx, f.leader, own.ID, "重复申请"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, f.leader, own.ID); msg(err) != "funds.err.state" {
			t.Fatalf("approving a refused request: %v", err)
		}
		if got := f.spent(t, f.food); got != f.svc.Threshold() {
			t.Fatalf("food spent %d", got)
		}
	})
}

func TestBadInputStoresNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			in    funds.ExpenseInput
			field string
			key   string
		}{
			{funds.ExpenseInput{LineID: f.food.ID, AmountFen: 0, Purpose: "x"}, "amount", "funds.err.amount"},
			{funds.ExpenseInput{LineID: f.food.ID, AmountFen: -5, Purpose: "x"}, "amount", "funds.err.amount"},
			{funds.ExpenseInput{LineID: "no-such-line", AmountFen: 5, Purpose: "x"}, "line_id", "funds.err.unknown_line"},
			{funds.ExpenseInput{LineID: "", AmountFen: 5, Purpose: "x"}, "line_id", "funds.err.unknown_line"},
			{funds.ExpenseInput{LineID: f.travel.ID, AmountFen: 1_000_01, Purpose: "x"}, "amount", "funds.err.over_cap"},
			{funds.ExpenseInput{LineID: f.food.ID, AmountFen: 5, Purpose: " "}, "purpose", "err.required"},
		} {
			_, err := f.svc.Request(ctx, f.staff, c.in)
			if got := errs.FieldsOf(err)[c.field]; got != c.key {
				t.Errorf("%+v: %s = %q (%v), want %q", c.in, c.field, got, err, c.key)
			}
		}
		xs, err := f.svc.Expenses(ctx, f.finance, funds.ExpenseFilter{})
		if err != nil || len(xs) != 0 {
			t.Fatalf("refused requests stored: %d %v", len(xs), err)
		}
		// Over a hard cap at payment time: two requests that each fit,
		// together too much: the second payment is refused, nothing stored.
		a, b := f.request(t, f.travel, 600_00), f.request(t, f.travel, 600_00)
		for _, x := range []*funds.Expense{a, b} {
			if _, err := f.svc.Approve(ctx, f.finance, x.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.svc.Pay(ctx, f.cashier, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Pay(ctx, f.cashier, b.ID); errs.MessageOf(err) != "funds.err.over_cap" {
			t.Fatalf("paying past the cap: %v", err)
		}
		x, err := db.ExpenseByID(ctx, b.ID)
		if err != nil || x.State != funds.StateApproved {
			t.Fatalf("refused payment changed the expense: %v %v", x.State, err)
		}
		if got := f.spent(t, f.travel); got != 600_00 {
			t.Fatalf("travel spent %d", got)
		}
		// A budget with a bad line or a duplicate year: refused.
		if _, err := f.svc.CreateBudget(ctx, f.finance, funds.BudgetInput{DepartmentID: f.budget.DepartmentID, Year: 2026, ApprovedBy: "批复",
			Lines: []funds.LineInput{{Code: funds.LineFood, AmountFen: 1}}}); errs.FieldsOf(err)["year"] != "funds.err.budget_exists" {
			t.Fatalf("second budget for a year: %v", err)
		}
		if _, err := f.svc.CreateBudget(ctx, f.finance, funds.BudgetInput{DepartmentID: f.budget.DepartmentID, Year: 2027, ApprovedBy: "批复",
			Lines: []funds.LineInput{{Code: "yacht", AmountFen: 1}}}); errs.FieldsOf(err)["line_yacht"] != "funds.err.unknown_line" {
			t.Fatalf("unknown line: %v", err)
		}
		if bs, _ := db.Budgets(ctx, 2027); len(bs) != 0 {
			t.Fatal("a refused budget was stored")
		}
		if _, err := f.svc.CreateBudget(ctx, f.staff, funds.BudgetInput{}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff creating a budget: %v", err)
		}
	})
}

// Two payments racing for the last of a hard-capped line: exactly one
// passes, whatever the order, on both databases.
func TestRacingPaymentsForTheLastOfALine(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.paid(t, f.travel, 400_00) // 600 yuan left
		for round := 0; round < 5; round++ {
			left := f.travel.AmountFen - f.spent(t, f.travel)
			if left < 2 {
				break
			}
			half := left/2 + 1 // each fits alone, both do not
			xs := []*funds.Expense{f.request(t, f.travel, half), f.request(t, f.travel, half)}
			for _, x := range xs {
				if _, err := f.svc.Approve(ctx, f.finance, x.ID); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			errsOut := make([]error, 2)
			start := make(chan struct{})
			for i, x := range xs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errsOut[i] = f.svc.Pay(ctx, f.cashier, x.ID)
				}()
			}
			close(start)
			wg.Wait()
			passed := 0
			for _, err := range errsOut {
				switch {
				case err == nil:
					passed++
				case errs.MessageOf(err) != "funds.err.over_cap":
					t.Fatalf("round %d: unexpected refusal %v", round, err)
				}
			}
			if passed != 1 {
				t.Fatalf("round %d: %d of 2 racing payments passed (%v)", round, passed, errsOut)
			}
			if got := f.spent(t, f.travel); got != f.travel.AmountFen-left+half {
				t.Fatalf("round %d: spent %d", round, got)
			}
		}
	})
}

func TestReportAndAlerts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.now = time.Date(2026, 3, 31, 23, 30, 0, 0, funds.CST) // the end of March, China time
		f.paid(t, f.travel, 300_00)
		f.now = time.Date(2026, 4, 2, 9, 0, 0, 0, funds.CST)
		x := f.paid(t, f.travel, 500_00)
		if _, err := f.svc.Refund(ctx, f.finance, x.ID, 100_00, "退票"); err != nil {
			t.Fatal(err)
		}
		open := f.request(t, f.food, 20_00)
		if _, err := f.svc.Approve(ctx, f.finance, open.ID); err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.Report(ctx, f.leader, f.budget.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Through != 4 {
			t.Fatalf("through month %d", r.Through)
		}
		for _, rl := range r.Lines {
			switch rl.Line.Code {
			case funds.LineTravel:
				if rl.Months[2] != 300_00 || rl.Months[3] != 400_00 || rl.YTD != 700_00 {
					t.Fatalf("travel: March %d, April %d, YTD %d", rl.Months[2], rl.Months[3], rl.YTD)
				}
			case funds.LineFood:
				if rl.Approved != 20_00 || rl.YTD != 0 {
					t.Fatalf("food: approved %d, YTD %d", rl.Approved, rl.YTD)
				}
			}
		}
		if r.YTD != 700_00 {
			t.Fatalf("YTD %d", r.YTD)
		}
		// 700 of 1000 yuan: no alert; 800: 80 %; 1000: 100 %.
		alerts := func() map[string]string {
			as, err := f.svc.Alerts(ctx, f.finance)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]string{}
			for _, a := range as {
				out[a.Line.Code] = a.Level
			}
			return out
		}
		if got := alerts(); len(got) != 0 {
			t.Fatalf("alerts at 70 %%: %v", got)
		}
		f.paid(t, f.travel, 100_00)
		if got := alerts(); got[funds.LineTravel] != funds.Alert80 {
			t.Fatalf("alerts at 80 %%: %v", got)
		}
		f.paid(t, f.travel, 200_00)
		if got := alerts(); got[funds.LineTravel] != funds.Alert100 {
			t.Fatalf("alerts at 100 %%: %v", got)
		}
		if as, _ := f.svc.Alerts(ctx, f.staff); as != nil {
			t.Fatal("staff sees budget alerts")
		}
	})
}

func TestPersonPaymentsReadsAreAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		if _, err := f.svc.PersonExpenses(ctx, f.leader, "p-1"); err != nil {
			t.Fatal(err)
		}
		es, err := db.ListAudit(ctx, audit.Filter{Action: "funds.person_view", RecordID: "p-1"})
		if err != nil || len(es) != 1 || es[0].ActorName != f.leader.Name {
			t.Fatalf("audit of a person's payments: %v %v", es, err)
		}
	})
}

// Batches are all or none: one request that may not be approved (or
// paid) refuses the whole set, and nothing changes.
func TestBatchesAreAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a, b := f.request(t, f.food, 100_00), f.request(t, f.food, 200_00)
		own, err := f.svc.Request(ctx, f.finance, funds.ExpenseInput{LineID: f.food.ID, AmountFen: 300_00, Purpose: "米面"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ApproveMany(ctx, f.finance, []string{a.ID, b.ID, own.ID}); errs.MessageOf(err) != "funds.err.own_request" {
			t.Fatalf("a batch with one's own request: %v", err)
		}
		if xs, _ := f.svc.Expenses(ctx, f.finance, funds.ExpenseFilter{States: []string{funds.StateApproved}}); len(xs) != 0 {
			t.Fatalf("%d approved by a refused batch", len(xs))
		}
		if _, err := f.svc.ApproveMany(ctx, f.finance, nil); errs.FieldsOf(err)["id"] != "funds.err.none_chosen" {
			t.Fatalf("an empty batch: %v", err)
		}
		if _, err := f.svc.ApproveMany(ctx, f.finance, []string{a.ID, b.ID}); err != nil {
			t.Fatal(err)
		}
		// Paying a batch with one unapproved request: refused, nothing paid.
		if _, err := f.svc.PayMany(ctx, f.cashier, []string{a.ID, b.ID, own.ID}); errs.MessageOf(err) != "funds.err.unapproved" {
			t.Fatalf("a batch with an unapproved request: %v", err)
		}
		if got := f.spent(t, f.food); got != 0 {
			t.Fatalf("a refused batch paid %d", got)
		}
		if _, err := f.svc.PayMany(ctx, f.cashier, []string{a.ID, b.ID}); err != nil {
			t.Fatal(err)
		}
		if got := f.spent(t, f.food); got != 300_00 {
			t.Fatalf("food spent %d", got)
		}
	})
}

// A paid expense booked to the wrong line is corrected by two new ledger
// entries; the totals still equal the entries, and a capped line that has
// too little left refuses the correction.
func TestReclassifyIsTwoNewEntries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		x := f.paid(t, f.food, 300_00)
		if _, err := f.svc.Refund(ctx, f.finance, x.ID, 50_00, "退货"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Reclassify(ctx, f.finance, x.ID, f.travel.ID, ""); errs.FieldsOf(err)["reason"] == "" {
			t.Fatalf("a correction without a reason: %v", err)
		}
		if _, err := f.svc.Reclassify(ctx, f.finance, x.ID, "no-such-line", "记错科目"); errs.FieldsOf(err)["line_id"] != "funds.err.unknown_line" {
			t.Fatalf("a correction to an unknown line: %v", err)
		}
		if _, err := f.svc.Reclassify(ctx, f.finance, x.ID, f.travel.ID, "记错科目"); err != nil {
			t.Fatal(err)
		}
		if food, travel := f.spent(t, f.food), f.spent(t, f.travel); food != 0 || travel != 250_00 {
			t.Fatalf("after the correction: food %d, travel %d", food, travel)
		}
		entries, err := db.Ledger(ctx, f.budget.ID)
		if err != nil || len(entries) != 4 { // payment, refund, two corrections
			t.Fatalf("%d ledger entries (%v)", len(entries), err)
		}
		big := f.paid(t, f.food, 900_00)
		if _, err := f.svc.Reclassify(ctx, f.finance, big.ID, f.travel.ID, "记错科目"); errs.MessageOf(err) != "funds.err.over_cap" {
			t.Fatalf("a correction past the cap: %v", err)
		}
		if food := f.spent(t, f.food); food != 900_00 {
			t.Fatalf("a refused correction moved money: food %d", food)
		}
	})
}

// A voucher given at exit is filed even when the travel line has too
// little left (the ticket is in the person's hand); paying it then waits
// for an adjustment.
func TestTravelVoucherFiledPastTheCap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		x, err := f.svc.RequestTravel(ctx, f.staff, funds.TravelInput{DepartmentID: f.budget.DepartmentID, At: f.now, Mode: "ticket", Route: "新乡—成都",
			TicketNo: "K123", CostFen: 1_200_00})
		if err != nil {
			t.Fatal(err)
		}
		if x.Kind != funds.KindTicket || x.LineID != f.travel.ID || x.State != funds.StateRequested {
			t.Fatalf("voucher request %+v", x)
		}
		if _, err := f.svc.Approve(ctx, f.finance, x.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Pay(ctx, f.cashier, x.ID); errs.MessageOf(err) != "funds.err.over_cap" {
			t.Fatalf("paying past the cap: %v", err)
		}
		if _, err := f.svc.Adjust(ctx, f.finance, f.travel.ID, 200_00, "返乡车票增加", "郑国华"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Pay(ctx, f.cashier, x.ID); err != nil {
			t.Fatal(err)
		}
		// A year without a budget: nothing to file it on.
		if _, err := f.svc.RequestTravel(ctx, f.staff, funds.TravelInput{At: f.now.AddDate(-3, 0, 0), Mode: "cash", CostFen: 500}); !errs.Is(errs.NotFound, err) {
			t.Fatalf("a voucher in a year without a budget: %v", err)
		}
	})
}

// Past exits' vouchers are filed in one go, each as of its exit, on that
// year's travel line; a year without a budget is left out.
func TestFileVouchers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		exit := time.Date(2026, 3, 4, 15, 0, 0, 0, funds.CST)
		n, err := f.svc.FileVouchers(ctx, f.staff, []funds.TravelInput{
			{At: exit, Mode: "ticket", Route: "新乡—南阳", TicketNo: "E1", CostFen: 88_50},
			{At: exit.AddDate(-2, 0, 0), Mode: "ticket", Route: "新乡—合肥", CostFen: 120_00}, // no budget in 2024
			{At: exit, Mode: "cash", CostFen: 15_00},
		})
		if err != nil || n != 2 {
			t.Fatalf("filed %d (%v)", n, err)
		}
		xs, err := f.svc.Expenses(ctx, f.finance, funds.ExpenseFilter{LineID: f.travel.ID})
		if err != nil || len(xs) != 2 {
			t.Fatalf("%d on the travel line (%v)", len(xs), err)
		}
		for _, x := range xs {
			if !x.RequestedAt.Equal(exit) || x.State != funds.StateRequested {
				t.Fatalf("filed %+v", x)
			}
		}
	})
}
