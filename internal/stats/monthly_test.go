package stats_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// at is a China-time instant.
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, stats.CST)
}

// fixture builds people and stays by hand.
type fixture struct {
	t  *testing.T
	db *store.DB
	n  int
}

func (f *fixture) person(mod func(p *cases.Person)) *cases.Person {
	f.n++
	p := &cases.Person{ID: id.New(), Ref: fmt.Sprintf("RY-T%05d", f.n), Sex: cases.SexUnknown, Mental: cases.MentalUnknown,
		CreatedAt: at(2020, 1, 1, 0, 0)}
	if mod != nil {
		mod(p)
	}
	return p
}

// stay admits p (stored on its first stay) arriving at arrived; exited
// zero leaves it open.
func (f *fixture) stay(p *cases.Person, arrived, exited time.Time, kind cases.ExitKind) *cases.Stay {
	f.t.Helper()
	f.n++
	st := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("JZ-T%05d", f.n), PersonID: p.ID, State: cases.StayOpen, ArrivedAt: arrived.UTC(),
		EnteredAt: arrived.UTC(), EnteredBy: "test", Source: "walk_in", Unidentified: !p.Identified, Version: 1, UpdatedAt: arrived.UTC()}
	if kind == "refused" {
		st.State = cases.StayRefused
	} else if !exited.IsZero() {
		st.State, st.ExitKind, st.ExitedAt = cases.StayClosed, kind, exited.UTC()
	}
	if err := f.db.Admit(context.Background(), p, nil, st, nil, audit.Entry{}); err != nil {
		f.t.Fatal(err)
	}
	return st
}

var (
	staff  = auth.Actor{Name: "站员", Username: "staff", Role: auth.RoleStaff, DepartmentID: "dept-station"}
	leader = auth.Actor{Name: "局长", Username: "leader", Role: auth.RoleLeader, DepartmentID: "dept-bureau"}
	patrol = auth.Actor{Name: "队员", Username: "patrol", Role: auth.RolePatrol}
)

