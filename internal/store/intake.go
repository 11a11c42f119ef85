package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
)

const incidentColumns = `id, ref, service_code, state, lat, lng, address, district, department_id, rule_id, opened_at,
	last_signal_at, due_at, closed_at, outcome, status_notes, merged_into, known, signal_count, version, updated_at, loc_precision, loc_place`

func scanIncident(r rowScanner) (*intake.Incident, error) {
	var i intake.Incident
	var state, outcome, known, precision string
	var dept, rule, merged sql.NullString
	err := r.Scan(&i.ID, &i.Ref, &i.ServiceCode, &state, &i.Lat, &i.Lng, &i.Address, &i.District, &dept, &rule,
		scanTime{&i.OpenedAt}, scanTime{&i.LastSignalAt}, scanTime{&i.DueAt}, scanTime{&i.ClosedAt}, &outcome, &i.StatusNotes,
		&merged, &known, &i.SignalCount, &i.Version, scanTime{&i.UpdatedAt}, &precision, &i.Place)
	if err != nil {
		return nil, err
	}
	i.State, i.Outcome, i.Precision = intake.State(state), intake.Outcome(outcome), intake.Precision(precision)
	i.DepartmentID, i.RuleID, i.MergedInto = dept.String, rule.String, merged.String
	if known != "" {
		var k intake.KnownMatch
		if json.Unmarshal([]byte(known), &k) == nil {
			i.Known = &k
		}
	}
	return &i, nil
}

const signalColumns = `s.id, s.ref, s.channel, s.external_id, s.incident_id, s.service_code, s.description, s.lat, s.lng,
	s.address, s.photo, s.phone_enc, s.reporter, s.attributes, s.reported_at, s.received_at, s.received_by`

func scanSignalInto(s *intake.Signal, extra ...any) []any {
	return append([]any{&s.ID, &s.Ref, &s.Channel, &s.ExternalID, &s.IncidentID, &s.ServiceCode, &s.Description, &s.Lat, &s.Lng,
		&s.Address, &s.Photo, &s.PhoneSealed, &s.Reporter, jsonAttrs{&s.Attributes}, scanTime{&s.ReportedAt}, scanTime{&s.ReceivedAt}, &s.ReceivedBy}, extra...)
}

type jsonAttrs struct{ m *map[string]string }

func (j jsonAttrs) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		return nil
	default:
		return fmt.Errorf("store: attributes of type %T", src)
	}
	return json.Unmarshal(b, j.m)
}

func attrsJSON(m map[string]string) string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// pendingSignal is one submission waiting for the group committer.
type pendingSignal struct {
	sub  *intake.Submission
	res  *intake.Result
	err  error
	done chan struct{}
}

// maxBatch bounds one group commit.
const maxBatch = 512

// SubmitSignal implements intake.Store. Concurrent submissions are
// committed together in one transaction (group commit), each in its own
// savepoint; every caller returns only after that commit.
func (db *DB) SubmitSignal(ctx context.Context, sub *intake.Submission) (*intake.Result, error) {
	const op = "store.SubmitSignal"
	p := &pendingSignal{sub: sub, done: make(chan struct{})}
	select {
	case db.signalQ <- p:
	case <-db.stopping:
		return nil, errs.E(errs.Unavailable, op, "err.unavailable")
	case <-ctx.Done():
		return nil, errs.Wrap(errs.Unavailable, op, ctx.Err())
	}
	select {
	case <-p.done:
		return p.res, p.err
	case <-db.stopped:
		return nil, errs.E(errs.Unavailable, op, "err.unavailable")
	case <-ctx.Done():
		// It may still be committed: a retry with the same external id
		// finds it.
		return nil, errs.Wrap(errs.Unavailable, op, ctx.Err())
	}
}

// committer runs the group commits until the database closes.
func (db *DB) committer() {
	defer func() {
		db.intakeConn.drop()
		if db.syncQ != nil {
			close(db.syncQ) // the syncer finishes what is in flight, then stops
		} else {
			close(db.stopped)
		}
	}()
	for {
		select {
		case p := <-db.signalQ:
			db.commitBatch(db.gather(p))
		case <-db.stopping:
			for {
				select {
				case p := <-db.signalQ:
					db.commitBatch(db.gather(p))
				default:
					return
				}
			}
		}
	}
}

