// Package volunteers is social partners (社会力量, DESIGN.md §3.10):
// charities, volunteer teams and companies with their agreements;
// volunteers with skills and availability (ID numbers sealed, shown only
// to those who need them); shifts tied to patrols, rescue points,
// campaigns and events such as the 6·19 open day, with sign-up,
// attendance and hours credited; and donations in money (in kind they go
// into stock, package supplies).
package volunteers

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/thanks"
)

const idContext = "volunteers.id_number"

// Organisation kinds.
var OrgKinds = []string{"charity", "volunteer_team", "company", "other"}

// Shift kinds: what the shift serves.
var ShiftKinds = []string{"patrol", "point", "campaign", "event", "station"}

// Skills a volunteer may bring.
var Skills = []string{"driving", "medical", "psychology", "dialect", "cooking", "photo", "legal", "haircut"}

// Organisation is a partner.
type Organisation struct {
	ID, Name, Kind, Contact, Phone, Agreement, AgreedTo string
	CreatedAt                                           time.Time
}

// Volunteer is one volunteer.
type Volunteer struct {
	ID, Name, OrgID, Phone string
	IDSealed               string
	IDShown                string // masked or full, by the reader
	Skills                 []string
	Availability           string
	Active                 bool
	Minutes                int // credited, from attended shifts
	CreatedAt              time.Time
}

// Shift is a piece of work volunteers sign up for.
type Shift struct {
	ID, Title, Kind, Ref string // Ref: the id of the patrol team, point or campaign it serves; words for events and station work
	RefName              string // what Ref names, for people to read
	StartsAt, EndsAt     time.Time
	Places               int
	CreatedBy            string
	Signups              []Signup
}

// Signup is a volunteer on a shift.
type Signup struct {
	ShiftID, VolunteerID string
	SignedAt             time.Time
	Attended             bool
	Minutes              int
}

// Donation is money given.
type Donation struct {
	ID        string
	At        time.Time
	Donor     string
	OrgID     string
	AmountFen int64
	Purpose   string
	ReceiptNo string
	ByName    string
	// PurposeCode restricts the money to one budget line of the funds
	// (funds.LineCodes): restricted income, spent only on that purpose.
	// "" leaves it unrestricted.
	PurposeCode string
	// Thanks is whether the donor consents to be thanked in public, and
	// by which name (package thanks).
	Thanks thanks.Consent
}

// Store keeps partners.
type Store interface {
	AddOrganisation(ctx context.Context, o *Organisation, e audit.Entry) error
	Organisations(ctx context.Context) ([]*Organisation, error)
	AddVolunteer(ctx context.Context, v *Volunteer, e audit.Entry) error
	Volunteers(ctx context.Context) ([]*Volunteer, error)
	AddVolunteerShift(ctx context.Context, s *Shift, e audit.Entry) error
	VolunteerShifts(ctx context.Context, from time.Time) ([]*Shift, error)
	// SignUp adds a volunteer to a shift if a place is free (Conflict
	// err.shift_full; Exists when signed up already).
	SignUp(ctx context.Context, s Signup, e audit.Entry) error
	// Withdraw takes a volunteer off a shift they have not yet attended
	// (NotFound otherwise).
	Withdraw(ctx context.Context, shiftID, volunteerID string, e audit.Entry) error
	SetVolunteerLink(ctx context.Context, volunteerID, hash string, e audit.Entry) error
	VolunteerByLink(ctx context.Context, hash string) (*Volunteer, error) // NotFound for an unknown or revoked link
	// Attend records attendance and the minutes credited.
	Attend(ctx context.Context, shiftID, volunteerID string, minutes int, e audit.Entry) error
	AddDonation(ctx context.Context, d *Donation, e audit.Entry) error
	Donations(ctx context.Context) ([]*Donation, error)
	ApplicationStore
}

// Service is partners and volunteers.
type Service struct {
	Store Store
	Keys  *secret.Keyring
	Now   func() time.Time
	// Registries, if set, ties patrol, point and campaign shifts to their
	// records by id.
	Registries Registries
}

