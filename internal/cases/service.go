package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
	"github.com/havenrescue/haven/internal/secret"
)

// Seal contexts of the personal identifiers cases keeps.
const (
	IDContext        = "persons.id_number"
	phoneContext     = "persons.contact_phone"
	collectorContext = "persons.collector_id"
)

// Service is station case management.
type Service struct {
	Store  Store
	Audit  audit.Store
	Keys   *secret.Keyring
	Photos files.Store
	Now    func() time.Time
	Rules  Rules
	// Outcome, when set, tells the incident a person came from how their
	// stay ended (an ExitKind).
	Outcome func(ctx context.Context, incidentID, exitKind string)
	// Exited, when set, hears how a person's stay ended, so that family
	// search marks their notices reunited.
	Exited func(ctx context.Context, personID string, kind ExitKind)
	// Vouchered, when set, hears of a travel voucher or local transit
	// cash given at an exit, so that it goes through funds (a request on
	// the travel line tied to the person and the stay). A failure there
	// never undoes the exit.
	Vouchered func(ctx context.Context, a auth.Actor, st *Stay, v Voucher)
	// KPIMaxAge is how long the dashboard shows the year's KPIs before
	// counting them again (DefaultKPIMaxAge when zero).
	KPIMaxAge time.Duration

	kpis kpiCache
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// PersonInput is what staff enter about a person.
type PersonInput struct {
	Name, Aliases  string
	Sex            Sex
	BirthDate      string // YYYY-MM-DD
	AgeMin, AgeMax int
	HeightCm       int
	Ethnicity      string
	NativePlace    string
	Hukou          string
	Dialect        string
	IDNumber       string // citizen ID number, as typed
	Marks          string
	Mental         Mental
	Flags          []string
}

// apply validates in onto p (sealing the ID number) and returns field errors.
func (s *Service) apply(in PersonInput, p *Person, now time.Time) map[string]string {
	f := map[string]string{}
	trim := func(v *string, field string, n int) {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, n) {
			f[field] = "err.too_long"
		}
	}
	trim(&in.Name, "name", nameMaxRunes)
	trim(&in.Aliases, "aliases", shortMaxRunes)
	trim(&in.Ethnicity, "ethnicity", 20)
	trim(&in.NativePlace, "native_place", shortMaxRunes)
	trim(&in.Hukou, "hukou", shortMaxRunes)
	trim(&in.Dialect, "dialect", 50)
	trim(&in.Marks, "marks", textMaxRunes)
	if in.Sex == "" {
		in.Sex = SexUnknown
	}
	if !slices.Contains(Sexes, in.Sex) {
		f["sex"] = "err.invalid_choice"
	}
	if in.Mental == "" {
		in.Mental = MentalUnknown
	}
	if !slices.Contains(MentalStates, in.Mental) {
		f["mental"] = "err.invalid_choice"
	}
	for _, fl := range in.Flags {
		if !slices.Contains(Flags, fl) {
			f["flags"] = "err.invalid_choice"
		}
	}
	in.BirthDate = strings.TrimSpace(in.BirthDate)
	if in.BirthDate != "" {
		b, err := time.ParseInLocation("2006-01-02", in.BirthDate, CST)
		switch {
		case err != nil:
			f["birth_date"] = "err.date"
		case b.After(now.In(CST)):
			f["birth_date"] = "err.birth_future"
		case b.Year() < 1900:
			f["birth_date"] = "err.date"
		}
	}
	if in.AgeMin < 0 || in.AgeMax < 0 || in.AgeMin > 120 || in.AgeMax > 120 || (in.AgeMax > 0 && in.AgeMin > in.AgeMax) {
		f["age_min"] = "err.age_range"
	}
	if in.HeightCm < 0 || in.HeightCm > 250 {
		f["height_cm"] = "err.height"
	}
	var num idcard.Number
	if v := strings.TrimSpace(in.IDNumber); v != "" {
		n, err := idcard.Parse(v, now)
		if err != nil {
			f["id_number"] = err.(*idcard.Error).Key
		} else {
			num = n
			if in.BirthDate != "" && in.BirthDate != n.Birth.Format("2006-01-02") {
				f["birth_date"] = "err.birth_mismatch"
			}
			if in.Sex != SexUnknown && string(in.Sex) != string(n.Sex) {
				f["sex"] = "err.sex_mismatch"
			}
		}
	}
	if len(f) > 0 {
		return f
	}
	p.Name, p.Aliases, p.Sex, p.BirthDate = in.Name, in.Aliases, in.Sex, in.BirthDate
	p.AgeMin, p.AgeMax, p.HeightCm = in.AgeMin, in.AgeMax, in.HeightCm
	p.Ethnicity, p.NativePlace, p.Hukou, p.Dialect, p.Marks, p.Mental = in.Ethnicity, in.NativePlace, in.Hukou, in.Dialect, in.Marks, in.Mental
	p.Flags = slices.Compact(slices.Sorted(slices.Values(in.Flags)))
	if num.Value != "" {
		sealed, err := s.Keys.Seal(IDContext, num.Value)
		if err != nil {
			f["id_number"] = "err.internal"
			return f
		}
		p.IDSealed, p.IDBirth, p.IDRegion = sealed, num.Birth.Format("20060102"), num.Region.String()
		p.BirthDate, p.Sex = num.Birth.Format("2006-01-02"), Sex(num.Sex)
	} // else the form left the number out: the stored one stays (clearing it is not a form action)
	if min, _, ok := p.AgeAt(now); ok && min < 18 && !p.HasFlag(FlagMinor) {
		p.Flags = append(p.Flags, FlagMinor)
	}
	if min, _, ok := p.AgeAt(now); ok && min >= 60 && !p.HasFlag(FlagElderly) {
		p.Flags = append(p.Flags, FlagElderly)
	}
	slices.Sort(p.Flags)
	p.Identified = p.Name != "" && (p.IDSealed != "" || p.Hukou != "")
	return f
}

