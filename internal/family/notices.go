package family

import (
	"context"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/intake"
)

// NoticeInput is what staff add to a notice beyond the person's record.
type NoticeInput struct {
	FoundPlace string // where the person was found, as the public may know it
	Features   string // 体貌特征 as staff choose to publish them (never copied from the record: a mark may be private)
	Clothing   string // clothing when found
	Accent     string // "" takes the record's dialect
	ShowName   bool   // show the name the person gave
}

// PublicNotice is a notice as the public sees it: built only from the
// public fields, so nothing else can reach a public page or the feed.
type PublicNotice struct {
	Ref        string
	Reunited   bool
	Sex        cases.Sex
	AgeMin     int
	AgeMax     int
	HeightCm   int
	Accent     string
	FoundOn    string
	FoundPlace string
	Features   string
	Clothing   string
	Speech     string
	Name       string // "" when not given or reunited
	HasPhoto   bool   // false when reunited
	Published  time.Time
	Updated    time.Time
	Station    Station
}

func (s *Service) public(n *Notice) *PublicNotice {
	p := &PublicNotice{Ref: n.Ref, Reunited: n.State == NoticeReunited, Sex: n.Sex, AgeMin: n.AgeMin, AgeMax: n.AgeMax, HeightCm: n.HeightCm,
		Accent: n.Accent, FoundOn: n.FoundOn, FoundPlace: n.FoundPlace, Features: n.Features, Clothing: n.Clothing, Speech: n.Speech,
		Published: n.PublishedAt, Updated: n.UpdatedAt, Station: s.Station}
	if !p.Reunited {
		p.Name, p.HasPhoto = n.Name, n.Photo != ""
	}
	return p
}

func (s *Service) noticeDays() int {
	if s.NoticeDays > 0 {
		return s.NoticeDays
	}
	return 180
}

