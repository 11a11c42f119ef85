package cases

import (
	"context"
	"sync"
	"time"
)

// The year's KPIs on the station dashboard are one aggregate over every
// stay that arrived since 1 January: at a province's volume (10^4 stays a
// year and more) that is tens of milliseconds on every view, the only part
// of /station whose cost follows history. The dashboard therefore keeps
// the last count for KPIMaxAge and says when it was counted ("统计于
// 10:42"): a view within that age reads it, an older one shows it while
// one background count replaces it, and a change through this service
// (admission, exit, a task done, identification, a merge) makes the next
// view count again. The people in care, their deadlines and the overdue
// counts are always counted at the view. Another node's changes appear
// within KPIMaxAge.

// DefaultKPIMaxAge is how long the year's KPIs are shown before they are
// counted again.
const DefaultKPIMaxAge = time.Minute

type yearFigures struct {
	KPIs   KPIs
	Helped int
	At     time.Time // when they were counted
}

// kpiCache holds the last count of the year's KPIs.
type kpiCache struct {
	mu         sync.Mutex
	since      time.Time // the period's start the figures are for
	fig        yearFigures
	valid      bool
	gen        uint64 // bumped by every change
	refreshing bool
}

// figuresChanged makes the next dashboard view count the year's KPIs
// again.
func (s *Service) figuresChanged() {
	s.kpis.mu.Lock()
	s.kpis.gen++
	s.kpis.valid = false
	s.kpis.mu.Unlock()
}

func (s *Service) kpiMaxAge() time.Duration {
	if s.KPIMaxAge > 0 {
		return s.KPIMaxAge
	}
	return DefaultKPIMaxAge
}

// countYear counts the KPIs of the stays that arrived in [since, now].
func (s *Service) countYear(ctx context.Context, since time.Time) (yearFigures, error) {
	now := s.now().Truncate(time.Microsecond)
	q := s.Rules.FigureQuery(now, since, now.Add(time.Minute))
	q.KPIsOnly = true
	f, err := s.Store.StationFigures(ctx, q)
	return yearFigures{KPIs: f.KPIs, Helped: f.HelpedThisYr, At: now}, err
}

// yearKPIs returns the year's KPIs as the cache holds them, counting them
// at the view only when there is no usable count.
func (s *Service) yearKPIs(ctx context.Context, since time.Time) (yearFigures, error) {
	c := &s.kpis
	c.mu.Lock()
	if c.valid && c.since.Equal(since) {
		fig := c.fig
		if s.now().Sub(fig.At) >= s.kpiMaxAge() && !c.refreshing {
			c.refreshing = true
			gen := c.gen
			go s.refreshYear(context.WithoutCancel(ctx), since, gen)
		}
		c.mu.Unlock()
		return fig, nil
	}
	gen := c.gen
	c.mu.Unlock()
	fig, err := s.countYear(ctx, since)
	if err != nil {
		return fig, err
	}
	s.keepYear(since, gen, fig)
	return fig, nil
}

// refreshYear counts in the background and keeps the count unless a
// change came in meanwhile.
func (s *Service) refreshYear(ctx context.Context, since time.Time, gen uint64) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	fig, err := s.countYear(ctx, since)
	s.kpis.mu.Lock()
	s.kpis.refreshing = false
	s.kpis.mu.Unlock()
	if err == nil {
		s.keepYear(since, gen, fig)
	}
}

func (s *Service) keepYear(since time.Time, gen uint64, fig yearFigures) {
	c := &s.kpis
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || (c.valid && c.since.Equal(since) && c.fig.At.After(fig.At)) {
		return // a change since the count began, or a newer count
	}
	c.since, c.fig, c.valid = since, fig, true
}