// ContactInput is a relative or contact as entered.
type ContactInput struct{ Relation, Name, Phone, Address string }

func (s *Service) contact(in ContactInput, personID string, now time.Time) (*Contact, map[string]string) {
	f := map[string]string{}
	c := &Contact{ID: id.New(), PersonID: personID, Relation: strings.TrimSpace(in.Relation), Name: strings.TrimSpace(in.Name),
		Address: strings.TrimSpace(in.Address), CreatedAt: now}
	if c.Name == "" && strings.TrimSpace(in.Phone) == "" {
		f["contact_name"] = "err.required"
	}
	if !form.TextOK(c.Name, nameMaxRunes) || !form.TextOK(c.Relation, 20) || !form.TextOK(c.Address, shortMaxRunes) {
		f["contact_name"] = "err.too_long"
	}
	if ph := strings.TrimSpace(in.Phone); ph != "" {
		n := auth.NormalizePhone(ph)
		if !auth.ValidPhone(n) {
			f["contact_phone"] = "err.phone"
		} else if sealed, err := s.Keys.Seal(phoneContext, n); err == nil {
			c.PhoneSealed = sealed
		}
	}
	return c, f
}

// BelongingInput is an item signed into custody.
type BelongingInput struct {
	Item         string
	Qty          int
	Description  string
	Location     string
	Photo        []byte
	PersonSigned bool
}

func (s *Service) belonging(ctx context.Context, in BelongingInput, stayID, staff string, now time.Time, field string) (*Belonging, map[string]string) {
	f := map[string]string{}
	b := &Belonging{ID: id.New(), StayID: stayID, Item: strings.TrimSpace(in.Item), Qty: in.Qty, Description: strings.TrimSpace(in.Description),
		Location: strings.TrimSpace(in.Location), SignedInBy: staff, PersonSigned: in.PersonSigned, SignedInAt: now}
	if b.Item == "" {
		f[field+"item"] = "err.required"
	} else if !form.TextOK(b.Item, shortMaxRunes) || !form.TextOK(b.Description, textMaxRunes) || !form.TextOK(b.Location, shortMaxRunes) {
		f[field+"item"] = "err.too_long"
	}
	if b.Qty < 1 || b.Qty > 9999 {
		f[field+"qty"] = "err.qty"
	}
	if len(in.Photo) > 0 && len(f) == 0 {
		clean, err := photo.Clean(ctx, in.Photo)
		if err != nil {
			f[field+"photo"] = intake.PhotoError(err)
			return b, f
		}
		b.Photo = "belongings/" + now.Format("200601") + "/" + strings.ToLower(b.ID) + ".jpg"
		if err := s.Photos.Put(ctx, b.Photo, clean); err != nil {
			f[field+"photo"] = "err.unavailable"
		}
	}
	return b, f
}

// AdmitInput is the admission form (接待登记).
type AdmitInput struct {
	PersonID   string // a known person (re-admission); else Person is new
	Person     PersonInput
	Contact    ContactInput
	ArrivedAt  time.Time
	Source     string
	IncidentID string
	Form       Form
	Photo      []byte // admission photo
	Room, Bed  string
	Belongings []BelongingInput
	Refuse     bool // refuse help with Form.RefusalGround (不予救助)
	// NewPerson confirms that the person is not one of the candidates
	// (Candidates) shown for the name and age given.
	NewPerson bool
	// Historical enters a stay from the paper archive: any arrival since
	// 2000 is accepted (a new stay must have arrived in the last 31 days).
	Historical bool
	EnteredAt  time.Time // with Historical: when the paper record was made
}

