package intake_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// BenchmarkSubmit is the intake write path in process, without HTTP: work
// orders through Service.Submit into the group commit, from 64 senders a
// core at once, over the same area as cmd/havenload (most join an open
// incident, some open one), on a database that holds 10^3 or 10^5 help
// signals already (the scale data set's, over the months before). Besides
// the time per signal it reports the process's CPU time per signal
// (cpu-µs/op, user and system), which the machine's other load moves less
// than the wall clock:
//
//	go test -run '^$' -bench 'Submit' -benchtime 20000x -count 3 ./internal/intake/
//
// (with HAVEN_TEST_POSTGRES_URL set, PostgreSQL too).
func BenchmarkSubmit(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		name := "signals=1e" + strconv.Itoa(len(strconv.Itoa(n))-1)
		b.Run("sqlite/"+name, func(b *testing.B) {
			// Filled, then closed (which checkpoints the WAL) and opened
			// again, so that the fill's log is not copied back meanwhile.
			dir := b.TempDir()
			db := openSQLite(b, dir)
			fillHistory(b, db, n)
			if err := db.Close(); err != nil {
				b.Fatal(err)
			}
			db = openSQLite(b, dir)
			defer db.Close()
			benchSubmit(b, db)
		})
		if os.Getenv(storetest.PostgresEnv) != "" {
			b.Run("postgres/"+name, func(b *testing.B) {
				db := storetest.OpenPostgres(b)
				fillHistory(b, db, n)
				benchSubmit(b, db)
			})
		}
	}
}

func openSQLite(b *testing.B, dir string) *store.DB {
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}

// fillHistory adds n help signals of the months before the benchmark's
// clock, from the scale data set (demo.Scale).
func fillHistory(b *testing.B, db *store.DB, n int) {
	svc := setup(b, db).svc
	cs := &cases.Service{Store: db, Audit: db, Keys: svc.Keys, Photos: svc.Photos, Now: svc.Now}
	fs := &family.Service{Store: db, Cases: cs, Audit: db, Keys: svc.Keys, Photos: svc.Photos, Now: svc.Now}
	if _, err := demo.Scale(context.Background(), demo.ScaleDeps{DB: db, Cases: cs, Intake: svc, Family: fs, Now: svc.Now},
		demo.ScaleOptions{Signals: n, Seed: 16}); err != nil {
		b.Fatal(err)
	}
}

func benchSubmit(b *testing.B, db *store.DB) {
	f := setup(b, db)
	ctx := context.Background()
	run := strconv.FormatInt(time.Now().UnixNano(), 36)
	var next atomic.Int64
	b.SetParallelism(64)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(uint64(next.Add(1)), 2026))
		for pb.Next() {
			in := intake.Input{Channel: intake.Channel12345, ExternalID: "BENCH-" + run + "-" + strconv.FormatInt(next.Add(1), 10),
				ServiceCode: "rough_sleeping", Description: "压力测试工单", Address: "新乡市",
				Lat: ptr(35.27 + rng.Float64()*0.07), Lng: ptr(113.84 + rng.Float64()*0.14)}
			if _, err := f.svc.Submit(ctx, f.partner, in); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// cpuTime is the process's CPU time so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
