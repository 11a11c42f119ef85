package store

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestWALStaysBounded writes eight times the WAL limit while readers query
// without pause, the case where a passive checkpoint alone lets the file
// grow without end: the WAL must be cut back to its limit during the
// load, and to nothing once writes stop.
func TestWALStaysBounded(t *testing.T) {
	t.Parallel()
	const limit = 256 << 10
	ctx := context.Background()
	db, err := Open(ctx, Options{Dir: t.TempDir(), WALLimit: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.w.ExecContext(ctx, "CREATE TABLE walfill (x BLOB)"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				_ = db.r.QueryRowContext(ctx, "SELECT count(*) FROM walfill").Scan(&n)
			}
		}()
	}
	var peak, cutUnderLoad atomic.Int64
	row := bytes.Repeat([]byte("w"), 8<<10)
	// At least 8 times the limit, and on until the checkpointer has cut
	// the WAL while writes go on (it ticks every half second). The writes
	// follow one another without a pause, as at 1,000 signals a second: a
	// passive checkpoint then never catches up with the log, so the log
	// never starts over by itself.
	rows := 0
	for start := time.Now(); rows < 8*limit/len(row) || cutUnderLoad.Load() == 0 && time.Since(start) < 15*time.Second; rows++ {
		if _, err := db.w.ExecContext(ctx, "INSERT INTO walfill VALUES (?)", row); err != nil {
			t.Fatal(err)
		}
		if err := db.syncWAL(); err != nil { // as every commit of Haven's writes is: the database is busy, not idle
			t.Fatal(err)
		}
		s := db.WALSize()
		if s > peak.Load() {
			peak.Store(s)
		}
		if peak.Load() > limit && s <= limit {
			cutUnderLoad.Add(1)
		}
	}
	if cutUnderLoad.Load() == 0 {
		t.Errorf("the WAL (peak %d bytes) was never cut back to its %d-byte limit while writes went on", peak.Load(), limit)
	}
	deadline := time.Now().Add(20 * time.Second)
	for db.WALSize() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if s := db.WALSize(); s != 0 {
		t.Errorf("idle WAL is %d bytes; want it truncated", s)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM walfill").Scan(&n); err != nil || n != rows {
		t.Fatalf("rows after checkpoints: %d, %v", n, err)
	}
}