// Admission is the result of Admit.
type Admission struct {
	Person     *Person
	Stay       *Stay
	Readmitted bool         // the person was found by ID number
	Candidates []*Candidate // possible earlier records, to confirm; nothing stored
}

// Admit registers a person and opens a stay (or records a refusal). A
// person whose ID number is on file is re-admitted under that record. A
// new person whose name and age match earlier records is not stored
// until staff confirm (NewPerson) or pick one (PersonID).
func (s *Service) Admit(ctx context.Context, a auth.Actor, in AdmitInput) (*Admission, error) {
	defer s.figuresChanged()
	const op = "cases.Admit"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	now := s.now()
	f := map[string]string{}
	var p *Person
	out := &Admission{}
	if in.PersonID != "" {
		existing, err := s.identityOf(ctx, in.PersonID)
		if err != nil {
			return nil, err
		}
		p = existing
		out.Readmitted = true
	} else {
		p = &Person{Ref: intake.NewRef("RY"), CreatedAt: now}
		for k, v := range s.apply(in.Person, p, now) {
			f[k] = v
		}
	}
	switch {
	case in.ArrivedAt.IsZero():
		in.ArrivedAt = now
	case in.ArrivedAt.After(now.Add(5 * time.Minute)):
		f["arrived_at"] = "err.in_future"
	case in.Historical && in.ArrivedAt.Year() < 2000:
		f["arrived_at"] = "err.too_old"
	case !in.Historical && in.ArrivedAt.Before(now.AddDate(0, 0, -31)):
		f["arrived_at"] = "err.too_old"
	}
	if !slices.Contains(Sources, in.Source) {
		f["source"] = "err.invalid_choice"
	}
	fm := &in.Form
	for _, v := range []*string{&fm.Reason, &fm.Story, &fm.Residence, &fm.Relatives, &fm.SecurityNotes, &fm.FingerprintRef, &fm.RefusalNote} {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, textMaxRunes) {
			f["reason"] = "err.too_long"
		}
	}
	if fm.Welfare == "" {
		fm.Welfare = "none"
	}
	if !slices.Contains(Welfare, fm.Welfare) {
		f["welfare"] = "err.invalid_choice"
	}
	if !slices.Contains(SecurityResults, fm.Security) {
		f["security"] = "err.security_required"
	}
	if in.Refuse {
		if !slices.Contains(RefusalGrounds, fm.RefusalGround) {
			f["refusal_ground"] = "err.refusal_ground"
		}
	} else {
		fm.RefusalGround = ""
		if fm.Reason == "" {
			f["reason"] = "err.required"
		}
	}
	in.Room, in.Bed = strings.TrimSpace(in.Room), strings.TrimSpace(in.Bed)
	if !form.TextOK(in.Room, 20) || !form.TextOK(in.Bed, 20) {
		f["bed"] = "err.too_long"
	}
	var contacts []*Contact
	if in.Contact != (ContactInput{}) {
		c, cf := s.contact(in.Contact, p.ID, now)
		for k, v := range cf {
			f[k] = v
		}
		contacts = append(contacts, c)
	}
	st := &Stay{ID: id.New(), Ref: intake.NewRef("JZ"), State: StayOpen, ArrivedAt: in.ArrivedAt.UTC(), EnteredAt: now, EnteredBy: a.Name,
		Source: in.Source, IncidentID: strings.TrimSpace(in.IncidentID), Form: *fm, Room: in.Room, Bed: in.Bed, Version: 1, UpdatedAt: now}
	if in.Historical && !in.EnteredAt.IsZero() && !in.EnteredAt.Before(st.ArrivedAt) && !in.EnteredAt.After(now) {
		st.EnteredAt = in.EnteredAt.UTC()
	}
	if in.Refuse {
		st.State, st.ExitedAt, st.ExitedBy = StayRefused, st.EnteredAt, a.Name
	}
	var items []*Belonging
	for i, bi := range in.Belongings {
		if bi.Item == "" && bi.Qty == 0 {
			continue
		}
		b, bf := s.belonging(ctx, bi, st.ID, a.Name, st.EnteredAt, "b"+strconv.Itoa(i)+"_") // an archived stay's items went in with it
		for k, v := range bf {
			f[k] = v
		}
		items = append(items, b)
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	// Re-admission: the same ID number is the same person.
	if in.PersonID == "" && p.IDSealed != "" {
		if prev, err := s.findByID(ctx, p); err != nil {
			return nil, err
		} else if prev != nil {
			p, out.Readmitted = prev, true
		}
	}
	if in.PersonID == "" && !out.Readmitted && !in.NewPerson {
		cands, err := s.candidates(ctx, p, now)
		if err != nil {
			return nil, err
		}
		if len(cands) > 0 {
			out.Person, out.Candidates = p, cands
			return out, nil
		}
	}
	if p.ID == "" {
		p.ID = id.New()
	}
	st.PersonID = p.ID
	st.Unidentified = !p.Identified
	for _, c := range contacts {
		c.PersonID = p.ID
	}
	if len(in.Photo) > 0 {
		clean, err := photo.Clean(ctx, in.Photo)
		if err != nil {
			return nil, errs.InvalidFields(op, map[string]string{"photo": intake.PhotoError(err)})
		}
		st.Form.Photo = "people/" + now.Format("200601") + "/" + strings.ToLower(st.ID) + ".jpg"
		if err := s.Photos.Put(ctx, st.Form.Photo, clean); err != nil {
			return nil, errs.Wrap(errs.Unavailable, op, err)
		}
	}
	action := "stay.admit"
	if in.Refuse {
		action = "stay.refuse"
	}
	e := a.Entry(action, "person", p.ID)
	e.Detail = st.Ref
	if err := s.Store.Admit(ctx, p, contacts, st, items, e); err != nil {
		if errs.Is(errs.Invalid, err) && len(errs.FieldsOf(err)) == 0 { // a reference that does not exist
			return nil, errs.InvalidFields(op, map[string]string{"incident_id": "err.not_found"})
		}
		return nil, err
	}
	out.Person, out.Stay = p, st
	return out, nil
}

