package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The demo canteen shows what the issue asks for: one dish without its
// sample, one early discard refused, a supplier's licence and a handler's
// certificate expiring, one temperature excursion.
func TestSeedCanteen(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC) // 12:00 CST
	cs := &canteen.Service{Store: db, More: db, Duties: db, Audit: db, Now: func() time.Time { return now }}
	if err := demo.SeedCanteen(ctx, cs, now); err != nil {
		t.Fatal(err)
	}
	o, err := cs.Overview(ctx, auth.Actor{Name: "领导", Role: auth.RoleLeader})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, a := range o.Alerts {
		count[a.Kind]++
	}
	for _, k := range []string{canteen.AlertNoSample, canteen.AlertLicenceExpiring, canteen.AlertCertExpiring, canteen.AlertReading} {
		if count[k] != 1 {
			t.Errorf("%s: %d alerts, want 1 (%v)", k, count[k], count)
		}
	}
	refused, err := db.ListAudit(ctx, audit.Filter{Action: "canteen.sample.discard_refused"})
	if err != nil || len(refused) != 1 {
		t.Errorf("refused early discards on record: %d %v", len(refused), err)
	}
	if count[canteen.AlertExpiredStock] != 1 {
		t.Errorf("expired batches on hand: %d, want 1", count[canteen.AlertExpiredStock])
	}
	if len(o.Pests) != 3 {
		t.Errorf("pest control entries: %d", len(o.Pests))
	}
	daily, err := cs.SelfCheckList(ctx, auth.Actor{Name: "领导", Role: auth.RoleLeader}, canteen.ListDaily)
	if err != nil {
		t.Fatal(err)
	}
	missed := 0
	for _, p := range daily.History {
		if p.Check == nil && !p.Current {
			missed++
		}
	}
	if missed != 1 || len(daily.History) != canteen.HistoryLen[canteen.ListDaily] {
		t.Errorf("a month of daily checks with one missed: %d missed of %d", missed, len(daily.History))
	}
	st, err := cs.Stock(ctx, auth.Actor{Name: "领导", Role: auth.RoleLeader})
	if err != nil {
		t.Fatal(err)
	}
	out := 0
	for _, is := range st.Issues {
		if is.OutOfOrder {
			out++
		}
	}
	if len(st.Issues) != 6 || out != 1 {
		t.Errorf("issues: %d, out of order %d", len(st.Issues), out)
	}
	meals, _ := db.Meals(ctx, "2026-11-01", "2026-12-02")
	if len(meals) < 90 {
		t.Errorf("a month of meals: %d", len(meals))
	}
}
