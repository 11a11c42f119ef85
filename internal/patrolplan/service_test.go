package patrolplan_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var (
	dispatcher = auth.Actor{UserID: "u-disp", Name: "调度员", Role: auth.RoleDispatcher, IP: "127.0.0.1"}
	patroller  = auth.Actor{UserID: "u-patrol", Name: "巡查员", Role: auth.RolePatrol, IP: "127.0.0.1"}
	leader     = auth.Actor{UserID: "u-leader", Name: "领导", Role: auth.RoleLeader, IP: "127.0.0.1"}
	weatherKey = auth.Actor{UserID: "k-weather", Name: "市气象台", Role: auth.RolePartner, Scopes: []string{auth.ScopeWeatherWrite}, IP: "10.0.0.1"}
	otherKey   = auth.Actor{UserID: "k-police", Name: "110", Role: auth.RolePartner, Scopes: []string{"family.write"}, IP: "10.0.0.2"}
)

type fixture struct {
	db    *store.DB
	plan  *patrolplan.Service
	camps *campaigns.Service
	now   time.Time
}

func newFixture(t *testing.T, db *store.DB, now time.Time) *fixture {
	clock := func() time.Time { return now }
	camps := &campaigns.Service{Store: db, Now: clock}
	return &fixture{db: db, camps: camps, now: now, plan: &patrolplan.Service{Store: db, Now: clock, Campaigns: camps}}
}

func TestSaveForecastRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, at("2026-12-02 15:00"))
		for _, c := range []struct {
			name  string
			a     auth.Actor
			in    patrolplan.Input
			kind  errs.Kind
			field string
		}{
			{"patrol member", patroller, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1}, errs.Forbidden, ""},
			{"leader", leader, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1}, errs.Forbidden, ""},
			{"key without the scope", otherKey, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1}, errs.Forbidden, ""},
			{"−61 °C", dispatcher, patrolplan.Input{Night: "2026-12-02", MinC: -61, MaxC: 1}, errs.Invalid, "min_c"},
			{"61 °C from the partner", weatherKey, patrolplan.Input{Night: "2026-12-02", MinC: 30, MaxC: 61, Warning: patrolplan.Heat, Level: "red"}, errs.Invalid, "max_c"},
			{"unknown level", weatherKey, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "purple"}, errs.Invalid, "level"},
			{"last night", dispatcher, patrolplan.Input{Night: "2026-12-01", MinC: -8, MaxC: 1}, errs.Invalid, "night"},
		} {
			_, err := f.plan.SaveForecast(ctx, c.a, c.in)
			if !errs.Is(c.kind, err) {
				t.Errorf("%s: %v, want %v", c.name, err, c.kind)
				continue
			}
			if c.field != "" && errs.FieldsOf(err)[c.field] == "" {
				t.Errorf("%s: fields %v, want %s named", c.name, errs.FieldsOf(err), c.field)
			}
		}
		// Nothing stored, nothing started, nothing audited.
		for _, night := range []string{"2026-12-01", "2026-12-02"} {
			if _, err := db.Forecast(ctx, night); !errs.Is(errs.NotFound, err) {
				t.Errorf("a refused forecast of %s was stored: %v", night, err)
			}
		}
		if cs, _ := db.Campaigns(ctx); len(cs) != 0 {
			t.Errorf("%d campaigns started by refused forecasts", len(cs))
		}
		if es, _ := db.ListAudit(ctx, audit.Filter{Action: "weather.forecast"}); len(es) != 0 {
			t.Errorf("%d audit rows for refused forecasts", len(es))
		}
	})
}

