// Package health is medical care for the people a station helps (医疗救治,
// DESIGN.md §3.5): the health check at intake and periodic checks, one
// health record per person (一人一档) with medications, and the green
// channel — referrals to partner hospitals, tracked from referral through
// transfer and admission to discharge back to the station. Medical staff
// see health data; a partner hospital's users see only their referrals;
// everyone else sees only what they need ("medication at 20:00").
package health

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Check kinds.
const (
	CheckIntake   = "intake"
	CheckPeriodic = "periodic"
)

// Screening results for infectious diseases.
var ScreenResults = []string{"not_checked", "negative", "suspected", "positive"}

// Infections screened at intake.
var Infections = []string{"tb", "skin", "fever_cough", "hepatitis", "other"}

// Mental-state screening results.
var MentalScreens = []string{"calm", "anxious", "confused", "agitated", "psychotic", "suicidal"}

// CheckData is what a health check records.
type CheckData struct {
	TempC      float64           `json:"temp_c,omitempty"`
	Pulse      int               `json:"pulse,omitempty"`
	BPSys      int               `json:"bp_sys,omitempty"`
	BPDia      int               `json:"bp_dia,omitempty"`
	Resp       int               `json:"resp,omitempty"`
	SpO2       int               `json:"spo2,omitempty"`
	Injuries   string            `json:"injuries,omitempty"`
	Infectious map[string]string `json:"infectious,omitempty"`
	Mental     string            `json:"mental,omitempty"`
	Notes      string            `json:"notes,omitempty"`
	Reasons    []string          `json:"reasons,omitempty"` // why it is urgent
}

// Check is one health check.
type Check struct {
	ID       string
	PersonID string
	StayID   string
	At       time.Time
	Kind     string
	Data     CheckData
	Urgent   bool
	ByName   string
}

// Medication is a drug a person takes at set times of day.
type Medication struct {
	ID        string
	PersonID  string
	Name      string
	Dose      string
	Times     []string // HH:MM
	StartedOn string   // YYYY-MM-DD
	EndedOn   string
	Note      string
	ByName    string
}

// Referral states.
const (
	Referred    = "referred"    // the station asked the hospital
	Transferred = "transferred" // the person was taken there
	Admitted    = "admitted"    // the hospital admitted them
	Discharged  = "discharged"  // back to the station
	Cancelled   = "cancelled"
)

// ReferralStates lists the states in order.
var ReferralStates = []string{Referred, Transferred, Admitted, Discharged, Cancelled}

// Referral is one green-channel referral.
type Referral struct {
	ID            string
	PersonID      string
	StayID        string
	HospitalID    string
	Reason        string
	Urgent        bool
	State         string
	ReferredAt    time.Time
	TransferredAt time.Time
	AdmittedAt    time.Time
	DischargedAt  time.Time
	Version       int
	UpdatedAt     time.Time
	ByName        string
}

// Note is a treatment or progress note on a referral.
type Note struct {
	ID         string
	ReferralID string
	At         time.Time
	Kind       string // "note" or a state it moved to
	Text       string
	AuthorName string
	AuthorDept string
}

// Store is what health needs from storage.
type Store interface {
	AddCheck(ctx context.Context, c *Check, e audit.Entry) error
	Checks(ctx context.Context, personIDs []string) ([]*Check, error)
	AddMedication(ctx context.Context, m *Medication, e audit.Entry) error
	EndMedication(ctx context.Context, id, endedOn string, e audit.Entry) error
	Medications(ctx context.Context, personIDs []string) ([]*Medication, error)
	AddReferral(ctx context.Context, r *Referral, e audit.Entry) error
	// UpdateReferral saves a state change (version-checked) with its note.
	UpdateReferral(ctx context.Context, r *Referral, n *Note, e audit.Entry) error
	AddReferralNote(ctx context.Context, n *Note, e audit.Entry) error
	ReferralByID(ctx context.Context, id string) (*Referral, error)
	// Referrals lists referrals, of one hospital when hospitalID is set,
	// of some people when personIDs is set, open ones only when open.
	Referrals(ctx context.Context, hospitalID string, personIDs []string, open bool) ([]*Referral, error)
	ReferralNotes(ctx context.Context, referralID string) ([]*Note, error)

	PersonByID(ctx context.Context, id string) (*cases.Person, error)
	Identity(ctx context.Context, id string) ([]*cases.Person, error)
	DepartmentByID(ctx context.Context, id string) (*auth.Department, error)
}

