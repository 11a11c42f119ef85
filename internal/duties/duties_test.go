package duties_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var t0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) // 08:00 CST

func TestStateAtEdges(t *testing.T) {
	due := t0.Add(10 * time.Hour)
	soon := 2 * time.Hour
	for _, c := range []struct {
		name      string
		done, now time.Time
		want      duties.State
	}{
		{"long before", time.Time{}, due.Add(-3 * time.Hour), duties.Open},
		{"just before the soon window", time.Time{}, due.Add(-soon - time.Second), duties.Open},
		{"exactly at the soon window", time.Time{}, due.Add(-soon), duties.DueSoon},
		{"exactly due", time.Time{}, due, duties.DueSoon},
		{"a second late", time.Time{}, due.Add(time.Second), duties.Overdue},
		{"done exactly at due", due, due.Add(time.Hour), duties.Done},
		{"done a second late", due.Add(time.Second), due.Add(time.Hour), duties.DoneLate},
	} {
		if got := duties.StateAt(due, c.done, soon, c.now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestCompleteAdvances(t *testing.T) {
	d := duties.Duty{ID: "d", Every: duties.Every(12, duties.Hour), Soon: 2 * time.Hour, NextDue: t0.Add(time.Hour), Active: true}
	// Too early: before the due-soon window opens.
	if _, _, ok := duties.Complete(d, t0.Add(-time.Hour-time.Second), "x", ""); ok {
		t.Error("a completion before the window counted")
	}
	if _, _, ok := duties.Complete(d, t0.Add(-time.Hour), "x", ""); !ok {
		t.Error("a completion as the window opens did not count")
	}
	next, run, ok := duties.Complete(d, t0, "x", "r1")
	if !ok || run.State != duties.Done || !next.NextDue.Equal(t0.Add(13*time.Hour)) {
		t.Fatalf("on time: ok=%v run=%+v next=%v", ok, run, next.NextDue)
	}
	// Three days late: done late, and the next is the first slot after.
	late := t0.Add(3*24*time.Hour + 2*time.Hour)
	next, run, _ = duties.Complete(d, late, "x", "")
	if run.State != duties.DoneLate || !next.NextDue.After(late) || next.NextDue.Sub(late) > 12*time.Hour {
		t.Fatalf("late: run %+v next %v", run, next.NextDue)
	}
	// Monthly by the calendar.
	m := duties.Duty{Every: duties.Every(1, duties.Month), NextDue: time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), Active: true}
	next, _, _ = duties.Complete(m, m.NextDue, "x", "")
	if want := time.Date(2026, 2, 15, 10, 0, 0, 0, time.UTC); !next.NextDue.Equal(want) {
		t.Errorf("monthly next %v, want %v", next.NextDue, want)
	}
	// One-off: done once, then inactive.
	o := duties.Duty{NextDue: t0, Active: true}
	next, _, ok = duties.Complete(o, t0.Add(-time.Hour*24*400), "x", "")
	if !ok || next.Active {
		t.Errorf("one-off: ok=%v active=%v", ok, next.Active)
	}
	if _, _, ok := duties.Complete(next, t0, "x", ""); ok {
		t.Error("an inactive duty completed again")
	}
}

// The engine on both databases: due lists by the index, states computed,
// completion recorded once.
func TestStoreStates(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		mk := func(kind string, due time.Time) *duties.Duty {
			d, err := db.EnsureDuty(ctx, duties.Duty{Area: "fire", Kind: kind, Title: kind, Every: duties.Every(1, duties.Day), Soon: time.Hour, NextDue: due, Active: true})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		now := t0.Add(12 * time.Hour)
		over := mk("overdue", now.Add(-time.Hour))
		soon := mk("soon", now.Add(30*time.Minute))
		open := mk("open", now.Add(5*time.Hour))
		mk("tomorrow", now.Add(30*time.Hour))
		again, err := db.EnsureDuty(ctx, duties.Duty{Area: "fire", Kind: "overdue", NextDue: now, Every: duties.Every(1, duties.Day), Active: true})
		if err != nil || again.ID != over.ID || !again.NextDue.Equal(over.NextDue) {
			t.Fatalf("EnsureDuty twice: %v %+v", err, again)
		}
		due, err := db.DutiesDue(ctx, "fire", now.Add(10*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]duties.State{over.ID: duties.Overdue, soon.ID: duties.DueSoon, open.ID: duties.Open}
		if len(due) != 3 {
			t.Fatalf("due: %d duties, want 3", len(due))
		}
		for _, d := range due {
			if got := d.State(now); got != want[d.ID] {
				t.Errorf("%s: %s, want %s", d.Kind, got, want[d.ID])
			}
		}
		if other, _ := db.DutiesDue(ctx, "canteen", now.Add(10*time.Hour)); len(other) != 0 {
			t.Errorf("another area's duties listed: %d", len(other))
		}
		c := duties.Completer{Store: db}
		run, err := c.DoneByID(ctx, over.ID, now, "巡查员")
		if err != nil || run == nil || run.State != duties.DoneLate {
			t.Fatalf("overdue done: %v %+v", err, run)
		}
		run, err = c.Done(ctx, "fire", "soon", "", now, "巡查员", "rec-1")
		if err != nil || run == nil || run.State != duties.Done {
			t.Fatalf("soon done: %v %+v", err, run)
		}
		got, _ := db.DutyByID(ctx, over.ID)
		if got.State(now) != duties.Open || got.LastBy != "巡查员" || !got.NextDue.After(now) {
			t.Errorf("after completion: %+v", got)
		}
		// A stale completion (the duty moved on meanwhile) is a conflict.
		stale, _, _ := duties.Complete(*over, now, "x", "")
		if err := db.SaveRun(ctx, stale, over.NextDue, duties.Run{DutyID: over.ID, DueAt: over.NextDue, DoneAt: now, DoneBy: "x", State: duties.DoneLate}); !errs.Is(errs.Conflict, err) {
			t.Errorf("stale run: %v, want Conflict", err)
		}
		runs, err := db.DutyRuns(ctx, over.ID, t0)
		if err != nil || len(runs) != 1 {
			t.Errorf("runs: %v %d", err, len(runs))
		}
		if _, err := db.DutyByID(ctx, "nope"); !errs.Is(errs.NotFound, err) {
			t.Errorf("unknown duty: %v", err)
		}
	})
}
