package patrolplan_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// BenchmarkPlan builds tonight's plan over 100 hotspots with 2,000
// encounters in the window and a history of old encounters and visits of
// growing size: the plan's cost follows the window, not the history.
//
//	go test ./internal/patrolplan -run X -bench Plan -benchtime 20x
func BenchmarkPlan(b *testing.B) {
	for _, history := range benchHistories {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.OpenSQLite(b)
			now := time.Now().UTC()
			r := rand.New(rand.NewPCG(17, uint64(history)))
			var hs []*dispatch.Hotspot
			for i := range 100 {
				h := &dispatch.Hotspot{ID: id.New(), Name: fmt.Sprint("点位", i), Kind: "square", Lat: 35.2 + float64(i%10)*0.01, Lng: 113.8 + float64(i/10)*0.01,
					Active: true, CreatedAt: now}
				if err := db.CreateHotspot(ctx, h, audit.Entry{}); err != nil {
					b.Fatal(err)
				}
				hs = append(hs, h)
			}
			meet := func(at time.Time) {
				h := hs[r.IntN(len(hs))]
				en := &dispatch.Encounter{ID: id.New(), At: at, Lat: h.Lat, Lng: h.Lng, States: []string{"cold"}, Outcome: dispatch.OutcomeOutreach,
					RecordedBy: "b", Version: 1, UpdatedAt: at}
				if err := db.SaveEncounter(ctx, en, 0, audit.Entry{}); err != nil {
					b.Fatal(err)
				}
			}
			for range 2000 {
				meet(now.Add(-time.Duration(r.IntN(14*24)) * time.Hour))
			}
			for i := range history {
				at := now.AddDate(0, 0, -20-r.IntN(700))
				meet(at)
				if i%10 == 0 { // a patrol visiting ten hotspots
					visits := map[string]time.Time{}
					for range 10 {
						visits[hs[r.IntN(len(hs))].ID] = at
					}
					if err := db.SavePatrol(ctx, &dispatch.Patrol{ID: id.New(), Kind: "planned", StartedAt: at, CreatedBy: "b", Version: 1, UpdatedAt: at,
						Visits: visits}, 0, audit.Entry{}); err != nil {
						b.Fatal(err)
					}
				}
			}
			s := &patrolplan.Service{Store: db, Now: func() time.Time { return now }}
			a := auth.Actor{Role: auth.RoleDispatcher}
			b.ResetTimer()
			for range b.N {
				p, err := s.Plan(ctx, a)
				if err != nil || len(p.Rows) != 100 {
					b.Fatal(err)
				}
			}
		})
	}
}

var benchHistories = []int{0, 20000}
