package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
)

// PostgreSQL files a group-commit batch in two round trips instead of two
// a signal: one pipelined read of the deliveries stored already and of
// every open incident near any of the batch's signals, then every write
// and the commit sent together as one pipelined pgx batch (an implicit
// transaction that ends at its Sync). Which incident each signal joins is
// decided in Go, as filing the signals one after another would decide it
// (planBatch): a later signal sees the incidents the earlier ones of the
// batch opened or joined. Every statement's text is fixed (arrays instead
// of multi-row VALUES), prepared once on the committer's own connection.
//
// As on SQLite, making a batch durable is not the committer's work: its
// connection commits without waiting for the WAL's flush (synchronous_commit
// off), so the next batch is filed at once and sees this one, and the
// syncer then commits one durable write on a connection of its own
// (pgFlush), which flushes the WAL up to it, so past every batch committed
// before. Only then are the senders answered. An fsync that stalls delays
// the answers it covers, not the filing of what comes next.

// pgCandidates is every signal's merge lookup at once: one row of b for
// each signal and each of the nine cells around it, with the signal's box
// and window; each is an index range of incidents_open_cell (cell, lat,
// lng). An incident near several signals comes back once for each.
const pgCandidates = `SELECT i.id, i.ref, i.service_code, i.state, i.lat, i.lng, i.last_signal_at, i.due_at, i.outcome, i.status_notes,
		i.signal_count, i.version, i.cell
	FROM unnest($1::bigint[], $2::float8[], $3::float8[], $4::float8[], $5::float8[], $6::timestamptz[])
		AS b(cell, min_lat, max_lat, min_lng, max_lng, since)
	JOIN incidents i ON i.cell = b.cell AND i.lat BETWEEN b.min_lat AND b.max_lat AND i.lng BETWEEN b.min_lng AND b.max_lng
		AND i.last_signal_at >= b.since
	WHERE i.state NOT IN ('closed', 'merged') AND i.loc_precision IN ('exact', 'placed')`

const pgInsertIncidents = `INSERT INTO incidents (` + incidentColumns + `, cell)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[],
		$9::text[], $10::text[], $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::text[], $16::text[],
		$17::text[], $18::text[], $19::int[], $20::int[], $21::timestamptz[], $22::text[], $23::text[], $24::bigint[])`

// pgJoinIncidents adds a batch's signals to the stored incidents it
// joins, one row of j for each: the latest report, the earliest due time,
// and their count.
const pgJoinIncidents = `UPDATE incidents i SET
	last_signal_at = GREATEST(i.last_signal_at, j.last), due_at = LEAST(i.due_at, j.due),
	signal_count = i.signal_count + j.n, version = i.version + j.n, updated_at = j.at
	FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::int[], $5::timestamptz[]) AS j(id, last, due, n, at)
	WHERE i.id = j.id`

// pgStored is which of a batch's deliveries are stored already.
const pgStored = `SELECT s.channel, s.external_id FROM signals s
	JOIN unnest($1::text[], $2::text[]) AS b(channel, external_id) ON s.channel = b.channel AND s.external_id = b.external_id`

const (
	pgEventLock = `SELECT pg_advisory_xact_lock($1)`
	pgNotify    = `SELECT pg_notify($1, '')`
)

// pgFlush is the syncer's durable write: its commit waits for the WAL's
// flush up to it (migration 00046). It always writes a row (an update
// that matched none would write nothing, and its commit would not wait).
const pgFlush = `INSERT INTO intake_flush (id, n) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET n = intake_flush.n + 1`

const pgInsertSignals = `INSERT INTO signals (id, ref, channel, external_id, incident_id, service_code, description, lat, lng,
	address, photo, phone_enc, reporter, attributes, reported_at, received_at, received_by)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[],
		$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[], $17::text[])`

const pgInsertAudit = `INSERT INTO audit_log (id, at, actor_id, actor_name, action, record_type, record_id, ip, detail)
	SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`

const pgInsertEvents = `INSERT INTO events (at, topic, record_id) SELECT $1, $2, unnest($3::text[])`

// fileAllPG is fileAll on PostgreSQL, on the committer's connection.
func (db *DB) fileAllPG(ctx context.Context, batch []*pendingSignal) error {
	err := db.intakeConn.run(ctx, db, func(c *pgx.Conn) error { return db.pipelineBatch(ctx, c, batch) })
	if err == errDuplicateRace && len(batch) == 1 {
		return err // fileAll answers it with the stored result
	}
	if err != nil {
		return db.failAll(batch, err)
	}
	return nil
}

