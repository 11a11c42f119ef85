package store_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// statVolume is how many raw records a statistics benchmark counts over.
type statVolume struct{ signals, stays, patrols int }

// seedStatVolume writes v's records spread over the three years before
// end: help signals two to an incident, stays with exits, patrols with
// two encounters and a handout each, and point log lines.
func seedStatVolume(b *testing.B, db *store.DB, v statVolume, end time.Time) {
	ctx := context.Background()
	span := 3 * 365 * 24 * time.Hour
	start := end.Add(-span)
	when := func(i, n int) time.Time { return start.Add(time.Duration(int64(span) / int64(n) * int64(i))) }
	ins := func(table string, cols []string, n int, row func(i int) []any) {
		if err := store.BulkInsertForTest(ctx, db, table, cols, n, row); err != nil {
			b.Fatalf("%s: %v", table, err)
		}
	}
	depts := []string{"st", "po", "ci"}
	ins("departments", []string{"id", "name", "kind", "created_at"}, 3, func(i int) []any {
		return []any{depts[i], "部门" + depts[i], []string{"station", "police", "city_management"}[i], start}
	})
	ins("teams", []string{"id", "name", "kind", "department_id", "updated_at"}, 3, func(i int) []any {
		return []any{"t" + depts[i], "队" + depts[i], "civil", depts[i], start}
	})
	ni := v.signals / 2
	ins("incidents", []string{"id", "ref", "service_code", "state", "department_id", "opened_at", "last_signal_at", "due_at", "closed_at", "updated_at"}, ni,
		func(i int) []any {
			t := when(i, ni)
			return []any{fmt.Sprintf("i%d", i), fmt.Sprintf("SJ-%d", i), []string{"begging", "rough_sleeping", "minor_alone"}[i%3], "closed", depts[i%3],
				t, t, t.Add(time.Hour), t.Add(time.Duration(30+i%60) * time.Minute), t}
		})
	ins("signals", []string{"id", "ref", "channel", "external_id", "incident_id", "service_code", "reported_at", "received_at"}, v.signals, func(i int) []any {
		t := when(i/2, ni).Add(time.Duration(i%2) * time.Minute)
		return []any{fmt.Sprintf("g%d", i), fmt.Sprintf("QZ-%d", i), []string{"hotline", "110", "12345", "public"}[i%4], fmt.Sprint(i), fmt.Sprintf("i%d", i/2), "begging", t, t}
	})
	ins("persons", []string{"id", "ref", "created_at", "updated_at"}, v.stays, func(i int) []any {
		return []any{fmt.Sprintf("p%d", i), fmt.Sprintf("P-%d", i), start, start}
	})
	ins("stays", []string{"id", "ref", "person_id", "state", "arrived_at", "entered_at", "entered_by", "source", "exit_kind", "exited_at", "updated_at"}, v.stays,
		func(i int) []any {
			t := when(i, v.stays)
			return []any{fmt.Sprintf("s%d", i), fmt.Sprintf("S-%d", i), fmt.Sprintf("p%d", i), "closed", t, t, "x", "walk_in",
				[]string{"return_home", "escorted", "family", "self"}[i%4], t.Add(time.Duration(12+i%200) * time.Hour), t}
		})
	ins("patrols", []string{"id", "team_id", "department_id", "kind", "started_at", "ended_at", "night", "staff_count", "vehicle_trips", "created_by", "updated_at"}, v.patrols,
		func(i int) []any {
			t := when(i, v.patrols)
			return []any{fmt.Sprintf("pt%d", i), "t" + depts[i%3], depts[i%3], "planned", t, t.Add(2 * time.Hour), i % 2, 2 + i%3, 1, "x", t}
		})
	ins("encounters", []string{"id", "patrol_id", "team_id", "at", "outcome", "recorded_by", "updated_at"}, 2*v.patrols, func(i int) []any {
		t := when(i/2, v.patrols).Add(30 * time.Minute)
		return []any{fmt.Sprintf("e%d", i), fmt.Sprintf("pt%d", i/2), "t" + depts[(i/2)%3], t, []string{"outreach", "to_station", "refused", "outreach"}[i%4], "x", t}
	})
	ins("supply_items", []string{"id", "code", "name", "unit"}, 2, func(i int) []any {
		return []any{fmt.Sprint("it", i), fmt.Sprint("C", i), []string{"棉大衣", "方便面"}[i], "件"}
	})
	ins("stock_locations", []string{"id", "kind", "name", "team_id"}, 1, func(int) []any { return []any{"van", "vehicle", "车", "tst"} })
	ins("stock_movements", []string{"id", "at", "kind", "item_id", "location_id", "qty", "person_key", "by_name"}, v.patrols, func(i int) []any {
		return []any{fmt.Sprintf("m%d", i), when(i, v.patrols).Add(40 * time.Minute), "handout", fmt.Sprint("it", i%2), "van", -1, fmt.Sprintf("encounter:e%d", 2*i), "x"}
	})
}

