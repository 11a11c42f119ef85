package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/errs"
)

// ---- data requests ----

const dataRequestCols = `r.id, r.kind, r.person_id, p.ref, r.reason, r.requested_by, r.requested_by_name, r.requested_at,
	r.decided_by, r.decided_by_name, r.decided_at, r.decision, r.decision_note, r.expires_at, r.done_at`

const dataRequestFrom = ` FROM data_requests r JOIN persons p ON p.id = r.person_id`

func scanDataRequest(s rowScanner) (*datarights.Request, error) {
	var r datarights.Request
	var kind string
	err := s.Scan(&r.ID, &kind, &r.PersonID, &r.PersonRef, &r.Reason, &r.RequestedBy, &r.RequestedByName, scanTime{&r.RequestedAt},
		&r.DecidedBy, &r.DecidedByName, scanTime{&r.DecidedAt}, &r.Decision, &r.DecisionNote, scanTime{&r.ExpiresAt}, scanTime{&r.DoneAt})
	r.Kind = datarights.Kind(kind)
	return &r, err
}

// AddDataRequest implements datarights.Store.
func (db *DB) AddDataRequest(ctx context.Context, r *datarights.Request, e audit.Entry) error {
	return db.tx(ctx, "store.AddDataRequest", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO data_requests (id, kind, person_id, reason, requested_by, requested_by_name, requested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, string(r.Kind), r.PersonID, r.Reason, r.RequestedBy, r.RequestedByName, db.d.t(r.RequestedAt)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// DataRequestByID implements datarights.Store.
func (db *DB) DataRequestByID(ctx context.Context, id string) (*datarights.Request, error) {
	r, err := scanDataRequest(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+dataRequestCols+dataRequestFrom+` WHERE r.id = ?`), id))
	return r, translate("store.DataRequestByID", err)
}

// DataRequests implements datarights.Store.
func (db *DB) DataRequests(ctx context.Context, limit int) ([]*datarights.Request, error) {
	return list(ctx, db, db.r, "store.DataRequests", `SELECT `+dataRequestCols+dataRequestFrom+` ORDER BY r.requested_at DESC, r.id DESC LIMIT ?`,
		scanDataRequest, limit)
}

// DecideDataRequest implements datarights.Store.
func (db *DB) DecideDataRequest(ctx context.Context, r *datarights.Request, e audit.Entry) error {
	const op = "store.DecideDataRequest"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE data_requests SET decided_by = ?, decided_by_name = ?, decided_at = ?, decision = ?, decision_note = ?,
			expires_at = ? WHERE id = ? AND decision = ''`, r.DecidedBy, r.DecidedByName, db.d.t(r.DecidedAt), r.Decision, r.DecisionNote,
			db.d.t(r.ExpiresAt), r.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.E(errs.Conflict, op, "err.already_decided")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// MarkDataRequestDone implements datarights.Store.
func (db *DB) MarkDataRequestDone(ctx context.Context, id string, at time.Time, e audit.Entry) error {
	return db.tx(ctx, "store.MarkDataRequestDone", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `UPDATE data_requests SET done_at = ? WHERE id = ? AND done_at IS NULL`, db.d.t(at), id); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// PersonIDByRef implements datarights.Store.
func (db *DB) PersonIDByRef(ctx context.Context, ref string) (string, error) {
	var id string
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT id FROM persons WHERE id = ? OR ref = ?`), ref, strings.ToUpper(ref)).Scan(&id)
	return id, translate("store.PersonIDByRef", err)
}

// inCare is true for a person whose record, or a record linked to it by a
// merge either way, has an open stay.
const inCare = `EXISTS (SELECT 1 FROM stays s JOIN persons q ON q.id = s.person_id
	WHERE s.state = 'open' AND (q.id = p.id OR q.merged_into = p.id OR q.id = p.merged_into))`

