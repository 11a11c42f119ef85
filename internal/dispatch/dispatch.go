// Package dispatch is the dispatcher's side of street outreach (DESIGN.md
// §3.2): teams and their positions, the nearest-team suggestion,
// assignments, escalation and notes on incidents, the hotspot registry,
// patrols (day and night) with their GPS tracks, and encounters on the
// street, whose outcome closes the incident and travels back to whoever
// reported it.
package dispatch

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/intake"
)

// TeamKind is the department kind a team belongs to.
type TeamKind string

const (
	KindCivil     TeamKind = "civil"     // 民政 (the relief station)
	KindPolice    TeamKind = "police"    // 公安
	KindUrban     TeamKind = "urban"     // 城管
	KindVolunteer TeamKind = "volunteer" // 志愿者
)

// TeamKinds lists the kinds in display order.
var TeamKinds = []TeamKind{KindCivil, KindPolice, KindUrban, KindVolunteer}

// TeamStatus is whether a team can take a new incident.
type TeamStatus string

const (
	StatusAvailable TeamStatus = "available"
	StatusBusy      TeamStatus = "busy"
	StatusOffDuty   TeamStatus = "off_duty"
)

// TeamStatuses lists the statuses.
var TeamStatuses = []TeamStatus{StatusAvailable, StatusBusy, StatusOffDuty}

// Team is a patrol or rescue team.
type Team struct {
	ID           string
	Name         string
	Kind         TeamKind
	DepartmentID string
	Vehicles     string // plates, comma-separated
	Status       TeamStatus
	Lat, Lng     float64 // last known position; zero when unknown
	PositionAt   time.Time
	IncidentID   string // the incident it is on, when busy
	Members      []string
	Version      int
	UpdatedAt    time.Time
}

// HasPosition reports whether the team's position is known.
func (t *Team) HasPosition() bool { return t.Lat != 0 || t.Lng != 0 }

// HotspotKind is a kind of place where people sleep rough or get stranded.
type HotspotKind string

// HotspotKinds lists the kinds of the hotspot registry (重点点位).
var HotspotKinds = []HotspotKind{"railway_station", "bus_station", "underpass", "bridge", "culvert", "square", "atm", "building_site", "park", "hospital", "market", "other"}

// Hotspot is a place that patrols visit.
type Hotspot struct {
	ID        string
	Name      string
	Kind      HotspotKind
	Lat, Lng  float64
	District  string
	Address   string
	RiskNotes string
	Active    bool
	CreatedAt time.Time
}

// Assignment is a team sent to an incident.
type Assignment struct {
	ID         string
	IncidentID string
	TeamID     string
	State      string // active, replaced, done
	DistanceM  float64
	ETA        time.Duration
	AssignedAt time.Time
	AssignedBy string
	EndedAt    time.Time
}

// Note is a dispatcher's note on an incident; escalations, assignments
// and placing its pin leave one too: together they are its history.
type Note struct {
	ID         string
	IncidentID string
	At         time.Time
	Kind       string // one of NoteKinds, or stay_exit (the station's text)
	AuthorName string
	Text       string
}

// NoteKinds are the kinds of a dispatcher's lines in an incident's
// history ("location": a dispatcher placed its pin).
var NoteKinds = []string{"note", "escalation", "assignment", "location"}

// Patrol is one outing of a team (巡查): planned or ad hoc, day or night.
type Patrol struct {
	ID           string
	TeamID       string
	DepartmentID string
	Kind         string // planned, adhoc
	PlannedAt    time.Time
	StartedAt    time.Time
	EndedAt      time.Time
	Night        bool // classified by its start time (NightWindow)
	StaffCount   int  // 出动人次
	VehicleTrips int
	Track        []TrackPoint
	DistanceM    float64
	Hotspots     []string             // ids visited
	Visits       map[string]time.Time // hotspots newly visited, to be stored with SavePatrol
	Notes        string
	CreatedBy    string
	Version      int
	UpdatedAt    time.Time
}

// Encounter outcomes (街面接触结果). Each closes the incident with the
// matching intake outcome.
type Outcome string

const (
	OutcomeToStation Outcome = "to_station" // taken to the station
	OutcomeOutreach  Outcome = "outreach"   // aid given, stays out (站外救助)
	OutcomeRefused   Outcome = "refused"    // refused help (recorded, aid offered)
	OutcomeHospital  Outcome = "hospital"
	OutcomePolice    Outcome = "police"
	OutcomeNotFound  Outcome = "not_found"
	OutcomeKnown     Outcome = "already_known"
)

// Outcomes lists the encounter outcomes.
var Outcomes = []Outcome{OutcomeToStation, OutcomeOutreach, OutcomeRefused, OutcomeHospital, OutcomePolice, OutcomeNotFound, OutcomeKnown}

// IncidentOutcome maps an encounter outcome to the incident's outcome.
func (o Outcome) IncidentOutcome() intake.Outcome {
	switch o {
	case OutcomeToStation:
		return intake.OutcomeToStation
	case OutcomeOutreach:
		return intake.OutcomeHelped
	case OutcomeRefused:
		return intake.OutcomeRefused
	case OutcomeHospital:
		return intake.OutcomeHospital
	case OutcomePolice:
		return intake.OutcomePolice
	case OutcomeNotFound:
		return intake.OutcomeNotFound
	default:
		return intake.OutcomeAlreadyKnown
	}
}

// PersonStates are what a patrol sees of a person.
var PersonStates = []string{"cold", "ill", "injured", "intoxicated", "minor", "elderly", "disabled", "mental", "pregnant", "hungry"}

// Supply is one line of what was handed out.
type Supply struct {
	Item string  `json:"item"`
	Qty  float64 `json:"qty"`
	Unit string  `json:"unit"`
}

