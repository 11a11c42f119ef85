package web

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/errs"
)

type dataRequestsData struct {
	Requests []*datarights.Request
	Kinds    []datarights.Kind
	Now      time.Time
	Me       string // the signed-in user's id: no approving one's own request
}

// dataRequests lists the requests with the form for a new one (a person
// page links here with ?person=RY-… and the kind).
func (s *Server) dataRequests(w http.ResponseWriter, r *http.Request) {
	v := s.newView(r, "title.data_requests", nil)
	v.Form.Set("person", r.URL.Query().Get("person"))
	v.Form.Set("kind", r.URL.Query().Get("kind"))
	if n := r.URL.Query().Get("notice"); n != "" {
		v.Notice = "notice.data_request_" + n
	}
	s.showDataRequests(w, r, http.StatusOK, v)
}

func (s *Server) showDataRequests(w http.ResponseWriter, r *http.Request, code int, v *view) {
	ri := info(r)
	list, err := s.DataRights.List(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Data = dataRequestsData{Requests: list, Kinds: datarights.Kinds, Now: s.Now(), Me: ri.actor.UserID}
	s.render(w, r, code, "data_requests", v)
}

func (s *Server) dataRequestCreate(w http.ResponseWriter, r *http.Request) {
	_, err := s.DataRights.Request(r.Context(), info(r).actor, datarights.RequestInput{
		Kind: datarights.Kind(r.PostFormValue("kind")), Person: r.PostFormValue("person"), Reason: r.PostFormValue("reason"),
	})
	if errs.Is(errs.Invalid, err) {
		v := s.newView(r, "title.data_requests", nil)
		v.Errors, v.Message = errs.FieldsOf(err), "err.form"
		v.keep(r, "kind", "person", "reason")
		s.showDataRequests(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/data-requests?notice=created", http.StatusSeeOther)
}

func (s *Server) dataRequestDecide(approve bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, err := s.DataRights.Decide(r.Context(), info(r).actor, r.PathValue("id"), approve, r.PostFormValue("note"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		notice := "refused"
		if approve {
			notice = "approved"
		}
		http.Redirect(w, r, "/admin/data-requests?notice="+notice, http.StatusSeeOther)
	}
}

func (s *Server) dataRequestDownload(w http.ResponseWriter, r *http.Request) {
	// Built whole before anything is sent, so a refusal is a clean error page.
	var buf bytes.Buffer
	name, err := s.DataRights.Export(r.Context(), info(r).actor, r.PathValue("id"), &buf)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
