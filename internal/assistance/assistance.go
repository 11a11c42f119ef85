// Package assistance links people the station helps to social assistance
// (社会救助衔接, DESIGN.md §3.9, RULES.md §3): staff screen a person for
// 低保, 特困人员救助供养, 临时救助 or 医疗救助 and refer them, with their
// consent and evidence, to the township or county office that decides;
// the office's answer (accepted → approved with an amount and a start, or
// refused with a reason) comes back on the referral, and a referral left
// without an answer past a number of working days is a reminder on the
// station's dashboard. It also keeps the linked duties of the 2015 rules
// (民发〔2015〕158号, State Council Order 381): the extension of a stay
// beyond 10 days filed with the supervising bureau, and for a person
// still unidentified after 3 months household registration (落户) and then
// enrolment in 特困 or 低保.
package assistance

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
)

// Programmes (社会救助暂行办法).
const (
	Dibao     = "dibao"     // 最低生活保障 (Art. 9)
	Tekun     = "tekun"     // 特困人员救助供养 (Art. 14)
	Temporary = "temporary" // 临时救助 (Art. 47–49)
	Medical   = "medical"   // 医疗救助
)

// Programmes lists them in the order forms show them.
var Programmes = []string{Dibao, Tekun, Temporary, Medical}

// Referral states: sent, then the office's answers.
const (
	Sent     = "sent"
	Accepted = "accepted"
	Approved = "approved"
	Refused  = "refused"
)

// States lists the states in order.
var States = []string{Sent, Accepted, Approved, Refused}

// Rules are the local settings of social assistance.
type Rules struct {
	// AnswerWorkingDays: a referral without an answer this many working
	// days after it was sent is overdue (Guangdong regularises emergency
	// aid within 10).
	AnswerWorkingDays int `json:"answer_working_days"`
	// TempAidMonths is N in "临时救助 at most N × the monthly 低保 standard
	// per event" (one Anhui county: 10).
	TempAidMonths int `json:"temp_aid_months"`
	// DibaoMonthlyFen is the local monthly 低保 standard per person.
	DibaoMonthlyFen int64 `json:"dibao_monthly_fen"`
	// EnrolDays: enrolment in 特困/低保 is due this many days after 落户.
	EnrolDays int `json:"enrol_days"`
}

// Defaults: 10 working days for an answer, 临时救助 up to 10 months of the
// 低保 standard, a standard of 650 yuan a month, enrolment 30 days after
// 落户.
var Defaults = Rules{AnswerWorkingDays: 10, TempAidMonths: 10, DibaoMonthlyFen: 650_00, EnrolDays: 30}

