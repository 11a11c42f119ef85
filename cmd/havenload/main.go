// Command havenload is Haven's intake load generator. It posts 12345 work
// orders over loopback to a running Haven at a fixed offered rate or at
// full speed, and reports acknowledged signals per second and latency
// percentiles. With -baseline it also measures, in the same run, the raw
// rate of one-row-per-transaction durable inserts into a SQLite file on
// the same disk, and prints the ratio. With -server-pid (Haven on the same
// machine) it reads the server's CPU time from /proc before and after the
// run and prints the CPU time per acknowledged signal: unlike wall-clock
// rates, that figure holds on a machine other work shares.
//
//	havenload -url http://127.0.0.1:8080 -key KEY -rate 1000 -duration 20s -server-pid 1234
//	havenload -url http://127.0.0.1:8080 -key KEY -rate 0 -workers 64 -duration 20s -baseline ./haven-data
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "havenload:", err)
		os.Exit(1)
	}
}

type result struct {
	mode      string
	offered   float64
	sent      int64
	acked     int64
	failed    int64
	elapsed   time.Duration
	latencies []time.Duration
	// service latencies count from when a request was actually sent; the
	// gap to latencies is the load generator's own lateness (both share
	// the machine's cores).
	service []time.Duration
	// fixed rate: the latencies of the signals due in each second of the
	// run, to tell a start-up or a stall from a steady tail.
	bySecond [][]time.Duration
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("havenload", flag.ContinueOnError)
	base := fs.String("url", "http://127.0.0.1:8080", "Haven's address")
	key := fs.String("key", os.Getenv("HAVEN_DEMO_API_KEY"), "API key of the 12345 partner")
	rate := fs.Float64("rate", 1000, "offered signals a second; 0 for full speed")
	workers := fs.Int("workers", 64, "concurrent senders at full speed")
	dur := fs.Duration("duration", 15*time.Second, "how long to send")
	warmup := fs.Duration("warmup", 0, "at a fixed rate: send at that rate this long first, reported apart and not counted (a server just started warms its connections and caches)")
	baseline := fs.String("baseline", "", "folder on the same disk for the raw SQLite insert baseline")
	label := fs.String("label", "", "label of this run in the report")
	board := fs.Bool("board", false, "measure signal → board latency: probes at -probe-rate while -rate (0: none) loads in the background")
	boardURL := fs.String("board-url", "", "with -board: the node whose board stream is watched (default -url)")
	user := fs.String("user", "dispatcher", "with -board: the dispatcher who watches")
	password := fs.String("password", os.Getenv("HAVEN_DEMO_PASSWORD"), "with -board: the dispatcher's password")
	probeRate := fs.Float64("probe-rate", 20, "with -board: probe signals a second")
	serverPID := fs.Int("server-pid", 0, "process id of Haven on this machine: report its CPU time per acknowledged signal")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *key == "" {
		return fmt.Errorf("-key (or HAVEN_DEMO_API_KEY) is required")
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}, Timeout: 30 * time.Second}
	if err := probe(client, *base); err != nil {
		return err
	}
	var seq atomic.Int64
	runID := time.Now().UnixNano()
	send := func(ctx context.Context) error {
		n := seq.Add(1)
		return post(ctx, client, *base, *key, runID, n)
	}
	if *board {
		if *boardURL == "" {
			*boardURL = *base
		}
		b := &boardRun{client: client, post: *base, watch: *boardURL, key: *key, user: *user, password: *password,
			runID: runID, seq: &seq, probeRate: *probeRate, loadRate: *rate, dur: *dur, send: send}
		return b.run(out, *label)
	}
	var cpu0 time.Duration
	if *serverPID > 0 {
		var err error
		if cpu0, err = procCPU(*serverPID); err != nil {
			return fmt.Errorf("-server-pid: %v", err)
		}
	}
	self0, load0 := selfCPU(), loadAvg()
	var res *result
	if *rate > 0 && *warmup > 0 {
		w := fixedRate(send, *rate, *warmup)
		slices.Sort(w.latencies)
		fmt.Fprintf(out, "warm-up (not counted): %s at %.0f/s, %d acknowledged, %d failed, p99 %s, max %s\n", warmup, *rate, w.acked, w.failed,
			pct(w.latencies, 0.99).Round(10*time.Microsecond), pct(w.latencies, 1).Round(10*time.Microsecond))
		self0, load0 = selfCPU(), loadAvg()
		if *serverPID > 0 {
			cpu0, _ = procCPU(*serverPID)
		}
	}
	if *rate > 0 {
		res = fixedRate(send, *rate, *dur)
	} else {
		res = fullSpeed(send, *workers, *dur)
	}
	report(out, *label, res)
	if *serverPID > 0 {
		cpu1, err := procCPU(*serverPID)
		if err != nil {
			return fmt.Errorf("-server-pid: %v", err)
		}
		used := cpu1 - cpu0
		per := 0.0
		if res.acked > 0 {
			per = float64(used) / float64(res.acked) / float64(time.Millisecond)
		}
		fmt.Fprintf(out, "server CPU: %.2f s for %d acknowledged = %.3f ms/signal (%.0f%% of one core)\n",
			used.Seconds(), res.acked, per, 100*used.Seconds()/res.elapsed.Seconds())
	}
	fmt.Fprintf(out, "load generator CPU: %.2f s; load average before %s, after %s\n", (selfCPU() - self0).Seconds(), load0, loadAvg())
	if *baseline != "" {
		raw, commits, err := sqliteBaseline(*baseline, *dur)
		if err != nil {
			return err
		}
		ackRate := float64(res.acked) / res.elapsed.Seconds()
		fmt.Fprintf(out, "baseline: raw durable SQLite inserts (1 row/transaction, WAL, synchronous=FULL) %.0f rows/s\n", raw)
		slices.Sort(commits)
		fmt.Fprintf(out, "baseline: one raw durable commit (the disk's floor for any acknowledgement): p50 %s  p99 %s  p99.9 %s  max %s\n",
			pct(commits, 0.50).Round(10*time.Microsecond), pct(commits, 0.99).Round(10*time.Microsecond),
			pct(commits, 0.999).Round(10*time.Microsecond), pct(commits, 1).Round(10*time.Microsecond))
		fmt.Fprintf(out, "ratio: Haven acknowledged signals / raw inserts = %.2f\n", ackRate/raw)
	}
	return nil
}

