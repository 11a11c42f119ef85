// Package firesafety is the station's fire safety (DESIGN.md §3.8,
// RULES.md §2): the equipment register with its service and scrap dates,
// sprinkler spares and replacements, the yearly full test, fire patrols
// by checkpoint (防火巡查) with the night gap rule, inspections (防火检查),
// hazards and their rectification, training, drills and the rosters of
// the control room and the micro fire station. Its recurring duties
// (night patrol, monthly checks, inspections, training, drills, the full
// test) run on the duty engine (internal/duties).
package firesafety

import (
	"strconv"
	"strings"
	"time"
)

// CST is China Standard Time: days are counted in it.
var CST = time.FixedZone("CST", 8*3600)

// Extinguisher types (GB 50444-2008 §5.4).
const (
	Water      = "water"       // 水基型
	Powder     = "powder"      // 干粉
	CO2        = "co2"         // 二氧化碳
	CleanAgent = "clean_agent" // 洁净气体
)

// ExtTypes lists the extinguisher types in display order.
var ExtTypes = []string{Water, Powder, CO2, CleanAgent}

// Rule is an extinguisher type's service and scrap years: first service
// First years after manufacture, then every Every years; scrapped Scrap
// years after manufacture.
type Rule struct{ First, Every, Scrap int }

// Settings are the regulations' numbers; each has its default in Defaults.
type Settings struct {
	Extinguishers  map[string]Rule
	DueDays        int     // equipment "due" within this many days (60)
	SparePct       float64 // sprinkler spares at least this % of installed (1)
	SpareMin       int     // and at least this many per model (10)
	NightFrom      int     // the night's patrols run from this hour CST (22)
	NightTo        int     // to this hour the next morning (6)
	NightGapHours  int     // at most this long between night scans (2)
	RoundMinutes   int     // scans this close belong to one round (40)
	InspectMonths  int     // an inspection every this many months (1; the legal minimum is 3)
	TrainMonths    int     // training every this many months (6)
	DrillMonths    int     // evacuation drills every this many months (6)
	TestMonths     int     // the full test by a qualified company (12)
	CheckMonths    int     // the monthly equipment check (1)
	PlanDays       int     // a hazard without a plan is overdue after this many days (7)
	ControlRoomMin int     // certified operators per control-room shift (2)
	MicroMin       int     // members of the micro fire station (6)
	CertAlertDays  int     // certificates expiring within this many days (30)
	RosterDays     int     // the roster is checked this many days ahead (7)
}

// Defaults are the numbers of MPS Order 61, GB/T 40248-2021, GB 50444-2008
// and GB 50084-2017. The clean-agent service years are those of CO₂ (the
// standard groups them).
var Defaults = Settings{
	Extinguishers: map[string]Rule{
		Water:      {First: 3, Every: 1, Scrap: 6},
		Powder:     {First: 5, Every: 2, Scrap: 10},
		CO2:        {First: 5, Every: 2, Scrap: 12},
		CleanAgent: {First: 5, Every: 2, Scrap: 10},
	},
	DueDays: 60, SparePct: 1, SpareMin: 10, NightFrom: 22, NightTo: 6, NightGapHours: 2, RoundMinutes: 40,
	InspectMonths: 1, TrainMonths: 6, DrillMonths: 6, TestMonths: 12, CheckMonths: 1, PlanDays: 7,
	ControlRoomMin: 2, MicroMin: 6, CertAlertDays: 30, RosterDays: 7,
}