// PersonInCare implements datarights.Store.
func (db *DB) PersonInCare(ctx context.Context, personID string) (bool, error) {
	in, err := db.personInCare(ctx, db.r, personID)
	return in, translate("store.PersonInCare", err)
}

func (db *DB) personInCare(ctx context.Context, q querier, personID string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM persons p WHERE p.id = ? AND `+inCare), personID).Scan(&n)
	return n > 0, err
}

// ---- export ----

// rowsOf returns whole rows of table where col is one of vals, as maps of
// column to value (text, numbers, times as RFC 3339).
func (db *DB) rowsOf(ctx context.Context, table string, cols []string, vals []string) ([]map[string]any, error) {
	const op = "store.PersonRecords"
	var out []map[string]any
	for len(vals) > 0 {
		n := min(len(vals), 500)
		chunk := vals[:n]
		vals = vals[n:]
		var conds []string
		var args []any
		for _, c := range cols {
			conds = append(conds, c+" IN (?"+strings.Repeat(", ?", len(chunk)-1)+")")
			for _, v := range chunk {
				args = append(args, v)
			}
		}
		rows, err := db.r.QueryContext(ctx, db.d.q(`SELECT * FROM `+table+` WHERE `+strings.Join(conds, " OR ")), args...)
		if err != nil {
			return nil, translate(op, err)
		}
		names, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, translate(op, err)
		}
		for rows.Next() {
			vs := make([]any, len(names))
			ptrs := make([]any, len(names))
			for i := range vs {
				ptrs[i] = &vs[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, translate(op, err)
			}
			m := make(map[string]any, len(names))
			for i, c := range names {
				switch v := vs[i].(type) {
				case []byte:
					m[c] = string(v)
				case time.Time:
					m[c] = v.UTC().Format(time.RFC3339Nano)
				default:
					m[c] = v
				}
			}
			out = append(out, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, translate(op, err)
		}
	}
	return out, nil
}

func idsOf(rows []map[string]any, col string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		if v, _ := r[col].(string); v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return out
}

// PersonRecords implements datarights.Store.
func (db *DB) PersonRecords(ctx context.Context, personID string) ([]datarights.Table, error) {
	linked, err := db.Identity(ctx, personID)
	if err != nil {
		return nil, err
	}
	people := []string{personID}
	for _, p := range linked {
		people = append(people, p.ID)
	}
	var out []datarights.Table
	get := func(table string, vals []string, cols ...string) ([]map[string]any, error) {
		rows, err := db.rowsOf(ctx, table, cols, vals)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(rows, func(i, j int) bool { return sortKey(rows[i]) < sortKey(rows[j]) })
		out = append(out, datarights.Table{Name: table, Rows: rows})
		return rows, nil
	}
	steps := []struct {
		table string
		cols  []string
	}{
		{"persons", []string{"id"}}, {"person_contacts", []string{"person_id"}},
		{"person_merges", []string{"survivor_id", "merged_id"}}, {"person_distinct", []string{"a_id", "b_id"}},
		{"health_checks", []string{"person_id"}}, {"medications", []string{"person_id"}},
		{"match_candidates", []string{"person_id", "other_id"}}, {"match_consent", []string{"person_id"}},
		{"notices", []string{"person_id"}}, {"data_requests", []string{"person_id"}},
	}
	records := append([]string{}, people...)
	for _, st := range steps {
		rows, err := get(st.table, people, st.cols...)
		if err != nil {
			return nil, err
		}
		records = append(records, idsOf(rows, "id")...)
	}
	stays, err := get("stays", people, "person_id")
	if err != nil {
		return nil, err
	}
	stayIDs := idsOf(stays, "id")
	records = append(records, stayIDs...)
	for _, t := range []string{"belongings", "care_notes", "case_tasks"} {
		rows, err := get(t, stayIDs, "stay_id")
		if err != nil {
			return nil, err
		}
		records = append(records, idsOf(rows, "id")...)
	}
	encs, err := get("encounters", idsOf(stays, "encounter_id"), "id")
	if err != nil {
		return nil, err
	}
	records = append(records, idsOf(encs, "id")...)
	refs, err := get("referrals", people, "person_id")
	if err != nil {
		return nil, err
	}
	records = append(records, idsOf(refs, "id")...)
	if _, err := get("referral_notes", idsOf(refs, "id"), "referral_id"); err != nil {
		return nil, err
	}
	reports, err := get("missing_reports", people, "person_id")
	if err != nil {
		return nil, err
	}
	records = append(records, idsOf(reports, "id")...)
	if _, err := get("report_updates", idsOf(reports, "id"), "report_id"); err != nil {
		return nil, err
	}
	slices.Sort(records)
	if _, err := get("audit_log", slices.Compact(records), "record_id"); err != nil {
		return nil, err
	}
	return out, nil
}

// sortKey orders exported rows by time where a row has one, else by id.
func sortKey(r map[string]any) string {
	for _, c := range []string{"at", "arrived_at", "created_at", "referred_at", "requested_at", "signed_in_at", "started_on", "id"} {
		if v, ok := r[c].(string); ok {
			return v
		}
	}
	return ""
}

// ---- retention ----

// leftBefore is true for a person not in care whose stays all ended
// before the cutoff argument.
const leftBefore = `NOT ` + inCare + `
	AND EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.id)
	AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.person_id = p.id AND COALESCE(s.exited_at, s.arrived_at) >= ?)`

// leftSince lists the people with a stay that ended in [since, cutoff):
// those who may have fallen due since the kind's last run. The indexes on
// stays(exited_at) and stays(arrived_at) keep it to those stays.
const leftSince = `SELECT DISTINCT w.person_id FROM stays w
	WHERE (w.exited_at >= ? AND w.exited_at < ?) OR (w.exited_at IS NULL AND w.arrived_at >= ? AND w.arrived_at < ?)`

// retentionBatch is how many people one windowed query names.
const retentionBatch = 500

// scope is one query's extra condition on p.id and its arguments, which
// follow leftBefore's cutoff.
type scope struct {
	cond string
	args []any
}

// scopes keeps a retention query to what finished since the kind's last
// run: the people leftSince finds, named in batches, so that the query
// reads their rows by key instead of every person ever recorded. On a first
// run (since is zero) there is one scope: everyone.
func (db *DB) scopes(ctx context.Context, since, cutoff time.Time) ([]scope, error) {
	if since.IsZero() {
		return []scope{{args: []any{db.d.t(cutoff)}}}, nil
	}
	ids, err := list(ctx, db, db.r, "store.DueForRetention", leftSince, scanID,
		db.d.t(since), db.d.t(cutoff), db.d.t(since), db.d.t(cutoff))
	if err != nil {
		return nil, err
	}
	var out []scope
	for len(ids) > 0 {
		n := min(len(ids), retentionBatch)
		sc := scope{cond: " AND p.id IN (?" + strings.Repeat(", ?", n-1) + ")", args: []any{db.d.t(cutoff)}}
		for _, id := range ids[:n] {
			sc.args = append(sc.args, id)
		}
		out, ids = append(out, sc), ids[n:]
	}
	return out, nil
}

// DueForRetention implements datarights.Store.
func (db *DB) DueForRetention(ctx context.Context, kind string, since, cutoff time.Time) ([]string, error) {
	const op = "store.DueForRetention"
	if kind == datarights.RetainSignalPhone {
		q := `SELECT s.id FROM signals s JOIN incidents i ON i.id = s.incident_id
			WHERE i.state = 'closed' AND i.closed_at < ? AND (s.phone_enc <> '' OR s.reporter <> '')`
		args := []any{db.d.t(cutoff)}
		if !since.IsZero() {
			q += ` AND i.closed_at >= ?`
			args = append(args, db.d.t(since))
		}
		return list(ctx, db, db.r, op, q+` ORDER BY s.id`, scanID, args...)
	}
	scopes, err := db.scopes(ctx, since, cutoff)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, sc := range scopes {
		var ids []string
		switch kind {
		case datarights.RetainIdentity:
			ids, err = list(ctx, db, db.r, op, `SELECT p.id FROM persons p WHERE p.anonymised_at IS NULL AND `+leftBefore+sc.cond, scanID, sc.args...)
		case datarights.RetainHealth:
			ids, err = list(ctx, db, db.r, op, `SELECT p.id FROM persons p WHERE (EXISTS (SELECT 1 FROM health_checks h WHERE h.person_id = p.id AND h.data <> '{}')
				OR EXISTS (SELECT 1 FROM medications m WHERE m.person_id = p.id AND m.note <> '')
				OR EXISTS (SELECT 1 FROM referral_notes n JOIN referrals x ON x.id = n.referral_id WHERE x.person_id = p.id AND n.text <> ''))
				AND `+leftBefore+sc.cond, scanID, sc.args...)
		case datarights.RetainPhotos:
			ids, err = db.photosDue(ctx, sc)
		default:
			return nil, errs.E(errs.Invalid, op, "unknown retention kind "+kind)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ids...)
	}
	sort.Strings(out)
	return out, nil
}

// RetentionMark implements datarights.Store: the cutoff of the kind's last
// complete run, zero before the first.
func (db *DB) RetentionMark(ctx context.Context, kind string) (time.Time, error) {
	var at time.Time
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT cutoff FROM retention_marks WHERE kind = ?`), kind).Scan(scanTime{&at})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	return at, translate("store.RetentionMark", err)
}

