package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The daily number of people in care, from the start count and each day's
// admissions and exits, equals counting the stays in care at each day's
// end one by one.
func TestOccupancyEqualsCountingEachDay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 2, 10, 17, 3, 0, time.UTC)
		seedStation(t, db, 120, now, now, rand.New(rand.NewPCG(17, 3)))
		all, err := db.StaysArrived(ctx, now.AddDate(-5, 0, 0), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []stats.Period{{From: "2026-01-01", To: "2026-03-02"}, {From: "2025-06-15", To: "2025-07-20"}} {
			oc, err := db.Occupancy(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			got := stats.Occupancy(oc, p)
			var want []int64
			for _, day := range p.Days() {
				d, _ := time.ParseInLocation(time.DateOnly, day, stats.CST)
				end := d.AddDate(0, 0, 1)
				var n int64
				for _, st := range all {
					if st.State != cases.StayRefused && st.ArrivedAt.Before(end) && (st.State == cases.StayOpen || !st.ExitedAt.Before(end)) {
						n++
					}
				}
				want = append(want, n)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("period %v:\n got  %v\n want %v", p, got, want)
			}
			if slices.Max(want) == 0 {
				t.Fatalf("period %v: nobody in care, the test proves nothing", p)
			}
		}
	})
}