// station returns the id of a department of kind station.
func station(t *testing.T, db *store.DB) string {
	t.Helper()
	ctx := context.Background()
	d := &auth.Department{ID: id.New(), Name: "测试救助站", Kind: "station", CreatedAt: time.Now()}
	if err := db.CreateDepartment(ctx, d, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func TestAgeBandEdges(t *testing.T) {
	arrive := at(2026, 10, 15, 9, 0)
	for _, c := range []struct {
		birth    string
		min, max int
		want     string
	}{
		{"2020-10-15", 0, 0, stats.Age0to6},     // 6 on the day: ≤6
		{"2019-10-15", 0, 0, stats.Age7to18},    // 7th birthday that day
		{"2019-10-16", 0, 0, stats.Age0to6},     // 7 tomorrow
		{"2008-10-15", 0, 0, stats.Age7to18},    // 18 that day
		{"2007-10-16", 0, 0, stats.Age7to18},    // 19 tomorrow
		{"2007-10-15", 0, 0, stats.Age19to59},   // 19 that day
		{"1967-10-16", 0, 0, stats.Age19to59},   // 59, 60 tomorrow
		{"1966-10-15", 0, 0, stats.Age60Plus},   // 60 that day
		{"", 5, 8, stats.Age0to6},               // midpoint 6.5 rounds down to 6
		{"", 6, 8, stats.Age7to18},              // midpoint 7
		{"", 18, 19, stats.Age7to18},            // midpoint 18.5 → 18
		{"", 18, 20, stats.Age19to59},           // 19
		{"", 55, 64, stats.Age19to59},           // 59.5 → 59
		{"", 58, 62, stats.Age60Plus},           // 60
		{"", 0, 0, stats.GroupUnknown},          // nothing recorded
		{"", 30, 0, stats.GroupUnknown},         // no upper bound: not an estimate
		{"1990-01-01", 10, 12, stats.Age19to59}, // the birth date wins over an estimate
	} {
		f := stats.StayFacts{ArrivedAt: arrive.UTC(), BirthDate: c.birth, AgeMin: c.min, AgeMax: c.max}
		if got := f.AgeBand(); got != c.want {
			t.Errorf("birth %q estimate %d–%d: band %s, want %s", c.birth, c.min, c.max, got, c.want)
		}
	}
}

func TestProvinceOfOrigin(t *testing.T) {
	for _, c := range []struct {
		idRegion, native, hukou string
		want                    string
	}{
		{"河南省新乡市长垣县", "四川成都", "", "410000"}, // the ID number first
		{"", "四川成都", "河南新乡", "510000"},      // then the native place
		{"", "", "北京市东城区", "110000"},        // then the hukou
		{"", "说不清", "", ""},                 // 不详
		{"", "", "", ""},
	} {
		f := stats.StayFacts{IDRegion: c.idRegion, NativePlace: c.native, Hukou: c.hukou}
		if got := f.Province(); got != c.want {
			t.Errorf("%q/%q/%q: %q, want %q", c.idRegion, c.native, c.hukou, got, c.want)
		}
	}
	if stats.ProvinceName("410000") != "河南省" || stats.ProvinceName("") != "" {
		t.Error("province names")
	}
}

func TestExitAndHealthAndSpecial(t *testing.T) {
	end := at(2026, 11, 1, 0, 0)
	for kind, want := range map[cases.ExitKind]string{
		cases.ExitReturnHome: stats.ExitTicket, cases.ExitSelf: stats.ExitOwnWay, cases.ExitEscorted: stats.ExitEscorted,
		cases.ExitFamily: stats.ExitEscorted, cases.ExitTransfer: stats.ExitEscorted, cases.ExitPlacement: stats.ExitTerminated,
		cases.ExitHospital: stats.ExitTerminated, cases.ExitAbsconded: stats.ExitAbsconded, cases.ExitDeath: stats.ExitDied,
	} {
		f := stats.StayFacts{ExitKind: kind, ExitedAt: end.Add(-time.Microsecond)}
		if got := f.ExitAt(end); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
		f.ExitedAt = end // left at the first instant after the period: still in care at its end
		if got := f.ExitAt(end); got != stats.ExitInCare {
			t.Errorf("%s at the end: %s", kind, got)
		}
	}
	if got := (&stats.StayFacts{}).ExitAt(end); got != stats.ExitInCare {
		t.Errorf("open stay: %s", got)
	}
	for _, c := range []struct {
		f    stats.StayFacts
		want string
	}{
		{stats.StayFacts{Mental: cases.MentalIllness, Ill: true}, stats.HealthMental},
		{stats.StayFacts{Mental: cases.MentalIntellectual, Flags: []string{cases.FlagDisabled}}, stats.HealthIntellectual},
		{stats.StayFacts{Flags: []string{cases.FlagDisabled}, Ill: true}, stats.HealthDisabled},
		{stats.StayFacts{Ill: true, Mental: cases.MentalNormal}, stats.HealthIll},
		{stats.StayFacts{Checked: true}, stats.HealthWell},
		{stats.StayFacts{Mental: cases.MentalNormal}, stats.HealthWell},
		{stats.StayFacts{}, stats.GroupUnknown},
	} {
		if got := c.f.Health(); got != c.want {
			t.Errorf("%+v: %s, want %s", c.f, got, c.want)
		}
	}
	arrive := at(2026, 10, 15, 9, 0).UTC()
	f := stats.StayFacts{ArrivedAt: arrive, BirthDate: "2008-10-16", Flags: []string{cases.FlagForeign, cases.FlagTrafficking}}
	if got := fmt.Sprint(f.Special()); got != "[minor trafficking foreign]" { // 17, 18 tomorrow
		t.Errorf("special: %s", got)
	}
	f = stats.StayFacts{ArrivedAt: arrive, BirthDate: "2008-10-15", Mental: cases.MentalIntellectual}
	if got := fmt.Sprint(f.Special()); got != "[disabled]" { // 18 that day: not a minor
		t.Errorf("special: %s", got)
	}
	f = stats.StayFacts{ArrivedAt: arrive, AgeMin: 58, AgeMax: 62, Flags: []string{cases.FlagDomestic, cases.FlagLeftBehind}}
	if got := fmt.Sprint(f.Special()); got != "[elderly domestic_violence left_behind]" {
		t.Errorf("special: %s", got)
	}
}

func TestParseMonth(t *testing.T) {
	now := at(2026, 11, 10, 12, 0)
	if p, err := stats.ParseMonth("2026-10", now); err != nil || p.From != "2026-10-01" || p.To != "2026-10-31" {
		t.Fatalf("%v %v", p, err)
	}
	if p, err := stats.ParseMonth("2024-02", now); err != nil || p.To != "2024-02-29" {
		t.Fatalf("%v %v", p, err)
	}
	for s, want := range map[string]string{"2026-11": "err.month_running", "2026-12": "err.month_future", "2027-01": "err.month_future",
		"2026-13": "err.invalid_month", "": "err.invalid_month", "10/2026": "err.invalid_month", "1999-12": "err.invalid_month"} {
		_, err := stats.ParseMonth(s, now)
		if e, ok := err.(*errs.Error); !ok || e.Fields["month"] != want {
			t.Errorf("%q: %v, want %s", s, err, want)
		}
	}
	// The first instant of a month, China time, is in that month.
	if _, err := stats.ParseMonth("2026-11", at(2026, 12, 1, 0, 0)); err != nil {
		t.Errorf("November at 00:00 on 1 December: %v", err)
	}
	if _, err := stats.ParseMonth("2026-11", at(2026, 11, 30, 23, 59)); err == nil {
		t.Error("November is still running at 23:59 on the 30th")
	}
	if stats.DueOn("2026-12") != "2027-01-05" || stats.LastMonth(at(2027, 1, 1, 0, 0)) != "2026-12" {
		t.Error("due day")
	}
}

func FuzzParseMonth(f *testing.F) {
	for _, s := range []string{"2026-10", "2026-13", "", "0000-00", "2026-1", "２０２６-10"} {
		f.Add(s)
	}
	now := at(2026, 11, 10, 12, 0)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := stats.ParseMonth(s, now)
		if err != nil {
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("%q: %v is not a clear message", s, err)
			}
			return
		}
		if p.From >= "2026-11-01" || p.From[8:] != "01" {
			t.Fatalf("%q: %v", s, p)
		}
	})
}

