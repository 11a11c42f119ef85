package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The event log partitioned by month on PostgreSQL (docs/scale.md): the
// log converts with its events and ids, the store's writes and reads work
// unchanged on it, a read of recent events touches only recent months,
// and retention drops whole months.
func TestEventsPartitionedByMonth(t *testing.T) {
	dsn, _ := storetest.PostgresSchema(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: dsn, MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	// Half a year of history, then today's writes through the store.
	for m := 6; m >= 1; m-- {
		at := month.AddDate(0, -m, 0).Add(36 * time.Hour)
		for i := 0; i < 50; i++ {
			if _, err := raw.ExecContext(ctx, `INSERT INTO events (at, topic, record_id) VALUES ($1, 'incident', $2)`, at, id.New()); err != nil {
				t.Fatal(err)
			}
		}
	}
	team := func(name string) {
		tm := &dispatch.Team{ID: id.New(), Name: name, Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Version: 1, UpdatedAt: now}
		if err := db.CreateTeam(ctx, tm, audit.Entry{ActorName: "test", Action: "team.create", RecordType: "team", RecordID: tm.ID}); err != nil {
			t.Fatal(err)
		}
	}
	team("巡查一队")
	before, err := db.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	last, _ := db.LastEventID(ctx)

	made, err := db.PartitionEvents(ctx, now, 2)
	if err != nil {
		t.Fatal(err)
	}
	if made < 9 { // six months back, this month, two ahead
		t.Fatalf("%d partitions made", made)
	}
	var kind string
	if err := raw.QueryRowContext(ctx, `SELECT relkind FROM pg_class WHERE oid = 'events'::regclass`).Scan(&kind); err != nil || kind != "p" {
		t.Fatalf("events is %q, not partitioned (%v)", kind, err)
	}
	after, err := db.EventsAfter(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the log changed in conversion: %d events, was %d", len(after), len(before))
	}
	// Writes and reads go on, ids after the old ones.
	team("巡查二队")
	fresh, err := db.EventsAfter(ctx, last, 10)
	if err != nil || len(fresh) != 1 || fresh[0].ID <= last {
		t.Fatalf("events after %d: %+v %v", last, fresh, err)
	}
	if again, err := db.PartitionEvents(ctx, now, 2); err != nil || again != 0 {
		t.Fatalf("second run made %d (%v)", again, err)
	}
	// A read of the last hour touches this month's partition only.
	var plan strings.Builder
	rows, err := raw.QueryContext(ctx, `EXPLAIN SELECT id FROM events WHERE at >= $1 AND id > $2 ORDER BY id LIMIT 100`, now.Add(-time.Hour), last)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		_ = rows.Scan(&line)
		plan.WriteString(line + "\n")
	}
	rows.Close()
	old := "events_" + month.AddDate(0, -3, 0).Format("2006_01")
	if strings.Contains(plan.String(), old) || !strings.Contains(plan.String(), "events_"+now.Format("2006_01")) {
		t.Fatalf("the plan of a recent read is not pruned to this month:\n%s", plan.String())
	}
	// Retention drops whole months: the three oldest of six.
	dropped, err := db.DropEventMonthsBefore(ctx, month.AddDate(0, -3, 0))
	if err != nil || dropped != 3 {
		t.Fatalf("dropped %d months (%v)", dropped, err)
	}
	rest, err := db.EventsAfter(ctx, 0, 1000)
	if err != nil || len(rest) != len(before)+1-150 {
		t.Fatalf("%d events after the drop, want %d (%v)", len(rest), len(before)+1-150, err)
	}
	if n, err := db.PruneEvents(ctx, month.AddDate(0, -3, 15)); err != nil || n == 0 {
		t.Fatalf("row pruning on the partitioned log: %d %v", n, err)
	}
}

