package stats

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// Directions a measure improves in.
const (
	Lower  = "lower"
	Higher = "higher"
)

// Measure is one outcome measure's headline value: what a leader
// compares with last year and with a target.
type Measure struct {
	Key    string // "outcome.measure.<Key>" names it
	Unit   Unit   // UnitBasisPoints or UnitCentidays
	Better string // Lower or Higher
}

// Measures lists the outcome measures in the page's order.
var Measures = []Measure{
	{"los_median", UnitCentidays, Lower},
	{"returns_0_180", UnitBasisPoints, Lower},
	{"returns_181_365", UnitBasisPoints, Lower},
	{"returns_366_730", UnitBasisPoints, Lower},
	{"first_time", UnitBasisPoints, Lower},
	{"home", UnitBasisPoints, Higher},
	{"identify_median", UnitCentidays, Lower},
	{"notice_24h", UnitBasisPoints, Higher},
	{"dna_7wd", UnitBasisPoints, Higher},
}

// MeasureByKey finds a measure.
func MeasureByKey(key string) (Measure, bool) {
	i := slices.IndexFunc(Measures, func(m Measure) bool { return m.Key == key })
	if i < 0 {
		return Measure{}, false
	}
	return Measures[i], true
}

// OutcomeTarget is a leader's target for a measure, in the measure's unit.
type OutcomeTarget struct {
	Measure string
	Target  int64
	SetBy   string
	SetAt   time.Time
}

// OutcomeStore is what the outcome measures need from storage.
type OutcomeStore interface {
	OutcomeTargets(ctx context.Context) (map[string]*OutcomeTarget, error)
	SetOutcomeTarget(ctx context.Context, t *OutcomeTarget, e audit.Entry) error
}

// Outcomes is the outcome measures.
type Outcomes struct {
	Store OutcomeStore
	// Source counts: a StaySource that is also a DeadlineSource (CaseRules).
	Source Source
	Now    func() time.Time
}

func (o *Outcomes) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// MeasureValue is a measure over the period, last year and against its
// target.
type MeasureValue struct {
	Measure
	Value, LastYear int64
	// Num and Den are the value's counts (for shares), this year.
	Num, Den  int64
	Target    *OutcomeTarget
	Met       bool // the target is set and the value meets it
	HasTarget bool
}

// Band is one row of a distribution, this year and last.
type Band struct {
	Key            string
	N, LastYear    int64
	Share, LastShr int64 // basis points of the distribution's total
}

// OutcomeReport is the outcome measures over a period.
type OutcomeReport struct {
	Period, LastYear Period
	Measures         []MeasureValue
	LOS              []Band // length-of-stay distribution
	Returns          []Band // returns by band (share of the period's arrivals)
	FirstTime        []Band // first-time and repeat people
	CanSetTargets    bool
}

// ShiftYear moves a period a year back (29 February becomes 28 February).
func ShiftYear(p Period) Period {
	back := func(s string) string {
		t, _ := time.ParseInLocation(time.DateOnly, s, CST)
		y := time.Date(t.Year()-1, t.Month(), t.Day(), 0, 0, 0, 0, CST)
		if y.Month() != t.Month() {
			y = y.AddDate(0, 0, -y.Day())
		}
		return y.Format(time.DateOnly)
	}
	return Period{From: back(p.From), To: back(p.To)}
}

// outcomeFigures are one period's counts behind the measures.
type outcomeFigures struct {
	values map[string]int64
	num    map[string]int64
	den    map[string]int64
	los    map[string]int64
	exits  int64
	ret    map[string]int64
	arr    int64
	first  map[string]int64
	people int64
}

func (o *Outcomes) figures(ctx context.Context, sc Scope) (*outcomeFigures, error) {
	f := &outcomeFigures{values: map[string]int64{}, num: map[string]int64{}, den: map[string]int64{}}
	src := Memo(o.Source)
	rows := func(ind Indicator, by By) (map[string]int64, int64, error) {
		rs, err := ind.Count(ctx, src, Query{Scope: sc, By: by})
		if err != nil {
			return nil, 0, err
		}
		m := map[string]int64{}
		var total int64
		for _, r := range rs {
			m[r.Group] += r.N
			total += r.N
		}
		return m, total, nil
	}
	var err error
	if f.los, f.exits, err = rows(OutcomeLOS, ByGroup); err != nil {
		return nil, err
	}
	med, _, err := rows(OutcomeLOSMedian, ByTotal)
	if err != nil {
		return nil, err
	}
	f.values["los_median"] = med[""]
	if f.ret, _, err = rows(OutcomeReturns, ByGroup); err != nil {
		return nil, err
	}
	arr, _, err := rows(OutcomeReturns, ByTotal)
	if err != nil {
		return nil, err
	}
	f.arr = arr[""]
	for _, g := range ReturnGroups {
		k := "returns_" + g
		f.num[k], f.den[k], f.values[k] = f.ret[g], f.arr, Share(f.ret[g], f.arr)
	}
	if f.first, f.people, err = rows(OutcomeFirstTime, ByGroup); err != nil {
		return nil, err
	}
	f.num["first_time"], f.den["first_time"], f.values["first_time"] = f.first[FirstTime], f.people, Share(f.first[FirstTime], f.people)
	home, exits, err := rows(OutcomeHome, ByGroup)
	if err != nil {
		return nil, err
	}
	f.num["home"], f.den["home"], f.values["home"] = home[WentHome], exits, Share(home[WentHome], exits)
	idm, _, err := rows(OutcomeIdentify, ByTotal)
	if err != nil {
		return nil, err
	}
	f.values["identify_median"] = idm[""]
	for key, ind := range map[string]Indicator{"notice_24h": OutcomeNotice, "dna_7wd": OutcomeDNA} {
		g, _, err := rows(ind, ByGroup)
		if err != nil {
			return nil, err
		}
		f.num[key], f.den[key], f.values[key] = g["in_time"], g["due"], Share(g["in_time"], g["due"])
	}
	return f, nil
}

