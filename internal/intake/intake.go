// Package intake takes in help signals from every channel, stores them
// durably and idempotently, merges them into incidents, routes incidents to
// a department with an SLA, follows them through the 12345 lifecycle and
// sends the outcome back to whoever reported it (DESIGN.md §3.1).
package intake

import (
	"context"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// Channel is where a signal came from.
type Channel string

const (
	ChannelPublic  Channel = "public"  // the public report page
	ChannelOpen311 Channel = "open311" // an Open311 GeoReport v2 client
	Channel12345   Channel = "12345"   // the 12345 government hotline platform
	Channel110     Channel = "110"     // the 110 police command centre
	ChannelCity    Channel = "szcg"    // the 数字城管 digital city-management platform
	ChannelHotline Channel = "hotline" // a station operator typing a call
	ChannelPatrol  Channel = "patrol"  // a patrol member reporting what they see
	ChannelPoint   Channel = "point"   // a rescue point's liaison passing a lead
)

// Channels lists every channel.
var Channels = []Channel{ChannelPublic, ChannelOpen311, Channel12345, Channel110, ChannelCity, ChannelHotline, ChannelPatrol, ChannelPoint}

// PartnerChannels are the channels of partner platforms, which get the
// outcome back by webhook.
var PartnerChannels = []Channel{Channel12345, Channel110, ChannelCity}

// State is an incident's place in the 12345 loop.
type State string

const (
	StateAccepted   State = "accepted"    // 受理
	StateDispatched State = "dispatched"  // 派单
	StateInProgress State = "in_progress" // 办理
	StateReplied    State = "replied"     // 回复
	StateClosed     State = "closed"      // 办结
	StateMerged     State = "merged"      // folded into another incident
)

// States lists the lifecycle in order.
var States = []State{StateAccepted, StateDispatched, StateInProgress, StateReplied, StateClosed}

// Open311Status maps a state to Open311's open/closed.
func (s State) Open311Status() string {
	if s == StateClosed || s == StateMerged {
		return "closed"
	}
	return "open"
}

// Open reports whether new signals may still join the incident.
func (s State) Open() bool { return s != StateClosed && s != StateMerged }

// next lists the allowed transitions. Going back one step is allowed too
// (a reply rejected by the hotline goes back to 办理).
var next = map[State][]State{
	StateAccepted:   {StateDispatched, StateInProgress, StateReplied, StateClosed},
	StateDispatched: {StateInProgress, StateReplied, StateClosed, StateAccepted},
	StateInProgress: {StateReplied, StateClosed, StateDispatched},
	StateReplied:    {StateClosed, StateInProgress},
	StateClosed:     {StateInProgress}, // reopened (回访 unsatisfied)
}

// CanMove reports whether an incident may move from a to b.
func CanMove(a, b State) bool {
	for _, s := range next[a] {
		if s == b {
			return true
		}
	}
	return false
}

// Outcome is how an incident ended on the street.
type Outcome string

const (
	OutcomeHelped       Outcome = "helped"        // found and helped on the spot (站外救助)
	OutcomeToStation    Outcome = "to_station"    // taken to the station
	OutcomeRefused      Outcome = "refused"       // refused help (recorded, aid offered)
	OutcomeNotFound     Outcome = "not_found"     // nobody there
	OutcomeAlreadyKnown Outcome = "already_known" // already being helped
	OutcomePolice       Outcome = "police"        // handed to police
	OutcomeHospital     Outcome = "hospital"      // sent to hospital
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{OutcomeHelped, OutcomeToStation, OutcomeRefused, OutcomeNotFound, OutcomeAlreadyKnown, OutcomePolice, OutcomeHospital}

// Signal is one report of a person who needs help.
type Signal struct {
	ID          string
	Ref         string // public reference number, also the Open311 service_request_id
	Channel     Channel
	ExternalID  string // the sender's id (work-order number, idempotency key)
	IncidentID  string
	ServiceCode string
	Description string
	Lat, Lng    float64 // WGS-84; both zero when only an address is known
	Address     string
	Photo       string // file name under the uploads folder, "" if none
	PhoneSealed string // callback phone, sealed ("signals.phone")
	Reporter    string // name of the caller or staff member, if given
	Attributes  map[string]string
	ReportedAt  time.Time // when the sender says it happened
	ReceivedAt  time.Time // when Haven stored it
	ReceivedBy  string    // user or API key id that delivered it
}

// SenderRef is the partner platform's own number for the signal (a
// 12345 work order, a 110 case), "" for the other channels, whose
// external id is only a retry key.
func (s *Signal) SenderRef() string {
	if slices.Contains(PartnerChannels, s.Channel) && s.ExternalID != s.ID {
		return s.ExternalID
	}
	return ""
}

// HasLocation reports whether the signal carries coordinates.
func (s *Signal) HasLocation() bool { return s.Lat != 0 || s.Lng != 0 }

// Precision says how well an incident's place is known.
type Precision string

const (
	PrecisionExact  Precision = "exact"  // coordinates from the sender (phone location, map pin, partner platform)
	PrecisionPlaced Precision = "placed" // a dispatcher placed the pin
	// Placed by the gazetteer from the typed address (geo.Precision).
	PrecisionPlace    Precision = "place"    // a named place
	PrecisionCrossing Precision = "crossing" // where two roads cross
	PrecisionStreet   Precision = "street"   // somewhere on a road
	PrecisionDistrict Precision = "district" // only the district
	PrecisionNone     Precision = "none"     // unlocated: 位置待定, never drawn on a map
)

// Approximate reports whether the place was guessed from a typed address.
func (p Precision) Approximate() bool {
	switch p {
	case PrecisionPlace, PrecisionCrossing, PrecisionStreet, PrecisionDistrict:
		return true
	}
	return false
}

// Incident is one situation on the street, made of one or more signals.
type Incident struct {
	ID          string
	Ref         string
	ServiceCode string
	State       State
	Lat, Lng    float64 // WGS-84; meaningless when Precision is none
	// Precision says how well Lat, Lng are known; Place is the gazetteer
	// name they came from ("人民公园") when approximate.
	Precision    Precision
	Place        string
	Address      string
	District     string
	DepartmentID string // who handles it (routing catalogue)
	RuleID       string
	OpenedAt     time.Time
	LastSignalAt time.Time
	DueAt        time.Time // SLA: on scene by
	ClosedAt     time.Time
	Outcome      Outcome
	StatusNotes  string
	MergedInto   string
	Known        *KnownMatch // "already known": who it probably is, and why
	SignalCount  int
	Version      int
	UpdatedAt    time.Time
}

// Join adds a signal to the incident as a merge does: its latest report
// time, the earlier of the two deadlines, one signal more, a new version.
func (i *Incident) Join(s *Signal, due, now time.Time) {
	if s.ReportedAt.After(i.LastSignalAt) {
		i.LastSignalAt = s.ReportedAt
	}
	if due.Before(i.DueAt) {
		i.DueAt = due
	}
	i.SignalCount++
	i.Version++
	i.UpdatedAt = now
	s.IncidentID = i.ID
}

// Located reports whether the incident has a place on the map at all.
func (i *Incident) Located() bool {
	return i.Precision != PrecisionNone && (i.Lat != 0 || i.Lng != 0)
}

// Pinned reports whether the incident's coordinates are exact (sent with
// the report, or placed by a dispatcher): only those take other signals
// by distance.
func (i *Incident) Pinned() bool {
	return i.Located() && (i.Precision == "" || i.Precision == PrecisionExact || i.Precision == PrecisionPlaced)
}

// Overdue reports whether the incident is past its SLA at now.
func (i *Incident) Overdue(now time.Time) bool {
	return i.State.Open() && (i.State == StateAccepted || i.State == StateDispatched) && now.After(i.DueAt)
}

// KnownMatch is the "already known" hint of a new incident: the earlier
// record it most likely concerns and why.
type KnownMatch struct {
	Kind      string  `json:"kind"` // "incident" now; "person" when people in care can be matched
	ID        string  `json:"id"`
	Ref       string  `json:"ref"`
	DistanceM float64 `json:"distance_m"`
	DaysAgo   int     `json:"days_ago"`
	Outcome   Outcome `json:"outcome,omitempty"`
}

// KnownMatcher finds who a new incident probably concerns. Capabilities
// that hold people (encounters, people in care) add their own matchers.
type KnownMatcher interface {
	Known(ctx context.Context, inc *Incident) (*KnownMatch, error)
}

// Rule is one line of the routing catalogue (派单目录): which department
// handles which area and kinds of signal.
type Rule struct {
	ID           string
	Name         string
	DepartmentID string
	District     string
	Polygon      []Point // empty: the whole city
	ServiceCodes []string
	Priority     int // lower first
}

// Point is a WGS-84 coordinate.
type Point struct{ Lat, Lng float64 }

// Op is a dispatcher's merge or split, kept so it can be undone.
type Op struct {
	ID        string
	Kind      string // "merge" or "split"
	From, To  string // incident ids: merge moves From's signals into To; split moves them from From to a new To
	SignalIDs []string
	PrevState State
	ActorName string
	At        time.Time
	UndoneAt  time.Time
}

// IncidentFilter selects incidents.
type IncidentFilter struct {
	States      []State
	ServiceCode string
	Channel     Channel
	District    string
	Since       time.Time
	Limit       int
	Offset      int // rows to skip, for a paged list
}

// MaxSignalList is the most signals one ListSignals call returns: a page
// of 1000 and one more, which tells whether the list goes on.
const MaxSignalList = 1001

// SignalFilter selects signals (Open311 GET requests).
type SignalFilter struct {
	Refs         []string
	ServiceCode  string
	ServiceCodes []string // any of these kinds
	Channel      Channel
	Since        time.Time // reported at or after (Open311 requested_datetime)
	Until        time.Time
	// Updated keeps the signals whose incident changed after they came in
	// (the Open311 update feed), UpdatedSince/UpdatedUntil bound when.
	Updated      bool
	UpdatedSince time.Time
	UpdatedUntil time.Time
	Status       string // "open" or "closed"
	Limit        int
	Offset       int // rows to skip, for a paged list
	// HideSensitive leaves out signals of a sensitive kind (or in an
	// incident of one), for anonymous readers.
	HideSensitive bool
}

// SignalView is a signal with its incident, as a sender sees it.
type SignalView struct {
	Signal
	IncidentRef string // the reference of the incident the signal is in
	Sensitive   bool   // of a sensitive kind, or in an incident of one: never shown anonymously
	State       State
	Outcome     Outcome
	StatusNotes string
	UpdatedAt   time.Time
	DueAt       time.Time
	Department  string
}

// ExpectedAt is when help is expected for this signal: its incident's
// deadline (DueAt), but never before the signal was reported. A signal
// that joined an incident already past its deadline, or that reached
// Haven after its kind's SLA had run out, is expected within its own
// kind's SLA from its report: the incident's earlier deadline is no
// promise to this sender.
func (v *SignalView) ExpectedAt() time.Time {
	if v.DueAt.IsZero() || !v.DueAt.Before(v.ReportedAt) {
		return v.DueAt
	}
	svc, _ := ServiceByCode(v.ServiceCode)
	return v.ReportedAt.Add(svc.SLA)
}

// Submission is what the store needs to file one signal.
type Submission struct {
	Signal *Signal
	Merge  MergeRule
	Now    time.Time
	// NewIncident is filled by the service for the case that no open
	// incident takes the signal.
	NewIncident *Incident
	// Audit is written in the same transaction.
	Audit audit.Entry
	// Known, if set, is the "already known" lookup for NewIncident: when
	// the signal opens it, the store looks the hint up inside the commit
	// and stores it with the incident (Known, KnownLookup.Pick).
	Known *KnownLookup
}

// Result says what became of a submission.
type Result struct {
	Signal *Signal
	// Incident is the incident the signal is in. For a signal that joined
	// an existing incident it carries the merge-relevant fields (id, ref,
	// kind, state, outcome, notes, place, last signal, due, count,
	// version) as updated; read the incident for the rest.
	Incident  *Incident
	Duplicate bool // an earlier delivery with the same (channel, external id)
	Merged    bool // joined an existing incident
}

// Store is what intake needs from storage.
type Store interface {
	// SubmitSignal stores a signal and files it into an incident in one
	// transaction, committed before it returns. A signal whose (channel,
	// external id) exists returns the stored one with Duplicate set.
	SubmitSignal(ctx context.Context, sub *Submission) (*Result, error)
	// SignalByRef returns NotFound for an unknown reference.
	SignalByRef(ctx context.Context, ref string) (*SignalView, error)
	SignalByExternal(ctx context.Context, ch Channel, externalID string) (*SignalView, error)
	ListSignals(ctx context.Context, f SignalFilter) ([]*SignalView, error)
	SignalsOfIncident(ctx context.Context, incidentID string) ([]*Signal, error)

	IncidentByID(ctx context.Context, id string) (*Incident, error)
	IncidentByRef(ctx context.Context, ref string) (*Incident, error)
	ListIncidents(ctx context.Context, f IncidentFilter) ([]*Incident, error)
	// UpdateIncident changes state, outcome and notes if the version
	// matches (Conflict otherwise), and queues the outcome for partner
	// channels, with the audit row, in one transaction.
	UpdateIncident(ctx context.Context, inc *Incident, notices func([]*Signal) []*Delivery, e audit.Entry) error
	// KnownIncidentsNear lists the incidents opened since t within the
	// radius's bounding box whose outcome says someone is known there
	// (helped, refused, already known, taken to the station), for the
	// "already known" hint.
	KnownIncidentsNear(ctx context.Context, p Point, radiusM float64, since time.Time) ([]*Incident, error)
	// PlaceIncident moves an incident's pin (place, precision, and its
	// routing) if the version matches (Conflict otherwise), with a line in
	// its history and the audit row, in one transaction.
	PlaceIncident(ctx context.Context, inc *Incident, note string, e audit.Entry) error

	Merge(ctx context.Context, op *Op, e audit.Entry) error
	Split(ctx context.Context, op *Op, newInc *Incident, e audit.Entry) error
	UndoOp(ctx context.Context, opID string, at time.Time, e audit.Entry) (*Op, error)
	OpsOfIncident(ctx context.Context, incidentID string) ([]*Op, error)

	ListRules(ctx context.Context) ([]*Rule, error)
	CreateRule(ctx context.Context, r *Rule, e audit.Entry) error

	// SensitiveServices lists the service codes an administrator marked
	// sensitive; SetSensitiveServices replaces that list.
	SensitiveServices(ctx context.Context) ([]string, error)
	SetSensitiveServices(ctx context.Context, codes []string, e audit.Entry) error
}