// BenchmarkStatsReport measures a whole campaign report (every indicator
// of the catalogue per department and in total, the daily curve and the
// breakdowns) over a winter campaign's 135 days and over a year, on
// SQLite and, with HAVEN_TEST_POSTGRES_URL, PostgreSQL. The default size
// is small; HAVEN_BENCH_STATS_FULL=1 adds the volume (10^6 help
// signals, 10^5 stays, 10^5 patrols), whose seeding takes a minute.
// p95-ms is the 95th percentile of the iterations.
func BenchmarkStatsReport(b *testing.B) {
	dbs := []string{"sqlite"}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs = append(dbs, "postgres")
	}
	sizes := []statVolume{{10000, 1000, 1000}}
	if os.Getenv("HAVEN_BENCH_STATS_FULL") != "" {
		sizes = append(sizes, statVolume{1000000, 100000, 100000})
	}
	end := time.Date(2026, 6, 1, 0, 0, 0, 0, stats.CST)
	for _, dbName := range dbs {
		for _, v := range sizes {
			b.Run(fmt.Sprintf("%s/signals=%d", dbName, v.signals), func(b *testing.B) {
				var db *store.DB
				if dbName == "sqlite" {
					db = storetest.OpenSQLite(b)
				} else {
					db = storetest.OpenPostgres(b)
				}
				seedStatVolume(b, db, v, end)
				s := &stats.Service{Source: db, Now: func() time.Time { return end }}
				leader := auth.Actor{Role: auth.RoleLeader}
				for _, p := range []struct {
					name string
					p    stats.Period
				}{{"campaign", stats.Period{From: "2025-11-01", To: "2026-03-15"}}, {"year", stats.Period{From: "2025-01-01", To: "2025-12-31"}}} {
					b.Run(p.name, func(b *testing.B) {
						var ms []float64
						for b.Loop() {
							t0 := time.Now()
							rep, err := s.Report(context.Background(), leader, "", stats.Scope{Period: p.p})
							if err != nil {
								b.Fatal(err)
							}
							if l, _ := rep.Line("patrols"); l.Total == 0 {
								b.Fatal("no patrols counted")
							}
							ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
						}
						slices.Sort(ms)
						b.ReportMetric(ms[len(ms)*95/100], "p95-ms")
					})
				}
				// The leader's dashboard over twelve months: tiles against the
				// year before, monthly trends, a campaign's running totals,
				// people in care, channels; and its heat map.
				b.Run("dashboard_12_months", func(b *testing.B) {
					var ms []float64
					sc := stats.Scope{Period: stats.Period{From: "2025-06-01", To: "2026-05-31"}}
					for b.Loop() {
						t0 := time.Now()
						d, err := s.Dashboard(context.Background(), leader, sc, &stats.Campaign{Name: "寒冬送温暖", From: "2025-11-01", To: "2026-03-15"})
						if err != nil {
							b.Fatal(err)
						}
						if _, err := s.Heat(context.Background(), leader, stats.HeatQuery{Scope: sc, Layer: stats.LayerSignals}); err != nil {
							b.Fatal(err)
						}
						if d.Tiles[0].Value == 0 {
							b.Fatal("no signals counted")
						}
						ms = append(ms, float64(time.Since(t0).Microseconds())/1000)
					}
					slices.Sort(ms)
					b.ReportMetric(ms[len(ms)*95/100], "p95-ms")
				})
			})
		}
	}
}
