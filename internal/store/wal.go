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

// checkpointer copies the WAL back into the database file every half
// second, beside the writer rather than inside its commits, so that no
// acknowledgement waits for a checkpoint, and keeps the file small
// (maintainWAL).
func (db *DB) checkpointer() {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-db.stopping:
			return
		case <-t.C:
			db.maintainWAL()
		}
	}
}

// maintainWAL runs one checkpoint. While writes come in it is PASSIVE:
// it never waits and never blocks a writer. When the log it leaves holds
// more than the limit's worth of frames (readers kept it from starting
// over), it is RESTART: the next commit writes the log again from its
// start, in a file that journal_size_limit keeps at the limit. A RESTART
// blocks writers only while it waits for readers (at most walBusy) and
// syncs: a few milliseconds, where cutting a file of the limit's size
// (TRUNCATE) stalled every acknowledgement for 50-130 ms, once a second
// at 1,000 signals/s (BENCHMARKS.md). When no commit came since the last
// tick (the database is idle) it is TRUNCATE: everything is copied back
// and the file is cut to zero.
func (db *DB) maintainWAL() {
	size := db.WALSize()
	syncs := db.walSyncs.Load()
	idle := size > 0 && syncs == db.walSyncsSeen.Swap(syncs)
	mode := "TRUNCATE"
	if !idle {
		var busy, frames, copied int64
		err := db.ckpt.QueryRow("PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied)
		if err != nil || frames*db.walFrameBytes() < db.walMax {
			return
		}
		mode = "RESTART"
	}
	ctx := context.Background()
	conn, err := db.ckpt.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout="+strconv.FormatInt(walBusy.Milliseconds(), 10))
	_, _ = conn.ExecContext(ctx, "PRAGMA wal_checkpoint("+mode+")")
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout=10000")
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