// The audit log partitioned by month on PostgreSQL: its entries survive
// the conversion, appends and reads go on, it stays append-only (UPDATE,
// DELETE and TRUNCATE refused on the log and on a month), a read of a
// recent day is planned on this month only, and the server's daily call
// adds the months ahead once.
func TestAuditLogPartitionedByMonth(t *testing.T) {
	dsn, _ := storetest.PostgresSchema(t)
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: dsn, MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if n, err := db.EnsureMonthsAhead(ctx, time.Now(), 2); err != nil || n != 0 {
		t.Fatalf("months ahead of plain tables: %d %v", n, err)
	}
	now := time.Now().UTC()
	month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	for m := 4; m >= 0; m-- {
		for i := 0; i < 20; i++ {
			e := audit.Entry{ID: id.New(), At: month.AddDate(0, -m, 0).Add(time.Duration(i) * time.Hour),
				ActorName: "zhaomin", Action: "person.view", RecordType: "person", RecordID: fmt.Sprint("p", m, "-", i)}
			if err := db.AppendAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
	}
	before, err := db.ListAudit(ctx, audit.Filter{Limit: 1000})
	if err != nil || len(before) != 100 {
		t.Fatalf("%d entries before (%v)", len(before), err)
	}
	made, err := db.PartitionByMonth(ctx, "audit_log", now, 2)
	if err != nil {
		t.Fatal(err)
	}
	if made != 7 { // four months back, this month, two ahead
		t.Fatalf("%d partitions made, want 7", made)
	}
	var kind string
	if err := raw.QueryRowContext(ctx, `SELECT relkind FROM pg_class WHERE oid = 'audit_log'::regclass`).Scan(&kind); err != nil || kind != "p" {
		t.Fatalf("audit_log is %q, not partitioned (%v)", kind, err)
	}
	after, err := db.ListAudit(ctx, audit.Filter{Limit: 1000})
	if err != nil || fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the log changed in conversion: %d entries, was %d (%v)", len(after), len(before), err)
	}
	fresh := audit.Entry{ID: id.New(), At: now, ActorName: "zhaomin", Action: "person.view", RecordType: "person", RecordID: "new"}
	if err := db.AppendAudit(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListAudit(ctx, audit.Filter{RecordType: "person", RecordID: "new"})
	if err != nil || len(got) != 1 || got[0].ID != fresh.ID {
		t.Fatalf("read after the conversion: %+v %v", got, err)
	}
	// Still append-only, on the log and on one month of it.
	thisMonth := "audit_log_" + now.Format("2006_01")
	for _, q := range []string{
		`UPDATE audit_log SET detail = 'x'`,
		`DELETE FROM audit_log`,
		`TRUNCATE audit_log`,
		`UPDATE ` + thisMonth + ` SET detail = 'x'`,
		`DELETE FROM ` + thisMonth,
		`TRUNCATE ` + thisMonth,
	} {
		if _, err := raw.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", q, err)
		}
	}
	// A row with no month (far in the past) lands in the default partition.
	old := audit.Entry{ID: id.New(), At: time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC), ActorName: "x", Action: "person.view"}
	if err := db.AppendAudit(ctx, old); err != nil {
		t.Fatalf("an entry outside every month: %v", err)
	}
	// A recent day is read from this month only.
	var plan strings.Builder
	rows, err := raw.QueryContext(ctx, `EXPLAIN SELECT id FROM audit_log WHERE at >= $1 ORDER BY id DESC LIMIT 100`, now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var line string
		_ = rows.Scan(&line)
		plan.WriteString(line + "\n")
	}
	rows.Close()
	if strings.Contains(plan.String(), "audit_log_"+month.AddDate(0, -3, 0).Format("2006_01")) || !strings.Contains(plan.String(), thisMonth) {
		t.Fatalf("the plan of a recent read is not pruned:\n%s", plan.String())
	}
	// The daily call adds the month after the last one, once.
	if n, err := db.EnsureMonthsAhead(ctx, now.AddDate(0, 1, 0), 2); err != nil || n != 1 {
		t.Fatalf("months ahead a month later: %d %v, want 1", n, err)
	}
	if n, err := db.EnsureMonthsAhead(ctx, now.AddDate(0, 1, 0), 2); err != nil || n != 0 {
		t.Fatalf("months ahead again: %d %v, want 0", n, err)
	}
	var trig int
	next := "audit_log_" + month.AddDate(0, 3, 0).Format("2006_01")
	if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2`, next, next+"_no_truncate").Scan(&trig); err != nil || trig != 1 {
		t.Fatalf("the new month %s has %d truncate triggers (%v)", next, trig, err)
	}
	if _, err := db.PartitionByMonth(ctx, "persons", now, 2); err == nil {
		t.Fatal("persons partitioned by month")
	}
}
