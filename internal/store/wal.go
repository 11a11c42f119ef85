package store

import (
	"context"
	"strconv"
	"time"
)

// DefaultWALLimit bounds the SQLite write-ahead log. Without a bound the
// WAL of a busy server only grows: a PASSIVE checkpoint copies pages back
// but never shortens the file, and the log starts over only in a moment
// when no reader holds a snapshot in it, which under steady reads may not
// come for hours (100k signals once left a 4.5 GB WAL beside a 131 MB
// database).
const DefaultWALLimit = 64 << 20

// walBusy is how long a truncating checkpoint may wait for readers. It
// holds new writers back while it waits, so it is short; a checkpoint
// that cannot finish in time is tried again on the next tick.
const walBusy = 100 * time.Millisecond

// checkpointer copies the WAL back into the database file beside the
// writer rather than inside its commits, so that no acknowledgement waits
// for a checkpoint, and keeps the file small (maintainWAL): every half
// second, and every tenth of a second once the log is three quarters of
// the way to the limit where a RESTART starts it over. That RESTART holds
// writers back while it copies and syncs what is left; copied often just
// before, little is left: at 1,000 signals/s, with a copy every half
// second, it stalled the committer for 25–35 ms once a second and the p99
// of acknowledgements was 26–31 ms; with the copies closer together near
// the limit, 17–20 ms (BENCHMARKS.md). Copying every tenth of a second all
// the time cost 15 % more CPU a signal at full speed (a page written again
// and again is copied each time). Whether the database is idle it judges
// every half second.
func (db *DB) checkpointer() {
	const slow, fast = 500 * time.Millisecond, 100 * time.Millisecond
	t := time.NewTimer(slow)
	defer t.Stop()
	idleChecked := time.Now()
	for {
		select {
		case <-db.stopping:
			return
		case <-t.C:
			checkIdle := time.Since(idleChecked) >= slow-fast/2
			if checkIdle {
				idleChecked = time.Now()
			}
			next := slow
			if db.maintainWAL(checkIdle) {
				next = fast
			}
			t.Reset(next)
		}
	}
}

// maintainWAL runs one checkpoint and reports whether the log is near its
// limit (the next should come soon). While writes come in it is PASSIVE:
// it never waits and never blocks a writer. When the log it leaves holds
// more than the limit's worth of frames (readers kept it from starting
// over), it is RESTART: the next commit writes the log again from its
// start, in a file that journal_size_limit keeps at the limit. A RESTART
// blocks writers only while it waits for readers (at most walBusy),
// copies what the PASSIVE left and syncs, where cutting a file of the
// limit's size (TRUNCATE) stalled every acknowledgement for 50-130 ms,
// once a second at 1,000 signals/s (BENCHMARKS.md). When checkIdle and no
// commit came since the last such tick (the database is idle) it is
// TRUNCATE: everything is copied back and the file is cut to zero.
func (db *DB) maintainWAL(checkIdle bool) (soon bool) {
	size := db.WALSize()
	if size == 0 {
		return false // nothing written since the log was last cut
	}
	idle := false
	if checkIdle {
		syncs := db.walSyncs.Load()
		idle = syncs == db.walSyncsSeen.Swap(syncs)
	}
	mode := "TRUNCATE"
	if !idle {
		var busy, frames, copied int64
		err := db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		if err != nil {
			return false
		}
		if logged := frames * db.walFrameBytes(); logged < db.walMax {
			return logged >= db.walMax/4*3
		}
		mode = "RESTART"
	}
	ctx := context.Background()
	conn, err := db.ckpt.Conn(ctx)
	if err != nil {
		return false
	}
	defer conn.Close()
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout="+strconv.FormatInt(walBusy.Milliseconds(), 10))
	_, _ = conn.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")")
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout=10000")
	return false
}

// walFrameBytes is the size of one WAL frame: a page and its 24-byte
// header.
func (db *DB) walFrameBytes() int64 {
	if n := db.walFrame.Load(); n > 0 {
		return n
	}
	page := int64(4096)
	_ = db.ckpt.QueryRow("PRAGMA page_size").Scan(&page)
	db.walFrame.Store(page + 24)
	return page + 24
}

// WALSize is the size of the SQLite WAL file in bytes (0 on PostgreSQL
// or when it cannot be read), for the haven_sqlite_wal_bytes metric.
func (db *DB) WALSize() int64 {
	if db.wal == nil {
		return 0
	}
	fi, err := db.wal.Stat()
	if err != nil {
		return 0
	}
	return fi.Size()
}
