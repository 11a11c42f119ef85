package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/havenrescue/haven/internal/events"
)

// boardRun measures signal → board latency: the time from a probe
// signal's POST returning to its incident's event arriving on a
// dispatcher's open board stream (GET /dispatch/events), optionally while
// a background load runs and with the stream on another node.
type boardRun struct {
	client         *http.Client
	post, watch    string // node the signals go to; node whose stream is watched
	key            string
	user, password string
	runID          int64
	seq            *atomic.Int64
	probeRate      float64
	loadRate       float64
	dur            time.Duration
	send           func(context.Context) error

	mu      sync.Mutex
	arrived map[string][]time.Time // incident ref → arrival times of its events
	events  int
}

type boardProbe struct {
	ref            string
	sent, returned time.Time
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// login signs the dispatcher in and returns a client holding the session.
func (b *boardRun) login() (*http.Client, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(b.watch + "/login")
	if err != nil {
		return nil, err
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfField.FindSubmatch(page)
	if m == nil {
		return nil, fmt.Errorf("no CSRF token on %s/login", b.watch)
	}
	res, err = c.PostForm(b.watch+"/login", url.Values{"username": {b.user}, "password": {b.password}, "csrf_token": {string(m[1])}})
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.Request.URL.Path != "/" {
		return nil, fmt.Errorf("login as %s failed (set -password or HAVEN_DEMO_PASSWORD)", b.user)
	}
	return c, nil
}

// listen reads the board stream, noting when each incident's events came.
func (b *boardRun) listen(ctx context.Context, c *http.Client) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", b.watch+"/dispatch/events", nil)
	res, err := c.Do(req)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return fmt.Errorf("board stream: %s", res.Status)
	}
	go func() {
		defer res.Body.Close()
		r := events.NewReader(res.Body)
		for {
			ev, err := r.Next()
			if err != nil {
				return
			}
			at := time.Now()
			if ev.Event != events.TopicIncident {
				continue
			}
			var inc struct {
				Ref string `json:"ref"`
			}
			if json.Unmarshal([]byte(ev.Data), &inc) != nil {
				continue
			}
			b.mu.Lock()
			b.arrived[inc.Ref] = append(b.arrived[inc.Ref], at)
			b.events++
			b.mu.Unlock()
		}
	}()
	return nil
}

// probeAt spreads probes over a grid of points 1.1 km apart, south and
// west of the background load's area, so that probes rarely merge.
func probeAt(n int64) (lat, lng float64) {
	const rows, cols = 30, 120
	cell := n % (rows * cols)
	return 34.90 + float64(cell/cols)*0.01, 113.45 + float64(cell%cols)*0.01
}

func (b *boardRun) run(out io.Writer, label string) error {
	b.arrived = map[string][]time.Time{}
	c, err := b.login()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := b.listen(ctx, c); err != nil {
		return err
	}
	var load *result
	var loadDone sync.WaitGroup
	if b.loadRate > 0 {
		loadDone.Add(1)
		go func() { defer loadDone.Done(); load = fixedRate(b.send, b.loadRate, b.dur) }()
	}
	var probes []boardProbe
	var failed int
	var pmu sync.Mutex
	var pwg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / b.probeRate)
	start := time.Now()
	for i := 0; time.Since(start) < b.dur; i++ {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			n := b.seq.Add(1)
			lat, lng := probeAt(n)
			sent := time.Now()
			ref, err := postAt(ctx, b.client, b.post, b.key, b.runID, n, lat, lng, true)
			returned := time.Now()
			pmu.Lock()
			defer pmu.Unlock()
			if err != nil || ref == "" {
				failed++
				return
			}
			probes = append(probes, boardProbe{ref: ref, sent: sent, returned: returned})
		}()
	}
	pwg.Wait()
	loadDone.Wait()
	time.Sleep(3 * time.Second) // let the last events arrive
	b.mu.Lock()
	defer b.mu.Unlock()
	var lat, fromSend []time.Duration
	early, missing := 0, 0
	for _, p := range probes {
		var first time.Time
		for _, at := range b.arrived[p.ref] {
			if !at.Before(p.sent) {
				first = at
				break
			}
		}
		if first.IsZero() {
			missing++
			continue
		}
		fromSend = append(fromSend, first.Sub(p.sent))
		d := first.Sub(p.returned)
		if d < 0 { // the event beat the HTTP answer to the client
			early++
			d = 0
		}
		lat = append(lat, d)
	}
	slices.Sort(lat)
	slices.Sort(fromSend)
	if label != "" {
		fmt.Fprintf(out, "run: %s\n", label)
	}
	fmt.Fprintf(out, "board: signals posted to %s, stream watched on %s\n", b.post, b.watch)
	if load != nil {
		fmt.Fprintf(out, "background load: offered %.0f signals/s, acknowledged %.0f/s, failed %d\n", b.loadRate, float64(load.acked)/load.elapsed.Seconds(), load.failed)
	} else {
		fmt.Fprintln(out, "background load: none (idle)")
	}
	fmt.Fprintf(out, "probes: %d posted, %d failed, %d seen on the board (%d before their POST returned), %d never seen; %d incident events read\n",
		len(probes)+failed, failed, len(lat), early, missing, b.events)
	line := func(name string, l []time.Duration) {
		fmt.Fprintf(out, "%s: p50 %s  p99 %s  max %s\n", name, pct(l, 0.5).Round(10*time.Microsecond),
			pct(l, 0.99).Round(10*time.Microsecond), pct(l, 1).Round(10*time.Microsecond))
	}
	line("signal → board (from the POST returning)", lat)
	line("signal → board (from the POST being sent)", fromSend)
	if missing > 0 {
		return fmt.Errorf("%d probes never reached the board", missing)
	}
	return nil
}