// A warning at or above the alert level starts the matching campaign
// once: the same warning posted again, or a worse one, starts nothing
// more; a warning below the level starts nothing.
func TestWarningStartsCampaignOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, at("2026-12-02 15:00"))
		blue := patrolplan.Input{Night: "2026-12-02", MinC: -3, MaxC: 4, Warning: patrolplan.ColdWave, Level: "blue"}
		s, err := f.plan.SaveForecast(ctx, weatherKey, blue)
		if err != nil || s.Alert || s.Campaign != nil {
			t.Fatalf("blue: %+v %v, want no alert and no campaign", s, err)
		}
		orange := patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange"}
		s, err = f.plan.SaveForecast(ctx, weatherKey, orange)
		if err != nil || !s.Alert || !s.Started || s.Campaign == nil || s.Campaign.Kind != campaigns.Winter {
			t.Fatalf("orange: %+v %v, want the winter campaign started", s, err)
		}
		if c := s.Campaign; c.StartsOn != "2026-12-02" || c.EndsOn != "2027-03-31" || c.StartedBy != "市气象台" || !c.RunningAt(f.now) {
			t.Errorf("campaign %+v", c)
		}
		first := s.Campaign.ID
		for _, in := range []patrolplan.Input{orange, {Night: "2026-12-03", MinC: -12, MaxC: -2, Warning: patrolplan.ColdWave, Level: "red"}} {
			s, err = f.plan.SaveForecast(ctx, dispatcher, in)
			if err != nil || !s.Alert || s.Started || s.Campaign == nil || s.Campaign.ID != first {
				t.Fatalf("again: %+v %v, want the running campaign, not a new one", s, err)
			}
		}
		// A heat warning starts the summer campaign beside it.
		s, err = f.plan.SaveForecast(ctx, weatherKey, patrolplan.Input{Night: "2026-12-04", MinC: 28, MaxC: 39, Warning: patrolplan.Heat, Level: "yellow"})
		if err != nil || !s.Started || s.Campaign.Kind != campaigns.Summer || s.Campaign.EndsOn != "2027-01-01" {
			t.Fatalf("heat: %+v %v", s, err)
		}
		cs, _ := db.Campaigns(ctx)
		if len(cs) != 2 {
			t.Errorf("%d campaigns, want 2", len(cs))
		}
		starts, _ := db.ListAudit(ctx, audit.Filter{Action: "campaign.start"})
		if len(starts) != 2 || starts[0].ActorName != "市气象台" || starts[1].Detail != "winter,weather_alert" {
			t.Errorf("campaign audit %+v", starts)
		}
		saves, _ := db.ListAudit(ctx, audit.Filter{Action: "weather.forecast"})
		if len(saves) != 5 || saves[0].Detail != "heat:yellow" || saves[0].RecordID != "2026-12-04" {
			t.Errorf("forecast audit %+v", saves)
		}
	})
}

// With the alert level set to red, an orange warning is stored but needs
// no night patrol and starts nothing; without a campaigns service a red
// one starts nothing either.
func TestAlertLevelSetting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db, at("2026-12-02 15:00"))
		f.plan.AlertLevel = "red"
		s, err := f.plan.SaveForecast(ctx, dispatcher, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange"})
		if err != nil || s.Alert || s.Campaign != nil {
			t.Fatalf("orange under a red level: %+v %v", s, err)
		}
		f.plan.Campaigns = nil
		s, err = f.plan.SaveForecast(ctx, dispatcher, patrolplan.Input{Night: "2026-12-02", MinC: -15, MaxC: -5, Warning: patrolplan.ColdWave, Level: "red"})
		if err != nil || !s.Alert || s.Campaign != nil {
			t.Fatalf("red without campaigns: %+v %v", s, err)
		}
		if cs, _ := db.Campaigns(ctx); len(cs) != 0 {
			t.Errorf("%d campaigns", len(cs))
		}
	})
}

