package health

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// ReferralView is a referral as its reader sees it: the person as far as
// the hospital needs (reference, name, sex, age; no ID number), the
// hospital and the notes.
type ReferralView struct {
	*Referral
	Person   *cases.Person
	Hospital *auth.Department
	Notes    []*Note
}

func (s *Service) view(ctx context.Context, r *Referral) (*ReferralView, error) {
	p, err := s.Store.PersonByID(ctx, r.PersonID)
	if err != nil {
		return nil, err
	}
	h, err := s.Store.DepartmentByID(ctx, r.HospitalID)
	if err != nil {
		return nil, err
	}
	notes, err := s.Store.ReferralNotes(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	// The hospital sees who the person is, not their identity documents:
	// an age, not the birth date (neither readers of a referral may see
	// the ID number it would help rebuild).
	shown := cases.Redacted(&cases.Person{ID: p.ID, Ref: p.Ref, Name: p.Name, Sex: p.Sex, BirthDate: p.BirthDate, AgeMin: p.AgeMin, AgeMax: p.AgeMax,
		Mental: p.Mental, Flags: p.Flags, Marks: p.Marks, Identified: p.Identified}, s.now())
	return &ReferralView{Referral: r, Person: shown, Hospital: h, Notes: notes}, nil
}

// Refer sends a person to a partner hospital through the green channel.
func (s *Service) Refer(ctx context.Context, a auth.Actor, personID, stayID, hospitalID, reason string, urgent bool) (*Referral, error) {
	const op = "health.Refer"
	if err := a.Require(op, auth.PermHealthManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	if h, err := s.Store.DepartmentByID(ctx, hospitalID); err != nil || h.Kind != "hospital" {
		f["hospital_id"] = "err.not_hospital"
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		f["reason"] = "err.required"
	} else if !form.TextOK(reason, 2000) {
		f["reason"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	open, err := s.Store.Referrals(ctx, hospitalID, []string{p.ID}, true)
	if err != nil {
		return nil, err
	}
	if len(open) > 0 {
		return nil, errs.E(errs.Conflict, op, "err.referral_open")
	}
	now := s.now()
	r := &Referral{ID: id.New(), PersonID: p.ID, StayID: stayID, HospitalID: hospitalID, Reason: reason, Urgent: urgent, State: Referred,
		ReferredAt: now, Version: 1, UpdatedAt: now, ByName: a.Name}
	return r, s.Store.AddReferral(ctx, r, a.Entry("referral.create", "person", p.ID))
}

// mayRead reports whether a may see referral r: medical staff see all, a
// hospital's users their own.
func mayRead(a auth.Actor, r *Referral) bool {
	return a.Can(auth.PermHealthView) || (a.Can(auth.PermReferralsHospital) && a.DepartmentID == r.HospitalID)
}

// Referrals lists referrals: all for medical staff (open ones, or all with
// all), a hospital's own for its users.
func (s *Service) Referrals(ctx context.Context, a auth.Actor, all bool) ([]*ReferralView, error) {
	const op = "health.Referrals"
	hospital := ""
	switch {
	case a.Can(auth.PermHealthView):
	case a.Can(auth.PermReferralsHospital):
		hospital = a.DepartmentID
		if hospital == "" {
			return nil, nil
		}
	default:
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	list, err := s.Store.Referrals(ctx, hospital, nil, !all)
	if err != nil {
		return nil, err
	}
	e := a.Entry("referral.list", "referral", "")
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	out := make([]*ReferralView, 0, len(list))
	for _, r := range list {
		v, err := s.view(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// Referral opens one referral (audited). A hospital user asking for
// another hospital's referral gets NotFound, as if it did not exist.
func (s *Service) Referral(ctx context.Context, a auth.Actor, referralID string) (*ReferralView, error) {
	const op = "health.Referral"
	if err := a.RequireAny(op, auth.PermHealthView, auth.PermReferralsHospital); err != nil {
		return nil, err
	}
	r, err := s.Store.ReferralByID(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, r) {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("referral.view", "person", r.PersonID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return s.view(ctx, r)
}

// next says who may move a referral from one state to another: the
// station's medical staff send the person and may cancel; the hospital
// admits and discharges.
var next = map[string]map[string]auth.Permission{
	Referred:    {Transferred: auth.PermHealthManage, Cancelled: auth.PermHealthManage, Admitted: auth.PermReferralsHospital},
	Transferred: {Admitted: auth.PermReferralsHospital, Cancelled: auth.PermHealthManage},
	Admitted:    {Discharged: auth.PermReferralsHospital},
}

// MayAdvance reports whether a may move r to state to.
func MayAdvance(a auth.Actor, r *Referral, to string) bool {
	perm, ok := next[r.State][to]
	return ok && a.Can(perm) && (perm != auth.PermReferralsHospital || a.DepartmentID == r.HospitalID)
}

// Advance moves a referral on, with a note.
func (s *Service) Advance(ctx context.Context, a auth.Actor, referralID, to, text string, version int) (*Referral, error) {
	const op = "health.Advance"
	if err := a.RequireAny(op, auth.PermHealthView, auth.PermReferralsHospital); err != nil {
		return nil, err
	}
	r, err := s.Store.ReferralByID(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if !mayRead(a, r) && !a.Can(auth.PermHealthManage) {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	perm, ok := next[r.State][to]
	if !ok {
		return nil, errs.E(errs.Conflict, op, "err.referral_step")
	}
	if !a.Can(perm) || (perm == auth.PermReferralsHospital && a.DepartmentID != r.HospitalID) {
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if r.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	text = strings.TrimSpace(text)
	if !form.TextOK(text, 2000) {
		return nil, errs.InvalidFields(op, map[string]string{"text": "err.too_long"})
	}
	if to == Discharged && text == "" {
		return nil, errs.InvalidFields(op, map[string]string{"text": "err.discharge_note"})
	}
	now := s.now()
	r.State, r.UpdatedAt = to, now
	switch to {
	case Transferred:
		r.TransferredAt = now
	case Admitted:
		r.AdmittedAt = now
	case Discharged:
		r.DischargedAt = now
	}
	n := &Note{ID: id.New(), ReferralID: r.ID, At: now, Kind: to, Text: text, AuthorName: a.Name, AuthorDept: a.DepartmentID}
	e := a.Entry("referral."+to, "person", r.PersonID)
	if err := s.Store.UpdateReferral(ctx, r, n, e); err != nil {
		return nil, err
	}
	r.Version++
	return r, nil
}

// AddNote adds a treatment or progress note (the hospital on its own
// referrals, medical staff on any).
func (s *Service) AddNote(ctx context.Context, a auth.Actor, referralID, text string) error {
	const op = "health.AddNote"
	if err := a.RequireAny(op, auth.PermHealthView, auth.PermReferralsHospital); err != nil {
		return err
	}
	r, err := s.Store.ReferralByID(ctx, referralID)
	if err != nil {
		return err
	}
	if !mayRead(a, r) {
		return errs.E(errs.NotFound, op, "err.not_found")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return errs.InvalidFields(op, map[string]string{"text": "err.required"})
	}
	if !form.TextOK(text, 2000) {
		return errs.InvalidFields(op, map[string]string{"text": "err.too_long"})
	}
	n := &Note{ID: id.New(), ReferralID: r.ID, At: s.now(), Kind: "note", Text: text, AuthorName: a.Name, AuthorDept: a.DepartmentID}
	return s.Store.AddReferralNote(ctx, n, a.Entry("referral.note", "person", r.PersonID))
}
