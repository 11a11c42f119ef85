package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// statStay admits p (stored with its first stay) arriving at arrived and,
// unless exited is zero, leaving at exited.
func statStay(t *testing.T, db *store.DB, p *cases.Person, ref string, arrived, exited time.Time) *cases.Stay {
	t.Helper()
	st := &cases.Stay{ID: id.New(), Ref: ref, PersonID: p.ID, State: cases.StayOpen, ArrivedAt: arrived, EnteredAt: arrived, EnteredBy: "test",
		Source: "walk_in", Unidentified: !p.Identified, Version: 1, UpdatedAt: arrived}
	if !exited.IsZero() {
		st.State, st.ExitKind, st.ExitedAt = cases.StayClosed, cases.ExitSelf, exited
	}
	if err := db.Admit(context.Background(), p, nil, st, nil, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	return st
}

func statPerson(n int) *cases.Person {
	return &cases.Person{ID: id.New(), Ref: fmt.Sprintf("RY-S%04d", n), Sex: cases.Male, Mental: cases.MentalUnknown, CreatedAt: t0}
}

// TestStatStayHistory: the look-back reads the period's people only, and
// of theirs the stays that arrived or left within it.
func TestStatStayHistory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		since := time.Date(2026, 1, 1, 0, 0, 0, 0, stats.CST)
		until := since.AddDate(0, 1, 0)
		day := 24 * time.Hour
		a, b, c := statPerson(1), statPerson(2), statPerson(3)
		inPeriod := statStay(t, db, a, "JZ-A1", since.Add(day), time.Time{})
		longAgo := statStay(t, db, a, "JZ-A2", since.Add(-800*day), since.Add(-760*day))    // left before the look-back
		leftWithin := statStay(t, db, a, "JZ-A3", since.Add(-760*day), since.Add(-700*day)) // arrived before, left within
		recent := statStay(t, db, a, "JZ-A4", since.Add(-100*day), since.Add(-90*day))
		statStay(t, db, b, "JZ-B1", since.Add(-50*day), since.Add(-40*day)) // not helped in the period
		merged := statStay(t, db, c, "JZ-C1", since.Add(-30*day), since.Add(-20*day))
		if err := db.MergePeople(ctx, &cases.Merge{ID: id.New(), SurvivorID: a.ID, MergedID: c.ID, ActorName: "t", At: since}, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		statStay(t, db, statPerson(4), "JZ-D1", until, time.Time{}) // the first instant after the period
		hist, err := db.StatStayHistory(ctx, since, until, stats.ReturnLookback)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range hist {
			got = append(got, f.StayID)
			if f.PersonID != a.ID {
				t.Errorf("stay %s counted for %s, not the identity", f.StayID, f.PersonID)
			}
		}
		for _, want := range []*cases.Stay{inPeriod, leftWithin, recent, merged} {
			if !slices.Contains(got, want.ID) {
				t.Errorf("%s missing", want.Ref)
			}
		}
		if slices.Contains(got, longAgo.ID) || len(got) != 4 {
			t.Errorf("%d stays read: %v", len(got), got)
		}
	})
}

// TestIdentifiedAtStamped: the database stamps when a person is first
// identified, whichever path identifies them, and keeps it.
func TestIdentifiedAtStamped(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		p := statPerson(1)
		arrived := time.Date(2026, 3, 1, 9, 0, 0, 0, stats.CST).UTC()
		statStay(t, db, p, "JZ-I1", arrived, time.Time{})
		read := func() time.Time {
			fs, err := db.StatStaysArrived(ctx, arrived, arrived.Add(time.Hour))
			if err != nil || len(fs) != 1 {
				t.Fatalf("%v %v", fs, err)
			}
			return fs[0].IdentifiedAt
		}
		if !read().IsZero() {
			t.Fatal("stamped before identification")
		}
		p.Name, p.UpdatedAt = "李四", arrived.Add(2*time.Hour)
		if err := db.UpdatePerson(ctx, p, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		p.Version++
		if !read().IsZero() {
			t.Fatal("stamped by an edit that does not identify")
		}
		p.Identified, p.UpdatedAt = true, arrived.Add(30*time.Hour)
		if err := db.UpdatePerson(ctx, p, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		p.Version++
		if got := read(); !got.Equal(arrived.Add(30 * time.Hour)) {
			t.Fatalf("identified at %v", got)
		}
		p.Marks, p.UpdatedAt = "左臂疤痕", arrived.Add(50*time.Hour)
		if err := db.UpdatePerson(ctx, p, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		if got := read(); !got.Equal(arrived.Add(30 * time.Hour)) {
			t.Fatalf("restamped at %v", got)
		}
	})
}

// TestStatQueriesUseIndexes: the monthly report and outcome measures reach
// stays and persons through indexes, so that they cost with the period.
func TestStatQueriesUseIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		since := time.Date(2026, 1, 1, 0, 0, 0, 0, stats.CST)
		for i := 0; i < 20; i++ {
			statStay(t, db, statPerson(i), fmt.Sprintf("JZ-X%02d", i), since.AddDate(0, 0, i*20-200), since.AddDate(0, 0, i*20-190))
		}
		var stmts []store.Statement
		rctx := store.RecordStatements(ctx, func(s store.Statement) { stmts = append(stmts, s) })
		until := since.AddDate(0, 1, 0)
		if _, err := db.StatStaysArrived(rctx, since, until); err != nil {
			t.Fatal(err)
		}
		if _, err := db.StatStaysExited(rctx, since, until); err != nil {
			t.Fatal(err)
		}
		if _, err := db.StatStayHistory(rctx, since, until, stats.ReturnLookback); err != nil {
			t.Fatal(err)
		}
		if len(stmts) != 3 {
			t.Fatalf("%d statements recorded", len(stmts))
		}
		for _, st := range stmts {
			plan, err := store.ExplainForTest(ctx, db, st)
			if err != nil {
				t.Fatalf("explain %s: %v", st.Query, err)
			}
			if strings.Contains(st.Query, "s.exited_at >= ? AND") && !strings.Contains(strings.Join(plan, " "), "stays_exited") {
				t.Errorf("the exits of a period are not read by their time:\n%s", strings.Join(plan, "\n"))
			}
			for _, line := range plan {
				var table string
				if m := sqliteScan.FindStringSubmatch(line); db.Dialect() == "sqlite" && m != nil {
					table = m[1]
				} else if m := pgSeqScan.FindStringSubmatch(line); db.Dialect() == "postgres" && m != nil {
					table = m[1]
				}
				if largeTables[table] {
					t.Errorf("scans %s whole:\n%s\n%s", table, oneLineSQL(st.Query), strings.Join(plan, "\n"))
				}
			}
		}
	})
}

// TestMonthlyMigrationRedo: migration 00029 rolls back and applies again
// (an installation upgrading across it), keeping the identification stamp.
func TestMonthlyMigrationRedo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := store.RedoMigrationForTest(ctx, db, 29); err != nil {
			t.Fatal(err)
		}
		p := statPerson(1)
		arrived := time.Date(2026, 3, 1, 9, 0, 0, 0, stats.CST).UTC()
		statStay(t, db, p, "JZ-R1", arrived, time.Time{})
		p.Identified, p.UpdatedAt = true, arrived.Add(time.Hour)
		if err := db.UpdatePerson(ctx, p, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		fs, err := db.StatStaysArrived(ctx, arrived, arrived.Add(time.Minute))
		if err != nil || len(fs) != 1 || !fs[0].IdentifiedAt.Equal(arrived.Add(time.Hour)) {
			t.Fatalf("%+v %v", fs, err)
		}
	})
}
