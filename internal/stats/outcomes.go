package stats

// Outcome measures in the style of HUD's System Performance Measures
// (RULES.md §5(c)): how long people stay, how many come back and how
// soon, who is helped for the first time, how many go home, how soon the
// unidentified are identified, and whether the statutory notice and DNA
// deadlines are kept. Each is an Indicator (defined once, below) with a
// headline value that a leader compares with last year and with a target.
//
// Definitions:
//
//   - Length of stay: the stays that left in the period, (exit − arrival)
//     in bands [0,1), [1,3), [3,7), [7,10), [10,30), [30,90) and 90 days
//     or more: a stay of exactly 1 day falls in [1,3).
//   - Returns: each stay that arrived in the period is a return when the
//     same identity left an earlier stay at most 730 days before, counted
//     in calendar days (China time) from the exit day to the arrival day:
//     0–180, 181–365 or 366–730 days after the latest such exit. Only
//     stays that arrived or left within the 730 days before the period
//     are read (the bounded look-back).
//   - First time versus repeat (HUD SPM 5): a person helped in the period
//     is there for the first time when they were not in the station at any
//     time in the 730 calendar days before their first arrival in the
//     period (no earlier stay left within 730 days, as for returns).
//   - Reunited or returned home: the stays that left in the period for
//     home — by ticket, escorted or collected by family.
//   - Time to identification: the stays that arrived in the period
//     unidentified and whose person was identified (persons.identified_at)
//     at or after the arrival; the median, in days.
//   - Notices within 24 h and DNA within 7 working days: the deadline
//     engine's shares (cases.Rules.ComputeKPIs, counted by the store).

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/cases"
)

// ReturnLookback is how far back returns and first-time help look.
const ReturnLookback = 730 * 24 * time.Hour

// Length-of-stay bands, in days: Lower bounds, the last band open-ended.
var LOSBands = []struct {
	Key  string
	From int // days, inclusive
}{{"0_1", 0}, {"1_3", 1}, {"3_7", 3}, {"7_10", 7}, {"10_30", 10}, {"30_90", 30}, {"90_plus", 90}}

// LOSBand is the band of a stay of d.
func LOSBand(d time.Duration) string {
	k := LOSBands[0].Key
	for _, b := range LOSBands {
		if d >= time.Duration(b.From)*24*time.Hour {
			k = b.Key
		}
	}
	return k
}

// Return bands.
const (
	Return0to180   = "0_180"
	Return181to365 = "181_365"
	Return366to730 = "366_730"
	FirstTime      = "first_time"
	Repeat         = "repeat"
	WentHome       = "home"
	WentElsewhere  = "other"
)

// ReturnGroups lists the return bands in order.
var ReturnGroups = []string{Return0to180, Return181to365, Return366to730}

// calendarDays is the number of CST calendar days from a's day to b's.
func calendarDays(a, b time.Time) int {
	da, db := a.In(CST), b.In(CST)
	x := time.Date(da.Year(), da.Month(), da.Day(), 0, 0, 0, 0, time.UTC)
	y := time.Date(db.Year(), db.Month(), db.Day(), 0, 0, 0, 0, time.UTC)
	return int(y.Sub(x).Hours() / 24)
}

// ReturnBand is the band of a return gap in calendar days, "" when it is
// not a return (more than 730 days, or negative).
func ReturnBand(days int) string {
	switch {
	case days < 0 || days > 730:
		return ""
	case days <= 180:
		return Return0to180
	case days <= 365:
		return Return181to365
	}
	return Return366to730
}

// returnsOf finds, for each stay that arrived in [since, until), its
// return band ("" when it is not a return), and for each identity
// whether it is there for the first time.
func returnsOf(history []StayFacts, since, until time.Time) (bands map[string]string, first map[string]bool) {
	byPerson := map[string][]*StayFacts{}
	for i := range history {
		f := &history[i]
		byPerson[f.PersonID] = append(byPerson[f.PersonID], f)
	}
	bands, first = map[string]string{}, map[string]bool{}
	for person, stays := range byPerson {
		slices.SortFunc(stays, func(a, b *StayFacts) int { return a.ArrivedAt.Compare(b.ArrivedAt) })
		firstSeen := false
		for _, s := range stays {
			if s.ArrivedAt.Before(since) || !s.ArrivedAt.Before(until) {
				continue
			}
			if !firstSeen {
				firstSeen = true
				isFirst := true
				for _, o := range stays {
					if o != s && o.ArrivedAt.Before(s.ArrivedAt) && (o.ExitedAt.IsZero() || calendarDays(o.ExitedAt, s.ArrivedAt) <= 730) {
						isFirst = false
					}
				}
				first[person] = isFirst
			}
			var latest time.Time
			for _, o := range stays {
				if o != s && !o.ExitedAt.IsZero() && !o.ExitedAt.After(s.ArrivedAt) && o.ExitedAt.After(latest) {
					latest = o.ExitedAt
				}
			}
			if !latest.IsZero() {
				bands[s.StayID] = ReturnBand(calendarDays(latest, s.ArrivedAt))
			} else {
				bands[s.StayID] = ""
			}
		}
	}
	return bands, first
}

