package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memLog is an in-memory event log that counts the work asked of it.
type memLog struct {
	mu       sync.Mutex
	evs      []Event
	reads    int // EventsAfter and LastEventID calls
	resolved int // resolve calls
}

func (l *memLog) work() (reads, resolved int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads, l.resolved
}

func (l *memLog) add(topic, record string) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	id := int64(len(l.evs) + 1)
	l.evs = append(l.evs, Event{ID: id, At: time.Now(), Topic: topic, RecordID: record})
	return id
}

func (l *memLog) EventsAfter(_ context.Context, after int64, limit int) ([]Event, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	var out []Event
	for _, e := range l.evs {
		if e.ID > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (l *memLog) LastEventID(context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	return int64(len(l.evs)), nil
}

// resolve answers each record's "current state": its id and a version
// counted from the log, as the dispatch service answers from the database.
func (l *memLog) resolve(_ context.Context, e Event) (any, error) {
	if e.RecordID == "gone" {
		return nil, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.resolved++
	v := 0
	for _, x := range l.evs {
		if x.Topic == e.Topic && x.RecordID == e.RecordID {
			v++
		}
	}
	return map[string]any{"id": e.RecordID, "version": v}, nil
}

func startHub(t *testing.T, l *memLog) (*Hub, chan struct{}) {
	t.Helper()
	h := &Hub{Store: l, Resolve: l.resolve, Poll: time.Hour}
	wake := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.Run(ctx, wake); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return h, wake
}

func recv(t *testing.T, s *Sub) Message {
	t.Helper()
	select {
	case m, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no message")
	}
	return Message{}
}

func wakeUp(wake chan struct{}) {
	select {
	case wake <- struct{}{}:
	default:
	}
}

// Every subscriber receives events in order, ending at the newest, and
// each record's last message carries its latest state (several events of
// one record in a batch may be sent once, at the newest).
func TestEverySubscriberGetsEventsInOrder(t *testing.T) {
	l := &memLog{}
	l.add(TopicIncident, "old") // before anyone subscribed: not published
	h, wake := startHub(t, l)
	a, b := h.Subscribe(), h.Subscribe()
	defer a.Close()
	for i := range 50 {
		l.add(TopicIncident, fmt.Sprintf("inc-%d", i%7))
		if i%10 == 0 {
			wakeUp(wake)
		}
	}
	wakeUp(wake)
	for _, s := range []*Sub{a, b} {
		latest := map[string]int{}
		for last := int64(1); last < 51; {
			m := recv(t, s)
			if m.ID <= last {
				t.Fatalf("event %d after %d", m.ID, last)
			}
			last = m.ID
			var data struct {
				ID      string
				Version int
			}
			if err := json.Unmarshal(m.Data, &data); err != nil || data.ID != fmt.Sprintf("inc-%d", (m.ID-2)%7) {
				t.Fatalf("event %d data %s (%v)", m.ID, m.Data, err)
			}
			latest[data.ID] = data.Version
		}
		for i := range 7 {
			if want := (50 - i + 6) / 7; latest[fmt.Sprintf("inc-%d", i)] != want {
				t.Errorf("inc-%d ends at version %d, want %d", i, latest[fmt.Sprintf("inc-%d", i)], want)
			}
		}
	}
	b.Close()
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers after one closed", n)
	}
}

// With nobody watching the hub neither reads the log nor resolves events,
// however many arrive; the first subscriber starts from the newest.
func TestHubIdleWithoutSubscribers(t *testing.T) {
	l := &memLog{}
	h, wake := startHub(t, l)
	for i := range 20 {
		l.add(TopicIncident, fmt.Sprint(i))
		wakeUp(wake)
		time.Sleep(time.Millisecond)
	}
	if reads, resolved := l.work(); reads != 0 || resolved != 0 {
		t.Fatalf("with no subscriber the hub read the log %d times and resolved %d events", reads, resolved)
	}
	s := h.Subscribe()
	defer s.Close()
	id := l.add(TopicIncident, "new")
	wakeUp(wake)
	if m := recv(t, s); m.ID != id {
		t.Fatalf("first message is event %d, want the one after subscribing (%d)", m.ID, id)
	}
}

// Many events of one record in one batch are resolved once.
func TestBatchResolvesARecordOnce(t *testing.T) {
	l := &memLog{}
	h, wake := startHub(t, l)
	s := h.Subscribe()
	defer s.Close()
	for range 100 {
		l.add(TopicIncident, "big")
	}
	wakeUp(wake)
	m := recv(t, s)
	if m.ID != 100 || string(m.Data) != `{"id":"big","version":100}` {
		t.Fatalf("got %d %s, want event 100 at version 100", m.ID, m.Data)
	}
	if _, resolved := l.work(); resolved != 1 {
		t.Fatalf("resolved %d times, want once", resolved)
	}
}

func TestBackfillSendsEachRecordOnceAtItsLatest(t *testing.T) {
	l := &memLog{}
	h := &Hub{Store: l, Resolve: l.resolve}
	l.add(TopicIncident, "a") // 1: seen by the client before it dropped
	l.add(TopicIncident, "b") // 2
	l.add(TopicTeam, "t1")    // 3
	l.add(TopicIncident, "a") // 4
	l.add(TopicIncident, "gone")
	msgs, reset, err := h.Backfill(context.Background(), 1)
	if err != nil || reset {
		t.Fatal(err, reset)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, fmt.Sprintf("%d:%s:%s", m.ID, m.Topic, m.Data))
	}
	want := []string{`2:incident:{"id":"b","version":1}`, `3:team:{"id":"t1","version":1}`, `4:incident:{"id":"a","version":2}`, `5:incident:`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("backfill\n got %v\nwant %v", got, want)
	}
	if msgs, _, _ := h.Backfill(context.Background(), 5); len(msgs) != 0 {
		t.Fatalf("backfill from the newest id sent %d", len(msgs))
	}
}

func TestBackfillTooFarBehindAsksForReset(t *testing.T) {
	l := &memLog{}
	h := &Hub{Store: l, Resolve: l.resolve}
	for i := range MaxBackfill + 1 {
		l.add(TopicIncident, fmt.Sprint(i))
	}
	if _, reset, _ := h.Backfill(context.Background(), 1); reset {
		t.Fatal("exactly MaxBackfill missed events should be sent, not reset")
	}
	if _, reset, _ := h.Backfill(context.Background(), 0); !reset {
		t.Fatal("a client further behind than MaxBackfill was not told to reset")
	}
}

// A subscriber that cannot keep up is not dropped: once it has drained
// what it holds it reads the rest from the log and misses nothing, while
// the others go on.
func TestSlowSubscriberCatchesUpFromTheLog(t *testing.T) {
	l := &memLog{}
	l.add(TopicTeam, "before")
	h, wake := startHub(t, l)
	slow, fast := h.Subscribe(), h.Subscribe()
	defer fast.Close()
	defer slow.Close()
	// In two rounds, the fast subscriber reading everything in between:
	// the first fills the slow one's buffer exactly, the second overflows it.
	for round, n := range []int{cap(slow.C), 10} {
		for i := range n {
			l.add(TopicTeam, fmt.Sprint(round, i))
		}
		wakeUp(wake)
		for range n {
			recv(t, fast)
		}
	}
	var got []int64
	sent := int64(1)
	for len(slow.C) > 0 {
		m := recv(t, slow)
		got, sent = append(got, m.ID), m.ID
	}
	more, reset, err := slow.CatchUp(context.Background(), sent)
	if err != nil || reset {
		t.Fatal(err, reset)
	}
	for _, m := range more {
		got = append(got, m.ID)
	}
	if len(got) != cap(slow.C)+10 || got[0] != 2 || got[len(got)-1] != int64(cap(slow.C)+11) {
		t.Fatalf("slow subscriber got %d events (%v…), want all %d", len(got), got[:min(3, len(got))], cap(slow.C)+10)
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("gap or repeat: %d after %d", got[i], got[i-1])
		}
	}
	// Caught up, it receives new events through C again.
	id := l.add(TopicTeam, "after")
	wakeUp(wake)
	if m := recv(t, slow); m.ID != id {
		t.Fatalf("after catching up got %d, want %d", m.ID, id)
	}
	if h.Subscribers() != 2 {
		t.Fatalf("%d subscribers, want both", h.Subscribers())
	}
}