// SetRetentionMark implements datarights.Store.
func (db *DB) SetRetentionMark(ctx context.Context, kind string, cutoff time.Time) error {
	return db.tx(ctx, "store.SetRetentionMark", func(tx *sql.Tx) error {
		_, err := db.exec(ctx, tx, `INSERT INTO retention_marks (kind, cutoff) VALUES (?, ?)
			ON CONFLICT (kind) DO UPDATE SET cutoff = excluded.cutoff`, kind, db.d.t(cutoff))
		return err
	})
}

// photosDue lists the people who left before cutoff and still have a
// photo file named in any of the rows personPhotos reads. It asks once per
// kind of row over all such people, not once per person and kind: the
// people already anonymised (who no longer have photos) each cost a row
// read, not five queries.
func (db *DB) photosDue(ctx context.Context, sc scope) ([]string, error) {
	const op = "store.DueForRetention"
	type form struct{ person, form string }
	forms, err := list(ctx, db, db.r, op, `SELECT st.person_id, st.form FROM stays st JOIN persons p ON p.id = st.person_id
		WHERE `+leftBefore+sc.cond, func(r rowScanner) (form, error) {
		var f form
		err := r.Scan(&f.person, &f.form)
		return f, err
	}, sc.args...)
	if err != nil {
		return nil, err
	}
	due := map[string]bool{}
	for _, f := range forms {
		var v struct {
			Photo string `json:"photo"`
		}
		if json.Unmarshal([]byte(f.form), &v) == nil && v.Photo != "" {
			due[f.person] = true
		}
	}
	for _, c := range photoColumns {
		ids, err := list(ctx, db, db.r, op, c.due+` AND `+leftBefore+sc.cond, scanID, sc.args...)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			due[id] = true
		}
	}
	out := make([]string, 0, len(due))
	for id := range due {
		out = append(out, id)
	}
	sort.Strings(out)
	return out, nil
}

