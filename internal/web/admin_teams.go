package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
)

// ---- teams, rosters and the hotspot registry (DESIGN.md §3.2) ----

type teamsData struct {
	Teams       []*dispatch.Team
	Departments []*auth.Department
	DeptNames   map[string]*auth.Department
	Kinds       []dispatch.TeamKind
	OnShift     map[string]bool
}

var teamNotices = map[string]string{
	"team_created": "notice.team_created", "team_saved": "notice.team_saved",
	"shift_added": "notice.shift_added", "shift_deleted": "notice.shift_deleted", "saved": "notice.saved",
	"hotspot_created": "notice.hotspot_created", "hotspot_changed": "notice.hotspot_changed",
}

func (s *Server) adminTeams(w http.ResponseWriter, r *http.Request) {
	s.showTeams(w, r, http.StatusOK, nil)
}

func (s *Server) showTeams(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string) {
	ri := info(r)
	if err := ri.actor.Require("web.adminTeams", auth.PermTeamsManage); err != nil {
		s.fail(w, r, err)
		return
	}
	teams, err := s.Dispatch.Teams(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	byID, depts, err := s.departmentsByID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := s.Dispatch.OnShift(r.Context(), s.Now().UTC())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.teams", teamsData{Teams: teams, Departments: depts, DeptNames: byID, Kinds: dispatch.TeamKinds, OnShift: on})
	v.Notice = teamNotices[r.URL.Query().Get("notice")]
	if fieldErrs != nil {
		v.Errors, v.Message = fieldErrs, "err.form"
		v.keep(r, "name", "kind", "department_id", "vehicles")
	}
	s.render(w, r, code, "admin_teams", v)
}

func (s *Server) adminTeamCreate(w http.ResponseWriter, r *http.Request) {
	t, err := s.Dispatch.CreateTeam(r.Context(), info(r).actor, dispatch.Team{
		Name: r.PostFormValue("name"), Kind: dispatch.TeamKind(r.PostFormValue("kind")),
		DepartmentID: r.PostFormValue("department_id"), Vehicles: r.PostFormValue("vehicles"),
	})
	if errs.Is(errs.Invalid, err) {
		s.showTeams(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+t.ID+"?notice=team_created", http.StatusSeeOther)
}

type teamData struct {
	Team        *dispatch.Team
	Departments []*auth.Department
	Kinds       []dispatch.TeamKind
	Colleagues  []auth.Colleague
	Member      map[string]bool
	Shifts      []*dispatch.Shift
	OnShift     bool
	Today       string
}

func (s *Server) adminTeam(w http.ResponseWriter, r *http.Request) {
	s.showTeam(w, r, http.StatusOK, nil, "")
}

// showTeam shows a team's page; after a refused edit it keeps what was
// typed (code, fieldErrs and msg say why it was refused).
func (s *Server) showTeam(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string, msg string) {
	ri := info(r)
	if err := ri.actor.Require("web.adminTeam", auth.PermTeamsManage); err != nil {
		s.fail(w, r, err)
		return
	}
	ctx := r.Context()
	t, err := s.Dispatch.Team(ctx, ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, depts, err := s.departmentsByID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	people, err := s.Auth.Colleagues(ctx, ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Now().UTC()
	shifts, err := s.Dispatch.Roster(ctx, ri.actor, t.ID, now.Add(-12*time.Hour), now.Add(14*24*time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := teamData{Team: t, Departments: depts, Kinds: dispatch.TeamKinds, Colleagues: people, Member: map[string]bool{}, Shifts: shifts,
		Today: now.In(chinaTime).Format("2006-01-02")}
	for _, sh := range shifts {
		if !now.Before(sh.StartsAt) && now.Before(sh.EndsAt) {
			d.OnShift = true
		}
	}
	v := s.newView(r, "title.team", &d)
	v.Notice = teamNotices[r.URL.Query().Get("notice")]
	v.Errors, v.Message = fieldErrs, msg
	members := t.Members
	if fieldErrs != nil && r.PostForm.Has("name") { // a refused edit: keep the input
		v.keep(r, "name", "kind", "department_id", "vehicles")
		members = r.PostForm["members"]
	} else if fieldErrs != nil && r.PostForm.Has("date") { // a refused shift
		v.keep(r, "date", "from", "to", "note")
	}
	if !v.Form.Has("name") {
		v.Form.Set("name", t.Name)
		v.Form.Set("kind", string(t.Kind))
		v.Form.Set("department_id", t.DepartmentID)
		v.Form.Set("vehicles", t.Vehicles)
	}
	for _, m := range members {
		d.Member[m] = true
	}
	d.Colleagues = slices.DeleteFunc(d.Colleagues, func(c auth.Colleague) bool { return !d.Member[c.ID] && !mayPatrol(c) })
	s.render(w, r, code, "admin_team", v)
}

// mayPatrol reports whether a colleague is offered as a new team member:
// an active account whose role goes out on patrol. Members already on the
// team stay listed whatever their role, so they can be taken off.
func mayPatrol(c auth.Colleague) bool {
	return !c.Disabled && auth.RoleCan(c.Role, auth.PermPatrolWork)
}

// teamRefused shows the team page again after a refused change, or fails.
func (s *Server) teamRefused(w http.ResponseWriter, r *http.Request, err error) {
	s.refused(w, r, err, s.showTeam)
}

func (s *Server) adminTeamUpdate(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := s.Dispatch.EditTeam(r.Context(), info(r).actor, r.PathValue("id"), dispatch.TeamEdit{
		Name: r.PostFormValue("name"), Kind: dispatch.TeamKind(r.PostFormValue("kind")), DepartmentID: r.PostFormValue("department_id"),
		Vehicles: r.PostFormValue("vehicles"), Members: r.PostForm["members"],
	}, version)
	if err != nil {
		s.teamRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+r.PathValue("id")+"?notice=team_saved", http.StatusSeeOther)
}

func (s *Server) adminTeamStatus(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := s.Dispatch.SetTeamStatus(r.Context(), info(r).actor, r.PathValue("id"), dispatch.TeamStatus(r.PostFormValue("status")), version)
	if err != nil {
		s.teamRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}

func (s *Server) adminShiftAdd(w http.ResponseWriter, r *http.Request) {
	start, end, ok := dispatch.ShiftTimes(r.PostFormValue("date"), r.PostFormValue("from"), r.PostFormValue("to"), chinaTime)
	if !ok {
		s.teamRefused(w, r, errs.InvalidFields("web.adminShiftAdd", map[string]string{"date": "err.shift_times"}))
		return
	}
	_, err := s.Dispatch.AddShift(r.Context(), info(r).actor, dispatch.Shift{TeamID: r.PathValue("id"), StartsAt: start, EndsAt: end, Note: r.PostFormValue("note")})
	if f := errs.FieldsOf(err); f["starts_at"] != "" {
		f["date"] = f["starts_at"] // the form's field
	}
	if err != nil {
		s.teamRefused(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+r.PathValue("id")+"?notice=shift_added", http.StatusSeeOther)
}

func (s *Server) adminShiftDelete(w http.ResponseWriter, r *http.Request) {
	if err := s.Dispatch.DeleteShift(r.Context(), info(r).actor, r.PathValue("shift")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/teams/"+r.PathValue("id")+"?notice=shift_deleted", http.StatusSeeOther)
}

type hotspotsData struct {
	Hotspots []*dispatch.Hotspot
	Kinds    []dispatch.HotspotKind
}

func (s *Server) adminHotspots(w http.ResponseWriter, r *http.Request) {
	s.showHotspots(w, r, http.StatusOK, nil)
}

func (s *Server) showHotspots(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string) {
	list, err := s.Dispatch.AllHotspots(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.hotspots", hotspotsData{Hotspots: list, Kinds: dispatch.HotspotKinds})
	v.Notice = teamNotices[r.URL.Query().Get("notice")]
	if fieldErrs != nil {
		v.Errors, v.Message = fieldErrs, "err.form"
		v.keep(r, "name", "kind", "district", "address", "lat", "lng", "risk_notes")
	}
	s.render(w, r, code, "admin_hotspots", v)
}

func (s *Server) adminHotspotCreate(w http.ResponseWriter, r *http.Request) {
	lat, okLat := parseCoord(r.PostFormValue("lat"))
	lng, okLng := parseCoord(r.PostFormValue("lng"))
	if !okLat || !okLng {
		s.showHotspots(w, r, http.StatusUnprocessableEntity, map[string]string{"location": "err.coordinates"})
		return
	}
	_, err := s.Dispatch.CreateHotspot(r.Context(), info(r).actor, dispatch.Hotspot{
		Name: r.PostFormValue("name"), Kind: dispatch.HotspotKind(r.PostFormValue("kind")), Lat: lat, Lng: lng,
		District: r.PostFormValue("district"), Address: r.PostFormValue("address"), RiskNotes: r.PostFormValue("risk_notes"),
	})
	if errs.Is(errs.Invalid, err) {
		s.showHotspots(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hotspots?notice=hotspot_created", http.StatusSeeOther)
}

func (s *Server) adminHotspotActive(w http.ResponseWriter, r *http.Request) {
	if err := s.Dispatch.SetHotspotActive(r.Context(), info(r).actor, r.PathValue("id"), r.PostFormValue("active") == "1"); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/hotspots?notice=hotspot_changed", http.StatusSeeOther)
}
