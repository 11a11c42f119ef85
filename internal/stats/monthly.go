package stats

// The monthly statistics report (救助管理统计月报, RULES.md §3): the
// figures a provincial civil-affairs department collects from each
// station by the 5th of the next month. Each figure is an Indicator
// below, defined once; the report, its XLSX and its print ask them.
//
// Definitions (the choices are written here and tested at their edges):
//
//   - A stay counts in the period it arrived in (救助人次): one stay, one
//     person-time; a refused stay (不予救助) is not help and never counts.
//     Distinct people (救助人数) count each identity once: the record a
//     stay's person was merged into, else the person.
//   - Average days in the station (平均在站天数) is over the stays that
//     left the station in the period: (exit − arrival) in days, averaged,
//     in hundredths of a day.
//   - Every breakdown is of the period's person-times and sums to them,
//     except the special groups, where one stay may be in several groups.
//   - Age is taken at arrival (China time): from the birth date when it is
//     known (whole years; the birthday itself counts: 7 on the 7th
//     birthday), else the midpoint of the estimated range rounded down
//     ((18+19)/2 = 18); 不详 when neither is recorded.
//   - The exit is how the stay stood at the period's end: a stay that left
//     later, or has not left, is still in care (滞留在站).
//
// Stays are the station's: Haven keeps one station per installation, so
// a department scope names the station and does not narrow the stays.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/idcard"
)

// StayFacts is one stay with what the monthly report and the outcome
// measures read of it and of its person. It carries no name and no ID
// number: figures never need them.
type StayFacts struct {
	StayID         string
	PersonID       string // the identity: the record the person was merged into, else the person
	ArrivedAt      time.Time
	ExitedAt       time.Time // zero while in care
	ExitKind       cases.ExitKind
	Unidentified   bool // unidentified at admission
	Sex            cases.Sex
	BirthDate      string // YYYY-MM-DD when known
	AgeMin, AgeMax int    // the estimate when the birth date is not known
	Mental         cases.Mental
	Flags          []string
	IDRegion       string // the region read from the ID number, as a name
	NativePlace    string // 籍贯
	Hukou          string // 户籍
	Ill            bool   // an urgent health check or a hospital referral during the stay
	Checked        bool   // a health check recorded during the stay
	IdentifiedAt   time.Time
}

// StaySource is what the monthly report and outcome measures read from the
// store (internal/store/stats_monthly.go). Each lists stays that are not
// refused, with the facts of their person. It is a Source too: the
// catalogue's indicators all count through one store.
type StaySource interface {
	Source
	// StatStaysArrived lists the stays that arrived in [since, until).
	StatStaysArrived(ctx context.Context, since, until time.Time) ([]StayFacts, error)
	// StatStaysExited lists the stays that left in [since, until), with
	// the stays' own fields only (StayID … Unidentified; PersonID is the
	// record, not the identity).
	StatStaysExited(ctx context.Context, since, until time.Time) ([]StayFacts, error)
	// StatStayHistory lists, for every identity with a stay that arrived
	// in [since, until), its stays that arrived before until and arrived
	// or left at or after since-lookback, with the stays' own fields, the
	// identity (PersonID) and IdentifiedAt.
	StatStayHistory(ctx context.Context, since, until time.Time, lookback time.Duration) ([]StayFacts, error)
}

// Age bands of the monthly report.
const (
	Age0to6      = "0_6"
	Age7to18     = "7_18"
	Age19to59    = "19_59"
	Age60Plus    = "60_plus"
	GroupUnknown = "unknown" // 不详, in every breakdown that can lack a value
)

// AgeAtArrival is the age a stay is counted at (see the package notes):
// exact from the birth date, else the estimate's midpoint rounded down.
func (f *StayFacts) AgeAtArrival() (int, bool) {
	p := cases.Person{BirthDate: f.BirthDate, AgeMin: f.AgeMin, AgeMax: f.AgeMax}
	lo, hi, ok := p.AgeAt(f.ArrivedAt)
	if !ok {
		return 0, false
	}
	return (lo + hi) / 2, true
}

// AgeBand is the stay's age band: ≤6, 7–18, 19–59, ≥60.
func (f *StayFacts) AgeBand() string {
	a, ok := f.AgeAtArrival()
	switch {
	case !ok:
		return GroupUnknown
	case a <= 6:
		return Age0to6
	case a <= 18:
		return Age7to18
	case a <= 59:
		return Age19to59
	}
	return Age60Plus
}

