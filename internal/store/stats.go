package store

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/stats"
)

// The statistics catalogue's queries (internal/stats): one spec per
// indicator key, the only place its SQL is written. A spec names the
// records counted (from, where), the instant that places a record in a
// period and on a day (at), the record's department (dept), its
// breakdown (group) and what is counted (agg). Every query filters on at
// with a half-open range [since, until), which the indexes of migration
// 00027 serve.

type statSpec struct {
	from string // FROM clause, joins included
	// bare, when set, is the FROM clause without the joins that only find
	// the department: used when a query neither filters nor groups by
	// department (the joins are to rows a foreign key guarantees, so they
	// never drop a record).
	bare  string
	at    string // the record's instant
	where string // further conditions ("" for none)
	args  []any  // arguments of where
	dept  string // the record's department id
	group string // the breakdown value ("" when the indicator has none)
	agg   string // the aggregate counted
	value string // StatValues: the per-record value
}

// stationDept is the relief station's department: records of the
// station as a whole belong to it.
const stationDept = `(SELECT MIN(id) FROM departments WHERE kind = 'station')`

// encounterDept is an encounter's department: its patrol's, else its
// team's.
const encounterDept = `COALESCE(ep.department_id, et.department_id)`

// statSpecs builds the specs of the dialect.
func (db *DB) statSpecs() map[string]statSpec {
	// The joins that find a record's department read covering indexes
	// (migration 00027).
	encounterFrom := "encounters e LEFT JOIN patrols ep" + db.d.indexedBy("patrols_dept") + " ON ep.id = e.patrol_id LEFT JOIN teams et ON et.id = e.team_id"
	signalFrom := "signals g JOIN incidents i" + db.d.indexedBy("incidents_dept") + " ON i.id = g.incident_id"
	encounter := func(outcome string) statSpec {
		return statSpec{from: encounterFrom, at: "e.at", where: "e.outcome = ?", args: []any{outcome}, dept: encounterDept, agg: "COUNT(*)"}
	}
	exits := func(kind string) statSpec {
		s := statSpec{from: "stays s", at: "s.exited_at", where: "s.state = 'closed'", dept: stationDept, agg: "COUNT(*)"}
		if kind != "" {
			s.where += " AND s.exit_kind = ?"
			s.args = []any{kind}
		}
		return s
	}
	stayLength := statSpec{from: "stays s", at: "s.exited_at", where: "s.state = 'closed'", dept: stationDept,
		value: db.d.secondsBetween("s.arrived_at", "s.exited_at")}
	patrols := statSpec{from: "patrols p", at: "p.started_at", dept: "p.department_id"}
	with := func(s statSpec, f func(*statSpec)) statSpec { f(&s); return s }
	publicity := statSpec{from: "publicity_log l", at: db.d.midnightCST("l.on_date"), dept: stationDept}
	return map[string]statSpec{
		"signals": {from: signalFrom, bare: "signals g", at: "g.received_at", dept: "i.department_id",
			group: "g.channel", agg: "COUNT(*)"},
		"signals_by_kind": {from: signalFrom, bare: "signals g", at: "g.received_at", dept: "i.department_id",
			group: "g.service_code", agg: "COUNT(*)"},
		"incidents_closed": {from: "incidents i", at: "i.closed_at", where: "i.state = 'closed'", dept: "i.department_id", agg: "COUNT(*)"},
		"incidents_closed_in_sla": {from: "incidents i", at: "i.closed_at", where: "i.state = 'closed' AND i.closed_at <= i.due_at",
			dept: "i.department_id", agg: "COUNT(*)"},
		"patrols":        with(patrols, func(s *statSpec) { s.agg = "COUNT(*)" }),
		"night_patrols":  with(patrols, func(s *statSpec) { s.agg = "COUNT(*)"; s.where = "p.night = 1" }),
		"staff_turnouts": with(patrols, func(s *statSpec) { s.agg = "SUM(p.staff_count)" }),
		"vehicle_trips":  with(patrols, func(s *statSpec) { s.agg = "SUM(p.vehicle_trips)" }),
		"outreach_aid":   encounter("outreach"),
		"persuaded_in":   encounter("to_station"),
		"refusals":       encounter("refused"),
		"rescued":        {from: "stays s", at: "s.arrived_at", where: "s.state <> 'refused'", dept: stationDept, agg: "COUNT(*)"},
		"rescued_people": {from: "stays s", at: "s.arrived_at", where: "s.state <> 'refused'", dept: stationDept, agg: "COUNT(DISTINCT s.person_id)"},
		// A handout less what was returned under its person key and item
		// (an encounter corrected to fewer): the returns are subtracted
		// from the first handout of that key and item, so the figure of
		// the handout's day is corrected, not the day of the correction.
		"items_handed_out": {from: `stock_movements m JOIN supply_items si ON si.id = m.item_id
			LEFT JOIN stock_locations sl ON sl.id = m.location_id LEFT JOIN teams st ON st.id = sl.team_id
			LEFT JOIN (SELECT person_key, item_id, SUM(qty) AS n FROM stock_movements WHERE kind = 'return' GROUP BY person_key, item_id) ret
				ON ret.person_key = m.person_key AND ret.item_id = m.item_id`,
			at: "m.at", where: "m.kind = 'handout'", dept: "COALESCE(st.department_id, " + stationDept + ")", group: "si.name",
			agg: `SUM(-m.qty) - COALESCE(SUM(CASE WHEN ret.n IS NOT NULL AND m.person_key <> '' AND m.id = (SELECT h.id FROM stock_movements h
				WHERE h.kind = 'handout' AND h.person_key = m.person_key AND h.item_id = m.item_id ORDER BY h.at, h.id LIMIT 1) THEN ret.n END), 0)`},
		"points_open":   {from: "point_log l", at: "l.at", dept: stationDept, agg: "COUNT(DISTINCT l.point_id)"},
		"point_visits":  {from: "point_log l", at: "l.at", dept: stationDept, agg: "SUM(l.people)"},
		"escorted":      exits("escorted"),
		"returned_home": exits("return_home"),
		"exits":         with(exits(""), func(s *statSpec) { s.group = "s.exit_kind" }),
		// A report's first confirmation only: found again later is not a
		// second reunion.
		"reunions": {from: "report_updates u", at: "u.at", where: `u.kind = 'found' AND NOT EXISTS (SELECT 1 FROM report_updates o
			WHERE o.report_id = u.report_id AND o.kind = 'found' AND (o.at < u.at OR (o.at = u.at AND o.id < u.id)))`, dept: stationDept, agg: "COUNT(*)"},
		"notices_24h": {from: "stays s JOIN case_tasks k ON k.stay_id = s.id AND k.rule = 'notice_24h'", at: "s.arrived_at",
			where: "s.state <> 'refused' AND k.done_at <= " + db.d.plusHours("s.arrived_at"), args: []any{24}, dept: stationDept, agg: "COUNT(*)"},
		"stay_avg":    stayLength,
		"stay_median": stayLength,
		"volunteer_minutes": {from: "vol_signups v JOIN vol_shifts f ON f.id = v.shift_id", at: "f.starts_at", where: "v.attended = 1",
			dept: stationDept, agg: "SUM(v.minutes)"},
		"donations_money": {from: "money_donations d", at: "d.at", dept: stationDept, agg: "SUM(d.amount_fen)"},
		"donations_in_kind": {from: "stock_movements m JOIN supply_items si ON si.id = m.item_id", at: "m.at", where: "m.kind = 'donation'",
			dept: stationDept, group: "si.name", agg: "SUM(m.qty)"},
		// The publicity log is kept by date (China time): each entry is
		// placed at the first instant of its day.
		"publicity_activities": with(publicity, func(s *statSpec) { s.where = "l.kind = 'activity'"; s.agg = "COUNT(*)" }),
		"media_reports":        with(publicity, func(s *statSpec) { s.where = "l.kind = 'media'"; s.agg = "COUNT(*)" }),
		"publicity_materials":  with(publicity, func(s *statSpec) { s.group = "l.kind"; s.agg = "SUM(l.materials)" }),
		"publicity_audience":   with(publicity, func(s *statSpec) { s.group = "l.kind"; s.agg = "SUM(l.audience)" }),
		"event_visitors": {from: "event_registrations r JOIN portal_events ev ON ev.id = r.event_id", at: "r.checked_in_at",
			dept: stationDept, group: "ev.title", agg: "COUNT(*)"},
	}
}

