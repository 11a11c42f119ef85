package family

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
	"github.com/havenrescue/haven/internal/secret"
)

// Seal contexts of the identifiers a report keeps.
const (
	idContext    = "reports.id_number"
	phoneContext = "reports.contact_phone"
)

// Station is who a notice names as the contact.
type Station struct {
	Name  string
	Phone string
}

// Service is family search.
type Service struct {
	Store  Store
	Cases  *cases.Service // people and their records; merges
	Audit  audit.Store
	Keys   *secret.Keyring
	Photos files.Store
	Now    func() time.Time
	// NoticeDays is how long a notice stays up (0: 180 days).
	NoticeDays int
	Station    Station
	// Domain names the station's PFIF records (domain/record-id).
	Domain string

	mu      sync.Mutex // one round of matching at a time (refresh.go)
	holder  string     // this node's name for the matching lease
	lead    bool       // this node holds the lease: it matches
	leaseAt time.Time  // when the lease was last taken or renewed
	markAt  time.Time  // when the matched mark was last moved
	idx     *index     // nil until built
	seq     int64      // the last event applied to idx
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// ReportInput is a report as a family, the police or staff give it.
type ReportInput struct {
	Source          string
	SourceOrg       string
	ExternalID      string
	Name, Aliases   string
	Sex             cases.Sex
	BirthDate       string // YYYY-MM-DD or YYYY
	AgeMin, AgeMax  int
	HeightCm        int
	IDNumber        string // full, or partial with * for unknown digits
	NativePlace     string
	Dialect         string
	LostOn          string // YYYY-MM-DD
	LostPlace       string
	Features        string // 体貌特征: scars, marks, build
	Description     string // clothing, habits, anything else
	Photo           []byte
	ContactName     string
	ContactRelation string
	ContactPhone    string
	Private         bool
}

var partialID = regexp.MustCompile(`^[0-9]{2}[0-9*]{4}[0-9*]{0,11}[0-9Xx*]?$`)

// check validates in into a report (sealing identifiers, saving the photo)
// and returns the field errors, each naming the field.
func (s *Service) check(ctx context.Context, in ReportInput, now time.Time) (*Report, map[string]string) {
	f := map[string]string{}
	trim := func(v *string, field string, n int) {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, n) {
			f[field] = "err.too_long"
		}
	}
	trim(&in.Name, "name", 50)
	trim(&in.Aliases, "aliases", 100)
	trim(&in.NativePlace, "native_place", 100)
	trim(&in.Dialect, "dialect", 50)
	trim(&in.LostPlace, "lost_place", 200)
	trim(&in.Features, "features", 500)
	trim(&in.Description, "description", 2000)
	trim(&in.ContactName, "contact_name", 50)
	trim(&in.ContactRelation, "contact_relation", 20)
	trim(&in.ExternalID, "external_id", 100)
	if !slices.Contains(Sources, in.Source) {
		f["source"] = "err.invalid_choice"
	}
	if in.Sex == "" {
		in.Sex = cases.SexUnknown
	}
	if !slices.Contains(cases.Sexes, in.Sex) {
		f["sex"] = "err.invalid_choice"
	}
	today := now.In(cases.CST)
	var birth time.Time
	if in.BirthDate = strings.TrimSpace(in.BirthDate); in.BirthDate != "" {
		b, err := time.ParseInLocation("2006-01-02", in.BirthDate, cases.CST)
		if err != nil {
			b, err = time.ParseInLocation("2006", in.BirthDate, cases.CST)
		}
		switch {
		case err != nil || b.Year() < 1900:
			f["birth_date"] = "err.date"
		case b.After(today):
			f["birth_date"] = "err.birth_future"
		}
		birth = b
	}
	if in.LostOn = strings.TrimSpace(in.LostOn); in.LostOn != "" {
		t, err := time.ParseInLocation("2006-01-02", in.LostOn, cases.CST)
		switch {
		case err != nil || t.Year() < 1950:
			f["lost_on"] = "err.date"
		case t.After(today):
			f["lost_on"] = "err.date_future"
		case !birth.IsZero() && t.Before(birth):
			f["lost_on"] = "err.lost_before_birth"
		}
	} else if in.Source == SourceFamily {
		f["lost_on"] = "err.required"
	}
	if in.AgeMin < 0 || in.AgeMax < 0 || in.AgeMin > 120 || in.AgeMax > 120 || (in.AgeMax > 0 && in.AgeMin > in.AgeMax) {
		f["age_min"] = "err.age_range"
	}
	if in.HeightCm < 0 || in.HeightCm > 250 {
		f["height_cm"] = "err.height"
	}
	if in.Name == "" && in.Features == "" && in.Description == "" && in.Photo == nil {
		f["name"] = "err.report_empty"
	}
	r := &Report{ID: id.New(), Ref: intake.NewRef("XR"), Source: in.Source, SourceOrg: in.SourceOrg, ExternalID: in.ExternalID, Status: StatusOpen,
		Name: in.Name, Aliases: in.Aliases, Sex: in.Sex, BirthDate: in.BirthDate, AgeMin: in.AgeMin, AgeMax: in.AgeMax, HeightCm: in.HeightCm,
		NativePlace: in.NativePlace, Dialect: in.Dialect, LostOn: in.LostOn, LostPlace: in.LostPlace, Features: in.Features,
		Description: in.Description, ContactName: in.ContactName, ContactRelation: in.ContactRelation, Private: in.Private, Version: 1, CreatedAt: now, UpdatedAt: now}
	if v := strings.ToUpper(strings.Join(strings.Fields(in.IDNumber), "")); v != "" {
		switch {
		case len(v) == 18 && !strings.Contains(v, "*"):
			n, err := idcard.Parse(v, now)
			if err != nil {
				f["id_number"] = err.(*idcard.Error).Key
			} else {
				v = n.Value
			}
		case !partialID.MatchString(v) || !idcard.RegionOf(v[:2]+"0000").Known:
			f["id_number"] = "err.id_partial"
		}
		if f["id_number"] == "" {
			sealed, err := s.Keys.Seal(idContext, v)
			if err != nil {
				f["id_number"] = "err.internal"
			}
			r.IDSealed = sealed
		}
	}
	if p := auth.NormalizePhone(in.ContactPhone); p != "" {
		if !auth.ValidPhone(p) {
			f["contact_phone"] = "err.phone"
		} else if sealed, err := s.Keys.Seal(phoneContext, p); err == nil {
			r.ContactSealed = sealed
		}
	} else if in.Source == SourceFamily {
		f["contact_phone"] = "err.required"
	}
	if len(in.Photo) > 0 && len(f) == 0 {
		clean, err := photo.Clean(ctx, in.Photo)
		if err != nil {
			f["photo"] = intake.PhotoError(err)
		} else {
			r.Photo = "reports/" + now.Format("200601") + "/" + strings.ToLower(r.ID) + ".jpg"
			if err := s.Photos.Put(ctx, r.Photo, clean); err != nil {
				f["photo"] = "err.internal"
			}
		}
	}
	return r, f
}

