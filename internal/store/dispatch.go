package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
)

func (db *DB) teamSelect() string {
	return `SELECT t.id, t.name, t.kind, t.department_id, t.vehicles, t.status, t.lat, t.lng, t.position_at, t.incident_id, t.version, t.updated_at,
		COALESCE((SELECT ` + db.d.joinComma("m.user_id") + ` FROM team_members m WHERE m.team_id = t.id), '') FROM teams t`
}

func scanTeam(r rowScanner) (*dispatch.Team, error) {
	var t dispatch.Team
	var dept, inc sql.NullString
	var kind, status, members string
	err := r.Scan(&t.ID, &t.Name, &kind, &dept, &t.Vehicles, &status, &t.Lat, &t.Lng, scanTime{&t.PositionAt}, &inc, &t.Version,
		scanTime{&t.UpdatedAt}, &members)
	if err != nil {
		return nil, err
	}
	t.Kind, t.Status, t.DepartmentID, t.IncidentID = dispatch.TeamKind(kind), dispatch.TeamStatus(status), dept.String, inc.String
	if members != "" {
		t.Members = strings.Split(members, ",")
	}
	return &t, nil
}

// CreateTeam implements dispatch.Store.
func (db *DB) CreateTeam(ctx context.Context, t *dispatch.Team, e audit.Entry) error {
	return db.tx(ctx, "store.CreateTeam", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO teams (id, name, kind, department_id, vehicles, status, lat, lng, position_at, version, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.Name, string(t.Kind), nullString(t.DepartmentID), t.Vehicles, string(t.Status),
			t.Lat, t.Lng, db.d.t(t.PositionAt), t.Version, db.d.t(t.UpdatedAt)); err != nil {
			return err
		}
		if err := db.setMembers(ctx, tx, t.ID, t.Members); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, t.UpdatedAt, events.TopicTeam, t.ID)
	})
}

func (db *DB) setMembers(ctx context.Context, tx *sql.Tx, teamID string, members []string) error {
	if _, err := db.exec(ctx, tx, `DELETE FROM team_members WHERE team_id = ?`, teamID); err != nil {
		return err
	}
	for _, u := range members {
		if _, err := db.exec(ctx, tx, `INSERT INTO team_members (team_id, user_id) VALUES (?, ?)`, teamID, u); err != nil {
			return err
		}
	}
	return nil
}

// UpdateTeam implements dispatch.Store.
func (db *DB) UpdateTeam(ctx context.Context, t *dispatch.Team, e audit.Entry) error {
	const op = "store.UpdateTeam"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE teams SET name = ?, kind = ?, department_id = ?, vehicles = ?, status = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ?`, t.Name, string(t.Kind), nullString(t.DepartmentID), t.Vehicles, string(t.Status), db.d.t(t.UpdatedAt), t.ID, t.Version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		if t.Members != nil {
			if err := db.setMembers(ctx, tx, t.ID, t.Members); err != nil {
				return err
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, t.UpdatedAt, events.TopicTeam, t.ID)
	})
}

// MoveTeam implements dispatch.Store.
func (db *DB) MoveTeam(ctx context.Context, teamID string, lat, lng float64, at time.Time) error {
	const op = "store.MoveTeam"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE teams SET lat = ?, lng = ?, position_at = ? WHERE id = ? AND (position_at IS NULL OR position_at <= ?)`,
			lat, lng, db.d.t(at), teamID, db.d.t(at))
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			if _, err := db.teamIn(ctx, tx, teamID); err != nil {
				return err // unknown team; an older fix is skipped silently
			}
			return nil
		}
		return db.appendEvents(ctx, tx, at, events.TopicTeam, teamID)
	})
}

func (db *DB) teamIn(ctx context.Context, q querier, id string) (*dispatch.Team, error) {
	return scanTeam(q.QueryRowContext(ctx, db.d.q(db.teamSelect()+` WHERE t.id = ?`), id))
}

