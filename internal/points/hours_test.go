package points

import (
	"strings"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, CST)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOpenAcrossMidnightAndDays(t *testing.T) {
	night, err := ParseHours("daily 20:00-08:00+1")
	if err != nil {
		t.Fatal(err)
	}
	office, err := ParseHours("mon-fri 08:30-17:30; sat 09:00-12:00")
	if err != nil {
		t.Fatal(err)
	}
	weekend, _ := ParseHours("fri-sun 22:00-次日02:00") // Friday, Saturday and Sunday nights
	all, _ := ParseHours("24h")
	for _, tc := range []struct {
		h    Hours
		at   string
		want bool
	}{
		{night, "2026-11-30 19:59", false},
		{night, "2026-11-30 20:00", true},
		{night, "2026-12-01 00:00", true},
		{night, "2026-12-01 07:59", true},
		{night, "2026-12-01 08:00", false},
		{office, "2026-11-30 08:29", false}, // Monday
		{office, "2026-11-30 08:30", true},
		{office, "2026-11-30 17:30", false},
		{office, "2026-12-05 11:59", true},   // Saturday
		{office, "2026-12-06 10:00", false},  // Sunday
		{weekend, "2026-12-04 23:00", true},  // Friday night
		{weekend, "2026-12-05 01:30", true},  // early Saturday, from Friday
		{weekend, "2026-12-08 01:30", false}, // early Tuesday: Monday is not listed
		{weekend, "2026-12-07 01:30", true},  // early Monday, from Sunday
		{all, "2026-12-07 03:00", true},
	} {
		if got := tc.h.OpenAt(at(tc.at)); got != tc.want {
			t.Errorf("%q at %s: open %v, want %v", tc.h, tc.at, got, tc.want)
		}
	}
	// A time in another zone is read in China Standard Time.
	if !night.OpenAt(time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC)) { // 21:00 CST
		t.Error("UTC 13:00 is 21:00 in 新乡: open")
	}
}

func TestBadHours(t *testing.T) {
	for in, key := range map[string]string{
		"":                    "err.hours_empty",
		"daily 08:00-08:00":   "err.hours_zero",
		"daily 25:00-08:00":   "err.hours_time",
		"daily 8-20":          "err.hours_time",
		"someday 08:00-20:00": "err.hours_days",
		"daily":               "err.hours_format",
		"mon-fri 08:00":       "err.hours_format",
	} {
		_, err := ParseHours(in)
		if e, ok := err.(*HoursError); !ok || e.Key != key {
			t.Errorf("ParseHours(%q) = %v, want %s", in, err, key)
		}
	}
}

func TestSeason(t *testing.T) {
	winter, err := ParseSeason("11-15", "03-15")
	if err != nil {
		t.Fatal(err)
	}
	summer, _ := ParseSeason("06-01", "09-15")
	for _, tc := range []struct {
		s    Season
		at   string
		want bool
	}{
		{winter, "2026-11-14 23:59", false},
		{winter, "2026-11-15 00:00", true},
		{winter, "2027-01-20 12:00", true},
		{winter, "2027-03-15 23:59", true},
		{winter, "2027-03-16 00:00", false},
		{summer, "2026-06-01 00:00", true},
		{summer, "2026-09-16 00:00", false},
		{Season{}, "2026-09-16 00:00", true},
	} {
		if got := tc.s.In(at(tc.at)); got != tc.want {
			t.Errorf("%+v at %s: %v, want %v", tc.s, tc.at, got, tc.want)
		}
	}
	if _, err := ParseSeason("02-30", "03-01"); err == nil {
		t.Error("02-30 accepted")
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"24h", "daily 20:00-08:00+1", "mon-fri 08:30-17:30; sat 09:00-12:00", "fri-mon 22:00-24:00", "x", ";;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHours(s)
		if err != nil {
			return
		}
		// Whatever parses answers for every minute of a week without panicking.
		start := at("2026-11-30 00:00")
		for m := 0; m < 7*24*60; m += 37 {
			h.OpenAt(start.Add(time.Duration(m) * time.Minute))
		}
		for _, sp := range h.Spans {
			if sp.Start < 0 || sp.Start > 24*60 || sp.End < 0 || sp.End > 24*60 || sp.Start == sp.End {
				t.Fatalf("span out of range: %+v from %q", sp, s)
			}
			if sp.End < sp.Start && !strings.Contains(s, "+1") && !strings.Contains(s, "次日") {
				t.Fatalf("span out of range: %+v from %q", sp, s)
			}
		}
	})
}

// Staff write hours in Chinese as often as not: days, ranges and full-width
// punctuation read the same as the plain form.
func TestChineseHoursReadAsPlain(t *testing.T) {
	for chinese, plain := range map[string]string{
		"周一至周五 08：30～17：30；周六 09:00-12:00": "mon-fri 08:30-17:30; sat 09:00-12:00",
		"每天 20:00-次日08:00":                 "daily 20:00-08:00+1",
		"星期五到星期天 22:00-次日02:00":            "fri-sun 22:00-02:00+1",
		"全天": "24h",
	} {
		c, err := ParseHours(chinese)
		if err != nil {
			t.Errorf("ParseHours(%q): %v", chinese, err)
			continue
		}
		p, err := ParseHours(plain)
		if err != nil {
			t.Fatal(err)
		}
		if c.Always != p.Always || len(c.Spans) != len(p.Spans) {
			t.Errorf("%q reads as %+v, want %+v", chinese, c, p)
			continue
		}
		for i := range c.Spans {
			if c.Spans[i] != p.Spans[i] {
				t.Errorf("%q span %d = %+v, want %+v", chinese, i, c.Spans[i], p.Spans[i])
			}
		}
	}
	if _, err := ParseHours("周八 08:00-17:00"); err == nil {
		t.Error("周八 is not a day")
	}
}
