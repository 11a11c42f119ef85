package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

type incidentsData struct {
	Incidents []*intake.Incident
	Services  []intake.ServiceType
	States    []intake.State
	Channels  []intake.Channel
	Now       time.Time
}

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := intake.IncidentFilter{ServiceCode: q.Get("service"), Channel: intake.Channel(q.Get("channel")), Limit: 300}
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
	v := s.newView(r, "title.incidents", incidentsData{Incidents: list, Services: intake.Services, States: intake.States, Channels: intake.Channels, Now: s.Now().UTC()})
	v.keep(r, "state", "service", "channel")
	s.render(w, r, http.StatusOK, "incidents", v)
}

type incidentData struct {
	*intake.IncidentDetail
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
	svc, _ := intake.ServiceByCode(d.ServiceCode)
	data := incidentData{IncidentDetail: d, Service: svc, Outcomes: intake.Outcomes, Now: s.Now().UTC(), Revealed: revealed,
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
		v.keep(r, "state", "outcome", "status_notes", "into")
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

func (s *Server) incidentUndo(w http.ResponseWriter, r *http.Request) {
	o, err := s.Intake.Undo(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/incidents/"+o.From+"?notice=undone", http.StatusSeeOther)
}
