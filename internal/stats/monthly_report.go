package stats

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

// MonthlyDueDay is the day of the next month the report is due on.
const MonthlyDueDay = 5

// MonthlyReport is one submitted version of a month's report: the
// figures frozen as they were submitted, by whom and when. A correction
// is a new version; earlier versions are kept.
type MonthlyReport struct {
	ID           string
	DepartmentID string
	Month        string // YYYY-MM
	Version      int
	Figures      MonthlyFigures
	Note         string // why a correction was made
	SubmittedBy  string
	SubmittedAt  time.Time
}

// FiguresJSON is the snapshot as stored.
func (r *MonthlyReport) FiguresJSON() (string, error) {
	b, err := json.Marshal(r.Figures)
	return string(b), err
}

// MonthlyStore is what the monthly report needs from storage.
type MonthlyStore interface {
	StaySource
	// MonthlyVersions lists a month's submitted versions, oldest first.
	MonthlyVersions(ctx context.Context, departmentID, month string) ([]*MonthlyReport, error)
	// AddMonthlyVersion stores r as a new version: Conflict when a version
	// with its number exists already (submitted meanwhile).
	AddMonthlyVersion(ctx context.Context, r *MonthlyReport, e audit.Entry) error
	// MonthSubmitted reports whether the month has a submitted version.
	MonthSubmitted(ctx context.Context, departmentID, month string) (bool, error)
}

// Monthly is the monthly statistics report.
type Monthly struct {
	Store MonthlyStore
	Now   func() time.Time
}

func (m *Monthly) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

// ParseMonth reads a month (YYYY-MM) that is over: a future month or the
// running one is refused (err.month_future, err.month_running), as its
// figures are not final. Errors are errs.Invalid on the field "month".
func ParseMonth(s string, now time.Time) (Period, error) {
	const op = "stats.ParseMonth"
	t, err := time.ParseInLocation("2006-01", strings.TrimSpace(s), CST)
	if err != nil || t.Year() < 2000 {
		return Period{}, errs.InvalidFields(op, map[string]string{"month": "err.invalid_month"})
	}
	l := now.In(CST)
	running := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, CST)
	switch {
	case t.After(running):
		return Period{}, errs.InvalidFields(op, map[string]string{"month": "err.month_future"})
	case t.Equal(running):
		return Period{}, errs.InvalidFields(op, map[string]string{"month": "err.month_running"})
	}
	return Period{From: t.Format(time.DateOnly), To: t.AddDate(0, 1, -1).Format(time.DateOnly)}, nil
}

// LastMonth is the month before now's (YYYY-MM).
func LastMonth(now time.Time) string {
	l := now.In(CST)
	return time.Date(l.Year(), l.Month()-1, 1, 0, 0, 0, 0, CST).Format("2006-01")
}

// DueOn is the day (YYYY-MM-DD) a month's report is due: the 5th of the
// next month.
func DueOn(month string) string {
	t, err := time.ParseInLocation("2006-01", month, CST)
	if err != nil {
		return ""
	}
	return time.Date(t.Year(), t.Month()+1, MonthlyDueDay, 0, 0, 0, 0, CST).Format(time.DateOnly)
}

// MonthlyView is a month's report as a page shows it.
type MonthlyView struct {
	Month        string
	DepartmentID string
	DueOn        string
	Live         *MonthlyFigures  // from the records now
	Versions     []*MonthlyReport // submitted, oldest first
	Shown        *MonthlyReport   // the version asked for; nil shows the live figures
	Changed      bool             // the records now give other figures than the latest version
	CanSubmit    bool
}

// Figures are the figures the view shows: the version asked for, else
// the live ones.
func (v *MonthlyView) Figures() *MonthlyFigures {
	if v.Shown != nil {
		return &v.Shown.Figures
	}
	return v.Live
}

// Latest is the newest submitted version, or nil.
func (v *MonthlyView) Latest() *MonthlyReport {
	if len(v.Versions) == 0 {
		return nil
	}
	return v.Versions[len(v.Versions)-1]
}

