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
	"github.com/havenrescue/haven/internal/events"
)

// ---- people ----

const personCols = `id, ref, name, aliases, sex, birth_date, age_min, age_max, height_cm, ethnicity, native_place, hukou, dialect,
	id_enc, id_birth, id_region, marks, mental, flags, identified, merged_into, version, created_at, updated_at`

func scanPerson(r rowScanner) (*cases.Person, error) {
	var p cases.Person
	var sex, mental, flags string
	var identified int
	var merged sql.NullString
	err := r.Scan(&p.ID, &p.Ref, &p.Name, &p.Aliases, &sex, &p.BirthDate, &p.AgeMin, &p.AgeMax, &p.HeightCm, &p.Ethnicity, &p.NativePlace,
		&p.Hukou, &p.Dialect, &p.IDSealed, &p.IDBirth, &p.IDRegion, &p.Marks, &mental, &flags, &identified, &merged, &p.Version,
		scanTime{&p.CreatedAt}, scanTime{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	p.Sex, p.Mental, p.Identified, p.MergedInto = cases.Sex(sex), cases.Mental(mental), identified == 1, merged.String
	if flags != "" {
		p.Flags = strings.Split(flags, ",")
	}
	return &p, nil
}

func (db *DB) personArgs(p *cases.Person) []any {
	return []any{p.Name, p.Aliases, string(p.Sex), p.BirthDate, p.AgeMin, p.AgeMax, p.HeightCm, p.Ethnicity, p.NativePlace, p.Hukou, p.Dialect,
		p.IDSealed, p.IDBirth, p.IDRegion, p.Marks, string(p.Mental), strings.Join(p.Flags, ","), boolInt(p.Identified)}
}

// personInsertCols are the columns personRow fills.
const personInsertCols = `id, ref, name, aliases, sex, birth_date, age_min, age_max, height_cm, ethnicity,
	native_place, hukou, dialect, id_enc, id_birth, id_region, marks, mental, flags, identified, version, created_at, updated_at`

// personRow is a new person's row: the one builder of Admit and InsertBulk.
func (db *DB) personRow(p *cases.Person) []any {
	args := append([]any{p.ID, p.Ref}, db.personArgs(p)...)
	return append(args, p.Version, db.d.t(p.CreatedAt), db.d.t(p.UpdatedAt))
}

// Admit implements cases.Store.
func (db *DB) Admit(ctx context.Context, p *cases.Person, contacts []*cases.Contact, st *cases.Stay, items []*cases.Belonging, e audit.Entry) error {
	const op = "store.Admit"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if p.Version == 0 {
			p.Version, p.UpdatedAt = 1, st.EnteredAt
			if _, err := db.exec(ctx, tx, `INSERT INTO persons (`+personInsertCols+`)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.personRow(p)...); err != nil {
				return err
			}
			if err := db.setPersonNames(ctx, tx, p.ID, p.Name, p.Aliases); err != nil {
				return err
			}
		}
		for _, c := range contacts {
			if err := db.insertContact(ctx, tx, c); err != nil {
				return err
			}
		}
		if st.State == cases.StayOpen {
			var n int
			if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM stays WHERE person_id = ? AND state = 'open'`), p.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return errs.E(errs.Conflict, op, "err.open_stay")
			}
		}
		if err := db.insertStay(ctx, tx, st); err != nil {
			if errs.Is(errs.Exists, translate(op, err)) {
				return errs.E(errs.Conflict, op, "err.open_stay")
			}
			return err
		}
		for _, b := range items {
			if err := db.insertBelonging(ctx, tx, b); err != nil {
				return err
			}
		}
		return db.auditPerson(ctx, tx, e, p.ID)
	})
}

// auditPerson appends e and tells family search that the person records
// changed (events.TopicPerson), as the transaction's last statements.
func (db *DB) auditPerson(ctx context.Context, tx *sql.Tx, e audit.Entry, personIDs ...string) error {
	if err := db.appendAudit(ctx, tx, e); err != nil {
		return err
	}
	return db.appendEvents(ctx, tx, e.At, events.TopicPerson, personIDs...)
}

const contactCols = `id, person_id, relation, name, phone_enc, address, created_at`

func (db *DB) contactArgs(c *cases.Contact) []any {
	return []any{c.ID, c.PersonID, c.Relation, c.Name, c.PhoneSealed, c.Address, db.d.t(c.CreatedAt)}
}