// Health conditions, one per stay: the first that applies in this order.
const (
	HealthMental       = "mental"       // 精神障碍 (assessed mental illness)
	HealthIntellectual = "intellectual" // 智力障碍
	HealthDisabled     = "disabled"     // 残疾 (flagged)
	HealthIll          = "ill"          // 患病: an urgent health check or a hospital referral during the stay
	HealthWell         = "well"         // 健康: checked, or assessed normal, and none of the above
)

// Health is the stay's health condition (HealthGroups' order decides).
func (f *StayFacts) Health() string {
	switch {
	case f.Mental == cases.MentalIllness:
		return HealthMental
	case f.Mental == cases.MentalIntellectual:
		return HealthIntellectual
	case slices.Contains(f.Flags, cases.FlagDisabled):
		return HealthDisabled
	case f.Ill:
		return HealthIll
	case f.Checked || f.Mental == cases.MentalNormal:
		return HealthWell
	}
	return GroupUnknown
}

// Province is where the person comes from, as the GB/T 2260 code of a
// province ("410000"): read from the region of the ID number when there
// is one, else from the native place (籍贯), else from the household
// registration (户籍); "" (不详) when none names a known place.
func (f *StayFacts) Province() string {
	for _, s := range []string{f.IDRegion, f.NativePlace, f.Hukou} {
		if code, ok := idcard.RegionByName(s); ok {
			return code[:2] + "0000"
		}
	}
	return ""
}

// ProvinceName is a province code's name ("河南省"), "" for 不详.
func ProvinceName(code string) string {
	if code == "" || code == GroupUnknown {
		return ""
	}
	return idcard.RegionOf(code).Province
}

// Exits of the monthly report (离站方式).
const (
	ExitTicket     = "ticket"     // 购票返乡 (a travel voucher: cases.ExitReturnHome)
	ExitOwnWay     = "own_way"    // 自行离站 (cases.ExitSelf)
	ExitEscorted   = "escorted"   // 护送返乡或亲属、跨省接回 (escorted, collected by family, transferred to another station)
	ExitTerminated = "terminated" // 终止救助 (placed in care elsewhere, discharged to hospital)
	ExitAbsconded  = "absconded"  // 擅自离站
	ExitDied       = "died"       // 死亡
	ExitInCare     = "in_care"    // 滞留在站 at the period's end
)

// exitGroup maps Haven's exit kinds to the report's.
var exitGroup = map[cases.ExitKind]string{
	cases.ExitReturnHome: ExitTicket,
	cases.ExitSelf:       ExitOwnWay,
	cases.ExitEscorted:   ExitEscorted,
	cases.ExitFamily:     ExitEscorted,
	cases.ExitTransfer:   ExitEscorted,
	cases.ExitPlacement:  ExitTerminated,
	cases.ExitHospital:   ExitTerminated,
	cases.ExitAbsconded:  ExitAbsconded,
	cases.ExitDeath:      ExitDied,
}

// ExitAt is how the stay stood at end: still in care unless it left
// before end.
func (f *StayFacts) ExitAt(end time.Time) string {
	if f.ExitedAt.IsZero() || !f.ExitedAt.Before(end) {
		return ExitInCare
	}
	if g, ok := exitGroup[f.ExitKind]; ok {
		return g
	}
	return ExitTerminated // an exit kind Haven may add later ends the help
}

// Special groups (特殊群体). A stay may be in several.
const (
	SpecialMinor      = "minor"             // 未成年人: flagged, or under 18 at arrival
	SpecialElderly    = "elderly"           // 老年人: flagged, or 60 or over at arrival
	SpecialDisabled   = "disabled"          // 残疾人: flagged, or a mental or intellectual disability
	SpecialTrafficked = "trafficking"       // 疑似被拐卖
	SpecialDomestic   = "domestic_violence" // 疑似家庭暴力受害
	SpecialForeign    = "foreign"           // 外籍人员
	SpecialLeftBehind = "left_behind"       // 留守儿童
)

