package web

import "net/http"

// apiWhoami lets a partner check its key: which name, department and
// scopes Haven sees.
func (s *Server) apiWhoami(w http.ResponseWriter, r *http.Request) {
	a := info(r).actor
	writeJSON(w, http.StatusOK, map[string]any{
		"key_id": a.UserID, "name": a.Name, "department_id": a.DepartmentID, "scopes": a.Scopes,
	})
}