// syncer makes committed batches durable: one fsync of the WAL (SQLite),
// or one durable commit (PostgreSQL, flushPG), covers every batch
// committed before it, so while it runs the committer already files the
// next batch. Only then are the senders answered.
func (db *DB) syncer() {
	defer close(db.stopped)
	defer db.flushConn.drop()
	sync := db.syncWAL
	if db.d == postgresDialect {
		sync = db.flushPG
	}
	for b := range db.syncQ {
		batches := [][]*pendingSignal{b}
	more:
		for {
			select {
			case next, ok := <-db.syncQ:
				if !ok {
					break more
				}
				batches = append(batches, next)
			default:
				break more
			}
		}
		err := sync()
		db.wakeEvents()
		for _, batch := range batches {
			for _, p := range batch {
				if err != nil && p.err == nil {
					p.res, p.err = nil, errs.Wrap(errs.Unavailable, "store.SubmitSignal", err)
				}
				close(p.done)
			}
		}
	}
}

// gatherWindow is how long the committer waits for more signals after
// the first of a batch, while the batch is small: each commit writes the
// pages of every table and index it touches to the WAL and waits for an
// fsync, so two signals in one commit cost little more than one. Never
// waited for once a batch holds gatherEnough.
const (
	gatherWindow = time.Millisecond
	gatherEnough = 32
)

func (db *DB) gather(first *pendingSignal) []*pendingSignal {
	batch := []*pendingSignal{first}
	var window *time.Timer
	for len(batch) < maxBatch {
		select {
		case p := <-db.signalQ:
			batch = append(batch, p)
			continue
		default:
		}
		if len(batch) >= gatherEnough {
			break
		}
		if window == nil {
			window = time.NewTimer(gatherWindow)
			defer window.Stop()
		}
		select {
		case p := <-db.signalQ:
			batch = append(batch, p)
			continue
		case <-window.C:
		}
		break
	}
	return batch
}

var errDuplicateRace = errors.New("duplicate delivery committed concurrently")

