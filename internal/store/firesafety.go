package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/firesafety"
)

// Fire safety's records (internal/firesafety). Lists of ids and checklist
// items are kept comma-separated: they are short and read whole.

func joinList(xs []string) string { return strings.Join(xs, ",") }

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// ---- the register ----

const equipmentCols = `id, code, kind, name, location, ext_type, manufactured_on, installed_on, last_service_on, last_checked_on,
	installed_count, spare_count, note, created_at`

func scanEquipment(r rowScanner) (*firesafety.Equipment, error) {
	var e firesafety.Equipment
	err := r.Scan(&e.ID, &e.Code, &e.Kind, &e.Name, &e.Location, &e.ExtType, &e.ManufacturedOn, &e.InstalledOn, &e.LastServiceOn, &e.LastCheckedOn,
		&e.Installed, &e.Spares, &e.Note, scanTime{&e.CreatedAt})
	return &e, err
}

// AddEquipment implements firesafety.Store.
func (db *DB) AddEquipment(ctx context.Context, e *firesafety.Equipment, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddEquipment", a, `INSERT INTO fire_equipment (`+equipmentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.Code, e.Kind, e.Name, e.Location, e.ExtType, e.ManufacturedOn, e.InstalledOn, e.LastServiceOn, e.LastCheckedOn, e.Installed, e.Spares,
		e.Note, db.d.t(e.CreatedAt))
}

// Equipment implements firesafety.Store.
func (db *DB) Equipment(ctx context.Context) ([]*firesafety.Equipment, error) {
	return list(ctx, db, db.r, "store.Equipment", `SELECT `+equipmentCols+` FROM fire_equipment ORDER BY code`, scanEquipment)
}

// EquipmentByID implements firesafety.Store.
func (db *DB) EquipmentByID(ctx context.Context, id string) (*firesafety.Equipment, error) {
	e, err := scanEquipment(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+equipmentCols+` FROM fire_equipment WHERE id = ?`), id))
	if err != nil {
		return nil, notFound("store.EquipmentByID", err)
	}
	return e, nil
}

// AddEquipmentEvent implements firesafety.Store.
func (db *DB) AddEquipmentEvent(ctx context.Context, ev *firesafety.Event, a audit.Entry) error {
	const op = "store.AddEquipmentEvent"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		var upd string
		var args []any
		switch ev.Kind {
		case firesafety.EventCheck:
			upd, args = `UPDATE fire_equipment SET last_checked_on = ? WHERE id = ? AND last_checked_on < ?`, []any{ev.On, ev.EquipmentID, ev.On}
		case firesafety.EventService:
			upd, args = `UPDATE fire_equipment SET last_service_on = ? WHERE id = ? AND last_service_on < ?`, []any{ev.On, ev.EquipmentID, ev.On}
		case firesafety.EventReplacement:
			upd, args = `UPDATE fire_equipment SET spare_count = spare_count - ? WHERE id = ? AND spare_count >= ?`, []any{ev.Count, ev.EquipmentID, ev.Count}
		case firesafety.EventSpares:
			upd, args = `UPDATE fire_equipment SET spare_count = spare_count + ? WHERE id = ?`, []any{ev.Count, ev.EquipmentID}
		}
		if upd != "" {
			res, err := db.exec(ctx, tx, upd, args...)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 && ev.Kind == firesafety.EventReplacement {
				return errs.E(errs.Conflict, op, "fire.err_spares_left")
			}
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO fire_equipment_events (id, equipment_id, kind, on_day, count, ok, note, by_name, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, ev.ID, ev.EquipmentID, ev.Kind, ev.On, ev.Count, boolInt(ev.OK), ev.Note, ev.By, db.d.t(ev.At)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a)
	})
}

// EquipmentEvents implements firesafety.Store: newest first.
func (db *DB) EquipmentEvents(ctx context.Context, equipmentID string) ([]*firesafety.Event, error) {
	return list(ctx, db, db.r, "store.EquipmentEvents", `SELECT id, equipment_id, kind, on_day, count, ok, note, by_name, at FROM fire_equipment_events
		WHERE equipment_id = ? ORDER BY on_day DESC, at DESC`, func(r rowScanner) (*firesafety.Event, error) {
		var e firesafety.Event
		var ok int
		err := r.Scan(&e.ID, &e.EquipmentID, &e.Kind, &e.On, &e.Count, &ok, &e.Note, &e.By, scanTime{&e.At})
		e.OK = ok == 1
		return &e, err
	}, equipmentID)
}

// AddFireTest implements firesafety.Store.
func (db *DB) AddFireTest(ctx context.Context, t *firesafety.Test, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddFireTest", a, `INSERT INTO fire_tests (id, on_day, company, cert_no, passed, note, report, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.On, t.Company, t.CertNo, boolInt(t.Passed), t.Note, t.Report, t.By, db.d.t(t.At))
}