// File records a report from a family on the public form; the family
// follows it by its reference number.
func (s *Service) File(ctx context.Context, a auth.Actor, in ReportInput) (*Report, error) {
	const op = "family.File"
	in.Source, in.SourceOrg, in.ExternalID = SourceFamily, "", ""
	return s.add(ctx, op, a, in)
}

// Enter records a report taken by staff (a visit or a call), or one from
// another station on paper.
func (s *Service) Enter(ctx context.Context, a auth.Actor, in ReportInput) (*Report, error) {
	const op = "family.Enter"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	if in.Source != SourceStation {
		in.Source = SourceStaff
	}
	return s.add(ctx, op, a, in)
}

func (s *Service) add(ctx context.Context, op string, a auth.Actor, in ReportInput) (*Report, error) {
	now := s.now()
	r, f := s.check(ctx, in, now)
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	r.CreatedBy = a.Name
	u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "filed", Public: true, ByName: a.Name}
	if err := s.Store.AddReport(ctx, r, u, a.Entry("report.create", "report", r.ID)); err != nil {
		return nil, err
	}
	return r, nil
}

// maxBatch is the most reports one police batch may carry.
const maxBatch = 500

// BatchError is one refused report of a batch, by its position.
type BatchError struct {
	Index      int               `json:"index"`
	ExternalID string            `json:"external_id"`
	Fields     map[string]string `json:"fields"` // field -> message key
}

