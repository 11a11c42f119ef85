package geo

import (
	"context"
	"sync"
	"time"
)

// Live is the city's gazetteer together with the named places kept in
// the database (hotspots, rescue points, departments with a location),
// read again at most once every TTL so that a new hotspot is found
// within a minute without a read for every report.
type Live struct {
	Base *Gazetteer
	// Places lists the named places of the database; nil for none.
	Places func(ctx context.Context) ([]Entry, error)
	TTL    time.Duration // default one minute

	mu    sync.Mutex
	cur   *Gazetteer
	built time.Time
}

// Gazetteer returns the current gazetteer. When the places cannot be read,
// the last good one (or the base) serves until the next try.
func (l *Live) Gazetteer(ctx context.Context) *Gazetteer {
	if l.Places == nil {
		return l.Base
	}
	ttl := l.TTL
	if ttl <= 0 {
		ttl = time.Minute
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil && time.Since(l.built) < ttl {
		return l.cur
	}
	extra, err := l.Places(ctx)
	l.built = time.Now()
	switch {
	case err == nil:
		l.cur = New(append(l.Base.Entries(), extra...))
	case l.cur == nil:
		l.cur = l.Base
	}
	return l.cur
}

// Geocode places a typed address (Gazetteer.Geocode).
func (l *Live) Geocode(ctx context.Context, text string) (Match, bool) {
	return l.Gazetteer(ctx).Geocode(text)
}

// Search lists places for a search box (Gazetteer.Search).
func (l *Live) Search(ctx context.Context, q string, n int) []Match {
	return l.Gazetteer(ctx).Search(q, n)
}
