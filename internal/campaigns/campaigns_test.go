package campaigns

import (
	"context"
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

type listStore struct {
	Store
	list []*Campaign
}

func (l listStore) Campaigns(context.Context) ([]*Campaign, error) { return l.list, nil }

// The dashboard follows the campaign that holds the period's last day,
// else the latest that overlaps the period.
func TestFollowing(t *testing.T) {
	winter24 := &Campaign{Name: "2024冬", StartsOn: "2024-11-01", EndsOn: "2025-03-15"}
	summer25 := &Campaign{Name: "2025夏", StartsOn: "2025-06-25", EndsOn: "2025-09-25"}
	winter25 := &Campaign{Name: "2025冬", StartsOn: "2025-11-01", EndsOn: "2026-03-15",
		EndedAt: time.Date(2026, 2, 1, 10, 0, 0, 0, cst)} // ended by hand
	s := &Service{Store: listStore{list: []*Campaign{winter25, summer25, winter24}}}
	for _, tc := range []struct{ from, to, want string }{
		{"2024-11-01", "2025-03-15", "2024冬"},
		{"2025-01-01", "2025-12-31", "2025冬"}, // holds the last day
		{"2025-01-01", "2025-10-31", "2025夏"}, // none holds it: the latest overlapping
		{"2026-01-01", "2026-03-01", "2025冬"}, // overlaps up to its end by hand
		{"2026-02-02", "2026-03-01", ""},      // ended by hand on 1 February
		{"2025-04-01", "2025-06-01", ""},
	} {
		c, err := s.Following(context.Background(), tc.from, tc.to)
		got := ""
		if c != nil {
			got = c.Name
		}
		if err != nil || got != tc.want {
			t.Errorf("%s – %s: %q %v, want %q", tc.from, tc.to, got, err, tc.want)
		}
	}
}
