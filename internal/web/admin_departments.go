package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

type deptData struct {
	Departments []*auth.Department
	Kinds       []string
}

func (s *Server) adminDepartments(w http.ResponseWriter, r *http.Request) {
	s.showDepartments(w, r, http.StatusOK, nil)
}

func (s *Server) showDepartments(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string) {
	ri := info(r)
	if err := ri.actor.Require("web.adminDepartments", auth.PermDeptManage); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Auth.ListDepartments(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.departments", deptData{Departments: list, Kinds: auth.DepartmentKinds})
	if fieldErrs != nil {
		v.Errors, v.Message = fieldErrs, "err.form"
		v.keep(r, "name", "name_en", "kind", "address", "lat", "lng")
	}
	if r.URL.Query().Get("notice") == "created" {
		v.Notice = "notice.department_created"
	}
	s.render(w, r, code, "admin_departments", v)
}

// parseCoord reads an optional decimal coordinate.
func parseCoord(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (s *Server) adminDepartmentCreate(w http.ResponseWriter, r *http.Request) {
	lat, okLat := parseCoord(r.PostFormValue("lat"))
	lng, okLng := parseCoord(r.PostFormValue("lng"))
	if !okLat || !okLng {
		s.showDepartments(w, r, http.StatusUnprocessableEntity, map[string]string{"lat": "err.coordinates"})
		return
	}
	_, err := s.Auth.CreateDepartment(r.Context(), info(r).actor, auth.Department{
		Name: r.PostFormValue("name"), NameEn: r.PostFormValue("name_en"), Kind: r.PostFormValue("kind"),
		Address: r.PostFormValue("address"), Lat: lat, Lng: lng,
	})
	if errs.Is(errs.Invalid, err) {
		s.showDepartments(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/departments?notice=created", http.StatusSeeOther)
}
