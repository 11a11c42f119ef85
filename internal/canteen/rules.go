// Package canteen is the station canteen's food safety (DESIGN.md §3.7,
// RULES.md §1): suppliers and their licences, purchases with incoming
// inspection (进货查验), cold units and their temperature log, meals and
// their retained samples (留样), food handlers' health certificates and
// the morning check (晨检), and the tableware disinfection log. Its
// recurring duties (morning check, temperature log, self-checks) run on
// the duty engine (internal/duties).
package canteen

import (
	"time"
)

// CST is China Standard Time: days are counted in it.
var CST = time.FixedZone("CST", 8*3600)

// Settings are the regulation's numbers; each has its default in Defaults.
type Settings struct {
	SampleMinGrams   int     // 留样 per dish, grams (GB 31654-2021: 125)
	SampleKeepHours  int     // 留样 kept at least, hours (48)
	ChilledMinC      float64 // 冷藏 range (0–8 °C)
	ChilledMaxC      float64
	FrozenMaxC       float64 // 冷冻 at or below (−12 °C)
	AlertDays        int     // licence and certificate alerts, days ahead (30)
	RetainMonths     int     // purchase records kept past expiry, months (6)
	RetainNoShelfYrs int     // without a shelf life, years (2)
	ReceiveChilledC  float64 // chilled goods received at or below (8 °C)
	ReceiveFrozenC   float64 // frozen goods received at or below (−12 °C)
	PestEveryMonths  int     // the pest control round, months (1)
	// Disinfection minimums, by method.
	Disinfection map[string]Minimum
}

// Minimum is a disinfection method's least temperature (°C), concentration
// (mg/L) and time (seconds); a zero figure is not checked.
type Minimum struct {
	TempC   float64
	MgL     float64
	Seconds int
}

// Disinfection methods.
const (
	MethodSteam      = "steam"      // 煮沸、蒸汽 100 °C ≥ 10 min
	MethodInfrared   = "infrared"   // 红外消毒柜 120 °C ≥ 10 min
	MethodDishwasher = "dishwasher" // 洗碗机 final rinse ≥ 85 °C ≥ 40 s
	MethodChlorine   = "chlorine"   // 含氯消毒剂 250 mg/L ≥ 5 min
)

// Methods lists the disinfection methods in display order.
var Methods = []string{MethodSteam, MethodInfrared, MethodDishwasher, MethodChlorine}

// Defaults are the numbers of the Food Safety Law, the 2018 餐饮服务食品安全
// 操作规范 and GB 31654-2021.
var Defaults = Settings{
	SampleMinGrams: 125, SampleKeepHours: 48,
	ChilledMinC: 0, ChilledMaxC: 8, FrozenMaxC: -12,
	AlertDays: 30, RetainMonths: 6, RetainNoShelfYrs: 2,
	ReceiveChilledC: 8, ReceiveFrozenC: -12, PestEveryMonths: 1,
	Disinfection: map[string]Minimum{
		MethodSteam:      {TempC: 100, Seconds: 10 * 60},
		MethodInfrared:   {TempC: 120, Seconds: 10 * 60},
		MethodDishwasher: {TempC: 85, Seconds: 40},
		MethodChlorine:   {MgL: 250, Seconds: 5 * 60},
	},
}

// withDefaults fills each zero setting from Defaults. The temperature
// bounds are taken as given once any of them is set (0 °C is a real bound).
func (s Settings) withDefaults() Settings {
	d := Defaults
	for _, f := range []struct {
		v   *int
		def int
	}{{&s.SampleMinGrams, d.SampleMinGrams}, {&s.SampleKeepHours, d.SampleKeepHours},
		{&s.AlertDays, d.AlertDays}, {&s.RetainMonths, d.RetainMonths}, {&s.RetainNoShelfYrs, d.RetainNoShelfYrs},
		{&s.PestEveryMonths, d.PestEveryMonths}} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if s.ChilledMinC == 0 && s.ChilledMaxC == 0 && s.FrozenMaxC == 0 {
		s.ChilledMinC, s.ChilledMaxC, s.FrozenMaxC = d.ChilledMinC, d.ChilledMaxC, d.FrozenMaxC
	}
	if s.ReceiveChilledC == 0 && s.ReceiveFrozenC == 0 {
		s.ReceiveChilledC, s.ReceiveFrozenC = d.ReceiveChilledC, d.ReceiveFrozenC
	}
	if s.Disinfection == nil {
		s.Disinfection = d.Disinfection
	}
	return s
}

