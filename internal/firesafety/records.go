package firesafety

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
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
	f := form.Fields{}
	now := s.now()
	ins := &Inspection{ID: id.New(), On: f.Day("on", in.On, s.today(), true), Inspector: f.Text("inspector", in.Inspector, true, 50),
		Responsible: f.Text("responsible", in.Responsible, true, 50), Summary: f.Text("summary", in.Summary, false, 500), By: a.Name, At: now}
	if !in.Signed {
		f["signed"] = "fire.err_unsigned"
	}
	var hs []*Hazard
	for i, fi := range in.Findings {
		if i >= MaxFindings {
			break
		}
		p := "finding." + itoa(i) + "."
		desc := f.Text(p+"description", fi.Description, false, 200)
		loc := f.Text(p+"location", fi.Location, false, 80)
		if desc == "" {
			if loc != "" {
				f[p+"description"] = "err.required"
			}
			continue
		}
		hs = append(hs, &Hazard{ID: id.New(), FoundOn: ins.On, Source: SourceInspection, SourceID: ins.ID, Location: loc, Description: desc,
			FixedOnSpot: fi.FixedOnSpot, CreatedAt: now})
	}
	if err := f.Err(op); err != nil {
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
	f := form.Fields{}
	h := &Hazard{ID: id.New(), FoundOn: f.Day("found_on", in.FoundOn, s.today(), true), Source: SourceOther, Location: f.Text("location", in.Location, true, 80),
		Description: f.Text("description", in.Description, true, 200), FixedOnSpot: in.FixedOnSpot, CreatedAt: s.now()}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return h, s.Store.AddHazard(ctx, h, a.Entry("fire.hazard.add", "fire_hazard", h.ID))
}

// openHazard reads a hazard to plan or recheck: fire.manage only, and
// not once it is closed (Conflict).
func (s *Service) openHazard(ctx context.Context, a auth.Actor, op, hazardID string) (*Hazard, error) {
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
	return h, nil
}

// PlanInput is a rectification plan as typed.
type PlanInput struct{ Measure, Deadline, Owner, Funds string }