// Publish puts up a notice for an unidentified person in care (the 24 h
// rule), or renews it (the monthly update): the earlier notice is
// withdrawn, the statutory task recorded.
func (s *Service) Publish(ctx context.Context, a auth.Actor, personID string, in NoticeInput) (*Notice, error) {
	const op = "family.Publish"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	p, err := s.Cases.Store.PersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	stays, err := s.Cases.Store.StaysOf(ctx, []string{p.ID})
	if err != nil {
		return nil, err
	}
	var st *cases.Stay
	for _, x := range stays {
		if x.State == cases.StayOpen {
			st = x
		}
	}
	switch {
	case st == nil:
		return nil, errs.E(errs.Conflict, op, "err.notice_not_in_care")
	case p.Identified:
		return nil, errs.E(errs.Conflict, op, "err.notice_identified")
	}
	if private, err := s.Private(ctx, p.ID); err != nil {
		return nil, err
	} else if private {
		return nil, errs.E(errs.Conflict, op, "err.notice_private")
	}
	f := map[string]string{}
	for k, v := range map[string]*string{"found_place": &in.FoundPlace, "features": &in.Features, "clothing": &in.Clothing, "accent": &in.Accent} {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, 200) {
			f[k] = "err.too_long"
		}
	}
	if in.FoundPlace == "" {
		f["found_place"] = "err.required"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	now := s.now()
	n := &Notice{ID: id.New(), Ref: intake.NewRef("XQ"), PersonID: p.ID, StayID: st.ID, State: NoticePublished, Sex: p.Sex, HeightCm: p.HeightCm,
		Accent: firstOf(in.Accent, p.Dialect), FoundOn: st.ArrivedAt.In(cases.CST).Format("2006-01-02"), FoundPlace: in.FoundPlace,
		Features: in.Features, Clothing: in.Clothing, Photo: st.Form.Photo, PublishedAt: now, ExpiresAt: now.AddDate(0, 0, s.noticeDays()), UpdatedAt: now, ByName: a.Name}
	if lo, hi, ok := p.AgeAt(st.ArrivedAt); ok {
		n.AgeMin, n.AgeMax = lo, hi
	}
	if p.Mental == cases.MentalIllness || p.Mental == cases.MentalIntellectual {
		n.Speech = "unclear" // the national notices say whether the person can tell who they are; never a diagnosis
	}
	if in.ShowName {
		n.Name = p.Name
	}
	if c, ok := idcard.RegionByName(n.Accent); ok {
		n.Region = c
	}
	earlier, err := s.Store.NoticesOf(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	renewed := false
	for _, e := range earlier {
		renewed = renewed || e.State == NoticePublished
	}
	if renewed {
		if err := s.Store.SetNoticeState(ctx, p.ID, NoticeWithdrawn, now, a.Entry("notice.withdraw", "person", p.ID)); err != nil {
			return nil, err
		}
	}
	if err := s.Store.AddNotice(ctx, n, a.Entry("notice.publish", "person", p.ID)); err != nil {
		return nil, err
	}
	rule := cases.RuleNotice
	if renewed {
		rule = cases.RuleNoticeUpdate
	}
	if err := s.Cases.DoTask(ctx, a, st.ID, rule, n.Ref); err != nil && !errs.Is(errs.Conflict, err) { // Conflict: done already
		return n, err
	}
	return n, nil
}

// Notices lists a person's notices for staff.
func (s *Service) Notices(ctx context.Context, a auth.Actor, personID string) ([]*Notice, error) {
	if err := a.Require("family.Notices", auth.PermFamilyView); err != nil {
		return nil, err
	}
	return s.Store.NoticesOf(ctx, personID)
}

// PublicNotices lists the notices on the public pages, newest first.
func (s *Service) PublicNotices(ctx context.Context, f NoticeFilter) ([]*PublicNotice, error) {
	const op = "family.PublicNotices"
	fields := map[string]string{}
	if !form.TextOK(f.Text, 100) {
		fields["q"] = "err.too_long"
	}
	if f.Sex != "" && f.Sex != cases.Male && f.Sex != cases.Female {
		fields["sex"] = "err.invalid_choice"
	}
	if f.AgeMin < 0 || f.AgeMax < 0 || f.AgeMin > 120 || f.AgeMax > 120 || (f.AgeMax > 0 && f.AgeMin > f.AgeMax) {
		fields["age_min"] = "err.age_range"
	}
	for k, v := range map[string]string{"from": f.From, "to": f.To} {
		if _, err := time.Parse("2006-01-02", v); v != "" && err != nil {
			fields[k] = "err.date"
		}
	}
	if len(fields) > 0 {
		return nil, errs.InvalidFields(op, fields)
	}
	if f.Region != "" {
		if c, ok := idcard.RegionByName(f.Region); ok {
			f.Region = strings.TrimRight(c, "0")
		}
	}
	f.Now = s.now()
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	ns, err := s.Store.PublicNotices(ctx, f)
	if err != nil {
		return nil, err
	}
	out := make([]*PublicNotice, len(ns))
	for i, n := range ns {
		out[i] = s.public(n)
	}
	return out, nil
}

// PublicNotice opens one notice by its reference, if it is shown.
func (s *Service) PublicNotice(ctx context.Context, ref string) (*PublicNotice, error) {
	n, err := s.Store.NoticeByRef(ctx, intake.NormalizeRef(ref))
	if err != nil {
		return nil, err
	}
	if !n.Shown(s.now()) {
		return nil, errs.E(errs.NotFound, "family.PublicNotice", "err.not_found")
	}
	return s.public(n), nil
}

// NoticePhoto returns the photo of a notice still searching (never once
// the person is reunited or the notice expired).
func (s *Service) NoticePhoto(ctx context.Context, ref string) ([]byte, error) {
	const op = "family.NoticePhoto"
	n, err := s.Store.NoticeByRef(ctx, intake.NormalizeRef(ref))
	if err != nil {
		return nil, err
	}
	if n.State != NoticePublished || !n.Shown(s.now()) || n.Photo == "" {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	return s.Photos.Get(ctx, n.Photo)
}

// Exited hears how a stay ended: a person who went home has their notices
// marked reunited (name and photo hidden) and their open proposals
// closed; any other ending withdraws the notices.
func (s *Service) Exited(ctx context.Context, personID string, kind cases.ExitKind) error {
	state := NoticeWithdrawn
	switch kind {
	case cases.ExitReturnHome, cases.ExitEscorted, cases.ExitFamily:
		state = NoticeReunited
	}
	e := auth.Actor{Name: "haven"}.Entry("notice."+state, "person", personID)
	if err := s.Store.SetNoticeState(ctx, personID, state, s.now(), e); err != nil || state != NoticeReunited {
		return err
	}
	return s.closeProposals(ctx, personID, "")
}
