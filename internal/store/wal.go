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
// it never waits and never blocks a writer. When no commit came since the
// last tick (the database is idle) or the WAL has grown past its limit,
// it is TRUNCATE: everything is copied back and the file is cut to zero,
// waiting at most walBusy for readers to leave it.
func (db *DB) maintainWAL() {
	size := db.WALSize()
	syncs := db.walSyncs.Load()
	idle := size > 0 && syncs == db.walSyncsSeen.Swap(syncs)
	db.walLast = size
	if !idle && size < db.walMax {
		_, _ = db.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		return
	}
	ctx := context.Background()
	conn, err := db.ckpt.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout="+strconv.FormatInt(walBusy.Milliseconds(), 10))
	_, _ = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	_, _ = conn.ExecContext(ctx, "PRAGMA busy_timeout=10000")
	db.walLast = db.WALSize()
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
