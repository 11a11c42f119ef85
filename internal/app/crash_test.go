package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
)

// TestCrashSafety kills a real haven process with SIGKILL in the middle of
// a load of work orders and checks that every signal that got a 2xx is in
// the database afterwards.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server")
	}
	bin := filepath.Join(t.TempDir(), "haven")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/haven")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	const key = "crash-test-key-2026-xinxiang"
	cmd := exec.Command(bin, "demo", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "HAVEN_DEMO_API_KEY="+key, "HAVEN_DEMO_PASSWORD=crash test 1", "HAVEN_PARTNER_RATE=100000000")
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var base string
	sc := bufio.NewScanner(stdout)
	re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	for sc.Scan() {
		if m := re.FindStringSubmatch(sc.Text()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		t.Fatal("server did not start")
	}
	go func() {
		for sc.Scan() {
		}
	}()
	// Load: 16 senders, each work order a fresh id; remember the acked.
	var mu sync.Mutex
	var acked []string
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ctx.Err() == nil; n++ {
				id := fmt.Sprintf("CRASH-%d-%d", w, n)
				body, _ := json.Marshal(map[string]any{"order_no": id, "category": "露宿街头", "content": "crash test",
					"location": map[string]any{"lat": 35.27 + float64(n%50)*0.001, "lng": 113.84 + float64(w)*0.005}})
				req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/partners/12345/workorders", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+key)
				res, err := client.Do(req)
				if err != nil {
					continue
				}
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	time.Sleep(200 * time.Millisecond)
	stop()
	wg.Wait()
	mu.Lock()
	n := len(acked)
	mu.Unlock()
	if n < 50 {
		t.Fatalf("only %d work orders acknowledged before the kill: load too light to mean anything", n)
	}
	// Restart: open the database as the next server would (WAL recovery).
	db, err := store.Open(context.Background(), store.Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range acked {
		if _, err := db.SignalByExternal(context.Background(), intake.Channel12345, id); err != nil {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged signals lost after SIGKILL", missing, n)
	}
	t.Logf("%d acknowledged signals, all present after SIGKILL and restart", n)
}