// LoadRules reads local rules from a JSON file; fields it leaves out keep
// their defaults.
func LoadRules(path string) (Rules, error) {
	r := Defaults
	if path == "" {
		return r, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if r, err = ParseRules(b); err != nil {
		return r, fmt.Errorf("%s: %v", path, err)
	}
	return r, nil
}

// ParseRules reads rules from JSON over the defaults.
func ParseRules(b []byte) (Rules, error) {
	r := Defaults
	d := json.NewDecoder(strings.NewReader(string(b)))
	d.DisallowUnknownFields()
	if err := d.Decode(&r); err != nil {
		return Defaults, err
	}
	return r, r.Validate()
}

// Validate checks the numbers of a rule set.
func (r Rules) Validate() error {
	if r.AnswerWorkingDays < 1 || r.AnswerWorkingDays > 365 || r.TempAidMonths < 1 || r.TempAidMonths > 120 || r.EnrolDays < 1 || r.EnrolDays > 3650 {
		return fmt.Errorf("assistance rules: answer_working_days, temp_aid_months and enrol_days must be at least 1 (and sensible)")
	}
	if r.DibaoMonthlyFen < 1 || r.DibaoMonthlyFen > 1_000_000_00 {
		return fmt.Errorf("assistance rules: dibao_monthly_fen must be a positive amount in fen")
	}
	return nil
}

// TempAidCapFen is the most 临时救助 one event may be given.
func (r Rules) TempAidCapFen() int64 { return int64(r.TempAidMonths) * r.DibaoMonthlyFen }

// Screening holds the answers of the screening for a programme; only the
// programme's own fields count.
type Screening struct {
	// 低保: household income per person a month against the standard,
	// assets within the local limits.
	IncomePerPersonFen int64 `json:"income_fen,omitempty"`
	HouseholdSize      int   `json:"household,omitempty"`
	AssetsWithinLimits bool  `json:"assets_ok,omitempty"`
	// 特困: no capacity to work, no income, no one legally obliged to
	// support them (or those obliged cannot).
	NoWorkCapacity bool `json:"no_work,omitempty"`
	NoIncome       bool `json:"no_income,omitempty"`
	NoSupporter    bool `json:"no_supporter,omitempty"`
	// 临时救助: a sudden hardship, what happened, the amount asked.
	SuddenHardship bool   `json:"sudden,omitempty"`
	Hardship       string `json:"hardship,omitempty"`
	RequestedFen   int64  `json:"requested_fen,omitempty"`
	// 医疗救助: the medical costs the person cannot pay.
	MedicalCostFen int64 `json:"medical_fen,omitempty"`
}

// Eligible is the screening's verdict for a programme under rules: what
// staff saw, not the office's decision.
func (s Screening) Eligible(programme string, r Rules) bool {
	switch programme {
	case Dibao:
		return s.IncomePerPersonFen < r.DibaoMonthlyFen && s.AssetsWithinLimits
	case Tekun:
		return s.NoWorkCapacity && s.NoIncome && s.NoSupporter
	case Temporary:
		return s.SuddenHardship && s.RequestedFen > 0 && s.RequestedFen <= r.TempAidCapFen()
	case Medical:
		return s.MedicalCostFen > 0
	}
	return false
}

// Referral is one referral of a person to a programme.
type Referral struct {
	ID         string
	Ref        string // "JZ-…", what people read
	PersonID   string
	StayID     string
	Programme  string
	Region     string // household registration region (户籍地) in words; "" unknown
	Screening  Screening
	Eligible   bool
	Consent    bool
	Office     string // the receiving township or county office
	SentAt     time.Time
	SentID     string
	SentBy     string
	DueAt      time.Time // the answer deadline
	State      string
	AnsweredAt time.Time // the first answer (accepted or refused)
	DecidedAt  time.Time // approved or refused
	AmountFen  int64     // approved: a month's amount, or the one-off 临时救助
	StartOn    string    // approved: YYYY-MM-DD
	Reason     string    // refused
	AnsweredBy string    // who at the office answered, as staff recorded it

	// Read with the referral.
	PersonRef  string
	PersonName string
	Reminder   string // ReminderState when it was read (set by the Service)
}

// Who names the person: the name, or the record's reference for someone
// unnamed.
func (r *Referral) Who() string {
	if r.PersonName != "" {
		return r.PersonName
	}
	return r.PersonRef
}

// DueDay is the last day to answer (DueAt is the midnight ending it).
func (r *Referral) DueDay() time.Time { return r.DueAt.Add(-time.Second) }

// ReminderState is the state of the referral's answer deadline at now
// (the duty states): overdue when no answer came in time.
func (r *Referral) ReminderState(now time.Time) string {
	return duties.StateAt(r.DueAt, r.AnsweredAt, 24*time.Hour, now)
}

// File is an evidence document of a referral (a photo, cleaned).
type File struct {
	ID         string
	ReferralID string
	Name       string // in Files
	At         time.Time
	ByID       string
	ByName     string
}

// Filter selects referrals.
type Filter struct {
	PersonID string
	States   []string
	Limit    int
}

// Linked duties of a stay.
const (
	DutyExtension = "extension" // a stay beyond 10 days: extension filed with the supervising bureau
	DutyHukou     = "hukou"     // unidentified beyond 3 months: household registration (落户)
	DutyEnrol     = "enrolment" // after 落户: enrolment in 特困/低保
)

// DutyKinds lists them in order.
var DutyKinds = []string{DutyExtension, DutyHukou, DutyEnrol}

// ExtensionDays and HukouMonths are the 2015 rules' periods.
const (
	ExtensionDays = 10
	HukouMonths   = 3
)

// StayDuty is one linked duty of a stay, due or soon due.
type StayDuty struct {
	Kind       string
	StayID     string
	PersonID   string
	PersonRef  string
	PersonName string
	DueAt      time.Time
	State      string
}

// Who names the person, as Referral.Who.
func (d *StayDuty) Who() string {
	if d.PersonName != "" {
		return d.PersonName
	}
	return d.PersonRef
}

// DutyQuery asks for the linked duties due by a time.
type DutyQuery struct {
	ExtensionArrivedBefore time.Time // stays that arrived before this are due (or soon due) an extension
	HukouArrivedBefore     time.Time
	Limit                  int
}

// Store keeps referrals and the linked duties done.
type Store interface {
	// AddAssistanceReferral stores a referral; Invalid when the person or
	// stay does not exist.
	AddAssistanceReferral(ctx context.Context, r *Referral, e audit.Entry) error
	AssistanceReferralByID(ctx context.Context, id string) (*Referral, error)
	AssistanceReferrals(ctx context.Context, f Filter) ([]*Referral, error)
	// AnswerAssistanceReferral saves an answer if the referral is still in
	// state from; Conflict (assistance.err.state) otherwise.
	AnswerAssistanceReferral(ctx context.Context, r *Referral, from string, e audit.Entry) error
	// UnansweredReferrals lists sent referrals due by before, earliest
	// first, at most limit.
	UnansweredReferrals(ctx context.Context, before time.Time, limit int) ([]*Referral, error)
	AddAssistanceFile(ctx context.Context, f *File, e audit.Entry) error
	AssistanceFiles(ctx context.Context, referralID string) ([]*File, error)
	// StayDuties lists the open stays with a linked duty not done, with
	// the time it fell (or falls) due: extension and 落户 by arrival,
	// enrolment by the 落户 done (DueAt is then that time, enrolDays to be
	// added by the caller) with no 特困/低保 referral since.
	StayDuties(ctx context.Context, q DutyQuery) ([]*StayDuty, error)
	// DoStayDuty marks a linked duty of a stay done; Exists when it is.
	DoStayDuty(ctx context.Context, stayID, kind string, at time.Time, by, note string, e audit.Entry) error
}

// Service is social assistance.
type Service struct {
	Store    Store
	Audit    audit.Store
	Files    files.Store
	Now      func() time.Time
	Rules    Rules
	Calendar cases.Rules // the working-day calendar of the case deadlines
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Input is a new referral.
type Input struct {
	PersonID  string
	StayID    string
	Programme string
	Region    string // household registration: the person's region read from the ID number where known (cases.Person.IDRegion), else 户籍 as told
	Screening Screening
	Consent   bool
	Office    string
}

// Refer screens and sends a referral. Consent and the receiving office are
// required; 临时救助 above N × the monthly 低保 standard is refused.
func (s *Service) Refer(ctx context.Context, a auth.Actor, in Input) (*Referral, error) {
	const op = "assistance.Refer"
	if err := a.Require(op, auth.PermAssistanceRefer); err != nil {
		return nil, err
	}
	in.Office = strings.TrimSpace(in.Office)
	in.Screening.Hardship = strings.TrimSpace(in.Screening.Hardship)
	f := map[string]string{}
	if in.PersonID == "" {
		f["person_id"] = "err.required"
	}
	if !slices.Contains(Programmes, in.Programme) {
		f["programme"] = "err.invalid_choice"
	}
	if !in.Consent {
		f["consent"] = "assistance.err.consent"
	}
	if in.Office == "" {
		f["office"] = "assistance.err.office"
	} else if !form.TextOK(in.Office, 100) {
		f["office"] = "err.too_long"
	}
	sc := in.Screening
	const maxFen = 1_000_000_000_00
	switch in.Programme {
	case Dibao:
		if sc.IncomePerPersonFen < 0 || sc.IncomePerPersonFen > maxFen {
			f["income"] = "funds.err.amount"
		}
		if sc.HouseholdSize < 1 || sc.HouseholdSize > 30 {
			f["household"] = "assistance.err.household"
		}
	case Temporary:
		if !form.TextOK(sc.Hardship, 500) {
			f["hardship"] = "err.too_long"
		} else if sc.Hardship == "" {
			f["hardship"] = "err.required"
		}
		switch {
		case sc.RequestedFen <= 0 || sc.RequestedFen > maxFen:
			f["requested"] = "funds.err.amount"
		case sc.RequestedFen > s.Rules.TempAidCapFen():
			f["requested"] = "assistance.err.temp_cap"
		}
	case Medical:
		if sc.MedicalCostFen <= 0 || sc.MedicalCostFen > maxFen {
			f["medical_cost"] = "funds.err.amount"
		}
	}
	now := s.now()
	region := strings.TrimSpace(in.Region)
	if !form.TextOK(region, 100) {
		f["region"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	r := &Referral{ID: id.New(), Ref: intake.NewRef("JZ"), PersonID: in.PersonID, StayID: in.StayID, Programme: in.Programme, Region: region,
		Screening: sc, Eligible: sc.Eligible(in.Programme, s.Rules), Consent: true, Office: in.Office, SentAt: now, SentID: a.UserID, SentBy: a.Name,
		DueAt: s.Calendar.AfterWorkingDays(now, s.Rules.AnswerWorkingDays), State: Sent}
	err := s.Store.AddAssistanceReferral(ctx, r, a.Entry("assistance.refer", "person", r.PersonID))
	if errs.Is(errs.Invalid, err) {
		return nil, errs.InvalidFields(op, map[string]string{"person_id": "err.not_found"})
	}
	return r, err
}

// Answer kinds.
const (
	AnswerAccept  = "accept"
	AnswerApprove = "approve"
	AnswerRefuse  = "refuse"
)

// AnswerInput is the office's answer as staff record it.
type AnswerInput struct {
	Kind      string
	AmountFen int64  // approve
	StartOn   string // approve, YYYY-MM-DD
	Reason    string // refuse
	By        string // who answered at the office
}

// Answer records the office's answer: a sent referral is accepted or
// refused; an accepted one approved (amount, start) or refused (reason).
// Approving skips acceptance when the office did both at once.
func (s *Service) Answer(ctx context.Context, a auth.Actor, referralID string, in AnswerInput) (*Referral, error) {
	const op = "assistance.Answer"
	if err := a.Require(op, auth.PermAssistanceRefer); err != nil {
		return nil, err
	}
	r, err := s.Store.AssistanceReferralByID(ctx, referralID)
	if err != nil {
		return nil, err
	}
	in.Reason, in.By, in.StartOn = strings.TrimSpace(in.Reason), strings.TrimSpace(in.By), strings.TrimSpace(in.StartOn)
	f := map[string]string{}
	if !form.TextOK(in.By, 100) {
		f["by"] = "err.too_long"
	}
	switch in.Kind {
	case AnswerAccept:
	case AnswerApprove:
		if in.AmountFen <= 0 || in.AmountFen > 1_000_000_00 {
			f["amount"] = "funds.err.amount"
		} else if r.Programme == Temporary && in.AmountFen > s.Rules.TempAidCapFen() {
			f["amount"] = "assistance.err.temp_cap"
		}
		if _, err := time.Parse("2006-01-02", in.StartOn); err != nil {
			f["start_on"] = "err.date"
		}
	case AnswerRefuse:
		if in.Reason == "" {
			f["reason"] = "err.required"
		} else if !form.TextOK(in.Reason, 500) {
			f["reason"] = "err.too_long"
		}
	default:
		f["kind"] = "err.invalid_choice"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	from := r.State
	switch {
	case in.Kind == AnswerAccept && from != Sent,
		in.Kind != AnswerAccept && from != Sent && from != Accepted:
		return nil, errs.E(errs.Conflict, op, "assistance.err.state")
	}
	now := s.now()
	if r.AnsweredAt.IsZero() {
		r.AnsweredAt = now
	}
	r.AnsweredBy = in.By
	switch in.Kind {
	case AnswerAccept:
		r.State = Accepted
	case AnswerApprove:
		r.State, r.DecidedAt, r.AmountFen, r.StartOn = Approved, now, in.AmountFen, in.StartOn
	case AnswerRefuse:
		r.State, r.DecidedAt, r.Reason = Refused, now, in.Reason
	}
	return r, s.Store.AnswerAssistanceReferral(ctx, r, from, a.Entry("assistance.answer."+r.State, "person", r.PersonID))
}

func (s *Service) mayRead(a auth.Actor) bool {
	return a.Can(auth.PermAssistanceRefer) || a.Can(auth.PermAssistanceView)
}

func (s *Service) auditRead(ctx context.Context, a auth.Actor, personID, detail string) error {
	e := a.Entry("assistance.person_view", "person", personID)
	e.Detail = detail
	return s.Audit.AppendAudit(ctx, e)
}

// Referral returns one referral with its evidence; the read is audited.
func (s *Service) Referral(ctx context.Context, a auth.Actor, referralID string) (*Referral, []*File, error) {
	const op = "assistance.Referral"
	if !s.mayRead(a) {
		return nil, nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	r, err := s.Store.AssistanceReferralByID(ctx, referralID)
	if err != nil {
		return nil, nil, err
	}
	fs, err := s.Store.AssistanceFiles(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	s.remind(r)
	return r, fs, s.auditRead(ctx, a, r.PersonID, "referral "+r.ID)
}

// PersonReferrals lists a person's referrals (the person's record); the
// read is audited.
func (s *Service) PersonReferrals(ctx context.Context, a auth.Actor, personID string) ([]*Referral, error) {
	const op = "assistance.PersonReferrals"
	if !s.mayRead(a) {
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	rs, err := s.Store.AssistanceReferrals(ctx, Filter{PersonID: personID, Limit: 100})
	if err != nil {
		return nil, err
	}
	s.remind(rs...)
	return rs, s.auditRead(ctx, a, personID, "referrals")
}

// Referrals lists referrals, newest first; each person shown is audited.
func (s *Service) Referrals(ctx context.Context, a auth.Actor, f Filter) ([]*Referral, error) {
	const op = "assistance.Referrals"
	if !s.mayRead(a) {
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	rs, err := s.Store.AssistanceReferrals(ctx, f)
	if err != nil {
		return nil, err
	}
	s.remind(rs...)
	seen := map[string]bool{}
	for _, r := range rs {
		if !seen[r.PersonID] {
			seen[r.PersonID] = true
			if err := s.auditRead(ctx, a, r.PersonID, "referrals_list"); err != nil {
				return nil, err
			}
		}
	}
	return rs, nil
}

// Reminders lists the referrals without an answer that are overdue or due
// within a day, earliest first (at most limit): names are not shown, only
// references, so a dashboard read is not a read of a person.
func (s *Service) Reminders(ctx context.Context, a auth.Actor, limit int) ([]*Referral, error) {
	if !s.mayRead(a) {
		return nil, nil
	}
	rs, err := s.Store.UnansweredReferrals(ctx, s.now().Add(24*time.Hour), limit)
	s.remind(rs...)
	return rs, err
}

func (s *Service) remind(rs ...*Referral) {
	now := s.now()
	for _, r := range rs {
		r.Reminder = r.ReminderState(now)
	}
}

// Attach adds an evidence photo to a referral, cleaned like every upload.
func (s *Service) Attach(ctx context.Context, a auth.Actor, referralID string, data []byte) (*File, error) {
	const op = "assistance.Attach"
	if err := a.Require(op, auth.PermAssistanceRefer); err != nil {
		return nil, err
	}
	r, err := s.Store.AssistanceReferralByID(ctx, referralID)
	if err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, errs.InvalidFields(op, map[string]string{"photo": "err.required"})
	}
	clean, err := photo.Clean(ctx, data)
	if err != nil {
		return nil, errs.InvalidFields(op, map[string]string{"photo": intake.PhotoError(err)})
	}
	now := s.now()
	f := &File{ID: id.New(), ReferralID: r.ID, At: now, ByID: a.UserID, ByName: a.Name}
	f.Name = "assistance/" + now.Format("200601") + "/" + strings.ToLower(f.ID) + ".jpg"
	if err := s.Files.Put(ctx, f.Name, clean); err != nil {
		return nil, errs.Wrap(errs.Unavailable, op, err)
	}
	return f, s.Store.AddAssistanceFile(ctx, f, a.Entry("assistance.attach", "person", r.PersonID))
}

// FileData returns one evidence photo (the read of the referral audited).
func (s *Service) FileData(ctx context.Context, a auth.Actor, referralID, fileID string) ([]byte, error) {
	_, fs, err := s.Referral(ctx, a, referralID)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.ID == fileID {
			return s.Files.Get(ctx, f.Name)
		}
	}
	return nil, errs.E(errs.NotFound, "assistance.FileData", "err.not_found")
}

// StayDuties lists the linked duties of the people in care that are due
// or due within a day, with their states at now, earliest first.
func (s *Service) StayDuties(ctx context.Context, a auth.Actor, limit int) ([]*StayDuty, error) {
	if !a.Can(auth.PermCasesView) {
		return nil, nil
	}
	now := s.now()
	soon := 24 * time.Hour
	// An extension is due 10 days after arrival, 落户 3 months after:
	// the stays that arrived before (now + soon − period) are due or
	// due soon.
	q := DutyQuery{
		ExtensionArrivedBefore: now.Add(soon).AddDate(0, 0, -ExtensionDays),
		HukouArrivedBefore:     now.Add(soon).In(cases.CST).AddDate(0, -HukouMonths, 0).UTC(),
		Limit:                  limit,
	}
	ds, err := s.Store.StayDuties(ctx, q)
	if err != nil {
		return nil, err
	}
	out := ds[:0]
	for _, d := range ds {
		switch d.Kind {
		case DutyExtension:
			d.DueAt = d.DueAt.AddDate(0, 0, ExtensionDays)
		case DutyHukou:
			d.DueAt = d.DueAt.In(cases.CST).AddDate(0, HukouMonths, 0).UTC()
		case DutyEnrol:
			d.DueAt = d.DueAt.AddDate(0, 0, s.Rules.EnrolDays)
		}
		d.State = duties.StateAt(d.DueAt, time.Time{}, soon, now)
		if d.State == duties.Open {
			continue // enrolment not yet near
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(x, y *StayDuty) int { return x.DueAt.Compare(y.DueAt) })
	return out, nil
}

// DoStayDuty marks a linked duty of a stay done (the extension filed, the
// 落户 done, the enrolment made), with a note.
func (s *Service) DoStayDuty(ctx context.Context, a auth.Actor, stayID, kind, note string) error {
	const op = "assistance.DoStayDuty"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if !slices.Contains(DutyKinds, kind) {
		return errs.InvalidFields(op, map[string]string{"kind": "err.invalid_choice"})
	}
	if !form.TextOK(note, 500) {
		return errs.InvalidFields(op, map[string]string{"note": "err.too_long"})
	}
	err := s.Store.DoStayDuty(ctx, stayID, kind, s.now(), a.Name, note, a.Entry("assistance.duty."+kind, "stay", stayID))
	if errs.Is(errs.Exists, err) {
		return errs.E(errs.Conflict, op, "assistance.err.duty_done")
	}
	return err
}
