package app

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/stats"
)

// TestDemoFiguresThroughTheCatalogue: the demo's winter campaign report
// shows the seed article's figures exactly, counted from raw records by
// the catalogue, and the people helped from 2024 to the article's day
// are 638.
func TestDemoFiguresThroughTheCatalogue(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	var out, errb syncBuf
	if err := Run(ctx, []string{"migrate", "--data", data}, envFrom(nil), &out, &errb); err != nil {
		t.Fatal(err, errb.String())
	}
	cfg := config.Default()
	cfg.DataDir = data
	e, err := open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	t0 := time.Now()
	if _, _, err := seedDemo(ctx, e, "demo password 1", ""); err != nil {
		t.Fatal(err)
	}
	t.Logf("demo seeded in %v", time.Since(t0))
	leader := auth.Actor{Name: "leader", Role: auth.RoleLeader}
	all, err := e.campaigns.All(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	var from, to string
	for _, c := range all {
		if c.Name == demo.WinterName {
			from, to = c.Window()
		}
	}
	if from != demo.WinterFrom || to != demo.WinterTo {
		t.Fatalf("winter campaign window %s – %s", from, to)
	}
	rep, err := e.stats.Report(ctx, leader, demo.WinterName, stats.Scope{Period: stats.Period{From: from, To: to}})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]int64{"outreach_aid": 85, "patrols": 294, "night_patrols": 145, "staff_turnouts": 809, "items_handed_out": 220} {
		if l, _ := rep.Line(key); l.Total != want {
			t.Errorf("winter campaign %s = %d, want %d", key, l.Total, want)
		}
	}
	figs, err := e.stats.Figures(ctx, leader, []string{"rescued", "rescued_people"}, stats.Query{Scope: stats.Scope{Period: stats.Period{From: "2024-01-01", To: "2025-06-15"}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		if f.Total != demo.HelpedSince2024 {
			t.Errorf("%s 2024-01-01 – 2025-06-15 = %d, want %d", f.Indicator.Key, f.Total, demo.HelpedSince2024)
		}
	}
}
