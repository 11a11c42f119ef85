package web

import (
	"net/http"

	"github.com/havenrescue/haven/internal/errs"
)

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "password", s.newView(r, "title.password", nil))
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	err := s.Auth.ChangePassword(r.Context(), ri.actor, ri.token,
		r.PostFormValue("old_password"), r.PostFormValue("new_password"), r.PostFormValue("confirm_password"))
	v := s.newView(r, "title.password", nil)
	if errs.Is(errs.Invalid, err) {
		v.Errors = errs.FieldsOf(err)
		v.Message = "err.form"
		s.render(w, r, http.StatusUnprocessableEntity, "password", v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Notice = "notice.password_changed"
	s.render(w, r, http.StatusOK, "password", v)
}
