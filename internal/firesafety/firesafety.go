package firesafety

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// Equipment kinds.
const (
	KindExtinguisher   = "extinguisher"
	KindSprinkler      = "sprinkler" // heads of one model
	KindAlarm          = "alarm"     // alarms and detectors
	KindEmergencyLight = "emergency_light"
	KindExitSign       = "exit_sign"
	KindHydrant        = "hydrant"
	KindFireDoor       = "fire_door"
	KindControlRoom    = "control_room"
)

// Kinds lists the equipment kinds in display order.
var Kinds = []string{KindExtinguisher, KindSprinkler, KindAlarm, KindEmergencyLight, KindExitSign, KindHydrant, KindFireDoor, KindControlRoom}

// Equipment is one item of the register (for sprinklers: the heads of one
// model).
type Equipment struct {
	ID             string
	Code           string // the register number on its label, F001 …
	Kind           string
	Name           string // what it is, or the sprinkler model
	Location       string
	ExtType        string // extinguishers
	ManufacturedOn string
	InstalledOn    string
	LastServiceOn  string // extinguishers: the last service (维修), "" never
	LastCheckedOn  string // the last monthly check of the item
	Installed      int    // sprinklers: heads installed
	Spares         int    // sprinklers: spare heads kept
	Note           string
	CreatedAt      time.Time
}

// Event kinds of an item's log.
const (
	EventCheck       = "check"       // a monthly check of the item
	EventService     = "service"     // an extinguisher's service
	EventReplacement = "replacement" // sprinkler heads replaced from the spares
	EventSpares      = "spares"      // spare heads received
)

// Event is one entry of an item's log.
type Event struct {
	ID          string
	EquipmentID string
	Kind        string
	On          string
	Count       int
	OK          bool
	Note        string
	By          string
	At          time.Time
}

// Test is the yearly full test by a qualified company, its report a photo.
type Test struct {
	ID      string
	On      string
	Company string
	CertNo  string // the company's qualification
	Passed  bool
	Note    string
	Report  string // the report's photo in Files
	By      string
	At      time.Time
}

// Checkpoint is a place a patrol scans, in the patrol's order (Seq).
type Checkpoint struct {
	ID     string
	Code   string
	Name   string
	Seq    int
	Active bool
}

// Checklist items of a patrol at a checkpoint.
const (
	ItemPowerFlame = "power_flame" // electricity and open flame
	ItemExits      = "exits"       // exits and routes clear
	ItemLighting   = "lighting"    // emergency lighting
	ItemDoors      = "doors"       // fire doors closed
	ItemEquipment  = "equipment"   // equipment in place
	ItemLanes      = "lanes"       // fire lanes clear
)

// Items lists the checklist in display order.
var Items = []string{ItemPowerFlame, ItemExits, ItemLighting, ItemDoors, ItemEquipment, ItemLanes}

// Scan is a patrol at a checkpoint: its answers (the items with a
// problem), note and photo. ClientID is the phone's key: a scan sent twice
// is stored once.
type Scan struct {
	ID             string
	ClientID       string
	RoundID        string // scans of one round share it
	CheckpointID   string
	CheckpointName string // read with the scan
	Seq            int    // the checkpoint's, when scanned
	At             time.Time
	ByID, By       string
	Night          bool
	Problems       []string
	Note           string
	Photo          string
	OutOfSeq       bool // scanned before a checkpoint earlier in the round's order
}

// Inspection is a fire inspection (防火检查), signed by the responsible person.
type Inspection struct {
	ID          string
	On          string
	Inspector   string
	Responsible string // 消防安全责任人 (or 管理人) who signed
	Summary     string
	Findings    int // hazards found
	By          string
	At          time.Time
}

// Hazard sources.
const (
	SourceInspection = "inspection"
	SourcePatrol     = "patrol"
	SourceOther      = "other"
)

// Hazard is a finding and its rectification (Art. 30–33 of Order 61).
type Hazard struct {
	ID          string
	FoundOn     string
	Source      string
	SourceID    string
	Location    string
	Description string
	FixedOnSpot bool
	Measure     string // the plan: measure, deadline, owner, funds
	Deadline    string
	Owner       string
	FundsFen    int64
	RecheckOn   string
	RecheckBy   string
	RecheckOK   bool
	RecheckNote string
	CreatedAt   time.Time
}

// Hazard states.
const (
	HazardFixed    = "fixed"     // on the spot
	HazardNeedPlan = "need_plan" // no plan yet
	HazardOpen     = "open"      // plan, deadline ahead
	HazardOverdue  = "overdue"   // deadline passed (or no plan for PlanDays)
	HazardClosed   = "closed"    // rechecked and passed
)

// Closed reports whether the hazard needs nothing more.
func (h *Hazard) Closed() bool { return h.FixedOnSpot || h.RecheckOK }