// TeamByID implements dispatch.Store.
func (db *DB) TeamByID(ctx context.Context, id string) (*dispatch.Team, error) {
	t, err := db.teamIn(ctx, db.r, id)
	return t, translate("store.TeamByID", err)
}

// ListTeams implements dispatch.Store.
func (db *DB) ListTeams(ctx context.Context) ([]*dispatch.Team, error) {
	return list(ctx, db, db.r, "store.ListTeams", db.teamSelect()+` ORDER BY t.kind, t.name`, scanTeam)
}

// TeamsOfUser implements dispatch.Store.
func (db *DB) TeamsOfUser(ctx context.Context, userID string) ([]*dispatch.Team, error) {
	return list(ctx, db, db.r, "store.TeamsOfUser", db.teamSelect()+` WHERE t.id IN (SELECT team_id FROM team_members WHERE user_id = ?) ORDER BY t.name`, scanTeam, userID)
}

// CreateHotspot implements dispatch.Store.
func (db *DB) CreateHotspot(ctx context.Context, h *dispatch.Hotspot, e audit.Entry) error {
	return db.tx(ctx, "store.CreateHotspot", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO hotspots (id, name, kind, lat, lng, district, address, risk_notes, active, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, h.ID, h.Name, string(h.Kind), h.Lat, h.Lng, h.District, h.Address, h.RiskNotes,
			boolInt(h.Active), db.d.t(h.CreatedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// SetHotspotActive implements dispatch.Store.
func (db *DB) SetHotspotActive(ctx context.Context, id string, active bool, e audit.Entry) error {
	const op = "store.SetHotspotActive"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE hotspots SET active = ? WHERE id = ?`, boolInt(active), id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, op, "err.not_found")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// AddShift implements dispatch.Store.
func (db *DB) AddShift(ctx context.Context, sh *dispatch.Shift, e audit.Entry) error {
	const op = "store.AddShift"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		// Lock the team so that two overlapping shifts cannot both pass.
		var teamID string
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT id FROM teams WHERE id = ?`+db.d.forUpdate()), sh.TeamID).Scan(&teamID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM roster_shifts WHERE team_id = ? AND starts_at < ? AND ends_at > ?`),
			sh.TeamID, db.d.t(sh.EndsAt), db.d.t(sh.StartsAt)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return errs.E(errs.Conflict, op, "err.shift_overlap")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO roster_shifts (id, team_id, starts_at, ends_at, note) VALUES (?, ?, ?, ?, ?)`,
			sh.ID, sh.TeamID, db.d.t(sh.StartsAt), db.d.t(sh.EndsAt), sh.Note); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// DeleteShift implements dispatch.Store.
func (db *DB) DeleteShift(ctx context.Context, id string, e audit.Entry) error {
	const op = "store.DeleteShift"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `DELETE FROM roster_shifts WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, op, "err.not_found")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Shifts implements dispatch.Store.
func (db *DB) Shifts(ctx context.Context, teamID string, from, until time.Time) ([]*dispatch.Shift, error) {
	q := `SELECT id, team_id, starts_at, ends_at, note FROM roster_shifts WHERE starts_at < ? AND ends_at > ?`
	args := []any{db.d.t(until), db.d.t(from)}
	if teamID != "" {
		q += ` AND team_id = ?`
		args = append(args, teamID)
	}
	return list(ctx, db, db.r, "store.Shifts", q+` ORDER BY starts_at, team_id`, func(r rowScanner) (*dispatch.Shift, error) {
		var sh dispatch.Shift
		err := r.Scan(&sh.ID, &sh.TeamID, scanTime{&sh.StartsAt}, scanTime{&sh.EndsAt}, &sh.Note)
		return &sh, err
	}, args...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ListHotspots implements dispatch.Store.
func (db *DB) ListHotspots(ctx context.Context, activeOnly bool) ([]*dispatch.Hotspot, error) {
	q := `SELECT id, name, kind, lat, lng, district, address, risk_notes, active, created_at FROM hotspots`
	if activeOnly {
		q += ` WHERE active = 1`
	}
	return list(ctx, db, db.r, "store.ListHotspots", q+` ORDER BY name`, func(r rowScanner) (*dispatch.Hotspot, error) {
		var h dispatch.Hotspot
		var kind string
		var active int
		err := r.Scan(&h.ID, &h.Name, &kind, &h.Lat, &h.Lng, &h.District, &h.Address, &h.RiskNotes, &active, scanTime{&h.CreatedAt})
		h.Kind, h.Active = dispatch.HotspotKind(kind), active == 1
		return &h, err
	})
}

// Assign implements dispatch.Store.
func (db *DB) Assign(ctx context.Context, a *dispatch.Assignment, incidentVersion int, note *dispatch.Note, e audit.Entry) error {
	const op = "store.Assign"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		var prevTeam sql.NullString
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT team_id FROM incidents WHERE id = ?`), a.IncidentID).Scan(&prevTeam); err != nil {
			return err
		}
		r, err := db.exec(ctx, tx, `UPDATE incidents SET team_id = ?, state = CASE WHEN state = 'accepted' THEN 'dispatched' ELSE state END,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state NOT IN ('closed', 'merged')`,
			a.TeamID, db.d.t(a.AssignedAt), a.IncidentID, incidentVersion)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		r, err = db.exec(ctx, tx, `UPDATE teams SET status = 'busy', incident_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = 'available'`,
			a.IncidentID, db.d.t(a.AssignedAt), a.TeamID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, op, "err.team_busy")
		}
		changedTeams := []string{a.TeamID}
		if prevTeam.Valid && prevTeam.String != a.TeamID {
			if _, err := db.exec(ctx, tx, `UPDATE assignments SET state = 'replaced', ended_at = ? WHERE incident_id = ? AND state = 'active'`,
				db.d.t(a.AssignedAt), a.IncidentID); err != nil {
				return err
			}
			if _, err := db.exec(ctx, tx, `UPDATE teams SET status = 'available', incident_id = NULL, version = version + 1, updated_at = ?
				WHERE id = ? AND incident_id = ?`, db.d.t(a.AssignedAt), prevTeam.String, a.IncidentID); err != nil {
				return err
			}
			changedTeams = append(changedTeams, prevTeam.String)
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO assignments (id, incident_id, team_id, state, distance_m, eta_s, assigned_at, assigned_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.IncidentID, a.TeamID, a.State, a.DistanceM, int64(a.ETA.Seconds()), db.d.t(a.AssignedAt), a.AssignedBy); err != nil {
			return err
		}
		if err := db.insertNote(ctx, tx, note); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		if err := db.appendEvents(ctx, tx, a.AssignedAt, events.TopicTeam, changedTeams...); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, a.AssignedAt, events.TopicIncident, a.IncidentID)
	})
}

