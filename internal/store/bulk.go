package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/intake"
)

// Bulk is a batch of new records that InsertBulk writes in one
// transaction: the scale data set (haven scale) built by the services and
// written many rows to a statement. Every row is built by the same
// builder as the one-record write (personRow, stayArgs, signalArgs …).
type Bulk struct {
	People     []*cases.Person
	Contacts   []*cases.Contact
	Stays      []*cases.Stay
	Belongings []*cases.Belonging // with their return, for a closed stay
	Tasks      []*cases.Task
	Incidents  []*intake.Incident
	Signals    []*intake.Signal
	Reports    []*family.Report
	Updates    []*family.Update
	Audit      []audit.Entry
	// Events are the log entries the one-record writes append (by topic:
	// record ids), at At.
	Events map[string][]string
	At     time.Time
}

// bulkRows is the most rows one multi-row statement carries (SQLite binds
// at most 32,766 values, PostgreSQL 65,535).
const bulkRows = 500

// InsertBulk writes b in one transaction: all or nothing. A reference
// already taken fails it with Exists.
func (db *DB) InsertBulk(ctx context.Context, b *Bulk) error {
	const op = "store.InsertBulk"
	// Admission's duplicate check reads person_names: every name and
	// alias of the people added.
	var names [][2]string
	for _, p := range b.People {
		seen := map[string]bool{}
		for _, n := range cases.NamesOf(p.Name, p.Aliases) {
			if !seen[n] {
				seen[n] = true
				names = append(names, [2]string{n, p.ID})
			}
		}
	}
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		steps := []struct {
			table, cols string
			n           int
			row         func(i int) []any
		}{
			{"incidents", incidentColumns + `, cell`, len(b.Incidents), func(i int) []any { return db.incidentArgs(b.Incidents[i]) }},
			{"signals", signalInsertCols, len(b.Signals), func(i int) []any { return db.signalArgs(b.Signals[i]) }},
			{"persons", personInsertCols, len(b.People), func(i int) []any { return db.personRow(b.People[i]) }},
			{"person_names", "name, person_id", len(names), func(i int) []any { return []any{names[i][0], names[i][1]} }},
			{"person_contacts", contactCols, len(b.Contacts), func(i int) []any { return db.contactArgs(b.Contacts[i]) }},
			{"stays", stayCols, len(b.Stays), func(i int) []any { return db.stayArgs(b.Stays[i]) }},
			{"belongings", belongingCols + `, returned_qty, returned_at, return_note, returned_by`, len(b.Belongings), func(i int) []any {
				x := b.Belongings[i]
				var qty any
				if x.Returned {
					qty = x.ReturnedQty
				}
				return append(db.belongingArgs(x), qty, db.d.t(x.ReturnedAt), x.ReturnNote, x.ReturnedBy)
			}},
			{"case_tasks", taskCols, len(b.Tasks), func(i int) []any { return db.taskArgs(b.Tasks[i]) }},
			{"missing_reports", reportCols, len(b.Reports), func(i int) []any { return db.reportArgs(b.Reports[i]) }},
			{"report_updates", updateCols, len(b.Updates), func(i int) []any { return db.updateArgs(b.Updates[i]) }},
			{"audit_log", auditCols, len(b.Audit), func(i int) []any { return db.auditArgs(b.Audit[i]) }},
		}
		for _, s := range steps {
			if err := db.insertRows(ctx, tx, s.table, s.cols, s.n, s.row); err != nil {
				return err
			}
		}
		topics := make([]string, 0, len(b.Events))
		for t := range b.Events {
			topics = append(topics, t)
		}
		slices.Sort(topics)
		for _, t := range topics {
			ids := b.Events[t]
			for len(ids) > 0 {
				n := min(len(ids), bulkRows)
				if err := db.appendEvents(ctx, tx, b.At, t, ids[:n]...); err != nil {
					return err
				}
				ids = ids[n:]
			}
		}
		return nil
	})
}

// insertRows inserts n rows of cols into table, bulkRows to a statement.
// The statement texts are built here, not kept: their shapes vary.
func (db *DB) insertRows(ctx context.Context, tx *sql.Tx, table, cols string, n int, row func(i int) []any) error {
	ncol := strings.Count(cols, ",") + 1

	one := "(?" + strings.Repeat(", ?", ncol-1) + ")"
	args := make([]any, 0, min(n, bulkRows)*ncol)
	for start := 0; start < n; start += bulkRows {
		end := min(n, start+bulkRows)
		args = args[:0]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		for i := start; i < end; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteString(one)
			args = append(args, row(i)...)
		}
		if _, err := tx.ExecContext(ctx, db.d.q(q.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// refTables are the tables whose records carry a reference number.
var refTables = []string{"persons", "stays", "signals", "incidents", "missing_reports"}

// Refs lists the reference numbers taken in table (one of persons,
// stays, signals, incidents, missing_reports), for a bulk writer to keep
// them unique.
func (db *DB) Refs(ctx context.Context, table string) ([]string, error) {
	if !slices.Contains(refTables, table) {
		return nil, errs.E(errs.Invalid, "store.Refs", "unknown table "+table)
	}
	return list(ctx, db, db.r, "store.Refs", `SELECT ref FROM `+table, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
}