// The plan end to end: three hotspots, encounters and visits, tonight's
// forecast; the order and the factors.
func TestPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := at("2026-12-02 19:00")
		f := newFixture(t, db, now)
		hotspot := func(name string, lat float64) *dispatch.Hotspot {
			h := &dispatch.Hotspot{ID: id.New(), Name: name, Kind: "square", Lat: lat, Lng: 113.9, Active: true, CreatedAt: now.AddDate(0, -2, 0)}
			if err := db.CreateHotspot(ctx, h, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		underpass, square, bridge := hotspot("地下通道", 35.30), hotspot("广场", 35.32), hotspot("桥下", 35.34)
		visit := func(h *dispatch.Hotspot, when time.Time) {
			p := &dispatch.Patrol{ID: id.New(), Kind: "planned", StartedAt: when, CreatedBy: "t", Version: 1, UpdatedAt: when, Visits: map[string]time.Time{h.ID: when}}
			if err := db.SavePatrol(ctx, p, 0, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		visit(underpass, now.Add(-5*24*time.Hour-time.Hour))
		visit(square, now.Add(-2*time.Hour))
		meet := func(h *dispatch.Hotspot, when time.Time, o dispatch.Outcome, states ...string) {
			en := &dispatch.Encounter{ID: id.New(), At: when, Lat: h.Lat, Lng: h.Lng + 0.001, States: states, Outcome: o, RecordedBy: "t", Version: 1, UpdatedAt: when}
			if err := db.SaveEncounter(ctx, en, 0, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		// the underpass: three people a night ago, one of them elderly
		meet(underpass, at("2026-11-30 22:00"), dispatch.OutcomeOutreach, "cold", "elderly")
		meet(underpass, at("2026-11-30 22:05"), dispatch.OutcomeOutreach)
		meet(underpass, at("2026-12-01 01:00"), dispatch.OutcomeToStation)
		// the square: one person, and one long before the window
		meet(square, at("2026-11-25 21:00"), dispatch.OutcomeRefused)
		meet(square, at("2026-10-01 21:00"), dispatch.OutcomeOutreach, "minor")
		// No forecast: weather ×1.
		p, err := f.plan.Plan(ctx, patroller)
		if err != nil {
			t.Fatal(err)
		}
		if p.Night != "2026-12-02" || p.Forecast != nil || p.Alert || len(p.Rows) != 3 || p.Nights != 14 {
			t.Fatalf("plan %+v", p)
		}
		// underpass 40 + 10 = 50; bridge never visited 28; square 15 + 0
		want := []struct {
			h     *dispatch.Hotspot
			total int
		}{{underpass, 50}, {bridge, 28}, {square, 15}}
		for i, w := range want {
			if r := p.Rows[i]; r.Hotspot.ID != w.h.ID || r.Score.Total != w.total {
				t.Errorf("row %d: %s %+v, want %s %d", i, r.Hotspot.Name, r.Score, w.h.Name, w.total)
			}
		}
		if e := p.Rows[0].Exposure; e != (patrolplan.Exposure{People: 3, Elderly: 1, Nights: 1}) {
			t.Errorf("underpass exposure %+v", e)
		}
		if !p.Rows[1].LastVisit.IsZero() || p.Rows[1].Score.DaysAway != -1 {
			t.Errorf("bridge %+v", p.Rows[1])
		}
		// Tonight's orange cold wave: the underpass ×3.8 = 152 + 10; the
		// square 15 × 3.8 = 57 now comes before the empty bridge.
		if _, err := f.plan.SaveForecast(ctx, dispatcher, patrolplan.Input{Night: "2026-12-02", MinC: -8, MaxC: 1, Warning: patrolplan.ColdWave, Level: "orange"}); err != nil {
			t.Fatal(err)
		}
		p, err = f.plan.Plan(ctx, leader)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Alert || p.Forecast == nil || p.Rows[0].Score.Total != 162 || p.Rows[1].Hotspot.ID != square.ID || p.Rows[1].Score.Total != 57 ||
			p.Rows[2].Hotspot.ID != bridge.ID {
			t.Errorf("plan with the warning: alert %v, rows %+v", p.Alert, p.Rows)
		}
		// Who may see it.
		if _, err := f.plan.Plan(ctx, weatherKey); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a partner key sees the plan: %v", err)
		}
		if _, err := f.plan.Plan(ctx, auth.Actor{Role: auth.RoleMedical}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("the doctor sees the plan: %v", err)
		}
	})
}