// medianDuration is the median of durations, 0 for none.
func medianDuration(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

// DeadlineSource gives the deadline engine's shares over the stays that
// arrived in a period (see CaseRules).
type DeadlineSource interface {
	DeadlineKPIs(ctx context.Context, since, until time.Time) (cases.KPIs, error)
}

// CaseRules joins a stay source with the case rules: the deadline
// measures count with the rules the station runs on, through the store's
// aggregate query (cases.Store.StationFigures).
type CaseRules struct {
	StaySource
	Station interface {
		StationFigures(ctx context.Context, q cases.FigureQuery) (cases.Figures, error)
	}
	Rules cases.Rules
	Now   func() time.Time
}

// DeadlineKPIs implements DeadlineSource.
func (c CaseRules) DeadlineKPIs(ctx context.Context, since, until time.Time) (cases.KPIs, error) {
	now := time.Now()
	if c.Now != nil {
		now = c.Now()
	}
	q := c.Rules.FigureQuery(now, since, until)
	q.KPIsOnly = true
	f, err := c.Station.StationFigures(ctx, q)
	return f.KPIs, err
}

func losRows(ctx context.Context, src Source, q Query) ([]Row, error) {
	facts, err := exitedFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	return group(facts, q, func(f *StayFacts) string { return f.ExitedAt.In(CST).Format(time.DateOnly) },
		func(f *StayFacts) []string { return []string{LOSBand(f.ExitedAt.Sub(f.ArrivedAt))} }), nil
}

func losMedian(ctx context.Context, src Source, q Query) ([]Row, error) {
	facts, err := exitedFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	for _, f := range facts {
		ds = append(ds, f.ExitedAt.Sub(f.ArrivedAt))
	}
	return []Row{{DepartmentID: q.DepartmentID, N: Centidays(medianDuration(ds))}}, nil
}

// returnRows: ByGroup the return bands (and "" for arrivals that are not
// returns, left out); ByTotal the period's arrivals.
func returnRows(ctx context.Context, src Source, q Query) ([]Row, error) {
	since, until := q.Period.Since(), q.Period.Until()
	hist, err := historyFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	bands, _ := returnsOf(hist, since, until)
	if q.By != ByGroup {
		return []Row{{DepartmentID: q.DepartmentID, N: int64(len(bands))}}, nil
	}
	counts := map[string]int64{}
	for _, b := range bands {
		if b != "" {
			counts[b]++
		}
	}
	var out []Row
	for _, g := range ReturnGroups {
		if counts[g] > 0 {
			out = append(out, Row{Group: g, N: counts[g]})
		}
	}
	return out, nil
}

// firstTimeRows: ByGroup first-time and repeat people; ByTotal the
// people helped.
func firstTimeRows(ctx context.Context, src Source, q Query) ([]Row, error) {
	since, until := q.Period.Since(), q.Period.Until()
	hist, err := historyFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	_, first := returnsOf(hist, since, until)
	if q.By != ByGroup {
		return []Row{{DepartmentID: q.DepartmentID, N: int64(len(first))}}, nil
	}
	var f, r int64
	for _, isFirst := range first {
		if isFirst {
			f++
		} else {
			r++
		}
	}
	var out []Row
	if f > 0 {
		out = append(out, Row{Group: FirstTime, N: f})
	}
	if r > 0 {
		out = append(out, Row{Group: Repeat, N: r})
	}
	return out, nil
}

// homeExits are the exits that count as reunited or returned home.
var homeExits = []cases.ExitKind{cases.ExitReturnHome, cases.ExitEscorted, cases.ExitFamily}

func homeRows(ctx context.Context, src Source, q Query) ([]Row, error) {
	facts, err := exitedFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	return group(facts, q, func(f *StayFacts) string { return f.ExitedAt.In(CST).Format(time.DateOnly) },
		func(f *StayFacts) []string {
			if slices.Contains(homeExits, f.ExitKind) {
				return []string{WentHome}
			}
			return []string{WentElsewhere}
		}), nil
}

// identifyMedian: ByTotal the median time to identification
// (centidays); ByGroup "identified" and "unidentified" counts of the
// stays that arrived unidentified.
func identifyRows(ctx context.Context, src Source, q Query) ([]Row, error) {
	s, err := staySource(src)
	if err != nil {
		return nil, err
	}
	since, until := q.Period.Since(), q.Period.Until()
	// The look-back holds every stay that arrived in the period (and the
	// identification time): a report that counts returns reads it once.
	facts, err := s.StatStayHistory(ctx, since, until, ReturnLookback)
	if err != nil {
		return nil, err
	}
	var ds []time.Duration
	var still int64
	for _, f := range facts {
		if f.ArrivedAt.Before(since) || !f.ArrivedAt.Before(until) || !f.Unidentified {
			continue
		}
		if f.IdentifiedAt.IsZero() || f.IdentifiedAt.Before(f.ArrivedAt) {
			still++
			continue
		}
		ds = append(ds, f.IdentifiedAt.Sub(f.ArrivedAt))
	}
	if q.By == ByGroup {
		return []Row{{Group: "identified", N: int64(len(ds))}, {Group: "unidentified", N: still}}, nil
	}
	return []Row{{DepartmentID: q.DepartmentID, N: Centidays(medianDuration(ds))}}, nil
}

// deadlineRows: ByTotal the share in time (basis points); ByGroup
// "in_time" and "due" (the denominator: deadlines done or passed).
func deadlineRows(rule string) func(ctx context.Context, src Source, q Query) ([]Row, error) {
	return func(ctx context.Context, src Source, q Query) ([]Row, error) {
		d, ok := src.(DeadlineSource)
		if !ok {
			return nil, fmt.Errorf("stats: the source %T has no deadline engine", src)
		}
		k, err := d.DeadlineKPIs(ctx, q.Period.Since(), q.Period.Until())
		if err != nil {
			return nil, err
		}
		in, due := k.NoticeInTime, k.NoticeDueOrLate
		if rule == cases.RuleDNA {
			in, due = k.DNAInTime, k.DNADueOrLate
		}
		if q.By == ByGroup {
			return []Row{{Group: "in_time", N: int64(in)}, {Group: "due", N: int64(due)}}, nil
		}
		return []Row{{DepartmentID: q.DepartmentID, N: Share(int64(in), int64(due))}}, nil
	}
}

// Share is n/d in basis points, rounded to the nearest; 0 when d is 0.
func Share(n, d int64) int64 {
	if d == 0 {
		return 0
	}
	return (n*10000*2 + d) / (2 * d)
}

// The outcome indicators, registered by the lead in the catalogue.
var (
	OutcomeLOS       = Indicator{Key: "outcome.los", Unit: UnitPersonTimes, Additive: true, Count: losRows}
	OutcomeLOSMedian = Indicator{Key: "outcome.los_median", Unit: UnitCentidays, Count: losMedian}
	OutcomeReturns   = Indicator{Key: "outcome.returns", Unit: UnitPersonTimes, Count: returnRows}
	OutcomeFirstTime = Indicator{Key: "outcome.first_time", Unit: UnitPeople, Additive: true, Count: firstTimeRows}
	OutcomeHome      = Indicator{Key: "outcome.home", Unit: UnitPersonTimes, Additive: true, Count: homeRows}
	OutcomeIdentify  = Indicator{Key: "outcome.identify", Unit: UnitCentidays, Count: identifyRows}
	OutcomeNotice    = Indicator{Key: "outcome.notice_24h", Unit: UnitBasisPoints, Count: deadlineRows(cases.RuleNotice)}
	OutcomeDNA       = Indicator{Key: "outcome.dna_7wd", Unit: UnitBasisPoints, Count: deadlineRows(cases.RuleDNA)}
)

// OutcomeIndicators lists the outcome indicators.
var OutcomeIndicators = []Indicator{OutcomeLOS, OutcomeLOSMedian, OutcomeReturns, OutcomeFirstTime, OutcomeHome, OutcomeIdentify, OutcomeNotice, OutcomeDNA}

// exitedFacts reads the stays that left in q's period.
func exitedFacts(ctx context.Context, src Source, q Query) ([]StayFacts, error) {
	s, err := staySource(src)
	if err != nil {
		return nil, err
	}
	return s.StatStaysExited(ctx, q.Period.Since(), q.Period.Until())
}

// historyFacts reads, for the people who arrived in q's period, their
// stays back to ReturnLookback before it.
func historyFacts(ctx context.Context, src Source, q Query) ([]StayFacts, error) {
	s, err := staySource(src)
	if err != nil {
		return nil, err
	}
	return s.StatStayHistory(ctx, q.Period.Since(), q.Period.Until(), ReturnLookback)
}