func trimAll(f map[string]string, vs map[string]*string, n int) {
	for k, v := range vs {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, n) {
			f[k] = "err.too_long"
		}
	}
}

// AddOrganisation adds a partner organisation.
func (s *Service) AddOrganisation(ctx context.Context, a auth.Actor, o Organisation) (*Organisation, error) {
	const op = "volunteers.AddOrganisation"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	trimAll(f, map[string]*string{"name": &o.Name, "contact": &o.Contact, "agreement": &o.Agreement}, 200)
	if o.Name == "" {
		f["name"] = "err.required"
	}
	if !slices.Contains(OrgKinds, o.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if p := auth.NormalizePhone(o.Phone); p != "" && !auth.ValidPhone(p) {
		f["phone"] = "err.phone"
	} else {
		o.Phone = p
	}
	if o.AgreedTo != "" {
		if _, err := time.Parse("2006-01-02", o.AgreedTo); err != nil {
			f["agreed_to"] = "err.date"
		}
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	o.ID, o.CreatedAt = id.New(), s.Now().UTC()
	return &o, s.Store.AddOrganisation(ctx, &o, a.Entry("org.create", "organisation", o.ID))
}

// VolunteerInput is a volunteer as the coordinator enters them.
type VolunteerInput struct {
	Name, OrgID, Phone, IDNumber, Availability string
	Skills                                     []string
}

// AddVolunteer registers a volunteer; the ID number is sealed.
func (s *Service) AddVolunteer(ctx context.Context, a auth.Actor, in VolunteerInput) (*Volunteer, error) {
	const op = "volunteers.AddVolunteer"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	trimAll(f, map[string]*string{"name": &in.Name, "availability": &in.Availability}, 200)
	if in.Name == "" {
		f["name"] = "err.required"
	}
	v := &Volunteer{ID: id.New(), Name: in.Name, OrgID: in.OrgID, Availability: in.Availability, Skills: in.Skills, Active: true, CreatedAt: s.Now().UTC()}
	for _, sk := range in.Skills {
		if !slices.Contains(Skills, sk) {
			f["skills"] = "err.invalid_choice"
		}
	}
	if p := auth.NormalizePhone(in.Phone); p != "" && !auth.ValidPhone(p) {
		f["phone"] = "err.phone"
	} else {
		v.Phone = p
	}
	if n := strings.TrimSpace(in.IDNumber); n != "" {
		num, err := idcard.Parse(n, s.Now())
		if err != nil {
			f["id_number"] = err.(*idcard.Error).Key
		} else if v.IDSealed, err = s.Keys.Seal(idContext, num.Value); err != nil {
			return nil, errs.Wrap(errs.Internal, op, err)
		}
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	return v, s.Store.AddVolunteer(ctx, v, a.Entry("volunteer.create", "volunteer", v.ID))
}

// Volunteers lists volunteers: ID numbers masked unless the reader may see
// them in full.
func (s *Service) Volunteers(ctx context.Context, a auth.Actor) ([]*Volunteer, error) {
	if err := a.RequireAny("volunteers.Volunteers", auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	vs, err := s.Store.Volunteers(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if v.IDShown, err = s.Keys.Reveal(idContext, v.IDSealed, a.Can(auth.PermCasesPersonal)); err != nil {
			v.IDShown = "?"
		}
	}
	return vs, nil
}

// AddShift creates a shift.
func (s *Service) AddShift(ctx context.Context, a auth.Actor, sh Shift) (*Shift, error) {
	const op = "volunteers.AddShift"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	trimAll(f, map[string]*string{"title": &sh.Title, "ref": &sh.Ref}, 200)
	if sh.Title == "" {
		f["title"] = "err.required"
	}
	if !slices.Contains(ShiftKinds, sh.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	switch {
	case sh.StartsAt.IsZero():
		f["starts_at"] = "err.required"
	case !sh.EndsAt.After(sh.StartsAt):
		f["ends_at"] = "err.ends_before_start"
	case sh.EndsAt.Sub(sh.StartsAt) > 24*time.Hour:
		f["ends_at"] = "err.shift_too_long"
	}
	if sh.Places < 1 || sh.Places > 500 {
		f["places"] = "err.places"
	}
	if f["kind"] == "" {
		t, ok, err := s.target(ctx, sh.Kind, sh.Ref)
		if err != nil {
			return nil, err
		}
		if !ok {
			f["ref"] = "err.shift_ref"
		}
		sh.RefName = t.Name
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	sh.ID, sh.CreatedBy = id.New(), a.Name
	return &sh, s.Store.AddVolunteerShift(ctx, &sh, a.Entry("shift.create", "shift", sh.ID))
}

// Shifts lists shifts from a time, with their sign-ups.
func (s *Service) Shifts(ctx context.Context, a auth.Actor, from time.Time) ([]*Shift, error) {
	if err := a.Require("volunteers.Shifts", auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	return s.shifts(ctx, from)
}

// shifts lists shifts ending from a time, each with what it serves named.
func (s *Service) shifts(ctx context.Context, from time.Time) ([]*Shift, error) {
	shifts, err := s.Store.VolunteerShifts(ctx, from)
	if err != nil {
		return nil, err
	}
	ts, err := s.Targets(ctx)
	if err != nil {
		return nil, err
	}
	for _, sh := range shifts {
		sh.RefName = sh.Ref
		if t, ok := findTarget(ts, sh.Kind, sh.Ref); ok && Linked(sh.Kind) {
			sh.RefName = t.Name
		}
	}
	return shifts, nil
}

// SignUp puts a volunteer on a shift while places are free.
func (s *Service) SignUp(ctx context.Context, a auth.Actor, shiftID, volunteerID string) error {
	const op = "volunteers.SignUp"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return err
	}
	err := s.Store.SignUp(ctx, Signup{ShiftID: shiftID, VolunteerID: volunteerID, SignedAt: s.Now().UTC()}, a.Entry("shift.signup", "shift", shiftID))
	if errs.Is(errs.Exists, err) {
		return errs.E(errs.Conflict, op, "err.signed_up")
	}
	return err
}

// Attend records that a volunteer came; the shift's length (or the
// minutes given, for someone who left early) is credited.
func (s *Service) Attend(ctx context.Context, a auth.Actor, shiftID, volunteerID string, minutes int) error {
	const op = "volunteers.Attend"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return err
	}
	if minutes < 0 || minutes > 24*60 {
		return errs.InvalidFields(op, map[string]string{"minutes": "err.minutes"})
	}
	return s.Store.Attend(ctx, shiftID, volunteerID, minutes, a.Entry("shift.attend", "shift", shiftID))
}

// AddDonation records money given, with its purpose; one given for a
// purpose code becomes restricted income in the funds. The donor's
// consent to public thanks is recorded with it.
func (s *Service) AddDonation(ctx context.Context, a auth.Actor, d Donation) (*Donation, error) {
	const op = "volunteers.AddDonation"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	trimAll(f, map[string]*string{"donor": &d.Donor, "purpose": &d.Purpose, "receipt_no": &d.ReceiptNo}, 200)
	if d.Donor == "" {
		f["donor"] = "err.required"
	}
	if d.AmountFen <= 0 || d.AmountFen > 1e11 {
		f["amount"] = "err.amount"
	}
	if d.PurposeCode != "" && !slices.Contains(funds.LineCodes, d.PurposeCode) {
		f["purpose_code"] = "err.invalid_choice"
	}
	for k, v := range d.Thanks.Check() {
		f[k] = v
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	d.ID, d.At, d.ByName = id.New(), s.Now().UTC(), a.Name
	return &d, s.Store.AddDonation(ctx, &d, a.Entry("donation.money", "donation", d.ID))
}
