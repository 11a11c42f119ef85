package family

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Queue lists candidates for review, best first: proposed (or deferred)
// ones, or those of one person.
func (s *Service) Queue(ctx context.Context, a auth.Actor, state, personID string) ([]*CandidateView, error) {
	return s.QueuePage(ctx, a, state, personID, 0, 0)
}

// QueuePage is Queue for one page of limit candidates from offset (all of
// them, up to a thousand, when limit is 0 or personID is given).
func (s *Service) QueuePage(ctx context.Context, a auth.Actor, state, personID string, limit, offset int) ([]*CandidateView, error) {
	const op = "family.Queue"
	if err := a.Require(op, auth.PermFamilyView); err != nil {
		return nil, err
	}
	var states []string
	switch state {
	case "", Proposed:
		states = []string{Proposed}
	case Deferred, Confirmed, Rejected:
		states = []string{state}
	case "all":
	default:
		return nil, errs.InvalidFields(op, map[string]string{"state": "err.invalid_choice"})
	}
	var cs []*Candidate
	var err error
	if personID == "" && limit > 0 {
		cs, err = s.Store.CandidatesPage(ctx, states, limit, max(offset, 0))
	} else {
		cs, err = s.Store.Candidates(ctx, states, personID, "")
	}
	if err != nil {
		return nil, err
	}
	e := a.Entry("match.list", "candidate", "")
	if personID != "" {
		e = a.Entry("match.list", "person", personID)
	}
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return s.explain(ctx, a, cs)
}

// Proposed counts the candidates waiting for review, without reading
// either side of them (a count reveals nothing personal).
func (s *Service) Proposed(ctx context.Context, a auth.Actor) (int, error) {
	if err := a.Require("family.Proposed", auth.PermFamilyView); err != nil {
		return 0, err
	}
	cs, err := s.Store.Candidates(ctx, []string{Proposed}, "", "")
	return len(cs), err
}