// FireTests implements firesafety.Store: newest first.
func (db *DB) FireTests(ctx context.Context) ([]*firesafety.Test, error) {
	return list(ctx, db, db.r, "store.FireTests", `SELECT id, on_day, company, cert_no, passed, note, report, by_name, at FROM fire_tests
		ORDER BY on_day DESC`, func(r rowScanner) (*firesafety.Test, error) {
		var t firesafety.Test
		var passed int
		err := r.Scan(&t.ID, &t.On, &t.Company, &t.CertNo, &passed, &t.Note, &t.Report, &t.By, scanTime{&t.At})
		t.Passed = passed == 1
		return &t, err
	})
}

// ---- patrols ----

func scanCheckpoint(r rowScanner) (*firesafety.Checkpoint, error) {
	var c firesafety.Checkpoint
	var active int
	err := r.Scan(&c.ID, &c.Code, &c.Name, &c.Seq, &active)
	c.Active = active == 1
	return &c, err
}

// AddCheckpoint implements firesafety.Store.
func (db *DB) AddCheckpoint(ctx context.Context, c *firesafety.Checkpoint, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddCheckpoint", a, `INSERT INTO fire_checkpoints (id, code, name, seq, active) VALUES (?, ?, ?, ?, ?)`,
		c.ID, c.Code, c.Name, c.Seq, boolInt(c.Active))
}

// Checkpoints implements firesafety.Store: in the round's order.
func (db *DB) Checkpoints(ctx context.Context) ([]*firesafety.Checkpoint, error) {
	return list(ctx, db, db.r, "store.Checkpoints", `SELECT id, code, name, seq, active FROM fire_checkpoints ORDER BY seq, code`, scanCheckpoint)
}

// CheckpointByCode implements firesafety.Store.
func (db *DB) CheckpointByCode(ctx context.Context, code string) (*firesafety.Checkpoint, error) {
	c, err := scanCheckpoint(db.r.QueryRowContext(ctx, db.d.q(`SELECT id, code, name, seq, active FROM fire_checkpoints WHERE code = ?`), code))
	if err != nil {
		return nil, notFound("store.CheckpointByCode", err)
	}
	return c, nil
}

const scanCols = `s.id, s.client_id, s.round_id, s.checkpoint_id, c.name, s.seq, s.at, s.by_id, s.by_name, s.night, s.problems, s.note, s.photo, s.out_of_seq`

func scanScan(r rowScanner) (*firesafety.Scan, error) {
	var s firesafety.Scan
	var night, oos int
	var problems string
	err := r.Scan(&s.ID, &s.ClientID, &s.RoundID, &s.CheckpointID, &s.CheckpointName, &s.Seq, scanTime{&s.At}, &s.ByID, &s.By, &night, &problems,
		&s.Note, &s.Photo, &oos)
	s.Night, s.OutOfSeq, s.Problems = night == 1, oos == 1, splitList(problems)
	return &s, err
}

// AddScan implements firesafety.Store.
func (db *DB) AddScan(ctx context.Context, s *firesafety.Scan, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddScan", a, `INSERT INTO fire_scans (id, client_id, round_id, checkpoint_id, seq, at, by_id, by_name, night,
		problems, note, photo, out_of_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.ClientID, s.RoundID, s.CheckpointID, s.Seq,
		db.d.t(s.At), s.ByID, s.By, boolInt(s.Night), joinList(s.Problems), s.Note, s.Photo, boolInt(s.OutOfSeq))
}

func (db *DB) scanWhere(ctx context.Context, op, where string, args ...any) (*firesafety.Scan, error) {
	s, err := scanScan(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+scanCols+` FROM fire_scans s JOIN fire_checkpoints c ON c.id = s.checkpoint_id
		WHERE `+where), args...))
	if err != nil {
		return nil, notFound(op, err)
	}
	return s, nil
}

// ScanByClientID implements firesafety.Store.
func (db *DB) ScanByClientID(ctx context.Context, clientID string) (*firesafety.Scan, error) {
	return db.scanWhere(ctx, "store.ScanByClientID", `s.client_id = ?`, clientID)
}

// LastScan implements firesafety.Store (fire_scans_at).
func (db *DB) LastScan(ctx context.Context) (*firesafety.Scan, error) {
	return db.scanWhere(ctx, "store.LastScan", `s.at = (SELECT MAX(at) FROM fire_scans) ORDER BY s.id DESC LIMIT 1`)
}

// Scans implements firesafety.Store (fire_scans_at).
func (db *DB) Scans(ctx context.Context, from, to time.Time) ([]*firesafety.Scan, error) {
	return list(ctx, db, db.r, "store.Scans", `SELECT `+scanCols+` FROM fire_scans s JOIN fire_checkpoints c ON c.id = s.checkpoint_id
		WHERE s.at >= ? AND s.at <= ? ORDER BY s.at, s.id`, scanScan, db.d.t(from), db.d.t(to))
}