// Encounter is a patrol meeting a person on the street (街面接触).
type Encounter struct {
	ID          string // made by the patrol app: replays find it
	IncidentID  string
	PatrolID    string
	TeamID      string
	At          time.Time
	Lat, Lng    float64
	Name        string // given name, personal: sealed at rest
	NameSealed  string
	Description string
	Photo       string
	States      []string
	Outcome     Outcome
	Supplies    []Supply
	Notes       string
	RecordedBy  string
	Version     int
	UpdatedAt   time.Time
}

// BoardIncident is an open incident as the board shows it.
type BoardIncident struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref"`
	ServiceCode string    `json:"service_code"`
	State       string    `json:"state"`
	Lat         float64   `json:"lat"`
	Lng         float64   `json:"lng"`
	Precision   string    `json:"precision"` // intake.Precision: "none" is unlocated (位置待定), never drawn
	Place       string    `json:"place,omitempty"`
	Address     string    `json:"address"`
	District    string    `json:"district"`
	Channels    []string  `json:"channels"`
	OpenedAt    time.Time `json:"opened_at"`
	DueAt       time.Time `json:"due_at"`
	ClosedAt    time.Time `json:"closed_at,omitzero"`
	Outcome     string    `json:"outcome,omitempty"`
	SignalCount int       `json:"signal_count"`
	Escalation  int       `json:"escalation"`
	TeamID      string    `json:"team_id,omitempty"`
	TeamName    string    `json:"team_name,omitempty"`
	Version     int       `json:"version"`
}

// Located reports whether the incident has a place on the map.
func (b *BoardIncident) Located() bool {
	return b.Precision != string(intake.PrecisionNone) && (b.Lat != 0 || b.Lng != 0)
}

// Point returns the incident's place.
func (b *BoardIncident) Point() intake.Point { return intake.Point{Lat: b.Lat, Lng: b.Lng} }

// BoardFilter selects the board's incidents.
type BoardFilter struct {
	District    string
	ServiceCode string
	Channel     string
	ClosedLast  int // also show this many of the most recently closed
}

// Store is what dispatch needs from storage. Every method that changes a
// team, an incident, a patrol or an encounter appends the matching event
// (package events) in the same transaction.
type Store interface {
	CreateTeam(ctx context.Context, t *Team, e audit.Entry) error
	UpdateTeam(ctx context.Context, t *Team, e audit.Entry) error // version-checked
	// MoveTeam records a position (no audit: it is not personal data and
	// arrives every few seconds).
	MoveTeam(ctx context.Context, teamID string, lat, lng float64, at time.Time) error
	TeamByID(ctx context.Context, id string) (*Team, error)
	ListTeams(ctx context.Context) ([]*Team, error)
	TeamsOfUser(ctx context.Context, userID string) ([]*Team, error)

	CreateHotspot(ctx context.Context, h *Hotspot, e audit.Entry) error
	SetHotspotActive(ctx context.Context, id string, active bool, e audit.Entry) error
	ListHotspots(ctx context.Context, activeOnly bool) ([]*Hotspot, error)

	// AddShift adds a roster shift; Conflict (err.shift_overlap) when it
	// overlaps another shift of the same team.
	AddShift(ctx context.Context, sh *Shift, e audit.Entry) error
	DeleteShift(ctx context.Context, id string, e audit.Entry) error
	// Shifts lists shifts that overlap [from, until), of one team or, with
	// teamID "", of all teams, by start.
	Shifts(ctx context.Context, teamID string, from, until time.Time) ([]*Shift, error)

	// Assign makes a the incident's active assignment: a previous active
	// one is marked replaced and its team freed; the team becomes busy;
	// an accepted incident becomes dispatched. Conflict if the incident
	// changed since version or the team is no longer available.
	Assign(ctx context.Context, a *Assignment, incidentVersion int, note *Note, e audit.Entry) error
	ActiveAssignment(ctx context.Context, incidentID string) (*Assignment, error)
	AssignmentsOfIncident(ctx context.Context, incidentID string) ([]*Assignment, error)
	Escalate(ctx context.Context, incidentID string, note *Note, e audit.Entry) error
	AddNote(ctx context.Context, n *Note, e audit.Entry) error
	NotesOf(ctx context.Context, incidentID string) ([]*Note, error)
	// FinishAssignment ends the incident's active assignment (the
	// incident was closed) and frees its team.
	FinishAssignment(ctx context.Context, incidentID string, at time.Time) error

	// BoardIncidents lists the open incidents and the f.ClosedLast most
	// recently closed ones.
	BoardIncidents(ctx context.Context, f BoardFilter) ([]*BoardIncident, error)
	// CountClosed counts the incidents the filter selects that were
	// closed since t.
	CountClosed(ctx context.Context, f BoardFilter, since time.Time) (int, error)
	BoardIncident(ctx context.Context, id string) (*BoardIncident, error)

	SavePatrol(ctx context.Context, p *Patrol, baseVersion int, e audit.Entry) error // insert (baseVersion 0) or version-checked update
	PatrolByID(ctx context.Context, id string) (*Patrol, error)
	ListPatrols(ctx context.Context, since, until time.Time) ([]*Patrol, error)
	// Coverage counts, per department id, the distinct active hotspots
	// visited between since and until.
	Coverage(ctx context.Context, since, until time.Time) (map[string]int, error)

	// SaveEncounter inserts (baseVersion 0) or updates a version-checked
	// encounter. Inserting an id that exists returns Exists.
	SaveEncounter(ctx context.Context, en *Encounter, baseVersion int, e audit.Entry) error
	EncounterByID(ctx context.Context, id string) (*Encounter, error)
	ListEncounters(ctx context.Context, incidentID string, since time.Time, limit int) ([]*Encounter, error)
}
