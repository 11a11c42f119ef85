// Package duties is Haven's one small schedule engine: recurring duties
// (a canteen's morning check, a cold unit's twice-daily temperature log, a
// fire patrol every two hours at night, a monthly inspection, an
// extinguisher's service) and one-off ones (a sample due for discard),
// each with its next due time and a state computed at the moment it is
// looked at: open, due soon, overdue, done, done late. Case deadlines
// (internal/cases) use the same states and StateAt.
//
// Only the next occurrence of a duty is stored (next_due_at, indexed), so
// what is due today costs what is due, never the history; each completion
// is kept as a Run with how it ended.
package duties

import (
	"context"
	"time"
)

// State of a duty or of one occurrence.
type State = string

// States. The names are those of the case deadlines.
const (
	Open     State = "open"
	DueSoon  State = "due_soon"
	Overdue  State = "overdue"
	Done     State = "done"
	DoneLate State = "done_late"
)

// StateAt is the state at now of something due at due and done at done
// (zero: not done yet), due soon from soon before it falls due. Done at
// exactly due is on time; overdue starts just after due.
func StateAt(due, done time.Time, soon time.Duration, now time.Time) State {
	switch {
	case !done.IsZero() && done.After(due):
		return DoneLate
	case !done.IsZero():
		return Done
	case now.After(due):
		return Overdue
	case !due.After(now.Add(soon)):
		return DueSoon
	}
	return Open
}

// Units of a Period.
const (
	Hour  = "hour"
	Day   = "day"
	Month = "month"
)

// Period is how often a duty recurs: every N hours, days or months. The
// zero Period is a one-off duty.
type Period struct {
	N    int
	Unit string
}

// Every builds a Period.
func Every(n int, unit string) Period { return Period{N: n, Unit: unit} }

// Once reports whether p is a one-off.
func (p Period) Once() bool { return p.N <= 0 }

// Valid reports whether p is a one-off or a known unit.
func (p Period) Valid() bool {
	return p.Once() || p.Unit == Hour || p.Unit == Day || p.Unit == Month
}

// After returns t one period on (days and months by the calendar).
func (p Period) After(t time.Time) time.Time {
	switch p.Unit {
	case Hour:
		return t.Add(time.Duration(p.N) * time.Hour)
	case Day:
		return t.AddDate(0, 0, p.N)
	case Month:
		return t.AddDate(0, p.N, 0)
	}
	return t
}

// Duty is one recurring or one-off duty. Area and Kind say what it is
// ("canteen"/"morning_check", "fire"/"night_patrol"); Subject names what
// it is about (a cold unit, a checkpoint, an extinguisher), "" for the
// area as a whole. Area, Kind and Subject together are unique.
type Duty struct {
	ID       string
	Area     string
	Kind     string
	Subject  string
	Title    string // what people read; may be a translation key
	Every    Period
	Soon     time.Duration // "due soon" from this long before NextDue
	NextDue  time.Time
	LastDone time.Time
	LastBy   string
	Active   bool // a one-off duty done, or a duty retired: false
}

// State is the duty's state at now: that of its next occurrence.
func (d Duty) State(now time.Time) State { return StateAt(d.NextDue, time.Time{}, d.Soon, now) }

// Run is one completion of a duty: the occurrence it closed and how.
type Run struct {
	ID       string
	DutyID   string
	DueAt    time.Time
	DoneAt   time.Time
	DoneBy   string
	State    State  // Done or DoneLate
	RecordID string // the record that did it (a temperature reading, a check), if any
}

// Complete closes the duty's current occurrence by a completion at done:
// the run, and the duty with its next occurrence (the first one after
// done, so that missed occurrences are not owed twice) or inactive for a
// one-off. A recurring duty's occurrence may be done from Soon before it
// falls due; ok is false when done is earlier than that (it would count
// for an occurrence not yet open) or the duty is inactive: nothing changes.
func Complete(d Duty, done time.Time, by, record string) (next Duty, run Run, ok bool) {
	if !d.Active {
		return d, Run{}, false
	}
	if !d.Every.Once() && done.Before(d.NextDue.Add(-d.Soon)) {
		return d, Run{}, false
	}
	run = Run{DutyID: d.ID, DueAt: d.NextDue, DoneAt: done, DoneBy: by, State: StateAt(d.NextDue, done, d.Soon, done), RecordID: record}
	next = d
	next.LastDone, next.LastBy = done, by
	if d.Every.Once() {
		next.Active = false
		return next, run, true
	}
	n := d.Every.After(d.NextDue)
	for !n.After(done) {
		n = d.Every.After(n)
	}
	next.NextDue = n
	return next, run, true
}

// Store keeps duties. Methods return errs.NotFound for an unknown duty
// and errs.Conflict when a duty changed since it was read.
type Store interface {
	// EnsureDuty adds d unless a duty of its area, kind and subject
	// exists; either way it returns the stored duty.
	EnsureDuty(ctx context.Context, d Duty) (*Duty, error)
	// DutyByKey finds a duty by area, kind and subject.
	DutyByKey(ctx context.Context, area, kind, subject string) (*Duty, error)
	// DutyByID finds a duty.
	DutyByID(ctx context.Context, id string) (*Duty, error)
	// DutiesDue lists an area's active duties due at or before until,
	// soonest first, through the index on (area, active, next_due_at).
	DutiesDue(ctx context.Context, area string, until time.Time) ([]*Duty, error)
	// SaveRun stores run and moves the duty to next, provided the duty
	// still falls due at prevDue (else Conflict).
	SaveRun(ctx context.Context, next Duty, prevDue time.Time, run Run) error
}

// Completer completes a duty found by key, as records that fulfil it are
// stored; the domain services call it.
type Completer struct{ Store Store }

// Done completes the area's duty of kind and subject at done, if there is
// one and done counts; it reports the run when one was recorded.
func (c Completer) Done(ctx context.Context, area, kind, subject string, done time.Time, by, record string) (*Run, error) {
	d, err := c.Store.DutyByKey(ctx, area, kind, subject)
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, d, done, by, record)
}

// DoneByID completes a duty found by id.
func (c Completer) DoneByID(ctx context.Context, id string, done time.Time, by string) (*Run, error) {
	d, err := c.Store.DutyByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, d, done, by, "")
}

func (c Completer) complete(ctx context.Context, d *Duty, done time.Time, by, record string) (*Run, error) {
	next, run, ok := Complete(*d, done, by, record)
	if !ok {
		return nil, nil
	}
	if err := c.Store.SaveRun(ctx, next, d.NextDue, run); err != nil {
		return nil, err
	}
	return &run, nil
}
