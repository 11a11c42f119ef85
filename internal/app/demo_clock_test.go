package app

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/config"
)

// TestDemoSeedsAtAnyHour seeds the demo with the clock set to hours where
// a relative "an hour ago" or "this morning" crosses a day, a month or a
// year, and checks that it starts and that nothing it records happened
// after the clock. The demo is the first thing a newcomer runs; it once
// failed late in a morning. Each seeding takes a while, so it runs when
// HAVEN_DEMO_CLOCKS is set (.ci/run sets it).
func TestDemoSeedsAtAnyHour(t *testing.T) {
	if os.Getenv("HAVEN_DEMO_CLOCKS") == "" {
		t.Skip("seeds the demo at five clocks: run with HAVEN_DEMO_CLOCKS=1 (CI does: .ci/run)")
	}
	cst := time.FixedZone("CST", 8*3600)
	for _, at := range []time.Time{
		time.Date(2026, 1, 1, 0, 5, 0, 0, cst),     // a year's first minutes
		time.Date(2026, 3, 1, 0, 30, 0, 0, cst),    // a month's, after February
		time.Date(2026, 6, 15, 7, 55, 0, 0, cst),   // before the day shift
		time.Date(2026, 10, 8, 11, 50, 0, 0, cst),  // late in a morning
		time.Date(2025, 12, 31, 23, 55, 0, 0, cst), // a year's last minutes
	} {
		t.Run(at.Format("2006-01-02T15:04"), func(t *testing.T) {
			t.Parallel()
			seedAt(t, at)
		})
	}
}

func seedAt(t *testing.T, at time.Time) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errb syncBuf
	if err := Run(ctx, []string{"migrate", "--data", data}, envFrom(nil), &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	cfg := config.Default()
	cfg.DataDir = data
	start := time.Now()
	clock := func() time.Time { return at.Add(time.Since(start)).UTC() }
	e, err := openClock(ctx, cfg, &syncBuf{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, _, err := seedDemo(ctx, e, "demo password 1", ""); err != nil {
		t.Fatalf("the demo does not start at %s: %v", at, err)
	}
	// Nothing recorded after the clock: every column saying when
	// something was made, changed, received, started or ended. The audit
	// log, the event log and the file store stamp what they write with
	// the machine's own clock, not the services' (they record when the
	// system did it), so they are left out.
	now := clock()
	db, err := sql.Open("sqlite", "file:"+data+"/haven.db?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT IN ('audit_log', 'events', 'files') AND p.name IN ('created_at', 'updated_at', 'received_at', 'started_at', 'ended_at', 'recorded_at', 'at')`)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var tb, col string
		if err := rows.Scan(&tb, &col); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, [2]string{tb, col})
	}
	rows.Close()
	if len(cols) < 20 {
		t.Fatalf("only %d time columns found: %v", len(cols), cols)
	}
	for _, c := range cols {
		var latest sql.NullString
		if err := db.QueryRowContext(ctx, `SELECT MAX(`+c[1]+`) FROM `+c[0]).Scan(&latest); err != nil {
			t.Fatal(c, err)
		}
		if !latest.Valid || latest.String == "" {
			continue
		}
		v := latest.String
		var when time.Time
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"} {
			if w, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
				when = w
				break
			}
		}
		if when.IsZero() {
			t.Errorf("%s.%s: cannot read %q as a time", c[0], c[1], v)
			continue
		}
		if when.After(now) {
			t.Errorf("%s.%s: the demo recorded %s, after its clock %s", c[0], c[1], when.In(at.Location()).Format(time.DateTime), now.In(at.Location()).Format(time.DateTime))
		}
	}
}
