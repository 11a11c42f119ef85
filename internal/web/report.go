package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

// reportData feeds the report forms (public, hotline, patrol).
type reportData struct {
	Services  []intake.ServiceType
	Channel   intake.Channel
	Action    string
	ClientKey string // idempotency key: a double-tapped submit files once
	Staff     bool
}

// Desk reports whether the form is typed at a desk for someone else (a
// hotline call): the device's own location says nothing about the caller's.
func (d reportData) Desk() bool { return d.Channel == intake.ChannelHotline }

func (s *Server) reportData(channel intake.Channel, action string, staff bool) reportData {
	return reportData{Services: intake.Services, Channel: channel, Action: action, ClientKey: auth.NewToken(12),
		Staff: staff}
}

var signalFormFields = []string{"service_code", "description", "lat", "lng", "address", "phone", "reporter", "client_key"}

// signalInput reads a report form (multipart, with an optional photo).
func signalInput(r *http.Request, ch intake.Channel) (intake.Input, map[string]string) {
	in := intake.Input{Channel: ch, ServiceCode: r.FormValue("service_code"), Description: r.FormValue("description"),
		Address: r.FormValue("address"), Phone: r.FormValue("phone"), Reporter: r.FormValue("reporter"),
		ExternalID: r.FormValue("client_key"), Attributes: map[string]string{}}
	fields := map[string]string{}
	latS, lngS := strings.TrimSpace(r.FormValue("lat")), strings.TrimSpace(r.FormValue("lng"))
	if latS != "" || lngS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil || err2 != nil {
			fields["lat"] = "err.coordinates"
		} else {
			in.Lat, in.Lng = &lat, &lng
		}
	}
	if svc, ok := intake.ServiceByCode(in.ServiceCode); ok {
		for _, a := range svc.Attributes {
			if v := r.FormValue("attribute[" + a.Code + "]"); v != "" {
				in.Attributes[a.Code] = v
			}
		}
	}
	in.Photo = uploaded(r, "photo")
	return in, fields
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "title.report", s.reportData(intake.ChannelPublic, "/report", false))
	if c := r.URL.Query().Get("service"); c != "" {
		v.Form.Set("service_code", c)
	}
	s.render(w, r, http.StatusOK, "report", v)
}

func (s *Server) reportSubmit(w http.ResponseWriter, r *http.Request) {
	s.submitSignal(w, r, intake.ChannelPublic, "/report", "title.report", "report")
}

// submitSignal files a report form and answers with the status page, or
// the form again with field errors and the input kept.
func (s *Server) submitSignal(w http.ResponseWriter, r *http.Request, ch intake.Channel, action, title, page string) {
	ri := info(r)
	in, fields := signalInput(r, ch)
	var res *intake.Result
	var err error
	if len(fields) == 0 {
		res, err = s.Intake.Submit(r.Context(), ri.actor, in)
		fields = errs.FieldsOf(err)
	}
	if len(fields) > 0 {
		d := s.reportData(ch, action, ri.user != nil)
		v := s.newView(r, title, d)
		v.Errors, v.Message = fields, "err.form"
		v.keep(r, signalFormFields...)
		if len(in.Photo) > 0 && fields["photo"] == "" {
			v.Errors["photo"] = "err.photo_again"
		}
		s.render(w, r, http.StatusUnprocessableEntity, page, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ch == intake.ChannelPublic {
		http.Redirect(w, r, "/status?new=1&ref="+url.QueryEscape(res.Signal.Ref), http.StatusSeeOther)
		return
	}
	if ri.actor.Can(auth.PermIncidentsView) {
		http.Redirect(w, r, "/incidents/"+res.Incident.ID+"?notice=reported", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/status?new=1&ref="+url.QueryEscape(res.Signal.Ref), http.StatusSeeOther)
}

type statusData struct {
	View    *intake.SignalView
	Service intake.ServiceType
	New     bool
}

// statusPage shows where a report stands to anyone holding its reference
// number: state, outcome, notes, times; never who or where exactly.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	ref := strings.TrimSpace(r.URL.Query().Get("ref"))
	d := statusData{New: r.URL.Query().Get("new") == "1"}
	v := s.newView(r, "title.status", &d)
	v.Form.Set("ref", ref)
	code := http.StatusOK
	if ref != "" {
		sv, err := s.Intake.Status(r.Context(), ref)
		switch {
		case err == nil:
			d.View = sv
			d.Service, _ = intake.ServiceByCode(sv.ServiceCode)
		case errs.Is(errs.NotFound, err):
			v.Errors = map[string]string{"ref": "err.ref_unknown"}
			code = http.StatusNotFound
		default:
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, code, "status", v)
}

// signalNewPage is the hotline operator's entry form, or the patrol
// member's "report what I see".
func (s *Server) signalNewPage(w http.ResponseWriter, r *http.Request) {
	ch, err := staffChannel(info(r).actor, r.URL.Query().Get("channel"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.signal_"+string(ch), s.reportData(ch, "/signals/new?channel="+string(ch), true))
	s.render(w, r, http.StatusOK, "signal_new", v)
}

func (s *Server) signalNewSubmit(w http.ResponseWriter, r *http.Request) {
	ch, err := staffChannel(info(r).actor, r.URL.Query().Get("channel"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.submitSignal(w, r, ch, "/signals/new?channel="+string(ch), "title.signal_"+string(ch), "signal_new")
}

// staffChannel picks the staff form's channel: hotline for operators,
// patrol for patrol members, as asked when the role has both.
func staffChannel(a auth.Actor, asked string) (intake.Channel, error) {
	switch {
	case asked == "patrol" && a.Can(auth.PermSignalsPatrol):
		return intake.ChannelPatrol, nil
	case asked != "patrol" && a.Can(auth.PermSignalsEnter):
		return intake.ChannelHotline, nil
	case a.Can(auth.PermSignalsPatrol):
		return intake.ChannelPatrol, nil
	}
	return "", errs.E(errs.Forbidden, "web.staffChannel", "err.forbidden")
}

func (s *Server) signalPhoto(w http.ResponseWriter, r *http.Request) {
	b, err := s.Intake.SignalPhoto(r.Context(), info(r).actor, r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(b)
}

// signalContact opens a callback number (POST: a deliberate, audited act)
// and shows it on the incident page.
func (s *Server) signalContact(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	ref := r.PathValue("ref")
	p, err := s.Intake.SignalContact(r.Context(), ri.actor, ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Intake.Status(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.showIncident(w, r, v.IncidentID, http.StatusOK, nil, "", map[string]string{v.Ref: p})
}
