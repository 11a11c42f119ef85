package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// seedStation admits n people with one to three stays each (at most one
// open), arriving over the 15 months before now, with random ages, flags,
// identification and statutory tasks done on time, late or not at all.
//
// A quarter of the stays arrive a whole number of hours before anchor, or
// a whole number of months before it, and some tasks are done exactly at
// their deadline, so that the boundaries of every rule are met exactly.
func seedStation(t testing.TB, db *store.DB, n int, now, anchor time.Time, rng *rand.Rand) {
	t.Helper()
	ctx := context.Background()
	span := 460 * 24 * time.Hour
	for i := 0; i < n; i++ {
		p := &cases.Person{ID: id.New(), Ref: fmt.Sprintf("P%07d", i), Name: fmt.Sprintf("人%d", i), Sex: cases.Sex("male"),
			Mental: cases.MentalStates[rng.IntN(len(cases.MentalStates))], Identified: rng.IntN(3) == 0, CreatedAt: now.Add(-span)}
		switch rng.IntN(4) {
		case 0: // an exact birth date, often on a boundary of 16 or 18 years
			b := now.In(cases.CST).AddDate(-[]int{16, 18, 17, 40, 15}[rng.IntN(5)], 0, rng.IntN(41)-20)
			if rng.IntN(10) == 0 {
				b = time.Date(2008, 2, 29, 0, 0, 0, 0, cases.CST)
			}
			p.BirthDate = b.Format("2006-01-02")
		case 1:
			p.AgeMin = rng.IntN(30)
			p.AgeMax = p.AgeMin + rng.IntN(10)
		case 2:
			p.AgeMin = 10 // no upper bound: age unknown
		}
		if rng.IntN(5) == 0 {
			p.Flags = []string{cases.FlagMinor}
		}
		stays := 1 + rng.IntN(3)
		for j := 0; j < stays; j++ {
			arrived := now.Add(-time.Duration(rng.Int64N(int64(span)))).Truncate(time.Microsecond)
			if rng.IntN(8) == 0 { // near the end of a month, for the monthly notice update
				l := now.In(cases.CST)
				arrived = time.Date(l.Year(), l.Month()-1-time.Month(rng.IntN(3)), 28+rng.IntN(4), rng.IntN(24), rng.IntN(60), 0, rng.IntN(1e9), cases.CST).UTC().Truncate(time.Microsecond)
				if arrived.After(now) {
					arrived = now.Add(-time.Hour)
				}
			}
			switch rng.IntN(8) {
			case 0:
				arrived = anchor.Add(-time.Duration([]int{24, 36, 12, 240, 228, 2160, 2148, 0, 1, 47}[rng.IntN(10)]+rng.IntN(3)) * time.Hour)
			case 1:
				arrived = anchor.In(cases.CST).AddDate(0, -1-rng.IntN(2), 0).UTC()
			}
			st := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("S%07d-%d", i, j), PersonID: p.ID, State: cases.StayClosed, ArrivedAt: arrived,
				EnteredAt: arrived.Add(time.Duration(rng.Int64N(int64(48 * time.Hour)))).Truncate(time.Microsecond), EnteredBy: "test", Source: "walk_in",
				Unidentified: rng.IntN(2) == 0, Version: 1, UpdatedAt: arrived}
			switch {
			case j == stays-1 && rng.IntN(2) == 0:
				st.State = cases.StayOpen
			case rng.IntN(6) == 0:
				st.State = cases.StayRefused
			default:
				st.ExitedAt = arrived.Add(time.Duration(rng.Int64N(int64(60 * 24 * time.Hour)))).Truncate(time.Microsecond)
				if st.ExitedAt.After(now) {
					st.ExitedAt = now.Add(-time.Minute)
				}
			}
			if err := db.Admit(ctx, p, nil, st, nil, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
			for _, rule := range cases.RuleNames {
				if rng.IntN(3) != 0 {
					continue
				}
				done := arrived.Add(time.Duration(rng.Int64N(int64(40 * 24 * time.Hour)))).Truncate(time.Microsecond)
				if rng.IntN(3) == 0 {
					done = arrived.Add(time.Duration([]int{24, 36}[rng.IntN(2)]) * time.Hour)
					if rule == cases.RuleDNA {
						done = cases.Defaults.AfterWorkingDays(arrived, 7)
					}
				}
				if done.After(now) {
					continue
				}
				if err := db.DoTask(ctx, &cases.Task{StayID: st.ID, Rule: rule, DoneAt: done, DoneBy: "test"}, audit.Entry{}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// figuresInGo loads every open stay and every stay of the period with
// their people and tasks, as the dashboard did before issue 16, and counts.
func figuresInGo(t *testing.T, db *store.DB, r cases.Rules, q cases.FigureQuery) cases.Figures {
	t.Helper()
	ctx := context.Background()
	open, err := db.OpenStays(ctx)
	if err != nil {
		t.Fatal(err)
	}
	period, err := db.StaysArrived(ctx, q.Since, q.Until)
	if err != nil {
		t.Fatal(err)
	}
	var ids, pids []string
	for _, st := range append(append([]*cases.Stay{}, open...), period...) {
		ids, pids = append(ids, st.ID), append(pids, st.PersonID)
	}
	list, err := db.PeopleByIDs(ctx, pids)
	if err != nil {
		t.Fatal(err)
	}
	people := map[string]*cases.Person{}
	for _, p := range list {
		people[p.ID] = p
	}
	ts, err := db.Tasks(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[string]map[string]*cases.Task{}
	for _, tk := range ts {
		if tasks[tk.StayID] == nil {
			tasks[tk.StayID] = map[string]*cases.Task{}
		}
		tasks[tk.StayID][tk.Rule] = tk
	}
	return r.FiguresInGo(open, period, people, tasks, q.Now)
}

// The dashboard's aggregate queries count exactly what the in-Go rules
// count, at moments chosen around month ends, weekends and holidays.
func TestStationFiguresEqualRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		base := time.Date(2026, 3, 2, 10, 17, 3, 123456000, time.UTC)
		seedStation(t, db, 300, base.Add(72*time.Hour), base, rand.New(rand.NewPCG(16, 1)))
		rules := []cases.Rules{cases.Defaults, cases.Defaults}
		rules[1].DueSoonHours, rules[1].NoticeHours, rules[1].DNAWorkingDays, rules[1].NoticeUpdateMonths = 48, 36, 3, 2
		rules[1].Holidays = []string{"2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"}
		rules[1].Workdays = []string{"2026-02-14", "2026-02-28"}
		nonzero := 0
		for ri, r := range rules {
			for _, now := range []time.Time{base, base.Add(-24 * time.Hour), base.Add(19 * time.Hour), base.Add(72 * time.Hour), base.AddDate(0, 0, -30)} {
				l := now.In(cases.CST)
				since := time.Date(l.Year(), 1, 1, 0, 0, 0, 0, cases.CST)
				if ri == 1 {
					since = since.AddDate(0, -3, 0) // a longer period
				}
				q := r.FigureQuery(now, since, now.Add(time.Minute))
				got, err := db.StationFigures(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				want := figuresInGo(t, db, r, q)
				if got != want {
					t.Errorf("rules %d at %s:\n SQL %+v\n Go  %+v", ri, now, got, want)
				}
				if want.Overdue > 0 && want.DueSoon > 0 && want.KPIs.DNADueOrLate > 0 && want.Minors > 0 {
					nonzero++
				}
			}
		}
		if nonzero == 0 {
			t.Fatal("the seeded data set exercises no figure")
		}
	})
}