// seedMonth builds October 2026 by hand, each figure at its edges.
func seedMonth(t *testing.T, db *store.DB) *fixture {
	f := &fixture{t: t, db: db}
	ctx := context.Background()
	// Before the month (30 September 23:59 CST) and at its end (1 November 00:00): not counted.
	f.stay(f.person(nil), at(2026, 9, 30, 23, 59), at(2026, 10, 2, 10, 0), cases.ExitSelf) // left in October: average days
	f.stay(f.person(nil), at(2026, 11, 1, 0, 0), time.Time{}, "")
	// A refused stay never counts.
	f.stay(f.person(nil), at(2026, 10, 5, 10, 0), time.Time{}, "refused")
	// 1: 1 October 00:00, a man of exactly 6, from 河南 by his ID number, home by ticket on the 3rd.
	a := f.person(func(p *cases.Person) {
		p.Sex, p.BirthDate, p.IDRegion, p.Mental = cases.Male, "2020-10-01", "河南省新乡市长垣县", cases.MentalNormal
	})
	f.stay(a, at(2026, 10, 1, 0, 0), at(2026, 10, 3, 0, 0), cases.ExitReturnHome)
	// 2: the same man again on the 20th, still in care: two person-times, one person.
	f.stay(a, at(2026, 10, 20, 8, 0), time.Time{}, "")
	// 3: a woman of 7 (estimate 6–8), native place 四川, collected by family on 1 November: still in care at the month's end.
	b := f.person(func(p *cases.Person) {
		p.Sex, p.AgeMin, p.AgeMax, p.NativePlace = cases.Female, 6, 8, "四川省成都市"
	})
	f.stay(b, at(2026, 10, 10, 12, 0), at(2026, 11, 1, 0, 0), cases.ExitFamily)
	// 4: sex unknown, 60 on the day, mental illness, left without notice.
	c := f.person(func(p *cases.Person) { p.BirthDate, p.Mental = "1966-10-31", cases.MentalIllness })
	f.stay(c, at(2026, 10, 31, 23, 59), at(2026, 10, 31, 23, 59).Add(30*time.Second), cases.ExitAbsconded)
	// 5: a foreign woman, trafficking suspected, 19 by her birth date, ill (urgent check), died.
	d := f.person(func(p *cases.Person) {
		p.Sex, p.BirthDate, p.Flags = cases.Female, "2007-10-15", []string{cases.FlagForeign, cases.FlagTrafficking}
	})
	st := f.stay(d, at(2026, 10, 15, 9, 0), at(2026, 10, 20, 9, 0), cases.ExitDeath)
	if err := db.AddCheck(ctx, &health.Check{ID: id.New(), PersonID: d.ID, StayID: st.ID, At: at(2026, 10, 15, 10, 0), Kind: health.CheckIntake,
		Urgent: true, ByName: "医生"}, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	// 6: a record later merged into person 5's: the same identity.
	e := f.person(func(p *cases.Person) { p.Sex = cases.Female })
	f.stay(e, at(2026, 10, 25, 9, 0), at(2026, 10, 26, 9, 0), cases.ExitHospital)
	if err := db.MergePeople(ctx, &cases.Merge{ID: id.New(), SurvivorID: d.ID, MergedID: e.ID, ActorName: "站员", At: at(2026, 10, 27, 0, 0)}, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestMonthlyFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		seedMonth(t, db)
		ctx := context.Background()
		p, _ := stats.ParseMonth("2026-10", at(2026, 11, 10, 0, 0))
		m, err := stats.ComputeMonthly(ctx, db, "2026-10", stats.Scope{Period: p})
		if err != nil {
			t.Fatal(err)
		}
		if m.Helped != 6 || m.People != 4 {
			t.Errorf("helped %d person-times, %d people; want 6, 4", m.Helped, m.People)
		}
		// Left in October: 1 day 10:01 (arrived 30 September), 2 days, 30 seconds, 5 days, 1 day.
		wantAvg := stats.Centidays((24*time.Hour + 10*time.Hour + time.Minute + 2*24*time.Hour + 30*time.Second + 5*24*time.Hour + 24*time.Hour) / 5)
		if m.Exited != 5 || m.AvgDaysCent != wantAvg {
			t.Errorf("exited %d, average %d centidays; want 5, %d", m.Exited, m.AvgDaysCent, wantAvg)
		}
		check := func(key string, want map[string]int64) {
			t.Helper()
			tb := m.Table(key)
			if tb == nil {
				t.Fatalf("no table %s", key)
			}
			var sum int64
			for _, r := range tb.Rows {
				sum += r.N
				if r.N != want[r.Group] {
					t.Errorf("%s %s: %d, want %d", key, r.Group, r.N, want[r.Group])
				}
			}
			if stats.MonthlyByExit.Additive && key != "monthly.special" && sum != m.Helped {
				t.Errorf("%s sums to %d, not %d", key, sum, m.Helped)
			}
		}
		check("monthly.by_sex", map[string]int64{"male": 2, "female": 3, "unknown": 1})
		check("monthly.by_age", map[string]int64{stats.Age0to6: 2, stats.Age7to18: 1, stats.Age19to59: 1, stats.Age60Plus: 1, stats.GroupUnknown: 1})
		check("monthly.by_health", map[string]int64{stats.HealthWell: 2, stats.HealthIll: 1, stats.HealthMental: 1, stats.GroupUnknown: 2})
		check("monthly.by_province", map[string]int64{"410000": 2, "510000": 1, stats.GroupUnknown: 3})
		check("monthly.by_exit", map[string]int64{stats.ExitTicket: 1, stats.ExitInCare: 2, stats.ExitAbsconded: 1, stats.ExitDied: 1, stats.ExitTerminated: 1})
		check("monthly.special", map[string]int64{stats.SpecialMinor: 3, stats.SpecialElderly: 1, stats.SpecialDisabled: 1, stats.SpecialForeign: 1, stats.SpecialTrafficked: 1})

		// By day, the helped person-times fall on their arrival day in China time.
		rows, err := stats.MonthlyHelped.Count(ctx, db, stats.Query{Scope: stats.Scope{Period: p}, By: stats.ByDay})
		if err != nil {
			t.Fatal(err)
		}
		if rows[0].Day != "2026-10-01" || rows[len(rows)-1].Day != "2026-10-31" {
			t.Errorf("days: %+v", rows)
		}
	})
}