func probe(c *http.Client, base string) error {
	res, err := c.Get(base + "/readyz")
	if err != nil {
		return fmt.Errorf("Haven at %s does not answer: %v", base, err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("Haven at %s is not ready: %s", base, res.Status)
	}
	return nil
}

// Points spread over central 新乡, so most signals open incidents and some
// merge, as in real use.
func post(ctx context.Context, c *http.Client, base, key string, runID, n int64) error {
	lat := 35.27 + rand.Float64()*0.07
	lng := 113.84 + rand.Float64()*0.14
	_, err := postAt(ctx, c, base, key, runID, n, lat, lng, false)
	return err
}

// postAt sends one 12345 work order at (lat, lng); with wantRef it returns
// the incident's reference from the answer.
func postAt(ctx context.Context, c *http.Client, base, key string, runID, n int64, lat, lng float64, wantRef bool) (string, error) {
	// Built by hand, not with encoding/json: the generator shares the
	// machine's cores with Haven and should take as little of them as it can.
	b := make([]byte, 0, 320)
	b = append(b, `{"order_no":"LOAD-`...)
	b = strconv.AppendInt(b, runID, 10)
	b = append(b, '-')
	b = strconv.AppendInt(b, n, 10)
	b = append(b, `","category":"露宿街头","content":"压力测试工单","location":{"lat":`...)
	b = strconv.AppendFloat(b, lat, 'f', 6, 64)
	b = append(b, `,"lng":`...)
	b = strconv.AppendFloat(b, lng, 'f', 6, 64)
	b = append(b, `},"address":"新乡市"}`...)
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/partners/12345/workorders", bytes.NewReader(b))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		_, _ = io.Copy(io.Discard, res.Body)
		return "", fmt.Errorf("status %s", res.Status)
	}
	if !wantRef {
		_, err = io.Copy(io.Discard, res.Body)
		return "", err
	}
	var out struct {
		IncidentRef string `json:"incident_ref"`
	}
	err = json.NewDecoder(res.Body).Decode(&out)
	return out.IncidentRef, err
}