// WithDefaults fills each zero setting from Defaults.
func (s Settings) WithDefaults() Settings {
	d := Defaults
	if s.Extinguishers == nil {
		s.Extinguishers = d.Extinguishers
	}
	for _, f := range []struct {
		v   *int
		def int
	}{{&s.DueDays, d.DueDays}, {&s.SpareMin, d.SpareMin}, {&s.NightGapHours, d.NightGapHours},
		{&s.RoundMinutes, d.RoundMinutes}, {&s.InspectMonths, d.InspectMonths}, {&s.TrainMonths, d.TrainMonths}, {&s.DrillMonths, d.DrillMonths},
		{&s.TestMonths, d.TestMonths}, {&s.CheckMonths, d.CheckMonths}, {&s.PlanDays, d.PlanDays}, {&s.ControlRoomMin, d.ControlRoomMin},
		{&s.MicroMin, d.MicroMin}, {&s.CertAlertDays, d.CertAlertDays}, {&s.RosterDays, d.RosterDays}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if s.SparePct <= 0 {
		s.SparePct = d.SparePct
	}
	if s.NightFrom == 0 && s.NightTo == 0 {
		s.NightFrom, s.NightTo = d.NightFrom, d.NightTo
	}
	return s
}

// Day is a calendar day in CST, "2006-01-02".
func Day(t time.Time) string { return t.In(CST).Format(time.DateOnly) }

func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, CST)
	return t, err == nil
}

func addYears(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return ""
	}
	return t.AddDate(n, 0, 0).Format(time.DateOnly)
}