// Report counts the outcome measures over p and the same days a year
// earlier.
func (o *Outcomes) Report(ctx context.Context, a auth.Actor, p Period, departmentID string) (*OutcomeReport, error) {
	const op = "stats.Outcomes.Report"
	if !slices.Contains(a.Scopes, auth.ScopeStatisticsRead) { // the statistics API reads them too
		if err := a.Require(op, auth.PermOutcomesView); err != nil {
			return nil, err
		}
	}
	r := &OutcomeReport{Period: p, LastYear: ShiftYear(p), CanSetTargets: a.Can(auth.PermOutcomesTarget)}
	// This period and last year's are counted side by side.
	var prev *outcomeFigures
	var errPrev error
	done := make(chan struct{})
	go func() {
		defer close(done)
		prev, errPrev = o.figures(ctx, Scope{Period: r.LastYear, DepartmentID: departmentID})
	}()
	cur, err := o.figures(ctx, Scope{Period: p, DepartmentID: departmentID})
	<-done
	if err != nil {
		return nil, err
	}
	if errPrev != nil {
		return nil, errPrev
	}
	targets, err := o.Store.OutcomeTargets(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range Measures {
		v := MeasureValue{Measure: m, Value: cur.values[m.Key], LastYear: prev.values[m.Key], Num: cur.num[m.Key], Den: cur.den[m.Key]}
		if t := targets[m.Key]; t != nil {
			v.Target, v.HasTarget = t, true
			v.Met = m.Better == Lower && v.Value <= t.Target || m.Better == Higher && v.Value >= t.Target
		}
		r.Measures = append(r.Measures, v)
	}
	for _, b := range LOSBands {
		r.LOS = append(r.LOS, Band{Key: b.Key, N: cur.los[b.Key], LastYear: prev.los[b.Key],
			Share: Share(cur.los[b.Key], cur.exits), LastShr: Share(prev.los[b.Key], prev.exits)})
	}
	for _, g := range ReturnGroups {
		r.Returns = append(r.Returns, Band{Key: g, N: cur.ret[g], LastYear: prev.ret[g], Share: Share(cur.ret[g], cur.arr), LastShr: Share(prev.ret[g], prev.arr)})
	}
	for _, g := range []string{FirstTime, Repeat} {
		r.FirstTime = append(r.FirstTime, Band{Key: g, N: cur.first[g], LastYear: prev.first[g], Share: Share(cur.first[g], cur.people), LastShr: Share(prev.first[g], prev.people)})
	}
	return r, nil
}

// ParseTarget reads a target as a person types it: a percentage (0–100,
// e.g. "85" or "92.5") for a share, a number of days (0–3650, up to two
// decimals) for a time. It returns the value in the measure's unit.
func ParseTarget(m Measure, s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" || len(s) > 12 {
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
		return 0, false
	}
	switch m.Unit {
	case UnitBasisPoints:
		if x > 100 {
			return 0, false
		}
		return int64(math.Round(x * 100)), true
	case UnitCentidays:
		if x > 3650 {
			return 0, false
		}
		return int64(math.Round(x * 100)), true
	}
	return 0, false
}

// SetTarget sets a measure's target. Leaders only; audited; nothing is
// stored for an unknown measure or a value out of range.
func (o *Outcomes) SetTarget(ctx context.Context, a auth.Actor, measure, value string) (*OutcomeTarget, error) {
	const op = "stats.Outcomes.SetTarget"
	if err := a.Require(op, auth.PermOutcomesTarget); err != nil {
		return nil, err
	}
	m, ok := MeasureByKey(measure)
	if !ok {
		return nil, errs.InvalidFields(op, map[string]string{"measure": "err.invalid_choice"})
	}
	v, ok := ParseTarget(m, value)
	if !ok {
		key := "err.target_share"
		if m.Unit == UnitCentidays {
			key = "err.target_days"
		}
		return nil, errs.InvalidFields(op, map[string]string{"target": key})
	}
	t := &OutcomeTarget{Measure: m.Key, Target: v, SetBy: a.Name, SetAt: o.now().UTC()}
	e := a.Entry("outcome.target", "outcome_target", "")
	e.Detail = m.Key + ":" + strconv.FormatInt(v, 10) // the measure in words on the audit page
	return t, o.Store.SetOutcomeTarget(ctx, t, e)
}