// hotQueries run inside the group commit on SQLite, prepared once on the
// writer (PostgreSQL sends its own fixed statements, intake_pg.go).
var hotQueries = map[string]string{
	"candidates":     sqliteCandidates,
	"joinIncident":   sqliteJoinIncident,
	"insertIncident": `INSERT INTO incidents (` + incidentColumns + `, cell) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"known":          knownQuery,
}

func (db *DB) commitBatch(batch []*pendingSignal) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The fast path files the whole batch in one transaction. Inputs were
	// validated before they were queued, so a failure here is rare (a
	// duplicate racing in from another node, a full disk): then the batch
	// is filed again one signal a transaction, so that one bad signal
	// cannot fail the others.
	fresh, repeats := db.dedupe(ctx, batch)
	if db.fileAll(ctx, fresh) != nil {
		for _, p := range fresh {
			p.res, p.err = nil, nil
			db.fileAll(ctx, []*pendingSignal{p})
		}
	}
	db.prepareShapes(ctx)
	for p, first := range repeats {
		if first.err != nil {
			p.err = first.err
			continue
		}
		res := *first.res
		res.Duplicate = true
		p.res = &res
	}
	if db.syncQ != nil {
		db.syncQ <- batch
		return
	}
	db.wakeEvents()
	for _, p := range batch {
		close(p.done)
	}
}

// deliveryKey names one delivery: its channel and external id.
type deliveryKey struct{ ch, ext string }

// dedupe takes out of a batch the deliveries that are stored already
// (answered here with the stored result) and the repeats of a delivery
// earlier in the same batch (answered with its result once it is filed,
// via repeats). One indexed read per channel for the whole batch, so a
// retry storm costs the writer little and never breaks the fast path.
// PostgreSQL reads what is stored with the batch's merge candidates, in
// the same round trip (pipelineBatch).
func (db *DB) dedupe(ctx context.Context, batch []*pendingSignal) (fresh []*pendingSignal, repeats map[*pendingSignal]*pendingSignal) {
	if len(batch) == 1 {
		return batch, nil // fileAll answers a lone duplicate from the unique index
	}
	first := make(map[deliveryKey]*pendingSignal, len(batch))
	fresh = batch[:0:0]
	for _, p := range batch {
		k := deliveryKey{string(p.sub.Signal.Channel), p.sub.Signal.ExternalID}
		if f, ok := first[k]; ok {
			if repeats == nil {
				repeats = map[*pendingSignal]*pendingSignal{}
			}
			repeats[p] = f
			continue
		}
		first[k] = p
		fresh = append(fresh, p)
	}
	if db.d == postgresDialect {
		return fresh, repeats
	}
	byChannel := map[string][]any{} // channel → [channel, external ids…]
	for _, p := range fresh {
		ch := string(p.sub.Signal.Channel)
		if byChannel[ch] == nil {
			byChannel[ch] = []any{ch}
		}
		byChannel[ch] = append(byChannel[ch], p.sub.Signal.ExternalID)
	}
	stored := map[deliveryKey]bool{}
	for ch, args := range byChannel {
		query := db.multiRow(`SELECT external_id FROM signals WHERE channel = ? AND external_id IN (`, 1, len(args)-1, `)`)
		rows, err := db.w.QueryContext(ctx, query, args...)
		if err != nil {
			return fresh, repeats // the unique index still refuses duplicates
		}
		for rows.Next() {
			var ext string
			if rows.Scan(&ext) == nil {
				stored[deliveryKey{ch, ext}] = true
			}
		}
		_ = rows.Close()
	}
	return db.answerStored(ctx, fresh, stored), repeats
}

// answerStored answers the signals of batch whose delivery is stored
// already with the stored result and returns the others.
func (db *DB) answerStored(ctx context.Context, batch []*pendingSignal, stored map[deliveryKey]bool) []*pendingSignal {
	if len(stored) == 0 {
		return batch
	}
	kept := batch[:0:0]
	for _, p := range batch {
		s := p.sub.Signal
		if !stored[deliveryKey{string(s.Channel), s.ExternalID}] {
			kept = append(kept, p)
			continue
		}
		res, err := db.existingResult(ctx, db.w, s.Channel, s.ExternalID)
		p.res, p.err = res, translate("store.SubmitSignal", err)
	}
	return kept
}

// fileAll files signals in one transaction, each dialect in its own way
// (intake_sqlite.go, intake_pg.go), both deciding the merges with
// planBatch. On any error it sets err on every pending signal and returns
// the first error; a lone duplicate that raced in is answered with the
// stored result instead.
func (db *DB) fileAll(ctx context.Context, batch []*pendingSignal) error {
	if len(batch) == 0 {
		return nil
	}
	var err error
	if db.d == postgresDialect {
		err = db.fileAllPG(ctx, batch)
	} else {
		err = db.fileAllSQLite(ctx, batch)
	}
	if errors.Is(err, errDuplicateRace) && len(batch) == 1 {
		p := batch[0]
		res, err := db.existingResult(ctx, db.w, p.sub.Signal.Channel, p.sub.Signal.ExternalID)
		p.res, p.err = res, translate("store.SubmitSignal", err)
		return nil
	}
	return err
}

// maxPreparedRows bounds the multi-row statements kept prepared on the
// SQLite writer: execRows cuts a batch into chunks of 64, 32, 16 … 1 rows,
// so seven shapes a table, each prepared once, serve every batch size.
const maxPreparedRows = 64

// execRows runs the multi-row statement "<head>(?, …), (?, …)<tail>" for
// the rows of args (cols values each) inside tx and returns the rows it
// affected. On SQLite the rows go in chunks of prepared shapes (a
// statement of hundreds of rows would be parsed again for every batch);
// PostgreSQL takes them in one statement (pgx caches its statements).
func (db *DB) execRows(ctx context.Context, tx *sql.Tx, head string, cols int, tail string, args []any) (int64, error) {
	if db.d == postgresDialect {
		r, err := tx.ExecContext(ctx, db.multiRow(head, cols, len(args)/cols, tail), args...)
		if err != nil {
			return 0, err
		}
		return r.RowsAffected()
	}
	var n int64
	for len(args) > 0 {
		size := maxPreparedRows
		for size*cols > len(args) {
			size /= 2
		}
		r, err := db.execShape(ctx, tx, db.multiRow(head, cols, size, tail), args[:size*cols]...)
		if err != nil {
			return n, err
		}
		k, err := r.RowsAffected()
		if err != nil {
			return n, err
		}
		n += k
		args = args[size*cols:]
	}
	return n, nil
}

// execShape runs a multi-row statement inside tx, prepared once on the
// SQLite writer.
func (db *DB) execShape(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	st, ok := db.shapeStmts.Load(query)
	if !ok {
		// The writer's one connection is this transaction's: the shape is
		// prepared after the commit (prepareShapes).
		db.shapeWanted.Store(query, true)
		return tx.ExecContext(ctx, query, args...)
	}
	return tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
}

// prepareShapes prepares on the writer the statements execShape met
// unprepared; call it outside any transaction.
func (db *DB) prepareShapes(ctx context.Context) {
	db.shapeWanted.Range(func(k, _ any) bool {
		db.shapeWanted.Delete(k)
		if _, ok := db.shapeStmts.Load(k); ok {
			return true
		}
		st, err := db.w.PrepareContext(ctx, k.(string))
		if err != nil {
			return true // it runs unprepared
		}
		if _, loaded := db.shapeStmts.LoadOrStore(k, st); loaded {
			st.Close()
		}
		return true
	})
}

// signalInsertCols are the columns signalArgs fills.
const signalInsertCols = `id, ref, channel, external_id, incident_id, service_code, description, lat, lng,
		address, photo, phone_enc, reporter, attributes, reported_at, received_at, received_by`

// signalArgs is a signal's row: the one builder of the group commit and
// InsertBulk.
func (db *DB) signalArgs(s *intake.Signal) []any {
	return []any{s.ID, s.Ref, string(s.Channel), s.ExternalID, s.IncidentID, s.ServiceCode, s.Description, s.Lat, s.Lng,
		s.Address, s.Photo, s.PhoneSealed, s.Reporter, attrsJSON(s.Attributes), db.d.t(s.ReportedAt), db.d.t(s.ReceivedAt), s.ReceivedBy}
}

// multiRow builds "<head>(?, …), (?, …)<tail>" for rows rows of cols
// values, in the dialect's placeholders; built once per shape.
func (db *DB) multiRow(head string, cols, rows int, tail string) string {
	key := fmt.Sprintf("%d/%d/%s", cols, rows, head)
	if q, ok := db.shapes.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	b.WriteString(head)
	one := "(?" + strings.Repeat(", ?", cols-1) + ")"
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	b.WriteString(tail)
	q := db.d.q(b.String())
	db.shapes.Store(key, q)
	return q
}

type querier interface {
	execer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) existingResult(ctx context.Context, q querier, ch intake.Channel, ext string) (*intake.Result, error) {
	v, err := db.signalView(ctx, q, `s.channel = ? AND s.external_id = ?`, string(ch), ext)
	if err != nil {
		return nil, err
	}
	inc, err := scanIncident(q.QueryRowContext(ctx, db.d.q(`SELECT `+incidentColumns+` FROM incidents WHERE id = ?`), v.IncidentID))
	if err != nil {
		return nil, err
	}
	sig := v.Signal
	return &intake.Result{Signal: &sig, Incident: inc, Duplicate: true}, nil
}

// knownJSON is the stored form of an incident's "already known" hint.
func knownJSON(k *intake.KnownMatch) string {
	if k == nil {
		return ""
	}
	b, _ := json.Marshal(k)
	return string(b)
}

func (db *DB) insertIncident(ctx context.Context, x execer, i *intake.Incident) error {
	_, err := db.exec(ctx, x, `INSERT INTO incidents (`+incidentColumns+`, cell) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		db.incidentArgs(i)...)
	return err
}