func addDays(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return ""
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// ---- extinguishers ----

// NextService is the day an extinguisher of type typ manufactured on
// manufactured falls due for service (维修), its last service on last
// ("" never): First years after manufacture, then Every years after the
// last service, never before the first date.
func (s Settings) NextService(typ, manufactured, last string) string {
	r, ok := s.Extinguishers[typ]
	if !ok {
		return ""
	}
	first := addYears(manufactured, r.First)
	if last == "" || first == "" {
		return first
	}
	if n := addYears(last, r.Every); n > first {
		return n
	}
	return first
}

// ScrapOn is the day an extinguisher is to be scrapped (报废): Scrap years
// after manufacture. From that day on it is past scrapping.
func (s Settings) ScrapOn(typ, manufactured string) string {
	r, ok := s.Extinguishers[typ]
	if !ok {
		return ""
	}
	return addYears(manufactured, r.Scrap)
}

// Equipment standing on a day.
const (
	StandOK        = "ok"
	StandDue       = "due"       // service within DueDays
	StandOverdue   = "overdue"   // service day passed
	StandScrapSoon = "scrap_due" // scrapping within DueDays
	StandScrapped  = "scrapped"  // past scrapping: take it out of service
	StandShort     = "short"     // sprinkler spares below the minimum
)

// Standing is an item's state on today: past scrapping first, then
// scrapping soon, service overdue, service due, spares short, or fine.
func (s Settings) Standing(e *Equipment, today string) string {
	soon := addDays(today, s.DueDays)
	if e.Kind == KindExtinguisher {
		switch scrap, next := s.ScrapOn(e.ExtType, e.ManufacturedOn), s.NextService(e.ExtType, e.ManufacturedOn, e.LastServiceOn); {
		case scrap != "" && today >= scrap:
			return StandScrapped
		case scrap != "" && scrap <= soon:
			return StandScrapSoon
		case next != "" && today > next:
			return StandOverdue
		case next != "" && next <= soon:
			return StandDue
		}
	}
	if e.Kind == KindSprinkler && s.SpareShort(e.Installed, e.Spares) > 0 {
		return StandShort
	}
	return StandOK
}

// ---- sprinklers ----

// SpareNeed is the least number of spare heads for installed heads of a
// model: SparePct of them (rounded up) and never fewer than SpareMin.
func (s Settings) SpareNeed(installed int) int {
	n := int(float64(installed)*s.SparePct/100 + 0.999999)
	if n < s.SpareMin {
		n = s.SpareMin
	}
	return n
}

// SpareShort is how many spare heads are missing (0: enough).
func (s Settings) SpareShort(installed, spares int) int {
	if d := s.SpareNeed(installed) - spares; d > 0 {
		return d
	}
	return 0
}

// ---- night patrols ----

// Night is the night that starts on the evening of day: from NightFrom
// that day to NightTo the next morning, CST.
func (s Settings) Night(day string) (from, to time.Time) {
	t, _ := parseDay(day)
	from = t.Add(time.Duration(s.NightFrom) * time.Hour)
	to = t.AddDate(0, 0, 1).Add(time.Duration(s.NightTo) * time.Hour)
	return from.UTC(), to.UTC()
}

// NightOf is the day whose evening starts the night at holds, and whether
// at is at night at all.
func (s Settings) NightOf(at time.Time) (day string, night bool) {
	c := at.In(CST)
	switch h := c.Hour(); {
	case h >= s.NightFrom:
		return Day(at), true
	case h < s.NightTo:
		return Day(at.AddDate(0, 0, -1)), true
	}
	return Day(at), false
}

// Gap is a stretch of a night without a scan longer than NightGapHours.
type Gap struct{ From, To time.Time }

// Hours is the gap's length in hours, for words.
func (g Gap) Hours() float64 { return g.To.Sub(g.From).Hours() }

// Gaps are the stretches of the night from from to to (or to until, if
// earlier: a night still going on) longer than NightGapHours between the
// night's start, its scans and its end. A gap of exactly NightGapHours is
// within the rule.
func (s Settings) Gaps(from, to, until time.Time, scans []time.Time) []Gap {
	if until.Before(to) {
		to = until
	}
	max := time.Duration(s.NightGapHours) * time.Hour
	var out []Gap
	prev := from
	for _, t := range append(sortedWithin(scans, from, to), to) {
		if t.Sub(prev) > max {
			out = append(out, Gap{From: prev, To: t})
		}
		prev = t
	}
	return out
}

func sortedWithin(ts []time.Time, from, to time.Time) []time.Time {
	var out []time.Time
	for _, t := range ts {
		if !t.Before(from) && !t.After(to) {
			out = append(out, t)
		}
	}
	for i := 1; i < len(out); i++ { // few: insertion sort
		for j := i; j > 0 && out[j].Before(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ---- checkpoint codes ----

// MaxCodeLen is the longest checkpoint code.
const MaxCodeLen = 16

// ParseCode reads a checkpoint code as a patrol's phone or hand gives it:
// the code itself ("xc-03", " XC03 "), or the URL its QR label encodes
// (".../fire/cp/XC-03", with or without a query). The code is letters,
// digits and hyphens, returned in upper case; ok is false for anything
// else.
func ParseCode(s string) (code string, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndex(s, "/cp/"); i >= 0 {
		s = s[i+len("/cp/"):]
	}
	s = strings.TrimSuffix(s, "/")
	if s == "" || len(s) > MaxCodeLen || s[0] == '-' {
		return "", false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return "", false
		}
	}
	return strings.ToUpper(s), true
}

// ---- certificates ----

// Validity of a certificate on a day.
const (
	Valid    = "valid"
	Expiring = "expiring"
	Expired  = "expired"
)

// ValidityOn says whether a certificate valid to expires (the last valid
// day; "" none) is valid, expiring within CertAlertDays or expired on today.
func (s Settings) ValidityOn(expires, today string) string {
	switch {
	case expires == "" || expires < today:
		return Expired
	case expires <= addDays(today, s.CertAlertDays):
		return Expiring
	}
	return Valid
}

// ParseNight reads the fire patrols' night as whole hours CST, "22-6":
// from 22:00 to 06:00 the next morning. The hours differ, each 0–23, and
// from is after to (the night runs past midnight); "0-23" is refused.
func ParseNight(s string) (from, to int, ok bool) {
	a, b, found := strings.Cut(strings.TrimSpace(s), "-")
	if !found {
		return 0, 0, false
	}
	digits := func(x string) bool { return x != "" && strings.Trim(x, "0123456789") == "" }
	if !digits(a) || !digits(b) {
		return 0, 0, false
	}
	from, err1 := strconv.Atoi(a)
	to, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || len(a) > 2 || len(b) > 2 || from < 1 || from > 23 || to < 0 || to > 23 || from <= to {
		return 0, 0, false
	}
	return from, to, true
}
