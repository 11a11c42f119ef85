package firesafety

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

// MaxFindings is the most findings one inspection form takes.
const MaxFindings = 5

// FindingInput is a hazard an inspection found, as typed.
type FindingInput struct {
	Location, Description string
	FixedOnSpot           bool
}

// InspectionInput is an inspection as typed.
type InspectionInput struct {
	On, Inspector, Responsible, Summary string
	Signed                              bool // the responsible person signed the record
	Findings                            []FindingInput
}

// RecordInspection stores an inspection signed by the responsible person
// and a hazard for each finding, and completes the inspection duty.
func (s *Service) RecordInspection(ctx context.Context, a auth.Actor, in InspectionInput) (*Inspection, error) {
	const op = "fire.RecordInspection"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	now := s.now()
	ins := &Inspection{ID: id.New(), On: f.day("on", in.On, s.today(), true), Inspector: f.text("inspector", in.Inspector, true, 50),
		Responsible: f.text("responsible", in.Responsible, true, 50), Summary: f.text("summary", in.Summary, false, 500), By: a.Name, At: now}
	if !in.Signed {
		f["signed"] = "fire.err_unsigned"
	}
	var hs []*Hazard
	for i, fi := range in.Findings {
		if i >= MaxFindings {
			break
		}
		p := "finding." + itoa(i) + "."
		desc := f.text(p+"description", fi.Description, false, 200)
		loc := f.text(p+"location", fi.Location, false, 80)
		if desc == "" {
			if loc != "" {
				f[p+"description"] = "err.required"
			}
			continue
		}
		hs = append(hs, &Hazard{ID: id.New(), FoundOn: ins.On, Source: SourceInspection, SourceID: ins.ID, Location: loc, Description: desc,
			FixedOnSpot: fi.FixedOnSpot, CreatedAt: now})
	}
	if err := f.err(op); err != nil {
		return nil, err
	}
	ins.Findings = len(hs)
	if err := s.Store.AddInspection(ctx, ins, hs, a.Entry("fire.inspection.add", "fire_inspection", ins.ID)); err != nil {
		return nil, err
	}
	s.resetDuty(ctx, DutyInspection, ins.On, a.Name)
	return ins, nil
}

func itoa(i int) string { return string(rune('0' + i)) }

// HazardInput is a hazard found outside an inspection or patrol.
type HazardInput struct {
	FoundOn, Location, Description string
	FixedOnSpot                    bool
}

// AddHazard records a hazard.
func (s *Service) AddHazard(ctx context.Context, a auth.Actor, in HazardInput) (*Hazard, error) {
	const op = "fire.AddHazard"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	h := &Hazard{ID: id.New(), FoundOn: f.day("found_on", in.FoundOn, s.today(), true), Source: SourceOther, Location: f.text("location", in.Location, true, 80),
		Description: f.text("description", in.Description, true, 200), FixedOnSpot: in.FixedOnSpot, CreatedAt: s.now()}
	if err := f.err(op); err != nil {
		return nil, err
	}
	return h, s.Store.AddHazard(ctx, h, a.Entry("fire.hazard.add", "fire_hazard", h.ID))
}

// PlanInput is a rectification plan as typed.
type PlanInput struct{ Measure, Deadline, Owner, Funds string }

// PlanHazard gives a hazard its rectification plan: measure, deadline (not
// before it was found), owner and funds.
func (s *Service) PlanHazard(ctx context.Context, a auth.Actor, hazardID string, in PlanInput) (*Hazard, error) {
	const op = "fire.PlanHazard"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	h, err := s.Store.HazardByID(ctx, hazardID)
	if err != nil {
		return nil, err
	}
	if h.Closed() {
		return nil, errs.E(errs.Conflict, op, "fire.err_hazard_closed")
	}
	f := fields{}
	h.Measure, h.Owner = f.text("measure", in.Measure, true, 200), f.text("owner", in.Owner, true, 50)
	h.Deadline = f.anyDay("deadline", in.Deadline, true)
	if h.Deadline != "" && h.Deadline < h.FoundOn {
		f["deadline"] = "fire.err_deadline_before"
	}
	h.FundsFen = f.yuan("funds", in.Funds)
	if err := f.err(op); err != nil {
		return nil, err
	}
	return h, s.Store.UpdateHazard(ctx, h, a.Entry("fire.hazard.plan", "fire_hazard", h.ID))
}

// RecheckInput is a hazard's recheck as typed.
type RecheckInput struct {
	On, Note string
	OK       bool
}

// RecheckHazard records the recheck of a planned hazard: passed closes it.
func (s *Service) RecheckHazard(ctx context.Context, a auth.Actor, hazardID string, in RecheckInput) (*Hazard, error) {
	const op = "fire.RecheckHazard"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	h, err := s.Store.HazardByID(ctx, hazardID)
	if err != nil {
		return nil, err
	}
	if h.Closed() {
		return nil, errs.E(errs.Conflict, op, "fire.err_hazard_closed")
	}
	f := fields{}
	if h.Deadline == "" {
		f["recheck_on"] = "fire.err_no_plan"
	}
	h.RecheckOn = f.day("recheck_on", in.On, s.today(), true)
	if h.RecheckOn != "" && h.RecheckOn < h.FoundOn {
		f["recheck_on"] = "fire.err_deadline_before"
	}
	h.RecheckOK, h.RecheckNote, h.RecheckBy = in.OK, f.text("recheck_note", in.Note, !in.OK, 200), a.Name
	if err := f.err(op); err != nil {
		return nil, err
	}
	return h, s.Store.UpdateHazard(ctx, h, a.Entry("fire.hazard.recheck", "fire_hazard", h.ID))
}