// View opens a month's report for the station departmentID: version 0
// shows the figures from the records now, a version number that version
// as submitted.
func (m *Monthly) View(ctx context.Context, a auth.Actor, departmentID, month string, version int) (*MonthlyView, error) {
	const op = "stats.Monthly.View"
	if !slices.Contains(a.Scopes, auth.ScopeStatisticsRead) { // the statistics API reads it too
		if err := a.RequireAny(op, auth.PermMonthlyView, auth.PermMonthlySubmit); err != nil {
			return nil, err
		}
	}
	p, err := ParseMonth(month, m.now())
	if err != nil {
		return nil, err
	}
	month = p.From[:7]
	v := &MonthlyView{Month: month, DepartmentID: departmentID, DueOn: DueOn(month), CanSubmit: a.Can(auth.PermMonthlySubmit)}
	if v.Live, err = ComputeMonthly(ctx, m.Store, month, Scope{Period: p, DepartmentID: departmentID}); err != nil {
		return nil, err
	}
	if v.Versions, err = m.Store.MonthlyVersions(ctx, departmentID, month); err != nil {
		return nil, err
	}
	if version != 0 {
		for _, r := range v.Versions {
			if r.Version == version {
				v.Shown = r
			}
		}
		if v.Shown == nil {
			return nil, errs.E(errs.NotFound, op, "err.not_found")
		}
	}
	if l := v.Latest(); l != nil {
		a, _ := json.Marshal(l.Figures)
		b, _ := json.Marshal(v.Live)
		v.Changed = string(a) != string(b)
	}
	return v, nil
}

// Submit freezes a month's figures as the next version. A correction (a
// version after the first) needs a note saying why. Nothing is stored
// when the month is not over.
func (m *Monthly) Submit(ctx context.Context, a auth.Actor, departmentID, month, note string) (*MonthlyReport, error) {
	const op = "stats.Monthly.Submit"
	if err := a.Require(op, auth.PermMonthlySubmit); err != nil {
		return nil, err
	}
	now := m.now()
	p, err := ParseMonth(month, now)
	if err != nil {
		return nil, err
	}
	if departmentID == "" {
		return nil, errs.InvalidFields(op, map[string]string{"department": "err.required"})
	}
	month = p.From[:7]
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > 500 {
		return nil, errs.InvalidFields(op, map[string]string{"note": "err.too_long"})
	}
	prev, err := m.Store.MonthlyVersions(ctx, departmentID, month)
	if err != nil {
		return nil, err
	}
	if len(prev) > 0 && note == "" {
		return nil, errs.InvalidFields(op, map[string]string{"note": "err.correction_note"})
	}
	fig, err := ComputeMonthly(ctx, m.Store, month, Scope{Period: p, DepartmentID: departmentID})
	if err != nil {
		return nil, err
	}
	r := &MonthlyReport{ID: id.New(), DepartmentID: departmentID, Month: month, Version: len(prev) + 1, Figures: *fig,
		Note: note, SubmittedBy: a.Name, SubmittedAt: now.UTC()}
	e := a.Entry("monthly.submit", "monthly_report", r.ID)
	e.Detail = month
	if err := m.Store.AddMonthlyVersion(ctx, r, e); err != nil {
		return nil, err
	}
	return r, nil
}

// MonthlyReminder is the home page's reminder: last month's report is
// not submitted yet.
type MonthlyReminder struct {
	Month   string
	DueOn   string
	Overdue bool // the due day is past
}

// Reminder returns the reminder for the actor's station, or nil: only
// for those who submit, and only until last month is submitted.
func (m *Monthly) Reminder(ctx context.Context, a auth.Actor) (*MonthlyReminder, error) {
	if !a.Can(auth.PermMonthlySubmit) || a.DepartmentID == "" {
		return nil, nil
	}
	now := m.now()
	month := LastMonth(now)
	done, err := m.Store.MonthSubmitted(ctx, a.DepartmentID, month)
	if err != nil || done {
		return nil, err
	}
	due := DueOn(month)
	return &MonthlyReminder{Month: month, DueOn: due, Overdue: now.In(CST).Format(time.DateOnly) > due}, nil
}
