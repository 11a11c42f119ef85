package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/supplies"
)

// ---- supplies (DESIGN.md §3.3) ----

type suppliesData struct {
	Stock     []supplies.Stock
	Items     []*supplies.Item
	ItemByID  map[string]*supplies.Item
	LocByID   map[string]*supplies.Location
	Kinds     []string
	Location  *supplies.Location   // the location page
	Movements []*supplies.Movement // the location page
	Low       int
	Unbooked  []*supplies.Unbooked // encounter lines waiting for staff
	Points    []*points.Point      // for a point's stock location
	Teams     []*dispatch.Team     // for a vehicle's
}

var movementFields = []string{"kind", "item_id", "location_id", "to_id", "qty", "person_key", "donor", "thanks", "thanks_name", "reason", "override"}

func (s *Server) suppliesData(r *http.Request) (*suppliesData, error) {
	stock, items, err := s.Supplies.Overview(r.Context(), info(r).actor)
	if err != nil {
		return nil, err
	}
	d := &suppliesData{Stock: stock, Items: items, ItemByID: map[string]*supplies.Item{}, LocByID: map[string]*supplies.Location{},
		Kinds: []string{supplies.Receipt, supplies.Donation, supplies.TransferOut, supplies.Handout, supplies.WriteOff}}
	for _, it := range items {
		d.ItemByID[it.ID] = it
	}
	for _, st := range stock {
		d.LocByID[st.Location.ID] = st.Location
		for _, l := range st.Levels {
			if l.Low() {
				d.Low++
			}
		}
	}
	return d, nil
}

// addManaging adds what only the main supplies page shows staff: the
// unbooked street handouts and the points and teams a new stock location
// can belong to.
func (s *Server) addManaging(r *http.Request, d *suppliesData) error {
	a := info(r).actor
	if !a.Can(auth.PermSuppliesManage) {
		return nil
	}
	var err error
	if d.Unbooked, err = s.Supplies.Unbooked(r.Context(), a, true); err != nil {
		return err
	}
	if a.Can(auth.PermPointsManage) {
		if d.Points, err = s.Points.All(r.Context(), a); err != nil {
			return err
		}
	}
	d.Teams, err = s.Dispatch.Store.ListTeams(r.Context()) // names only
	return err
}

func (s *Server) suppliesPage(w http.ResponseWriter, r *http.Request) {
	s.showSupplies(w, r, http.StatusOK, nil, "")
}

func (s *Server) showSupplies(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.suppliesData(r)
	if err == nil {
		err = s.addManaging(r, d)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.supplies", d)
	v.Errors, v.Message = fields, msg
	if fields != nil || msg != "" {
		v.keep(r, movementFields...)
	} else {
		v.keep(r, "location_id", "kind")
	}
	v.Notice = map[string]string{"recorded": "notice.movement_recorded", "settled": "notice.unbooked_settled"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "supplies", v)
}

func (s *Server) supplyMovement(w http.ResponseWriter, r *http.Request) {
	qty, err := strconv.Atoi(strings.TrimSpace(r.FormValue("qty")))
	if err != nil {
		qty = -1 // "1.5", "two": refused as not a whole number above zero
	}
	in := supplies.MoveInput{Kind: r.FormValue("kind"), ItemID: r.FormValue("item_id"), LocationID: r.FormValue("location_id"),
		ToID: r.FormValue("to_id"), Qty: qty, PersonKey: r.FormValue("person_key"), Donor: r.FormValue("donor"), Thanks: consentOf(r), Reason: r.FormValue("reason"),
		Override: r.FormValue("override") == "1"}
	if _, err := s.Supplies.Record(r.Context(), info(r).actor, in); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies?notice=recorded&location_id="+url.QueryEscape(in.LocationID)+"#loc-"+in.LocationID, http.StatusSeeOther)
}

func (s *Server) supplyLocation(w http.ResponseWriter, r *http.Request) {
	s.showSupplyLocation(w, r, http.StatusOK, nil, "")
}

func (s *Server) showSupplyLocation(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.suppliesData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Location = d.LocByID[r.PathValue("id")]; d.Location == nil {
		err := errs.E(errs.NotFound, "web.supplyLocation", "err.not_found")
		if info(r).actor.PointID != "" { // a liaison sees its own point's stock only
			err = errs.E(errs.Forbidden, "web.supplyLocation", "err.forbidden")
		}
		s.fail(w, r, err)
		return
	}
	if d.Movements, err = s.Supplies.Store.Movements(r.Context(), d.Location.ID, "", 200); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.supply_location", d)
	v.Errors, v.Message = fields, msg
	if r.URL.Query().Get("notice") == "saved" {
		v.Notice = "notice.saved"
	}
	s.render(w, r, code, "supply_location", v)
}

func (s *Server) supplyCount(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimSpace(r.FormValue("counted")))
	if err != nil {
		n = -1
	}
	if _, err := s.Supplies.CountStock(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("item_id"), n, r.FormValue("note")); err != nil {
		s.refused(w, r, err, s.showSupplyLocation)
		return
	}
	http.Redirect(w, r, "/supplies/locations/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}

func (s *Server) supplyThreshold(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(strings.TrimSpace(r.FormValue("threshold")))
	if err != nil {
		n = -1
	}
	if err := s.Supplies.SetThreshold(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("item_id"), n); err != nil {
		s.refused(w, r, err, s.showSupplyLocation)
		return
	}
	http.Redirect(w, r, "/supplies/locations/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}

func (s *Server) supplyItemCreate(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Supplies.AddItem(r.Context(), info(r).actor, supplies.Item{Code: r.FormValue("code"), Name: r.FormValue("name"),
		Unit: r.FormValue("unit"), RationQty: wholeOrZero(r.FormValue("ration_qty")), CampaignQty: wholeOrZero(r.FormValue("campaign_qty"))}); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies", http.StatusSeeOther)
}

func (s *Server) supplyLocationCreate(w http.ResponseWriter, r *http.Request) {
	l := supplies.Location{Kind: r.FormValue("kind"), Name: r.FormValue("name")}
	switch l.Kind {
	case supplies.LocPoint:
		l.PointID = r.FormValue("point_id")
	case supplies.LocVehicle:
		l.TeamID = r.FormValue("team_id")
	}
	if _, err := s.Supplies.AddLocation(r.Context(), info(r).actor, l); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies", http.StatusSeeOther)
}

// wholeOrZero reads an optional whole number; anything else is -1, which
// the service refuses with the field's range.
func wholeOrZero(v string) int {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

// supplyUnbookedSettle settles an encounter line: booked against a
// location's stock, or closed with a reason.
func (s *Server) supplyUnbookedSettle(w http.ResponseWriter, r *http.Request) {
	qty := wholeOrZero(r.FormValue("qty"))
	itemID, locID := r.FormValue("item_id"), r.FormValue("location_id")
	if r.FormValue("action") == "close" {
		itemID, locID = "", ""
	}
	if err := s.Supplies.Settle(r.Context(), info(r).actor, r.PathValue("id"), itemID, locID, qty, r.FormValue("reason")); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies?notice=settled#unbooked", http.StatusSeeOther)
}

// pointKey marks a handout a rescue point's desk recorded: a description
// of who received it, not an identity.
const pointKey = "point:"

// recipientText says who received a handout: someone met on a street
// encounter, or what staff or the desk typed.
func recipientText(cat *i18n.Catalog, lang, key string) string {
	if strings.HasPrefix(key, supplies.EncounterKey("")) {
		return cat.T(lang, "supplies.to_encounter")
	}
	return strings.TrimPrefix(key, pointKey)
}