// fixedRate offers signals on a fixed schedule (open loop). Latency counts
// from when a request was due, not when it was sent, so a slow server
// cannot hide its queueing (coordinated omission).
func fixedRate(send func(context.Context) error, rate float64, dur time.Duration) *result {
	r := &result{mode: "fixed", offered: rate}
	interval := time.Duration(float64(time.Second) / rate)
	total := int(dur.Seconds() * rate)
	jobs := make(chan time.Time, total)
	r.bySecond = make([][]time.Duration, int(dur/time.Second)+1)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range min(2048, total) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for due := range jobs {
				if d := time.Until(due); d > 0 {
					time.Sleep(d)
				}
				sentAt := time.Now()
				err := send(context.Background())
				lat, svc := time.Since(due), time.Since(sentAt)
				mu.Lock()
				r.sent++
				if err != nil {
					r.failed++
				} else {
					r.acked++
					r.latencies = append(r.latencies, lat)
					r.service = append(r.service, svc)
					if k := int(due.Sub(start) / time.Second); k < len(r.bySecond) {
						r.bySecond[k] = append(r.bySecond[k], lat)
					}
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < total; i++ {
		jobs <- start.Add(time.Duration(i) * interval)
	}
	close(jobs)
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

func fullSpeed(send func(context.Context) error, workers int, dur time.Duration) *result {
	r := &result{mode: "full speed"}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(dur)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lats []time.Duration
			var sent, acked, failed int64
			for time.Now().Before(deadline) {
				t := time.Now()
				err := send(context.Background())
				sent++
				if err != nil {
					failed++
					continue
				}
				acked++
				lats = append(lats, time.Since(t))
			}
			mu.Lock()
			r.sent += sent
			r.acked += acked
			r.failed += failed
			r.latencies = append(r.latencies, lats...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

func pct(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return sorted[i]
}

func report(out io.Writer, label string, r *result) {
	slices.Sort(r.latencies)
	if label != "" {
		fmt.Fprintf(out, "run: %s\n", label)
	}
	if r.mode == "fixed" {
		fmt.Fprintf(out, "mode: fixed rate, offered %.0f signals/s for %s\n", r.offered, r.elapsed.Round(time.Millisecond))
	} else {
		fmt.Fprintf(out, "mode: full speed for %s\n", r.elapsed.Round(time.Millisecond))
	}
	fmt.Fprintf(out, "sent %d, acknowledged %d, failed %d\n", r.sent, r.acked, r.failed)
	fmt.Fprintf(out, "acknowledged: %.0f signals/s\n", float64(r.acked)/r.elapsed.Seconds())
	line := func(name string, l []time.Duration) {
		fmt.Fprintf(out, "%s: p50 %s  p99 %s  p99.9 %s  max %s\n", name, pct(l, 0.50).Round(10*time.Microsecond),
			pct(l, 0.99).Round(10*time.Microsecond), pct(l, 0.999).Round(10*time.Microsecond), pct(l, 1).Round(10*time.Microsecond))
	}
	line("latency", r.latencies)
	if len(r.service) > 0 {
		slices.Sort(r.service)
		line("latency from actual send", r.service)
	}
	if len(r.bySecond) > 0 {
		fmt.Fprintf(out, "p99 by second (ms):")
		for _, l := range r.bySecond {
			if len(l) > 0 {
				slices.Sort(l)
				fmt.Fprintf(out, " %.1f", float64(pct(l, 0.99))/float64(time.Millisecond))
			}
		}
		fmt.Fprintln(out)
	}
}

// sqliteBaseline inserts one row per transaction, durably, into a new
// SQLite file in dir for dur, and returns rows a second and each commit's
// time (insert and commit: what one durable acknowledgement costs at least).
func sqliteBaseline(dir string, dur time.Duration) (float64, []time.Duration, error) {
	path := filepath.Join(dir, fmt.Sprintf("baseline-%d.db", time.Now().UnixNano()))
	defer os.Remove(path)
	defer os.Remove(path + "-wal")
	defer os.Remove(path + "-shm")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		return 0, nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)`); err != nil {
		return 0, nil, err
	}
	payload := string(bytes.Repeat([]byte("x"), 400))
	start := time.Now()
	var commits []time.Duration
	for time.Since(start) < dur {
		t0 := time.Now()
		tx, err := db.Begin()
		if err != nil {
			return 0, nil, err
		}
		if _, err := tx.Exec(`INSERT INTO t (payload) VALUES (?)`, payload); err != nil {
			return 0, nil, err
		}
		if err := tx.Commit(); err != nil {
			return 0, nil, err
		}
		commits = append(commits, time.Since(t0))
	}
	return float64(len(commits)) / time.Since(start).Seconds(), commits, nil
}