// incidentArgs is an incident's row (incidentColumns, cell): the one
// builder of insertIncident and InsertBulk.
func (db *DB) incidentArgs(i *intake.Incident) []any {
	known := knownJSON(i.Known)
	return []any{i.ID, i.Ref, i.ServiceCode, string(i.State), i.Lat, i.Lng, i.Address, i.District, nullString(i.DepartmentID), nullString(i.RuleID),
		db.d.t(i.OpenedAt), db.d.t(i.LastSignalAt), db.d.t(i.DueAt), db.d.t(i.ClosedAt), string(i.Outcome), i.StatusNotes,
		nullString(i.MergedInto), known, i.SignalCount, i.Version, db.d.t(i.UpdatedAt), precisionOf(i), i.Place,
		intake.Cell(intake.Point{Lat: i.Lat, Lng: i.Lng})}
}

// precisionOf is what is stored of an incident's place: an incident
// without coordinates is unlocated whatever its Go value says, so no
// reader ever takes 0,0 for a place.
func precisionOf(i *intake.Incident) string {
	switch {
	case i.Lat == 0 && i.Lng == 0:
		return string(intake.PrecisionNone)
	case i.Precision == "":
		return string(intake.PrecisionExact)
	}
	return string(i.Precision)
}

func (db *DB) signalView(ctx context.Context, q querier, where string, args ...any) (*intake.SignalView, error) {
	list, err := db.signalViews(ctx, q, " WHERE "+where, 1, args...)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, sql.ErrNoRows
	}
	return list[0], nil
}

// sensitiveSignal is true for a signal of a sensitive kind, or in an
// incident of one (s: signals, i: incidents).
const sensitiveSignal = `EXISTS (SELECT 1 FROM service_settings ss WHERE ss.sensitive = 1 AND ss.service_code IN (s.service_code, i.service_code))`

// signalViews lists signals with their incident's state, newest first;
// where is "" or " WHERE …".
func (db *DB) signalViews(ctx context.Context, q querier, where string, limit int, args ...any) ([]*intake.SignalView, error) {
	return db.signalPage(ctx, q, where, limit, 0, args...)
}

