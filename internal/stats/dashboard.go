package stats

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
)

// The leader's dashboard (DESIGN.md §3.11): the bureau at a glance for a
// period and a department. Its figures are the catalogue's — the tiles
// are indicators' totals beside the same days a year before, the trends
// their monthly sums, a campaign's progress their running totals — plus
// the daily number of people in care and the heat map, whose store
// queries read the period's rows through their date indexes.

// TileKeys are the dashboard's headline indicators, in order.
var TileKeys = []string{"signals", "rescued", "rescued_people", "patrols", "night_patrols", "outreach_aid", "items_handed_out", "returned_home", "reunions"}

// TrendKeys are the indicators of the monthly trend chart. They are
// additive: a month's value is the sum of its days.
var TrendKeys = []string{"signals", "rescued", "outreach_aid", "patrols"}

// ProgressKeys are the indicators of a campaign's progress against the
// same days a year before, as running totals from its first day.
var ProgressKeys = []string{"outreach_aid", "patrols", "night_patrols"}

// Tile is a headline figure and the same days' figure a year before.
type Tile struct {
	Indicator Indicator
	Value     int64
	LastYear  int64
}

// MonthSeries is an indicator's value in each month of the dashboard.
type MonthSeries struct {
	Indicator Indicator
	Values    []int64
}

// Progress is a campaign indicator's running total on each day of the
// campaign so far, and on the same days a year before.
type Progress struct {
	Indicator   Indicator
	This, Prior []int64
}

// Campaign is the campaign a dashboard follows: its name and window.
type Campaign struct {
	Name     string
	From, To string // YYYY-MM-DD
}

// Dashboard is what the dashboard shows.
type Dashboard struct {
	Scope    Scope
	LastYear Period // the same days a year before
	Tiles    []Tile
	Months   []string // YYYY-MM, every month the period touches
	Trends   []MonthSeries
	Channels []Row // help signals by channel, largest first
	Days     []string
	InCare   []int64 // people in care at the end of each of Days
	// Campaign is the campaign the period follows (campaigns.Following);
	// CampaignDays its days from its first up to the period's end or its
	// own.
	Campaign     *Campaign
	CampaignDays []string
	Progress     []Progress
	// Compliance is the statutory deadlines' KPIs of the stays that
	// arrived in each of Months (Service.Deadlines), and Overall those of
	// the whole period; nil without a deadline source.
	Compliance []cases.KPIs
	Overall    *cases.KPIs
}

// clip ends a period at today: figures for days to come are nothing yet,
// and the year before is compared day for day.
func clip(p Period, now time.Time) Period {
	if today := now.In(CST).Format(time.DateOnly); p.To > today {
		p.To = today
	}
	return p
}

