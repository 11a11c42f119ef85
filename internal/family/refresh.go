package family

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/id"
)

// Matching runs beside the requests, never in them. A request that
// changes a person or a report commits the change with an event in the
// log (events.TopicPerson, TopicReport) and returns. Every node keeps the
// index in memory (index.go), built once when it starts and then changed
// record by record as it reads the log: after local commits, on NOTIFY
// from another node, and every matchPoll. The node holding the matchLease
// also searches again what each change touches, saves the proposals and
// moves the store's matched mark past the events it has matched; a record
// with an event after the mark shows "matching…".
const (
	matchLease = "family-match"
	leaseTTL   = 30 * time.Second
	matchPoll  = 2 * time.Second
	matchGap   = 200 * time.Millisecond // at most five rounds a second, however busy the log
	markEvery  = 10 * time.Second       // the mark follows the log this often when nothing is matched
	batchSize  = 1000
)

// Run keeps this node's index and, while this node holds the lease, the
// proposals up to date until ctx ends. onError hears what failed (the
// next round tries again).
func (s *Service) Run(ctx context.Context, wake <-chan struct{}, onError func(error)) {
	t := time.NewTicker(matchPoll)
	defer t.Stop()
	for {
		if err := s.CatchUp(ctx); err != nil && ctx.Err() == nil && onError != nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(matchGap):
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// CatchUp applies every change logged since the last call: at the first
// call it builds the index (and, holding the lease, matches everything
// once); then it replaces the changed records and, holding the lease,
// searches again what they touch and saves the proposals.
func (s *Service) CatchUp(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if s.holder == "" {
		s.holder = id.New()
	}
	if now.Sub(s.leaseAt) > leaseTTL/3 {
		lead, err := s.Store.TryLease(ctx, matchLease, s.holder, leaseTTL)
		if err != nil {
			return err
		}
		s.lead, s.leaseAt = lead, now
	}
	if s.idx == nil {
		if err := s.build(ctx); err != nil {
			return err
		}
	}
	if !s.lead {
		s.idx.matched = false
	} else if !s.idx.matched {
		// Start-up, or taking over from another node: match everything
		// once, which also heals what a node that stopped left undone.
		if err := s.saveAll(ctx); err != nil {
			return err
		}
	}
	// Twice at most: the statuses the first pass moved are events too
	// (they change nothing matching reads, but the mark should pass them).
	applied := false
	for range 2 {
		more, err := s.follow(ctx)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		applied = true
	}
	if s.lead && s.idx.matched && (applied || now.Sub(s.markAt) > markEvery) {
		return s.mark(ctx)
	}
	return nil
}

// follow applies the events logged since the last one applied and
// reports whether there were any of family search's topics.
func (s *Service) follow(ctx context.Context) (bool, error) {
	through, err := s.Store.LastEventID(ctx)
	if err != nil || through <= s.seq {
		return false, err
	}
	applied := false
	for {
		evs, err := s.Store.MatchChanges(ctx, s.seq, through, batchSize)
		if err != nil {
			return applied, err
		}
		if len(evs) == 0 {
			break
		}
		if err := s.apply(ctx, evs); err != nil {
			return applied, err
		}
		applied = true
		if len(evs) < batchSize {
			break
		}
	}
	// Events become visible in id order: none up to through is to come.
	s.seq = through
	return applied, nil
}

// mark moves the store's matched mark to the last event applied.
func (s *Service) mark(ctx context.Context) error {
	s.markAt = time.Now()
	return s.Store.SetMatchedThrough(ctx, s.seq)
}

// Refresh builds the index afresh from the store, matches everything
// and saves the proposals: what a start-up does.
func (s *Service) Refresh(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.build(ctx); err != nil {
		return err
	}
	return s.saveAll(ctx)
}

// AskRefresh asks the matching node to build its index afresh and match
// everything (the review queue's button).
func (s *Service) AskRefresh(ctx context.Context, a auth.Actor) error {
	if err := a.Require("family.AskRefresh", auth.PermFamilyManage); err != nil {
		return err
	}
	return s.Store.AskRematch(ctx, a.Entry("match.refresh", "candidate", ""))
}

// PersonMatching reports whether a change to the person waits for
// matching: their proposals are not yet up to date.
func (s *Service) PersonMatching(ctx context.Context, personID string) (bool, error) {
	return s.Store.MatchPending(ctx, events.TopicPerson, personID)
}

// build loads every record into a new index; the log is read from the
// event before the load.
func (s *Service) build(ctx context.Context) error {
	seq, err := s.Store.LastEventID(ctx)
	if err != nil {
		return err
	}
	// The people are read and indexed a page at a time: at 10^6 people
	// their rows would take gigabytes at once, their records a few
	// hundred megabytes.
	active, err := s.Store.ActiveReports(ctx)
	if err != nil {
		return err
	}
	x := s.newIndex(nil, active)
	for after := ""; ; {
		subjects, last, err := s.Store.SubjectsAfter(ctx, after, buildPage)
		if err != nil {
			return err
		}
		if last == "" {
			break
		}
		x.addSubjects(s, subjects)
		after = last
	}
	x.trim()
	s.idx, s.seq = x, seq
	// The rows and records read to build it are garbage now, hundreds of
	// megabytes at 10^6 people: give their memory back to the system
	// now rather than over the next minutes.
	debug.FreeOSMemory()
	return nil
}

// buildPage is how many person records the build reads at a time.
var buildPage = 5000

// saveAll matches everything and replaces the stored proposals.
func (s *Service) saveAll(ctx context.Context) error {
	if err := s.Store.ReplaceCandidates(ctx, s.idx.matchAll(s.now())); err != nil {
		s.idx.matched = false
		return err
	}
	if err := s.syncStatuses(ctx, nil); err != nil {
		return err
	}
	return s.mark(ctx)
}

// apply replaces the records the events name and, leading, matches what
// they touch.
func (s *Service) apply(ctx context.Context, evs []events.Event) error {
	last := evs[len(evs)-1].ID
	var personIDs, reportIDs []string
	for _, e := range evs {
		switch e.Topic {
		case events.TopicPerson:
			personIDs = append(personIDs, e.RecordID)
		case events.TopicReport:
			reportIDs = append(reportIDs, e.RecordID)
		case events.TopicMatch:
			if err := s.build(ctx); err != nil {
				return err
			}
			s.seq = last // the load saw every event of the batch
			if !s.lead {
				return nil
			}
			return s.saveAll(ctx)
		}
	}
	subjects, err := s.Store.SubjectsOf(ctx, personIDs)
	if err != nil {
		return err
	}
	reports, err := s.Store.ReportsByIDs(ctx, reportIDs)
	if err != nil {
		return err
	}
	ch := &changes{queries: map[string]bool{}}
	bySubject := map[string]*Subject{}
	for _, x := range subjects {
		bySubject[x.Person.ID] = x
	}
	for _, pid := range personIDs {
		s.idx.putPerson(s, pid, bySubject[pid], ch)
	}
	byReport := map[string]*Report{}
	for _, r := range reports {
		byReport[r.ID] = r
	}
	for _, rid := range reportIDs {
		s.idx.putReport(s, rid, byReport[rid], ch)
	}
	s.seq = last
	if !s.lead || !s.idx.matched {
		return nil
	}
	upsert, gone := s.idx.rematch(ch, s.now())
	if len(upsert) > 0 || len(gone) > 0 {
		if err := s.Store.SaveCandidates(ctx, upsert, gone); err != nil {
			s.idx.matched = false // the next round matches everything
			return err
		}
	}
	sync := map[string]bool{}
	for _, c := range append(upsert, gone...) {
		if c.ReportID != "" {
			sync[c.ReportID] = true
		}
	}
	for _, rid := range reportIDs {
		sync[rid] = true
	}
	ids := make([]string, 0, len(sync))
	for rid := range sync {
		ids = append(ids, rid)
	}
	return s.syncStatuses(ctx, ids)
}

// syncStatuses moves each open report (nil: every one) to review while a
// proposal of it is open and back to open when none is, telling the
// family.
func (s *Service) syncStatuses(ctx context.Context, reportIDs []string) error {
	var active []*Report
	var err error
	if reportIDs == nil {
		active, err = s.Store.ActiveReports(ctx)
	} else if len(reportIDs) > 0 {
		active, err = s.Store.ReportsByIDs(ctx, reportIDs)
	}
	if err != nil || len(active) == 0 {
		return err
	}
	open, err := s.Store.OpenCandidateReports(ctx, reportIDs)
	if err != nil {
		return err
	}
	now := s.now()
	for _, r := range active {
		want := StatusOpen
		if open[r.ID] {
			want = StatusReview
		}
		if !r.Active() || r.Status == want {
			continue
		}
		r.Status, r.UpdatedAt = want, now
		u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: want, Public: true}
		e := auth.Actor{Name: "haven"}.Entry("report.status", "report", r.ID)
		e.Detail = want
		if err := s.Store.UpdateReport(ctx, r, u, e); err != nil && !errs.Is(errs.Conflict, err) {
			return err
		}
	}
	return nil
}