func (db *DB) insertNote(ctx context.Context, tx *sql.Tx, n *dispatch.Note) error {
	if n == nil {
		return nil
	}
	_, err := db.exec(ctx, tx, `INSERT INTO incident_notes (id, incident_id, at, kind, author_name, text) VALUES (?, ?, ?, ?, ?, ?)`,
		n.ID, n.IncidentID, db.d.t(n.At), n.Kind, n.AuthorName, n.Text)
	return err
}

const assignmentColumns = `id, incident_id, team_id, state, distance_m, eta_s, assigned_at, assigned_by, ended_at`

func scanAssignment(r rowScanner) (*dispatch.Assignment, error) {
	var a dispatch.Assignment
	var eta int64
	err := r.Scan(&a.ID, &a.IncidentID, &a.TeamID, &a.State, &a.DistanceM, &eta, scanTime{&a.AssignedAt}, &a.AssignedBy, scanTime{&a.EndedAt})
	a.ETA = time.Duration(eta) * time.Second
	return &a, err
}

// ActiveAssignment implements dispatch.Store.
func (db *DB) ActiveAssignment(ctx context.Context, incidentID string) (*dispatch.Assignment, error) {
	a, err := scanAssignment(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+assignmentColumns+` FROM assignments WHERE incident_id = ? AND state = 'active'`), incidentID))
	return a, translate("store.ActiveAssignment", err)
}