// statQuery builds the query of spec over q, selecting the grouping keys
// of q.By and then sel.
func (db *DB) statQuery(spec statSpec, q stats.Query, sel string, grouped bool) (string, []any) {
	day, dept, group := db.d.dateCST(spec.at), "COALESCE("+spec.dept+", '')", "''"
	if !strings.Contains(sel, "DISTINCT") { // sums and counts, or one row per record: keyed cheaply, summed by day after (statDays)
		day = db.d.dayKeyCST(spec.at)
	}
	if spec.group != "" {
		group = "COALESCE(" + spec.group + ", '')"
	}
	keys := []string{"''"}
	switch q.By {
	case stats.ByDay:
		keys = []string{day}
	case stats.ByDepartment:
		keys = []string{dept}
	case stats.ByGroup:
		keys = []string{group}
	case stats.ByCube:
		keys = []string{day, dept, group}
	}
	from := spec.from
	if spec.bare != "" && q.DepartmentID == "" && q.By != stats.ByDepartment && q.By != stats.ByCube {
		from = spec.bare
	}
	var b strings.Builder
	b.WriteString("SELECT " + strings.Join(keys, ", ") + ", " + sel + " FROM " + from + " WHERE " + spec.at + " >= ? AND " + spec.at + " < ?")
	args := []any{db.d.t(q.Period.Since()), db.d.t(q.Period.Until())}
	if spec.where != "" {
		b.WriteString(" AND " + spec.where)
		args = append(args, spec.args...)
	}
	if q.DepartmentID != "" {
		b.WriteString(" AND " + spec.dept + " = ?")
		args = append(args, q.DepartmentID)
	}
	if grouped && q.By != stats.ByTotal {
		ords := make([]string, len(keys))
		for i := range keys {
			ords[i] = strconv.Itoa(i + 1)
		}
		b.WriteString(" GROUP BY " + strings.Join(ords, ", ") + " ORDER BY " + strings.Join(ords, ", "))
	}
	return b.String(), args
}

