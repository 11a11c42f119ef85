package stats

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/cases"
)

// memo keeps the stays one report reads: its indicators each count from
// the same rows (the month's arrivals, its exits, the look-back), and
// read them from the store once. It lives for one report only, so its
// figures are never stale.
type memo struct {
	StaySource // the catalogue's other counts, straight through
	src        StaySource
	mu         sync.Mutex
	got        map[string][]StayFacts
	kpis       map[string]cases.KPIs
}

// Memo wraps a source for one report. A source that is not a StaySource
// is returned as it is.
func Memo(src Source) Source {
	s, ok := src.(StaySource)
	if !ok {
		return src
	}
	if _, done := src.(*memo); done {
		return src
	}
	return &memo{StaySource: s, src: s, got: map[string][]StayFacts{}, kpis: map[string]cases.KPIs{}}
}

func (m *memo) load(kind string, since, until time.Time, lookback time.Duration, read func() ([]StayFacts, error)) ([]StayFacts, error) {
	key := fmt.Sprint(kind, since.UnixNano(), until.UnixNano(), lookback)
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.got[key]; ok {
		return f, nil
	}
	f, err := read()
	if err == nil {
		m.got[key] = f
	}
	return f, err
}

func (m *memo) StatStaysArrived(ctx context.Context, since, until time.Time) ([]StayFacts, error) {
	return m.load("arrived", since, until, 0, func() ([]StayFacts, error) { return m.src.StatStaysArrived(ctx, since, until) })
}

func (m *memo) StatStaysExited(ctx context.Context, since, until time.Time) ([]StayFacts, error) {
	return m.load("exited", since, until, 0, func() ([]StayFacts, error) { return m.src.StatStaysExited(ctx, since, until) })
}

func (m *memo) StatStayHistory(ctx context.Context, since, until time.Time, lookback time.Duration) ([]StayFacts, error) {
	return m.load("history", since, until, lookback, func() ([]StayFacts, error) {
		return m.src.StatStayHistory(ctx, since, until, lookback)
	})
}

// DeadlineKPIs asks the deadline engine once per period.
func (m *memo) DeadlineKPIs(ctx context.Context, since, until time.Time) (cases.KPIs, error) {
	d, ok := m.src.(DeadlineSource)
	if !ok {
		return cases.KPIs{}, fmt.Errorf("stats: the source %T has no deadline engine", m.src)
	}
	key := fmt.Sprint(since.UnixNano(), until.UnixNano())
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.kpis[key]; ok {
		return k, nil
	}
	k, err := d.DeadlineKPIs(ctx, since, until)
	if err == nil {
		m.kpis[key] = k
	}
	return k, err
}
