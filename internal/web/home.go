package web

import (
	"encoding/json"
	"html/template"
	"net/http"

	"github.com/havenrescue/haven/internal/auth"
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
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
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
	if d.Canteen, err = s.canteenHomeBlock(r); err != nil {
		s.fail(w, r, err)
		return
	}
	b, _ := json.Marshal(ps)
	d.Places = template.JS(b)
	s.render(w, r, http.StatusOK, "home", s.newView(r, "title.home", d))
}
