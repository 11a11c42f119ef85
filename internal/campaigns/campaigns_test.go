package campaigns

import (
	"testing"
	"time"
)

// A campaign runs from when it was started, not before its first day, to
// the end of its last day (China time) or until ended by hand.
func TestStateAt(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, cst)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	c := &Campaign{Kind: Winter, StartsOn: "2026-12-01", EndsOn: "2027-03-15", StartedAt: at("2026-11-28 10:00")}
	for _, tc := range []struct {
		at   string
		want string
	}{
		{"2026-11-28 09:59", StatePlanned},
		{"2026-11-30 23:59", StatePlanned}, // started ahead of its first day
		{"2026-12-01 00:00", StateRunning},
		{"2027-03-15 23:59", StateRunning},
		{"2027-03-16 00:00", StateOver},
	} {
		if got := c.StateAt(at(tc.at)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.at, got, tc.want)
		}
	}
	c.EndedAt = at("2027-01-10 08:00")
	if c.RunningAt(at("2027-01-10 08:00")) || !c.RunningAt(at("2027-01-10 07:59")) {
		t.Error("ended by hand at 08:00")
	}
	if got := c.Activates(); len(got) != 1 || got[0] != "warming" {
		t.Errorf("winter activates %v", got)
	}
}