// photoColumns are the rows besides a stay's form (its "photo" key) that
// name a person's photo files, each as the query of the people due (p is
// the person; leftBefore and a scope follow), the query of one person's
// files, and the statement that clears them.
var photoColumns = []struct{ due, byPerson, clear string }{
	{`SELECT st.person_id FROM belongings b JOIN stays st ON st.id = b.stay_id JOIN persons p ON p.id = st.person_id WHERE b.photo <> ''`,
		`SELECT b.photo FROM belongings b JOIN stays s ON s.id = b.stay_id WHERE s.person_id = ? AND b.photo <> ''`,
		`UPDATE belongings SET photo = '' WHERE stay_id IN (SELECT id FROM stays WHERE person_id = ?)`},
	{`SELECT p.id FROM notices n JOIN persons p ON p.id = n.person_id WHERE n.photo <> ''`,
		`SELECT photo FROM notices WHERE person_id = ? AND photo <> ''`,
		`UPDATE notices SET photo = '' WHERE person_id = ?`},
	{`SELECT st.person_id FROM encounters e JOIN stays st ON st.encounter_id = e.id JOIN persons p ON p.id = st.person_id WHERE e.photo <> ''`,
		`SELECT e.photo FROM encounters e JOIN stays s ON s.encounter_id = e.id WHERE s.person_id = ? AND e.photo <> ''`,
		`UPDATE encounters SET photo = '' WHERE id IN (SELECT encounter_id FROM stays WHERE person_id = ?)`},
	{`SELECT p.id FROM missing_reports m JOIN persons p ON p.id = m.person_id WHERE m.photo <> ''`,
		`SELECT photo FROM missing_reports WHERE person_id = ? AND photo <> ''`,
		`UPDATE missing_reports SET photo = '' WHERE person_id = ?`},
}

