package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

type incidentsData struct {
	Incidents []*intake.Incident
	Services  []intake.ServiceType
	States    []intake.State
	Channels  []intake.Channel
	Now       time.Time
	Page      int    // from 1
	Prev      string // URL of the previous page, "" on the first
	Next      string // URL of the next page, "" on the last
}

// incidentsPerPage is one page of the incident list.
const incidentsPerPage = 100

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = min(max(page, 1), 1000)
	f := intake.IncidentFilter{ServiceCode: q.Get("service"), Channel: intake.Channel(q.Get("channel")),
		Limit: incidentsPerPage + 1, Offset: (page - 1) * incidentsPerPage}
	switch st := q.Get("state"); st {
	case "", "open":
		f.States = []intake.State{intake.StateAccepted, intake.StateDispatched, intake.StateInProgress, intake.StateReplied}
	case "all":
	default:
		f.States = []intake.State{intake.State(st)}
	}
	list, err := s.Intake.Incidents(r.Context(), info(r).actor, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := incidentsData{Incidents: list, Services: intake.Services, States: intake.States, Channels: intake.Channels, Now: s.Now().UTC(), Page: page}
	pageQuery := func(n int) string {
		pq := url.Values{}
		for _, k := range []string{"state", "service", "channel"} {
			if v := q.Get(k); v != "" {
				pq.Set(k, v)
			}
		}
		pq.Set("page", strconv.Itoa(n))
		return "/incidents?" + pq.Encode()
	}
	if len(list) > incidentsPerPage {
		d.Incidents, d.Next = list[:incidentsPerPage], pageQuery(page+1)
	}
	if page > 1 {
		d.Prev = pageQuery(page - 1)
	}
	v := s.newView(r, "title.incidents", d)
	v.keep(r, "state", "service", "channel")
	s.render(w, r, http.StatusOK, "incidents", v)
}

type incidentData struct {
	*intake.IncidentDetail
	Notes    []*dispatch.Note // assignments, escalations, notes, placements: its history
	Service  intake.ServiceType
	Next     []intake.State
	Outcomes []intake.Outcome
	Now      time.Time
	Revealed map[string]string // signal ref -> phone, after an audited reveal
	Personal bool
	Manage   bool
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	s.showIncident(w, r, r.PathValue("id"), http.StatusOK, nil, "", nil)
}

var incidentNotices = map[string]string{"reported": "notice.reported", "saved": "notice.saved", "merged": "notice.merged",
	"split": "notice.split", "undone": "notice.undone"}

func (s *Server) showIncident(w http.ResponseWriter, r *http.Request, id string, code int, fieldErrs map[string]string, msg string, revealed map[string]string) {
	ri := info(r)
	d, err := s.Intake.Incident(r.Context(), ri.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notes, err := s.Dispatch.Notes(r.Context(), ri.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	slices.Reverse(notes) // newest first, as the merges and splits
	svc, _ := intake.ServiceByCode(d.ServiceCode)
	data := incidentData{IncidentDetail: d, Notes: notes, Service: svc, Outcomes: intake.Outcomes, Now: s.Now().UTC(), Revealed: revealed,
		Personal: ri.actor.Can(auth.PermSignalsPersonal), Manage: ri.actor.Can(auth.PermIncidentsManage)}
	for _, st := range intake.States {
		if st == d.State || intake.CanMove(d.State, st) {
			data.Next = append(data.Next, st)
		}
	}
	v := s.newView(r, "title.incident", data)
	v.Notice = incidentNotices[r.URL.Query().Get("notice")]
	v.Errors, v.Message = fieldErrs, msg
	if fieldErrs != nil {
		v.keep(r, "state", "outcome", "status_notes", "into", "place")
	} else {
		v.Form.Set("state", string(d.State))
		v.Form.Set("outcome", string(d.Outcome))
		v.Form.Set("status_notes", d.StatusNotes)
	}
	s.render(w, r, code, "incident", v)
}

func (s *Server) incidentUpdate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	_, err := s.Intake.Update(r.Context(), info(r).actor, id, intake.StatusUpdate{Version: version, State: intake.State(r.PostFormValue("state")),
		Outcome: intake.Outcome(r.PostFormValue("outcome")), StatusNotes: r.PostFormValue("status_notes")})
	switch {
	case errs.Is(errs.Invalid, err):
		s.showIncident(w, r, id, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form", nil)
	case errs.Is(errs.Conflict, err):
		s.showIncident(w, r, id, http.StatusConflict, map[string]string{}, "err.changed_meanwhile", nil)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/incidents/"+id+"?notice=saved", http.StatusSeeOther)
	}
}

func (s *Server) incidentMerge(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	o, err := s.Intake.MergeInto(r.Context(), info(r).actor, id, r.PostFormValue("into"))
	switch {
	case errs.Is(errs.Invalid, err):
		s.showIncident(w, r, id, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form", nil)
	case errs.Is(errs.Conflict, err):
		s.showIncident(w, r, id, http.StatusConflict, map[string]string{}, errs.MessageOf(err), nil)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/incidents/"+o.To+"?notice=merged", http.StatusSeeOther)
	}
}

func (s *Server) incidentSplit(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, n, err := s.Intake.SplitSignal(r.Context(), info(r).actor, id, r.PostFormValue("signal_id"))
	if errs.Is(errs.Conflict, err) {
		s.showIncident(w, r, id, http.StatusConflict, map[string]string{}, errs.MessageOf(err), nil)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+n.ID+"?notice=split", http.StatusSeeOther)
}

// incidentPlace sets an incident's location from a place name typed on
// its page: the gazetteer's best match becomes the pin.
func (s *Server) incidentPlace(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ri := info(r)
	found, err := s.Intake.SearchPlaces(r.Context(), ri.actor, r.PostFormValue("place"), 1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(found) == 0 {
		s.showIncident(w, r, id, http.StatusUnprocessableEntity, map[string]string{"place": "err.place_unknown"}, "err.form", nil)
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	m := found[0]
	_, err = s.Intake.Place(r.Context(), ri.actor, id, intake.Placement{Lat: m.Lat, Lng: m.Lng, Name: m.Name, Version: version})
	switch {
	case errs.Is(errs.Invalid, err):
		s.showIncident(w, r, id, http.StatusUnprocessableEntity, map[string]string{"place": "err.place_unknown"}, "err.form", nil)
	case errs.Is(errs.Conflict, err):
		s.showIncident(w, r, id, http.StatusConflict, map[string]string{}, errs.MessageOf(err), nil)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/incidents/"+id+"?notice=saved", http.StatusSeeOther)
	}
}

func (s *Server) incidentUndo(w http.ResponseWriter, r *http.Request) {
	o, err := s.Intake.Undo(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+o.From+"?notice=undone", http.StatusSeeOther)
}
