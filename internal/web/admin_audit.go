package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

type auditData struct {
	Rows    []auditRow
	Actions []auditGroup // the action filter's choices
	Kinds   []auditOption
	Next    string // address of the next (older) page
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := audit.Filter{
		Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		RecordType: strings.TrimSpace(q.Get("record_type")), RecordID: strings.TrimSpace(q.Get("record_id")),
		Before: q.Get("before"), Limit: 100,
	}
	fieldErrs := map[string]string{}
	day := func(name string) time.Time {
		v := q.Get(name)
		if v == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", v, chinaTime)
		if err != nil {
			fieldErrs[name] = "err.date_format"
		}
		return t
	}
	f.Since = day("since")
	if u := day("until"); !u.IsZero() {
		f.Until = u.Add(24 * time.Hour) // the whole day
	}
	v := s.newView(r, "title.audit", nil)
	v.keep(r, "actor", "action", "record_type", "record_id", "since", "until")
	if len(fieldErrs) > 0 {
		if err := info(r).actor.Require("web.adminAudit", "audit.read"); err != nil {
			s.fail(w, r, err)
			return
		}
		v.Errors, v.Message = fieldErrs, "err.form"
		v.Data = s.auditFilters(v.Lang)
		s.render(w, r, http.StatusUnprocessableEntity, "admin_audit", v)
		return
	}
	entries, labels, err := s.Auth.BrowseAudit(r.Context(), info(r).actor, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.auditFilters(v.Lang)
	d.Rows = s.auditRows(v.Lang, entries, labels)
	if len(entries) == f.Limit {
		nq := q
		nq.Set("before", entries[len(entries)-1].ID)
		d.Next = "/admin/audit?" + nq.Encode() // whole, so the template does not escape its "=" and "&"
	}
	v.Data = d
	s.render(w, r, http.StatusOK, "admin_audit", v)
}

// auditFilters are the choices of the filter form.
func (s *Server) auditFilters(lang string) auditData {
	d := auditData{Actions: s.auditActions(lang)}
	for _, k := range s.Catalog.Keys() {
		if t, ok := strings.CutPrefix(k, "audit.kind."); ok {
			d.Kinds = append(d.Kinds, auditOption{Code: t, Text: s.Catalog.T(lang, k)})
		}
	}
	return d
}