// ---- people ----

// PersonInput is a member of the fire organisation as typed.
type PersonInput struct {
	Name, CertNo, CertExpires, StartsOn string
	Operator, Micro                     bool
}

// AddPerson adds a person: a control-room operator needs a certificate.
func (s *Service) AddPerson(ctx context.Context, a auth.Actor, in PersonInput) (*Person, error) {
	const op = "fire.AddPerson"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	p := &Person{ID: id.New(), Name: f.text("person_name", in.Name, true, 50), Operator: in.Operator, Micro: in.Micro,
		CertNo: f.text("cert_no", in.CertNo, in.Operator, 40), CertExpires: f.anyDay("cert_expires", in.CertExpires, in.Operator),
		StartsOn: f.anyDay("starts_on", in.StartsOn, false), Active: true}
	if err := f.err(op); err != nil {
		return nil, err
	}
	return p, s.Store.AddFirePerson(ctx, p, a.Entry("fire.person.add", "fire_person", p.ID))
}

func (s *Service) knownPeople(ctx context.Context, f fields, field string, ids []string) []string {
	ps, err := s.Store.FirePeople(ctx)
	if err != nil {
		f[field] = "err.invalid_choice"
		return nil
	}
	var out []string
	for _, x := range ids {
		x = strings.TrimSpace(x)
		found := false
		for _, p := range ps {
			found = found || p.ID == x
		}
		if !found {
			f[field] = "err.invalid_choice"
			continue
		}
		out = append(out, x)
	}
	return out
}

// TrainingInput is a training as typed.
type TrainingInput struct {
	On, Topic, Trainer, Others string
	Attendees                  []string
}

// RecordTraining stores a training and completes the training duty.
func (s *Service) RecordTraining(ctx context.Context, a auth.Actor, in TrainingInput) (*Training, error) {
	const op = "fire.RecordTraining"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	t := &Training{ID: id.New(), On: f.day("on", in.On, s.today(), true), Topic: f.text("topic", in.Topic, true, 100),
		Trainer: f.text("trainer", in.Trainer, true, 50), Others: f.count("others", in.Others, 0, 10000, false), By: a.Name, At: s.now()}
	t.Attendees = s.knownPeople(ctx, f, "attendees", in.Attendees)
	if len(t.Attendees)+t.Others == 0 && f["others"] == "" {
		f["attendees"] = "fire.err_no_attendees"
	}
	if err := f.err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddTraining(ctx, t, a.Entry("fire.training.add", "fire_training", t.ID)); err != nil {
		return nil, err
	}
	s.resetDuty(ctx, DutyTraining, t.On, a.Name)
	return t, nil
}

// DrillInput is an evacuation drill as typed.
type DrillInput struct {
	On, Scenario, Volunteers, VolunteerNames, Evaluation string
	Attendees                                            []string
}

// RecordDrill stores a drill with its attendance and evaluation and
// completes the drill duty.
func (s *Service) RecordDrill(ctx context.Context, a auth.Actor, in DrillInput) (*Drill, error) {
	const op = "fire.RecordDrill"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	d := &Drill{ID: id.New(), On: f.day("on", in.On, s.today(), true), Scenario: f.text("scenario", in.Scenario, true, 100),
		Volunteers: f.count("volunteers", in.Volunteers, 0, 10000, false), VolunteerNames: f.text("volunteer_names", in.VolunteerNames, false, 300),
		Evaluation: f.text("evaluation", in.Evaluation, true, 500), By: a.Name, At: s.now()}
	d.Attendees = s.knownPeople(ctx, f, "attendees", in.Attendees)
	if len(d.Attendees) == 0 && f["attendees"] == "" {
		f["attendees"] = "fire.err_no_attendees"
	}
	if err := f.err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddDrill(ctx, d, a.Entry("fire.drill.add", "fire_drill", d.ID)); err != nil {
		return nil, err
	}
	s.resetDuty(ctx, DutyDrill, d.On, a.Name)
	return d, nil
}

// ShiftInput is a control-room shift as typed.
type ShiftInput struct {
	On, Slot string
	People   []string
}

// SaveShift sets a control-room shift's operators (replacing the day and
// slot's); only operators may be put on it.
func (s *Service) SaveShift(ctx context.Context, a auth.Actor, in ShiftInput) (*Shift, error) {
	const op = "fire.SaveShift"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := fields{}
	sh := &Shift{ID: id.New(), On: f.anyDay("shift_on", in.On, true), Slot: f.choice("slot", in.Slot, Slots)}
	sh.People = s.knownPeople(ctx, f, "operators", in.People)
	ps, err := s.Store.FirePeople(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range sh.People {
		for _, p := range ps {
			if p.ID == x && !p.Operator {
				f["operators"] = "fire.err_not_operator"
			}
		}
	}
	if err := f.err(op); err != nil {
		return nil, err
	}
	return sh, s.Store.SaveControlShift(ctx, sh, a.Entry("fire.shift.save", "fire_shift", sh.On+"/"+sh.Slot))
}
