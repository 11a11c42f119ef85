package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
)

// PostgreSQL files a group-commit batch in two round trips instead of two
// a signal: one read of every open incident near any of the batch's
// signals, then every write and the commit sent together as one pipelined
// pgx batch (an implicit transaction that ends at its Sync, committed
// durably before any sender is answered). Which incident each signal joins
// is decided in Go, as filing the signals one after another would decide
// it (planBatch): a later signal sees the incidents the earlier ones of
// the batch opened or joined. Every statement's text is fixed (arrays
// instead of multi-row VALUES), so pgx prepares each once per connection.

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

const pgJoinIncident = `UPDATE incidents SET
	last_signal_at = GREATEST(last_signal_at, $1), due_at = LEAST(due_at, $2),
	signal_count = signal_count + $3, version = version + $3, updated_at = $4 WHERE id = $5`

const pgInsertSignals = `INSERT INTO signals (id, ref, channel, external_id, incident_id, service_code, description, lat, lng,
	address, photo, phone_enc, reporter, attributes, reported_at, received_at, received_by)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[], $9::float8[],
		$10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::timestamptz[], $16::timestamptz[], $17::text[])`

const pgInsertAudit = `INSERT INTO audit_log (id, at, actor_id, actor_name, action, record_type, record_id, ip, detail)
	SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`

const pgInsertEvents = `INSERT INTO events (at, topic, record_id) SELECT $1, $2, unnest($3::text[])`

// fileAllPG is fileAll on PostgreSQL.
func (db *DB) fileAllPG(ctx context.Context, batch []*pendingSignal) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return db.failAll(batch, err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		if cc, ok := dc.(countConn); ok { // tests count statements through a wrapper
			dc = cc.Conn
		}
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: PostgreSQL connection of type %T", dc)
		}
		return db.pipelineBatch(ctx, c.Conn(), batch)
	})
	if err == errDuplicateRace && len(batch) == 1 {
		return err // fileAll answers it with the stored result
	}
	if err != nil {
		if pgconnBroken(err) {
			// The connection may be in an unknown state: the pool drops it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
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

// pgconnBroken reports whether err left the connection in doubt (not an
// error the server answered, after which the connection is fine).
func pgconnBroken(err error) bool {
	var pe *pgconn.PgError
	return err != nil && err != errDuplicateRace && !errors.As(err, &pe)
}

// signalsUnique is the unique index that refuses a second delivery of the
// same (channel, external id).
const signalsUnique = "signals_channel_external"

func (db *DB) pipelineBatch(ctx context.Context, c *pgx.Conn, batch []*pendingSignal) error {
	// Read: one query for the whole batch.
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
	var stored []*candidate
	if len(cells) > 0 {
		rows, err := c.Query(ctx, pgCandidates, cells, minLats, maxLats, minLngs, maxLngs, sinces)
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
	for _, j := range plan.joined {
		b.Queue(pgJoinIncident, pgTime(j.last), pgTime(j.due), int32(j.count), pgTime(j.at), j.id)
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
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, int64(eventLockKey))
		b.Queue(`SELECT pg_notify($1, '')`, notifyChannel)
		b.Queue(pgInsertEvents, at.UTC().Truncate(time.Microsecond), events.TopicIncident, plan.changed)
	}
	br := c.SendBatch(ctx, b)
	err := func() error {
		if len(plan.opened) > 0 {
			if _, err := br.Exec(); err != nil {
				return err
			}
		}
		for range plan.joined {
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
		for i := 1; i < b.Len()-len(plan.joined)-btoi(len(plan.opened) > 0); i++ {
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