// FileBatch records reports sent by a police system: every report valid
// and new, or none stored. A report the sender sent before (same external
// id) is answered with its reference, not stored twice.
func (s *Service) FileBatch(ctx context.Context, a auth.Actor, ins []ReportInput) ([]*Report, []BatchError, error) {
	const op = "family.FileBatch"
	if !slices.Contains(a.Scopes, "family.write") {
		return nil, nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if len(ins) == 0 || len(ins) > maxBatch {
		return nil, nil, errs.InvalidFields(op, map[string]string{"reports": "err.batch_size"})
	}
	now := s.now()
	var bad []BatchError
	var fresh []*Report
	out := make([]*Report, len(ins))
	seen := map[string]bool{}
	for i, in := range ins {
		in.Source, in.SourceOrg = SourcePolice, strings.TrimPrefix(a.Name, "apikey:")
		if strings.TrimSpace(in.ExternalID) == "" {
			bad = append(bad, BatchError{Index: i, Fields: map[string]string{"external_id": "err.required"}})
			continue
		}
		if seen[in.ExternalID] {
			bad = append(bad, BatchError{Index: i, ExternalID: in.ExternalID, Fields: map[string]string{"external_id": "err.duplicate"}})
			continue
		}
		seen[in.ExternalID] = true
		if old, err := s.Store.ReportByExternal(ctx, in.SourceOrg, strings.TrimSpace(in.ExternalID)); err == nil {
			out[i] = old
			continue
		} else if !errs.Is(errs.NotFound, err) {
			return nil, nil, err
		}
		r, f := s.check(ctx, in, now)
		if len(f) > 0 {
			bad = append(bad, BatchError{Index: i, ExternalID: in.ExternalID, Fields: f})
			continue
		}
		r.CreatedBy = a.Name
		out[i] = r
		fresh = append(fresh, r)
	}
	if len(bad) > 0 {
		return nil, bad, errs.E(errs.Invalid, op, "err.batch_invalid")
	}
	us := make([]*Update, len(fresh))
	for i, r := range fresh {
		us[i] = &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "filed", Public: true, ByName: a.Name}
	}
	if len(fresh) > 0 {
		e := a.Entry("report.batch", "report", "")
		e.Detail = "reports"
		if err := s.Store.AddReports(ctx, fresh, us, e); err != nil {
			return nil, nil, err
		}
	}
	return out, nil, nil
}

// Progress is what a family sees of its report by the reference number:
// the status and the public history, never the matched person's details.
type Progress struct {
	Ref     string
	Status  string
	Name    string // masked: the first character only
	LostOn  string
	Updates []*Update
	Station Station
}

// Progress looks a report up by its reference number.
func (s *Service) Progress(ctx context.Context, ref string) (*Progress, error) {
	r, err := s.Store.ReportByRef(ctx, intake.NormalizeRef(ref))
	if err != nil {
		return nil, err
	}
	us, err := s.Store.Updates(ctx, r.ID, true)
	if err != nil {
		return nil, err
	}
	return &Progress{Ref: r.Ref, Status: r.Status, Name: maskName(r.Name), LostOn: r.LostOn, Updates: us, Station: s.Station}, nil
}