// Special lists the special groups the stay is in.
func (f *StayFacts) Special() []string {
	var out []string
	age, known := f.AgeAtArrival()
	has := func(flag string) bool { return slices.Contains(f.Flags, flag) }
	if has(cases.FlagMinor) || known && age < 18 {
		out = append(out, SpecialMinor)
	}
	if has(cases.FlagElderly) || known && age >= 60 {
		out = append(out, SpecialElderly)
	}
	if has(cases.FlagDisabled) || f.Mental == cases.MentalIllness || f.Mental == cases.MentalIntellectual {
		out = append(out, SpecialDisabled)
	}
	for _, g := range []string{cases.FlagTrafficking, cases.FlagDomestic, cases.FlagForeign, cases.FlagLeftBehind} {
		if has(g) {
			out = append(out, g)
		}
	}
	return out
}

// The breakdowns' groups in the report's row order.
var (
	SexGroups     = []string{string(cases.Male), string(cases.Female), string(cases.SexUnknown)}
	AgeGroups     = []string{Age0to6, Age7to18, Age19to59, Age60Plus, GroupUnknown}
	HealthGroups  = []string{HealthWell, HealthIll, HealthMental, HealthIntellectual, HealthDisabled, GroupUnknown}
	ExitGroups    = []string{ExitTicket, ExitOwnWay, ExitEscorted, ExitTerminated, ExitAbsconded, ExitDied, ExitInCare}
	SpecialGroups = []string{SpecialMinor, SpecialElderly, SpecialDisabled, SpecialTrafficked, SpecialDomestic, SpecialForeign, SpecialLeftBehind}
)

func sexOf(f *StayFacts, _ time.Time) []string {
	if f.Sex == cases.Male || f.Sex == cases.Female {
		return []string{string(f.Sex)}
	}
	return []string{string(cases.SexUnknown)}
}
func ageOf(f *StayFacts, _ time.Time) []string    { return []string{f.AgeBand()} }
func healthOf(f *StayFacts, _ time.Time) []string { return []string{f.Health()} }
func exitOf(f *StayFacts, end time.Time) []string { return []string{f.ExitAt(end)} }
func specialOf(f *StayFacts, _ time.Time) []string {
	return f.Special()
}
func provinceOf(f *StayFacts, _ time.Time) []string {
	if p := f.Province(); p != "" {
		return []string{p}
	}
	return []string{GroupUnknown}
}

// staySource asserts that the catalogue's source reads stays.
func staySource(src Source) (StaySource, error) {
	s, ok := src.(StaySource)
	if !ok {
		return nil, fmt.Errorf("stats: the source %T does not read stays", src)
	}
	return s, nil
}

// countArrivals is the Count of an indicator over the period's
// person-times: each stay counts once in each group groupOf gives it (the
// total when groupOf is nil).
func countArrivals(groupOf func(*StayFacts, time.Time) []string) func(ctx context.Context, src Source, q Query) ([]Row, error) {
	return func(ctx context.Context, src Source, q Query) ([]Row, error) {
		s, err := staySource(src)
		if err != nil {
			return nil, err
		}
		end := q.Period.Until()
		facts, err := s.StatStaysArrived(ctx, q.Period.Since(), end)
		if err != nil {
			return nil, err
		}
		return group(facts, q, func(f *StayFacts) string { return f.ArrivedAt.In(CST).Format(time.DateOnly) }, func(f *StayFacts) []string {
			if groupOf == nil {
				return []string{""}
			}
			return groupOf(f, end)
		}), nil
	}
}

// group counts stays into rows by the query's By.
func group(facts []StayFacts, q Query, day func(*StayFacts) string, groupsOf func(*StayFacts) []string) []Row {
	counts := map[string]int64{}
	var keys []string
	add := func(k string) {
		if _, ok := counts[k]; !ok {
			keys = append(keys, k)
		}
		counts[k]++
	}
	for i := range facts {
		f := &facts[i]
		switch q.By {
		case ByGroup:
			for _, g := range groupsOf(f) {
				add(g)
			}
		case ByDay:
			add(day(f))
		default:
			add("")
		}
	}
	if q.By == ByTotal || q.By == ByDepartment {
		return []Row{{DepartmentID: q.DepartmentID, N: counts[""]}}
	}
	slices.Sort(keys)
	out := make([]Row, 0, len(keys))
	for _, k := range keys {
		r := Row{N: counts[k]}
		if q.By == ByDay {
			r.Day = k
		} else {
			r.Group = k
		}
		out = append(out, r)
	}
	return out
}