// StatCubes implements stats.CubeSource: the indicators keys count the
// same records the same way and differ in their breakdown, so one query
// grouped by day, department and every breakdown serves them all.
func (db *DB) StatCubes(ctx context.Context, keys []string, q stats.Query) ([][]stats.Row, error) {
	const op = "store.StatCubes"
	var groups []string
	var first statSpec
	for i, k := range keys {
		spec, err := db.statSpec(op, k, false)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = spec
		} else if spec.from != first.from || spec.at != first.at || spec.where != first.where || spec.dept != first.dept || spec.agg != first.agg ||
			strings.Contains(spec.agg, "DISTINCT") {
			return nil, errs.E(errs.Invalid, op, "indicators "+keys[0]+" and "+k+" do not share a scan")
		}
		g := "''"
		if spec.group != "" {
			g = "COALESCE(" + spec.group + ", '')"
		}
		groups = append(groups, g)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	// The first key's cube query, with the other breakdowns added.
	spec := first
	spec.group = ""
	query, args := db.statQuery(spec, stats.Query{Scope: q.Scope, By: stats.ByCube}, strings.Join(groups, ", ")+", COALESCE("+spec.agg+", 0)", false)
	ords := make([]string, 3+len(groups))
	for i := range ords {
		ords[i] = strconv.Itoa(i + 1)
	}
	query += " GROUP BY " + strings.Join(ords, ", ")
	type wide struct {
		day, dept string
		groups    []string
		n         int64
	}
	rows, err := list(ctx, db, db.r, op, query, func(r rowScanner) (wide, error) {
		var w wide
		var skip string
		w.groups = make([]string, len(groups))
		dest := []any{&w.day, &w.dept, &skip}
		for i := range w.groups {
			dest = append(dest, &w.groups[i])
		}
		return w, r.Scan(append(dest, &w.n)...)
	}, args...)
	if err != nil {
		return nil, err
	}
	out := make([][]stats.Row, len(keys))
	for i := range keys {
		cube := make([]stats.Row, 0, len(rows))
		for _, w := range rows {
			cube = append(cube, stats.Row{Day: w.day, DepartmentID: w.dept, Group: w.groups[i], N: w.n})
		}
		out[i] = statDays(cube, stats.ByCube, true)
	}
	return out, nil
}