// signalPage is signalViews from the offset-th row on.
func (db *DB) signalPage(ctx context.Context, q querier, where string, limit, offset int, args ...any) ([]*intake.SignalView, error) {
	query := `SELECT ` + signalColumns + `, i.ref, i.state, i.outcome, i.status_notes, i.updated_at, i.due_at, COALESCE(d.name, ''),
		CASE WHEN ` + sensitiveSignal + ` THEN 1 ELSE 0 END
		FROM signals s JOIN incidents i ON i.id = s.incident_id LEFT JOIN departments d ON d.id = i.department_id` +
		where + ` ORDER BY s.received_at DESC, s.id DESC LIMIT ? OFFSET ?`
	args = append(args, limit, offset)
	rows, err := q.QueryContext(ctx, db.d.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*intake.SignalView
	for rows.Next() {
		var v intake.SignalView
		var state, outcome string
		var sensitive int
		if err := rows.Scan(scanSignalInto(&v.Signal, &v.IncidentRef, &state, &outcome, &v.StatusNotes, scanTime{&v.UpdatedAt}, scanTime{&v.DueAt}, &v.Department, &sensitive)...); err != nil {
			return nil, err
		}
		v.Sensitive = sensitive != 0
		v.State, v.Outcome = intake.State(state), intake.Outcome(outcome)
		out = append(out, &v)
	}
	return out, rows.Err()
}

// SignalByRef implements intake.Store.
func (db *DB) SignalByRef(ctx context.Context, ref string) (*intake.SignalView, error) {
	v, err := db.signalView(ctx, db.r, `s.ref = ?`, ref)
	return v, translate("store.SignalByRef", err)
}

// SignalByExternal implements intake.Store. Every delivery asks it first,
// and almost always the answer is no: a cheap prepared check runs before
// the full read.
func (db *DB) SignalByExternal(ctx context.Context, ch intake.Channel, ext string) (*intake.SignalView, error) {
	var one int
	if err := db.readRow(ctx, `SELECT 1 FROM signals WHERE channel = ? AND external_id = ?`, string(ch), ext).Scan(&one); err != nil {
		return nil, translate("store.SignalByExternal", err)
	}
	v, err := db.signalView(ctx, db.r, `s.channel = ? AND s.external_id = ?`, string(ch), ext)
	return v, translate("store.SignalByExternal", err)
}

// ListSignals implements intake.Store.
func (db *DB) ListSignals(ctx context.Context, f intake.SignalFilter) ([]*intake.SignalView, error) {
	var w filter
	w.in("s.ref", f.Refs)
	if f.ServiceCode != "" {
		w.add("s.service_code = ?", f.ServiceCode)
	}
	w.in("s.service_code", f.ServiceCodes)
	if f.Channel != "" {
		w.add("s.channel = ?", string(f.Channel))
	}
	if !f.Since.IsZero() {
		w.add("s.reported_at >= ?", db.d.t(f.Since))
	}
	if !f.Until.IsZero() {
		w.add("s.reported_at <= ?", db.d.t(f.Until))
	}
	if f.Updated {
		// Changed after the signal came in and moved on from "accepted"
		// (or given notes): another report joining it is no news.
		w.add("i.updated_at > s.received_at AND (i.state <> 'accepted' OR i.status_notes <> '')")
	}
	if !f.UpdatedSince.IsZero() {
		w.add("i.updated_at >= ?", db.d.t(f.UpdatedSince))
	}
	if !f.UpdatedUntil.IsZero() {
		w.add("i.updated_at <= ?", db.d.t(f.UpdatedUntil))
	}
	if f.HideSensitive {
		w.add("NOT " + sensitiveSignal)
	}
	switch f.Status {
	case "open":
		w.add("i.state NOT IN ('closed', 'merged')")
	case "closed":
		w.add("i.state IN ('closed', 'merged')")
	}
	limit := f.Limit
	if limit <= 0 || limit > intake.MaxSignalList {
		limit = intake.MaxSignalList
	}
	list, err := db.signalPage(ctx, db.r, w.sql(), limit, max(f.Offset, 0), w.args...)
	return list, translate("store.ListSignals", err)
}

// SignalsOfIncident implements intake.Store.
func (db *DB) SignalsOfIncident(ctx context.Context, incidentID string) ([]*intake.Signal, error) {
	list, err := db.signalsOf(ctx, db.r, incidentID)
	return list, translate("store.SignalsOfIncident", err)
}

func (db *DB) signalsOf(ctx context.Context, q querier, incidentID string) ([]*intake.Signal, error) {
	return list(ctx, db, q, "store.signalsOf", `SELECT `+signalColumns+` FROM signals s WHERE s.incident_id = ? ORDER BY s.reported_at, s.id`,
		func(r rowScanner) (*intake.Signal, error) {
			var s intake.Signal
			return &s, r.Scan(scanSignalInto(&s)...)
		}, incidentID)
}

// IncidentByID implements intake.Store.
func (db *DB) IncidentByID(ctx context.Context, id string) (*intake.Incident, error) {
	inc, err := scanIncident(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+incidentColumns+` FROM incidents WHERE id = ?`), id))
	return inc, translate("store.IncidentByID", err)
}