// countPeople counts distinct identities among the period's person-times.
func countPeople(ctx context.Context, src Source, q Query) ([]Row, error) {
	s, err := staySource(src)
	if err != nil {
		return nil, err
	}
	facts, err := s.StatStaysArrived(ctx, q.Period.Since(), q.Period.Until())
	if err != nil {
		return nil, err
	}
	byKey := map[string]map[string]bool{}
	var keys []string
	for i := range facts {
		k := ""
		if q.By == ByDay {
			k = facts[i].ArrivedAt.In(CST).Format(time.DateOnly)
		}
		if byKey[k] == nil {
			byKey[k] = map[string]bool{}
			keys = append(keys, k)
		}
		byKey[k][facts[i].PersonID] = true
	}
	if q.By != ByDay {
		return []Row{{DepartmentID: q.DepartmentID, N: int64(len(byKey[""]))}}, nil
	}
	slices.Sort(keys)
	var out []Row
	for _, k := range keys {
		out = append(out, Row{Day: k, N: int64(len(byKey[k]))})
	}
	return out, nil
}

// Centidays is a duration in hundredths of a day, rounded to the nearest.
func Centidays(d time.Duration) int64 {
	return int64(math.Round(float64(d) * 100 / float64(24*time.Hour)))
}

// avgDays is the average days in the station of the stays that left in
// the period (by exit day for ByDay).
func avgDays(ctx context.Context, src Source, q Query) ([]Row, error) {
	facts, err := exitedFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	type acc struct {
		sum time.Duration
		n   int64
	}
	by := map[string]*acc{}
	var keys []string
	for _, f := range facts {
		k := ""
		if q.By == ByDay {
			k = f.ExitedAt.In(CST).Format(time.DateOnly)
		}
		if by[k] == nil {
			by[k] = &acc{}
			keys = append(keys, k)
		}
		by[k].sum += f.ExitedAt.Sub(f.ArrivedAt)
		by[k].n++
	}
	avg := func(a *acc) int64 {
		if a == nil || a.n == 0 {
			return 0
		}
		return Centidays(a.sum / time.Duration(a.n))
	}
	if q.By != ByDay {
		return []Row{{DepartmentID: q.DepartmentID, N: avg(by[""])}}, nil
	}
	slices.Sort(keys)
	var out []Row
	for _, k := range keys {
		out = append(out, Row{Day: k, N: avg(by[k])})
	}
	return out, nil
}

// The monthly report's indicators. The lead registers them in the
// catalogue; the report reads its figures only through them.
var (
	MonthlyHelped   = Indicator{Key: "monthly.helped", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(nil)}
	MonthlyPeople   = Indicator{Key: "monthly.people", Unit: UnitPeople, Additive: false, Count: countPeople}
	MonthlyAvgDays  = Indicator{Key: "monthly.avg_days", Unit: UnitCentidays, Additive: false, Count: avgDays}
	MonthlyExited   = Indicator{Key: "monthly.exited", Unit: UnitPersonTimes, Additive: true, Count: countExited}
	MonthlyBySex    = Indicator{Key: "monthly.by_sex", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(sexOf)}
	MonthlyByAge    = Indicator{Key: "monthly.by_age", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(ageOf)}
	MonthlyByHealth = Indicator{Key: "monthly.by_health", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(healthOf)}
	MonthlyByOrigin = Indicator{Key: "monthly.by_province", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(provinceOf)}
	MonthlyByExit   = Indicator{Key: "monthly.by_exit", Unit: UnitPersonTimes, Additive: true, Count: countArrivals(exitOf)}
	MonthlySpecial  = Indicator{Key: "monthly.special", Unit: UnitPersonTimes, Additive: false, Count: countArrivals(specialOf)}
)

// countExited counts the stays that left in the period (离站人次).
func countExited(ctx context.Context, src Source, q Query) ([]Row, error) {
	facts, err := exitedFacts(ctx, src, q)
	if err != nil {
		return nil, err
	}
	return group(facts, q, func(f *StayFacts) string { return f.ExitedAt.In(CST).Format(time.DateOnly) },
		func(*StayFacts) []string { return []string{""} }), nil
}