func TestMonthlySubmitFreezes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seedMonth(t, db)
		ctx := context.Background()
		dept := station(t, db)
		now := at(2026, 11, 6, 9, 0)
		m := &stats.Monthly{Store: db, Now: func() time.Time { return now }}
		staff := staff
		staff.DepartmentID = dept

		// Due on 5 November: overdue on the 6th, on the staff's home page.
		r, err := m.Reminder(ctx, staff)
		if err != nil || r == nil || r.Month != "2026-10" || r.DueOn != "2026-11-05" || !r.Overdue {
			t.Fatalf("reminder %+v %v", r, err)
		}
		if r, _ := m.Reminder(ctx, leader); r != nil {
			t.Error("the leader does not submit: no reminder")
		}

		// Bad input stores nothing: the running month and a future one.
		for _, month := range []string{"2026-11", "2027-01", "2026-13"} {
			if _, err := m.Submit(ctx, staff, dept, month, ""); !errs.Is(errs.Invalid, err) {
				t.Errorf("%s: %v", month, err)
			}
		}
		// Permissions: the leader reads, never submits; patrols do neither.
		if _, err := m.Submit(ctx, leader, dept, "2026-10", ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("leader submits: %v", err)
		}
		if _, err := m.View(ctx, patrol, dept, "2026-10", 0); !errs.Is(errs.Forbidden, err) {
			t.Errorf("patrol views: %v", err)
		}
		if vs, _ := db.MonthlyVersions(ctx, dept, "2026-11"); len(vs) != 0 {
			t.Fatal("a refused submission was stored")
		}

		v1, err := m.Submit(ctx, staff, dept, "2026-10", "")
		if err != nil || v1.Version != 1 || v1.Figures.Helped != 6 || v1.SubmittedBy != "站员" {
			t.Fatalf("%+v %v", v1, err)
		}
		if r, _ := m.Reminder(ctx, staff); r != nil {
			t.Error("reminder after submitting")
		}
		// Records change after submitting: a late-entered stay in October.
		f.stay(f.person(nil), at(2026, 10, 30, 9, 0), time.Time{}, "")
		v, err := m.View(ctx, leader, dept, "2026-10", 1)
		if err != nil {
			t.Fatal(err)
		}
		if v.Figures().Helped != 6 || v.Live.Helped != 7 || !v.Changed || v.CanSubmit {
			t.Errorf("version 1 shows %d (live %d, changed %v)", v.Figures().Helped, v.Live.Helped, v.Changed)
		}
		// A correction needs a reason, then makes version 2 and keeps 1.
		if _, err := m.Submit(ctx, staff, dept, "2026-10", " "); !errs.Is(errs.Invalid, err) {
			t.Errorf("correction without a note: %v", err)
		}
		v2, err := m.Submit(ctx, staff, dept, "2026-10", "补录一人")
		if err != nil || v2.Version != 2 || v2.Figures.Helped != 7 {
			t.Fatalf("%+v %v", v2, err)
		}
		vs, err := db.MonthlyVersions(ctx, dept, "2026-10")
		if err != nil || len(vs) != 2 || vs[0].Figures.Helped != 6 || vs[1].Figures.Helped != 7 || vs[1].Note != "补录一人" {
			t.Fatalf("versions %v %v", vs, err)
		}
		if vs[0].Figures.Table("monthly.by_sex").N("unknown") != 1 || vs[1].Figures.Table("monthly.by_sex").N("unknown") != 2 {
			t.Error("the breakdowns are not frozen with their version")
		}
		if _, err := m.View(ctx, leader, dept, "2026-10", 3); !errs.Is(errs.NotFound, err) {
			t.Errorf("version 3: %v", err)
		}
		// Submitting the same version twice (two tabs) is a conflict.
		if err := db.AddMonthlyVersion(ctx, &stats.MonthlyReport{ID: id.New(), DepartmentID: dept, Month: "2026-10", Version: 2,
			SubmittedBy: "x", SubmittedAt: now}, audit.Entry{}); !errs.Is(errs.Conflict, err) {
			t.Errorf("a second version 2: %v", err)
		}
	})
}

