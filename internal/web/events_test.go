package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// sse is an open event stream of the board.
type sse struct {
	t      *testing.T
	res    *http.Response
	cancel context.CancelFunc
	ch     chan events.Received
}

// openEvents opens /dispatch/events, resuming after lastID when it is set.
func (c *client) openEvents(lastID string) *sse {
	c.h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", c.h.srv.URL+"/dispatch/events", nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res := c.roundTrip(req)
	s := &sse{t: c.h.t, res: res, cancel: cancel, ch: make(chan events.Received, 1000)}
	go func() {
		defer close(s.ch)
		r := events.NewReader(res.Body)
		for {
			ev, err := r.Next()
			if err != nil {
				return
			}
			s.ch <- ev
		}
	}()
	c.h.t.Cleanup(s.close)
	return s
}

func (s *sse) close() { s.cancel(); s.res.Body.Close() }

// next returns the next event, failing the test after 5 s.
func (s *sse) next() events.Received {
	s.t.Helper()
	select {
	case ev, ok := <-s.ch:
		if !ok {
			s.t.Fatal("stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		s.t.Fatal("no event within 5 s")
	}
	return events.Received{}
}

// nextIncident skips other topics and returns the next incident's ref.
func (s *sse) nextIncident() (id int64, ref, state string) {
	s.t.Helper()
	for {
		ev := s.next()
		if ev.Event != events.TopicIncident {
			continue
		}
		var inc struct{ Ref, State string }
		if err := json.Unmarshal([]byte(ev.Data), &inc); err != nil {
			s.t.Fatalf("incident event data %q: %v", ev.Data, err)
		}
		n, _ := strconv.ParseInt(ev.ID, 10, 64)
		return n, inc.Ref, inc.State
	}
}

func reportAt(t *testing.T, h *harness, key string, n int, lat float64) string {
	t.Helper()
	body := fmt.Sprintf(`{"order_no":"SSE-%d","category":"露宿街头","content":"有人露宿","location":{"lat":%.4f,"lng":113.90},"address":"新乡市"}`, n, lat)
	code, res, _ := apiPost(t, h.srv.URL+"/api/v1/partners/12345/workorders", key, body)
	var out struct {
		IncidentRef string `json:"incident_ref"`
	}
	_ = json.Unmarshal(res, &out)
	if code != 201 || out.IncidentRef == "" {
		t.Fatalf("work order %d: %d %s", n, code, res)
	}
	return out.IncidentRef
}

// The board's stream: events arrive live and in order; a client that
// reconnects with Last-Event-ID gets exactly what it missed; roles that do
// not run the board cannot listen.
func TestBoardEventStream(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		key := partnerKeys(t, h)[intake.Channel12345]
		disp := h.login("dispatcher")
		s := disp.openEvents("")
		if s.res.StatusCode != 200 || s.res.Header.Get("Content-Type") != "text/event-stream; charset=utf-8" {
			t.Fatalf("stream: %d %s", s.res.StatusCode, s.res.Header.Get("Content-Type"))
		}
		// Points 1 km apart: each opens its own incident.
		var refs []string
		for i := range 5 {
			refs = append(refs, reportAt(t, h, key, i, 35.20+float64(i)*0.01))
		}
		var last int64
		for i := range 5 {
			id, ref, state := s.nextIncident()
			if id <= last {
				t.Fatalf("event %d after %d", id, last)
			}
			last = id
			if ref != refs[i] || state != string(intake.StateAccepted) {
				t.Fatalf("event %d: %s %s, want %s new", i, ref, state, refs[i])
			}
		}
		s.close()

		// While away: two new incidents, and the first one changes again.
		refs2 := []string{reportAt(t, h, key, 10, 35.30), reportAt(t, h, key, 11, 35.31)}
		again := reportAt(t, h, key, 12, 35.20) // merges into refs[0]
		if again != refs[0] {
			t.Fatalf("the repeat report opened %s instead of merging into %s", again, refs[0])
		}
		r := disp.openEvents(strconv.FormatInt(last, 10))
		var got []string
		for range 3 {
			id, ref, _ := r.nextIncident()
			if id <= last {
				t.Fatalf("resumed stream repeated event %d (last seen %d)", id, last)
			}
			last = id
			got = append(got, ref)
		}
		if want := []string{refs2[0], refs2[1], refs[0]}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("resumed with %v, want %v", got, want)
		}
		// Then live again on the same connection.
		ref := reportAt(t, h, key, 13, 35.40)
		if _, got, _ := r.nextIncident(); got != ref {
			t.Fatalf("live after resume: %s, want %s", got, ref)
		}

		for _, who := range []string{"staff", "patrol"} {
			res := h.login(who).stream("/dispatch/events")
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s listened to the board: %d", who, res.StatusCode)
			}
		}
	})
}