func (db *DB) insertContact(ctx context.Context, tx *sql.Tx, c *cases.Contact) error {
	_, err := db.exec(ctx, tx, `INSERT INTO person_contacts (`+contactCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`, db.contactArgs(c)...)
	return err
}

// stayArgs is a stay's row (stayCols): the one builder of insertStay and InsertBulk.
func (db *DB) stayArgs(st *cases.Stay) []any {
	form, _ := json.Marshal(st.Form)
	exit, _ := json.Marshal(st.Exit)
	return []any{st.ID, st.Ref, st.PersonID, string(st.State), db.d.t(st.ArrivedAt), db.d.t(st.EnteredAt), st.EnteredBy, st.Source,
		nullString(st.IncidentID), nullString(st.EncounterID), boolInt(st.Unidentified), string(form), st.Room, st.Bed, string(st.ExitKind),
		db.d.t(st.ExitedAt), string(exit), st.ExitedBy, st.Version, db.d.t(st.UpdatedAt)}
}

func (db *DB) insertStay(ctx context.Context, tx *sql.Tx, st *cases.Stay) error {
	_, err := db.exec(ctx, tx, `INSERT INTO stays (`+stayCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.stayArgs(st)...)
	return err
}

// belongingCols are the columns belongingArgs fills.
const belongingCols = `id, stay_id, item, qty, description, photo, location, signed_in_by, person_signed, signed_in_at`

func (db *DB) belongingArgs(b *cases.Belonging) []any {
	return []any{b.ID, b.StayID, b.Item, b.Qty, b.Description, b.Photo, b.Location, b.SignedInBy, boolInt(b.PersonSigned), db.d.t(b.SignedInAt)}
}

func (db *DB) insertBelonging(ctx context.Context, tx *sql.Tx, b *cases.Belonging) error {
	_, err := db.exec(ctx, tx, `INSERT INTO belongings (`+belongingCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, db.belongingArgs(b)...)
	return err
}

// PersonByID implements cases.Store.
func (db *DB) PersonByID(ctx context.Context, id string) (*cases.Person, error) {
	p, err := scanPerson(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+personCols+` FROM persons WHERE id = ?`), id))
	return p, translate("store.PersonByID", err)
}

// PeopleByIDs implements cases.Store.
func (db *DB) PeopleByIDs(ctx context.Context, ids []string) ([]*cases.Person, error) {
	return listIn(ctx, db, "store.PeopleByIDs", `SELECT `+personCols+` FROM persons`, "id", ids, scanPerson)
}

// listIn runs query with "WHERE col IN (…)" over vals, in chunks of 500
// (a dashboard asks for a year of stays and people at once).
func listIn[T any](ctx context.Context, db *DB, op, query, col string, vals []string, scan func(rowScanner) (T, error)) ([]T, error) {
	var out []T
	for len(vals) > 0 {
		n := min(len(vals), 500)
		var w filter
		w.in(col, vals[:n])
		vals = vals[n:]
		part, err := list(ctx, db, db.r, op, query+w.sql(), scan, w.args...)
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

// UpdatePerson implements cases.Store.
func (db *DB) UpdatePerson(ctx context.Context, p *cases.Person, e audit.Entry) error {
	const op = "store.UpdatePerson"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := db.updatePerson(ctx, tx, op, p); err != nil {
			return err
		}
		return db.auditPerson(ctx, tx, e, p.ID)
	})
}

// updatePerson saves p's fields, version-checked.
func (db *DB) updatePerson(ctx context.Context, tx *sql.Tx, op string, p *cases.Person) error {
	args := append(db.personArgs(p), db.d.t(p.UpdatedAt), p.ID, p.Version)
	r, err := db.exec(ctx, tx, `UPDATE persons SET name = ?, aliases = ?, sex = ?, birth_date = ?, age_min = ?, age_max = ?, height_cm = ?,
		ethnicity = ?, native_place = ?, hukou = ?, dialect = ?, id_enc = ?, id_birth = ?, id_region = ?, marks = ?, mental = ?, flags = ?,
		identified = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, args...)
	if err := mustAffect(r, err); err != nil {
		return errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	return db.setPersonNames(ctx, tx, p.ID, p.Name, p.Aliases)
}

// ListPeople implements cases.Store: identities only (merged records are
// reached through theirs), newest first.
func (db *DB) ListPeople(ctx context.Context, f cases.PersonFilter) ([]*cases.Person, error) {
	var w filter
	w.add("merged_into IS NULL")
	if f.Query != "" {
		q := "%" + strings.NewReplacer("%", "", "_", "").Replace(f.Query) + "%"
		w.add("(name LIKE ? OR aliases LIKE ? OR ref = ?)", q, q, strings.ToUpper(f.Query))
	}
	if f.InStation {
		w.add("id IN (SELECT person_id FROM stays WHERE state = 'open')")
	}
	if f.Unidentified {
		w.add("identified = 0")
	}
	return list(ctx, db, db.r, "store.ListPeople", `SELECT `+personCols+` FROM persons`+w.sql()+` ORDER BY updated_at DESC LIMIT ?`,
		scanPerson, append(w.args, f.Limit)...)
}

// PeopleByIDBirth implements cases.Store.
func (db *DB) PeopleByIDBirth(ctx context.Context, idBirth string) ([]*cases.Person, error) {
	if idBirth == "" {
		return nil, nil
	}
	return list(ctx, db, db.r, "store.PeopleByIDBirth", `SELECT `+personCols+` FROM persons WHERE id_birth = ? AND merged_into IS NULL`, scanPerson, idBirth)
}

// PeopleNamed implements cases.Store through person_names, which holds
// each record's name and aliases one to a row.
func (db *DB) PeopleNamed(ctx context.Context, name string) ([]*cases.Person, error) {
	if name == "" {
		return nil, nil
	}
	// Driven from person_names: given "id IN (…)", SQLite's planner
	// walked every unmerged person by merged_into instead (80 ms at 10^5).
	return list(ctx, db, db.r, "store.PeopleNamed", `SELECT `+personColsP+` FROM person_names n CROSS JOIN persons p
		WHERE n.name = ? AND p.id = n.person_id AND p.merged_into IS NULL LIMIT 50`, scanPerson, name)
}

// setPersonNames rewrites the person_names rows of one record.
func (db *DB) setPersonNames(ctx context.Context, tx *sql.Tx, personID, name, aliases string) error {
	if _, err := db.exec(ctx, tx, `DELETE FROM person_names WHERE person_id = ?`, personID); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, n := range cases.NamesOf(name, aliases) {
		if seen[n] {
			continue
		}
		seen[n] = true
		if _, err := db.exec(ctx, tx, `INSERT INTO person_names (name, person_id) VALUES (?, ?)`, n, personID); err != nil {
			return err
		}
	}
	return nil
}

// fillPersonNames adds the aliases of records on file to person_names
// once, after migration 00021 created it with their names.
func (db *DB) fillPersonNames(ctx context.Context) error {
	type rec struct{ id, name, aliases string }
	recs, err := list(ctx, db, db.w, "store.fillPersonNames", `SELECT id, name, aliases FROM persons WHERE aliases <> ''`, func(r rowScanner) (rec, error) {
		var x rec
		return x, r.Scan(&x.id, &x.name, &x.aliases)
	})
	if err != nil {
		return err
	}
	for len(recs) > 0 {
		n := min(len(recs), 1000)
		err := db.tx(ctx, "store.fillPersonNames", func(tx *sql.Tx) error {
			for _, x := range recs[:n] {
				if err := db.setPersonNames(ctx, tx, x.id, x.name, x.aliases); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		recs = recs[n:]
	}
	return nil
}

// Identity implements cases.Store.
func (db *DB) Identity(ctx context.Context, id string) ([]*cases.Person, error) {
	var out []*cases.Person
	frontier := []string{id}
	for depth := 0; len(frontier) > 0 && depth < 20; depth++ {
		var w filter
		w.in("merged_into", frontier)
		next, err := list(ctx, db, db.r, "store.Identity", `SELECT `+personCols+` FROM persons`+w.sql(), scanPerson, w.args...)
		if err != nil {
			return nil, err
		}
		frontier = frontier[:0]
		for _, p := range next {
			out = append(out, p)
			frontier = append(frontier, p.ID)
		}
	}
	return out, nil
}

// AddContact implements cases.Store.
func (db *DB) AddContact(ctx context.Context, c *cases.Contact, e audit.Entry) error {
	return db.tx(ctx, "store.AddContact", func(tx *sql.Tx) error {
		if err := db.insertContact(ctx, tx, c); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Contacts implements cases.Store.
func (db *DB) Contacts(ctx context.Context, personIDs []string) ([]*cases.Contact, error) {
	var w filter
	w.in("person_id", personIDs)
	if len(w.where) == 0 {
		return nil, nil
	}
	return list(ctx, db, db.r, "store.Contacts", `SELECT id, person_id, relation, name, phone_enc, address, created_at FROM person_contacts`+w.sql()+` ORDER BY created_at`,
		func(r rowScanner) (*cases.Contact, error) {
			var c cases.Contact
			err := r.Scan(&c.ID, &c.PersonID, &c.Relation, &c.Name, &c.PhoneSealed, &c.Address, scanTime{&c.CreatedAt})
			return &c, err
		}, w.args...)
}

// ---- stays ----

const stayCols = `id, ref, person_id, state, arrived_at, entered_at, entered_by, source, incident_id, encounter_id, unidentified, form,
	room, bed, exit_kind, exited_at, exit, exited_by, version, updated_at`

func scanStay(r rowScanner) (*cases.Stay, error) {
	var st cases.Stay
	var state, exitKind, form, exit string
	var inc, enc sql.NullString
	var unid int
	err := r.Scan(&st.ID, &st.Ref, &st.PersonID, &state, scanTime{&st.ArrivedAt}, scanTime{&st.EnteredAt}, &st.EnteredBy, &st.Source, &inc, &enc,
		&unid, &form, &st.Room, &st.Bed, &exitKind, scanTime{&st.ExitedAt}, &exit, &st.ExitedBy, &st.Version, scanTime{&st.UpdatedAt})
	if err != nil {
		return nil, err
	}
	st.State, st.ExitKind, st.IncidentID, st.EncounterID, st.Unidentified = cases.StayState(state), cases.ExitKind(exitKind), inc.String, enc.String, unid == 1
	_ = json.Unmarshal([]byte(form), &st.Form)
	_ = json.Unmarshal([]byte(exit), &st.Exit)
	return &st, nil
}

// StayByID implements cases.Store.
func (db *DB) StayByID(ctx context.Context, id string) (*cases.Stay, error) {
	st, err := scanStay(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+stayCols+` FROM stays WHERE id = ?`), id))
	return st, translate("store.StayByID", err)
}

// StaysOf implements cases.Store.
func (db *DB) StaysOf(ctx context.Context, personIDs []string) ([]*cases.Stay, error) {
	var w filter
	w.in("person_id", personIDs)
	if len(w.where) == 0 {
		return nil, nil
	}
	return list(ctx, db, db.r, "store.StaysOf", `SELECT `+stayCols+` FROM stays`+w.sql()+` ORDER BY arrived_at DESC`, scanStay, w.args...)
}

// OpenStays implements cases.Store.
func (db *DB) OpenStays(ctx context.Context) ([]*cases.Stay, error) {
	return list(ctx, db, db.r, "store.OpenStays", `SELECT `+stayCols+` FROM stays WHERE state = 'open' ORDER BY arrived_at`, scanStay)
}

// StaysArrived implements cases.Store.
func (db *DB) StaysArrived(ctx context.Context, since, until time.Time) ([]*cases.Stay, error) {
	return list(ctx, db, db.r, "store.StaysArrived", `SELECT `+stayCols+` FROM stays WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at`,
		scanStay, db.d.t(since), db.d.t(until))
}

// UpdateStay implements cases.Store.
func (db *DB) UpdateStay(ctx context.Context, st *cases.Stay, e audit.Entry) error {
	const op = "store.UpdateStay"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE stays SET room = ?, bed = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'open'`,
			st.Room, st.Bed, db.d.t(st.UpdatedAt), st.ID, st.Version)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// CloseStay implements cases.Store.
func (db *DB) CloseStay(ctx context.Context, st *cases.Stay, returns []*cases.Belonging, e audit.Entry) error {
	const op = "store.CloseStay"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		exit, _ := json.Marshal(st.Exit)
		r, err := db.exec(ctx, tx, `UPDATE stays SET state = ?, exit_kind = ?, exited_at = ?, exit = ?, exited_by = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND state = 'open'`, string(st.State), string(st.ExitKind), db.d.t(st.ExitedAt), string(exit), st.ExitedBy,
			db.d.t(st.UpdatedAt), st.ID, st.Version)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		for _, b := range returns {
			r, err := db.exec(ctx, tx, `UPDATE belongings SET returned_qty = ?, returned_at = ?, return_note = ?, returned_by = ? WHERE id = ? AND stay_id = ? AND returned_at IS NULL`,
				b.ReturnedQty, db.d.t(b.ReturnedAt), b.ReturnNote, b.ReturnedBy, b.ID, st.ID)
			if err := mustAffect(r, err); err != nil {
				return errs.E(errs.Conflict, op, "err.changed_meanwhile")
			}
		}
		return db.auditPerson(ctx, tx, e, st.PersonID)
	})
}

// AddBelonging implements cases.Store.
func (db *DB) AddBelonging(ctx context.Context, b *cases.Belonging, e audit.Entry) error {
	return db.tx(ctx, "store.AddBelonging", func(tx *sql.Tx) error {
		if err := db.insertBelonging(ctx, tx, b); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Belongings implements cases.Store.
func (db *DB) Belongings(ctx context.Context, stayID string) ([]*cases.Belonging, error) {
	return list(ctx, db, db.r, "store.Belongings", `SELECT id, stay_id, item, qty, description, photo, location, signed_in_by, person_signed, signed_in_at,
		returned_qty, returned_at, return_note, returned_by FROM belongings WHERE stay_id = ? ORDER BY signed_in_at, item`,
		func(r rowScanner) (*cases.Belonging, error) {
			var b cases.Belonging
			var signed int
			var rq sql.NullInt64
			err := r.Scan(&b.ID, &b.StayID, &b.Item, &b.Qty, &b.Description, &b.Photo, &b.Location, &b.SignedInBy, &signed, scanTime{&b.SignedInAt},
				&rq, scanTime{&b.ReturnedAt}, &b.ReturnNote, &b.ReturnedBy)
			b.PersonSigned, b.Returned, b.ReturnedQty = signed == 1, rq.Valid, int(rq.Int64)
			return &b, err
		}, stayID)
}

// AddCareNote implements cases.Store.
func (db *DB) AddCareNote(ctx context.Context, n *cases.Note, e audit.Entry) error {
	return db.tx(ctx, "store.AddCareNote", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO care_notes (id, stay_id, at, kind, text, author_name) VALUES (?, ?, ?, ?, ?, ?)`,
			n.ID, n.StayID, db.d.t(n.At), n.Kind, n.Text, n.AuthorName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// CareNotes implements cases.Store.
func (db *DB) CareNotes(ctx context.Context, stayID string) ([]*cases.Note, error) {
	return list(ctx, db, db.r, "store.CareNotes", `SELECT id, stay_id, at, kind, text, author_name FROM care_notes WHERE stay_id = ? ORDER BY at DESC`,
		func(r rowScanner) (*cases.Note, error) {
			var n cases.Note
			err := r.Scan(&n.ID, &n.StayID, scanTime{&n.At}, &n.Kind, &n.Text, &n.AuthorName)
			return &n, err
		}, stayID)
}

const taskCols = `stay_id, rule, done_at, done_by, note`

func (db *DB) taskArgs(t *cases.Task) []any {
	return []any{t.StayID, t.Rule, db.d.t(t.DoneAt), t.DoneBy, t.Note}
}

// DoTask implements cases.Store.
func (db *DB) DoTask(ctx context.Context, t *cases.Task, e audit.Entry) error {
	return db.tx(ctx, "store.DoTask", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO case_tasks (`+taskCols+`) VALUES (?, ?, ?, ?, ?)`, db.taskArgs(t)...); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Tasks implements cases.Store.
func (db *DB) Tasks(ctx context.Context, stayIDs []string) ([]*cases.Task, error) {
	return listIn(ctx, db, "store.Tasks", `SELECT stay_id, rule, done_at, done_by, note FROM case_tasks`, "stay_id", stayIDs,
		func(r rowScanner) (*cases.Task, error) {
			var t cases.Task
			err := r.Scan(&t.StayID, &t.Rule, scanTime{&t.DoneAt}, &t.DoneBy, &t.Note)
			return &t, err
		})
}

// ---- identity ----

// MergePeople implements cases.Store.
func (db *DB) MergePeople(ctx context.Context, m *cases.Merge, e audit.Entry) error {
	const op = "store.MergePeople"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		var open int
		if err := tx.QueryRowContext(ctx, db.d.q(`SELECT COUNT(DISTINCT person_id) FROM stays WHERE state = 'open' AND person_id IN (?, ?)`),
			m.SurvivorID, m.MergedID).Scan(&open); err != nil {
			return err
		}
		if open > 1 {
			return errs.E(errs.Conflict, op, "err.two_open_stays")
		}
		r, err := db.exec(ctx, tx, `UPDATE persons SET merged_into = ?, version = version + 1, updated_at = ? WHERE id = ? AND merged_into IS NULL`,
			m.SurvivorID, db.d.t(m.At), m.MergedID)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.already_merged")
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO person_merges (id, survivor_id, merged_id, actor_name, at) VALUES (?, ?, ?, ?, ?)`,
			m.ID, m.SurvivorID, m.MergedID, m.ActorName, db.d.t(m.At)); err != nil {
			return err
		}
		return db.auditPerson(ctx, tx, e, m.SurvivorID, m.MergedID)
	})
}

func scanMerge(r rowScanner) (*cases.Merge, error) {
	var m cases.Merge
	err := r.Scan(&m.ID, &m.SurvivorID, &m.MergedID, &m.ActorName, scanTime{&m.At}, scanTime{&m.UndoneAt})
	return &m, err
}

// UndoMerge implements cases.Store.
func (db *DB) UndoMerge(ctx context.Context, mergeID string, at time.Time, e audit.Entry) (*cases.Merge, error) {
	const op = "store.UndoMerge"
	var m *cases.Merge
	err := db.tx(ctx, op, func(tx *sql.Tx) error {
		var err error
		m, err = scanMerge(tx.QueryRowContext(ctx, db.d.q(`SELECT id, survivor_id, merged_id, actor_name, at, undone_at FROM person_merges WHERE id = ?`), mergeID))
		if err != nil {
			return err
		}
		if !m.UndoneAt.IsZero() {
			return errs.E(errs.Conflict, op, "err.already_undone")
		}
		r, err := db.exec(ctx, tx, `UPDATE persons SET merged_into = NULL, version = version + 1, updated_at = ? WHERE id = ? AND merged_into = ?`,
			db.d.t(at), m.MergedID, m.SurvivorID)
		if err := mustAffect(r, err); err != nil {
			return errs.E(errs.Conflict, op, "err.changed_meanwhile")
		}
		if _, err := db.exec(ctx, tx, `UPDATE person_merges SET undone_at = ? WHERE id = ?`, db.d.t(at), m.ID); err != nil {
			return err
		}
		m.UndoneAt = at
		return db.auditPerson(ctx, tx, e, m.SurvivorID, m.MergedID)
	})
	return m, err
}

// MergesOf implements cases.Store.
func (db *DB) MergesOf(ctx context.Context, personID string) ([]*cases.Merge, error) {
	return list(ctx, db, db.r, "store.MergesOf", `SELECT id, survivor_id, merged_id, actor_name, at, undone_at FROM person_merges
		WHERE survivor_id = ? OR merged_id = ? ORDER BY at DESC`, scanMerge, personID, personID)
}

func pair(a, b string) (string, string) {
	if a > b {
		return b, a
	}
	return a, b
}

// MarkDistinct implements cases.Store.
func (db *DB) MarkDistinct(ctx context.Context, a, b, actor string, at time.Time, e audit.Entry) error {
	x, y := pair(a, b)
	return db.tx(ctx, "store.MarkDistinct", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO person_distinct (a_id, b_id, actor_name, at) VALUES (?, ?, ?, ?) ON CONFLICT (a_id, b_id) DO NOTHING`,
			x, y, actor, db.d.t(at)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Distinct implements cases.Store.
func (db *DB) Distinct(ctx context.Context, a, b string) (bool, error) {
	x, y := pair(a, b)
	var n int
	err := db.r.QueryRowContext(ctx, db.d.q(`SELECT COUNT(*) FROM person_distinct WHERE a_id = ? AND b_id = ?`), x, y).Scan(&n)
	return n > 0, translate("store.Distinct", err)
}

var _ cases.Store = (*DB)(nil)

// personColsP are personCols of the alias p.
var personColsP = qualify("p", personCols)

// qualify prefixes each column of a column list with a table alias.
func qualify(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}
