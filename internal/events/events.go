// Package events is Haven's live event stream (DESIGN.md §3.2, §5): every
// change the dispatch board shows is appended to an event log in the same
// transaction as the change, in commit order. Each node runs one Hub that
// reads the log after every local commit or, with PostgreSQL, every NOTIFY
// from another node, and fans the events out to its subscribers (the
// server-sent-event streams). A client that lost its connection resumes
// from the last event id it saw and misses nothing.
//
// The hub costs nothing while nobody watches: with no subscriber it
// neither reads the log nor resolves events; the first subscriber starts
// it from the newest event. Each event is resolved once for all
// subscribers, several events of one record in a batch once, at the
// newest, and a batch's records in parallel. A subscriber that falls
// behind is not dropped: it stops receiving and catches up from the log
// (Sub.CatchUp) once it has drained what it holds.
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
	live bool // last is the newest event published; false while nobody watches
}

// Sub is one subscriber. C is closed when the hub stops.
type Sub struct {
	C      chan Message
	hub    *Hub
	once   sync.Once
	behind bool // hub.mu: C overflowed; nothing more is sent until CatchUp
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
	h.catchUpLocked()
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
	// A record changed several times is sent once, at its last event.
	return h.resolveBatch(ctx, latestPerRecord(evs)), false, nil
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

// catchUpLocked moves a hub nobody watched to the log's newest event, so
// that a new subscriber is not sent what happened before it came. One
// indexed read; on failure the hub stays stale and pump tries again.
func (h *Hub) catchUpLocked() { // h.mu held
	if h.live {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if last, err := h.Store.LastEventID(ctx); err == nil {
		h.last, h.live = max(h.last, last), true
	}
}

// pump publishes every event after the last one published. With no
// subscriber it does no work at all.
func (h *Hub) pump(ctx context.Context) {
	for {
		h.mu.Lock()
		if len(h.subs) == 0 {
			h.live = false
			h.mu.Unlock()
			return
		}
		h.catchUpLocked()
		last := h.last
		h.mu.Unlock()
		evs, err := h.Store.EventsAfter(ctx, last, pumpBatch)
		if err != nil {
			if ctx.Err() == nil {
				h.logger().Warn("events not read", "err", err)
			}
			return
		}
		for _, m := range h.resolveBatch(ctx, latestPerRecord(evs)) {
			h.publish(m)
		}
		if len(evs) > 0 {
			h.pass(evs[len(evs)-1].ID) // the batch may end in events nobody is sent
		}
		if len(evs) < pumpBatch {
			return
		}
	}
}

// pumpBatch is how many events one read of the log takes.
const pumpBatch = 500

// resolveWorkers bounds how many events of a batch are resolved at once.
const resolveWorkers = 4

// latestPerRecord keeps, of several events of one record, only the newest
// (every message carries the record's current state, so the older ones
// would say the same thing again), and leaves out internal topics, which
// no subscriber is sent. The order by id is kept.
func latestPerRecord(evs []Event) []Event {
	lastOf := make(map[string]int64, len(evs))
	for _, e := range evs {
		lastOf[e.Topic+"/"+e.RecordID] = e.ID
	}
	out := evs[:0:0]
	for _, e := range evs {
		if lastOf[e.Topic+"/"+e.RecordID] == e.ID && !Internal(e.Topic) {
			out = append(out, e)
		}
	}
	return out
}

// resolveBatch resolves events in parallel, the messages in the events'
// order.
func (h *Hub) resolveBatch(ctx context.Context, evs []Event) []Message {
	msgs := make([]Message, len(evs))
	if len(evs) == 1 {
		msgs[0] = h.message(ctx, evs[0])
		return msgs
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(resolveWorkers, len(evs)) {
		wg.Go(func() {
			for i := range next {
				msgs[i] = h.message(ctx, evs[i])
			}
		})
	}
	for i := range evs {
		next <- i
	}
	close(next)
	wg.Wait()
	return msgs
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
		if s.behind {
			continue
		}
		select {
		case s.C <- m:
		default:
			s.behind = true // it reads the rest from the log (CatchUp)
		}
	}
}

// CatchUp returns, for a subscriber that fell behind, the messages after
// sent (the last id it delivered) up to where the hub stands, and from
// then on sends it events again; nil when it is not behind. Call it when
// C is empty. reset is true when it missed more than MaxBackfill events:
// its client must reload.
func (s *Sub) CatchUp(ctx context.Context, sent int64) (msgs []Message, reset bool, err error) {
	h := s.hub
	h.mu.Lock()
	if !s.behind || len(s.C) > 0 {
		h.mu.Unlock()
		return nil, false, nil
	}
	upto := h.last
	s.behind = false
	h.mu.Unlock()
	msgs, reset, err = h.Backfill(ctx, sent)
	for i, m := range msgs {
		if m.ID > upto { // sent through C from now on
			msgs = msgs[:i]
			break
		}
	}
	return msgs, reset, err
}
