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
	cs := &canteen.Service{Store: db, Duties: db, Audit: db, Now: func() time.Time { return now }}
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
	meals, _ := db.Meals(ctx, "2026-11-01", "2026-12-02")
	if len(meals) < 90 {
		t.Errorf("a month of meals: %d", len(meals))
	}
}
