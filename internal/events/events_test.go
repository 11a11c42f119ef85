package events

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"
)

// memLog is an in-memory event log.
type memLog struct {
	mu  sync.Mutex
	evs []Event
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
	// Wait until Run has read where the log stands.
	start, _ := l.LastEventID(ctx)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		h.mu.Lock()
		ok := h.last == start && start > 0
		h.mu.Unlock()
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("hub did not start")
		}
	}
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

func TestEverySubscriberGetsEventsInOrder(t *testing.T) {
	l := &memLog{}
	l.add(TopicIncident, "old") // before the hub started: not published again
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
		for want := int64(2); want <= 51; want++ {
			m := recv(t, s)
			if m.ID != want {
				t.Fatalf("got event %d, want %d", m.ID, want)
			}
			var data struct{ ID string }
			if err := json.Unmarshal(m.Data, &data); err != nil || data.ID != fmt.Sprintf("inc-%d", (want-2)%7) {
				t.Fatalf("event %d data %s (%v)", m.ID, m.Data, err)
			}
		}
	}
	b.Close()
	if n := h.Subscribers(); n != 1 {
		t.Fatalf("%d subscribers after one closed", n)
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

func TestSlowSubscriberIsDroppedOthersContinue(t *testing.T) {
	l := &memLog{}
	l.add(TopicTeam, "before")
	h, wake := startHub(t, l)
	slow, fast := h.Subscribe(), h.Subscribe()
	defer fast.Close()
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
	n := 0
	for range slow.C { // drains the buffer, then sees the close
		n++
	}
	if n != cap(slow.C) {
		t.Fatalf("slow subscriber got %d before being dropped, want its buffer of %d", n, cap(slow.C))
	}
	if h.Subscribers() != 1 {
		t.Fatalf("%d subscribers left, want the fast one", h.Subscribers())
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
