package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/family"
)

// ---- missing-person reports ----

const reportCols = `id, ref, source, source_org, external_id, status, name, aliases, sex, birth_date, age_min, age_max, height_cm, id_enc,
	native_place, dialect, lost_on, lost_place, features, description, photo, contact_name, contact_relation, contact_phone_enc, private, person_id,
	version, created_at, updated_at, created_by`

func scanReport(r rowScanner) (*family.Report, error) {
	var x family.Report
	var sex string
	var private int
	var person sql.NullString
	err := r.Scan(&x.ID, &x.Ref, &x.Source, &x.SourceOrg, &x.ExternalID, &x.Status, &x.Name, &x.Aliases, &sex, &x.BirthDate, &x.AgeMin, &x.AgeMax,
		&x.HeightCm, &x.IDSealed, &x.NativePlace, &x.Dialect, &x.LostOn, &x.LostPlace, &x.Features, &x.Description, &x.Photo, &x.ContactName,
		&x.ContactRelation, &x.ContactSealed, &private, &person, &x.Version, scanTime{&x.CreatedAt}, scanTime{&x.UpdatedAt}, &x.CreatedBy)
	x.Sex, x.Private, x.PersonID = cases.Sex(sex), private == 1, person.String
	return &x, err
}

func (db *DB) insertReport(ctx context.Context, tx *sql.Tx, x *family.Report) error {
	_, err := db.exec(ctx, tx, `INSERT INTO missing_reports (`+reportCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		db.reportArgs(x)...)
	return err
}

// reportArgs is a report's row (reportCols): the one builder of
// insertReport and InsertBulk.
func (db *DB) reportArgs(x *family.Report) []any {
	return []any{x.ID, x.Ref, x.Source, x.SourceOrg, x.ExternalID, x.Status, x.Name, x.Aliases, string(x.Sex), x.BirthDate, x.AgeMin, x.AgeMax, x.HeightCm,
		x.IDSealed, x.NativePlace, x.Dialect, x.LostOn, x.LostPlace, x.Features, x.Description, x.Photo, x.ContactName, x.ContactRelation, x.ContactSealed,
		boolInt(x.Private), nullString(x.PersonID), x.Version, db.d.t(x.CreatedAt), db.d.t(x.UpdatedAt), x.CreatedBy}
}