// IncidentByRef returns an incident by its reference.
func (db *DB) IncidentByRef(ctx context.Context, ref string) (*intake.Incident, error) {
	inc, err := scanIncident(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+incidentColumns+` FROM incidents WHERE ref = ?`), ref))
	return inc, translate("store.IncidentByRef", err)
}

// ListIncidents implements intake.Store.
func (db *DB) ListIncidents(ctx context.Context, f intake.IncidentFilter) ([]*intake.Incident, error) {
	var w filter
	if len(f.States) > 0 {
		states := make([]string, len(f.States))
		for i, st := range f.States {
			states[i] = string(st)
		}
		w.in("state", states)
	} else {
		w.add("state <> 'merged'")
	}
	if f.ServiceCode != "" {
		w.add("service_code = ?", f.ServiceCode)
	}
	if f.District != "" {
		w.add("district = ?", f.District)
	}
	if f.Channel != "" {
		w.add("EXISTS (SELECT 1 FROM signals s WHERE s.incident_id = incidents.id AND s.channel = ?)", string(f.Channel))
	}
	if !f.Since.IsZero() {
		w.add("last_signal_at >= ?", db.d.t(f.Since))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	// Closed incidents list by when they closed (the board links here for
	// "all closed"), the others by their last signal.
	order := ` ORDER BY last_signal_at DESC, id DESC`
	if len(f.States) == 1 && f.States[0] == intake.StateClosed {
		order = ` ORDER BY closed_at DESC, id DESC`
	}
	return list(ctx, db, db.r, "store.ListIncidents", `SELECT `+incidentColumns+` FROM incidents`+w.sql()+order+` LIMIT ? OFFSET ?`,
		scanIncident, append(w.args, limit, max(f.Offset, 0))...)
}

// UpdateIncident implements intake.Store.
func (db *DB) UpdateIncident(ctx context.Context, inc *intake.Incident, notices func([]*intake.Signal) []*intake.Delivery, e audit.Entry) error {
	const op = "store.UpdateIncident"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE incidents SET state = ?, outcome = ?, status_notes = ?, closed_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, string(inc.State), string(inc.Outcome), inc.StatusNotes, db.d.t(inc.ClosedAt), db.d.t(inc.UpdatedAt), inc.ID, inc.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		sigs, err := db.signalsOf(ctx, tx, inc.ID)
		if err != nil {
			return err
		}
		for _, d := range notices(sigs) {
			if err := db.insertDelivery(ctx, tx, d); err != nil {
				return err
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicIncident, inc.ID)
	})
}

const knownQuery = `SELECT ` + incidentColumns + ` FROM incidents
	WHERE cell IN (?, ?, ?, ?, ?, ?, ?, ?, ?) AND opened_at >= ? AND lat BETWEEN ? AND ? AND lng BETWEEN ? AND ?
	AND outcome IN ('helped', 'refused', 'already_known', 'to_station')
	ORDER BY opened_at DESC LIMIT 50`

// KnownIncidentsNear implements intake.Store. radiusM is capped at
// intake.MaxMergeRadiusM (the grid's reach). It reads a partial index of
// the incidents with such an outcome (incidents_known_cell), not every
// incident opened nearby.
func (db *DB) KnownIncidentsNear(ctx context.Context, p intake.Point, radiusM float64, since time.Time) ([]*intake.Incident, error) {
	st, err := db.readStmt(ctx, knownQuery)
	if err != nil {
		return nil, translate("store.KnownIncidentsNear", err)
	}
	rows, err := st.QueryContext(ctx, knownArgs(db, p, &intake.KnownLookup{RadiusM: radiusM, Since: since})...)
	if err != nil {
		return nil, translate("store.KnownIncidentsNear", err)
	}
	defer rows.Close()
	list, err := scanKnown(rows, p, radiusM)
	return list, translate("store.KnownIncidentsNear", err)
}

func knownArgs(db *DB, p intake.Point, l *intake.KnownLookup) []any {
	minLat, minLng, maxLat, maxLng := intake.Box(p, l.RadiusM)
	args := make([]any, 0, 14)
	for _, c := range intake.NearCells(p) {
		args = append(args, c)
	}
	return append(args, db.d.t(l.Since), minLat, maxLat, minLng, maxLng)
}

// scanKnown reads the incidents of knownQuery within radiusM of p.
func scanKnown(rows rowsScanner, p intake.Point, radiusM float64) ([]*intake.Incident, error) {
	var out []*intake.Incident
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		if intake.Distance(p, intake.Point{Lat: inc.Lat, Lng: inc.Lng}) <= radiusM {
			out = append(out, inc)
		}
	}
	return out, rows.Err()
}

