package stats

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// Service answers for figures: every page, export and API that shows a
// count asks it, and it asks the catalogue.
type Service struct {
	Source Source
	Now    func() time.Time
	// Deadlines, when set, gives the statutory deadlines' compliance
	// (the dashboard's chart of it): CaseRules over the same store.
	Deadlines DeadlineSource
}

// Allowed reports whether a may read statistics: the stats.view
// permission, or an API key with the statistics.read scope. Statistics
// are counts: the records behind a number are opened through their own
// pages, under their own permissions.
func Allowed(a auth.Actor) bool {
	return a.Can(auth.PermStatsView) || slices.Contains(a.Scopes, auth.ScopeStatisticsRead)
}

// authorize is Forbidden (auth.Denied, naming stats.view) unless a may
// read statistics.
func authorize(op string, a auth.Actor) error {
	if Allowed(a) {
		return nil
	}
	return a.Require(op, auth.PermStatsView)
}

// Authorize is Forbidden unless a may read statistics: for pages that
// look records up (a campaign) before counting.
func (s *Service) Authorize(a auth.Actor) error { return authorize("stats.Authorize", a) }

// Figure is one indicator counted over a query: its rows as the query
// groups them and its total over the whole scope.
type Figure struct {
	Indicator Indicator
	Rows      []Row
	Total     int64
}

// Indicators lists the catalogue for a.
func (s *Service) Indicators(a auth.Actor) ([]Indicator, error) {
	if err := authorize("stats.Indicators", a); err != nil {
		return nil, err
	}
	return Catalogue(), nil
}

// Departments lists the departments figures can be asked for.
func (s *Service) Departments(ctx context.Context, a auth.Actor) ([]Department, error) {
	if err := authorize("stats.Departments", a); err != nil {
		return nil, err
	}
	return s.Source.StatDepartments(ctx)
}

// checkDepartment is Invalid (department: err.unknown_department) when q
// names a department that does not exist.
func (s *Service) checkDepartment(ctx context.Context, op string, sc Scope) ([]Department, error) {
	ds, err := s.Source.StatDepartments(ctx)
	if err != nil {
		return nil, err
	}
	if sc.DepartmentID != "" && !slices.ContainsFunc(ds, func(d Department) bool { return d.ID == sc.DepartmentID }) {
		return nil, errs.InvalidFields(op, map[string]string{"department": "err.unknown_department"})
	}
	return ds, nil
}

