package cases

import (
	"time"
)

// The station dashboard's figures are counted by the database (issue 16):
// the rules below turn the rule set into thresholds and a small table of
// working-day deadlines that the store's aggregate queries compare
// against, so that the dashboard costs the same whether the station has
// ten stays on file or a decade of them. FiguresInGo is the reference
// computation over loaded stays; a store test checks that both agree.

// DayDue is the DNA deadline of a stay that arrived on Day (YYYY-MM-DD, CST).
type DayDue struct {
	Day string
	Due time.Time
}

// FigureQuery is what the store needs to count the station's figures.
type FigureQuery struct {
	Now          time.Time
	NowDate      string    // Now's date in CST, YYYY-MM-DD
	Since, Until time.Time // the KPI period: stays that arrived in [Since, Until)
	// CurrentOnly counts the people in care and their deadlines only;
	// KPIsOnly the period's KPIs only (and HelpedThisYr).
	CurrentOnly, KPIsOnly bool

	NoticeHours, ReviewMinAge, NoticeUpdateMonths int
	DueSoon                                       time.Duration
	// Thresholds on an open stay's arrival: a deadline of Hours after
	// arrival is overdue when the stay arrived before Overdue* and falls
	// due soon when it arrived at or before DueSoon*.
	NoticeOverdue, NoticeDueSoon       time.Time
	ReviewOverdue, ReviewDueSoon       time.Time
	PlacementOverdue, PlacementDueSoon time.Time
	// Working-day deadlines are a non-decreasing function of the arrival
	// day: overdue when the stay arrived before DNAOverdue, due soon when
	// before DNADueSoon.
	DNAOverdue, DNADueSoon time.Time
	// DNADays gives the DNA deadline for each arrival day of the KPI period.
	DNADays []DayDue
}

// Figures are the station's counts: the people in care and the KPIs of
// the stays that arrived in the period.
type Figures struct {
	InStation    int
	Unidentified int
	Minors       int
	Overdue      int // deadlines of open stays past due
	DueSoon      int
	HelpedThisYr int // people with a stay (not refused) in the period
	KPIs         KPIs
}

// dayStart is midnight CST of t's day.
func dayStart(t time.Time) time.Time {
	l := t.In(CST)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, CST)
}

// dnaCutoff returns the start of the first arrival day whose DNA deadline
// is not before limit (strict) or not at or before limit (!strict): every
// stay that arrived earlier has its deadline passed.
func (r Rules) dnaCutoff(limit time.Time, strict bool) time.Time {
	passed := func(due time.Time) bool {
		if strict {
			return due.Before(limit)
		}
		return !due.After(limit)
	}
	d := dayStart(limit)
	for i := 0; i < 5000 && !passed(r.AfterWorkingDays(d, r.DNAWorkingDays)); i++ {
		d = d.AddDate(0, 0, -1)
	}
	return d.AddDate(0, 0, 1)
}

// FigureQuery returns the thresholds of the dashboard at now for the
// period [since, until).
func (r Rules) FigureQuery(now, since, until time.Time) FigureQuery {
	soon := time.Duration(r.DueSoonHours) * time.Hour
	hours := func(n int) time.Duration { return time.Duration(n) * time.Hour }
	q := FigureQuery{Now: now, NowDate: now.In(CST).Format("2006-01-02"), Since: since, Until: until,
		NoticeHours: r.NoticeHours, ReviewMinAge: r.ReviewMinAge, NoticeUpdateMonths: r.NoticeUpdateMonths, DueSoon: soon,
		NoticeOverdue: now.Add(-hours(r.NoticeHours)), NoticeDueSoon: now.Add(soon - hours(r.NoticeHours)),
		ReviewOverdue: now.Add(-hours(24 * r.ReviewDays)), ReviewDueSoon: now.Add(soon - hours(24*r.ReviewDays)),
		PlacementOverdue: now.Add(-hours(24 * r.PlacementDays)), PlacementDueSoon: now.Add(soon - hours(24*r.PlacementDays)),
		DNAOverdue: r.dnaCutoff(now, true), DNADueSoon: r.dnaCutoff(now.Add(soon), false),
	}
	for d := dayStart(since); d.Before(until); d = d.AddDate(0, 0, 1) {
		q.DNADays = append(q.DNADays, DayDue{Day: d.Format("2006-01-02"), Due: r.AfterWorkingDays(d, r.DNAWorkingDays)})
	}
	return q
}

// FiguresInGo counts the figures over loaded stays: open are the stays in
// care, period those that arrived in the KPI period; people and tasks
// cover both. It is the reference the store's aggregate queries follow.
func (r Rules) FiguresInGo(open, period []*Stay, people map[string]*Person, tasks map[string]map[string]*Task, now time.Time) Figures {
	f := Figures{InStation: len(open)}
	for _, st := range open {
		p := people[st.PersonID]
		for _, dl := range r.Deadlines(st, p, tasks[st.ID], now) {
			switch dl.Status {
			case DeadlineOverdue:
				f.Overdue++
			case DeadlineDueSoon:
				f.DueSoon++
			}
		}
		if !p.Identified {
			f.Unidentified++
		}
		if p.MinorAt(now) {
			f.Minors++
		}
	}
	f.KPIs = r.ComputeKPIs(period, people, tasks, now)
	seen := map[string]bool{}
	for _, st := range period {
		if st.State != StayRefused {
			seen[st.PersonID] = true
		}
	}
	f.HelpedThisYr = len(seen)
	return f
}

// Shares fills the KPIs' shares from their counts.
func (k *KPIs) Shares() {
	share := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	k.EnteredInDayShare = share(k.EnteredInDay, k.Stays)
	k.NoticeShare = share(k.NoticeInTime, k.NoticeDueOrLate)
	k.DNAShare = share(k.DNAInTime, k.DNADueOrLate)
}
