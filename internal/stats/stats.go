// Package stats is Haven's statistics (DESIGN.md §3.11): one catalogue of
// indicators, each defined once — its names, unit, definition in words
// and the one store query that counts it from raw records — from which
// every report (campaign reports, the monthly statistics report, outcome
// measures), chart, export and API reads its figures. No figure is
// computed twice: a page that shows "夜巡 145 次" and the XLSX that says
// the same both ask the catalogue.
//
// Names and definitions are translation keys: "stat.<key>" is the
// indicator's name, "stat.<key>.def" its definition in words, in
// internal/i18n/catalog.
package stats

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/errs"
)

// CST is China Standard Time: periods are whole days of the calendar the
// station works in.
var CST = time.FixedZone("CST", 8*3600)

// Unit is how an indicator's integer values read. Every value is an
// int64 so that a figure is exact and a pre-aggregate can be compared
// with the raw computation for equality; units that need a fraction are
// fixed-point.
type Unit string

const (
	UnitPersonTimes Unit = "person_times" // 人次
	UnitPeople      Unit = "people"       // 人 (distinct people)
	UnitTimes       Unit = "times"        // 次
	UnitItems       Unit = "items"        // 件
	UnitCopies      Unit = "copies"       // 份 (leaflets, help cards)
	UnitTrips       Unit = "trips"        // 车次
	UnitPoints      Unit = "points"       // 个 (places)
	UnitMinutes     Unit = "minutes"      // shown as hours with one decimal
	UnitCentidays   Unit = "centidays"    // hundredths of a day, shown as days with one decimal
	UnitFen         Unit = "fen"          // money, shown as yuan with two decimals
	UnitBasisPoints Unit = "basis_points" // a share, 1/10000, shown as a percentage with one decimal
)

// Period is a span of whole days in China time, From and To inclusive,
// each YYYY-MM-DD.
type Period struct {
	From, To string
}

// Since is the first instant of the period.
func (p Period) Since() time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, p.From, CST)
	return t
}

// Until is the first instant after the period.
func (p Period) Until() time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, p.To, CST)
	return t.AddDate(0, 0, 1)
}

// Days lists the period's days, YYYY-MM-DD, in order.
func (p Period) Days() []string {
	var out []string
	for d := p.Since(); d.Before(p.Until()); d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// MaxPeriodDays bounds a period: ten years of days.
const MaxPeriodDays = 3660

// ParsePeriod reads a period from a form or a query. The first day must
// not be after the last, nor after today; the last may lie in the future
// (a running campaign's planned end) and counts up to now. Errors are
// errs.Invalid with the fields "from" and "to".
func ParsePeriod(from, to string, now time.Time) (Period, error) {
	const op = "stats.ParsePeriod"
	f := map[string]string{}
	a, errA := time.ParseInLocation(time.DateOnly, from, CST)
	b, errB := time.ParseInLocation(time.DateOnly, to, CST)
	if errA != nil {
		f["from"] = "err.invalid_date"
	}
	if errB != nil {
		f["to"] = "err.invalid_date"
	}
	if len(f) == 0 {
		today := now.In(CST).Format(time.DateOnly)
		switch {
		case b.Before(a):
			f["to"] = "err.period_reversed"
		case from > today:
			f["from"] = "err.period_future"
		case b.Sub(a) > MaxPeriodDays*24*time.Hour:
			f["to"] = "err.period_too_long"
		}
	}
	if len(f) > 0 {
		return Period{}, errs.InvalidFields(op, f)
	}
	return Period{From: a.Format(time.DateOnly), To: b.Format(time.DateOnly)}, nil
}

// Scope is what a figure counts over: a period and, when DepartmentID is
// set, one department (the department a record belongs to is part of
// each indicator's definition).
type Scope struct {
	Period       Period
	DepartmentID string
}

// By is how a query groups its counts.
type By uint8

const (
	ByTotal      By = iota // one row
	ByDay                  // a row per day (CST) that has records
	ByDepartment           // a row per department that has records
	ByGroup                // a row per breakdown value (channel, kind, item type, age band, …)
	// ByCube is a row per day, department and breakdown value together
	// that has records: one scan from which the others of an additive
	// indicator are summed (Rollup).
	ByCube
)

// Query is one count the catalogue asks the store for.
type Query struct {
	Scope
	By By
}

// Row is one count: Day, DepartmentID or Group is set according to the
// query's By (all three for ByCube).
type Row struct {
	Day          string
	DepartmentID string
	Group        string
	N            int64
}

// Indicator is one entry of the catalogue.
type Indicator struct {
	Key  string
	Unit Unit
	// Additive says whether the rows of a grouped query sum to the total:
	// true for counts of events, false for distinct people, averages and
	// medians (the total is then asked for separately).
	Additive bool
	// Grouped names the breakdown a ByGroup query gives ("channel",
	// "kind", "item", "exit"); empty when the indicator has none.
	Grouped string
	// Daily says whether the indicator is drawn in a campaign's daily
	// curve.
	Daily bool
	// Scan names the records an additive indicator counts when another
	// indicator counts the same ones by another breakdown: a report
	// counts indicators of one Scan in one query (CubeSource).
	Scan string
	// Count is the one piece of code that computes the indicator from raw
	// records, through the store.
	Count func(ctx context.Context, src Source, q Query) ([]Row, error)

	reduce func(secs []int64) int64 // for averages and medians: Count reduces StatValues with it
}

// Name is the indicator's translation key; Def its definition's.
func (in Indicator) Name() string { return "stat." + in.Key }

// Def is the translation key of the indicator's definition in words.
func (in Indicator) Def() string { return "stat." + in.Key + ".def" }

// Source is the store's statistics queries (internal/store). Each
// indicator's SQL lives there, once, under the indicator's key.
type Source interface {
	// StatCount counts the indicator key over q: one row per group of
	// q.By that has records (ByTotal: exactly one row). Invalid for a key
	// the store has no query for.
	StatCount(ctx context.Context, key string, q Query) ([]Row, error)
	// StatValues lists one row per record of the indicator key in q's
	// scope, N its value (a length of stay in seconds), grouped as q.By
	// says: for averages and medians, which are reduced in Go.
	StatValues(ctx context.Context, key string, q Query) ([]Row, error)
	// StatDepartments lists the departments, to name the per-department
	// rows and to check a department filter.
	StatDepartments(ctx context.Context) ([]Department, error)
	// Occupancy counts the people in care when p began and each day's
	// admissions and exits.
	Occupancy(ctx context.Context, p Period) (OccupancyCounts, error)
	// HeatGrid counts q's records per square of 1/GridScale degree.
	HeatGrid(ctx context.Context, q HeatQuery) ([]GridCount, error)
}

// CubeSource is a Source that counts several additive indicators of one
// Scan — the same records, instant, department and count, different
// breakdowns — in one query: a ByCube row set for each key, in order.
type CubeSource interface {
	StatCubes(ctx context.Context, keys []string, q Query) ([][]Row, error)
}

// Department is a department as reports name it.
type Department struct {
	ID, Name, NameEn, Kind string
}
