package dispatch

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
)

// Service is the dispatch capability.
type Service struct {
	Store    Store
	Audit    audit.Store
	Intake   *intake.Service
	Keys     *secret.Keyring
	Now      func() time.Time
	Night    NightWindow
	SpeedKmh float64 // for ETAs; default 30
	// HandedOut, if set, books an encounter's supplies against the team
	// vehicle's stock (supplies.Service.FromEncounter). It is called on
	// every delivery, replays included, and must be idempotent.
	HandedOut func(ctx context.Context, a auth.Actor, en *Encounter) error

	indexMu sync.Mutex
	index   *Index
}

const nameContext = "encounters.name"

func (s *Service) now() time.Time { return s.Now().UTC() }

// Index returns the nearest-team index, built from the database on first
// use (tried again on the next use if that read fails).
func (s *Service) Index(ctx context.Context) (*Index, error) {
	s.indexMu.Lock()
	defer s.indexMu.Unlock()
	if s.index != nil {
		return s.index, nil
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	x := NewIndex()
	for _, t := range teams {
		x.Put(t)
	}
	s.index = x
	return x, nil
}

// TeamChanged refreshes the index from the stored team (called for team
// events, local or from another node).
// It returns the team as read.
func (s *Service) TeamChanged(ctx context.Context, teamID string) (*Team, error) {
	t, err := s.Store.TeamByID(ctx, teamID)
	x, xerr := s.Index(ctx)
	switch {
	case xerr != nil: // built from the database on its next use
	case err == nil:
		x.Put(t)
	case errs.Is(errs.NotFound, err):
		x.Remove(teamID)
	}
	return t, err
}

// ---- teams and hotspots ----

// Team input limits.
const maxName = 100

// checkName adds the error of a required name, if any, to f.
func checkName(f map[string]string, name string) {
	if name == "" {
		f["name"] = "err.required"
	} else if !form.TextOK(name, maxName) {
		f["name"] = "err.too_long"
	}
}

func validPoint(lat, lng float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}

// checkTeam trims and validates a team's editable fields.
func checkTeam(t *Team) map[string]string {
	t.Name, t.Vehicles = strings.TrimSpace(t.Name), strings.TrimSpace(t.Vehicles)
	f := map[string]string{}
	checkName(f, t.Name)
	if !slices.Contains(TeamKinds, t.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if !form.TextOK(t.Vehicles, 200) {
		f["vehicles"] = "err.too_long"
	}
	if len(t.Members) > 50 {
		f["members"] = "err.too_many"
	}
	slices.Sort(t.Members)
	t.Members = slices.Compact(t.Members)
	return f
}

// unknownRef turns the store's "a referenced user or department does not
// exist" into a field error.
func unknownRef(op string, err error) error {
	if errs.Is(errs.Invalid, err) && len(errs.FieldsOf(err)) == 0 {
		return errs.InvalidFields(op, map[string]string{"members": "err.unknown_reference"})
	}
	if errs.Is(errs.Exists, err) {
		return errs.InvalidFields(op, map[string]string{"name": "err.exists"})
	}
	return err
}

// CreateTeam adds a team.
func (s *Service) CreateTeam(ctx context.Context, a auth.Actor, t Team) (*Team, error) {
	const op = "dispatch.CreateTeam"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return nil, err
	}
	f := checkTeam(&t)
	if t.Status == "" {
		t.Status = StatusOffDuty
	}
	if !slices.Contains(TeamStatuses, t.Status) || t.Status == StatusBusy {
		f["status"] = "err.invalid_choice"
	}
	if (t.Lat != 0 || t.Lng != 0) && !validPoint(t.Lat, t.Lng) {
		f["location"] = "err.coordinates"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	now := s.now()
	t.ID, t.Version, t.UpdatedAt = id.New(), 1, now
	if t.HasPosition() {
		t.PositionAt = now
	}
	if err := s.Store.CreateTeam(ctx, &t, a.Entry("team.create", "team", t.ID)); err != nil {
		return nil, unknownRef(op, err)
	}
	s.TeamChanged(ctx, t.ID)
	return &t, nil
}

// TeamEdit is what an administrator changes on a team.
type TeamEdit struct {
	Name         string
	Kind         TeamKind
	DepartmentID string
	Vehicles     string
	Members      []string // user ids
}

// EditTeam changes a team's name, department, vehicles and members; its
// status changes through SetTeamStatus and assignments.
func (s *Service) EditTeam(ctx context.Context, a auth.Actor, teamID string, e TeamEdit, version int) (*Team, error) {
	const op = "dispatch.EditTeam"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return nil, err
	}
	t, err := s.Store.TeamByID(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if t.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	t.Name, t.Kind, t.DepartmentID, t.Vehicles, t.Members = e.Name, e.Kind, e.DepartmentID, e.Vehicles, e.Members
	if t.Members == nil {
		t.Members = []string{} // nil would keep the stored members
	}
	if f := checkTeam(t); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	t.UpdatedAt = s.now()
	if err := s.Store.UpdateTeam(ctx, t, a.Entry("team.edit", "team", t.ID)); err != nil {
		return nil, unknownRef(op, err)
	}
	t.Version++
	s.TeamChanged(ctx, t.ID)
	return t, nil
}

// Team returns one team.
func (s *Service) Team(ctx context.Context, a auth.Actor, teamID string) (*Team, error) {
	if err := a.RequireAny("dispatch.Team", auth.PermDispatchBoard, auth.PermTeamsManage); err != nil {
		return nil, err
	}
	return s.Store.TeamByID(ctx, teamID)
}

// SetTeamStatus puts a team on or off duty. A busy team cannot be put
// off duty until its incident is closed or re-assigned.
func (s *Service) SetTeamStatus(ctx context.Context, a auth.Actor, teamID string, st TeamStatus, version int) (*Team, error) {
	const op = "dispatch.SetTeamStatus"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		if !a.Can(auth.PermPatrolWork) || !s.isMember(ctx, a, teamID) {
			return nil, err
		}
	}
	if st != StatusAvailable && st != StatusOffDuty {
		return nil, errs.InvalidFields(op, map[string]string{"status": "err.invalid_choice"})
	}
	t, err := s.Store.TeamByID(ctx, teamID)
	if err != nil {
		return nil, err
	}
	if t.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	if t.Status == StatusBusy {
		return nil, errs.E(errs.Conflict, op, "err.team_busy")
	}
	t.Status, t.UpdatedAt = st, s.now()
	e := a.Entry("team.status", "team", t.ID)
	e.Detail = string(st)
	if err := s.Store.UpdateTeam(ctx, t, e); err != nil {
		return nil, err
	}
	t.Version++
	s.TeamChanged(ctx, t.ID)
	return t, nil
}

func (s *Service) isMember(ctx context.Context, a auth.Actor, teamID string) bool {
	ts, err := s.Store.TeamsOfUser(ctx, a.UserID)
	if err != nil {
		return false
	}
	return slices.ContainsFunc(ts, func(t *Team) bool { return t.ID == teamID })
}

// MoveTeam records a team's position from its app.
func (s *Service) MoveTeam(ctx context.Context, a auth.Actor, teamID string, lat, lng float64) error {
	const op = "dispatch.MoveTeam"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return err
	}
	if !validPoint(lat, lng) {
		return errs.InvalidFields(op, map[string]string{"location": "err.coordinates"})
	}
	if !a.Can(auth.PermTeamsManage) && !s.isMember(ctx, a, teamID) {
		return errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if err := s.Store.MoveTeam(ctx, teamID, lat, lng, s.now()); err != nil {
		return err
	}
	s.TeamChanged(ctx, teamID)
	return nil
}

// Teams lists every team.
func (s *Service) Teams(ctx context.Context, a auth.Actor) ([]*Team, error) {
	if err := a.RequireAny("dispatch.Teams", auth.PermDispatchBoard, auth.PermTeamsManage, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	return s.Store.ListTeams(ctx)
}

// MyTeams lists the teams the actor is a member of.
func (s *Service) MyTeams(ctx context.Context, a auth.Actor) ([]*Team, error) {
	if err := a.Require("dispatch.MyTeams", auth.PermPatrolWork); err != nil {
		return nil, err
	}
	return s.Store.TeamsOfUser(ctx, a.UserID)
}

// CreateHotspot adds a place to the hotspot registry.
func (s *Service) CreateHotspot(ctx context.Context, a auth.Actor, h Hotspot) (*Hotspot, error) {
	const op = "dispatch.CreateHotspot"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return nil, err
	}
	h.Name, h.Address, h.RiskNotes, h.District = strings.TrimSpace(h.Name), strings.TrimSpace(h.Address), strings.TrimSpace(h.RiskNotes), strings.TrimSpace(h.District)
	f := map[string]string{}
	checkName(f, h.Name)
	if !slices.Contains(HotspotKinds, h.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if !validPoint(h.Lat, h.Lng) {
		f["location"] = "err.coordinates"
	}
	if !form.TextOK(h.Address, 200) {
		f["address"] = "err.too_long"
	}
	if !form.TextOK(h.District, 50) {
		f["district"] = "err.too_long"
	}
	if !form.TextOK(h.RiskNotes, 1000) {
		f["risk_notes"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	h.ID, h.Active, h.CreatedAt = id.New(), true, s.now()
	if err := s.Store.CreateHotspot(ctx, &h, a.Entry("hotspot.create", "hotspot", h.ID)); err != nil {
		return nil, err
	}
	return &h, nil
}

// SetHotspotActive takes a place out of the registry (patrols no longer
// count it) or puts it back; its visits stay on record.
func (s *Service) SetHotspotActive(ctx context.Context, a auth.Actor, hotspotID string, active bool) error {
	const op = "dispatch.SetHotspotActive"
	if err := a.Require(op, auth.PermTeamsManage); err != nil {
		return err
	}
	e := a.Entry("hotspot.retire", "hotspot", hotspotID)
	if active {
		e.Action = "hotspot.restore"
	}
	return s.Store.SetHotspotActive(ctx, hotspotID, active, e)
}

// Hotspots lists the active hotspots.
func (s *Service) Hotspots(ctx context.Context, a auth.Actor) ([]*Hotspot, error) {
	if err := a.RequireAny("dispatch.Hotspots", auth.PermDispatchBoard, auth.PermTeamsManage, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	return s.Store.ListHotspots(ctx, true)
}

// AllHotspots lists the registry, retired places included.
func (s *Service) AllHotspots(ctx context.Context, a auth.Actor) ([]*Hotspot, error) {
	if err := a.Require("dispatch.AllHotspots", auth.PermTeamsManage); err != nil {
		return nil, err
	}
	return s.Store.ListHotspots(ctx, false)
}

// ---- the board: suggestion, assignment, escalation, notes ----

// Suggest returns the nearest available teams for an incident (k of them).
func (s *Service) Suggest(ctx context.Context, a auth.Actor, incidentID string, k int) ([]Candidate, error) {
	const op = "dispatch.Suggest"
	if err := a.Require(op, auth.PermDispatchAssign); err != nil {
		return nil, err
	}
	inc, err := s.Store.BoardIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if !inc.Located() {
		return nil, nil // 位置待定: the dispatcher places it or picks a team by hand
	}
	x, err := s.Index(ctx)
	if err != nil {
		return nil, err
	}
	return x.Nearest(inc.Point(), k, s.SpeedKmh), nil
}

// Choice is an available team the dispatcher may pick by hand, with its
// distance when both places are known.
type Choice struct {
	TeamID    string        `json:"team_id"`
	Name      string        `json:"name"`
	Kind      TeamKind      `json:"kind"`
	Known     bool          `json:"known"` // distance and ETA are known
	DistanceM float64       `json:"distance_m"`
	ETA       time.Duration `json:"eta_ns"`
}

// Available lists every team that is available now, for the dispatcher's
// own choice: nearest first when the incident and the team have a place,
// then the others by name.
func (s *Service) Available(ctx context.Context, a auth.Actor, incidentID string) ([]Choice, error) {
	const op = "dispatch.Available"
	if err := a.Require(op, auth.PermDispatchAssign); err != nil {
		return nil, err
	}
	inc, err := s.Store.BoardIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	out := []Choice{}
	for _, t := range teams {
		if t.Status != StatusAvailable {
			continue
		}
		c := Choice{TeamID: t.ID, Name: t.Name, Kind: t.Kind}
		if inc.Located() && t.HasPosition() {
			c.Known = true
			c.DistanceM = math.Round(intake.Distance(inc.Point(), intake.Point{Lat: t.Lat, Lng: t.Lng}))
			c.ETA = ETA(c.DistanceM, s.SpeedKmh)
		}
		out = append(out, c)
	}
	slices.SortFunc(out, func(x, y Choice) int {
		switch {
		case x.Known != y.Known:
			if x.Known {
				return -1
			}
			return 1
		case x.Known && x.DistanceM != y.DistanceM:
			if x.DistanceM < y.DistanceM {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out, nil
}

// Assign sends a team to an incident, or re-assigns it from the team it
// had. Errors: Conflict "err.team_busy", "err.team_off_duty",
// "err.incident_closed", "err.changed_meanwhile".
func (s *Service) Assign(ctx context.Context, a auth.Actor, incidentID, teamID string, incidentVersion int) (*Assignment, error) {
	const op = "dispatch.Assign"
	if err := a.Require(op, auth.PermDispatchAssign); err != nil {
		return nil, err
	}
	inc, err := s.Store.BoardIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if st := intake.State(inc.State); !st.Open() {
		return nil, errs.E(errs.Conflict, op, "err.incident_closed")
	}
	if inc.Version != incidentVersion {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	t, err := s.Store.TeamByID(ctx, teamID)
	if errs.Is(errs.NotFound, err) {
		return nil, errs.InvalidFields(op, map[string]string{"team": "err.not_found"})
	}
	if err != nil {
		return nil, err
	}
	switch t.Status {
	case StatusOffDuty:
		return nil, errs.E(errs.Conflict, op, "err.team_off_duty")
	case StatusBusy:
		if t.IncidentID != incidentID {
			return nil, errs.E(errs.Conflict, op, "err.team_busy")
		}
		return nil, errs.E(errs.Conflict, op, "err.already_assigned")
	}
	now := s.now()
	as := &Assignment{ID: id.New(), IncidentID: incidentID, TeamID: teamID, State: "active", AssignedAt: now, AssignedBy: a.Name}
	if t.HasPosition() && inc.Located() {
		as.DistanceM = intake.Distance(intake.Point{Lat: t.Lat, Lng: t.Lng}, inc.Point())
		as.ETA = ETA(as.DistanceM, s.SpeedKmh)
	}
	text := t.Name
	if inc.TeamID != "" {
		text = inc.TeamName + " → " + t.Name
	}
	note := &Note{ID: id.New(), IncidentID: incidentID, At: now, Kind: "assignment", AuthorName: a.Name, Text: text}
	e := a.Entry("incident.assign", "incident", incidentID)
	e.Detail = "team " + t.ID
	if err := s.Store.Assign(ctx, as, incidentVersion, note, e); err != nil {
		return nil, err
	}
	s.TeamChanged(ctx, teamID)
	if inc.TeamID != "" {
		s.TeamChanged(ctx, inc.TeamID)
	}
	return as, nil
}

// Escalate raises an incident (overdue, or beyond the team) one level and
// notes why.
func (s *Service) Escalate(ctx context.Context, a auth.Actor, incidentID, reason string) error {
	const op = "dispatch.Escalate"
	if err := a.Require(op, auth.PermDispatchAssign); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	}
	if !form.TextOK(reason, 500) {
		return errs.InvalidFields(op, map[string]string{"reason": "err.too_long"})
	}
	inc, err := s.Store.BoardIncident(ctx, incidentID)
	if err != nil {
		return err
	}
	if !intake.State(inc.State).Open() {
		return errs.E(errs.Conflict, op, "err.incident_closed")
	}
	n := &Note{ID: id.New(), IncidentID: incidentID, At: s.now(), Kind: "escalation", AuthorName: a.Name, Text: reason}
	return s.Store.Escalate(ctx, incidentID, n, a.Entry("incident.escalate", "incident", incidentID))
}

// AddNote adds a dispatcher's note to an incident.
func (s *Service) AddNote(ctx context.Context, a auth.Actor, incidentID, text string) (*Note, error) {
	const op = "dispatch.AddNote"
	if err := a.Require(op, auth.PermDispatchAssign); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, errs.InvalidFields(op, map[string]string{"text": "err.required"})
	}
	if !form.TextOK(text, 1000) {
		return nil, errs.InvalidFields(op, map[string]string{"text": "err.too_long"})
	}
	if _, err := s.Store.BoardIncident(ctx, incidentID); err != nil {
		return nil, err
	}
	n := &Note{ID: id.New(), IncidentID: incidentID, At: s.now(), Kind: "note", AuthorName: a.Name, Text: text}
	return n, s.Store.AddNote(ctx, n, a.Entry("incident.note", "incident", incidentID))
}

// Notes lists an incident's notes.
func (s *Service) Notes(ctx context.Context, a auth.Actor, incidentID string) ([]*Note, error) {
	if err := a.Require("dispatch.Notes", auth.PermIncidentsView); err != nil {
		return nil, err
	}
	return s.Store.NotesOf(ctx, incidentID)
}

// Board is what the dispatch board shows.
type Board struct {
	Incidents []*BoardIncident `json:"incidents"`
	Teams     []*BoardTeam     `json:"teams"`
	Hotspots  []*BoardHotspot  `json:"hotspots"`
	Coverage  []Coverage       `json:"coverage"`
	// ClosedToday counts the incidents closed since midnight; Incidents
	// holds only the last few of them (ClosedShown).
	ClosedToday int          `json:"closed_today"`
	ClosedShown int          `json:"closed_shown"`
	Stations    []BoardPlace `json:"stations"` // filled in by the web layer, which knows the departments
	Points      []BoardPlace `json:"points"`   // rescue points switched on, filled in by the web layer
	LastEvent   int64        `json:"last_event"`
	Now         time.Time    `json:"now"`
}

// BoardClosedShown is how many closed incidents the board shows: the
// latest few, with a link to the full list, not a month of them.
const BoardClosedShown = 10

// BoardTeam is a team as the board shows it.
type BoardTeam struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Kind       TeamKind  `json:"kind"`
	Status     string    `json:"status"`
	Lat        float64   `json:"lat"`
	Lng        float64   `json:"lng"`
	PositionAt time.Time `json:"position_at,omitzero"`
	IncidentID string    `json:"incident_id,omitempty"`
	Version    int       `json:"version"`
	// Shifts are the team's roster shifts in the next day: the board
	// marks a team "on shift" while one runs.
	Shifts []ShiftSpan `json:"shifts"`
}

// ShiftSpan is a roster shift as the board sees it.
type ShiftSpan struct {
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
}

// BoardPlace is a fixed place on the board's map, such as a relief station.
type BoardPlace struct {
	ID   string  `json:"id"`
	Name string  `json:"name"`
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
	Open bool    `json:"open,omitempty"` // rescue points: open now
}

// BoardHotspot is a hotspot on the board's map.
type BoardHotspot struct {
	ID   string      `json:"id"`
	Name string      `json:"name"`
	Kind HotspotKind `json:"kind"`
	Lat  float64     `json:"lat"`
	Lng  float64     `json:"lng"`
}

// Coverage is "tonight N of M hotspots covered" for one department.
type Coverage struct {
	DepartmentID string `json:"department_id"`
	Covered      int    `json:"covered"`
	Total        int    `json:"total"`
}

// BoardTeamOf converts a team for the board, with its shifts among the
// ones given.
func BoardTeamOf(t *Team, shifts ...*Shift) *BoardTeam {
	bt := &BoardTeam{ID: t.ID, Name: t.Name, Kind: t.Kind, Status: string(t.Status), Lat: t.Lat, Lng: t.Lng,
		PositionAt: t.PositionAt, IncidentID: t.IncidentID, Version: t.Version}
	for _, sh := range shifts {
		if sh.TeamID == t.ID {
			bt.Shifts = append(bt.Shifts, ShiftSpan{From: sh.StartsAt, Until: sh.EndsAt})
		}
	}
	return bt
}

// BoardOf returns the board's state. lastEvent is the event id it is
// current to (read before the state, so a client resuming from it misses
// nothing).
func (s *Service) BoardOf(ctx context.Context, a auth.Actor, f BoardFilter, lastEvent int64) (*Board, error) {
	const op = "dispatch.Board"
	if err := a.Require(op, auth.PermDispatchBoard); err != nil {
		return nil, err
	}
	now := s.now()
	if f.ClosedLast <= 0 {
		f.ClosedLast = BoardClosedShown
	}
	incs, err := s.Store.BoardIncidents(ctx, f)
	if err != nil {
		return nil, err
	}
	closedToday, err := s.Store.CountClosed(ctx, f, s.Night.startOfDay(now))
	if err != nil {
		return nil, err
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	hs, err := s.Store.ListHotspots(ctx, true)
	if err != nil {
		return nil, err
	}
	cov, err := s.coverage(ctx, now, len(hs))
	if err != nil {
		return nil, err
	}
	shifts, err := s.Store.Shifts(ctx, "", now, now.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	b := &Board{Incidents: incs, LastEvent: lastEvent, Now: now, Coverage: cov, ClosedToday: closedToday, ClosedShown: f.ClosedLast}
	for _, t := range teams {
		b.Teams = append(b.Teams, BoardTeamOf(t, shifts...))
	}
	for _, h := range hs {
		b.Hotspots = append(b.Hotspots, &BoardHotspot{ID: h.ID, Name: h.Name, Kind: h.Kind, Lat: h.Lat, Lng: h.Lng})
	}
	return b, nil
}

func (s *Service) coverage(ctx context.Context, now time.Time, total int) ([]Coverage, error) {
	since, until := s.Night.Tonight(now)
	m, err := s.Store.Coverage(ctx, since, until)
	if err != nil {
		return nil, err
	}
	out := make([]Coverage, 0, len(m))
	for d, n := range m {
		out = append(out, Coverage{DepartmentID: d, Covered: n, Total: total})
	}
	slices.SortFunc(out, func(a, b Coverage) int { return strings.Compare(a.DepartmentID, b.DepartmentID) })
	return out, nil
}

// Resolve turns a live event into what the board shows of its record
// (events.Resolver). It also keeps the nearest-team index current with
// team events from other nodes.
func (s *Service) Resolve(ctx context.Context, e events.Event) (any, error) {
	switch e.Topic {
	case events.TopicIncident:
		return s.Store.BoardIncident(ctx, e.RecordID)
	case events.TopicTeam:
		t, err := s.TeamChanged(ctx, e.RecordID)
		if err != nil {
			return nil, err
		}
		now := s.now()
		shifts, err := s.Store.Shifts(ctx, t.ID, now, now.Add(24*time.Hour))
		if err != nil {
			return nil, err
		}
		return BoardTeamOf(t, shifts...), nil
	case events.TopicPatrol:
		p, err := s.Store.PatrolByID(ctx, e.RecordID)
		if err != nil {
			return nil, err
		}
		hs, err := s.Store.ListHotspots(ctx, true)
		if err != nil {
			return nil, err
		}
		cov, err := s.coverage(ctx, s.now(), len(hs))
		if err != nil {
			return nil, err
		}
		covered := 0
		for _, c := range cov {
			if c.DepartmentID == p.DepartmentID {
				covered = c.Covered
			}
		}
		return map[string]any{"id": p.ID, "team_id": p.TeamID, "department_id": p.DepartmentID, "night": p.Night,
			"started_at": p.StartedAt, "ended_at": p.EndedAt, "covered": covered, "total": len(hs)}, nil
	}
	return nil, nil
}

// ---- patrols ----

// PatrolInput starts a patrol.
type PatrolInput struct {
	ID           string // client-made UUID; replays find it
	TeamID       string
	Kind         string
	StartedAt    time.Time
	StaffCount   int
	VehicleTrips int
	Notes        string
}

// StartPatrol starts a patrol of the actor's team. A replay of the same
// id returns the stored patrol.
func (s *Service) StartPatrol(ctx context.Context, a auth.Actor, in PatrolInput) (*Patrol, bool, error) {
	const op = "dispatch.StartPatrol"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return nil, false, err
	}
	if p, err := s.Store.PatrolByID(ctx, in.ID); err == nil {
		return p, true, nil
	}
	now := s.now()
	f := map[string]string{}
	if !id.Valid(in.ID) {
		f["id"] = "err.invalid_id"
	}
	if in.Kind == "" {
		in.Kind = "adhoc"
	}
	if in.Kind != "planned" && in.Kind != "adhoc" {
		f["kind"] = "err.invalid_choice"
	}
	if in.StartedAt.IsZero() {
		in.StartedAt = now
	}
	if in.StartedAt.After(now.Add(5*time.Minute)) || now.Sub(in.StartedAt) > maxBackdate {
		f["started_at"] = "err.time_range"
	}
	if in.StaffCount < 1 || in.StaffCount > 100 {
		f["staff_count"] = "err.range"
	}
	if in.VehicleTrips < 0 || in.VehicleTrips > 50 {
		f["vehicle_trips"] = "err.range"
	}
	if !form.TextOK(in.Notes, 1000) {
		f["notes"] = "err.too_long"
	}
	t, err := s.Store.TeamByID(ctx, in.TeamID)
	if err != nil {
		f["team"] = "err.not_found"
	} else if !a.Can(auth.PermTeamsManage) && !s.isMember(ctx, a, t.ID) {
		return nil, false, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if len(f) > 0 {
		return nil, false, errs.InvalidFields(op, f)
	}
	p := &Patrol{ID: in.ID, TeamID: t.ID, DepartmentID: t.DepartmentID, Kind: in.Kind, StartedAt: in.StartedAt.UTC(),
		Night: s.Night.IsNight(in.StartedAt), StaffCount: in.StaffCount, VehicleTrips: in.VehicleTrips, Notes: strings.TrimSpace(in.Notes),
		CreatedBy: a.Name, Version: 1, UpdatedAt: now}
	if err := s.Store.SavePatrol(ctx, p, 0, a.Entry("patrol.start", "patrol", p.ID)); err != nil {
		if errs.Is(errs.Exists, err) { // a replay racing the first delivery
			p, err := s.Store.PatrolByID(ctx, in.ID)
			return p, true, err
		}
		return nil, false, err
	}
	return p, false, nil
}

// AddTrack appends GPS fixes to a patrol. Fixes not later than the last
// stored one are skipped, so a replayed upload adds nothing; the hotspots
// the new fixes pass are recorded as visited.
func (s *Service) AddTrack(ctx context.Context, a auth.Actor, patrolID string, pts []TrackPoint) (*Patrol, error) {
	const op = "dispatch.AddTrack"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	now := s.now()
	if err := ValidateTrack(pts, now); err != nil {
		return nil, trackFields(op, err)
	}
	for range 3 { // retry on a concurrent upload
		p, err := s.Store.PatrolByID(ctx, patrolID)
		if err != nil {
			return nil, err
		}
		if !p.EndedAt.IsZero() {
			return nil, errs.E(errs.Conflict, op, "err.patrol_ended")
		}
		var last int64
		if n := len(p.Track); n > 0 {
			last = p.Track[n-1].At
		}
		fresh := slices.DeleteFunc(slices.Clone(pts), func(q TrackPoint) bool { return q.At <= last })
		if len(fresh) == 0 {
			return p, nil
		}
		joined := append(slices.Clone(p.Track), fresh...)
		if err := ValidateTrack(joined, now); err != nil {
			return nil, trackFields(op, err)
		}
		base := p.Version
		p.Track, p.DistanceM, p.UpdatedAt = joined, TrackLength(joined), now
		hs, err := s.Store.ListHotspots(ctx, true)
		if err != nil {
			return nil, err
		}
		p.Visits = map[string]time.Time{}
		for hid, at := range Visited(fresh, hs) {
			if !slices.Contains(p.Hotspots, hid) {
				p.Hotspots = append(p.Hotspots, hid)
				p.Visits[hid] = at
			}
		}
		err = s.Store.SavePatrol(ctx, p, base, audit.Entry{})
		if errs.Is(errs.Conflict, err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		p.Version++
		if last := fresh[len(fresh)-1]; p.TeamID != "" {
			_ = s.Store.MoveTeam(ctx, p.TeamID, last.Lat, last.Lng, last.Time())
			s.TeamChanged(ctx, p.TeamID)
		}
		return p, nil
	}
	return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
}

func trackFields(op string, err error) error {
	if te, ok := err.(*TrackError); ok {
		return errs.InvalidFields(op, map[string]string{"track": te.Key})
	}
	return errs.Wrap(errs.Invalid, op, err)
}

// EndPatrol ends a patrol. baseVersion is the version the caller last
// saw (a patrol changed since is a Conflict); the patrol app that started
// the patrol offline sends 0, as it cannot know the versions its own
// queued track uploads made.
func (s *Service) EndPatrol(ctx context.Context, a auth.Actor, patrolID string, endedAt time.Time, baseVersion int, notes string) (*Patrol, error) {
	const op = "dispatch.EndPatrol"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	p, err := s.Store.PatrolByID(ctx, patrolID)
	if err != nil {
		return nil, err
	}
	if !p.EndedAt.IsZero() {
		return p, nil // ended already: a replay
	}
	if baseVersion == 0 {
		baseVersion = p.Version
	}
	if p.Version != baseVersion {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	now := s.now()
	if endedAt.IsZero() {
		endedAt = now
	}
	if endedAt.Before(p.StartedAt) || endedAt.After(now.Add(5*time.Minute)) {
		return nil, errs.InvalidFields(op, map[string]string{"ended_at": "err.time_range"})
	}
	if !form.TextOK(notes, 1000) {
		return nil, errs.InvalidFields(op, map[string]string{"notes": "err.too_long"})
	}
	p.EndedAt, p.UpdatedAt = endedAt.UTC(), now
	if n := strings.TrimSpace(notes); n != "" {
		p.Notes = n
	}
	if err := s.Store.SavePatrol(ctx, p, baseVersion, a.Entry("patrol.end", "patrol", p.ID)); err != nil {
		return nil, err
	}
	p.Version++
	return p, nil
}

// Patrols lists patrols started in [since, until).
func (s *Service) Patrols(ctx context.Context, a auth.Actor, since, until time.Time) ([]*Patrol, error) {
	if err := a.RequireAny("dispatch.Patrols", auth.PermDispatchBoard, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	return s.Store.ListPatrols(ctx, since, until)
}

// ---- encounters ----

// EncounterInput is an encounter as the patrol app sends it.
type EncounterInput struct {
	ID          string    `json:"id"`
	IncidentID  string    `json:"incident_id"`
	PatrolID    string    `json:"patrol_id"`
	TeamID      string    `json:"team_id"`
	At          time.Time `json:"at"`
	Lat         float64   `json:"lat"`
	Lng         float64   `json:"lng"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	States      []string  `json:"states"`
	Outcome     Outcome   `json:"outcome"`
	Supplies    []Supply  `json:"supplies"`
	Notes       string    `json:"notes"`
	BaseVersion int       `json:"base_version"` // 0 for a new encounter
}

func (s *Service) validateEncounter(in *EncounterInput, now time.Time) map[string]string {
	f := map[string]string{}
	if !id.Valid(in.ID) {
		f["id"] = "err.invalid_id"
	}
	if !slices.Contains(Outcomes, in.Outcome) {
		f["outcome"] = "err.invalid_choice"
	}
	for _, st := range in.States {
		if !slices.Contains(PersonStates, st) {
			f["states"] = "err.invalid_choice"
		}
	}
	if in.At.IsZero() {
		in.At = now
	}
	if in.At.After(now.Add(5*time.Minute)) || now.Sub(in.At) > maxBackdate {
		f["at"] = "err.time_range"
	}
	if (in.Lat != 0 || in.Lng != 0) && !validPoint(in.Lat, in.Lng) {
		f["location"] = "err.coordinates"
	}
	in.Name, in.Description, in.Notes = strings.TrimSpace(in.Name), strings.TrimSpace(in.Description), strings.TrimSpace(in.Notes)
	if !form.TextOK(in.Name, 50) {
		f["name"] = "err.too_long"
	}
	if !form.TextOK(in.Description, 1000) {
		f["description"] = "err.too_long"
	}
	if !form.TextOK(in.Notes, 1000) {
		f["notes"] = "err.too_long"
	}
	if len(in.Supplies) > 30 {
		f["supplies"] = "err.too_long"
	}
	for _, sp := range in.Supplies {
		if strings.TrimSpace(sp.Item) == "" || !form.TextOK(sp.Item, 50) || !form.TextOK(sp.Unit, 10) || sp.Qty <= 0 || sp.Qty > 1000 || math.IsNaN(sp.Qty) {
			f["supplies"] = "err.supplies"
		}
	}
	return f
}

// RecordEncounter stores an encounter from the patrol app and, when it is
// for an open incident, closes the incident with its outcome (which goes
// back to the reporting channel). A replay (same id, base version 0)
// returns the stored encounter with duplicate set; an edit whose base
// version is not the stored one is a Conflict and changes nothing.
func (s *Service) RecordEncounter(ctx context.Context, a auth.Actor, in EncounterInput) (en *Encounter, duplicate bool, err error) {
	const op = "dispatch.RecordEncounter"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return nil, false, err
	}
	now := s.now()
	if f := s.validateEncounter(&in, now); len(f) > 0 {
		return nil, false, errs.InvalidFields(op, f)
	}
	prev, err := s.Store.EncounterByID(ctx, in.ID)
	switch {
	case err == nil && in.BaseVersion == 0:
		return prev, true, s.handedOut(ctx, a, prev)
	case err == nil && in.BaseVersion != prev.Version:
		return prev, false, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	case err != nil && !errs.Is(errs.NotFound, err):
		return nil, false, err
	case err != nil && in.BaseVersion != 0:
		return nil, false, errs.E(errs.NotFound, op, "err.not_found")
	}
	if in.IncidentID != "" && prev == nil {
		inc, err := s.Store.BoardIncident(ctx, in.IncidentID)
		if err != nil {
			return nil, false, errs.InvalidFields(op, map[string]string{"incident": "err.not_found"})
		}
		if !intake.State(inc.State).Open() {
			return nil, false, errs.E(errs.Conflict, op, "err.incident_closed")
		}
		if in.TeamID == "" {
			in.TeamID = inc.TeamID
		}
	}
	en = &Encounter{ID: in.ID, IncidentID: in.IncidentID, PatrolID: in.PatrolID, TeamID: in.TeamID, At: in.At.UTC(), Lat: in.Lat, Lng: in.Lng,
		Description: in.Description, States: in.States, Outcome: in.Outcome, Supplies: in.Supplies, Notes: in.Notes,
		RecordedBy: a.Name, Version: 1, UpdatedAt: now}
	if prev != nil {
		en.IncidentID, en.PatrolID, en.TeamID, en.Photo, en.Version = prev.IncidentID, prev.PatrolID, prev.TeamID, prev.Photo, prev.Version
	}
	if in.Name != "" {
		if en.NameSealed, err = s.Keys.Seal(nameContext, in.Name); err != nil {
			return nil, false, errs.Wrap(errs.Internal, op, err)
		}
	}
	action := "encounter.create"
	if prev != nil {
		action = "encounter.update"
	}
	e := a.Entry(action, "encounter", en.ID)
	e.Detail = string(en.Outcome)
	if err := s.Store.SaveEncounter(ctx, en, in.BaseVersion, e); err != nil {
		if errs.Is(errs.Exists, err) && in.BaseVersion == 0 { // a replay racing the first delivery
			prev, err := s.Store.EncounterByID(ctx, in.ID)
			return prev, true, err
		}
		return nil, false, err
	}
	if err := s.handedOut(ctx, a, en); err != nil {
		return en, false, err
	}
	if prev != nil {
		en.Version++
		return en, false, nil
	}
	if en.IncidentID != "" {
		// The patrol's own words, if any: the outcome itself is stored
		// with the incident, and senders read it in their language (an
		// outcome code as notes reached Open311 clients as "refused").
		if _, err := s.Intake.CloseFromStreet(ctx, a, en.IncidentID, en.Outcome.IncidentOutcome(), en.Notes); err != nil && !errs.Is(errs.Conflict, err) {
			return en, false, err
		}
		if err := s.Store.FinishAssignment(ctx, en.IncidentID, now); err != nil {
			return en, false, err
		}
		if en.TeamID != "" {
			s.TeamChanged(ctx, en.TeamID)
		}
	}
	return en, false, nil
}

func (s *Service) handedOut(ctx context.Context, a auth.Actor, en *Encounter) error {
	if s.HandedOut == nil || en == nil || len(en.Supplies) == 0 {
		return nil
	}
	return s.HandedOut(ctx, a, en)
}

// EncounterName opens the name given in an encounter, for roles that need
// it; the read is audited.
func (s *Service) EncounterName(ctx context.Context, a auth.Actor, encounterID string) (string, error) {
	const op = "dispatch.EncounterName"
	if err := a.Require(op, auth.PermEncountersPersonal); err != nil {
		return "", err
	}
	en, err := s.Store.EncounterByID(ctx, encounterID)
	if err != nil {
		return "", err
	}
	if en.NameSealed == "" {
		return "", nil
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("encounter.name.view", "encounter", en.ID)); err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	name, err := s.Keys.Open(nameContext, en.NameSealed)
	if err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	return name, nil
}

// Encounters lists the encounters of an incident (or, with no incident,
// since a time).
func (s *Service) Encounters(ctx context.Context, a auth.Actor, incidentID string, since time.Time) ([]*Encounter, error) {
	if err := a.Require("dispatch.Encounters", auth.PermIncidentsView); err != nil {
		return nil, err
	}
	return s.Store.ListEncounters(ctx, incidentID, since, 200)
}

// MyAssignments lists the open incidents assigned to the actor's teams.
func (s *Service) MyAssignments(ctx context.Context, a auth.Actor) ([]*BoardIncident, error) {
	teams, err := s.MyTeams(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []*BoardIncident
	for _, t := range teams {
		if t.IncidentID == "" {
			continue
		}
		inc, err := s.Store.BoardIncident(ctx, t.IncidentID)
		if err == nil && intake.State(inc.State).Open() {
			out = append(out, inc)
		}
	}
	return out, nil
}

// marshal is used by the sync answer; kept here so sync.go stays a parser.
func marshal(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// maxBackdate is how far back a patrol or encounter may be dated: a phone
// that was offline for long, or paper records entered late.
const maxBackdate = 31 * 24 * time.Hour
