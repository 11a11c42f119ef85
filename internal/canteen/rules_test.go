package canteen

import (
	"testing"
	"time"
)

func TestSampleEdges(t *testing.T) {
	s := Defaults
	if s.SampleOK(124) || !s.SampleOK(125) {
		t.Error("125 g is the least sample")
	}
	at := time.Date(2026, 11, 30, 4, 0, 0, 0, time.UTC)
	if s.MayDiscard(at, at.Add(48*time.Hour-time.Second)) {
		t.Error("discard a second before 48 h allowed")
	}
	if !s.MayDiscard(at, at.Add(48*time.Hour)) {
		t.Error("discard at exactly 48 h refused")
	}
}

func TestColdRanges(t *testing.T) {
	s := Defaults
	for _, c := range []struct {
		kind string
		c    float64
		want bool
	}{
		{Chilled, 0, true}, {Chilled, 8, true}, {Chilled, 8.1, false}, {Chilled, -0.1, false},
		{Frozen, -12, true}, {Frozen, -11.9, false}, {Frozen, -25, true},
	} {
		if got := s.InRange(c.kind, c.c); got != c.want {
			t.Errorf("%s %v °C: in range %v, want %v", c.kind, c.c, got, c.want)
		}
	}
}

func TestRetentionDates(t *testing.T) {
	s := Defaults
	if got := ExpiresOn("2026-11-01", 1); got != "2026-11-01" {
		t.Errorf("one day's shelf life expires %s", got)
	}
	if got := ExpiresOn("2026-11-01", 30); got != "2026-11-30" {
		t.Errorf("30 days: %s", got)
	}
	if got := ExpiresOn("2026-11-01", 0); got != "" {
		t.Errorf("no shelf life: %q", got)
	}
	if got := s.RetainUntil("2026-11-02", "2026-11-30"); got != "2027-05-30" {
		t.Errorf("6 months past expiry: %s", got)
	}
	if got := s.RetainUntil("2026-11-02", ""); got != "2028-11-02" {
		t.Errorf("2 years without shelf life: %s", got)
	}
	if MayDelete("2027-05-30", "2027-05-29") || !MayDelete("2027-05-30", "2027-05-30") {
		t.Error("deletion allowed from the retention day on")
	}
}

func TestCertificateOnExpiryDay(t *testing.T) {
	s := Defaults
	for _, c := range []struct{ today, want string }{
		{"2026-12-02", Expiring}, // the last valid day
		{"2026-12-03", Expired},
		{"2026-11-02", Expiring}, // exactly 30 days ahead
		{"2026-11-01", Valid},
	} {
		if got := s.ValidityOn("2026-12-02", c.today); got != c.want {
			t.Errorf("expires 2026-12-02, on %s: %s, want %s", c.today, got, c.want)
		}
	}
}

func TestDisinfectionMinimums(t *testing.T) {
	s := Defaults
	for _, c := range []struct {
		method    string
		temp, mgl float64
		secs      int
		below     bool
	}{
		{MethodSteam, 100, 0, 600, false}, {MethodSteam, 99.9, 0, 600, true}, {MethodSteam, 100, 0, 599, true},
		{MethodInfrared, 120, 0, 600, false}, {MethodInfrared, 119, 0, 600, true}, {MethodInfrared, 120, 0, 599, true},
		{MethodDishwasher, 85, 0, 40, false}, {MethodDishwasher, 84.9, 0, 40, true}, {MethodDishwasher, 85, 0, 39, true},
		{MethodChlorine, 0, 250, 300, false}, {MethodChlorine, 0, 249, 300, true}, {MethodChlorine, 0, 250, 299, true},
		{"sunlight", 0, 0, 9999, true},
	} {
		if got := s.Below(c.method, c.temp, c.mgl, c.secs); got != c.below {
			t.Errorf("%s %v °C %v mg/L %d s: below %v, want %v", c.method, c.temp, c.mgl, c.secs, got, c.below)
		}
	}
}

func TestSettingsOverride(t *testing.T) {
	s := Settings{SampleMinGrams: 150, SampleKeepHours: 72, AlertDays: 15, ChilledMaxC: 5, FrozenMaxC: -18}.withDefaults()
	if s.SampleOK(140) || s.Disinfection == nil || s.InRange(Chilled, 6) {
		t.Errorf("settings not taken: %+v", s)
	}
	if (Settings{}).withDefaults().SampleMinGrams != 125 || (Settings{SampleMinGrams: 150}).withDefaults().RetainMonths != 6 {
		t.Error("zero settings are not the defaults")
	}
}
