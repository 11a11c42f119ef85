package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The demo's fire safety shows what the issue asks for: about 60 items,
// some due for service, one past scrapping, spares short for one model, a
// month of patrols with one night's 3-hour gap, an overdue hazard, the
// last training and drill.
func TestSeedFire(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC) // 12:00 CST
	fs := &firesafety.Service{Store: db, Duties: db, Files: db.Files(), Now: func() time.Time { return now }}
	if err := demo.SeedFire(ctx, fs, now); err != nil {
		t.Fatal(err)
	}
	leader := auth.Actor{Name: "领导", Role: auth.RoleLeader}
	o, err := fs.Overview(ctx, leader)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, a := range o.Alerts {
		count[a.Kind]++
	}
	if len(o.Items) < 55 || len(o.Items) > 65 {
		t.Errorf("register of %d items", len(o.Items))
	}
	for k, want := range map[string]int{firesafety.AlertScrapped: 1, firesafety.AlertHazard: 1, firesafety.AlertSpares: 1, firesafety.AlertServiceLate: 1} {
		if count[k] != want {
			t.Errorf("%s: %d alerts, want %d (%v)", k, count[k], want, count)
		}
	}
	if count[firesafety.AlertServiceDue] < 2 || o.LastTrain == "" || o.LastDrill == "" || len(o.Tests) != 1 {
		t.Errorf("service due %d, training %q, drill %q, tests %d", count[firesafety.AlertServiceDue], o.LastTrain, o.LastDrill, len(o.Tests))
	}
	if l, _ := fs.OverdueHazards(ctx, leader); len(l) != 1 {
		t.Errorf("overdue hazards for the leader: %d", len(l))
	}
	// A month of patrols: every night covered but the one with the 3-hour gap.
	log, err := fs.Patrols(ctx, leader, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	var gaps []firesafety.Gap
	for _, n := range log.Nights {
		gaps = append(gaps, n.Gaps...)
	}
	if len(log.Nights) != 30 || len(gaps) != 1 || gaps[0].To.Sub(gaps[0].From) != 3*time.Hour {
		t.Errorf("%d nights, gaps %v", len(log.Nights), gaps)
	}
	if len(log.Rounds) < 140 {
		t.Errorf("%d rounds in November", len(log.Rounds))
	}
}