// Dashboard counts the dashboard of sc. running is the campaign the
// period follows, if any (the caller finds it: campaigns are their own
// package).
func (s *Service) Dashboard(ctx context.Context, a auth.Actor, sc Scope, running *Campaign) (*Dashboard, error) {
	const op = "stats.Dashboard"
	if err := authorize(op, a); err != nil {
		return nil, err
	}
	if _, err := s.checkDepartment(ctx, op, sc); err != nil {
		return nil, err
	}
	sc.Period = clip(sc.Period, s.Now())
	d := &Dashboard{Scope: sc, LastYear: ShiftYear(sc.Period), Days: sc.Period.Days()}
	prior := Scope{Period: d.LastYear, DepartmentID: sc.DepartmentID}
	for _, k := range TileKeys {
		in := mustLookup(k)
		now, err := figure(ctx, s.Source, in, Query{Scope: sc})
		if err != nil {
			return nil, err
		}
		before, err := figure(ctx, s.Source, in, Query{Scope: prior})
		if err != nil {
			return nil, err
		}
		d.Tiles = append(d.Tiles, Tile{Indicator: in, Value: now.Total, LastYear: before.Total})
	}
	month := map[string]int{}
	for _, day := range d.Days {
		if m := day[:7]; len(d.Months) == 0 || d.Months[len(d.Months)-1] != m {
			month[m] = len(d.Months)
			d.Months = append(d.Months, m)
		}
	}
	for _, k := range TrendKeys {
		in := mustLookup(k)
		rows, err := in.Count(ctx, s.Source, Query{Scope: sc, By: ByDay})
		if err != nil {
			return nil, err
		}
		ms := MonthSeries{Indicator: in, Values: make([]int64, len(d.Months))}
		for _, r := range rows {
			if i, ok := month[r.Day[:min(7, len(r.Day))]]; ok {
				ms.Values[i] += r.N
			}
		}
		d.Trends = append(d.Trends, ms)
	}
	in := mustLookup("signals")
	ch, err := in.Count(ctx, s.Source, Query{Scope: sc, By: ByGroup})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(ch, func(x, y Row) int {
		if x.N != y.N {
			return int(y.N - x.N)
		}
		return strings.Compare(x.Group, y.Group)
	})
	d.Channels = ch
	oc, err := s.Source.Occupancy(ctx, sc.Period)
	if err != nil {
		return nil, err
	}
	d.InCare = Occupancy(oc, sc.Period)
	if running != nil && running.From <= sc.Period.To {
		// from the campaign's first day to the period's end, or its own
		// end when it ended earlier
		cp := Period{From: running.From, To: min(sc.Period.To, running.To)}
		d.Campaign, d.CampaignDays = running, cp.Days()
		cs, cprior := Scope{Period: cp, DepartmentID: sc.DepartmentID}, Scope{Period: ShiftYear(cp), DepartmentID: sc.DepartmentID}
		for _, k := range ProgressKeys {
			in := mustLookup(k)
			p := Progress{Indicator: in}
			for i, c := range []Scope{cs, cprior} {
				rows, err := in.Count(ctx, s.Source, Query{Scope: c, By: ByDay})
				if err != nil {
					return nil, err
				}
				run := runningTotal(Series(Figure{Rows: rows}, c.Period))
				if i == 0 {
					p.This = run
				} else {
					p.Prior = run
				}
			}
			d.Progress = append(d.Progress, p)
		}
	}
	if s.Deadlines != nil {
		for _, m := range d.Months {
			from, _ := time.ParseInLocation("2006-01", m, CST)
			since, until := from, from.AddDate(0, 1, 0)
			if p := sc.Period.Since(); since.Before(p) {
				since = p
			}
			if p := sc.Period.Until(); until.After(p) {
				until = p
			}
			k, err := s.Deadlines.DeadlineKPIs(ctx, since, until)
			if err != nil {
				return nil, err
			}
			d.Compliance = append(d.Compliance, k)
		}
		k, err := s.Deadlines.DeadlineKPIs(ctx, sc.Period.Since(), sc.Period.Until())
		if err != nil {
			return nil, err
		}
		d.Overall = &k
	}
	return d, nil
}

// mustLookup is an indicator the dashboard names; TestDashboardKeysExist
// keeps the lists in step with the catalogue.
func mustLookup(key string) Indicator {
	in, ok := Lookup(key)
	if !ok {
		panic("stats: the dashboard names no indicator " + key)
	}
	return in
}

func runningTotal(v []int64) []int64 {
	out := make([]int64, len(v))
	var n int64
	for i, x := range v {
		n += x
		out[i] = n
	}
	return out
}

// Heat is the heat map of q: hexagons of HexSizeM, most records first.
func (s *Service) Heat(ctx context.Context, a auth.Actor, q HeatQuery) ([]Hex, error) {
	const op = "stats.Heat"
	if err := authorize(op, a); err != nil {
		return nil, err
	}
	if _, err := s.checkDepartment(ctx, op, q.Scope); err != nil {
		return nil, err
	}
	q.Period = clip(q.Period, s.Now())
	cells, err := s.Source.HeatGrid(ctx, q)
	if err != nil {
		return nil, err
	}
	return Bin(cells, HexSizeM), nil
}