// maskName keeps a name's first character (王**): the family knows whom
// they search for; whoever else holds the reference learns little.
func maskName(n string) string {
	r := []rune(n)
	if len(r) == 0 {
		return ""
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// ReportView is a report as staff see it.
type ReportView struct {
	*Report
	IDNumber     string // masked unless the reader may see it in full
	ContactPhone string
	Updates      []*Update
	Candidates   []*CandidateView
	Matching     bool // a change waits for matching: the candidates may change
}

// Reports lists reports for staff.
func (s *Service) Reports(ctx context.Context, a auth.Actor, f ReportFilter) ([]*Report, error) {
	const op = "family.Reports"
	if err := a.Require(op, auth.PermFamilyView); err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("report.list", "report", "")); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return s.Store.Reports(ctx, f)
}

// Report opens one report for staff (audited), with its candidates.
func (s *Service) Report(ctx context.Context, a auth.Actor, reportID string) (*ReportView, error) {
	const op = "family.Report"
	if err := a.Require(op, auth.PermFamilyView); err != nil {
		return nil, err
	}
	r, err := s.Store.ReportByID(ctx, reportID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("report.view", "report", r.ID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	v := &ReportView{Report: reportFor(a, r)}
	v.IDNumber = s.reveal(a, idContext, r.IDSealed)
	v.ContactPhone = s.reveal(a, phoneContext, r.ContactSealed)
	if v.Updates, err = s.Store.Updates(ctx, r.ID, false); err != nil {
		return nil, err
	}
	if v.Matching, err = s.Store.MatchPending(ctx, events.TopicReport, r.ID); err != nil {
		return nil, err
	}
	cs, err := s.Store.Candidates(ctx, nil, "", r.ID)
	if err != nil {
		return nil, err
	}
	v.Candidates, err = s.explain(ctx, a, cs)
	return v, err
}

// reportFor returns r as a may see it: for a reader who may not see ID
// numbers, a report with a number on file shows the birth year only, not
// the birth date, and no native place, which together with the masked
// number's last digits would give the number back (as for a person, see
// cases.PersonFor). r itself is not changed.
func reportFor(a auth.Actor, r *Report) *Report {
	if r == nil || r.IDSealed == "" || a.Can(auth.PermCasesPersonal) {
		return r
	}
	c := *r
	if len(c.BirthDate) > 4 {
		c.BirthDate = c.BirthDate[:4]
	}
	c.NativePlace = ""
	return &c
}

// reveal opens a sealed identifier: in full for readers with personal
// access, masked for others.
func (s *Service) reveal(a auth.Actor, context, sealed string) string {
	v, err := s.Keys.Reveal(context, sealed, a.Can(auth.PermCasesPersonal))
	if err != nil {
		return "?"
	}
	return v
}

// Withdraw closes a report the family no longer needs searched.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, reportID, reason string, version int) error {
	const op = "family.Withdraw"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return err
	}
	r, err := s.Store.ReportByID(ctx, reportID)
	if err != nil {
		return err
	}
	if !r.Active() {
		return errs.E(errs.Conflict, op, "err.report_closed")
	}
	if r.Version != version {
		return errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || !form.TextOK(reason, 500) {
		return errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	}
	now := s.now()
	r.Status, r.UpdatedAt = StatusWithdrawn, now
	u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "withdrawn", Text: reason, Public: true, ByName: a.Name}
	if err := s.Store.UpdateReport(ctx, r, u, a.Entry("report.withdraw", "report", r.ID)); err != nil {
		return err
	}
	return s.closeProposals(ctx, "", r.ID)
}

// closeProposals closes the open proposals of a person or a report that is
// no longer searched for.
func (s *Service) closeProposals(ctx context.Context, personID, reportID string) error {
	cs, err := s.Store.Candidates(ctx, []string{Proposed, Deferred}, personID, reportID)
	if err != nil {
		return err
	}
	for _, c := range cs {
		c.State, c.UpdatedAt = Closed, s.now()
		if err := s.Store.Decide(ctx, c, false, audit.Entry{Action: "match.close", RecordType: "candidate", RecordID: c.ID}); err != nil && !errs.Is(errs.Conflict, err) {
			return err
		}
	}
	return nil
}