// failAll sets err on every pending signal and returns it.
func (db *DB) failAll(batch []*pendingSignal, err error) error {
	for _, p := range batch {
		p.res, p.err = nil, translate("store.SubmitSignal", err)
	}
	return err
}

// heldConn is a connection of the pool that one goroutine keeps for its
// own work (the committer, the syncer), so that its statements are
// prepared once and it never waits for the pool behind the requests.
// setup runs on each new connection; warm lists statements to prepare on
// it (those that fail to prepare, on a database not migrated yet, are
// prepared by pgx on their first use).
type heldConn struct {
	conn  *sql.Conn
	setup []string
	warm  []string
}

// run calls f with the held connection, taking one from the pool first if
// it holds none; a connection left in doubt by an error is dropped, and
// the next call takes another.
func (h *heldConn) run(ctx context.Context, db *DB, f func(c *pgx.Conn) error) error {
	if h.conn == nil {
		conn, err := db.w.Conn(ctx)
		if err != nil {
			return err
		}
		h.conn = conn
		if err := h.with(func(c *pgx.Conn) error {
			for _, q := range h.setup {
				if _, err := c.Exec(ctx, q); err != nil {
					return err
				}
			}
			for _, q := range h.warm {
				_, _ = c.Prepare(ctx, q, q) // pgx finds it by its text
			}
			return nil
		}); err != nil {
			h.drop()
			return err
		}
	}
	// After any error but a duplicate, another connection: the error may
	// have left this one in doubt, or its prepared statements stale (a
	// migration that changed a table they read).
	err := h.with(f)
	if err != nil && err != errDuplicateRace {
		h.drop()
	}
	return err
}

func (h *heldConn) with(f func(c *pgx.Conn) error) error {
	return h.conn.Raw(func(dc any) error {
		if cc, ok := dc.(countConn); ok { // tests count statements through a wrapper
			dc = cc.Conn
		}
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: PostgreSQL connection of type %T", dc)
		}
		return f(c.Conn())
	})
}

// drop closes the held connection, telling the pool not to reuse it (its
// session settings are not for other work).
func (h *heldConn) drop() {
	if h.conn == nil {
		return
	}
	_ = h.conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = h.conn.Close()
	h.conn = nil
}

// setupIntakePG sets up the committer's and the syncer's connections and,
// on a migrated database, takes and warms them now, before the first
// signal (else at its batch). Called by Open before either goroutine runs.
func (db *DB) setupIntakePG(ctx context.Context) {
	// The committer's commits are made durable by the syncer's.
	db.intakeConn.setup = []string{`SET synchronous_commit = off`}
	db.intakeConn.warm = []string{pgStored, pgCandidates, pgInsertIncidents, pgJoinIncidents, pgInsertSignals, pgInsertAudit,
		pgInsertEvents, pgEventLock, pgNotify, db.d.q(knownQuery)}
	db.flushConn.warm = []string{pgFlush}
	if pending, err := db.migrate.HasPending(ctx); err == nil && !pending {
		noop := func(*pgx.Conn) error { return nil }
		_ = db.intakeConn.run(ctx, db, noop)
		_ = db.flushConn.run(ctx, db, noop)
	}
}

// flushPG makes every batch committed before it durable (the syncer's
// PostgreSQL half of syncWAL).
func (db *DB) flushPG() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return db.flushConn.run(ctx, db, func(c *pgx.Conn) error {
		_, err := c.Exec(ctx, pgFlush)
		if err == nil {
			db.walSyncs.Add(1)
		}
		return err
	})
}

// signalsUnique is the unique index that refuses a second delivery of the
// same (channel, external id).
const signalsUnique = "signals_channel_external"

