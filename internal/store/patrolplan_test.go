package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func TestForecastSaveAndReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.Forecast(ctx, "2026-12-02"); !errs.Is(errs.NotFound, err) {
			t.Fatalf("no forecast yet: %v", err)
		}
		now := time.Now().UTC().Truncate(time.Millisecond)
		f := &patrolplan.Forecast{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange",
			Source: patrolplan.SourcePartner, EnteredBy: "市气象台", UpdatedAt: now}
		e := audit.Entry{ID: id.New(), At: now, ActorName: "市气象台", Action: "weather.forecast", RecordType: "forecast", RecordID: f.Night}
		if err := db.SaveForecast(ctx, f, e); err != nil {
			t.Fatal(err)
		}
		got, err := db.Forecast(ctx, "2026-12-02")
		if err != nil || *got != *f {
			t.Fatalf("Forecast = %+v, %v; want %+v", got, err, f)
		}
		// A later forecast of the same night replaces it.
		g := &patrolplan.Forecast{Night: "2026-12-02", MinC: 2, MaxC: 9, Source: patrolplan.SourceStaff, EnteredBy: "调度员", UpdatedAt: now.Add(time.Hour)}
		e.ID = id.New()
		if err := db.SaveForecast(ctx, g, e); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Forecast(ctx, "2026-12-02"); err != nil || *got != *g {
			t.Fatalf("replaced Forecast = %+v, %v; want %+v", got, err, g)
		}
		if list, _ := db.ListAudit(ctx, audit.Filter{Action: "weather.forecast"}); len(list) != 2 {
			t.Errorf("%d audit rows, want 2", len(list))
		}
	})
}

// The plan's reads: the window's encounters, and one latest visit per
// active hotspot; both through an index, whatever the history.
func TestPlanReads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		hotspot := func(name string, active bool) *dispatch.Hotspot {
			h := &dispatch.Hotspot{ID: id.New(), Name: name, Kind: "square", Lat: 35.3, Lng: 113.9, Active: active, CreatedAt: now}
			if err := db.CreateHotspot(ctx, h, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		seen, never, closed := hotspot("常去", true), hotspot("从未", true), hotspot("停用", false)
		patrol := func(visits map[string]time.Time) {
			p := &dispatch.Patrol{ID: id.New(), Kind: "planned", StartedAt: now, CreatedBy: "t", Version: 1, UpdatedAt: now, Visits: visits}
			if err := db.SavePatrol(ctx, p, 0, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		patrol(map[string]time.Time{seen.ID: now.Add(-72 * time.Hour), closed.ID: now.Add(-time.Hour)})
		patrol(map[string]time.Time{seen.ID: now.Add(-5 * time.Hour)})
		patrol(map[string]time.Time{seen.ID: now.Add(-30 * 24 * time.Hour)})
		encounter := func(at time.Time, o dispatch.Outcome, states ...string) {
			en := &dispatch.Encounter{ID: id.New(), At: at, Lat: 35.3, Lng: 113.9, States: states, Outcome: o, RecordedBy: "t", Version: 1, UpdatedAt: at}
			if err := db.SaveEncounter(ctx, en, 0, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		encounter(now.Add(-20*24*time.Hour), dispatch.OutcomeOutreach) // before the window
		encounter(now.Add(-48*time.Hour), dispatch.OutcomeRefused, "elderly", "ill")
		encounter(now.Add(-time.Hour), dispatch.OutcomeOutreach)

		var stmts []store.Statement
		rctx := store.RecordStatements(ctx, func(s store.Statement) { stmts = append(stmts, s) })
		since := now.Add(-14 * 24 * time.Hour)
		got, err := db.Sightings(rctx, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || !got[0].At.Equal(now.Add(-48*time.Hour)) || got[0].Outcome != dispatch.OutcomeRefused ||
			strings.Join(got[0].States, ",") != "elderly,ill" || len(got[1].States) != 0 {
			t.Errorf("Sightings = %+v", got)
		}
		visits, err := db.LastVisits(rctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(visits) != 1 || !visits[seen.ID].Equal(now.Add(-5*time.Hour)) {
			t.Errorf("LastVisits = %v, want only %s at %s", visits, seen.ID, now.Add(-5*time.Hour))
		}
		if _, ok := visits[never.ID]; ok {
			t.Error("a hotspot never visited has a last visit")
		}
		if len(stmts) != 2 {
			t.Fatalf("%d statements, want 2", len(stmts))
		}
		sqliteScan := regexp.MustCompile(`^SCAN (encounters|patrol_hotspots|v)\b`)
		pgScan := regexp.MustCompile(`Seq Scan on (encounters|patrol_hotspots)`)
		for _, st := range stmts {
			plan, err := store.ExplainForTest(ctx, db, st)
			if err != nil {
				t.Fatal(err)
			}
			for _, line := range plan {
				if sqliteScan.MatchString(line) || pgScan.MatchString(line) {
					t.Errorf("%s\nreads a whole table:\n%s", st.Query, strings.Join(plan, "\n"))
				}
			}
		}
	})
}

// Two alerts of the same kind start one campaign; an ended campaign of
// the kind does not stop a new one; another kind is separate.
func TestAddCampaignUnlessRunning(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
		mk := func(kind string) *campaigns.Campaign {
			return &campaigns.Campaign{ID: id.New(), Kind: kind, Name: kind, StartsOn: "2026-12-02", EndsOn: "2027-03-31", StartedAt: now, StartedBy: "t"}
		}
		entry := func(c *campaigns.Campaign) audit.Entry {
			return audit.Entry{ID: id.New(), At: now, Action: "campaign.start", RecordType: "campaign", RecordID: c.ID}
		}
		first := mk(campaigns.Winter)
		got, added, err := db.AddCampaignUnlessRunning(ctx, first, entry(first))
		if err != nil || !added || got.ID != first.ID {
			t.Fatalf("first: %v %v %v", got, added, err)
		}
		again := mk(campaigns.Winter)
		got, added, err = db.AddCampaignUnlessRunning(ctx, again, entry(again))
		if err != nil || added || got.ID != first.ID {
			t.Fatalf("again: %+v %v %v, want the first, not added", got, added, err)
		}
		summer := mk(campaigns.Summer)
		if _, added, err := db.AddCampaignUnlessRunning(ctx, summer, entry(summer)); err != nil || !added {
			t.Fatalf("summer: %v %v", added, err)
		}
		if err := db.EndCampaign(ctx, first.ID, now.Add(time.Minute), audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		later := mk(campaigns.Winter)
		later.StartedAt = now.Add(time.Hour)
		if _, added, err := db.AddCampaignUnlessRunning(ctx, later, entry(later)); err != nil || !added {
			t.Fatalf("after the first ended: %v %v", added, err)
		}
		all, _ := db.Campaigns(ctx)
		starts, _ := db.ListAudit(ctx, audit.Filter{Action: "campaign.start"})
		if len(all) != 3 || len(starts) != 3 {
			t.Errorf("%d campaigns and %d audit rows, want 3 and 3", len(all), len(starts))
		}
		// Ten at once: one is added.
		errc := make(chan error, 10)
		addedc := make(chan bool, 10)
		for i := range 10 {
			go func() {
				c := mk("special")
				c.Name = fmt.Sprint("并发", i)
				_, added, err := db.AddCampaignUnlessRunning(ctx, c, entry(c))
				errc <- err
				addedc <- added
			}()
		}
		n := 0
		for range 10 {
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if <-addedc {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d of 10 concurrent starts added a campaign, want 1", n)
		}
	})
}
