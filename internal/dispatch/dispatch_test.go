package dispatch_test

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/intake"
)

func TestNearestMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	x := dispatch.NewIndex()
	var teams []*dispatch.Team
	for i := range 1000 {
		st := dispatch.StatusAvailable
		if i%4 == 0 {
			st = dispatch.StatusBusy
		}
		tm := &dispatch.Team{ID: string(rune('A'+i%26)) + time.Duration(i).String(), Status: st, Lat: 35.1 + r.Float64()*0.4, Lng: 113.6 + r.Float64()*0.5}
		teams = append(teams, tm)
		x.Put(tm)
	}
	if x.Len() != 750 {
		t.Fatalf("indexed %d teams, want the 750 available", x.Len())
	}
	for range 200 {
		p := intake.Point{Lat: 35.0 + r.Float64()*0.6, Lng: 113.5 + r.Float64()*0.7}
		got := x.Nearest(p, 3, 30)
		best := []float64{1e18, 1e18, 1e18}
		for _, tm := range teams {
			if tm.Status != dispatch.StatusAvailable {
				continue
			}
			d := intake.Distance(p, intake.Point{Lat: tm.Lat, Lng: tm.Lng})
			for i := range best {
				if d < best[i] {
					copy(best[i+1:], best[i:len(best)-1])
					best[i] = d
					break
				}
			}
		}
		for i := range best {
			if got[i].DistanceM != best[i] {
				t.Fatalf("at %v: candidate %d at %.1f m, brute force %.1f m", p, i, got[i].DistanceM, best[i])
			}
		}
	}
	// A team that goes busy or off duty leaves the index; back available, it returns.
	tm := teams[1]
	tm.Status = dispatch.StatusOffDuty
	x.Put(tm)
	if got := x.Nearest(intake.Point{Lat: tm.Lat, Lng: tm.Lng}, 1, 30); got[0].TeamID == tm.ID {
		t.Fatal("off-duty team suggested")
	}
	tm.Status = dispatch.StatusAvailable
	x.Put(tm)
	if got := x.Nearest(intake.Point{Lat: tm.Lat, Lng: tm.Lng}, 1, 30); got[0].TeamID != tm.ID || got[0].DistanceM != 0 {
		t.Fatalf("team back on duty not suggested at its own place: %+v", got)
	}
}

func TestETA(t *testing.T) {
	// 10 km straight line → 14 km by road at 28 km/h = 30 minutes.
	if got := dispatch.ETA(10_000, 28); got != 30*time.Minute {
		t.Fatalf("ETA = %v", got)
	}
}

func TestNightClassificationEdges(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	w := dispatch.DefaultNight
	cases := []struct {
		at    string
		night bool
	}{
		{"19:59:59", false}, {"20:00:00", true}, {"23:59:59", true}, {"00:00:00", true}, {"05:59:59", true}, {"06:00:00", false}, {"12:00:00", false},
	}
	for _, c := range cases {
		tm, _ := time.ParseInLocation("2006-01-02 15:04:05", "2026-11-28 "+c.at, cst)
		if got := w.IsNight(tm.UTC()); got != c.night {
			t.Errorf("patrol starting %s: night=%v, want %v", c.at, got, c.night)
		}
	}
	custom, err := dispatch.ParseNightWindow("22:30-05:00", cst)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("15:04", s, cst)
		return v.AddDate(2026, 10, 27)
	}
	if custom.IsNight(at("22:29")) || !custom.IsNight(at("22:30")) || custom.IsNight(at("05:00")) {
		t.Error("custom window edges wrong")
	}
	for _, bad := range []string{"", "20:00", "25:00-06:00", "20:00-20:00", "8pm-6am", "20:0-06:00"} {
		if _, err := dispatch.ParseNightWindow(bad, cst); err == nil {
			t.Errorf("night window %q accepted", bad)
		}
	}
	// Tonight: at 23:00 and at 02:00 the same night; by day, the night before.
	n1s, n1e := w.Tonight(time.Date(2026, 11, 28, 23, 0, 0, 0, cst))
	n2s, n2e := w.Tonight(time.Date(2026, 11, 29, 2, 0, 0, 0, cst))
	if !n1s.Equal(n2s) || !n1e.Equal(n2e) || !n1s.Equal(time.Date(2026, 11, 28, 20, 0, 0, 0, cst)) || !n1e.Equal(time.Date(2026, 11, 29, 6, 0, 0, 0, cst)) {
		t.Fatalf("tonight: %v–%v and %v–%v", n1s, n1e, n2s, n2e)
	}
	ds, _ := w.Tonight(time.Date(2026, 11, 29, 15, 0, 0, 0, cst))
	if !ds.Equal(n1s) {
		t.Fatalf("by day, tonight is %v, want the night before (%v)", ds, n1s)
	}
}