// ---- inspections and hazards ----

// AddInspection implements firesafety.Store.
func (db *DB) AddInspection(ctx context.Context, in *firesafety.Inspection, hs []*firesafety.Hazard, a audit.Entry) error {
	return db.tx(ctx, "store.AddInspection", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO fire_inspections (id, on_day, inspector, responsible, summary, findings, by_name, at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, in.ID, in.On, in.Inspector, in.Responsible, in.Summary, in.Findings, in.By, db.d.t(in.At)); err != nil {
			return err
		}
		for _, h := range hs {
			if err := db.insertHazard(ctx, tx, h); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, a)
	})
}

// Inspections implements firesafety.Store: newest first.
func (db *DB) Inspections(ctx context.Context, from, to string) ([]*firesafety.Inspection, error) {
	return list(ctx, db, db.r, "store.Inspections", `SELECT id, on_day, inspector, responsible, summary, findings, by_name, at FROM fire_inspections
		WHERE on_day >= ? AND on_day <= ? ORDER BY on_day DESC, at DESC`, func(r rowScanner) (*firesafety.Inspection, error) {
		var in firesafety.Inspection
		err := r.Scan(&in.ID, &in.On, &in.Inspector, &in.Responsible, &in.Summary, &in.Findings, &in.By, scanTime{&in.At})
		return &in, err
	}, from, to)
}

const hazardCols = `id, found_on, source, source_id, location, description, fixed_on_spot, measure, deadline, owner, funds_fen,
	recheck_on, recheck_by, recheck_ok, recheck_note, created_at`

func scanHazard(r rowScanner) (*firesafety.Hazard, error) {
	var h firesafety.Hazard
	var fixed, ok int
	err := r.Scan(&h.ID, &h.FoundOn, &h.Source, &h.SourceID, &h.Location, &h.Description, &fixed, &h.Measure, &h.Deadline, &h.Owner, &h.FundsFen,
		&h.RecheckOn, &h.RecheckBy, &ok, &h.RecheckNote, scanTime{&h.CreatedAt})
	h.FixedOnSpot, h.RecheckOK = fixed == 1, ok == 1
	return &h, err
}

func (db *DB) insertHazard(ctx context.Context, tx *sql.Tx, h *firesafety.Hazard) error {
	_, err := db.exec(ctx, tx, `INSERT INTO fire_hazards (`+hazardCols+`, closed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		h.ID, h.FoundOn, h.Source, h.SourceID, h.Location, h.Description, boolInt(h.FixedOnSpot), h.Measure, h.Deadline, h.Owner, h.FundsFen,
		h.RecheckOn, h.RecheckBy, boolInt(h.RecheckOK), h.RecheckNote, db.d.t(h.CreatedAt), boolInt(h.Closed()))
	return err
}

// AddHazard implements firesafety.Store.
func (db *DB) AddHazard(ctx context.Context, h *firesafety.Hazard, a audit.Entry) error {
	return db.tx(ctx, "store.AddHazard", func(tx *sql.Tx) error {
		if err := db.insertHazard(ctx, tx, h); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a)
	})
}

// HazardByID implements firesafety.Store.
func (db *DB) HazardByID(ctx context.Context, id string) (*firesafety.Hazard, error) {
	h, err := scanHazard(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+hazardCols+` FROM fire_hazards WHERE id = ?`), id))
	if err != nil {
		return nil, notFound("store.HazardByID", err)
	}
	return h, nil
}

// UpdateHazard implements firesafety.Store.
func (db *DB) UpdateHazard(ctx context.Context, h *firesafety.Hazard, a audit.Entry) error {
	return db.tx(ctx, "store.UpdateHazard", func(tx *sql.Tx) error {
		if err := mustAffect(db.exec(ctx, tx, `UPDATE fire_hazards SET measure = ?, deadline = ?, owner = ?, funds_fen = ?, recheck_on = ?,
			recheck_by = ?, recheck_ok = ?, recheck_note = ?, closed = ? WHERE id = ?`, h.Measure, h.Deadline, h.Owner, h.FundsFen, h.RecheckOn,
			h.RecheckBy, boolInt(h.RecheckOK), h.RecheckNote, boolInt(h.Closed()), h.ID)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a)
	})
}

// Hazards implements firesafety.Store (fire_hazards_open): the open ones
// and those found since since, newest first.
func (db *DB) Hazards(ctx context.Context, since string) ([]*firesafety.Hazard, error) {
	return list(ctx, db, db.r, "store.Hazards", `SELECT `+hazardCols+` FROM fire_hazards WHERE closed = 0 OR found_on >= ?
		ORDER BY found_on DESC, created_at DESC`, scanHazard, since)
}

// ---- people, training, drills, roster ----

// AddFirePerson implements firesafety.Store.
func (db *DB) AddFirePerson(ctx context.Context, p *firesafety.Person, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddFirePerson", a, `INSERT INTO fire_people (id, name, operator, micro, cert_no, cert_expires, starts_on, active)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Name, boolInt(p.Operator), boolInt(p.Micro), p.CertNo, p.CertExpires, p.StartsOn, boolInt(p.Active))
}

