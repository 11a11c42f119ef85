package web

import (
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/stats"
)

type place struct {
	Name string  `json:"name"`
	Kind string  `json:"kind"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

type homeData struct {
	Department *auth.Department
	Places     template.JS  // JSON for the map, read by home.js
	Canteen    *canteenHome // the safety officer's canteen duties and alerts
	Fire       *fireHome    // the safety officer's fire duties, patrols, equipment, hazards
	// Monthly is last month's statistics report while it is not submitted
	// (station staff only).
	Monthly *monthlyReminder
	fundsWork
}

// fundsWork is the home page's (and the leader's dashboard's) view of the
// money: budget lines at 80 % and 100 % (finance, leader) and the
// spending waiting for this user.
type fundsWork struct {
	FundAlerts       []funds.LineAlert
	ToApprove, ToPay int
}

// fundsWorkOf is the signed-in user's fundsWork; empty without funds.
func (s *Server) fundsWorkOf(r *http.Request) (fundsWork, error) {
	var f fundsWork
	if s.Funds == nil {
		return f, nil
	}
	var err error
	a := info(r).actor
	if f.FundAlerts, err = s.Funds.Alerts(r.Context(), a); err == nil {
		f.ToApprove, f.ToPay, err = s.Funds.Queue(r.Context(), a)
	}
	return f, err
}

type monthlyReminder struct {
	*stats.MonthlyReminder
	Words string // the month in words
}

// root is the site root: the public front page for visitors who are not
// signed in, the home page of their work for staff.
func (s *Server) root(w http.ResponseWriter, r *http.Request) {
	if info(r).user == nil {
		s.front(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.home(w, r)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	if ri.actor.Role == auth.RoleLeader { // the bureau at a glance
		s.dashboard(w, r, "/")
		return
	}
	depts, err := s.Auth.ListDepartments(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := homeData{}
	var ps []place
	for _, dp := range depts {
		if dp.ID == ri.user.DepartmentID {
			d.Department = dp
		}
		if dp.Lat != 0 || dp.Lng != 0 {
			name := dp.Name
			if ri.lang == "en" && dp.NameEn != "" {
				name = dp.NameEn
			}
			ps = append(ps, place{Name: name, Kind: dp.Kind, Lat: dp.Lat, Lng: dp.Lng})
		}
	}
	if s.Monthly != nil {
		m, err := s.Monthly.Reminder(r.Context(), ri.actor)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if m != nil {
			d.Monthly = &monthlyReminder{MonthlyReminder: m,
				Words: stats.MonthWords(func(k string, a ...any) string { return s.Catalog.T(ri.lang, k, a...) }, m.Month)}
		}
	}
	if d.fundsWork, err = s.fundsWorkOf(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Canteen, err = s.canteenHomeBlock(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Fire, err = s.fireHomeBlock(r); err != nil {
		s.fail(w, r, err)
		return
	}
	b, _ := json.Marshal(ps)
	d.Places = template.JS(b)
	s.render(w, r, http.StatusOK, "home", s.newView(r, "title.home", d))
}