// rowsScanner is the part of *sql.Rows and pgx.Rows that scanKnown uses.
type rowsScanner interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// PlaceIncident implements intake.Store.
func (db *DB) PlaceIncident(ctx context.Context, inc *intake.Incident, note string, e audit.Entry) error {
	const op = "store.PlaceIncident"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE incidents SET lat = ?, lng = ?, cell = ?, loc_precision = ?, loc_place = ?, district = ?,
			department_id = ?, rule_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state <> 'merged'`,
			inc.Lat, inc.Lng, intake.Cell(intake.Point{Lat: inc.Lat, Lng: inc.Lng}), precisionOf(inc), inc.Place, inc.District,
			nullString(inc.DepartmentID), nullString(inc.RuleID), db.d.t(inc.UpdatedAt), inc.ID, inc.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO incident_notes (id, incident_id, at, kind, author_name, text) VALUES (?, ?, ?, ?, ?, ?)`,
			id.New(), inc.ID, db.d.t(inc.UpdatedAt), "location", e.ActorName, note); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, inc.UpdatedAt, events.TopicIncident, inc.ID)
	})
}

// Merge implements intake.Store.
func (db *DB) Merge(ctx context.Context, o *intake.Op, e audit.Entry) error {
	const op = "store.Merge"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		// An incident a team is on is not folded away: its team would be
		// left working on a merged record. The other merges into it.
		var team sql.NullString
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT team_id FROM incidents WHERE id = ?`), o.From).Scan(&team); err != nil {
			return err
		}
		if team.Valid {
			return errs.E(errs.Conflict, op, "err.merge_assigned")
		}
		sigs, err := db.signalsOf(ctx, tx, o.From)
		if err != nil {
			return err
		}
		for _, s := range sigs {
			o.SignalIDs = append(o.SignalIDs, s.ID)
		}
		if err := db.moveSignals(ctx, tx, o.SignalIDs, o.To); err != nil {
			return err
		}
		r, err := db.exec(ctx, tx, `UPDATE incidents SET state = 'merged', merged_into = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND state NOT IN ('closed', 'merged')`, o.To, db.d.t(o.At), o.From)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.merge_closed")
		}
		if err := db.recount(ctx, tx, o.To, o.From); err != nil {
			return err
		}
		if err := db.insertOp(ctx, tx, o); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicIncident, o.From, o.To)
	})
}

// Split implements intake.Store.
func (db *DB) Split(ctx context.Context, o *intake.Op, n *intake.Incident, e audit.Entry) error {
	return db.tx(ctx, "store.Split", func(tx *sql.Tx) error {
		if err := db.insertIncident(ctx, tx, n); err != nil {
			return err
		}
		if err := db.moveSignals(ctx, tx, o.SignalIDs, n.ID); err != nil {
			return err
		}
		if err := db.recount(ctx, tx, o.From, n.ID); err != nil {
			return err
		}
		if err := db.insertOp(ctx, tx, o); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicIncident, o.From, n.ID)
	})
}

// UndoOp implements intake.Store.
func (db *DB) UndoOp(ctx context.Context, opID string, at time.Time, e audit.Entry) (*intake.Op, error) {
	const op = "store.UndoOp"
	var o *intake.Op
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		var err error
		o, err = db.opByID(ctx, tx, opID)
		if err != nil {
			return err
		}
		if !o.UndoneAt.IsZero() {
			return errs.E(errs.Conflict, op, "err.already_undone")
		}
		switch o.Kind {
		case "merge":
			// The merged incident comes back with its own signals.
			if err := db.moveSignals(ctx, tx, o.SignalIDs, o.From); err != nil {
				return err
			}
			if _, err := db.exec(ctx, tx, `UPDATE incidents SET state = ?, merged_into = NULL, version = version + 1, updated_at = ? WHERE id = ?`,
				string(o.PrevState), db.d.t(at), o.From); err != nil {
				return err
			}
		case "split":
			if err := db.moveSignals(ctx, tx, o.SignalIDs, o.From); err != nil {
				return err
			}
			// The split-off incident is kept, never deleted, as merged back.
			if _, err := db.exec(ctx, tx, `UPDATE incidents SET state = 'merged', merged_into = ?, version = version + 1, updated_at = ? WHERE id = ?`,
				o.From, db.d.t(at), o.To); err != nil {
				return err
			}
		}
		if err := db.recount(ctx, tx, o.From, o.To); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE incident_ops SET undone_at = ? WHERE id = ?`, db.d.t(at), o.ID); err != nil {
			return err
		}
		o.UndoneAt = at
		e.RecordID = o.From
		e.Detail = "undo " + o.Kind + " " + o.ID
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicIncident, o.From, o.To)
	})
	return o, err
}