// State is the hazard's state on today.
func (s Settings) HazardState(h *Hazard, today string) string {
	switch {
	case h.FixedOnSpot:
		return HazardFixed
	case h.RecheckOK:
		return HazardClosed
	case h.Deadline != "" && today > h.Deadline:
		return HazardOverdue
	case h.Deadline == "" && today > addDays(h.FoundOn, s.PlanDays):
		return HazardOverdue
	case h.Deadline == "":
		return HazardNeedPlan
	}
	return HazardOpen
}

// Person is someone of the station's fire organisation: a control-room
// operator (certified), a member of the micro fire station, or a new
// staff member to be trained before starting.
type Person struct {
	ID          string
	Name        string
	Operator    bool
	Micro       bool
	CertNo      string
	CertExpires string
	StartsOn    string // a new staff member's first day, "" otherwise
	Active      bool
}

// Training is a fire-safety training with who attended.
type Training struct {
	ID        string
	On        string
	Topic     string
	Trainer   string
	Attendees []string // people's ids
	Others    int      // attendees not in the list
	By        string
	At        time.Time
}

// Drill is an evacuation drill with attendance and its evaluation.
type Drill struct {
	ID             string
	On             string
	Scenario       string
	Attendees      []string // staff: people's ids
	Volunteers     int
	VolunteerNames string
	Evaluation     string
	By             string
	At             time.Time
}

// Control-room shift slots.
const (
	SlotDay   = "day"   // 08:00–20:00
	SlotNight = "night" // 20:00–08:00
)

// Slots lists the slots in order.
var Slots = []string{SlotDay, SlotNight}

// Shift is a control-room shift and its operators.
type Shift struct {
	ID     string
	On     string
	Slot   string
	People []string
}

// Store keeps fire safety's records. Writes store their audit entry in the
// same transaction. Not found: errs.NotFound; a client id or code used
// already: errs.Conflict.
type Store interface {
	AddEquipment(ctx context.Context, e *Equipment, a audit.Entry) error
	// Equipment lists the register by code.
	Equipment(ctx context.Context) ([]*Equipment, error)
	EquipmentByID(ctx context.Context, id string) (*Equipment, error)
	// AddEquipmentEvent logs ev and applies it to the item: a check sets
	// last_checked_on, a service last_service_on, a replacement takes
	// Count spares (Conflict when fewer are left), spares received add them.
	AddEquipmentEvent(ctx context.Context, ev *Event, a audit.Entry) error
	EquipmentEvents(ctx context.Context, equipmentID string) ([]*Event, error)
	AddFireTest(ctx context.Context, t *Test, a audit.Entry) error
	FireTests(ctx context.Context) ([]*Test, error)

	AddCheckpoint(ctx context.Context, c *Checkpoint, a audit.Entry) error
	Checkpoints(ctx context.Context) ([]*Checkpoint, error)
	CheckpointByCode(ctx context.Context, code string) (*Checkpoint, error)
	// AddScan stores a scan; a scan whose ClientID is stored already is
	// not stored again: Conflict.
	AddScan(ctx context.Context, s *Scan, a audit.Entry) error
	ScanByClientID(ctx context.Context, clientID string) (*Scan, error)
	// LastScan is the latest scan, NotFound when none.
	LastScan(ctx context.Context) (*Scan, error)
	// Scans lists the scans from from to to, oldest first.
	Scans(ctx context.Context, from, to time.Time) ([]*Scan, error)

	// AddInspection stores an inspection with the hazards it found.
	AddInspection(ctx context.Context, in *Inspection, hs []*Hazard, a audit.Entry) error
	Inspections(ctx context.Context, from, to string) ([]*Inspection, error)
	AddHazard(ctx context.Context, h *Hazard, a audit.Entry) error
	HazardByID(ctx context.Context, id string) (*Hazard, error)
	// UpdateHazard saves a hazard's plan and recheck.
	UpdateHazard(ctx context.Context, h *Hazard, a audit.Entry) error
	// Hazards lists the hazards still open and those found since since.
	Hazards(ctx context.Context, since string) ([]*Hazard, error)

	AddFirePerson(ctx context.Context, p *Person, a audit.Entry) error
	FirePeople(ctx context.Context) ([]*Person, error)
	AddTraining(ctx context.Context, t *Training, a audit.Entry) error
	Trainings(ctx context.Context, since string) ([]*Training, error)
	AddDrill(ctx context.Context, d *Drill, a audit.Entry) error
	Drills(ctx context.Context, since string) ([]*Drill, error)
	// SaveControlShift stores a shift, replacing the same day and slot's.
	SaveControlShift(ctx context.Context, s *Shift, a audit.Entry) error
	ControlShifts(ctx context.Context, from, to string) ([]*Shift, error)
}
