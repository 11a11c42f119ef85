package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// BenchmarkPages measures what each main page asks of the database, at
// 10^3 and 10^5 people (a decade of history, as many incidents of two
// signals each, the same 30 people in care and 30 open incidents) in
// one run, on SQLite and, with HAVEN_TEST_POSTGRES_URL, PostgreSQL. The
// station page runs through cases.Service (figures, page, deadlines);
// the others run their store queries. p95-ms is the 95th percentile of
// the iterations.
func BenchmarkPages(b *testing.B) {
	dbs := []string{"sqlite"}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs = append(dbs, "postgres")
	}
	for _, dbName := range dbs {
		for _, n := range []int{1000, 100000} {
			b.Run(fmt.Sprintf("%s/n=%d", dbName, n), func(b *testing.B) {
				var db *store.DB
				if dbName == "sqlite" {
					db = storetest.OpenSQLite(b)
				} else {
					db = storetest.OpenPostgres(b)
				}
				ctx := context.Background()
				now := time.Now().UTC()
				if err := store.BulkSeedForTest(ctx, db, n, now, id.New); err != nil {
					b.Fatal(err)
				}
				staff := auth.Actor{UserID: "u-staff", Name: "李明", Role: auth.RoleStaff}
				svc := &cases.Service{Store: db, Audit: db, Now: func() time.Time { return now }, Rules: cases.Defaults}
				open := []intake.State{intake.StateAccepted, intake.StateDispatched, intake.StateInProgress, intake.StateReplied}
				pages := []struct {
					name string
					run  func() error
				}{
					{"station", func() error {
						d, err := svc.DashboardPage(ctx, staff, 1)
						if err == nil && len(d.Rows) == 0 {
							err = fmt.Errorf("empty dashboard")
						}
						return err
					}},
					{"station_year_kpis", func() error { // the recount the dashboard runs at most once a minute
						q := cases.Defaults.FigureQuery(now, time.Date(now.In(cases.CST).Year(), 1, 1, 0, 0, 0, 0, cases.CST), now.Add(time.Minute))
						q.KPIsOnly = true
						_, err := db.StationFigures(ctx, q)
						return err
					}},
					{"people", func() error { _, err := db.ListPeople(ctx, cases.PersonFilter{Limit: 200}); return err }},
					{"dispatch", func() error {
						if _, err := db.BoardIncidents(ctx, dispatch.BoardFilter{ClosedLast: 20}); err != nil {
							return err
						}
						_, err := db.CountClosed(ctx, dispatch.BoardFilter{}, now.Add(-24*time.Hour))
						return err
					}},
					{"incidents", func() error {
						_, err := db.ListIncidents(ctx, intake.IncidentFilter{States: open, Limit: 101})
						return err
					}},
					{"family_review", func() error {
						cs, err := db.CandidatesPage(ctx, []string{family.Proposed}, 51, 0)
						if err != nil {
							return err
						}
						var ids []string
						for _, c := range cs {
							ids = append(ids, c.PersonID, c.OtherID)
						}
						if _, err := db.PeopleByIDs(ctx, ids); err != nil {
							return err
						}
						_, err = db.StaysOf(ctx, ids)
						return err
					}},
					{"admission_duplicates", func() error { _, err := db.PeopleNamed(ctx, "人42"); return err }},
				}
				if _, err := svc.DashboardPage(ctx, staff, 1); err != nil { // counts the year's KPIs once, as the first view after start
					b.Fatal(err)
				}
				for _, p := range pages {
					b.Run(p.name, func(b *testing.B) {
						times := make([]time.Duration, 0, b.N)
						for i := 0; i < b.N; i++ {
							start := time.Now()
							if err := p.run(); err != nil {
								b.Fatal(err)
							}
							times = append(times, time.Since(start))
						}
						slices.Sort(times)
						b.ReportMetric(float64(times[(len(times)*95)/100].Microseconds())/1000, "p95-ms")
					})
				}
			})
		}
	}
}
