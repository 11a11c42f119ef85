package web

import (
	"net/http"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/points"
)

type usersData struct {
	Users       []*auth.User
	Departments map[string]*auth.Department
}

func (s *Server) departmentsByID(r *http.Request) (map[string]*auth.Department, []*auth.Department, error) {
	list, err := s.Auth.ListDepartments(r.Context(), info(r).actor)
	if err != nil {
		return nil, nil, err
	}
	m := map[string]*auth.Department{}
	for _, d := range list {
		m[d.ID] = d
	}
	return m, list, nil
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	users, err := s.Auth.ListUsers(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, _, err := s.departmentsByID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_users", s.newView(r, "title.users", usersData{Users: users, Departments: m}))
}

type userFormData struct {
	Roles       []auth.Role
	Departments []*auth.Department
	Points      []*points.Point // a liaison account's point
	User        *auth.UserView
	Dept        *auth.Department
}

func (s *Server) userForm(r *http.Request) (userFormData, error) {
	_, list, err := s.departmentsByID(r)
	if err != nil {
		return userFormData{}, err
	}
	d := userFormData{Roles: auth.Roles, Departments: list}
	if a := info(r).actor; a.Can(auth.PermPointsManage) {
		d.Points, err = s.Points.All(r.Context(), a)
	}
	return d, err
}

func (s *Server) adminUserNew(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.adminUserNew", auth.PermUsersManage); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.userForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_user_new", s.newView(r, "title.user_new", d))
}

func (s *Server) adminUserCreate(w http.ResponseWriter, r *http.Request) {
	nu := auth.NewUser{
		Username: r.PostFormValue("username"), DisplayName: r.PostFormValue("display_name"),
		Role: auth.Role(r.PostFormValue("role")), DepartmentID: r.PostFormValue("department_id"), PointID: r.PostFormValue("point_id"),
		Phone: r.PostFormValue("phone"), Password: r.PostFormValue("password"),
	}
	u, err := s.Auth.CreateUser(r.Context(), info(r).actor, nu)
	if errs.Is(errs.Invalid, err) {
		d, ferr := s.userForm(r)
		if ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		v := s.newView(r, "title.user_new", d)
		v.Errors, v.Message = errs.FieldsOf(err), "err.form"
		v.keep(r, "username", "display_name", "role", "department_id", "point_id", "phone")
		s.render(w, r, http.StatusUnprocessableEntity, "admin_user_new", v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+u.ID+"?notice=created", http.StatusSeeOther)
}

var userNotices = map[string]string{
	"created": "notice.user_created", "saved": "notice.saved", "disabled": "notice.user_disabled",
	"enabled": "notice.user_enabled", "password": "notice.password_reset",
}

// adminUserView shows one user with the phone number opened; the service
// writes the audit row.
func (s *Server) adminUserView(w http.ResponseWriter, r *http.Request) {
	s.showUser(w, r, http.StatusOK, nil, "")
}

func (s *Server) showUser(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string, msg string) {
	uv, err := s.Auth.ViewUser(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.userForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.User = uv
	for _, dp := range d.Departments {
		if dp.ID == uv.DepartmentID {
			d.Dept = dp
		}
	}
	v := s.newView(r, "title.user", d)
	v.Notice = userNotices[r.URL.Query().Get("notice")]
	v.Errors, v.Message = fieldErrs, msg
	// After a refused profile edit, show what was typed; after a refused
	// password reset, the profile form keeps the stored values.
	if fieldErrs != nil && r.PostForm.Has("display_name") {
		v.keep(r, "display_name", "role", "department_id", "point_id", "phone")
	} else {
		v.Form.Set("display_name", uv.DisplayName)
		v.Form.Set("role", string(uv.Role))
		v.Form.Set("department_id", uv.DepartmentID)
		v.Form.Set("point_id", uv.PointID)
		v.Form.Set("phone", uv.Phone)
	}
	s.render(w, r, code, "admin_user", v)
}

func (s *Server) adminUserUpdate(w http.ResponseWriter, r *http.Request) {
	ed := auth.UserEdit{
		DisplayName: r.PostFormValue("display_name"), Role: auth.Role(r.PostFormValue("role")),
		DepartmentID: r.PostFormValue("department_id"), PointID: r.PostFormValue("point_id"), Phone: r.PostFormValue("phone"),
	}
	err := s.Auth.UpdateUser(r.Context(), info(r).actor, r.PathValue("id"), ed)
	if errs.Is(errs.Invalid, err) {
		s.showUser(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}

func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request) {
	s.setUserDisabled(w, r, true)
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request) {
	s.setUserDisabled(w, r, false)
}

func (s *Server) setUserDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	if err := s.Auth.SetDisabled(r.Context(), info(r).actor, r.PathValue("id"), disabled); err != nil {
		s.fail(w, r, err)
		return
	}
	notice := "enabled"
	if disabled {
		notice = "disabled"
	}
	http.Redirect(w, r, "/admin/users/"+r.PathValue("id")+"?notice="+notice, http.StatusSeeOther)
}

func (s *Server) adminUserPassword(w http.ResponseWriter, r *http.Request) {
	err := s.Auth.ResetPassword(r.Context(), info(r).actor, r.PathValue("id"), r.PostFormValue("password"))
	if errs.Is(errs.Invalid, err) {
		s.showUser(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/users/"+r.PathValue("id")+"?notice=password", http.StatusSeeOther)
}
