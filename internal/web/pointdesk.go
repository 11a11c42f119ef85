package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/supplies"
)

// ---- a rescue point's desk (DESIGN.md §3.3): its liaison's phone page ----

type pointDeskData struct {
	Desk     *points.Desk
	Stock    []supplies.Stock
	ItemByID map[string]*supplies.Item
	Items    []*supplies.Item
	Services []intake.ServiceType
	LeadRef  string // the reference of the lead just passed
}

// pointHome sends a liaison to its own point's desk and staff to the
// registry.
func (s *Server) pointHome(w http.ResponseWriter, r *http.Request) {
	a := info(r).actor
	switch {
	case a.Can(auth.PermPointDesk) && a.PointID != "":
		http.Redirect(w, r, "/points/"+url.PathEscape(a.PointID)+"/desk", http.StatusSeeOther)
	case a.Can(auth.PermPointsManage):
		http.Redirect(w, r, "/admin/points", http.StatusSeeOther)
	default:
		s.fail(w, r, errs.E(errs.Forbidden, "web.pointHome", "err.forbidden"))
	}
}

func (s *Server) pointDesk(w http.ResponseWriter, r *http.Request) {
	s.showPointDesk(w, r, http.StatusOK, nil, "")
}

func (s *Server) showPointDesk(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	a := info(r).actor
	desk, err := s.Points.Desk(r.Context(), a, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	stock, items, err := s.Supplies.Overview(r.Context(), a)
	if err != nil && !errs.Is(errs.Forbidden, err) {
		s.fail(w, r, err)
		return
	}
	d := &pointDeskData{Desk: desk, Items: items, ItemByID: map[string]*supplies.Item{}, Services: intake.Services, LeadRef: r.URL.Query().Get("lead")}
	for _, st := range stock {
		if st.Location.PointID == desk.Point.ID {
			d.Stock = append(d.Stock, st)
		}
	}
	for _, it := range items {
		d.ItemByID[it.ID] = it
	}
	v := s.newView(r, "title.point_desk", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "form", "people", "note", "service_code", "description", "address", "item_id", "location_id", "qty", "person_key", "reason", "override")
	}
	v.Notice = map[string]string{"logged": "notice.point_logged", "lead": "notice.lead_passed", "handout": "notice.movement_recorded"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "point_desk", v)
}

func (s *Server) pointDeskPost(w http.ResponseWriter, r *http.Request) {
	a, pointID := info(r).actor, r.PathValue("id")
	back := "/points/" + url.PathEscape(pointID) + "/desk"
	people := func() int {
		n, err := strconv.Atoi(strings.TrimSpace(r.FormValue("people")))
		if err != nil {
			return -1 // refused with the range the field takes
		}
		return n
	}
	switch r.FormValue("form") {
	case "log":
		if _, err := s.Points.Log(r.Context(), a, pointID, points.LogInput{Kind: r.FormValue("kind"), People: people(), Note: r.FormValue("note")}); err != nil {
			s.refused(w, r, err, s.showPointDesk)
			return
		}
		http.Redirect(w, r, back+"?notice=logged", http.StatusSeeOther)
	case "lead":
		n := 0
		if strings.TrimSpace(r.FormValue("people")) != "" {
			n = people()
		}
		res, err := s.Points.PassLead(r.Context(), a, pointID, points.LeadInput{ServiceCode: r.FormValue("service_code"),
			Description: r.FormValue("description"), Address: r.FormValue("address"), People: n})
		if err != nil {
			s.refused(w, r, err, s.showPointDesk)
			return
		}
		http.Redirect(w, r, back+"?notice=lead&lead="+url.QueryEscape(res.Signal.Ref), http.StatusSeeOther)
	case "handout":
		if !points.CanDesk(a, pointID) {
			s.fail(w, r, errs.E(errs.Forbidden, "web.pointDesk", "err.forbidden"))
			return
		}
		qty, err := strconv.Atoi(strings.TrimSpace(r.FormValue("qty")))
		if err != nil {
			qty = -1
		}
		in := supplies.MoveInput{Kind: supplies.Handout, ItemID: r.FormValue("item_id"), LocationID: r.FormValue("location_id"), Qty: qty,
			PersonKey: r.FormValue("person_key"), Reason: r.FormValue("reason"), Override: r.FormValue("override") == "1"}
		if in.PersonKey != "" {
			in.PersonKey = pointKey + in.PersonKey // a description, not an identity
		}
		if _, err := s.Supplies.Record(r.Context(), a, in); err != nil {
			s.refused(w, r, err, s.showPointDesk)
			return
		}
		http.Redirect(w, r, back+"?notice=handout", http.StatusSeeOther)
	default:
		s.fail(w, r, errs.InvalidFields("web.pointDesk", map[string]string{"form": "err.invalid_choice"}))
	}
}

// ---- campaigns (DESIGN.md §3.11, as far as points and rations need) ----

type campaignsData struct {
	Campaigns []*campaigns.Campaign
	Kinds     []string
	State     map[string]string // campaign id → campaigns.StatePlanned, StateRunning, StateOver
}

func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request) {
	s.showCampaigns(w, r, http.StatusOK, nil, "")
}

func (s *Server) showCampaigns(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	list, err := s.Campaigns.All(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := campaignsData{Campaigns: list, Kinds: campaigns.Kinds, State: map[string]string{}}
	now := s.Campaigns.Now()
	for _, c := range list {
		d.State[c.ID] = c.StateAt(now)
	}
	v := s.newView(r, "title.campaigns", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "kind", "name", "starts_on", "ends_on", "note")
	}
	v.Notice = map[string]string{"started": "notice.campaign_started", "ended": "notice.campaign_ended"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "campaigns", v)
}

func (s *Server) campaignStart(w http.ResponseWriter, r *http.Request) {
	_, err := s.Campaigns.Start(r.Context(), info(r).actor, campaigns.Input{Kind: r.FormValue("kind"), Name: r.FormValue("name"),
		StartsOn: r.FormValue("starts_on"), EndsOn: r.FormValue("ends_on"), Note: r.FormValue("note")})
	if err != nil {
		s.refused(w, r, err, s.showCampaigns)
		return
	}
	http.Redirect(w, r, "/campaigns?notice=started", http.StatusSeeOther)
}

func (s *Server) campaignEnd(w http.ResponseWriter, r *http.Request) {
	if err := s.Campaigns.End(r.Context(), info(r).actor, r.PathValue("id")); err != nil {
		s.refused(w, r, err, s.showCampaigns)
		return
	}
	http.Redirect(w, r, "/campaigns?notice=ended", http.StatusSeeOther)
}