func (db *DB) insertUpdate(ctx context.Context, tx *sql.Tx, u *family.Update) error {
	_, err := db.exec(ctx, tx, `INSERT INTO report_updates (`+updateCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`, db.updateArgs(u)...)
	return err
}

const updateCols = `id, report_id, at, kind, text, public, by_name`

func (db *DB) updateArgs(u *family.Update) []any {
	return []any{u.ID, u.ReportID, db.d.t(u.At), u.Kind, u.Text, boolInt(u.Public), u.ByName}
}

// AddReport implements family.Store.
func (db *DB) AddReport(ctx context.Context, x *family.Report, u *family.Update, e audit.Entry) error {
	return db.AddReports(ctx, []*family.Report{x}, []*family.Update{u}, e)
}

// AddReports implements family.Store.
func (db *DB) AddReports(ctx context.Context, xs []*family.Report, us []*family.Update, e audit.Entry) error {
	return db.tx(ctx, "store.AddReports", func(tx *sql.Tx) error {
		ids := make([]string, len(xs))
		for i, x := range xs {
			if err := db.insertReport(ctx, tx, x); err != nil {
				return err
			}
			ids[i] = x.ID
		}
		for _, u := range us {
			if err := db.insertUpdate(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicReport, ids...)
	})
}

// ReportByID implements family.Store.
func (db *DB) ReportByID(ctx context.Context, id string) (*family.Report, error) {
	x, err := scanReport(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+reportCols+` FROM missing_reports WHERE id = ?`), id))
	return x, translate("store.ReportByID", err)
}

// ReportByRef implements family.Store.
func (db *DB) ReportByRef(ctx context.Context, ref string) (*family.Report, error) {
	x, err := scanReport(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+reportCols+` FROM missing_reports WHERE ref = ?`), ref))
	return x, translate("store.ReportByRef", err)
}

// ReportByExternal implements family.Store.
func (db *DB) ReportByExternal(ctx context.Context, org, externalID string) (*family.Report, error) {
	x, err := scanReport(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+reportCols+` FROM missing_reports WHERE source_org = ? AND external_id = ? AND external_id <> ''`), org, externalID))
	return x, translate("store.ReportByExternal", err)
}

// Reports implements family.Store, newest first.
func (db *DB) Reports(ctx context.Context, f family.ReportFilter) ([]*family.Report, error) {
	var w filter
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Source != "" {
		w.add("source = ?", f.Source)
	}
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 500
	}
	return list(ctx, db, db.r, "store.Reports", `SELECT `+reportCols+` FROM missing_reports`+w.sql()+` ORDER BY created_at DESC LIMIT ?`,
		scanReport, append(w.args, f.Limit)...)
}

// ActiveReports implements family.Store.
func (db *DB) ActiveReports(ctx context.Context) ([]*family.Report, error) {
	return list(ctx, db, db.r, "store.ActiveReports", `SELECT `+reportCols+` FROM missing_reports WHERE status IN ('open', 'review') ORDER BY created_at`, scanReport)
}

func (db *DB) updateReport(ctx context.Context, tx *sql.Tx, op string, x *family.Report) error {
	r, err := db.exec(ctx, tx, `UPDATE missing_reports SET status = ?, person_id = ?, name = ?, aliases = ?, sex = ?, birth_date = ?,
		age_min = ?, age_max = ?, native_place = ?, lost_place = ?, description = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		x.Status, nullString(x.PersonID), x.Name, x.Aliases, string(x.Sex), x.BirthDate, x.AgeMin, x.AgeMax, x.NativePlace, x.LostPlace,
		x.Description, db.d.t(x.UpdatedAt), x.ID, x.Version)
	if err := mustAffect(r, err); err != nil {
		return errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	x.Version++
	return nil
}

// UpdateReport implements family.Store.
func (db *DB) UpdateReport(ctx context.Context, x *family.Report, u *family.Update, e audit.Entry) error {
	const op = "store.UpdateReport"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := db.updateReport(ctx, tx, op, x); err != nil {
			return err
		}
		if u != nil {
			if err := db.insertUpdate(ctx, tx, u); err != nil {
				return err
			}
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, x.UpdatedAt, events.TopicReport, x.ID)
	})
}

// Updates implements family.Store, oldest first.
func (db *DB) Updates(ctx context.Context, reportID string, publicOnly bool) ([]*family.Update, error) {
	q := `SELECT id, report_id, at, kind, text, public, by_name FROM report_updates WHERE report_id = ?`
	if publicOnly {
		q += ` AND public = 1`
	}
	return list(ctx, db, db.r, "store.Updates", q+` ORDER BY at, id`, func(r rowScanner) (*family.Update, error) {
		var u family.Update
		var public int
		err := r.Scan(&u.ID, &u.ReportID, scanTime{&u.At}, &u.Kind, &u.Text, &public, &u.ByName)
		u.Public = public == 1
		return &u, err
	}, reportID)
}

// ---- match candidates ----

const candidateCols = `id, person_id, report_id, other_id, score, probability, label, levels, state, note, decided_by, decided_at, created_at, updated_at`

func scanCandidate(r rowScanner) (*family.Candidate, error) {
	var c family.Candidate
	var rep, other sql.NullString
	var levels string
	err := r.Scan(&c.ID, &c.PersonID, &rep, &other, &c.Score, &c.Probability, &c.Label, &levels, &c.State, &c.Note, &c.DecidedBy,
		scanTime{&c.DecidedAt}, scanTime{&c.CreatedAt}, scanTime{&c.UpdatedAt})
	c.ReportID, c.OtherID = rep.String, other.String
	_ = json.Unmarshal([]byte(levels), &c.Levels)
	return &c, err
}

