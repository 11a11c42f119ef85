package stats_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func TestBands(t *testing.T) {
	day := 24 * time.Hour
	for d, want := range map[time.Duration]string{0: "0_1", day - time.Microsecond: "0_1", day: "1_3", 3 * day: "3_7", 10*day - 1: "7_10",
		10 * day: "10_30", 90*day - 1: "30_90", 90 * day: "90_plus", 900 * day: "90_plus"} {
		if got := stats.LOSBand(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
	for days, want := range map[int]string{0: "0_180", 180: "0_180", 181: "181_365", 365: "181_365", 366: "366_730", 730: "366_730", 731: "", -1: ""} {
		if got := stats.ReturnBand(days); got != want {
			t.Errorf("%d days: %q, want %q", days, got, want)
		}
	}
	if stats.Share(1, 3) != 3333 || stats.Share(2, 3) != 6667 || stats.Share(1, 0) != 0 {
		t.Error("shares")
	}
	if p := stats.ShiftYear(stats.Period{From: "2024-02-29", To: "2024-12-31"}); p.From != "2023-02-28" || p.To != "2023-12-31" {
		t.Errorf("shift %v", p)
	}
}

func TestParseTarget(t *testing.T) {
	share, _ := stats.MeasureByKey("home")
	days, _ := stats.MeasureByKey("los_median")
	for s, want := range map[string]int64{"80": 8000, "92.5%": 9250, " 0 ": 0, "100": 10000} {
		if v, ok := stats.ParseTarget(share, s); !ok || v != want {
			t.Errorf("%q: %d %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "-1", "100.1", "NaN", "Inf", "8o", "1e400"} {
		if _, ok := stats.ParseTarget(share, s); ok {
			t.Errorf("%q accepted", s)
		}
	}
	if v, ok := stats.ParseTarget(days, "7.25"); !ok || v != 725 {
		t.Errorf("days: %d", v)
	}
	if _, ok := stats.ParseTarget(days, "3651"); ok {
		t.Error("ten years and a day accepted")
	}
}

func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"80", "92.5%", "-0", "1e2", "0x10", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range stats.Measures {
			v, ok := stats.ParseTarget(m, s)
			if ok && (v < 0 || v > 365000) {
				t.Fatalf("%q: %d", s, v)
			}
		}
	})
}

func TestOutcomes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := &fixture{t: t, db: db}
		known := func(p *cases.Person) { p.Identified = true }
		// Returns: exit at 23:00 on 1 March 2023 (CST), back at 01:00 a whole number of calendar days later.
		exit := at(2023, 3, 1, 23, 0)
		for _, gap := range []int{180, 181, 365, 366, 730, 731} {
			p := f.person(known)
			f.stay(p, exit.Add(-72*time.Hour), exit, cases.ExitSelf) // arrived 733 days or more before the return
			back := time.Date(2023, 3, 1+gap, 1, 0, 0, 0, stats.CST)
			f.stay(p, back, back.Add(5*24*time.Hour), cases.ExitReturnHome)
		}
		// New in 2026, and back eight days after leaving.
		n := f.person(known)
		f.stay(n, at(2026, 3, 1, 9, 0), at(2026, 3, 2, 9, 0), cases.ExitFamily)                               // exactly 1 day
		f.stay(n, at(2026, 3, 10, 9, 0), at(2026, 3, 10, 9, 0).Add(24*time.Hour-time.Second), cases.ExitSelf) // under a day
		// Identified 36 hours after arriving, with the notice in time and no DNA request.
		u := f.person(nil)
		su := f.stay(u, at(2026, 4, 1, 9, 0), time.Time{}, "")
		if err := db.DoTask(ctx, &cases.Task{StayID: su.ID, Rule: cases.RuleNotice, DoneAt: at(2026, 4, 2, 8, 0).UTC(), DoneBy: "站员"}, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		u.Identified, u.Name, u.UpdatedAt = true, "张三", at(2026, 4, 2, 21, 0).UTC()
		if err := db.UpdatePerson(ctx, u, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		// Never identified: the notice late (25 hours), DNA on the 7th working day (Monday 4 May → Wednesday 13 May).
		w := f.person(nil)
		sw := f.stay(w, at(2026, 5, 4, 9, 0), at(2026, 6, 1, 9, 0), cases.ExitPlacement) // 28 days
		for rule, done := range map[string]time.Time{cases.RuleNotice: at(2026, 5, 5, 10, 0), cases.RuleDNA: at(2026, 5, 13, 23, 0)} {
			if err := db.DoTask(ctx, &cases.Task{StayID: sw.ID, Rule: rule, DoneAt: done.UTC(), DoneBy: "站员"}, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
		}
		// Last year: one stay of 100 days.
		f.stay(f.person(known), at(2024, 12, 1, 9, 0), at(2025, 3, 11, 9, 0), cases.ExitEscorted)

		now := at(2026, 11, 10, 12, 0)
		src := stats.CaseRules{StaySource: db, Station: db, Rules: cases.Defaults, Now: func() time.Time { return now }}
		o := &stats.Outcomes{Store: db, Source: src, Now: func() time.Time { return now }}
		band := func(bs []stats.Band, key string) stats.Band {
			for _, b := range bs {
				if b.Key == key {
					return b
				}
			}
			t.Fatalf("no band %s", key)
			return stats.Band{}
		}
		if _, err := o.Report(ctx, patrol, stats.Period{From: "2026-01-01", To: "2026-06-30"}, ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("patrol: %v", err)
		}
		// The returns, over June 2023 – June 2025: the first stays lie before it.
		ra, err := o.Report(ctx, leader, stats.Period{From: "2023-06-01", To: "2025-06-30"}, "")
		if err != nil {
			t.Fatal(err)
		}
		for key, want := range map[string]int64{"0_180": 1, "181_365": 2, "366_730": 2} { // 731 days is not a return
			if b := band(ra.Returns, key); b.N != want || b.Share != stats.Share(want, 7) { // six returns and the 2024 stay arrived
				t.Errorf("returns %s: %+v", key, b)
			}
		}
		// The 731-day person left 731 days before: first time; the others were in within 730 days: repeat.
		if b := band(ra.FirstTime, stats.FirstTime); b.N != 2 { // and the 2024 stay's person
			t.Errorf("first time: %+v", b)
		}
		if b := band(ra.FirstTime, stats.Repeat); b.N != 5 {
			t.Errorf("repeat: %+v", b)
		}

		p := stats.Period{From: "2026-01-01", To: "2026-06-30"}
		r, err := o.Report(ctx, leader, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if b := band(r.Returns, "0_180"); b.N != 1 {
			t.Errorf("n's return: %+v", b)
		}
		if b, c := band(r.FirstTime, stats.FirstTime), band(r.FirstTime, stats.Repeat); b.N != 3 || c.N != 0 {
			t.Errorf("first time %+v, repeat %+v", b, c)
		}
		// Length of stay: exactly one day is in 1–3, a second less in 0–1; year over year, the
		// 100-day stay that left in March 2025.
		for key, want := range map[string]int64{"0_1": 1, "1_3": 1, "10_30": 1, "90_plus": 0} {
			if b := band(r.LOS, key); b.N != want {
				t.Errorf("LOS %s: %+v", key, b)
			}
		}
		if b := band(r.LOS, "90_plus"); b.LastYear != 1 {
			t.Errorf("LOS 90+ last year: %+v", b)
		}
		m := map[string]stats.MeasureValue{}
		for _, v := range r.Measures {
			m[v.Key] = v
		}
		if v := m["identify_median"]; v.Value != 150 {
			t.Errorf("identification: %+v", v)
		}
		if v := m["notice_24h"]; v.Num != 1 || v.Den != 2 || v.Value != 5000 {
			t.Errorf("notice: %+v", v)
		}
		if v := m["dna_7wd"]; v.Num != 1 || v.Den != 1 || v.Value != 10000 {
			t.Errorf("DNA: %+v", v)
		}
		if v := m["home"]; v.Num != 1 || v.Den != 3 || v.Value != 3333 || v.HasTarget { // n collected by family; n on his own; w placed
			t.Errorf("home: %+v", v)
		}
		if v := m["los_median"]; v.Value != 100 { // 1 day, under a day, 28 days
			t.Errorf("median: %+v", v)
		}

		// Targets: the leader sets them, audited; staff may not; bad input stores nothing.
		if _, err := o.SetTarget(ctx, staff, "home", "80"); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff sets a target: %v", err)
		}
		for measure, value := range map[string]string{"home": "101", "no_such": "5", "los_median": "-1"} {
			if _, err := o.SetTarget(ctx, leader, measure, value); !errs.Is(errs.Invalid, err) {
				t.Errorf("%s=%s: %v", measure, value, err)
			}
		}
		if ts, _ := db.OutcomeTargets(ctx); len(ts) != 0 {
			t.Fatal("a refused target was stored")
		}
		if _, err := o.SetTarget(ctx, leader, "home", "1"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.SetTarget(ctx, leader, "home", "0.5"); err != nil { // a second setting replaces the first
			t.Fatal(err)
		}
		r, err = o.Report(ctx, leader, p, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Measures {
			if v.Key == "home" && (!v.HasTarget || v.Target.Target != 50 || !v.Met || v.Target.SetBy != "局长") {
				t.Errorf("target: %+v %+v", v, v.Target)
			}
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "outcome.target"})
		if err != nil || len(entries) != 2 {
			t.Errorf("audit: %d entries, %v", len(entries), err)
		}
	})
}
