package firesafety

import (
	"testing"
	"time"
)

func TestServiceAndScrapDatesPerType(t *testing.T) {
	s := Defaults
	for _, c := range []struct {
		typ, made, last, next, scrap string
	}{
		{Water, "2020-03-15", "", "2023-03-15", "2026-03-15"},
		{Water, "2020-03-15", "2023-03-20", "2024-03-20", "2026-03-15"},
		{Water, "2020-03-15", "2022-01-01", "2023-03-15", "2026-03-15"}, // a service before the first date does not bring it forward
		{Powder, "2019-06-01", "", "2024-06-01", "2029-06-01"},
		{Powder, "2019-06-01", "2024-06-10", "2026-06-10", "2029-06-01"},
		{CO2, "2018-01-31", "", "2023-01-31", "2030-01-31"},
		{CO2, "2018-01-31", "2023-02-01", "2025-02-01", "2030-01-31"},
		{CleanAgent, "2020-02-29", "", "2025-03-01", "2030-03-01"}, // no 29 February in 2025 or 2030
	} {
		if got := s.NextService(c.typ, c.made, c.last); got != c.next {
			t.Errorf("%s made %s last %q: next service %s, want %s", c.typ, c.made, c.last, got, c.next)
		}
		if got := s.ScrapOn(c.typ, c.made); got != c.scrap {
			t.Errorf("%s made %s: scrap %s, want %s", c.typ, c.made, got, c.scrap)
		}
	}
	if s.NextService("foam", "2020-01-01", "") != "" || s.ScrapOn("foam", "2020-01-01") != "" {
		t.Error("an unknown type has dates")
	}
}

func TestStandingAtItsEdges(t *testing.T) {
	s := Defaults
	water := &Equipment{Kind: KindExtinguisher, ExtType: Water, ManufacturedOn: "2021-05-10"} // service 2024-05-10, scrap 2027-05-10
	for _, c := range []struct{ today, want string }{
		{"2024-03-10", StandOK},  // the service is 61 days away
		{"2024-03-11", StandDue}, // 60 days
		{"2024-05-10", StandDue},
		{"2024-05-11", StandOverdue},
		{"2027-03-11", StandScrapSoon}, // 60 days before scrapping
		{"2027-05-09", StandScrapSoon},
		{"2027-05-10", StandScrapped}, // on the day
	} {
		if got := s.Standing(water, c.today); got != c.want {
			t.Errorf("water made 2021-05-10 on %s: %s, want %s", c.today, got, c.want)
		}
	}
	co2 := &Equipment{Kind: KindExtinguisher, ExtType: CO2, ManufacturedOn: "2014-01-01", LastServiceOn: "2025-12-01"}
	if got := s.Standing(co2, "2026-01-01"); got != StandScrapped { // 12 years on the day, serviced or not
		t.Errorf("CO2 at 12 years: %s", got)
	}
	if got := s.Standing(co2, "2025-12-31"); got != StandScrapSoon {
		t.Errorf("CO2 a day before 12 years: %s", got)
	}
}

func TestSpares(t *testing.T) {
	s := Defaults
	for _, c := range []struct{ installed, need int }{{1, 10}, {999, 10}, {1000, 10}, {1001, 11}, {1500, 15}, {2000, 20}} {
		if got := s.SpareNeed(c.installed); got != c.need {
			t.Errorf("%d installed: need %d, want %d", c.installed, got, c.need)
		}
	}
	if s.SpareShort(1200, 12) != 0 || s.SpareShort(1200, 11) != 1 || s.SpareShort(300, 9) != 1 {
		t.Error("shortfall wrong")
	}
}

func at(day string, hh, mm int) time.Time {
	d, _ := parseDay(day)
	return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute).UTC()
}

func TestNightGapExactlyTwoHours(t *testing.T) {
	s := Defaults
	from, to := s.Night("2026-11-30")
	if !from.Equal(at("2026-11-30", 22, 0)) || !to.Equal(at("2026-12-01", 6, 0)) {
		t.Fatalf("night %v–%v", from, to)
	}
	end := to.Add(time.Hour)
	exact := []time.Time{at("2026-12-01", 0, 0), at("2026-12-01", 2, 0), at("2026-12-01", 4, 0)} // 22→0→2→4→6: all exactly 2 h
	if g := s.Gaps(from, to, end, exact); len(g) != 0 {
		t.Errorf("gaps of exactly 2 h flagged: %v", g)
	}
	late := []time.Time{at("2026-12-01", 0, 0), at("2026-12-01", 2, 0), at("2026-12-01", 4, 0).Add(time.Second)}
	g := s.Gaps(from, to, end, late)
	if len(g) != 1 || !g[0].From.Equal(at("2026-12-01", 2, 0)) {
		t.Errorf("2 h 1 s: %v", g)
	}
	// A night still going: the gap so far counts only once it passes 2 h.
	if g := s.Gaps(from, to, at("2026-12-01", 0, 0), nil); len(g) != 0 {
		t.Errorf("2 h into the night without a scan: %v", g)
	}
	if g := s.Gaps(from, to, at("2026-12-01", 0, 1), nil); len(g) != 1 {
		t.Errorf("2 h 1 min into the night without a scan: %v", g)
	}
	// Scans outside the night do not count.
	if g := s.Gaps(from, to, end, []time.Time{at("2026-11-30", 21, 0), at("2026-12-01", 7, 0)}); len(g) != 1 {
		t.Errorf("day scans counted at night: %v", g)
	}
	if d, night := s.NightOf(at("2026-12-01", 5, 59)); !night || d != "2026-11-30" {
		t.Errorf("05:59 belongs to the night of %s (%v)", d, night)
	}
	if _, night := s.NightOf(at("2026-12-01", 6, 0)); night {
		t.Error("06:00 is day")
	}
	if d, night := s.NightOf(at("2026-12-01", 22, 0)); !night || d != "2026-12-01" {
		t.Error("22:00 is night")
	}
}