func TestRunEndClosesSubscriptions(t *testing.T) {
	l := &memLog{}
	h := &Hub{Store: l, Poll: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s := h.Subscribe()
	go func() { h.Run(ctx, nil); close(done) }()
	cancel()
	<-done
	if _, ok := <-s.C; ok {
		t.Fatal("subscription still open after the hub stopped")
	}
	s.Close() // closing again is harmless
}

// Family search's events (a person or a report changed) are for the
// nodes' indexes: no subscriber gets them, live or on resuming, and they
// cost no resolving.
func TestInternalTopicsAreNotSent(t *testing.T) {
	l := &memLog{}
	l.add(TopicIncident, "before")
	resolved := 0
	h, wake := startHub(t, l)
	h.Resolve = func(ctx context.Context, e Event) (any, error) {
		if Internal(e.Topic) {
			resolved++
		}
		return l.resolve(ctx, e)
	}
	s := h.Subscribe()
	defer s.Close()
	l.add(TopicPerson, "p1")
	l.add(TopicReport, "r1")
	l.add(TopicMatch, "*")
	last := l.add(TopicIncident, "i1")
	wakeUp(wake)
	if m := recv(t, s); m.ID != last || m.Topic != TopicIncident {
		t.Fatalf("first message %d %s, want the incident %d", m.ID, m.Topic, last)
	}
	msgs, _, err := h.Backfill(context.Background(), 1)
	if err != nil || len(msgs) != 1 || msgs[0].ID != last {
		t.Fatalf("backfill sent %+v, %v; want only the incident", msgs, err)
	}
	if resolved != 0 {
		t.Fatalf("%d internal events resolved", resolved)
	}
}
