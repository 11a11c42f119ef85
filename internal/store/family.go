package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
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
		x.ID, x.Ref, x.Source, x.SourceOrg, x.ExternalID, x.Status, x.Name, x.Aliases, string(x.Sex), x.BirthDate, x.AgeMin, x.AgeMax, x.HeightCm,
		x.IDSealed, x.NativePlace, x.Dialect, x.LostOn, x.LostPlace, x.Features, x.Description, x.Photo, x.ContactName, x.ContactRelation, x.ContactSealed,
		boolInt(x.Private), nullString(x.PersonID), x.Version, db.d.t(x.CreatedAt), db.d.t(x.UpdatedAt), x.CreatedBy)
	return err
}

func (db *DB) insertUpdate(ctx context.Context, tx *sql.Tx, u *family.Update) error {
	_, err := db.exec(ctx, tx, `INSERT INTO report_updates (id, report_id, at, kind, text, public, by_name) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.ReportID, db.d.t(u.At), u.Kind, u.Text, boolInt(u.Public), u.ByName)
	return err
}

// AddReport implements family.Store.
func (db *DB) AddReport(ctx context.Context, x *family.Report, u *family.Update, e audit.Entry) error {
	return db.AddReports(ctx, []*family.Report{x}, []*family.Update{u}, e)
}

// AddReports implements family.Store.
func (db *DB) AddReports(ctx context.Context, xs []*family.Report, us []*family.Update, e audit.Entry) error {
	return db.tx(ctx, "store.AddReports", func(tx *sql.Tx) error {
		for _, x := range xs {
			if err := db.insertReport(ctx, tx, x); err != nil {
				return err
			}
		}
		for _, u := range us {
			if err := db.insertUpdate(ctx, tx, u); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
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
	r, err := db.exec(ctx, tx, `UPDATE missing_reports SET status = ?, person_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		x.Status, nullString(x.PersonID), db.d.t(x.UpdatedAt), x.ID, x.Version)
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
		return db.appendAudit(ctx, tx, e)
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
func (db *DB) SaveCandidates(ctx context.Context, personIDs, reportIDs []string, cs []*family.Candidate) error {
	const op = "store.SaveCandidates"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		keep := map[string]bool{}
		for _, c := range cs {
			levels, _ := json.Marshal(c.Levels)
			var id, state string
			err := tx.QueryRowContext(ctx, db.d.q(`SELECT id, state FROM match_candidates WHERE person_id = ? AND target = ?`), c.PersonID, c.Target()).Scan(&id, &state)
			switch {
			case err == sql.ErrNoRows:
				if _, err := db.exec(ctx, tx, `INSERT INTO match_candidates (id, person_id, target, report_id, other_id, score, probability, label, levels, state,
					created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.PersonID, c.Target(), nullString(c.ReportID), nullString(c.OtherID),
					c.Score, c.Probability, c.Label, string(levels), c.State, db.d.t(c.CreatedAt), db.d.t(c.UpdatedAt)); err != nil {
					return err
				}
				keep[c.ID] = true
			case err != nil:
				return err
			case state == family.Proposed || state == family.Deferred:
				// Still open: the new evidence replaces the old.
				if _, err := db.exec(ctx, tx, `UPDATE match_candidates SET score = ?, probability = ?, label = ?, levels = ?, updated_at = ? WHERE id = ?`,
					c.Score, c.Probability, c.Label, string(levels), db.d.t(c.UpdatedAt), id); err != nil {
					return err
				}
				keep[id] = true
			default:
				keep[id] = true // decided: a rejected pair stays rejected
			}
		}
		// Proposals of the records searched that were not found again.
		var w filter
		w.add("state = 'proposed'")
		switch {
		case len(personIDs) > 0 && len(reportIDs) > 0:
			var a, b filter
			a.in("person_id", personIDs)
			b.in("report_id", reportIDs)
			w.add("("+strings.Join(a.where, "")+" OR "+strings.Join(b.where, "")+")", append(a.args, b.args...)...)
		case len(personIDs) > 0:
			w.in("person_id", personIDs)
		case len(reportIDs) > 0:
			w.in("report_id", reportIDs)
		}
		rows, err := tx.QueryContext(ctx, db.d.q(`SELECT id FROM match_candidates`+w.sql()), w.args...)
		if err != nil {
			return err
		}
		var stale []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			if !keep[id] {
				stale = append(stale, id)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
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

// Candidates implements family.Store, most probable first.
func (db *DB) Candidates(ctx context.Context, states []string, personID, reportID string) ([]*family.Candidate, error) {
	var w filter
	w.in("state", states)
	if personID != "" {
		w.add("(person_id = ? OR other_id = ?)", personID, personID)
	}
	if reportID != "" {
		w.add("report_id = ?", reportID)
	}
	return list(ctx, db, db.r, "store.Candidates", `SELECT `+candidateCols+` FROM match_candidates`+w.sql()+` ORDER BY probability DESC, score DESC, id LIMIT 1000`,
		scanCandidate, w.args...)
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
		return db.appendAudit(ctx, tx, e)
	})
}

// Subjects implements family.Store.
func (db *DB) Subjects(ctx context.Context) ([]*family.Subject, error) {
	people, err := list(ctx, db, db.r, "store.Subjects", `SELECT `+personCols+` FROM persons WHERE merged_into IS NULL ORDER BY id`, scanPerson)
	if err != nil {
		return nil, err
	}
	stays, err := list(ctx, db, db.r, "store.Subjects", `SELECT `+stayCols+` FROM stays ORDER BY arrived_at`, scanStay)
	if err != nil {
		return nil, err
	}
	latest := map[string]*cases.Stay{}
	open := map[string]bool{}
	for _, st := range stays {
		latest[st.PersonID] = st
		open[st.PersonID] = open[st.PersonID] || st.State == cases.StayOpen
	}
	out := make([]*family.Subject, len(people))
	for i, p := range people {
		x := &family.Subject{Person: p, InCare: open[p.ID]}
		if st := latest[p.ID]; st != nil {
			x.Seen, x.Place = st.ArrivedAt, st.Form.Story
		}
		out[i] = x
	}
	return out, nil
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
		return db.appendAudit(ctx, tx, e)
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
