package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/volunteers"
)

// ---- an accepted applicant joins through their sign-up link ----

type inviteData struct {
	Invite   *volunteers.Invite
	URL      string       // the sign-up link
	Message  string       // a text message to send, with the link
	SMS      template.URL // an sms: link that opens it on the coordinator's phone
	Accepted bool         // shown on accepting, not on a new link
}

// showInvite shows a new sign-up link once (only its hash is kept), with
// a text message to send: Haven sends no messages itself.
func (s *Server) showInvite(w http.ResponseWriter, r *http.Request, inv *volunteers.Invite, accepted bool) {
	lang := info(r).lang
	link := s.baseURL(r) + "/volunteer/join/" + inv.Token
	station := s.Catalog.T(lang, "app.name")
	if s.Family != nil {
		station = s.Family.Station.Name
	}
	msg := s.Catalog.T(lang, "volunteer_join.sms", station, inv.Name, inv.ExpiresAt.In(chinaTime).Format("2006-01-02 15:04"), link)
	d := &inviteData{Invite: inv, URL: link, Message: msg, Accepted: accepted}
	if inv.Phone != "" {
		// Built from a checked phone number and an escaped body: a safe URL.
		d.SMS = template.URL("sms:" + url.PathEscape(inv.Phone) + "?body=" + strings.ReplaceAll(url.QueryEscape(msg), "+", "%20"))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "volunteer_invite", s.newView(r, "title.volunteer_invite", d))
}

type joinData struct {
	View     *volunteers.JoinView
	Token    string
	Skills   []string
	Problem  string // why the link does not work (a message key)
	Personal string // after joining: the volunteer's own page
}

func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	s.showJoin(w, r, http.StatusOK, nil, "")
}

func (s *Server) showJoin(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	token := r.PathValue("token")
	jv, err := s.Volunteers.JoinPage(r.Context(), token)
	if err != nil {
		s.joinProblem(w, r, err)
		return
	}
	v := s.newView(r, "title.volunteer_join", &joinData{View: jv, Token: token, Skills: volunteers.Skills})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "availability", "confirm")
		v.Form["skills"] = r.Form["skills"]
	} else {
		v.Form.Set("availability", jv.Availability)
		v.Form["skills"] = jv.Skills
	}
	s.render(w, r, code, "volunteer_join", v)
}

// joinProblem answers a link that does not work with a page that says
// why and whom to call, in the reader's language: 404 for a link Haven
// does not know, 410 for one used up, replaced or expired.
func (s *Server) joinProblem(w http.ResponseWriter, r *http.Request, err error) {
	code := http.StatusNotFound
	switch {
	case errs.Is(errs.Conflict, err):
		code = http.StatusGone
	case !errs.Is(errs.NotFound, err):
		s.fail(w, r, err)
		return
	}
	s.render(w, r, code, "volunteer_join", s.newView(r, "title.volunteer_join", &joinData{Problem: errs.MessageOf(err)}))
}

func (s *Server) joinSubmit(w http.ResponseWriter, r *http.Request) {
	personal, err := s.Volunteers.Join(r.Context(), r.PathValue("token"), volunteers.JoinInput{Skills: r.Form["skills"],
		Availability: r.FormValue("availability"), Confirm: r.FormValue("confirm") == "1"})
	switch {
	case errs.Is(errs.Invalid, err):
		s.showJoin(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form")
		return
	case err != nil:
		w.Header().Set("Cache-Control", "no-store")
		s.joinProblem(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "volunteer_join", s.newView(r, "title.volunteer_join", &joinData{Personal: s.baseURL(r) + "/v/" + personal}))
}