// SaveCandidates implements family.Store.
func (db *DB) SaveCandidates(ctx context.Context, found, gone []*family.Candidate) error {
	return db.tx(ctx, "store.SaveCandidates", func(tx *sql.Tx) error {
		if err := db.upsertCandidates(ctx, tx, found); err != nil {
			return err
		}
		for _, c := range gone {
			if _, err := db.exec(ctx, tx, `DELETE FROM match_candidates WHERE person_id = ? AND target = ? AND state = 'proposed'`,
				c.PersonID, c.Target()); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReplaceCandidates implements family.Store.
func (db *DB) ReplaceCandidates(ctx context.Context, found []*family.Candidate) error {
	return db.tx(ctx, "store.ReplaceCandidates", func(tx *sql.Tx) error {
		if err := db.upsertCandidates(ctx, tx, found); err != nil {
			return err
		}
		keep := make(map[string]bool, len(found))
		for _, c := range found {
			keep[c.PersonID+"|"+c.Target()] = true
		}
		type pair struct{ id, key string }
		proposed, err := list(ctx, db, tx, "store.ReplaceCandidates", `SELECT id, person_id, target FROM match_candidates WHERE state = 'proposed'`,
			func(r rowScanner) (pair, error) {
				var p pair
				var person, target string
				err := r.Scan(&p.id, &person, &target)
				p.key = person + "|" + target
				return p, err
			})
		if err != nil {
			return err
		}
		var stale []string
		for _, p := range proposed {
			if !keep[p.key] {
				stale = append(stale, p.id)
			}
		}
		for len(stale) > 0 {
			n := min(len(stale), 500)
			var d filter
			d.in("id", stale[:n])
			stale = stale[n:]
			if _, err := db.exec(ctx, tx, `DELETE FROM match_candidates`+d.sql(), d.args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// upsertCandidates inserts proposals, or gives an open one (proposed,
// deferred) the new evidence; a decided pair keeps its decision: a
// rejected pair stays rejected.
func (db *DB) upsertCandidates(ctx context.Context, tx *sql.Tx, cs []*family.Candidate) error {
	for _, c := range cs {
		levels, _ := json.Marshal(c.Levels)
		if _, err := db.exec(ctx, tx, `INSERT INTO match_candidates (id, person_id, target, report_id, other_id, score, probability, label, levels, state,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (person_id, target) DO UPDATE SET score = excluded.score, probability = excluded.probability, label = excluded.label,
			levels = excluded.levels, updated_at = excluded.updated_at WHERE match_candidates.state IN ('proposed', 'deferred')`,
			c.ID, c.PersonID, c.Target(), nullString(c.ReportID), nullString(c.OtherID), c.Score, c.Probability, c.Label, string(levels), c.State,
			db.d.t(c.CreatedAt), db.d.t(c.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// OpenCandidateReports implements family.Store.
func (db *DB) OpenCandidateReports(ctx context.Context, reportIDs []string) (map[string]bool, error) {
	const op = "store.OpenCandidateReports"
	q := `SELECT DISTINCT report_id FROM match_candidates WHERE state IN ('proposed', 'deferred') AND report_id IS NOT NULL`
	var ids []string
	var err error
	if reportIDs == nil {
		ids, err = list(ctx, db, db.r, op, q, scanID)
	} else {
		// listIn adds its own WHERE: the states are checked on the rows.
		type row struct{ id, state string }
		var rows []row
		rows, err = listIn(ctx, db, op, `SELECT report_id, state FROM match_candidates`, "report_id", reportIDs, func(r rowScanner) (row, error) {
			var x row
			return x, r.Scan(&x.id, &x.state)
		})
		for _, x := range rows {
			if x.state == family.Proposed || x.state == family.Deferred {
				ids = append(ids, x.id)
			}
		}
	}
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// Candidates implements family.Store, most probable first.
func (db *DB) Candidates(ctx context.Context, states []string, personID, reportID string) ([]*family.Candidate, error) {
	if personID != "" {
		return db.personCandidates(ctx, states, personID, reportID)
	}
	var w filter
	w.in("state", states)
	if reportID != "" {
		w.add("report_id = ?", reportID)
	}
	return list(ctx, db, db.r, "store.Candidates", `SELECT `+candidateCols+` FROM match_candidates`+w.sql()+` ORDER BY probability DESC, score DESC, id LIMIT 1000`,
		scanCandidate, w.args...)
}

// personCandidates are a person's candidates from both sides, each side
// read by its own index; states and report are filtered here, on the few
// rows of one person (in SQL the planner took the state index and read
// every proposal, 23,752 at 10^5 people).
func (db *DB) personCandidates(ctx context.Context, states []string, personID, reportID string) ([]*family.Candidate, error) {
	cs, err := list(ctx, db, db.r, "store.Candidates", `SELECT `+candidateCols+` FROM match_candidates WHERE person_id = ?
		UNION ALL SELECT `+candidateCols+` FROM match_candidates WHERE other_id = ? AND person_id <> ?`, scanCandidate, personID, personID, personID)
	if err != nil {
		return nil, err
	}
	cs = slices.DeleteFunc(cs, func(c *family.Candidate) bool {
		return (len(states) > 0 && !slices.Contains(states, c.State)) || (reportID != "" && c.ReportID != reportID)
	})
	slices.SortFunc(cs, func(a, b *family.Candidate) int {
		switch {
		case a.Probability != b.Probability:
			return cmp.Compare(b.Probability, a.Probability)
		case a.Score != b.Score:
			return cmp.Compare(b.Score, a.Score)
		}
		return strings.Compare(a.ID, b.ID)
	})
	return cs, nil
}

// CandidatesPage implements family.Store: served by
// match_candidates_queue (state, probability, score, id).
func (db *DB) CandidatesPage(ctx context.Context, states []string, limit, offset int) ([]*family.Candidate, error) {
	var w filter
	w.in("state", states)
	return list(ctx, db, db.r, "store.CandidatesPage", `SELECT `+candidateCols+` FROM match_candidates`+w.sql()+
		` ORDER BY probability DESC, score DESC, id LIMIT ? OFFSET ?`, scanCandidate, append(w.args, limit, offset)...)
}

// CandidateByID implements family.Store.
func (db *DB) CandidateByID(ctx context.Context, id string) (*family.Candidate, error) {
	c, err := scanCandidate(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+candidateCols+` FROM match_candidates WHERE id = ?`), id))
	return c, translate("store.CandidateByID", err)
}

func (db *DB) decide(ctx context.Context, tx *sql.Tx, op string, c *family.Candidate) error {
	r, err := db.exec(ctx, tx, `UPDATE match_candidates SET state = ?, note = ?, decided_by = ?, decided_at = ?, updated_at = ?
		WHERE id = ? AND state IN ('proposed', 'deferred')`, c.State, c.Note, c.DecidedBy, db.d.t(c.DecidedAt), db.d.t(c.UpdatedAt), c.ID)
	if err := mustAffect(r, err); err != nil {
		return errs.E(errs.Conflict, op, "err.candidate_decided")
	}
	return nil
}

// Decide implements family.Store.
func (db *DB) Decide(ctx context.Context, c *family.Candidate, closeOthers bool, e audit.Entry) error {
	const op = "store.Decide"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := db.decide(ctx, tx, op, c); err != nil {
			return err
		}
		if closeOthers {
			if _, err := db.exec(ctx, tx, `UPDATE match_candidates SET state = 'closed', updated_at = ? WHERE id <> ? AND state IN ('proposed', 'deferred')
				AND (person_id = ? OR other_id = ?)`, db.d.t(c.UpdatedAt), c.ID, c.PersonID, c.PersonID); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Confirm implements family.Store.
func (db *DB) Confirm(ctx context.Context, c *family.Candidate, x *family.Report, p *cases.Person, u *family.Update, at time.Time, e audit.Entry) error {
	const op = "store.Confirm"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := db.decide(ctx, tx, op, c); err != nil {
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE match_candidates SET state = 'closed', updated_at = ? WHERE id <> ? AND state IN ('proposed', 'deferred')
			AND (person_id = ? OR report_id = ?)`, db.d.t(at), c.ID, p.ID, x.ID); err != nil {
			return err
		}
		if err := db.updateReport(ctx, tx, op, x); err != nil {
			return err
		}
		if err := db.insertUpdate(ctx, tx, u); err != nil {
			return err
		}
		if err := db.updatePerson(ctx, tx, op, p); err != nil {
			return err
		}
		p.Version++
		if _, err := db.exec(ctx, tx, `UPDATE notices SET state = 'reunited', updated_at = ? WHERE person_id = ? AND state = 'published'`, db.d.t(at), p.ID); err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		if err := db.appendEvents(ctx, tx, at, events.TopicPerson, p.ID); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, at, events.TopicReport, x.ID)
	})
}

// SubjectsAfter implements family.Store. The page is read in the order
// of the primary key (merged records are read and left out), so that each
// page costs what it holds however many records there are.
func (db *DB) SubjectsAfter(ctx context.Context, after string, limit int) ([]*family.Subject, string, error) {
	people, err := list(ctx, db, db.r, "store.SubjectsAfter", `SELECT `+personCols+` FROM persons WHERE id > ? ORDER BY id LIMIT ?`, scanPerson, after, limit)
	if err != nil || len(people) == 0 {
		return nil, "", err
	}
	last := people[len(people)-1].ID
	people = slices.DeleteFunc(people, func(p *cases.Person) bool { return p.MergedInto != "" })
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	if len(ids) == 0 {
		return nil, last, nil
	}
	subjects, err := db.subjects(ctx, people, ids)
	return subjects, last, err
}

// SubjectsOf implements family.Store.
func (db *DB) SubjectsOf(ctx context.Context, personIDs []string) ([]*family.Subject, error) {
	if len(personIDs) == 0 {
		return nil, nil
	}
	people, err := db.PeopleByIDs(ctx, personIDs)
	if err != nil {
		return nil, err
	}
	people = slices.DeleteFunc(people, func(p *cases.Person) bool { return p.MergedInto != "" })
	ids := make([]string, len(people))
	for i, p := range people {
		ids[i] = p.ID
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return db.subjects(ctx, people, ids)
}

// subjects joins people with their latest stay and their consent; ids
// are theirs.
func (db *DB) subjects(ctx context.Context, people []*cases.Person, ids []string) ([]*family.Subject, error) {
	const op = "store.Subjects"
	type latest struct {
		person, form string
		at           time.Time
		open         bool
	}
	// One row per person: the latest stay, and whether any is open.
	q := func(where string) string {
		return `SELECT person_id, arrived_at, form, open FROM (SELECT person_id, arrived_at, form,
			MAX(CASE WHEN state = 'open' THEN 1 ELSE 0 END) OVER (PARTITION BY person_id) AS open,
			ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY arrived_at DESC, id DESC) AS n FROM stays` + where + `) latest WHERE n = 1`
	}
	scan := func(r rowScanner) (latest, error) {
		var l latest
		var open int
		err := r.Scan(&l.person, scanTime{&l.at}, &l.form, &open)
		l.open = open == 1
		return l, err
	}
	var stays []latest
	var private []string
	var err error
	for rest := ids; len(rest) > 0 && err == nil; {
		n := min(len(rest), 500)
		var w filter
		w.in("person_id", rest[:n])
		rest = rest[n:]
		var part []latest
		if part, err = list(ctx, db, db.r, op, q(w.sql()), scan, w.args...); err == nil {
			stays = append(stays, part...)
		}
	}
	if err == nil {
		private, err = listIn(ctx, db, op, `SELECT person_id FROM match_consent`, "person_id", ids, scanID)
	}
	if err != nil {
		return nil, err
	}
	byPerson := make(map[string]latest, len(stays))
	for _, l := range stays {
		byPerson[l.person] = l
	}
	asked := make(map[string]bool, len(private))
	for _, id := range private {
		asked[id] = true
	}
	out := make([]*family.Subject, len(people))
	for i, p := range people {
		x := &family.Subject{Person: p, Private: asked[p.ID]}
		if l, ok := byPerson[p.ID]; ok {
			var form cases.Form
			_ = json.Unmarshal([]byte(l.form), &form)
			x.Seen, x.InCare, x.Place = l.at, l.open, form.Story
		}
		out[i] = x
	}
	return out, nil
}

// ReportsByIDs implements family.Store.
func (db *DB) ReportsByIDs(ctx context.Context, ids []string) ([]*family.Report, error) {
	return listIn(ctx, db, "store.ReportsByIDs", `SELECT `+reportCols+` FROM missing_reports`, "id", ids, scanReport)
}

// ---- consent ----

// SetConsent implements family.Store.
func (db *DB) SetConsent(ctx context.Context, personID, reason, by string, at time.Time, private bool, e audit.Entry) error {
	return db.tx(ctx, "store.SetConsent", func(tx *sql.Tx) error {
		var err error
		if private {
			_, err = db.exec(ctx, tx, `INSERT INTO match_consent (person_id, reason, by_name, at) VALUES (?, ?, ?, ?)
				ON CONFLICT (person_id) DO UPDATE SET reason = excluded.reason, by_name = excluded.by_name, at = excluded.at`, personID, reason, by, db.d.t(at))
		} else {
			_, err = db.exec(ctx, tx, `DELETE FROM match_consent WHERE person_id = ?`, personID)
		}
		if err != nil {
			return err
		}
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, at, events.TopicPerson, personID)
	})
}

// ---- matching progress ----

// matchProgress names the family-search row of match_progress.
const matchProgress = "family"

// MatchChanges implements family.Store.
func (db *DB) MatchChanges(ctx context.Context, after, through int64, limit int) ([]events.Event, error) {
	return list(ctx, db, db.r, "store.MatchChanges", `SELECT id, at, topic, record_id FROM events WHERE id > ? AND id <= ?
		AND topic IN ('`+events.TopicPerson+`', '`+events.TopicReport+`', '`+events.TopicMatch+`') ORDER BY id LIMIT ?`,
		func(r rowScanner) (events.Event, error) {
			var e events.Event
			err := r.Scan(&e.ID, scanTime{&e.At}, &e.Topic, &e.RecordID)
			return e, err
		}, after, through, limit)
}

// SetMatchedThrough implements family.Store.
func (db *DB) SetMatchedThrough(ctx context.Context, seq int64) error {
	_, err := db.execDurable(ctx, `INSERT INTO match_progress (name, through) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET through = excluded.through`, matchProgress, seq)
	return translate("store.SetMatchedThrough", err)
}

// MatchPending implements family.Store. It reads the events after the
// mark, which the matching node keeps close to the newest.
func (db *DB) MatchPending(ctx context.Context, topic, recordID string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM (SELECT 1 FROM events
		WHERE id > COALESCE((SELECT through FROM match_progress WHERE name = ?), 0) AND topic = ? AND record_id = ? LIMIT 1) pending`),
		matchProgress, topic, recordID).Scan(&n)
	return n > 0, translate("store.MatchPending", err)
}

// AskRematch implements family.Store.
func (db *DB) AskRematch(ctx context.Context, e audit.Entry) error {
	return db.tx(ctx, "store.AskRematch", func(tx *sql.Tx) error {
		if err := db.appendAudit(ctx, tx, e); err != nil {
			return err
		}
		return db.appendEvents(ctx, tx, e.At, events.TopicMatch, "*")
	})
}

// PrivatePeople implements family.Store.
func (db *DB) PrivatePeople(ctx context.Context) (map[string]bool, error) {
	ids, err := list(ctx, db, db.r, "store.PrivatePeople", `SELECT person_id FROM match_consent`, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// ---- notices ----

const noticeCols = `id, ref, person_id, stay_id, state, sex, age_min, age_max, height_cm, accent, region, found_on, found_place, features, clothing, speech,
	name, photo, published_at, expires_at, updated_at, by_name`

func scanNotice(r rowScanner) (*family.Notice, error) {
	var n family.Notice
	var sex string
	var stay sql.NullString
	err := r.Scan(&n.ID, &n.Ref, &n.PersonID, &stay, &n.State, &sex, &n.AgeMin, &n.AgeMax, &n.HeightCm, &n.Accent, &n.Region, &n.FoundOn,
		&n.FoundPlace, &n.Features, &n.Clothing, &n.Speech, &n.Name, &n.Photo, scanTime{&n.PublishedAt}, scanTime{&n.ExpiresAt}, scanTime{&n.UpdatedAt}, &n.ByName)
	n.Sex, n.StayID = cases.Sex(sex), stay.String
	return &n, err
}

// AddNotice implements family.Store.
func (db *DB) AddNotice(ctx context.Context, n *family.Notice, e audit.Entry) error {
	return db.tx(ctx, "store.AddNotice", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO notices (`+noticeCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n.ID, n.Ref, n.PersonID, nullString(n.StayID), n.State, string(n.Sex), n.AgeMin, n.AgeMax, n.HeightCm, n.Accent, n.Region, n.FoundOn,
			n.FoundPlace, n.Features, n.Clothing, n.Speech, n.Name, n.Photo, db.d.t(n.PublishedAt), db.d.t(n.ExpiresAt), db.d.t(n.UpdatedAt), n.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// NoticeByRef implements family.Store.
func (db *DB) NoticeByRef(ctx context.Context, ref string) (*family.Notice, error) {
	n, err := scanNotice(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+noticeCols+` FROM notices WHERE ref = ?`), ref))
	return n, translate("store.NoticeByRef", err)
}

// NoticesOf implements family.Store, newest first.
func (db *DB) NoticesOf(ctx context.Context, personID string) ([]*family.Notice, error) {
	return list(ctx, db, db.r, "store.NoticesOf", `SELECT `+noticeCols+` FROM notices WHERE person_id = ? ORDER BY published_at DESC`, scanNotice, personID)
}

// PublicNotices implements family.Store, newest first.
func (db *DB) PublicNotices(ctx context.Context, f family.NoticeFilter) ([]*family.Notice, error) {
	var w filter
	w.add("state IN ('published', 'reunited')")
	w.add("expires_at > ?", db.d.t(f.Now))
	if f.Sex != "" {
		w.add("sex = ?", string(f.Sex))
	}
	if f.AgeMin > 0 {
		w.add("age_max >= ?", f.AgeMin)
	}
	if f.AgeMax > 0 {
		w.add("age_min <= ?", f.AgeMax)
	}
	if f.Accent != "" {
		w.add("accent LIKE ?", "%"+strings.NewReplacer("%", "", "_", "").Replace(f.Accent)+"%")
	}
	if f.Region != "" {
		w.add("region LIKE ?", strings.NewReplacer("%", "", "_", "").Replace(f.Region)+"%")
	}
	for _, word := range strings.Fields(f.Text) {
		word = "%" + strings.NewReplacer("%", "", "_", "").Replace(word) + "%"
		w.add("(upper(ref) LIKE upper(?) OR accent LIKE ? OR found_place LIKE ? OR features LIKE ? OR clothing LIKE ?)", word, word, word, word, word)
	}
	if f.From != "" {
		w.add("found_on >= ?", f.From)
	}
	if f.To != "" {
		w.add("found_on <= ?", f.To)
	}
	return list(ctx, db, db.r, "store.PublicNotices", `SELECT `+noticeCols+` FROM notices`+w.sql()+` ORDER BY published_at DESC, id LIMIT ?`,
		scanNotice, append(w.args, f.Limit)...)
}

// SetNoticeState implements family.Store.
func (db *DB) SetNoticeState(ctx context.Context, personID, state string, at time.Time, e audit.Entry) error {
	return db.tx(ctx, "store.SetNoticeState", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `UPDATE notices SET state = ?, updated_at = ? WHERE person_id = ? AND state = 'published'`,
			state, db.d.t(at), personID); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

var _ family.Store = (*DB)(nil)

// ReportsSince implements family.Store: reports changed after c, oldest
// change first, read along missing_reports_changed.
func (db *DB) ReportsSince(ctx context.Context, c family.Cursor, limit int) ([]*family.Report, error) {
	if c.At.IsZero() {
		return list(ctx, db, db.r, "store.ReportsSince", `SELECT `+reportCols+` FROM missing_reports ORDER BY updated_at, id LIMIT ?`,
			scanReport, limit)
	}
	return list(ctx, db, db.r, "store.ReportsSince", `SELECT `+reportCols+` FROM missing_reports
		WHERE updated_at >= ? AND (updated_at > ? OR id > ?) ORDER BY updated_at, id LIMIT ?`,
		scanReport, db.d.t(c.At), db.d.t(c.At), c.ID, limit)
}

// PeerStatus implements family.Store.
func (db *DB) PeerStatus(ctx context.Context, name string) (family.PeerStatus, error) {
	st := family.PeerStatus{Name: name}
	err := db.readRow(ctx, `SELECT cursor_at, cursor_id, pulled_at, added, error FROM family_peers WHERE name = ?`, name).
		Scan(scanTime{&st.Cursor.At}, &st.Cursor.ID, scanTime{&st.PulledAt}, &st.Added, &st.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, translate("store.PeerStatus", err)
	}
	return st, nil
}

// SavePeerStatus implements family.Store.
func (db *DB) SavePeerStatus(ctx context.Context, st family.PeerStatus) error {
	_, err := db.execDurable(ctx, `INSERT INTO family_peers (name, cursor_at, cursor_id, pulled_at, added, error) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET cursor_at = excluded.cursor_at, cursor_id = excluded.cursor_id, pulled_at = excluded.pulled_at,
		added = excluded.added, error = excluded.error`,
		st.Name, db.d.t(st.Cursor.At), st.Cursor.ID, db.d.t(st.PulledAt), st.Added, st.Error)
	return translate("store.SavePeerStatus", err)
}