func TestParseCode(t *testing.T) {
	for in, want := range map[string]string{"xc-03": "XC-03", " XC03 ": "XC03", "https://haven.example/fire/cp/XC-03": "XC-03",
		"/fire/cp/a1?x=1": "A1", "http://h/fire/cp/B2/": "B2", "https://h/fire/cp/B2#top": "B2"} {
		if got, ok := ParseCode(in); !ok || got != want {
			t.Errorf("ParseCode(%q) = %q %v, want %q", in, got, ok, want)
		}
	}
	for _, in := range []string{"", " ", "-A", "巡查点", "A B", "A/B", "https://h/fire/cp/", "ABCDEFGHIJKLMNOPQ", "A;DROP"} {
		if got, ok := ParseCode(in); ok {
			t.Errorf("ParseCode(%q) = %q, want refused", in, got)
		}
	}
}

func FuzzParseCode(f *testing.F) {
	for _, s := range []string{"XC-01", "https://h/fire/cp/A1?x", "/cp/", "-", "a\x00b", "巡"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, ok := ParseCode(s)
		if !ok {
			return
		}
		if code == "" || len(code) > MaxCodeLen || code[0] == '-' {
			t.Fatalf("ParseCode(%q) = %q", s, code)
		}
		for _, r := range code {
			if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r == '-') {
				t.Fatalf("ParseCode(%q) = %q: %q", s, code, r)
			}
		}
		if again, ok := ParseCode(code); !ok || again != code {
			t.Fatalf("not stable: %q → %q → %q", s, code, again)
		}
	})
}

func TestHazardState(t *testing.T) {
	s := Defaults
	h := &Hazard{FoundOn: "2026-11-01"}
	if got := s.HazardState(h, "2026-11-08"); got != HazardNeedPlan {
		t.Errorf("7 days without a plan: %s", got)
	}
	if got := s.HazardState(h, "2026-11-09"); got != HazardOverdue {
		t.Errorf("8 days without a plan: %s", got)
	}
	h.Deadline = "2026-11-20"
	if s.HazardState(h, "2026-11-20") != HazardOpen || s.HazardState(h, "2026-11-21") != HazardOverdue {
		t.Error("deadline edge")
	}
	h.RecheckOK = true
	if s.HazardState(h, "2026-12-01") != HazardClosed {
		t.Error("rechecked")
	}
}

func TestValidityOnTheDay(t *testing.T) {
	s := Defaults
	if s.ValidityOn("2026-12-01", "2026-12-01") != Expiring || s.ValidityOn("2026-12-01", "2026-12-02") != Expired ||
		s.ValidityOn("2026-12-31", "2026-12-01") != Expiring || s.ValidityOn("2027-01-01", "2026-12-01") != Valid {
		t.Error("validity edges")
	}
}

func TestParseNight(t *testing.T) {
	for in, want := range map[string][2]int{"22-6": {22, 6}, " 21-05 ": {21, 5}, "23-0": {23, 0}, "1-0": {1, 0}} {
		if f, to, ok := ParseNight(in); !ok || f != want[0] || to != want[1] {
			t.Errorf("ParseNight(%q) = %d %d %v", in, f, to, ok)
		}
	}
	for _, in := range []string{"", "22", "6-22", "22-22", "0-23", "24-6", "22-24", "-1-6", "22--6", "022-6", "+2-1", "二十二-六"} {
		if f, to, ok := ParseNight(in); ok {
			t.Errorf("ParseNight(%q) = %d %d, want refused", in, f, to)
		}
	}
}

func FuzzParseNight(f *testing.F) {
	for _, s := range []string{"22-6", "0-0", "23-22", "a-b", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		from, to, ok := ParseNight(s)
		if ok && (from <= to || from > 23 || to < 0) {
			t.Fatalf("ParseNight(%q) = %d %d", s, from, to)
		}
	})
}