func (db *DB) pipelineBatch(ctx context.Context, c *pgx.Conn, batch []*pendingSignal) error {
	// Read, in one round trip: which deliveries are stored already (when
	// the batch holds more than one; a lone one is refused by the unique
	// index) and the candidates of every signal.
	reads := &pgx.Batch{}
	if len(batch) > 1 {
		chans, exts := make([]string, len(batch)), make([]string, len(batch))
		for i, p := range batch {
			chans[i], exts[i] = string(p.sub.Signal.Channel), p.sub.Signal.ExternalID
		}
		reads.Queue(pgStored, chans, exts)
	}
	var cells []int64
	var minLats, maxLats, minLngs, maxLngs []float64
	var sinces []time.Time
	for _, p := range batch {
		a, ok := areaOf(p.sub)
		if !ok {
			continue
		}
		for _, cell := range a.cells {
			cells = append(cells, cell)
			minLats, maxLats, minLngs, maxLngs = append(minLats, a.minLat), append(maxLats, a.maxLat), append(minLngs, a.minLng), append(maxLngs, a.maxLng)
			sinces = append(sinces, a.since)
		}
	}
	if len(cells) > 0 {
		reads.Queue(pgCandidates, cells, minLats, maxLats, minLngs, maxLngs, sinces)
	}
	var stored []*candidate
	storedKeys := map[deliveryKey]bool{}
	if reads.Len() > 0 {
		err := func() error {
			br := c.SendBatch(ctx, reads)
			defer br.Close()
			if len(batch) > 1 {
				rows, err := br.Query()
				if err != nil {
					return err
				}
				for rows.Next() {
					var k deliveryKey
					if err := rows.Scan(&k.ch, &k.ext); err != nil {
						rows.Close()
						return err
					}
					storedKeys[k] = true
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					return err
				}
			}
			if len(cells) == 0 {
				return br.Close()
			}
			rows, err := br.Query()
			if err != nil {
				return err
			}
			read := map[string]bool{}
			for rows.Next() {
				var inc intake.Incident
				var state, outcome string
				var cell int64
				if err := rows.Scan(&inc.ID, &inc.Ref, &inc.ServiceCode, &state, &inc.Lat, &inc.Lng, &inc.LastSignalAt, &inc.DueAt,
					&outcome, &inc.StatusNotes, &inc.SignalCount, &inc.Version, &cell); err != nil {
					rows.Close()
					return err
				}
				if read[inc.ID] {
					continue
				}
				read[inc.ID] = true
				inc.LastSignalAt, inc.DueAt = inc.LastSignalAt.UTC(), inc.DueAt.UTC()
				inc.State, inc.Outcome, inc.Precision = intake.State(state), intake.Outcome(outcome), intake.PrecisionExact
				stored = append(stored, &candidate{inc: &inc, cell: cell})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			return br.Close()
		}()
		if err != nil {
			return err
		}
	}
	if len(storedKeys) > 0 {
		// Stored already: answered with what was stored (rare: a retry of
		// a delivery whose answer was lost), and not filed again.
		batch = db.answerStored(ctx, batch, storedKeys)
		if len(batch) == 0 {
			return nil
		}
	}
	plan := planBatch(batch, stored)
	if err := db.knownPG(ctx, c, plan); err != nil {
		return err
	}
	// Write: every statement and the commit in one round trip.
	b := &pgx.Batch{}
	if n := len(plan.opened); n > 0 {
		cols := make([][]any, 24)
		for i := range cols {
			cols[i] = make([]any, 0, n)
		}
		add := func(v ...any) {
			for i, x := range v {
				cols[i] = append(cols[i], x)
			}
		}
		for _, i := range plan.opened {
			add(i.ID, i.Ref, i.ServiceCode, string(i.State), i.Lat, i.Lng, i.Address, i.District,
				pgNullText(i.DepartmentID), pgNullText(i.RuleID), pgTime(i.OpenedAt), pgTime(i.LastSignalAt), pgTime(i.DueAt), pgTime(i.ClosedAt),
				string(i.Outcome), i.StatusNotes, pgNullText(i.MergedInto), knownJSON(i.Known), int32(i.SignalCount), int32(i.Version), pgTime(i.UpdatedAt),
				precisionOf(i), i.Place, intake.Cell(intake.Point{Lat: i.Lat, Lng: i.Lng}))
		}
		args := make([]any, len(cols))
		for i, col := range cols {
			args[i] = col
		}
		b.Queue(pgInsertIncidents, args...)
	}
	if len(plan.joined) > 0 {
		n := len(plan.joined)
		ids, lasts, dues, counts, ats := make([]string, n), make([]*time.Time, n), make([]*time.Time, n), make([]int32, n), make([]*time.Time, n)
		// In the order of their ids, so that two nodes lock them alike.
		joined := slices.SortedFunc(slices.Values(plan.joined), func(a, b *joinedIncident) int { return strings.Compare(a.id, b.id) })
		for k, j := range joined {
			ids[k], lasts[k], dues[k], counts[k], ats[k] = j.id, pgTime(j.last), pgTime(j.due), int32(j.count), pgTime(j.at)
		}
		b.Queue(pgJoinIncidents, ids, lasts, dues, counts, ats)
	}
	{
		var ids, refs, chans, exts, incs, codes, descs, addrs, photos, phones, reporters, attrs, bys []string
		var lats, lngs []float64
		var reported, received []time.Time
		for _, p := range batch {
			s := p.sub.Signal
			ids, refs, chans, exts = append(ids, s.ID), append(refs, s.Ref), append(chans, string(s.Channel)), append(exts, s.ExternalID)
			incs, codes, descs = append(incs, s.IncidentID), append(codes, s.ServiceCode), append(descs, s.Description)
			lats, lngs = append(lats, s.Lat), append(lngs, s.Lng)
			addrs, photos, phones, reporters = append(addrs, s.Address), append(photos, s.Photo), append(phones, s.PhoneSealed), append(reporters, s.Reporter)
			attrs, bys = append(attrs, attrsJSON(s.Attributes)), append(bys, s.ReceivedBy)
			reported, received = append(reported, s.ReportedAt.UTC().Truncate(time.Microsecond)), append(received, s.ReceivedAt.UTC().Truncate(time.Microsecond))
		}
		b.Queue(pgInsertSignals, ids, refs, chans, exts, incs, codes, descs, lats, lngs, addrs, photos, phones, reporters, attrs, reported, received, bys)
	}
	{
		var ids, actors, names, actions, types, records, ips, details []string
		var ats []time.Time
		for _, e := range db.batchAudits(batch) {
			ids, ats, actors, names = append(ids, e.ID), append(ats, e.At.UTC().Truncate(time.Microsecond)), append(actors, e.ActorID), append(names, e.ActorName)
			actions, types, records, ips, details = append(actions, e.Action), append(types, e.RecordType), append(records, e.RecordID), append(ips, e.IP), append(details, e.Detail)
		}
		if len(ids) > 0 {
			b.Queue(pgInsertAudit, ids, ats, actors, names, actions, types, records, ips, details)
		}
	}
	if len(plan.changed) > 0 {
		at := batch[0].sub.Now
		if at.IsZero() {
			at = db.now()
		}
		b.Queue(pgEventLock, int64(eventLockKey))
		b.Queue(pgNotify, notifyChannel)
		b.Queue(pgInsertEvents, at.UTC().Truncate(time.Microsecond), events.TopicIncident, plan.changed)
	}
	br := c.SendBatch(ctx, b)
	err := func() error {
		if len(plan.opened) > 0 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		if len(plan.joined) > 0 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		// No ON CONFLICT here: a delivery that another node filed
		// meanwhile must fail the statement, so that the implicit
		// transaction rolls back as a whole (its Sync is sent already).
		if _, err := br.Exec(); err != nil {
			var pe *pgconn.PgError
			if errors.As(err, &pe) && pe.Code == "23505" && pe.ConstraintName == signalsUnique {
				return errDuplicateRace
			}
			return err
		}
		for i := 1; i < b.Len()-btoi(len(plan.joined) > 0)-btoi(len(plan.opened) > 0); i++ {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		return nil
	}()
	// Close reads what is left and ends the implicit transaction: on any
	// error above it is rolled back, otherwise committed.
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	for i, p := range batch {
		p.res = plan.results[i]
	}
	return nil
}

// knownPG looks up the "already known" hint of every incident the batch
// opens, as one pipelined batch of reads.
func (db *DB) knownPG(ctx context.Context, c *pgx.Conn, plan *batchPlan) error {
	b := &pgx.Batch{}
	var which []int
	for k, sub := range plan.openers {
		if sub.Known != nil {
			i := plan.opened[k]
			b.Queue(db.d.q(knownQuery), knownArgs(db, intake.Point{Lat: i.Lat, Lng: i.Lng}, sub.Known)...)
			which = append(which, k)
		}
	}
	if len(which) == 0 {
		return nil
	}
	br := c.SendBatch(ctx, b)
	defer br.Close()
	for _, k := range which {
		i, sub := plan.opened[k], plan.openers[k]
		rows, err := br.Query()
		if err != nil {
			return err
		}
		list, err := scanKnown(rows, intake.Point{Lat: i.Lat, Lng: i.Lng}, sub.Known.RadiusM)
		rows.Close()
		if err != nil {
			return err
		}
		i.Known = sub.Known.Pick(i, list)
		sub.NewIncident.Known = i.Known
	}
	return br.Close()
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func pgTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	return &t
}

func pgNullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