// MonthlyIndicators lists the monthly report's indicators in the report's
// order.
var MonthlyIndicators = []Indicator{MonthlyHelped, MonthlyPeople, MonthlyExited, MonthlyAvgDays,
	MonthlyBySex, MonthlyByAge, MonthlyByHealth, MonthlyByOrigin, MonthlyByExit, MonthlySpecial}

// monthlyTables are the report's breakdown tables with their fixed rows
// (nil: the rows are the groups found, as for provinces).
var monthlyTables = []struct {
	ind    Indicator
	groups []string
}{
	{MonthlyBySex, SexGroups}, {MonthlyByAge, AgeGroups}, {MonthlyByHealth, HealthGroups},
	{MonthlyByOrigin, nil}, {MonthlyByExit, ExitGroups}, {MonthlySpecial, SpecialGroups},
}

// MonthlyFigures are one month's figures as the report lays them out; a
// submitted month keeps them as they were (JSON in monthly_reports).
type MonthlyFigures struct {
	Month       string         `json:"month"` // YYYY-MM
	Helped      int64          `json:"helped"`
	People      int64          `json:"people"`
	Exited      int64          `json:"exited"`
	AvgDaysCent int64          `json:"avg_days_centi"`
	Tables      []MonthlyTable `json:"tables"`
}

// MonthlyTable is one breakdown: every row of the layout, zeros
// included, and its total (the person-times; for the special groups the
// sum of the rows, as one stay may be in several).
type MonthlyTable struct {
	Key   string        `json:"key"`
	Rows  []MonthlyCell `json:"rows"`
	Total int64         `json:"total"`
}

// MonthlyCell is one row of a breakdown.
type MonthlyCell struct {
	Group string `json:"group"`
	N     int64  `json:"n"`
}

// Table returns the breakdown with the key, or nil.
func (m *MonthlyFigures) Table(key string) *MonthlyTable {
	for i := range m.Tables {
		if m.Tables[i].Key == key {
			return &m.Tables[i]
		}
	}
	return nil
}

// N is a row's count (0 when the row is absent).
func (t *MonthlyTable) N(group string) int64 {
	for _, c := range t.Rows {
		if c.Group == group {
			return c.N
		}
	}
	return 0
}

// AvgDays is the average days in the station, as days.
func (m *MonthlyFigures) AvgDays() float64 { return float64(m.AvgDaysCent) / 100 }

// ComputeMonthly counts a period's figures through the monthly
// indicators.
func ComputeMonthly(ctx context.Context, src Source, month string, scope Scope) (*MonthlyFigures, error) {
	src = Memo(src)
	total := func(ind Indicator) (int64, error) {
		rows, err := ind.Count(ctx, src, Query{Scope: scope, By: ByTotal})
		if err != nil || len(rows) == 0 {
			return 0, err
		}
		return rows[0].N, nil
	}
	m := &MonthlyFigures{Month: month}
	var err error
	if m.Helped, err = total(MonthlyHelped); err != nil {
		return nil, err
	}
	if m.People, err = total(MonthlyPeople); err != nil {
		return nil, err
	}
	if m.Exited, err = total(MonthlyExited); err != nil {
		return nil, err
	}
	if m.AvgDaysCent, err = total(MonthlyAvgDays); err != nil {
		return nil, err
	}
	for _, tb := range monthlyTables {
		rows, err := tb.ind.Count(ctx, src, Query{Scope: scope, By: ByGroup})
		if err != nil {
			return nil, err
		}
		got := map[string]int64{}
		for _, r := range rows {
			got[r.Group] = r.N
		}
		t := MonthlyTable{Key: tb.ind.Key}
		groups := tb.groups
		if groups == nil { // provinces: by code, 不详 last
			for g := range got {
				if g != GroupUnknown {
					groups = append(groups, g)
				}
			}
			slices.Sort(groups)
			groups = append(groups, GroupUnknown)
		}
		for _, g := range groups {
			t.Rows = append(t.Rows, MonthlyCell{Group: g, N: got[g]})
			t.Total += got[g]
		}
		if tb.ind.Additive {
			t.Total = m.Helped
		}
		m.Tables = append(m.Tables, t)
	}
	return m, nil
}