// Service is the health capability.
type Service struct {
	Store Store
	Audit audit.Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// ranges of plausible vital signs; outside them the value is a typo.
var plausible = map[string][2]float64{"temp_c": {30, 45}, "pulse": {20, 250}, "bp_sys": {50, 300}, "bp_dia": {20, 200}, "resp": {4, 80}, "spo2": {50, 100}}

// Urgent returns why a check needs an urgent referral (empty: it does not).
func Urgent(d CheckData) []string {
	var r []string
	if d.TempC != 0 && (d.TempC >= 39.5 || d.TempC < 35) {
		r = append(r, "temp")
	}
	if d.Pulse != 0 && (d.Pulse > 130 || d.Pulse < 45) {
		r = append(r, "pulse")
	}
	if d.BPSys != 0 && (d.BPSys >= 180 || d.BPSys < 90) {
		r = append(r, "bp")
	}
	if d.SpO2 != 0 && d.SpO2 < 92 {
		r = append(r, "spo2")
	}
	if d.Resp != 0 && (d.Resp > 30 || d.Resp < 8) {
		r = append(r, "resp")
	}
	if d.Mental == "suicidal" || d.Mental == "psychotic" {
		r = append(r, "mental")
	}
	for _, k := range Infections {
		if d.Infectious[k] == "positive" || d.Infectious[k] == "suspected" {
			r = append(r, "infectious")
			break
		}
	}
	return r
}

// RecordCheck records a health check; urgent findings are flagged.
func (s *Service) RecordCheck(ctx context.Context, a auth.Actor, personID, stayID, kind string, d CheckData) (*Check, error) {
	const op = "health.RecordCheck"
	if err := a.Require(op, auth.PermHealthManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	if kind != CheckIntake && kind != CheckPeriodic {
		f["kind"] = "err.invalid_choice"
	}
	vals := map[string]float64{"temp_c": d.TempC, "pulse": float64(d.Pulse), "bp_sys": float64(d.BPSys), "bp_dia": float64(d.BPDia), "resp": float64(d.Resp), "spo2": float64(d.SpO2)}
	for k, v := range vals {
		if v != 0 && (v < plausible[k][0] || v > plausible[k][1] || math.IsNaN(v)) {
			f[k] = "err.vital_range"
		}
	}
	for k, v := range d.Infectious {
		if !slices.Contains(Infections, k) || !slices.Contains(ScreenResults, v) {
			f["infectious"] = "err.invalid_choice"
		}
	}
	if d.Mental != "" && !slices.Contains(MentalScreens, d.Mental) {
		f["mental"] = "err.invalid_choice"
	}
	d.Injuries, d.Notes = strings.TrimSpace(d.Injuries), strings.TrimSpace(d.Notes)
	if !form.TextOK(d.Injuries, 2000) || !form.TextOK(d.Notes, 2000) {
		f["notes"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	d.Reasons = Urgent(d)
	c := &Check{ID: id.New(), PersonID: p.ID, StayID: stayID, At: s.now(), Kind: kind, Data: d, Urgent: len(d.Reasons) > 0, ByName: a.Name}
	return c, s.Store.AddCheck(ctx, c, a.Entry("health.check", "person", p.ID))
}

// Record is a person's health record (一人一档).
type Record struct {
	Checks      []*Check
	Medications []*Medication
	Referrals   []*ReferralView
}

func (s *Service) identityIDs(ctx context.Context, personID string) ([]string, error) {
	linked, err := s.Store.Identity(ctx, personID)
	if err != nil {
		return nil, err
	}
	ids := []string{personID}
	for _, l := range linked {
		ids = append(ids, l.ID)
	}
	return ids, nil
}

// RecordOf opens a person's health record (medical staff; audited).
func (s *Service) RecordOf(ctx context.Context, a auth.Actor, personID string) (*Record, error) {
	const op = "health.RecordOf"
	if err := a.Require(op, auth.PermHealthView); err != nil {
		return nil, err
	}
	ids, err := s.identityIDs(ctx, personID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("health.view", "person", personID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	r := &Record{}
	if r.Checks, err = s.Store.Checks(ctx, ids); err != nil {
		return nil, err
	}
	if r.Medications, err = s.Store.Medications(ctx, ids); err != nil {
		return nil, err
	}
	refs, err := s.Store.Referrals(ctx, "", ids, false)
	if err != nil {
		return nil, err
	}
	for _, ref := range refs {
		rv, err := s.view(ctx, ref)
		if err != nil {
			return nil, err
		}
		r.Referrals = append(r.Referrals, rv)
	}
	return r, nil
}

// CareCue is what staff without access to health data see: when a
// person needs medication, whether a check flagged something urgent, and
// whether they are in hospital — no diagnoses, drugs or readings.
type CareCue struct {
	MedicationTimes []string
	Urgent          bool
	InHospital      bool
}

// Cue returns a person's care cue (anyone who may view the person).
func (s *Service) Cue(ctx context.Context, a auth.Actor, personID string) (*CareCue, error) {
	if err := a.RequireAny("health.Cue", auth.PermCasesView, auth.PermHealthView); err != nil {
		return nil, err
	}
	ids, err := s.identityIDs(ctx, personID)
	if err != nil {
		return nil, err
	}
	meds, err := s.Store.Medications(ctx, ids)
	if err != nil {
		return nil, err
	}
	c := &CareCue{}
	today := s.now().In(cases.CST).Format("2006-01-02")
	for _, m := range meds {
		if m.EndedOn == "" || m.EndedOn >= today {
			c.MedicationTimes = append(c.MedicationTimes, m.Times...)
		}
	}
	slices.Sort(c.MedicationTimes)
	c.MedicationTimes = slices.Compact(c.MedicationTimes)
	checks, err := s.Store.Checks(ctx, ids)
	if err != nil {
		return nil, err
	}
	if len(checks) > 0 {
		c.Urgent = checks[0].Urgent // newest first
	}
	refs, err := s.Store.Referrals(ctx, "", ids, true)
	if err != nil {
		return nil, err
	}
	for _, r := range refs {
		c.InHospital = c.InHospital || r.State == Transferred || r.State == Admitted
	}
	return c, nil
}

// ParseTimes reads "08:00, 20:00" into sorted HH:MM times.
func ParseTimes(s string) ([]string, bool) {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		h, m, ok := strings.Cut(f, ":")
		hh, err1 := strconv.Atoi(h)
		mm, err2 := strconv.Atoi(m)
		if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 {
			return nil, false
		}
		out = append(out, fmt.Sprintf("%02d:%02d", hh, mm))
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// AddMedication starts a medication.
func (s *Service) AddMedication(ctx context.Context, a auth.Actor, personID, name, dose, times, note string) (*Medication, error) {
	const op = "health.AddMedication"
	if err := a.Require(op, auth.PermHealthManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	name, dose, note = strings.TrimSpace(name), strings.TrimSpace(dose), strings.TrimSpace(note)
	if name == "" {
		f["med_name"] = "err.required"
	} else if !form.TextOK(name, 100) || !form.TextOK(dose, 100) || !form.TextOK(note, 500) {
		f["med_name"] = "err.too_long"
	}
	ts, ok := ParseTimes(times)
	if !ok || len(ts) == 0 {
		f["med_times"] = "err.med_times"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	m := &Medication{ID: id.New(), PersonID: p.ID, Name: name, Dose: dose, Times: ts, StartedOn: s.now().In(cases.CST).Format("2006-01-02"), Note: note, ByName: a.Name}
	return m, s.Store.AddMedication(ctx, m, a.Entry("health.medication", "person", p.ID))
}

// EndMedication stops a medication today.
func (s *Service) EndMedication(ctx context.Context, a auth.Actor, medicationID string) error {
	const op = "health.EndMedication"
	if err := a.Require(op, auth.PermHealthManage); err != nil {
		return err
	}
	return s.Store.EndMedication(ctx, medicationID, s.now().In(cases.CST).Format("2006-01-02"), a.Entry("health.medication_end", "medication", medicationID))
}