// PlanHazard gives a hazard its rectification plan: measure, deadline (not
// before it was found), owner and funds.
func (s *Service) PlanHazard(ctx context.Context, a auth.Actor, hazardID string, in PlanInput) (*Hazard, error) {
	const op = "fire.PlanHazard"
	h, err := s.openHazard(ctx, a, op, hazardID)
	if err != nil {
		return nil, err
	}
	f := form.Fields{}
	h.Measure, h.Owner = f.Text("measure", in.Measure, true, 200), f.Text("owner", in.Owner, true, 50)
	h.Deadline = f.AnyDay("deadline", in.Deadline, true)
	if h.Deadline != "" && h.Deadline < h.FoundOn {
		f["deadline"] = "fire.err_deadline_before"
	}
	h.FundsFen = yuan(f, "funds", in.Funds)
	if err := f.Err(op); err != nil {
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
	h, err := s.openHazard(ctx, a, op, hazardID)
	if err != nil {
		return nil, err
	}
	f := form.Fields{}
	if h.Deadline == "" {
		f["recheck_on"] = "fire.err_no_plan"
	}
	h.RecheckOn = f.Day("recheck_on", in.On, s.today(), true)
	if h.RecheckOn != "" && h.RecheckOn < h.FoundOn {
		f["recheck_on"] = "fire.err_deadline_before"
	}
	h.RecheckOK, h.RecheckNote, h.RecheckBy = in.OK, f.Text("recheck_note", in.Note, !in.OK, 200), a.Name
	if err := f.Err(op); err != nil {
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
	f := form.Fields{}
	p := &Person{ID: id.New(), Name: f.Text("person_name", in.Name, true, 50), Operator: in.Operator, Micro: in.Micro,
		CertNo: f.Text("cert_no", in.CertNo, in.Operator, 40), CertExpires: f.AnyDay("cert_expires", in.CertExpires, in.Operator),
		StartsOn: f.AnyDay("starts_on", in.StartsOn, false), Active: true}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return p, s.Store.AddFirePerson(ctx, p, a.Entry("fire.person.add", "fire_person", p.ID))
}

func (s *Service) knownPeople(ctx context.Context, f form.Fields, field string, ids []string) []string {
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

// held is a training or a drill as the path they share sees it.
type held struct {
	op, duty  string
	on        string   // the day it was held, as typed
	attendees []string // people's ids, as typed
	// read reads the record's own fields into f and gives it the day and
	// the attendees as read; it returns how many attended beyond those
	// listed (a training's others; a drill's volunteers do not count).
	read func(f form.Fields, on string, attendees []string) (others int)
	// store stores the record with its audit entry.
	store func(ctx context.Context) error
}

// recordHeld is the path a training and a drill share: fire.manage, the
// day held not after today, attendees from the fire organisation and
// somebody attending, then the record stored and its duty counted from
// the day it was held.
func (s *Service) recordHeld(ctx context.Context, a auth.Actor, h held) error {
	if err := a.Require(h.op, auth.PermFireManage); err != nil {
		return err
	}
	f := form.Fields{}
	on := f.Day("on", h.on, s.today(), true)
	people := s.knownPeople(ctx, f, "attendees", h.attendees)
	// Nobody is said only when the attendees and others as typed were read.
	if len(people)+h.read(f, on, people) == 0 && f["attendees"] == "" && f["others"] == "" {
		f["attendees"] = "fire.err_no_attendees"
	}
	if err := f.Err(h.op); err != nil {
		return err
	}
	if err := h.store(ctx); err != nil {
		return err
	}
	s.resetDuty(ctx, h.duty, on, a.Name)
	return nil
}

// TrainingInput is a training as typed.
type TrainingInput struct {
	On, Topic, Trainer, Others string
	Attendees                  []string
}

// RecordTraining stores a training and completes the training duty.
func (s *Service) RecordTraining(ctx context.Context, a auth.Actor, in TrainingInput) (*Training, error) {
	t := &Training{ID: id.New(), By: a.Name, At: s.now()}
	err := s.recordHeld(ctx, a, held{op: "fire.RecordTraining", duty: DutyTraining, on: in.On, attendees: in.Attendees,
		read: func(f form.Fields, on string, people []string) int {
			t.On, t.Attendees = on, people
			t.Topic, t.Trainer = f.Text("topic", in.Topic, true, 100), f.Text("trainer", in.Trainer, true, 50)
			t.Others = count(f, "others", in.Others, 0, 10000, false)
			return t.Others
		},
		store: func(ctx context.Context) error {
			return s.Store.AddTraining(ctx, t, a.Entry("fire.training.add", "fire_training", t.ID))
		}})
	if err != nil {
		return nil, err
	}
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
	d := &Drill{ID: id.New(), By: a.Name, At: s.now()}
	err := s.recordHeld(ctx, a, held{op: "fire.RecordDrill", duty: DutyDrill, on: in.On, attendees: in.Attendees,
		read: func(f form.Fields, on string, people []string) int {
			d.On, d.Attendees = on, people
			d.Scenario, d.Evaluation = f.Text("scenario", in.Scenario, true, 100), f.Text("evaluation", in.Evaluation, true, 500)
			d.Volunteers = count(f, "volunteers", in.Volunteers, 0, 10000, false)
			d.VolunteerNames = f.Text("volunteer_names", in.VolunteerNames, false, 300)
			return 0
		},
		store: func(ctx context.Context) error {
			return s.Store.AddDrill(ctx, d, a.Entry("fire.drill.add", "fire_drill", d.ID))
		}})
	if err != nil {
		return nil, err
	}
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
	f := form.Fields{}
	sh := &Shift{ID: id.New(), On: f.AnyDay("shift_on", in.On, true), Slot: f.Choice("slot", in.Slot, Slots)}
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
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return sh, s.Store.SaveControlShift(ctx, sh, a.Entry("fire.shift.save", "fire_shift", sh.On+"/"+sh.Slot))
}
