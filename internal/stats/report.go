package stats

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/havenrescue/haven/internal/auth"
)

// Report is every indicator of the catalogue over a scope, per department
// and in total, with the daily curve of the indicators drawn daily and
// the breakdowns of the grouped ones: a campaign report (寒冬送温暖 over
// its window), or any period's.
type Report struct {
	Title string // the campaign's name, when it is one
	Scope Scope
	// Departments are the report's columns: the departments with at
	// least one count, in the order StatDepartments gives, plus "" (no
	// department) last when some record has none.
	Departments []Department
	Lines       []Line
	Days        []string
	Curves      []Curve
	Breakdowns  []Breakdown
}

// Line is one indicator's counts: per department (by id) and in total.
type Line struct {
	Indicator    Indicator
	ByDepartment map[string]int64
	Total        int64
}

// Curve is an indicator's value on each of the report's days.
type Curve struct {
	Indicator Indicator
	Values    []int64
	Max       int64
}

// Breakdown is a grouped indicator's total per group, largest first.
type Breakdown struct {
	Indicator Indicator
	Rows      []Row
}

// Line finds the report's line of an indicator.
func (r *Report) Line(key string) (Line, bool) {
	i := slices.IndexFunc(r.Lines, func(l Line) bool { return l.Indicator.Key == key })
	if i < 0 {
		return Line{}, false
	}
	return r.Lines[i], true
}

// Report counts the whole catalogue over sc. The campaign's standard
// counters (CampaignKeys) come first, the rest in catalogue order.
func (s *Service) Report(ctx context.Context, a auth.Actor, title string, sc Scope) (*Report, error) {
	const op = "stats.Report"
	if err := authorize(op, a); err != nil {
		return nil, err
	}
	depts, err := s.checkDepartment(ctx, op, sc)
	if err != nil {
		return nil, err
	}
	rep := &Report{Title: title, Scope: sc, Days: sc.Period.Days()}
	order := reportOrder()
	parts := make([]reportPart, len(order))
	// The work: an indicator, or the indicators of one Scan counted in one
	// query when the source can.
	var tasks [][]int
	scans := map[string]int{}
	_, cubes := s.Source.(CubeSource)
	for i, in := range order {
		if t, ok := scans[in.Scan]; ok && in.Scan != "" && cubes {
			tasks[t] = append(tasks[t], i)
			continue
		}
		scans[in.Scan] = len(tasks)
		tasks = append(tasks, []int{i})
	}
	// The tasks are counted side by side (the database's readers serve
	// them in parallel), each into its own parts.
	var wg sync.WaitGroup
	work := make(chan []int)
	errc := make(chan error, len(tasks))
	for range min(reportWorkers, len(tasks)) {
		wg.Go(func() {
			for t := range work {
				if err := s.countTask(ctx, order, t, sc, parts); err != nil {
					errc <- err
				}
			}
		})
	}
	for _, t := range tasks {
		work <- t
	}
	close(work)
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, p := range parts {
		for d, n := range p.line.ByDepartment {
			if n != 0 {
				used[d] = true
			}
		}
		rep.Lines = append(rep.Lines, p.line)
		if p.curve != nil {
			rep.Curves = append(rep.Curves, *p.curve)
		}
		if p.breakdown != nil {
			rep.Breakdowns = append(rep.Breakdowns, *p.breakdown)
		}
	}
	for _, d := range depts {
		if used[d.ID] {
			rep.Departments = append(rep.Departments, d)
		}
	}
	if used[""] {
		rep.Departments = append(rep.Departments, Department{})
	}
	return rep, nil
}

// reportWorkers is how many indicators a report counts at once.
const reportWorkers = 4

// reportPart is one indicator's share of a report.
type reportPart struct {
	line      Line
	curve     *Curve
	breakdown *Breakdown
}

// countTask counts the indicators order[t...] of one task into parts.
func (s *Service) countTask(ctx context.Context, order []Indicator, t []int, sc Scope, parts []reportPart) error {
	if len(t) == 1 {
		p, err := countPart(ctx, s.Source, order[t[0]], sc, nil)
		parts[t[0]] = p
		return err
	}
	keys := make([]string, len(t))
	for j, i := range t {
		keys[j] = order[i].Key
	}
	cubes, err := s.Source.(CubeSource).StatCubes(ctx, keys, Query{Scope: sc, By: ByCube})
	if err != nil {
		return err
	}
	for j, i := range t {
		if parts[i], err = countPart(ctx, s.Source, order[i], sc, cubes[j]); err != nil {
			return err
		}
	}
	return nil
}

// countPart counts one indicator for a report: an additive one in one
// scan (ByCube) summed every way, the others per department and in total
// and, as needed, by day and by group.
// cube, when not nil, is the indicator's ByCube rows, counted already.
func countPart(ctx context.Context, src Source, in Indicator, sc Scope, cube []Row) (reportPart, error) {
	count := func(by By) ([]Row, error) { return in.Count(ctx, src, Query{Scope: sc, By: by}) }
	if in.Additive && in.reduce == nil {
		if cube == nil {
			var err error
			if cube, err = count(ByCube); err != nil {
				return reportPart{}, err
			}
		}
		count = func(by By) ([]Row, error) { return Rollup(cube, by), nil }
	}
	f, err := figureOf(in, count)
	if err != nil {
		return reportPart{}, err
	}
	p := reportPart{line: Line{Indicator: in, ByDepartment: map[string]int64{}, Total: f.Total}}
	for _, r := range f.Rows {
		p.line.ByDepartment[r.DepartmentID] = r.N
	}
	if in.Daily {
		d, err := count(ByDay)
		if err != nil {
			return reportPart{}, err
		}
		c := Curve{Indicator: in, Values: Series(Figure{Rows: d}, sc.Period)}
		c.Max = slices.Max(append([]int64{0}, c.Values...))
		p.curve = &c
	}
	if in.Grouped != "" {
		g, err := count(ByGroup)
		if err != nil {
			return reportPart{}, err
		}
		slices.SortStableFunc(g, func(x, y Row) int {
			if x.N != y.N {
				return cmp.Compare(y.N, x.N)
			}
			return strings.Compare(x.Group, y.Group)
		})
		p.breakdown = &Breakdown{Indicator: in, Rows: g}
	}
	return p, nil
}

// reportOrder is the catalogue with the campaign counters first.
func reportOrder() []Indicator {
	var out []Indicator
	for _, k := range CampaignKeys {
		in, _ := Lookup(k)
		out = append(out, in)
	}
	for _, in := range catalogue {
		if !slices.Contains(CampaignKeys, in.Key) {
			out = append(out, in)
		}
	}
	return out
}
