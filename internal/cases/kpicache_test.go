package cases_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The year's KPIs are counted at most once a minute per node, but a
// change through the service shows at once; another node's change shows
// once the count is older than KPIMaxAge, after one view that starts the
// recount in the background.
func TestDashboardKPIsKeptAMinute(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := setup(t, db)
		var clock atomic.Int64
		clock.Store(f.now.UnixNano())
		now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
		f.svc.Now = now
		other := &cases.Service{Store: db, Audit: db, Keys: f.svc.Keys, Photos: f.svc.Photos, Now: now, Rules: cases.Defaults} // a second node
		helped := func() (int, time.Time) {
			t.Helper()
			d, err := f.svc.Dashboard(ctx, f.staff)
			if err != nil {
				t.Fatal(err)
			}
			return d.HelpedThisYr, d.CountedAt
		}
		admit := func(svc *cases.Service, name string) {
			t.Helper()
			if _, err := svc.Admit(ctx, f.staff, cases.AdmitInput{Source: "walk_in", ArrivedAt: now(),
				Form: cases.Form{Reason: "流浪乞讨", Security: "passed"}, Person: cases.PersonInput{Name: name, AgeMin: 30, AgeMax: 40}}); err != nil {
				t.Fatal(err)
			}
		}
		if n, at := helped(); n != 0 || !at.Equal(now().Truncate(time.Microsecond)) {
			t.Fatalf("empty station: %d counted at %s", n, at)
		}
		admit(f.svc, "王一")
		if n, _ := helped(); n != 1 {
			t.Fatalf("after an admission through this service: %d, want 1 at once", n)
		}
		admit(other, "王二")
		clock.Add(int64(30 * time.Second))
		if n, _ := helped(); n != 1 {
			t.Fatalf("another node's admission within the minute: %d, want the kept 1", n)
		}
		clock.Add(int64(31 * time.Second))
		if n, _ := helped(); n != 1 {
			t.Fatalf("the view that finds the count old shows the kept one while recounting: %d", n)
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			n, at := helped()
			if n == 2 {
				if !at.Equal(now().Truncate(time.Microsecond)) {
					t.Fatalf("recounted at %s, the clock says %s", at, now())
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the background recount never arrived: %d", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
