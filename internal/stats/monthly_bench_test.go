package stats_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// seedScale writes n stays over the three years before 2026-11-01 for
// about n*2/3 people (a third come back), in bulk and in the order they
// arrive, as a station's records are written.
func seedScale(b *testing.B, db *store.DB, n int) {
	b.Helper()
	rng := rand.New(rand.NewPCG(17, 29))
	start := time.Date(2023, 11, 1, 0, 0, 0, 0, stats.CST)
	span := time.Date(2026, 11, 1, 0, 0, 0, 0, stats.CST).Sub(start)
	bulk := &store.Bulk{At: start}
	var people []*cases.Person
	regions := []string{"河南省新乡市长垣县", "四川省成都市", "", "山东省济南市", ""}
	for i := 0; i < n; i++ {
		var p *cases.Person
		if len(people) > 0 && rng.IntN(3) == 0 {
			p = people[rng.IntN(len(people))]
		} else {
			p = &cases.Person{ID: id.New(), Ref: fmt.Sprintf("RY-B%07d", len(people)), Sex: cases.Sexes[rng.IntN(3)], Mental: cases.MentalStates[rng.IntN(4)],
				AgeMin: 5 + rng.IntN(70), IDRegion: regions[rng.IntN(len(regions))], Version: 1, CreatedAt: start, UpdatedAt: start}
			p.AgeMax = p.AgeMin + rng.IntN(6)
			people = append(people, p)
			bulk.People = append(bulk.People, p)
		}
		// Records are written as people arrive: in time order.
		arrived := start.Add(time.Duration(float64(span) * float64(i) / float64(n))).Add(time.Duration(rng.IntN(3600)) * time.Second).UTC().Truncate(time.Microsecond)
		st := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("JZ-B%07d", i), PersonID: p.ID, State: cases.StayClosed, ArrivedAt: arrived, EnteredAt: arrived,
			EnteredBy: "bench", Source: "walk_in", Version: 1, UpdatedAt: arrived, ExitKind: cases.ExitKinds[rng.IntN(len(cases.ExitKinds))],
			ExitedAt: arrived.Add(time.Duration(1+rng.IntN(20*24)) * time.Hour)}
		bulk.Stays = append(bulk.Stays, st)
	}
	if err := db.InsertBulk(context.Background(), bulk); err != nil {
		b.Fatal(err)
	}
}

// cpuTime is the process's CPU time so far (user and system): on a
// machine shared with other work the wall time of a run says little, the
// CPU it took says what it costs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMonthlyAndOutcomes: the monthly report of one month and the
// outcome measures of a year (with last year's) over 10^5 stays.
//
//	go test -run '^$' -bench MonthlyAndOutcomes -benchtime 3x ./internal/stats/
func BenchmarkMonthlyAndOutcomes(b *testing.B) {
	dbs := map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs["postgres"] = storetest.OpenPostgres
	}
	for name, open := range dbs {
		b.Run(name, func(b *testing.B) {
			db := open(b)
			seedScale(b, db, 100_000)
			ctx := context.Background()
			now := time.Date(2026, 11, 10, 12, 0, 0, 0, stats.CST)
			b.Run("monthly", func(b *testing.B) {
				m := &stats.Monthly{Store: db, Now: func() time.Time { return now }}
				c0 := cpuTime()
				defer func() { b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op") }()
				for i := 0; i < b.N; i++ {
					v, err := m.View(ctx, staff, "", "2026-10", 0)
					if err != nil || v.Live.Helped == 0 {
						b.Fatal(v, err)
					}
				}
			})
			b.Run("outcomes_year", func(b *testing.B) {
				o := &stats.Outcomes{Store: db, Now: func() time.Time { return now },
					Source: stats.CaseRules{StaySource: db, Station: db, Rules: cases.Defaults, Now: func() time.Time { return now }}}
				c0 := cpuTime()
				defer func() { b.ReportMetric((cpuTime()-c0).Seconds()/float64(b.N), "cpu-s/op") }()
				for i := 0; i < b.N; i++ {
					if _, err := o.Report(ctx, leader, stats.Period{From: "2025-11-01", To: "2026-10-31"}, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