// identityOf returns the identity a record belongs to (following merges).
func (s *Service) identityOf(ctx context.Context, personID string) (*Person, error) {
	p, err := s.Store.PersonByID(ctx, personID)
	for i := 0; err == nil && p.MergedInto != "" && i < 20; i++ {
		p, err = s.Store.PersonByID(ctx, p.MergedInto)
	}
	return p, err
}

// findByID finds the identity holding p's ID number.
func (s *Service) findByID(ctx context.Context, p *Person) (*Person, error) {
	same, err := s.sameIDOthers(ctx, p)
	if err != nil || len(same) == 0 {
		return nil, err
	}
	return s.identityOf(ctx, same[0].Person.ID)
}

// Candidate is an earlier record that may be the same person.
type Candidate struct {
	Person *Person
	Reason string // "id_number" or "name_age"
}

// candidates finds earlier records whose name (or an alias) and age fit p.
func (s *Service) candidates(ctx context.Context, p *Person, now time.Time) ([]*Candidate, error) {
	var out []*Candidate
	seen := map[string]bool{p.ID: true}
	var named []*Person
	for _, n := range namesOf(p) {
		found, err := s.Store.PeopleNamed(ctx, n)
		if err != nil {
			return nil, err
		}
		named = append(named, found...)
	}
	for _, q := range named {
		if seen[q.ID] || !sameName(p, q) || !sexFits(p, q) || !agesFit(p, q, now) {
			continue
		}
		seen[q.ID] = true
		if p.ID != "" {
			if d, err := s.Store.Distinct(ctx, p.ID, q.ID); err != nil || d {
				continue
			}
		}
		out = append(out, &Candidate{Person: q, Reason: "name_age"})
	}
	return out, nil
}

// namesOf is a person's name and aliases.
func namesOf(x *Person) []string { return NamesOf(x.Name, x.Aliases) }

// NamesOf is a name and the aliases listed with it (separated by commas,
// enumeration commas or spaces): what the duplicate check compares.
func NamesOf(name, aliases string) []string {
	var out []string
	if name != "" {
		out = append(out, name)
	}
	return append(out, strings.FieldsFunc(aliases, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ' ' })...)
}

func sameName(p, q *Person) bool {
	for _, a := range namesOf(p) {
		for _, b := range namesOf(q) {
			if a != "" && a == b {
				return true
			}
		}
	}
	return false
}

func sexFits(p, q *Person) bool { return p.Sex == SexUnknown || q.Sex == SexUnknown || p.Sex == q.Sex }

// agesFit: the age ranges, widened by 3 years, overlap (or an age is unknown).
func agesFit(p, q *Person, now time.Time) bool {
	a1, a2, ok1 := p.AgeAt(now)
	b1, b2, ok2 := q.AgeAt(now)
	if !ok1 || !ok2 {
		return true
	}
	return a1-3 <= b2 && b1-3 <= a2
}