// AssignmentsOfIncident implements dispatch.Store.
func (db *DB) AssignmentsOfIncident(ctx context.Context, incidentID string) ([]*dispatch.Assignment, error) {
	return list(ctx, db, db.r, "store.AssignmentsOfIncident", `SELECT `+assignmentColumns+` FROM assignments WHERE incident_id = ? ORDER BY assigned_at`,
		scanAssignment, incidentID)
}

// Escalate implements dispatch.Store.
func (db *DB) Escalate(ctx context.Context, incidentID string, n *dispatch.Note, e audit.Entry) error {
	return db.tx(ctx, "store.Escalate", func(tx *sql.Tx) error {
		if err := mustAffect(db.exec(ctx, tx, `UPDATE incidents SET escalation = escalation + 1, version = version + 1, updated_at = ? WHERE id = ?`,
			db.d.t(n.At), incidentID)); err != nil {
			return err
		}
		if err := db.insertNote(ctx, tx, n); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, n.At, events.TopicIncident, incidentID)
	})
}

// AddNote implements dispatch.Store.
func (db *DB) AddNote(ctx context.Context, n *dispatch.Note, e audit.Entry) error {
	return db.tx(ctx, "store.AddNote", func(tx *sql.Tx) error {
		if err := db.insertNote(ctx, tx, n); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, n.At, events.TopicIncident, n.IncidentID)
	})
}

// NotesOf implements dispatch.Store.
func (db *DB) NotesOf(ctx context.Context, incidentID string) ([]*dispatch.Note, error) {
	return list(ctx, db, db.r, "store.NotesOf", `SELECT id, incident_id, at, kind, author_name, text FROM incident_notes WHERE incident_id = ? ORDER BY at, id`,
		func(r rowScanner) (*dispatch.Note, error) {
			var n dispatch.Note
			err := r.Scan(&n.ID, &n.IncidentID, scanTime{&n.At}, &n.Kind, &n.AuthorName, &n.Text)
			return &n, err
		}, incidentID)
}

// FinishAssignment implements dispatch.Store.
func (db *DB) FinishAssignment(ctx context.Context, incidentID string, at time.Time) error {
	return db.tx(ctx, "store.FinishAssignment", func(tx *sql.Tx) error {
		var team sql.NullString
		err := tx.QueryRowContext(ctx, db.d.q(`SELECT team_id FROM assignments WHERE incident_id = ? AND state = 'active'`), incidentID).Scan(&team)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE assignments SET state = 'done', ended_at = ? WHERE incident_id = ? AND state = 'active'`, db.d.t(at), incidentID); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE teams SET status = 'available', incident_id = NULL, version = version + 1, updated_at = ?
			WHERE id = ? AND incident_id = ?`, db.d.t(at), team.String, incidentID); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, at, events.TopicTeam, team.String)
	})
}

func (db *DB) boardSelect() string {
	return `SELECT i.id, i.ref, i.service_code, i.state, i.lat, i.lng, i.loc_precision, i.loc_place, i.address, i.district, i.opened_at, i.due_at, i.closed_at,
		i.outcome, i.signal_count, i.escalation, COALESCE(i.team_id, ''), COALESCE(t.name, ''), i.version
		FROM incidents i LEFT JOIN teams t ON t.id = i.team_id`
}

