// Package events is Haven's live event stream (DESIGN.md §3.2, §5): every
// change the dispatch board shows is appended to an event log in the same
// transaction as the change, in commit order. Each node runs one Hub that
// reads the log after every local commit or, with PostgreSQL, every NOTIFY
// from another node, and fans the events out to its subscribers (the
// server-sent-event streams). A client that lost its connection resumes
// from the last event id it saw and misses nothing.
package events

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// Topics of events.
const (
	TopicIncident  = "incident"  // an incident was opened or changed
	TopicTeam      = "team"      // a team moved, changed status or was edited
	TopicPatrol    = "patrol"    // a patrol started, ended or uploaded a track
	TopicEncounter = "encounter" // an encounter was recorded
)

// Topics that feed family search's index on every node (family.Service.Run)
// and are never sent to subscribers.
const (
	TopicPerson = "person" // a person record changed: its fields, stays, merges, consent
	TopicReport = "report" // a missing-person report was filed or changed
	TopicMatch  = "match"  // a full re-match was asked for
)

// Internal reports whether events of topic are for the nodes only.
func Internal(topic string) bool {
	return topic == TopicPerson || topic == TopicReport || topic == TopicMatch
}

// Event is one row of the log: what changed, not how it looks now.
type Event struct {
	ID       int64
	At       time.Time
	Topic    string
	RecordID string
}

// Message is an event as a subscriber receives it: the record's current
// state as JSON (Data), or nil when the record cannot be shown.
type Message struct {
	ID    int64
	Topic string
	Data  json.RawMessage
}

// Store is what the hub needs from storage.
type Store interface {
	// EventsAfter returns up to limit events with id > after, by id.
	EventsAfter(ctx context.Context, after int64, limit int) ([]Event, error)
	// LastEventID returns the newest event id, 0 for none.
	LastEventID(ctx context.Context) (int64, error)
}

// Resolver turns an event into the current state of its record.
type Resolver func(ctx context.Context, e Event) (any, error)

// MaxBackfill bounds how many events a resuming client is sent; one that
// is further behind is told to reload ("reset").
const MaxBackfill = 2000

// Hub fans events out to the subscribers of this node.
type Hub struct {
	Store   Store
	Resolve Resolver
	Log     *slog.Logger
	// Poll is how often the log is read without a wake-up (a missed
	// NOTIFY, a commit by a tool); default 2 s.
	Poll time.Duration

	mu   sync.Mutex
	subs map[*Sub]struct{}
	last int64
}

// Sub is one subscriber. C is closed when the subscriber falls too far
// behind (its client reconnects and resumes) or the hub stops.
type Sub struct {
	C    chan Message
	hub  *Hub
	once sync.Once
}

// Close unsubscribes.
func (s *Sub) Close() {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	s.drop()
}

func (s *Sub) drop() { // hub.mu held
	if _, ok := s.hub.subs[s]; ok {
		delete(s.hub.subs, s)
		s.once.Do(func() { close(s.C) })
	}
}

// Subscribe starts receiving the events published from now on.
func (h *Hub) Subscribe() *Sub {
	s := &Sub{C: make(chan Message, 256), hub: h}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs == nil {
		h.subs = map[*Sub]struct{}{}
	}
	h.subs[s] = struct{}{}
	return s
}

// Subscribers returns how many subscribers this node has.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Backfill returns the events after id, resolved, for a client that
// resumes. reset is true when more than MaxBackfill events were missed.
func (h *Hub) Backfill(ctx context.Context, after int64) (msgs []Message, reset bool, err error) {
	evs, err := h.Store.EventsAfter(ctx, after, MaxBackfill+1)
	if err != nil {
		return nil, false, err
	}
	if len(evs) > MaxBackfill {
		return nil, true, nil
	}
	// A record changed several times is sent once, at its last event:
	// every message carries the record's current state anyway.
	lastOf := map[string]int64{}
	for _, e := range evs {
		lastOf[e.Topic+"/"+e.RecordID] = e.ID
	}
	for _, e := range evs {
		if lastOf[e.Topic+"/"+e.RecordID] != e.ID || Internal(e.Topic) {
			continue
		}
		msgs = append(msgs, h.message(ctx, e))
	}
	return msgs, false, nil
}

func (h *Hub) message(ctx context.Context, e Event) Message {
	m := Message{ID: e.ID, Topic: e.Topic}
	if h.Resolve == nil {
		return m
	}
	v, err := h.Resolve(ctx, e)
	if err != nil {
		h.logger().Warn("event not resolved", "topic", e.Topic, "id", e.ID, "err", err)
		return m
	}
	if v != nil {
		m.Data, _ = json.Marshal(v)
	}
	return m
}

func (h *Hub) logger() *slog.Logger {
	if h.Log == nil {
		return slog.Default()
	}
	return h.Log
}

// Run reads the log whenever wake fires (or every Poll) and publishes new
// events until ctx ends; then it closes every subscription.
func (h *Hub) Run(ctx context.Context, wake <-chan struct{}) {
	poll := h.Poll
	if poll <= 0 {
		poll = 2 * time.Second
	}
	if last, err := h.Store.LastEventID(ctx); err == nil {
		h.mu.Lock()
		h.last = last
		h.mu.Unlock()
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	defer func() {
		h.mu.Lock()
		for s := range h.subs {
			s.drop()
		}
		h.mu.Unlock()
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
		h.pump(ctx)
	}
}

// pump publishes every event after the last one published.
func (h *Hub) pump(ctx context.Context) {
	for {
		h.mu.Lock()
		last := h.last
		h.mu.Unlock()
		evs, err := h.Store.EventsAfter(ctx, last, 500)
		if err != nil {
			if ctx.Err() == nil {
				h.logger().Warn("events not read", "err", err)
			}
			return
		}
		for _, e := range evs {
			if Internal(e.Topic) {
				h.pass(e.ID)
				continue
			}
			h.publish(h.message(ctx, e))
		}
		if len(evs) < 500 {
			return
		}
	}
}

// pass moves past an event that no subscriber gets.
func (h *Hub) pass(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = max(h.last, id)
}

func (h *Hub) publish(m Message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m.ID <= h.last {
		return
	}
	h.last = m.ID
	for s := range h.subs {
		select {
		case s.C <- m:
		default:
			s.drop() // too far behind: its client resumes from its last id
		}
	}
}