// Candidate opens one candidate with its explanation (audited).
func (s *Service) Candidate(ctx context.Context, a auth.Actor, candidateID string) (*CandidateView, error) {
	const op = "family.Candidate"
	if err := a.Require(op, auth.PermFamilyView); err != nil {
		return nil, err
	}
	c, err := s.Store.CandidateByID(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("match.view", "person", c.PersonID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	vs, err := s.explain(ctx, a, []*Candidate{c})
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	return vs[0], nil
}

// Decisions staff take on a candidate.
const (
	DecideConfirm = "confirm"
	DecideReject  = "reject"
	DecideDefer   = "defer"
)

// Decide records a reviewer's decision. Confirm links the person to the
// report (the report is found, the person identified, the family told on
// its progress page, the person's notices marked reunited) or, for an
// earlier record, merges the two records; reject means the pair is never
// proposed again; defer keeps it aside.
func (s *Service) Decide(ctx context.Context, a auth.Actor, candidateID, decision, note string) (*Candidate, error) {
	const op = "family.Decide"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	c, err := s.Store.CandidateByID(ctx, candidateID)
	if err != nil {
		return nil, err
	}
	if c.State != Proposed && c.State != Deferred {
		return nil, errs.E(errs.Conflict, op, "err.candidate_decided")
	}
	note = strings.TrimSpace(note)
	if !form.TextOK(note, 1000) {
		return nil, errs.InvalidFields(op, map[string]string{"note": "err.too_long"})
	}
	now := s.now()
	c.Note, c.DecidedBy, c.DecidedAt, c.UpdatedAt = note, a.Name, now, now
	switch decision {
	case DecideReject:
		if note == "" {
			return nil, errs.InvalidFields(op, map[string]string{"note": "err.reject_reason"})
		}
		c.State = Rejected
		if c.OtherID != "" {
			if err := s.Cases.MarkDistinct(ctx, a, c.PersonID, c.OtherID); err != nil {
				return nil, err
			}
		}
		if err := s.Store.Decide(ctx, c, false, a.Entry("match.reject", "person", c.PersonID)); err != nil {
			return nil, err
		}
	case DecideDefer:
		c.State = Deferred
		if err := s.Store.Decide(ctx, c, false, a.Entry("match.defer", "person", c.PersonID)); err != nil {
			return nil, err
		}
	case DecideConfirm:
		c.State = Confirmed
		if c.OtherID != "" {
			// The same person helped before: one identity, two records.
			if _, err := s.Cases.Merge(ctx, a, c.OtherID, c.PersonID); err != nil {
				return nil, err
			}
			if err := s.Store.Decide(ctx, c, true, a.Entry("match.confirm", "person", c.PersonID)); err != nil {
				return nil, err
			}
			break
		}
		if err := s.confirmReport(ctx, a, c); err != nil {
			return nil, err
		}
	default:
		return nil, errs.InvalidFields(op, map[string]string{"decision": "err.invalid_choice"})
	}
	if c.ReportID != "" {
		return c, s.syncStatuses(ctx, []string{c.ReportID})
	}
	return c, nil
}

// confirmReport closes both sides of a confirmed report match in one
// transaction.
func (s *Service) confirmReport(ctx context.Context, a auth.Actor, c *Candidate) error {
	const op = "family.Confirm"
	r, err := s.Store.ReportByID(ctx, c.ReportID)
	if err != nil {
		return err
	}
	if !r.Active() {
		return errs.E(errs.Conflict, op, "err.report_closed")
	}
	p, err := s.Cases.Store.PersonByID(ctx, c.PersonID)
	if err != nil {
		return err
	}
	if p.MergedInto != "" {
		return errs.E(errs.Conflict, op, "err.already_merged")
	}
	now := s.now()
	r.Status, r.PersonID, r.UpdatedAt = StatusFound, p.ID, now
	p.Identified, p.UpdatedAt = true, now
	if p.Name == "" {
		p.Name = r.Name
	}
	if p.Sex == cases.SexUnknown && r.Sex != cases.SexUnknown {
		p.Sex = r.Sex
	}
	u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "found", Public: true, ByName: a.Name}
	if err := s.Store.Confirm(ctx, c, r, p, u, now, a.Entry("match.confirm", "person", p.ID)); err != nil {
		return err
	}
	// The station hears it on the person's daily record; the family on
	// the progress page, and by the call staff make to the number on the
	// report (no SMS gateway is connected).
	stays, err := s.Cases.Store.StaysOf(ctx, []string{p.ID})
	if err != nil {
		return err
	}
	for _, st := range stays {
		if st.State == cases.StayOpen {
			text := "寻亲比对确认：与寻人登记 " + r.Ref + " 为同一人"
			if c.Note != "" {
				text += "（" + c.Note + "）"
			}
			text += "，请联系家属" + r.ContactRelation + r.ContactName + "安排返乡或接回。"
			return s.Cases.AddNote(ctx, a, st.ID, "service", text)
		}
	}
	return nil
}

// SetConsent records a person's wish not to be matched publicly (or lifts
// it): they are then matched only against the station's own records, get
// no public notice and are left out of PFIF exports. Their published
// notices are withdrawn.
func (s *Service) SetConsent(ctx context.Context, a auth.Actor, personID, reason string, private bool) error {
	const op = "family.SetConsent"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return err
	}
	if _, err := s.Cases.Store.PersonByID(ctx, personID); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if private && reason == "" {
		return errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	}
	if !form.TextOK(reason, 500) {
		return errs.InvalidFields(op, map[string]string{"reason": "err.too_long"})
	}
	now := s.now()
	action := "person.consent_private"
	if !private {
		action = "person.consent_public"
	}
	if err := s.Store.SetConsent(ctx, personID, reason, a.Name, now, private, a.Entry(action, "person", personID)); err != nil {
		return err
	}
	if private {
		return s.Store.SetNoticeState(ctx, personID, NoticeWithdrawn, now, a.Entry("notice.withdraw", "person", personID))
	}
	return nil
}

// Private reports whether a person asked not to be matched publicly.
func (s *Service) Private(ctx context.Context, personID string) (bool, error) {
	m, err := s.Store.PrivatePeople(ctx)
	return m[personID], err
}
