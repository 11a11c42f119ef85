package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// A reader that follows the log by "id > last seen" must never skip an
// event: while many transactions append concurrently, an id it has passed
// must not commit later. On PostgreSQL this needs the ordering lock.
func TestEventLogCommitOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const teams, moves = 6, 25
		ids := make([]string, teams)
		for i := range ids {
			tm := &dispatch.Team{ID: id.New(), Name: fmt.Sprintf("巡查%d队", i), Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Version: 1, UpdatedAt: t0}
			if err := db.CreateTeam(ctx, tm, audit.Entry{ActorName: "test", Action: "team.create", RecordType: "team", RecordID: tm.ID}); err != nil {
				t.Fatal(err)
			}
			ids[i] = tm.ID
		}
		start, err := db.LastEventID(ctx)
		if err != nil || start < teams {
			t.Fatalf("LastEventID after creating teams = %d, %v", start, err)
		}

		var seen []events.Event
		stop := make(chan struct{})
		readerDone := make(chan error, 1)
		go func() {
			last := start
			for {
				select {
				case <-stop:
					// One final read after every writer committed.
					evs, err := db.EventsAfter(ctx, last, 10_000)
					seen = append(seen, evs...)
					readerDone <- err
					return
				default:
				}
				evs, err := db.EventsAfter(ctx, last, 100)
				if err != nil {
					readerDone <- err
					return
				}
				for _, e := range evs {
					if e.ID <= last {
						readerDone <- fmt.Errorf("event %d after %d", e.ID, last)
						return
					}
					last = e.ID
				}
				seen = append(seen, evs...)
			}
		}()
		var wg sync.WaitGroup
		for i, teamID := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for m := range moves {
					at := t0.Add(time.Duration(m+1) * time.Second)
					if err := db.MoveTeam(ctx, teamID, 35.3+float64(i)/100, 113.9+float64(m)/1000, at); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		if err := <-readerDone; err != nil {
			t.Fatal(err)
		}
		all, err := db.EventsAfter(ctx, start, 10_000)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != teams*moves {
			t.Fatalf("log holds %d events after the start, want %d", len(all), teams*moves)
		}
		if len(seen) != len(all) {
			t.Fatalf("the following reader saw %d of %d events: an id it had passed committed later", len(seen), len(all))
		}
		for _, e := range seen {
			if e.Topic != events.TopicTeam {
				t.Fatalf("topic %q", e.Topic)
			}
		}
	})
}

// The wake channel fires after a commit that appended events; leases are
// held by one holder at a time and pass on when they run out.
func TestEventWakeAndLeases(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		select { // drain a wake from migrations or setup
		case <-db.EventWake():
		default:
		}
		tm := &dispatch.Team{ID: id.New(), Name: "夜巡队", Kind: dispatch.KindPolice, Status: dispatch.StatusAvailable, Version: 1, UpdatedAt: t0}
		if err := db.CreateTeam(ctx, tm, audit.Entry{ActorName: "test", Action: "team.create", RecordType: "team", RecordID: tm.ID}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-db.EventWake():
		case <-time.After(5 * time.Second):
			t.Fatal("no wake after a commit with an event")
		}

		ok, err := db.TryLease(ctx, "prune", "node-a", time.Hour)
		if err != nil || !ok {
			t.Fatalf("first lease: %v %v", ok, err)
		}
		if ok, _ := db.TryLease(ctx, "prune", "node-b", time.Hour); ok {
			t.Fatal("node b took a lease node a holds")
		}
		if ok, _ := db.TryLease(ctx, "prune", "node-a", time.Hour); !ok {
			t.Fatal("node a could not renew its lease")
		}
		// A lease that ran out passes to whoever asks next.
		if ok, _ := db.TryLease(ctx, "other", "node-a", -time.Second); !ok {
			t.Fatal("lease other")
		}
		if ok, _ := db.TryLease(ctx, "other", "node-b", time.Hour); !ok {
			t.Fatal("node b could not take an expired lease")
		}

		n, err := db.PruneEvents(ctx, t0.Add(time.Minute))
		if err != nil || n < 1 {
			t.Fatalf("PruneEvents = %d, %v", n, err)
		}
		if evs, _ := db.EventsAfter(ctx, 0, 10); len(evs) != 0 {
			t.Fatalf("%d events left after pruning", len(evs))
		}
	})
}