// boardList runs a board query and fills each incident's channels with
// one more query for the whole list (signals_incident_channel), not one
// per incident.
func (db *DB) boardList(ctx context.Context, query string, args ...any) ([]*dispatch.BoardIncident, error) {
	const op = "store.BoardIncidents"
	out, err := list(ctx, db, db.r, op, query, scanBoard, args...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	byID := make(map[string]*dispatch.BoardIncident, len(out))
	ids := make([]string, len(out))
	for i, b := range out {
		byID[b.ID], ids[i] = b, b.ID
	}
	type pair struct{ incident, channel string }
	pairs, err := listIn(ctx, db, op, `SELECT DISTINCT incident_id, channel FROM signals`, "incident_id", ids, func(r rowScanner) (pair, error) {
		var p pair
		return p, r.Scan(&p.incident, &p.channel)
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(pairs, func(a, b pair) int { return strings.Compare(a.channel, b.channel) })
	for _, p := range pairs {
		if b := byID[p.incident]; b != nil {
			b.Channels = append(b.Channels, p.channel)
		}
	}
	return out, nil
}

// boardOpenStates are the states of an incident still being worked:
// named one by one so that incidents_board (state, due_at, id) serves
// the board without reading closed history.
const boardOpenStates = "('accepted', 'dispatched', 'in_progress', 'replied')"

func scanBoard(r rowScanner) (*dispatch.BoardIncident, error) {
	var b dispatch.BoardIncident
	err := r.Scan(&b.ID, &b.Ref, &b.ServiceCode, &b.State, &b.Lat, &b.Lng, &b.Precision, &b.Place, &b.Address, &b.District, scanTime{&b.OpenedAt}, scanTime{&b.DueAt},
		scanTime{&b.ClosedAt}, &b.Outcome, &b.SignalCount, &b.Escalation, &b.TeamID, &b.TeamName, &b.Version)
	b.Channels = []string{}
	return &b, err
}

// boardWhere is the filter's condition on incidents i.
func boardWhere(f dispatch.BoardFilter) filter {
	var w filter
	if f.District != "" {
		w.add("i.district = ?", f.District)
	}
	if f.ServiceCode != "" {
		w.add("i.service_code = ?", f.ServiceCode)
	}
	if f.Channel != "" {
		w.add("EXISTS (SELECT 1 FROM signals s WHERE s.incident_id = i.id AND s.channel = ?)", f.Channel)
	}
	return w
}

// BoardIncidents implements dispatch.Store: open incidents, oldest
// deadline first, then the f.ClosedLast most recently closed.
func (db *DB) BoardIncidents(ctx context.Context, f dispatch.BoardFilter) ([]*dispatch.BoardIncident, error) {
	w := boardWhere(f)
	w.add("i.state IN " + boardOpenStates)
	open, err := db.boardList(ctx, db.boardSelect()+w.sql()+` ORDER BY i.due_at, i.id LIMIT 1000`, w.args...)
	if err != nil || f.ClosedLast <= 0 {
		return open, err
	}
	w = boardWhere(f)
	w.add("i.state = 'closed'")
	closed, err := db.boardList(ctx, db.boardSelect()+w.sql()+` ORDER BY i.closed_at DESC, i.id LIMIT ?`, append(w.args, f.ClosedLast)...)
	return append(open, closed...), err
}

// CountClosed implements dispatch.Store.
func (db *DB) CountClosed(ctx context.Context, f dispatch.BoardFilter, since time.Time) (int, error) {
	w := boardWhere(f)
	w.add("i.state = 'closed'")
	w.add("i.closed_at >= ?", db.d.t(since))
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT count(*) FROM incidents i`+w.sql()), w.args...).Scan(&n)
	return n, translate("store.CountClosed", err)
}

// BoardIncident implements dispatch.Store.
func (db *DB) BoardIncident(ctx context.Context, id string) (*dispatch.BoardIncident, error) {
	list, err := db.boardList(ctx, db.boardSelect()+` WHERE i.id = ?`, id)
	if err == nil && len(list) == 0 {
		err = sql.ErrNoRows
	}
	if err != nil {
		return nil, translate("store.BoardIncident", err)
	}
	return list[0], nil
}

const patrolColumns = `p.id, COALESCE(p.team_id, ''), COALESCE(p.department_id, ''), p.kind, p.planned_at, p.started_at, p.ended_at, p.night,
	p.staff_count, p.vehicle_trips, p.track, p.distance_m, p.notes, p.created_by, p.version, p.updated_at`

func (db *DB) scanPatrol(r rowScanner) (*dispatch.Patrol, error) {
	var p dispatch.Patrol
	var night int
	var track string
	err := r.Scan(&p.ID, &p.TeamID, &p.DepartmentID, &p.Kind, scanTime{&p.PlannedAt}, scanTime{&p.StartedAt}, scanTime{&p.EndedAt}, &night,
		&p.StaffCount, &p.VehicleTrips, &track, &p.DistanceM, &p.Notes, &p.CreatedBy, &p.Version, scanTime{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	p.Night = night == 1
	if track != "" {
		if err := json.Unmarshal([]byte(track), &p.Track); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// SavePatrol implements dispatch.Store.
func (db *DB) SavePatrol(ctx context.Context, p *dispatch.Patrol, baseVersion int, e audit.Entry) error {
	const op = "store.SavePatrol"
	track := ""
	if len(p.Track) > 0 {
		b, err := json.Marshal(p.Track)
		if err != nil {
			return errs.Wrap(errs.Internal, op, err)
		}
		track = string(b)
	}
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if baseVersion == 0 {
			if _, err := db.exec(ctx, tx, `INSERT INTO patrols (id, team_id, department_id, kind, planned_at, started_at, ended_at, night, staff_count,
				vehicle_trips, track, distance_m, notes, created_by, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.ID, nullString(p.TeamID), nullString(p.DepartmentID), p.Kind, db.d.t(p.PlannedAt), db.d.t(p.StartedAt), db.d.t(p.EndedAt), boolInt(p.Night),
				p.StaffCount, p.VehicleTrips, track, p.DistanceM, p.Notes, p.CreatedBy, p.Version, db.d.t(p.UpdatedAt)); err != nil {
				return err
			}
		} else {
			r, err := db.exec(ctx, tx, `UPDATE patrols SET ended_at = ?, track = ?, distance_m = ?, notes = ?, version = version + 1, updated_at = ?
				WHERE id = ? AND version = ?`, db.d.t(p.EndedAt), track, p.DistanceM, p.Notes, db.d.t(p.UpdatedAt), p.ID, baseVersion)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return errs.E(errs.Conflict, op, "err.changed_meanwhile")
			}
		}
		for hid, at := range p.Visits {
			if _, err := db.exec(ctx, tx, `INSERT INTO patrol_hotspots (patrol_id, hotspot_id, visited_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
				p.ID, hid, db.d.t(at)); err != nil {
				return err
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, p.UpdatedAt, events.TopicPatrol, p.ID)
	})
}

// PatrolByID implements dispatch.Store.
func (db *DB) PatrolByID(ctx context.Context, id string) (*dispatch.Patrol, error) {
	p, err := db.scanPatrol(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+patrolColumns+` FROM patrols p WHERE p.id = ?`), id))
	if err != nil {
		return nil, translate("store.PatrolByID", err)
	}
	hs, err := list(ctx, db, db.r, "store.PatrolByID", `SELECT hotspot_id FROM patrol_hotspots WHERE patrol_id = ? ORDER BY visited_at`,
		func(r rowScanner) (string, error) {
			var s string
			return s, r.Scan(&s)
		}, id)
	p.Hotspots = hs
	return p, err
}

// ListPatrols implements dispatch.Store (tracks included).
func (db *DB) ListPatrols(ctx context.Context, since, until time.Time) ([]*dispatch.Patrol, error) {
	return list(ctx, db, db.r, "store.ListPatrols", `SELECT `+patrolColumns+` FROM patrols p WHERE p.started_at >= ? AND p.started_at < ?
		ORDER BY p.started_at DESC LIMIT 500`, db.scanPatrol, db.d.t(since), db.d.t(until))
}

// Coverage implements dispatch.Store.
func (db *DB) Coverage(ctx context.Context, since, until time.Time) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, db.d.q(`SELECT COALESCE(p.department_id, ''), COUNT(DISTINCT v.hotspot_id)
		FROM patrol_hotspots v JOIN patrols p ON p.id = v.patrol_id JOIN hotspots h ON h.id = v.hotspot_id
		WHERE v.visited_at >= ? AND v.visited_at < ? AND h.active = 1 GROUP BY p.department_id`), db.d.t(since), db.d.t(until))
	if err != nil {
		return nil, translate("store.Coverage", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return nil, translate("store.Coverage", err)
		}
		out[d] = n
	}
	return out, translate("store.Coverage", rows.Err())
}

const encounterColumns = `id, COALESCE(incident_id, ''), COALESCE(patrol_id, ''), COALESCE(team_id, ''), at, lat, lng, name_enc, description, photo,
	states, outcome, supplies, notes, recorded_by, version, updated_at`

func scanEncounter(r rowScanner) (*dispatch.Encounter, error) {
	var en dispatch.Encounter
	var states, outcome, supplies string
	err := r.Scan(&en.ID, &en.IncidentID, &en.PatrolID, &en.TeamID, scanTime{&en.At}, &en.Lat, &en.Lng, &en.NameSealed, &en.Description, &en.Photo,
		&states, &outcome, &supplies, &en.Notes, &en.RecordedBy, &en.Version, scanTime{&en.UpdatedAt})
	if err != nil {
		return nil, err
	}
	en.Outcome = dispatch.Outcome(outcome)
	if states != "" {
		en.States = strings.Split(states, ",")
	}
	if err := json.Unmarshal([]byte(supplies), &en.Supplies); err != nil {
		return nil, err
	}
	return &en, nil
}

// SaveEncounter implements dispatch.Store.
func (db *DB) SaveEncounter(ctx context.Context, en *dispatch.Encounter, baseVersion int, e audit.Entry) error {
	const op = "store.SaveEncounter"
	supplies, err := json.Marshal(en.Supplies)
	if err != nil || en.Supplies == nil {
		supplies = []byte("[]")
	}
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if baseVersion == 0 {
			if _, err := db.exec(ctx, tx, `INSERT INTO encounters (id, incident_id, patrol_id, team_id, at, lat, lng, name_enc, description, photo,
				states, outcome, supplies, notes, recorded_by, version, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				en.ID, nullString(en.IncidentID), nullString(en.PatrolID), nullString(en.TeamID), db.d.t(en.At), en.Lat, en.Lng, en.NameSealed, en.Description,
				en.Photo, strings.Join(en.States, ","), string(en.Outcome), string(supplies), en.Notes, en.RecordedBy, en.Version, db.d.t(en.UpdatedAt)); err != nil {
				return err
			}
		} else {
			r, err := db.exec(ctx, tx, `UPDATE encounters SET at = ?, lat = ?, lng = ?, name_enc = ?, description = ?, states = ?, outcome = ?, supplies = ?,
				notes = ?, recorded_by = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
				db.d.t(en.At), en.Lat, en.Lng, en.NameSealed, en.Description, strings.Join(en.States, ","), string(en.Outcome), string(supplies),
				en.Notes, en.RecordedBy, db.d.t(en.UpdatedAt), en.ID, baseVersion)
			if err != nil {
				return err
			}
			if n, _ := r.RowsAffected(); n == 0 {
				return errs.E(errs.Conflict, op, "err.changed_meanwhile")
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, en.UpdatedAt, events.TopicEncounter, en.ID)
	})
}

// EncounterByID implements dispatch.Store.
func (db *DB) EncounterByID(ctx context.Context, id string) (*dispatch.Encounter, error) {
	en, err := scanEncounter(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+encounterColumns+` FROM encounters WHERE id = ?`), id))
	return en, translate("store.EncounterByID", err)
}

// ListEncounters implements dispatch.Store.
func (db *DB) ListEncounters(ctx context.Context, incidentID string, since time.Time, limit int) ([]*dispatch.Encounter, error) {
	var w filter
	if incidentID != "" {
		w.add("incident_id = ?", incidentID)
	}
	if !since.IsZero() {
		w.add("at >= ?", db.d.t(since))
	}
	return list(ctx, db, db.r, "store.ListEncounters", `SELECT `+encounterColumns+` FROM encounters`+w.sql()+` ORDER BY at DESC LIMIT ?`,
		scanEncounter, append(w.args, limit)...)
}

var _ dispatch.Store = (*DB)(nil)