// Day is a calendar day in CST, "2006-01-02".
func Day(t time.Time) string { return t.In(CST).Format(time.DateOnly) }

// parseDay reads a "2006-01-02" day as midnight CST.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, CST)
	return t, err == nil
}

// ---- samples (留样) ----

// SampleOK reports whether a sample of grams is enough.
func (s Settings) SampleOK(grams int) bool { return grams >= s.SampleMinGrams }

// DiscardAfter is the earliest time a sample taken at sampledAt may be
// discarded: exactly SampleKeepHours later.
func (s Settings) DiscardAfter(sampledAt time.Time) time.Time {
	return sampledAt.Add(time.Duration(s.SampleKeepHours) * time.Hour)
}

// MayDiscard reports whether a sample taken at sampledAt may be discarded
// at at: at exactly the end of the keeping time, yes.
func (s Settings) MayDiscard(sampledAt, at time.Time) bool {
	return !at.Before(s.DiscardAfter(sampledAt))
}

// ---- storage ----

// Cold unit kinds.
const (
	Chilled = "chilled" // 冷藏 0–8 °C
	Frozen  = "frozen"  // 冷冻 ≤ −12 °C
)

// InRange reports whether a reading of c is within a cold unit's range;
// the bounds themselves are in range.
func (s Settings) InRange(kind string, c float64) bool {
	if kind == Frozen {
		return c <= s.FrozenMaxC
	}
	return c >= s.ChilledMinC && c <= s.ChilledMaxC
}

// Plausible bounds of any reading: a typed 70 °C in a fridge is a mistake
// or a broken unit, refused rather than stored as a reading.
const (
	MinReadingC = -40.0
	MaxReadingC = 40.0
)

// ---- purchases ----

// Storage classes of goods received.
const (
	Ambient = "ambient" // 常温
)

// ExpiresOn is a product's expiry day from its production day and shelf
// life in days: the last day it may be used ("" without a shelf life).
func ExpiresOn(produced string, shelfDays int) string {
	p, ok := parseDay(produced)
	if !ok || shelfDays <= 0 {
		return ""
	}
	return p.AddDate(0, 0, shelfDays-1).Format(time.DateOnly)
}

// RetainUntil is the day before which a purchase record may not be
// deleted: RetainMonths after the product's expiry, or RetainNoShelfYrs
// after it was received when the product has no shelf life.
func (s Settings) RetainUntil(received, expires string) string {
	if e, ok := parseDay(expires); ok {
		return e.AddDate(0, s.RetainMonths, 0).Format(time.DateOnly)
	}
	r, _ := parseDay(received)
	return r.AddDate(s.RetainNoShelfYrs, 0, 0).Format(time.DateOnly)
}

// MayDelete reports whether a record kept until retainUntil may be
// deleted on day today: on the day itself, yes.
func MayDelete(retainUntil, today string) bool { return today >= retainUntil }

// ReceiveTempOK reports whether goods of a storage class were received
// cold enough; ambient goods are not checked.
func (s Settings) ReceiveTempOK(storage string, c float64) bool {
	switch storage {
	case Chilled:
		return c <= s.ReceiveChilledC
	case Frozen:
		return c <= s.ReceiveFrozenC
	}
	return true
}

// ---- licences and certificates ----

// Validity of a licence or certificate on a day.
const (
	Valid    = "valid"
	Expiring = "expiring" // within AlertDays
	Expired  = "expired"
)

// ValidityOn says whether something expiring on expires (the last valid
// day) is valid, expiring soon or expired on today.
func (s Settings) ValidityOn(expires, today string) string {
	e, ok := parseDay(expires)
	if !ok {
		return Expired
	}
	switch t, _ := parseDay(today); {
	case t.After(e):
		return Expired
	case !e.After(t.AddDate(0, 0, s.AlertDays)):
		return Expiring
	}
	return Valid
}

// ---- morning check and disinfection ----

// Symptoms of the morning check (晨检): any of them stops food work that
// day.
var Symptoms = []string{"fever", "diarrhoea", "vomiting", "sore_throat", "hand_wound"}

// Below reports whether a disinfection by method at tempC / mgL for
// seconds falls short of the method's minimum.
func (s Settings) Below(method string, tempC, mgL float64, seconds int) bool {
	m, ok := s.Disinfection[method]
	if !ok {
		return true
	}
	return tempC < m.TempC || mgL < m.MgL || seconds < m.Seconds
}