// Figures counts the indicators keys (all of them when keys is empty)
// over q. Invalid for an unknown key (keys: err.unknown_indicator) or
// department.
func (s *Service) Figures(ctx context.Context, a auth.Actor, keys []string, q Query) ([]Figure, error) {
	const op = "stats.Figures"
	if err := authorize(op, a); err != nil {
		return nil, err
	}
	ins, err := indicators(op, keys)
	if err != nil {
		return nil, err
	}
	if _, err := s.checkDepartment(ctx, op, q.Scope); err != nil {
		return nil, err
	}
	out := make([]Figure, 0, len(ins))
	for _, in := range ins {
		f, err := figure(ctx, s.Source, in, q)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

func indicators(op string, keys []string) ([]Indicator, error) {
	if len(keys) == 0 {
		return Catalogue(), nil
	}
	var out []Indicator
	for _, k := range keys {
		in, ok := Lookup(k)
		if !ok {
			return nil, errs.InvalidFields(op, map[string]string{"keys": "err.unknown_indicator"})
		}
		out = append(out, in)
	}
	return out, nil
}

// figure counts one indicator: its rows, and its total (the sum of the
// rows for an additive indicator, a query of its own otherwise).
func figure(ctx context.Context, src Source, in Indicator, q Query) (Figure, error) {
	if q.By == ByTotal {
		rows, err := in.Count(ctx, src, q)
		if err != nil {
			return Figure{}, err
		}
		f := Figure{Indicator: in, Rows: rows}
		if len(rows) > 0 {
			f.Total = rows[0].N
		}
		return f, nil
	}
	return figureOf(in, func(by By) ([]Row, error) {
		if by != ByTotal {
			by = q.By
		}
		return in.Count(ctx, src, Query{Scope: q.Scope, By: by})
	})
}

// figureOf is a figure over count, which counts the indicator grouped
// by its argument: the rows of ByDepartment (figure's count gives those
// of its query instead) and the total.
func figureOf(in Indicator, count func(By) ([]Row, error)) (Figure, error) {
	rows, err := count(ByDepartment)
	if err != nil {
		return Figure{}, err
	}
	f := Figure{Indicator: in, Rows: rows}
	if in.Additive {
		for _, r := range rows {
			f.Total += r.N
		}
		return f, nil
	}
	t, err := count(ByTotal)
	if err != nil {
		return Figure{}, err
	}
	if len(t) > 0 {
		f.Total = t[0].N
	}
	return f, nil
}

// Series is an indicator's per-day values over every day of a period
// (days without records are 0), for charts.
func Series(f Figure, p Period) []int64 {
	byDay := map[string]int64{}
	for _, r := range f.Rows {
		byDay[r.Day] = r.N
	}
	days := p.Days()
	out := make([]int64, len(days))
	for i, d := range days {
		out[i] = byDay[d]
	}
	return out
}

// Bys names the groupings a query may ask for.
var Bys = map[string]By{"total": ByTotal, "day": ByDay, "department": ByDepartment, "group": ByGroup}

// ParseQuery reads a query from a form or a URL query (get returns a
// parameter): from and to (YYYY-MM-DD; both empty: the default period),
// department (an id; empty for all), by (total, day, department, group;
// empty: total). Errors are errs.Invalid naming the field; the
// department is checked against the store by the Service.
func ParseQuery(get func(string) string, def Period, now time.Time) (Query, error) {
	const op = "stats.ParseQuery"
	from, to := strings.TrimSpace(get("from")), strings.TrimSpace(get("to"))
	if from == "" && to == "" {
		from, to = def.From, def.To
	}
	p, err := ParsePeriod(from, to, now)
	f := map[string]string{}
	if err != nil {
		var e *errs.Error
		if !errors.As(err, &e) {
			return Query{}, err
		}
		maps.Copy(f, e.Fields)
	}
	q := Query{Scope: Scope{Period: p}}
	dept := strings.TrimSpace(get("department"))
	if len(dept) > 64 || !utf8.ValidString(dept) || strings.ContainsAny(dept, " \t\r\n") {
		f["department"] = "err.unknown_department"
	} else {
		q.DepartmentID = dept
	}
	by, ok := Bys[strings.TrimSpace(get("by"))]
	if get("by") != "" && !ok {
		f["by"] = "err.invalid_choice"
	}
	q.By = by
	if len(f) > 0 {
		return Query{}, errs.InvalidFields(op, f)
	}
	return q, nil
}

// ParseKeys reads a comma-separated list of indicator keys; empty is all.
func ParseKeys(s string) ([]string, error) {
	var keys []string
	for k := range strings.SplitSeq(s, ",") {
		if k = strings.TrimSpace(k); k == "" {
			continue
		}
		if _, ok := Lookup(k); !ok {
			return nil, errs.InvalidFields("stats.ParseKeys", map[string]string{"keys": "err.unknown_indicator"})
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// Value is n in the unit's display quantity: hours for minutes, days for
// centidays, yuan for fen, a percentage for basis points, else n.
func (u Unit) Value(n int64) float64 {
	switch u {
	case UnitMinutes:
		return float64(n) / 60
	case UnitCentidays, UnitFen, UnitBasisPoints:
		return float64(n) / 100
	}
	return float64(n)
}

// Format writes n as the unit reads: whole numbers for counts, one
// decimal for hours and days, two for yuan, one for a percentage.
func (u Unit) Format(n int64) string {
	switch u {
	case UnitMinutes:
		return fixed(n*10/60, 1) // tenths of an hour, truncated
	case UnitCentidays, UnitBasisPoints:
		return fixed(n/10, 1)
	case UnitFen:
		return fixed(n, 2)
	}
	return strconv.FormatInt(n, 10)
}

// fixed writes n/10^dec with dec decimals.
func fixed(n int64, dec int) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	for len(s) <= dec {
		s = "0" + s
	}
	s = s[:len(s)-dec] + "." + s[len(s)-dec:]
	if neg {
		s = "-" + s
	}
	return s
}

// Label is the translation key of the unit's name ("stat.unit.<unit>").
func (u Unit) Label() string { return "stat.unit." + string(u) }
