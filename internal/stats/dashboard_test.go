package stats

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
)

// daySource answers every count from a table of per-day values, so that
// the dashboard's sums can be checked by hand.
type daySource struct {
	days map[string]map[string]int64 // key -> day -> n
}

func (f *daySource) StatCount(_ context.Context, key string, q Query) ([]Row, error) {
	var out []Row
	var total int64
	for _, d := range q.Period.Days() {
		n := f.days[key][d]
		total += n
		if n != 0 && q.By == ByDay {
			out = append(out, Row{Day: d, N: n})
		}
	}
	switch q.By {
	case ByTotal:
		return []Row{{N: total}}, nil
	case ByGroup:
		return []Row{{Group: "public", N: total}}, nil
	}
	return out, nil
}
func (f *daySource) StatValues(context.Context, string, Query) ([]Row, error) { return nil, nil }
func (f *daySource) StatDepartments(context.Context) ([]Department, error) {
	return []Department{{ID: "d1", Name: "新乡市救助管理站"}}, nil
}
func (f *daySource) Occupancy(context.Context, Period) (OccupancyCounts, error) {
	return OccupancyCounts{Start: 2, Arrived: map[string]int64{"2025-03-01": 1}, Left: map[string]int64{}}, nil
}
func (f *daySource) HeatGrid(context.Context, HeatQuery) ([]GridCount, error) { return nil, nil }

// spans records the periods the deadline KPIs are asked for.
type spans struct{ asked [][2]string }

func (s *spans) DeadlineKPIs(_ context.Context, since, until time.Time) (cases.KPIs, error) {
	s.asked = append(s.asked, [2]string{since.In(CST).Format(time.DateOnly), until.In(CST).Format(time.DateOnly)})
	return cases.KPIs{Stays: 4, EnteredInDay: 3}, nil
}

func TestDashboardSumsTheCatalogue(t *testing.T) {
	src := &daySource{days: map[string]map[string]int64{
		"signals":      {"2025-01-31": 2, "2025-02-01": 3, "2025-02-28": 1, "2024-02-01": 4, "2024-02-29": 7},
		"outreach_aid": {"2025-02-20": 1, "2025-02-22": 2, "2024-02-21": 5},
		"patrols":      {"2025-02-21": 1},
	}}
	now := time.Date(2025, 3, 1, 4, 0, 0, 0, time.UTC) // 12:00 on 1 March in 新乡
	dl := &spans{}
	s := &Service{Source: src, Now: func() time.Time { return now }, Deadlines: dl}
	leader := auth.Actor{Role: auth.RoleLeader}
	sc := Scope{Period: Period{From: "2025-01-15", To: "2025-03-31"}} // ends after today: clipped
	d, err := s.Dashboard(context.Background(), leader, sc, &Campaign{Name: "寒冬送温暖", From: "2025-02-20", To: "2025-03-15"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Scope.Period.To != "2025-03-01" || d.LastYear != (Period{From: "2024-01-15", To: "2024-03-01"}) {
		t.Fatalf("period %v, a year before %v", d.Scope.Period, d.LastYear)
	}
	if tl := d.Tiles[0]; tl.Indicator.Key != "signals" || tl.Value != 6 || tl.LastYear != 11 {
		t.Fatalf("signals tile %+v, want 6 against 11 (29 February 2024 inside the year before)", tl)
	}
	if !slices.Equal(d.Months, []string{"2025-01", "2025-02", "2025-03"}) || !slices.Equal(d.Trends[0].Values, []int64{2, 4, 0}) {
		t.Fatalf("months %v, signals %v", d.Months, d.Trends[0].Values)
	}
	if len(d.CampaignDays) != 10 || d.CampaignDays[0] != "2025-02-20" || d.CampaignDays[9] != "2025-03-01" {
		t.Fatalf("campaign days %v", d.CampaignDays)
	}
	p := d.Progress[0]
	if p.Indicator.Key != "outreach_aid" || p.This[0] != 1 || p.This[2] != 3 || p.This[9] != 3 || p.Prior[1] != 5 || p.Prior[9] != 5 {
		t.Fatalf("outreach progress %+v", p)
	}
	// Deadlines month by month, each month cut to the period, then the
	// whole period.
	want := [][2]string{{"2025-01-15", "2025-02-01"}, {"2025-02-01", "2025-03-01"}, {"2025-03-01", "2025-03-02"}, {"2025-01-15", "2025-03-02"}}
	if !slices.Equal(dl.asked, want) || len(d.Compliance) != 3 || d.Overall == nil || d.Overall.EnteredInDay != 3 {
		t.Fatalf("deadline periods %v, want %v; compliance %v", dl.asked, want, d.Compliance)
	}
	if n := len(d.InCare); d.InCare[0] != 2 || d.InCare[n-1] != 3 {
		t.Fatalf("in care %v", d.InCare)
	}
	if _, err := s.Dashboard(context.Background(), auth.Actor{Role: auth.RolePatrol}, sc, nil); err == nil {
		t.Fatal("a patrol member read the dashboard")
	}
	sc.DepartmentID = "nope"
	if _, err := s.Dashboard(context.Background(), leader, sc, nil); err == nil {
		t.Fatal("an unknown department was counted")
	}
}

func TestShiftYear(t *testing.T) {
	for in, want := range map[Period]Period{
		{From: "2025-11-01", To: "2026-03-15"}: {From: "2024-11-01", To: "2025-03-15"},
		{From: "2024-02-29", To: "2024-02-29"}: {From: "2023-02-28", To: "2023-02-28"},
		{From: "2025-03-01", To: "2025-03-31"}: {From: "2024-03-01", To: "2024-03-31"},
	} {
		if got := ShiftYear(in); got != want {
			t.Errorf("ShiftYear(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestDashboardKeysExist(t *testing.T) {
	for _, keys := range [][]string{TileKeys, TrendKeys, ProgressKeys, {"signals"}} {
		for _, k := range keys {
			in, ok := Lookup(k)
			if !ok {
				t.Errorf("the dashboard names %q, which the catalogue lacks", k)
			}
			if slices.Contains(TrendKeys, k) && !in.Additive {
				t.Errorf("trend %q is not additive: a month is not the sum of its days", k)
			}
		}
	}
}
