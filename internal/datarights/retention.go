package datarights

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
)

// Retention says how long each kind of personal data is kept once the
// record it belongs to is finished. A period of 0 keeps the data for ever.
// Rows are never deleted: sex, age, dates, places of the stay, exit kinds
// and outcomes stay for statistics; the audit log is never touched.
type Retention struct {
	SignalPhoneDays int // after the incident closed (default 90)
	PhotoDays       int // after the person's last stay ended (default 365)
	IdentityDays    int // after the person's last stay ended (default 1095, three years)
	HealthYears     int // after the person's last stay ended (default 30, as medical records)
}

// DefaultRetention is what a station gets without settings.
var DefaultRetention = Retention{SignalPhoneDays: 90, PhotoDays: 365, IdentityDays: 3 * 365, HealthYears: 30}

// Due is one retention kind's work: how many records it changes, with
// the cutoff it used (records finished before it are due).
type Due struct {
	Kind   string
	Cutoff time.Time
	Count  int
	Photos int // photo files deleted (a run only)
}

type rule struct {
	kind   string
	cutoff time.Time
}

// rules lists the kinds in the order a run applies them: photos before
// identity, so that a dry run's counts are what the run does.
func (r Retention) rules(now time.Time) []rule {
	var out []rule
	add := func(kind string, on bool, cutoff time.Time) {
		if on {
			out = append(out, rule{kind, cutoff})
		}
	}
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	add(RetainSignalPhone, r.SignalPhoneDays > 0, days(r.SignalPhoneDays))
	add(RetainPhotos, r.PhotoDays > 0, days(r.PhotoDays))
	add(RetainIdentity, r.IdentityDays > 0, days(r.IdentityDays))
	add(RetainHealth, r.HealthYears > 0, now.AddDate(-r.HealthYears, 0, 0))
	return out
}

// Plan reports what a run would change now, kind by kind, and changes
// nothing (haven retention --dry-run).
func (s *Service) Plan(ctx context.Context) ([]Due, error) {
	var out []Due
	for _, r := range s.Retention.rules(s.now()) {
		ids, err := s.due(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, Due{Kind: r.kind, Cutoff: r.cutoff, Count: len(ids)})
	}
	return out, nil
}

// Run anonymises everything due, one record per transaction with its
// audit entry, then deletes the photo files no record names any more.
// Running it again changes nothing until more records fall due.
func (s *Service) Run(ctx context.Context) ([]Due, error) {
	now := s.now()
	var out []Due
	for _, r := range s.Retention.rules(now) {
		ids, err := s.due(ctx, r)
		if err != nil {
			return out, err
		}
		d := Due{Kind: r.kind, Cutoff: r.cutoff}
		recordType := "person"
		if r.kind == RetainSignalPhone {
			recordType = "signal"
		}
		for _, id := range ids {
			e := audit.Entry{ActorName: "retention", Action: "retention." + r.kind, RecordType: recordType, RecordID: id,
				Detail: "retention ended " + r.cutoff.Format("2006-01-02")}
			photos, err := s.Store.ApplyRetention(ctx, r.kind, id, now, e)
			if errs.Is(errs.Conflict, err) {
				continue // back in care since the list was made
			}
			if err != nil {
				return append(out, d), err
			}
			d.Count++
			d.Photos += s.deletePhotos(ctx, photos)
		}
		// The next run starts where this one stopped. A record skipped as
		// back in care falls due again when that stay ends.
		if err := s.Store.SetRetentionMark(ctx, r.kind, r.cutoff); err != nil {
			return append(out, d), err
		}
		out = append(out, d)
	}
	return out, nil
}

// due lists what falls under r: what finished since the kind's last run
// (everything on the first run). A cutoff earlier than the mark (a longer
// period set since) finds nothing new: what the shorter period reached is
// already anonymised.
func (s *Service) due(ctx context.Context, r rule) ([]string, error) {
	since, err := s.Store.RetentionMark(ctx, r.kind)
	if err != nil {
		return nil, err
	}
	if !since.IsZero() && !since.Before(r.cutoff) {
		return nil, nil
	}
	return s.Store.DueForRetention(ctx, r.kind, since, r.cutoff)
}