func TestSLATimers(t *testing.T) {
	due := time.Date(2026, 11, 28, 22, 0, 0, 0, time.UTC)
	cases := []struct {
		state string
		now   time.Time
		want  dispatch.SLA
	}{
		{"accepted", due.Add(-11 * time.Minute), dispatch.SLAOk},
		{"accepted", due.Add(-10 * time.Minute), dispatch.SLAAmber},
		{"dispatched", due, dispatch.SLAAmber},
		{"dispatched", due.Add(time.Second), dispatch.SLARed},
		{"in_progress", due.Add(time.Hour), dispatch.SLANone},
		{"closed", due.Add(time.Hour), dispatch.SLANone},
	}
	for _, c := range cases {
		if got := dispatch.SLAOf(c.state, due, c.now); got != c.want {
			t.Errorf("%s at due%+v: %q, want %q", c.state, c.now.Sub(due), got, c.want)
		}
	}
}

func TestTrackValidation(t *testing.T) {
	now := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	ms := func(d time.Duration) int64 { return now.Add(d).UnixMilli() }
	ok := `[{"lat":35.30,"lng":113.90,"t":` + itoa(ms(-10*time.Minute)) + `},{"lat":35.301,"lng":113.901,"t":` + itoa(ms(-9*time.Minute)) + `}]`
	pts, err := dispatch.ParseTrack([]byte(ok), now)
	if err != nil || len(pts) != 2 {
		t.Fatalf("good track refused: %v", err)
	}
	if l := dispatch.TrackLength(pts); l < 100 || l > 200 {
		t.Fatalf("length %.0f m", l)
	}
	cases := map[string]string{
		"not json":     `{"lat":1}`,
		"out of order": `[{"lat":35.30,"lng":113.90,"t":` + itoa(ms(-5*time.Minute)) + `},{"lat":35.301,"lng":113.901,"t":` + itoa(ms(-6*time.Minute)) + `}]`,
		"jump":         `[{"lat":35.30,"lng":113.90,"t":` + itoa(ms(-5*time.Minute)) + `},{"lat":35.60,"lng":113.90,"t":` + itoa(ms(-4*time.Minute)) + `}]`,
		"future":       `[{"lat":35.30,"lng":113.90,"t":` + itoa(ms(time.Hour)) + `}]`,
		"range":        `[{"lat":135.30,"lng":113.90,"t":` + itoa(ms(-time.Minute)) + `}]`,
	}
	want := map[string]string{"not json": "err.track_format", "out of order": "err.track_order", "jump": "err.track_jump", "future": "err.track_time", "range": "err.track_coordinates"}
	for name, body := range cases {
		_, err := dispatch.ParseTrack([]byte(body), now)
		te, ok := err.(*dispatch.TrackError)
		if !ok || te.Key != want[name] {
			t.Errorf("%s: %v, want %s", name, err, want[name])
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func FuzzParseTrack(f *testing.F) {
	f.Add([]byte(`[{"lat":35.3,"lng":113.9,"t":1764300000000}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"lat":"x"}]`))
	f.Add([]byte{0xff, 0xfe})
	now := time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		pts, err := dispatch.ParseTrack(b, now)
		if err == nil {
			if dispatch.ValidateTrack(pts, now) != nil {
				t.Fatal("accepted track fails validation")
			}
			for i := 1; i < len(pts); i++ {
				if pts[i].At <= pts[i-1].At {
					t.Fatal("accepted out of order")
				}
			}
		}
	})
}

func FuzzParseSync(f *testing.F) {
	f.Add([]byte(`{"ops":[{"op":"encounter","id":"0193a0c4-0000-7000-8000-000000000001","data":{"outcome":"outreach"}}]}`))
	f.Add([]byte(`{"ops":[{"op":"nope"}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sb, err := dispatch.ParseSync(b)
		if err == nil && len(sb.Ops) > dispatch.MaxSyncOps {
			t.Fatal("oversized batch accepted")
		}
	})
}