// scanStat reads a row of statQuery: the keys of by, then the value.
func scanStat(by stats.By) func(r rowScanner) (stats.Row, error) {
	return func(r rowScanner) (stats.Row, error) {
		var x stats.Row
		var k string
		var err error
		switch by {
		case stats.ByCube:
			err = r.Scan(&x.Day, &x.DepartmentID, &x.Group, &x.N)
		default:
			err = r.Scan(&k, &x.N)
			switch by {
			case stats.ByDay:
				x.Day = k
			case stats.ByDepartment:
				x.DepartmentID = k
			case stats.ByGroup:
				x.Group = k
			}
		}
		return x, err
	}
}

func (db *DB) statSpec(op, key string, values bool) (statSpec, error) {
	spec, ok := db.statSpecs()[key]
	if !ok || (values && spec.value == "") || (!values && spec.agg == "") {
		return statSpec{}, errs.E(errs.Invalid, op, "unknown indicator "+key)
	}
	return spec, nil
}

// StatCount implements stats.Source.
func (db *DB) StatCount(ctx context.Context, key string, q stats.Query) ([]stats.Row, error) {
	const op = "store.StatCount"
	spec, err := db.statSpec(op, key, false)
	if err != nil {
		return nil, err
	}
	query, args := db.statQuery(spec, q, "COALESCE("+spec.agg+", 0)", true)
	rows, err := list(ctx, db, db.r, op, query, scanStat(q.By), args...)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(spec.agg, "DISTINCT") {
		rows = statDays(rows, q.By, true)
	}
	if q.By == stats.ByTotal && len(rows) == 0 {
		rows = []stats.Row{{}}
	}
	return rows, nil
}

// StatValues implements stats.Source.
func (db *DB) StatValues(ctx context.Context, key string, q stats.Query) ([]stats.Row, error) {
	const op = "store.StatValues"
	spec, err := db.statSpec(op, key, true)
	if err != nil {
		return nil, err
	}
	query, args := db.statQuery(spec, q, spec.value, false)
	rows, err := list(ctx, db, db.r, op, query, scanStat(q.By), args...)
	if err != nil {
		return nil, err
	}
	return statDays(rows, q.By, false), nil
}

// statDays turns the day keys of rows grouped by day (ByDay, ByCube) into
// China-time days; sum adds up the rows two keys of one day gave, keeping
// the rows in key order.
func statDays(rows []stats.Row, by stats.By, sum bool) []stats.Row {
	if by != stats.ByDay && by != stats.ByCube {
		return rows
	}
	for i := range rows {
		rows[i].Day = cstDayOfKey(rows[i].Day)
	}
	if !sum {
		return rows
	}
	slices.SortStableFunc(rows, func(a, b stats.Row) int {
		return cmp.Or(strings.Compare(a.Day, b.Day), strings.Compare(a.DepartmentID, b.DepartmentID), strings.Compare(a.Group, b.Group))
	})
	out := rows[:0]
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].Day == r.Day && out[n-1].DepartmentID == r.DepartmentID && out[n-1].Group == r.Group {
			out[n-1].N += r.N
			continue
		}
		out = append(out, r)
	}
	return out
}

// StatDepartments implements stats.Source.
func (db *DB) StatDepartments(ctx context.Context) ([]stats.Department, error) {
	return list(ctx, db, db.r, "store.StatDepartments", `SELECT id, name, name_en, kind FROM departments ORDER BY id`,
		func(r rowScanner) (stats.Department, error) {
			var d stats.Department
			return d, r.Scan(&d.ID, &d.Name, &d.NameEn, &d.Kind)
		})
}

// StatKeys lists the indicator keys the store has queries for (a test
// checks that it covers the catalogue).
func (db *DB) StatKeys() []string {
	var out []string
	for k := range db.statSpecs() {
		out = append(out, k)
	}
	return out
}
