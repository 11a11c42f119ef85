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

	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// BenchmarkSubmit is the intake write path in process, without HTTP: work
// orders through Service.Submit into the group commit, from 64 senders a
// core at once, over the same area as cmd/havenload (most join an open
// incident, some open one). Besides the time per signal it reports the
// process's CPU time per signal (cpu-µs/op, user and system), which the
// machine's other load moves less than the wall clock:
//
//	go test -run '^$' -bench 'Submit' -benchtime 20000x -count 3 ./internal/intake/
//
// (with HAVEN_TEST_POSTGRES_URL set, PostgreSQL too).
func BenchmarkSubmit(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		ctx := context.Background()
		db, err := store.Open(ctx, store.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx); err != nil {
			b.Fatal(err)
		}
		benchSubmit(b, db)
	})
	if os.Getenv(storetest.PostgresEnv) != "" {
		b.Run("postgres", func(b *testing.B) { benchSubmit(b, storetest.OpenPostgres(b)) })
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
