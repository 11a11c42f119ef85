package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
)

// ---- rescue points (DESIGN.md §3.3) ----

type helpPointsData struct {
	Points   []points.Found
	From     string // where the distances are measured from, as typed or "my location"
	Located  bool
	Services []string
}

// helpQuery reads the finder's question: a location (lat/lng from the
// phone), or a typed place, and whether only open points are wanted.
func helpQuery(r *http.Request) (points.Query, map[string]string) {
	q := r.URL.Query()
	query := points.Query{OpenOnly: q.Get("all") != "1", Limit: 50}
	fields := map[string]string{}
	if latS, lngS := q.Get("lat"), q.Get("lng"); latS != "" || lngS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			fields["place"] = "err.coordinates"
		} else {
			query.From = &intake.Point{Lat: lat, Lng: lng}
		}
	} else if place := strings.TrimSpace(q.Get("place")); place != "" {
		if at, ok := points.Locate(place); ok {
			query.From = &at
		} else {
			query.Text = place // not a known place: find it in names and addresses
		}
	}
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && n <= 200 {
		query.Limit = n
	}
	return query, fields
}

// helpPoints is the public finder: the nearest help points open now.
func (s *Server) helpPoints(w http.ResponseWriter, r *http.Request) {
	query, fields := helpQuery(r)
	d := &helpPointsData{Located: query.From != nil, Services: points.Services}
	v := s.newView(r, "title.help_points", d)
	v.keep(r, "place", "all", "lat", "lng")
	code := http.StatusOK
	if len(fields) > 0 {
		v.Errors, code = fields, http.StatusBadRequest
		query.From = nil
	}
	list, err := s.Points.Find(r.Context(), query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Points = list
	s.render(w, r, code, "help_points", v)
}

// apiHelpPoints is the finder as JSON for other city apps.
func (s *Server) apiHelpPoints(w http.ResponseWriter, r *http.Request) {
	query, fields := helpQuery(r)
	if len(fields) > 0 {
		s.fail(w, r, errs.InvalidFields("web.help_points", fields))
		return
	}
	list, err := s.Points.Find(r.Context(), query)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if list == nil {
		list = []points.Found{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"points": list, "hotline": s.Family.Station.Phone})
}

type adminPointsData struct {
	Points   []*points.Point
	Point    *points.Point
	Kinds    []string
	Services []string
}

var pointFormFields = []string{"name", "kind", "address", "lat", "lng", "hours", "capacity", "liaison", "liaison_phone", "season_from", "season_to",
	"active", "by_campaign", "directions"}

// keepPointForm shows a refused point form again with what was typed.
func keepPointForm(v *view, r *http.Request) {
	v.keep(r, pointFormFields...)
	v.Form["services"] = r.Form["services"]
}

func pointInput(r *http.Request) (points.Input, map[string]string) {
	f := map[string]string{}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(r.FormValue("lat")), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(r.FormValue("lng")), 64)
	if err1 != nil || err2 != nil {
		f["lat"] = "err.coordinates"
	}
	capacity := 0
	if v := strings.TrimSpace(r.FormValue("capacity")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f["capacity"] = "err.whole_number"
		}
		capacity = n
	}
	return points.Input{Name: r.FormValue("name"), Kind: r.FormValue("kind"), Address: r.FormValue("address"), Lat: lat, Lng: lng,
		Hours: r.FormValue("hours"), Capacity: capacity, Liaison: r.FormValue("liaison"), LiaisonPhone: r.FormValue("liaison_phone"),
		Services: r.Form["services"], SeasonFrom: r.FormValue("season_from"), SeasonTo: r.FormValue("season_to"),
		Active: r.FormValue("active") == "1", ByCampaign: r.FormValue("by_campaign") == "1", Directions: r.FormValue("directions")}, f
}

func (s *Server) adminPoints(w http.ResponseWriter, r *http.Request) {
	s.showAdminPoints(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAdminPoints(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	list, err := s.Points.All(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.admin_points", adminPointsData{Points: list, Kinds: points.Kinds, Services: points.Services})
	v.Errors, v.Message = fields, msg
	if fields != nil {
		keepPointForm(v, r)
	}
	if r.URL.Query().Get("notice") == "saved" {
		v.Notice = "notice.saved"
	}
	s.render(w, r, code, "admin_points", v)
}

func (s *Server) adminPointCreate(w http.ResponseWriter, r *http.Request) {
	in, fields := pointInput(r)
	var err error
	if len(fields) == 0 {
		_, err = s.Points.Create(r.Context(), info(r).actor, in)
	} else {
		err = errs.InvalidFields("web.point", fields)
	}
	if err != nil {
		s.refused(w, r, err, s.showAdminPoints)
		return
	}
	http.Redirect(w, r, "/admin/points?notice=saved", http.StatusSeeOther)
}

func (s *Server) adminPoint(w http.ResponseWriter, r *http.Request) {
	s.showAdminPoint(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAdminPoint(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	p, err := s.Points.Point(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.admin_point", adminPointsData{Point: p, Kinds: points.Kinds, Services: points.Services})
	v.Errors, v.Message = fields, msg
	if fields != nil {
		keepPointForm(v, r)
	} else {
		for k, val := range map[string]string{"name": p.Name, "kind": p.Kind, "address": p.Address, "lat": strconv.FormatFloat(p.Lat, 'f', 6, 64),
			"lng": strconv.FormatFloat(p.Lng, 'f', 6, 64), "hours": hoursText(v.Lang, p.HoursText), "capacity": strconv.Itoa(p.Capacity), "liaison": p.Liaison,
			"liaison_phone": p.LiaisonPhone, "season_from": p.Season.From, "season_to": p.Season.To, "directions": p.Directions} {
			v.Form.Set(k, val)
		}
		if p.Active {
			v.Form.Set("active", "1")
		}
		if p.ByCampaign {
			v.Form.Set("by_campaign", "1")
		}
		v.Form["services"] = p.Services
	}
	s.render(w, r, code, "admin_point", v)
}

func (s *Server) adminPointUpdate(w http.ResponseWriter, r *http.Request) {
	in, fields := pointInput(r)
	var err error
	if len(fields) == 0 {
		_, err = s.Points.Update(r.Context(), info(r).actor, r.PathValue("id"), in, atoi(r.FormValue("version")))
	} else {
		err = errs.InvalidFields("web.point", fields)
	}
	if err != nil {
		s.refused(w, r, err, s.showAdminPoint)
		return
	}
	http.Redirect(w, r, "/admin/points?notice=saved", http.StatusSeeOther)
}
