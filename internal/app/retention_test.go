package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/intake"
)

// TestRetentionCLI: --dry-run counts and changes nothing; the run
// anonymises; a second run finds nothing.
func TestRetentionCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		var out, errb syncBuf
		if err := Run(ctx, append(args, "--data", data), envFrom(nil), &out, &errb); err != nil {
			t.Fatalf("%v: %v %s", args, err, errb.String())
		}
		return out.String()
	}
	cfg := config.Default()
	cfg.DataDir = data
	e, err := open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	// A caller's signal, closed 100 days ago.
	e.intake.Now = func() time.Time { return time.Now().AddDate(0, 0, -100) }
	lat, lng := 35.308, 113.862
	res, err := e.intake.Submit(ctx, auth.Actor{IP: "1.2.3.4"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging",
		Lat: &lat, Lng: &lng, Phone: "13800001111", Description: "桥下有人"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.intake.CloseFromStreet(ctx, auth.Actor{UserID: "p", Name: "巡查", Role: auth.RolePatrol}, res.Incident.ID, intake.OutcomeHelped, ""); err != nil {
		t.Fatal(err)
	}
	phone := func() string {
		sigs, err := e.db.SignalsOfIncident(ctx, res.Incident.ID)
		if err != nil || len(sigs) != 1 {
			t.Fatal(sigs, err)
		}
		return sigs[0].PhoneSealed
	}
	defer e.Close()

	out := run("retention", "--dry-run")
	if !strings.Contains(out, "signal_phone     would anonymise 1") || !strings.Contains(out, "person_identity  would anonymise 0") {
		t.Errorf("dry run:\n%s", out)
	}
	if phone() == "" {
		t.Fatal("the dry run erased the phone")
	}
	if out := run("retention"); !strings.Contains(out, "signal_phone     anonymised 1") {
		t.Errorf("run:\n%s", out)
	}
	if phone() != "" {
		t.Error("the run kept the phone")
	}
	if out := run("retention", "--dry-run"); !strings.Contains(out, "signal_phone     would anonymise 0") {
		t.Errorf("dry run after the run:\n%s", out)
	}
	if out := run("retention", "--retain-signal-phone-days", "0", "--retain-photo-days", "0", "--retain-identity-days", "0",
		"--retain-health-years", "0", "--dry-run"); !strings.Contains(out, "nothing to do") {
		t.Errorf("every period 0:\n%s", out)
	}
}

// TestRetentionOncePerDay: of two nodes on one database only one runs the
// nightly job each day, and not before 02:00 China Standard Time.
func TestRetentionOncePerDay(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	var nodes []*env
	clock := time.Date(2026, 12, 1, 17, 30, 0, 0, time.UTC) // 01:30 CST
	for range 2 {
		e, err := open(ctx, cfg, &syncBuf{})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		e.now = func() time.Time { return clock }
		e.rights.Now = e.now
		nodes = append(nodes, e)
	}
	state := []*retentionNode{{holder: "a"}, {holder: "b"}}
	tick := func() int {
		ran := 0
		for i, e := range nodes {
			ok, err := e.retentionTick(ctx, state[i])
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				ran++
			}
		}
		return ran
	}
	if n := tick(); n != 0 {
		t.Errorf("before 02:00: %d runs", n)
	}
	clock = clock.Add(time.Hour) // 02:30
	if n := tick() + tick(); n != 1 {
		t.Errorf("the first night: %d runs, want 1", n)
	}
	clock = clock.Add(24 * time.Hour)
	if n := tick() + tick(); n != 1 {
		t.Errorf("the second night: %d runs, want 1", n)
	}
}