// TestIndicatorsNamed: every monthly and outcome indicator, breakdown row
// and measure has its words in both languages.
func TestIndicatorsNamed(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, ind := range append(append([]stats.Indicator{}, stats.MonthlyIndicators...), stats.OutcomeIndicators...) {
		keys = append(keys, "stat."+ind.Key, "stat."+ind.Key+".def")
	}
	for table, groups := range map[string][]string{"monthly.by_sex": stats.SexGroups, "monthly.by_age": stats.AgeGroups,
		"monthly.by_health": stats.HealthGroups, "monthly.by_exit": stats.ExitGroups, "monthly.special": stats.SpecialGroups} {
		for _, g := range groups {
			keys = append(keys, table+"."+g)
		}
	}
	for _, m := range stats.Measures {
		keys = append(keys, "outcome.measure."+m.Key, "outcome.better."+m.Better)
	}
	for _, b := range stats.LOSBands {
		keys = append(keys, "outcome.los."+b.Key)
	}
	for _, g := range stats.ReturnGroups {
		keys = append(keys, "outcome.returns."+g)
	}
	keys = append(keys, "outcome.first."+stats.FirstTime, "outcome.first."+stats.Repeat, "monthly.unknown", "monthly.month_words")
	for m := 1; m <= 12; m++ {
		keys = append(keys, fmt.Sprintf("monthly.mon.%d", m))
	}
	for _, k := range keys {
		for _, lang := range i18n.Languages {
			if got := cat.T(lang, k); got == k || got == "" {
				t.Errorf("%s has no %s words", k, lang)
			}
		}
	}
}