// personPhotos lists the photo files rows of the person name: the
// admission photo in a stay's form and the photoColumns.
func (db *DB) personPhotos(ctx context.Context, q querier, personID string) ([]string, error) {
	var out []string
	rows, err := q.QueryContext(ctx, db.d.q(`SELECT form FROM stays WHERE person_id = ?`), personID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var form string
		if err := rows.Scan(&form); err != nil {
			rows.Close()
			return nil, err
		}
		var f struct {
			Photo string `json:"photo"`
		}
		if json.Unmarshal([]byte(form), &f) == nil && f.Photo != "" {
			out = append(out, f.Photo)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range photoColumns {
		names, err := list(ctx, db, q, "store.personPhotos", c.byPerson, scanID, personID)
		if err != nil {
			return nil, err
		}
		out = append(out, names...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// ApplyRetention implements datarights.Store.
func (db *DB) ApplyRetention(ctx context.Context, kind, recordID string, at time.Time, e audit.Entry) ([]string, error) {
	const op = "store.ApplyRetention"
	var photos []string
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		switch kind {
		case datarights.RetainSignalPhone:
			if _, err := db.exec(ctx, tx, `UPDATE signals SET phone_enc = '', reporter = '' WHERE id = ?`, recordID); err != nil {
				return err
			}
		case datarights.RetainPhotos:
			var err error
			if photos, err = db.clearPhotos(ctx, tx, recordID); err != nil {
				return err
			}
		case datarights.RetainHealth:
			for _, q := range []string{
				`UPDATE health_checks SET data = '{}' WHERE person_id = ?`,
				`UPDATE medications SET note = '' WHERE person_id = ?`,
				`UPDATE referral_notes SET text = '' WHERE referral_id IN (SELECT id FROM referrals WHERE person_id = ?)`,
			} {
				if _, err := db.exec(ctx, tx, q, recordID); err != nil {
					return err
				}
			}
		case datarights.RetainIdentity:
			in, err := db.personInCare(ctx, tx, recordID)
			if err != nil {
				return err
			}
			if in {
				return errs.E(errs.Conflict, op, "err.in_care")
			}
			if photos, err = db.clearPhotos(ctx, tx, recordID); err != nil {
				return err
			}
			if err := db.anonymise(ctx, tx, recordID, at); err != nil {
				return err
			}
			return db.auditPerson(ctx, tx, e, recordID) // family search forgets the name
		default:
			return errs.E(errs.Invalid, op, "unknown retention kind "+kind)
		}
		return db.appendAudit(ctx, tx, e)
	})
	if err != nil {
		return nil, err
	}
	return photos, nil
}

// clearPhotos removes every photo name from the person's rows and
// returns the names.
func (db *DB) clearPhotos(ctx context.Context, tx *sql.Tx, personID string) ([]string, error) {
	photos, err := db.personPhotos(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	if err := db.editStayJSON(ctx, tx, personID, func(form, _ map[string]any) { clearKeys(form, "photo") }); err != nil {
		return nil, err
	}
	for _, c := range photoColumns {
		if _, err := db.exec(ctx, tx, c.clear, personID); err != nil {
			return nil, err
		}
	}
	return photos, nil
}

func clearKeys(m map[string]any, keys ...string) {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			m[k] = ""
		}
	}
}

// editStayJSON rewrites the form and exit record of each of the person's
// stays with edit.
func (db *DB) editStayJSON(ctx context.Context, tx *sql.Tx, personID string, edit func(form, exit map[string]any)) error {
	type stay struct{ id, form, exit string }
	ss, err := list(ctx, db, tx, "store.editStayJSON", `SELECT id, form, exit FROM stays WHERE person_id = ?`, func(r rowScanner) (stay, error) {
		var s stay
		err := r.Scan(&s.id, &s.form, &s.exit)
		return s, err
	}, personID)
	if err != nil {
		return err
	}
	for _, s := range ss {
		form, exit := map[string]any{}, map[string]any{}
		_ = json.Unmarshal([]byte(s.form), &form)
		_ = json.Unmarshal([]byte(s.exit), &exit)
		edit(form, exit)
		f, _ := json.Marshal(form)
		x, _ := json.Marshal(exit)
		if _, err := db.exec(ctx, tx, `UPDATE stays SET form = ?, exit = ? WHERE id = ?`, string(f), string(x), s.id); err != nil {
			return err
		}
	}
	return nil
}

// anonymise drops the identifiers of one person record and what points at
// the person: relatives' names, phones and addresses, names given on the
// street, the collector at exit, the family's report. Sex, age, height,
// native place, dates, exit kinds and outcomes stay for statistics.
func (db *DB) anonymise(ctx context.Context, tx *sql.Tx, personID string, at time.Time) error {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`UPDATE persons SET name = ?, aliases = '', id_enc = '', id_birth = '', id_region = '', hukou = '', marks = '',
			anonymised_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, []any{datarights.Placeholder, db.d.t(at), db.d.t(at), personID}},
		{`DELETE FROM person_names WHERE person_id = ?`, []any{personID}},
		{`UPDATE person_contacts SET name = '', phone_enc = '', address = '' WHERE person_id = ?`, []any{personID}},
		{`UPDATE encounters SET name_enc = '' WHERE id IN (SELECT encounter_id FROM stays WHERE person_id = ?)`, []any{personID}},
		{`UPDATE notices SET name = '' WHERE person_id = ?`, []any{personID}},
		{`UPDATE missing_reports SET name = ?, aliases = '', id_enc = '', contact_name = '', contact_phone_enc = '' WHERE person_id = ?`,
			[]any{datarights.Placeholder, personID}},
	} {
		if _, err := db.exec(ctx, tx, q.sql, q.args...); err != nil {
			return err
		}
	}
	return db.editStayJSON(ctx, tx, personID, func(form, exit map[string]any) {
		clearKeys(form, "story", "residence", "relatives", "fingerprint_ref", "photo")
		clearKeys(exit, "destination")
		if c, ok := exit["collector"].(map[string]any); ok {
			clearKeys(c, "name", "id_sealed", "id_masked")
		}
	})
}

func scanID(r rowScanner) (string, error) {
	var s string
	err := r.Scan(&s)
	return s, err
}

var _ datarights.Store = (*DB)(nil)
