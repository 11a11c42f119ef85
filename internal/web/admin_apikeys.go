package web

import (
	"net/http"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

type keysData struct {
	Keys        []*auth.APIKey
	Scopes      []string
	Departments []*auth.Department
	NewKey      string // shown once, right after creation
}

func (s *Server) adminAPIKeys(w http.ResponseWriter, r *http.Request) {
	s.showKeys(w, r, http.StatusOK, "", nil)
}

func (s *Server) showKeys(w http.ResponseWriter, r *http.Request, code int, newKey string, fieldErrs map[string]string) {
	ri := info(r)
	keys, err := s.Auth.ListAPIKeys(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, depts, err := s.departmentsByID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.apikeys", keysData{Keys: keys, Scopes: auth.APIKeyScopes, Departments: depts, NewKey: newKey})
	if fieldErrs != nil {
		v.Errors, v.Message = fieldErrs, "err.form"
		v.keep(r, "name", "department_id")
	}
	if r.URL.Query().Get("notice") == "revoked" {
		v.Notice = "notice.key_revoked"
	}
	s.render(w, r, code, "admin_apikeys", v)
}

func (s *Server) adminAPIKeyCreate(w http.ResponseWriter, r *http.Request) {
	full, _, err := s.Auth.CreateAPIKey(r.Context(), info(r).actor, r.PostFormValue("name"), r.PostForm["scopes"], r.PostFormValue("department_id"))
	if errs.Is(errs.Invalid, err) {
		s.showKeys(w, r, http.StatusUnprocessableEntity, "", errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Rendered directly (not redirected) so the key never sits in a URL or
	// in the database: this page is the only time it is shown.
	s.showKeys(w, r, http.StatusCreated, full, nil)
}

func (s *Server) adminAPIKeyRevoke(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.RevokeAPIKey(r.Context(), info(r).actor, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/apikeys?notice=revoked", http.StatusSeeOther)
}