func (db *DB) moveSignals(ctx context.Context, tx *sql.Tx, ids []string, to string) error {
	for _, id := range ids {
		if _, err := db.exec(ctx, tx, `UPDATE signals SET incident_id = ? WHERE id = ?`, to, id); err != nil {
			return err
		}
	}
	return nil
}

// recount refreshes signal counts and last-signal times after a move.
func (db *DB) recount(ctx context.Context, tx *sql.Tx, ids ...string) error {
	for _, id := range ids {
		_, err := db.exec(ctx, tx, `UPDATE incidents SET
			signal_count = (SELECT count(*) FROM signals WHERE incident_id = ?),
			last_signal_at = COALESCE((SELECT max(reported_at) FROM signals WHERE incident_id = ?), last_signal_at)
			WHERE id = ?`, id, id, id)
		if err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) insertOp(ctx context.Context, tx *sql.Tx, o *intake.Op) error {
	_, err := db.exec(ctx, tx, `INSERT INTO incident_ops (id, kind, from_id, to_id, signal_ids, prev_state, actor_name, at, undone_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, o.ID, o.Kind, o.From, o.To, strings.Join(o.SignalIDs, " "), string(o.PrevState), o.ActorName,
		db.d.t(o.At), db.d.t(o.UndoneAt))
	return err
}

const opColumns = `id, kind, from_id, to_id, signal_ids, prev_state, actor_name, at, undone_at`

func scanOp(r rowScanner) (*intake.Op, error) {
	var o intake.Op
	var ids, prev string
	if err := r.Scan(&o.ID, &o.Kind, &o.From, &o.To, &ids, &prev, &o.ActorName, scanTime{&o.At}, scanTime{&o.UndoneAt}); err != nil {
		return nil, err
	}
	o.SignalIDs = strings.Fields(ids)
	o.PrevState = intake.State(prev)
	return &o, nil
}

func (db *DB) opByID(ctx context.Context, q querier, id string) (*intake.Op, error) {
	return scanOp(q.QueryRowContext(ctx, db.d.q(`SELECT `+opColumns+` FROM incident_ops WHERE id = ?`), id))
}

// OpsOfIncident implements intake.Store.
func (db *DB) OpsOfIncident(ctx context.Context, incidentID string) ([]*intake.Op, error) {
	return list(ctx, db, db.r, "store.OpsOfIncident", `SELECT `+opColumns+` FROM incident_ops WHERE from_id = ? OR to_id = ? ORDER BY at DESC, id DESC`,
		scanOp, incidentID, incidentID)
}

// ListRules implements intake.Store.
func (db *DB) ListRules(ctx context.Context) ([]*intake.Rule, error) {
	return list(ctx, db, db.r, "store.ListRules", `SELECT id, name, department_id, district, polygon, service_codes, priority FROM routing_rules ORDER BY priority, name`,
		func(row rowScanner) (*intake.Rule, error) {
			var r intake.Rule
			var poly, codes string
			err := row.Scan(&r.ID, &r.Name, &r.DepartmentID, &r.District, &poly, &codes, &r.Priority)
			r.Polygon, _ = intake.ParsePolygon(poly)
			r.ServiceCodes = strings.Fields(codes)
			return &r, err
		})
}

// CreateRule implements intake.Store.
func (db *DB) CreateRule(ctx context.Context, r *intake.Rule, e audit.Entry) error {
	var poly []string
	for _, p := range r.Polygon {
		poly = append(poly, fmt.Sprintf("%.6f,%.6f", p.Lat, p.Lng))
	}
	return db.tx(ctx, "store.CreateRule", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO routing_rules (id, name, department_id, district, polygon, service_codes, priority) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.Name, r.DepartmentID, r.District, strings.Join(poly, ";"), strings.Join(r.ServiceCodes, " "), r.Priority)
		if err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// SensitiveServices implements intake.Store.
func (db *DB) SensitiveServices(ctx context.Context) ([]string, error) {
	return list(ctx, db, db.r, "store.SensitiveServices", `SELECT service_code FROM service_settings WHERE sensitive = 1 ORDER BY service_code`,
		func(row rowScanner) (string, error) {
			var c string
			return c, row.Scan(&c)
		})
}

// SetSensitiveServices implements intake.Store: codes become the whole
// list of sensitive kinds.
func (db *DB) SetSensitiveServices(ctx context.Context, codes []string, e audit.Entry) error {
	return db.tx(ctx, "store.SetSensitiveServices", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `UPDATE service_settings SET sensitive = 0`); err != nil {
			return err
		}
		for _, c := range codes {
			if _, err := db.exec(ctx, tx, `INSERT INTO service_settings (service_code, sensitive) VALUES (?, 1)
				ON CONFLICT (service_code) DO UPDATE SET sensitive = 1`, c); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}
