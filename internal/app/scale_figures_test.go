package app

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
)

// The scale figures of BENCHMARKS.md, measured on data folders that
// 'haven scale' filled (scripts/bench-scale.sh). They print figures and
// assert nothing about time; without HAVEN_SCALE_DATA they are skipped.
//
//	HAVEN_SCALE_DATA="/tmp/s3 /tmp/s5" go test -run TestScaleAdmission -v ./internal/app/
//	HAVEN_SCALE_DATA=/tmp/s5 HAVEN_DEMO_PASSWORD=… go test -run TestScaleStationMemory -v ./internal/app/

// TestScaleAdmission measures, in each folder: family search's start-up
// (index built, everything matched once), then three times an admission
// through the cases service as POST /people makes it (the name and age
// search for earlier records first, then the new record) and the time
// from the admission's start until family search proposes the person for
// the report filed for them just before.
func TestScaleAdmission(t *testing.T) {
	dirs := strings.Fields(os.Getenv("HAVEN_SCALE_DATA"))
	if len(dirs) == 0 {
		t.Skip("HAVEN_SCALE_DATA names no data folder filled by haven scale")
	}
	ctx := context.Background()
	staff := auth.Actor{Name: "staff", Role: auth.RoleStaff}
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for _, dir := range dirs {
		cfg := config.Default()
		cfg.DataDir = dir
		e, err := open(ctx, cfg, &syncBuf{})
		if err != nil {
			t.Fatal(err)
		}
		people, err := e.cases.Store.ListPeople(ctx, cases.PersonFilter{Limit: 10_000_000})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		if err := e.family.CatchUp(ctx); err != nil {
			t.Fatal(err)
		}
		startup := time.Since(t0)
		rctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			e.family.Run(rctx, e.db.Wake(), func(err error) { t.Log("family search:", err) })
		}()
		var admits, matches []time.Duration
		if f := os.Getenv("HAVEN_SCALE_CPUPROFILE"); f != "" { // of the admissions and matching, in the last folder
			w, err := os.Create(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := pprof.StartCPUProfile(w); err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			defer pprof.StopCPUProfile()
		}
		for run := range 3 {
			// A family reports 欧阳志强 missing; then the station admits him.
			birth := time.Date(1960+r.IntN(30), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, cases.CST)
			first17 := fmt.Sprintf("410702%s%03d", birth.Format("20060102"), 2*r.IntN(500)+1)
			idNumber := first17 + string(idcard.CheckChar(first17))
			rep, err := e.family.File(ctx, auth.Actor{IP: "local"}, family.ReportInput{Name: "欧阳志强", Sex: cases.Male, BirthDate: birth.Format("2006"),
				NativePlace: "河南省新乡市红旗区", LostOn: time.Now().AddDate(0, -2, 0).Format("2006-01-02"), LostPlace: "新乡火车站", ContactName: "家属",
				ContactRelation: "儿子", ContactPhone: fmt.Sprintf("139%08d", r.IntN(1e8)), IDNumber: idNumber[:10] + "********"})
			if err != nil {
				t.Fatal(err)
			}
			for pending := true; pending; time.Sleep(50 * time.Millisecond) {
				if pending, err = e.family.Store.MatchPending(ctx, "report", rep.ID); err != nil {
					t.Fatal(err)
				}
			}
			in := cases.AdmitInput{Source: "walk_in", Person: cases.PersonInput{Name: "欧阳志强", IDNumber: idNumber, Hukou: "河南省新乡市红旗区", Dialect: "河南话"},
				Form: cases.Form{Reason: "走失，家属寻找中", Security: "passed"}}
			start := time.Now()
			ad, err := e.cases.Admit(ctx, staff, in)
			if err == nil && ad.Stay == nil { // candidates shown: staff confirm a new record
				in.NewPerson = true
				ad, err = e.cases.Admit(ctx, staff, in)
			}
			if err != nil {
				t.Fatalf("admission %d: %v", run, err)
			}
			admitted := time.Since(start)
			for {
				cs, err := e.family.Store.Candidates(ctx, []string{family.Proposed}, ad.Person.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				if slices.ContainsFunc(cs, func(c *family.Candidate) bool { return c.ReportID == rep.ID }) {
					break
				}
				if time.Since(start) > 5*time.Minute {
					t.Fatalf("no proposal after %v", time.Since(start))
				}
				time.Sleep(10 * time.Millisecond)
			}
			admits, matches = append(admits, admitted), append(matches, time.Since(start))
			// Discharge him, so that the next run's admission is a new one.
			out := cases.ExitInput{Kind: cases.ExitFamily, At: time.Now(), Returns: map[string]cases.Return{}}
			out.Collector.Name, out.Collector.Relation, out.Collector.IDNumber, out.Collector.Checked = "欧阳明", "儿子", idNumber, true
			if _, err := e.cases.Exit(ctx, staff, ad.Stay.ID, out, ad.Stay.Version); err != nil {
				t.Logf("exit: %v", err)
			}
		}
		cancel()
		wg.Wait()
		e.Close()
		t.Logf("%s: %d people on file; family search start-up %v; admission %s; match appears after %s", dir, len(people), startup.Round(time.Millisecond),
			spread(admits), spread(matches))
	}
}

// spread is "min / median / max" of three or more durations.
func spread(d []time.Duration) string {
	s := slices.Clone(d)
	slices.Sort(s)
	return fmt.Sprintf("%v / %v / %v", s[0].Round(time.Millisecond), s[len(s)/2].Round(time.Millisecond), s[len(s)-1].Round(time.Millisecond))
}

// TestScaleStationMemory serves the folder, waits until family search has
// indexed everyone, then has 8 staff sessions load /station at once,
// again and again for 30 s, and reports the server's resident memory
// (the test process is the server).
func TestScaleStationMemory(t *testing.T) {
	dirs := strings.Fields(os.Getenv("HAVEN_SCALE_DATA"))
	password := os.Getenv("HAVEN_DEMO_PASSWORD")
	if len(dirs) != 1 || password == "" {
		t.Skip("HAVEN_SCALE_DATA names no one data folder filled by haven scale, or HAVEN_DEMO_PASSWORD is not set")
	}
	// A report filed before the server starts is matched once its family
	// search has built the index: the sign that everyone is indexed.
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = dirs[0]
	e, err := open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	probe, err := e.family.File(ctx, auth.Actor{IP: "local"}, family.ReportInput{Name: "欧阳秀英", Sex: cases.Female, BirthDate: "1950",
		LostOn: time.Now().AddDate(0, -1, 0).Format("2006-01-02"), LostPlace: "新乡东站", ContactName: "家属", ContactPhone: "13900000000"})
	e.Close()
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	srv := start(t, map[string]string{}, "serve", "--data", dirs[0])
	jar := newJarClient()
	csrf := jar.csrf(t, srv.URL+"/login")
	res, err := jar.c.PostForm(srv.URL+"/login", map[string][]string{"username": {"staff"}, "password": {password}, "csrf_token": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	db, err := store.Open(ctx, store.Options{Dir: dirs[0]})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for pending := true; pending; time.Sleep(500 * time.Millisecond) {
		if pending, err = db.MatchPending(ctx, "report", probe.ID); err != nil {
			t.Fatal(err)
		}
		if time.Since(t0) > 20*time.Minute {
			t.Fatal("family search did not finish its start-up in 20 minutes")
		}
	}
	ready := time.Since(t0)
	runtime.GC()
	rssIdle, goIdle, liveIdle := rss(t, "VmRSS"), goMemory(), liveHeap()
	heap := func(name string) {
		if dir := os.Getenv("HAVEN_SCALE_HEAPPROFILE"); dir != "" {
			w, err := os.Create(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if err := pprof.Lookup("heap").WriteTo(w, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	heap("ready.heap")
	defer heap("views.heap")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var views []time.Duration
	stop := time.Now().Add(30 * time.Second)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stop) {
				s := time.Now()
				res, err := jar.c.Get(srv.URL + "/station")
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					t.Errorf("/station: %s", res.Status)
					return
				}
				mu.Lock()
				views = append(views, time.Since(s))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(views)
	rssViews, goViews := rss(t, "VmRSS"), goMemory()
	t.Logf("%s: ready (index built) after %v; RSS idle %d MiB, after 30 s of 8 concurrent /station views %d MiB, peak (VmHWM) %d MiB; %d views, median %v, p95 %v",
		dirs[0], ready.Round(time.Second), rssIdle>>10, rssViews>>10, rss(t, "VmHWM")>>10, len(views),
		views[len(views)/2].Round(time.Millisecond), views[len(views)*95/100].Round(time.Millisecond))
	// What the Go runtime holds (its memory limit's measure) and the rest
	// of the resident memory (the binary, the SQLite driver's caches),
	// for projecting to other sizes (BENCHMARKS.md).
	t.Logf("live heap when ready %d MiB; held by the Go runtime idle %d MiB, after the views %d MiB; resident outside it idle %d MiB, after the views %d MiB",
		liveIdle>>20, goIdle>>20, goViews>>20, rssIdle>>10-goIdle>>20, rssViews>>10-goViews>>20)
}

// goMemory is what the Go runtime holds: all it mapped less what it gave
// back (what GOMEMLIMIT limits).
func goMemory() int {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64() - s[1].Value.Uint64())
}

// liveHeap is the heap the last collection found live.
func liveHeap() int {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}

// rss reads a memory figure of this process in KiB.
func rss(t *testing.T, field string) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			var n int
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, field+":")), "%d", &n)
			return n
		}
	}
	return 0
}