// FirePeople implements firesafety.Store.
func (db *DB) FirePeople(ctx context.Context) ([]*firesafety.Person, error) {
	return list(ctx, db, db.r, "store.FirePeople", `SELECT id, name, operator, micro, cert_no, cert_expires, starts_on, active FROM fire_people
		ORDER BY name`, func(r rowScanner) (*firesafety.Person, error) {
		var p firesafety.Person
		var op, mi, ac int
		err := r.Scan(&p.ID, &p.Name, &op, &mi, &p.CertNo, &p.CertExpires, &p.StartsOn, &ac)
		p.Operator, p.Micro, p.Active = op == 1, mi == 1, ac == 1
		return &p, err
	})
}

// AddTraining implements firesafety.Store.
func (db *DB) AddTraining(ctx context.Context, t *firesafety.Training, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddTraining", a, `INSERT INTO fire_trainings (id, on_day, topic, trainer, attendees, others, by_name, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.On, t.Topic, t.Trainer, joinList(t.Attendees), t.Others, t.By, db.d.t(t.At))
}

// Trainings implements firesafety.Store: newest first.
func (db *DB) Trainings(ctx context.Context, since string) ([]*firesafety.Training, error) {
	return list(ctx, db, db.r, "store.Trainings", `SELECT id, on_day, topic, trainer, attendees, others, by_name, at FROM fire_trainings
		WHERE on_day >= ? ORDER BY on_day DESC, at DESC`, func(r rowScanner) (*firesafety.Training, error) {
		var t firesafety.Training
		var att string
		err := r.Scan(&t.ID, &t.On, &t.Topic, &t.Trainer, &att, &t.Others, &t.By, scanTime{&t.At})
		t.Attendees = splitList(att)
		return &t, err
	}, since)
}

// AddDrill implements firesafety.Store.
func (db *DB) AddDrill(ctx context.Context, d *firesafety.Drill, a audit.Entry) error {
	return db.insertAudited(ctx, "store.AddDrill", a, `INSERT INTO fire_drills (id, on_day, scenario, attendees, volunteers, volunteer_names,
		evaluation, by_name, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, d.On, d.Scenario, joinList(d.Attendees), d.Volunteers, d.VolunteerNames,
		d.Evaluation, d.By, db.d.t(d.At))
}

// Drills implements firesafety.Store: newest first.
func (db *DB) Drills(ctx context.Context, since string) ([]*firesafety.Drill, error) {
	return list(ctx, db, db.r, "store.Drills", `SELECT id, on_day, scenario, attendees, volunteers, volunteer_names, evaluation, by_name, at
		FROM fire_drills WHERE on_day >= ? ORDER BY on_day DESC, at DESC`, func(r rowScanner) (*firesafety.Drill, error) {
		var d firesafety.Drill
		var att string
		err := r.Scan(&d.ID, &d.On, &d.Scenario, &att, &d.Volunteers, &d.VolunteerNames, &d.Evaluation, &d.By, scanTime{&d.At})
		d.Attendees = splitList(att)
		return &d, err
	}, since)
}

// SaveControlShift implements firesafety.Store.
func (db *DB) SaveControlShift(ctx context.Context, s *firesafety.Shift, a audit.Entry) error {
	return db.tx(ctx, "store.SaveControlShift", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO fire_shifts (id, on_day, slot, people) VALUES (?, ?, ?, ?)
			ON CONFLICT (on_day, slot) DO UPDATE SET people = excluded.people`, s.ID, s.On, s.Slot, joinList(s.People)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, a)
	})
}

// ControlShifts implements firesafety.Store.
func (db *DB) ControlShifts(ctx context.Context, from, to string) ([]*firesafety.Shift, error) {
	return list(ctx, db, db.r, "store.ControlShifts", `SELECT id, on_day, slot, people FROM fire_shifts WHERE on_day >= ? AND on_day <= ?
		ORDER BY on_day, slot`, func(r rowScanner) (*firesafety.Shift, error) {
		var s firesafety.Shift
		var people string
		err := r.Scan(&s.ID, &s.On, &s.Slot, &people)
		s.People = splitList(people)
		return &s, err
	}, from, to)
}

var _ firesafety.Store = (*DB)(nil)
