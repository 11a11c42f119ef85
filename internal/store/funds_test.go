package store_test

import (
	"context"
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

var _ funds.Store = (*store.DB)(nil)

// The ledger and the budget adjustments are append-only in the database
// itself: an UPDATE or DELETE past the store is refused.
func TestLedgerIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &funds.Service{Store: db, Audit: db, Now: time.Now}
		fin := auth.Actor{UserID: "f", Name: "孙静", Role: auth.RoleFinance}
		lead := auth.Actor{UserID: "l", Name: "郑国华", Role: auth.RoleLeader}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		dept := &auth.Department{ID: id.New(), Name: "救助站", Kind: "station", CreatedAt: time.Now()}
		if err := db.CreateDepartment(ctx, dept, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		b, err := svc.CreateBudget(ctx, fin, funds.BudgetInput{DepartmentID: dept.ID, Year: time.Now().Year(), ApprovedBy: "批复",
			Lines: []funds.LineInput{{Code: funds.LineFood, AmountFen: 1000_00}}})
		if err != nil {
			t.Fatal(err)
		}
		x, err := svc.Request(ctx, staff, funds.ExpenseInput{LineID: b.Lines[0].ID, AmountFen: 10_00, Purpose: "午餐"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Approve(ctx, lead, x.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Pay(ctx, fin, x.ID); err != nil {
			t.Fatal(err)
		}
		for _, stmt := range []string{
			"UPDATE ledger SET amount_fen = 1",
			"DELETE FROM ledger",
			"UPDATE budget_adjustments SET delta_fen = 1",
			"DELETE FROM budget_adjustments",
		} {
			if err := store.TamperLedgerForTest(ctx, db, stmt); !errs.Is(errs.Forbidden, err) {
				t.Errorf("%s: %v, want refused by the database", stmt, err)
			}
		}
		es, err := db.Ledger(ctx, b.ID)
		if err != nil || len(es) != 1 || es[0].AmountFen != 10_00 {
			t.Fatalf("ledger after tampering: %v %v", es, err)
		}
	})
}

// The funds migration goes down and up again, as an installation rolling
// back across it would.
func TestFundsMigrationRedo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := store.RedoMigrationForTest(context.Background(), db, 31); err != nil {
			t.Fatal(err)
		}
	})
}
