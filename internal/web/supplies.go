package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
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
}

var movementFields = []string{"kind", "item_id", "location_id", "to_id", "qty", "person_key", "donor", "reason", "override"}

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

func (s *Server) suppliesPage(w http.ResponseWriter, r *http.Request) {
	s.showSupplies(w, r, http.StatusOK, nil, "")
}

func (s *Server) showSupplies(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.suppliesData(r)
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
	if n := r.URL.Query().Get("notice"); n == "recorded" {
		v.Notice = "notice.movement_recorded"
	}
	s.render(w, r, code, "supplies", v)
}

func (s *Server) supplyMovement(w http.ResponseWriter, r *http.Request) {
	qty, err := strconv.Atoi(strings.TrimSpace(r.FormValue("qty")))
	if err != nil {
		qty = -1 // "1.5", "two": refused as not a whole number above zero
	}
	in := supplies.MoveInput{Kind: r.FormValue("kind"), ItemID: r.FormValue("item_id"), LocationID: r.FormValue("location_id"),
		ToID: r.FormValue("to_id"), Qty: qty, PersonKey: r.FormValue("person_key"), Donor: r.FormValue("donor"), Reason: r.FormValue("reason"),
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
		s.fail(w, r, errs.E(errs.NotFound, "web.supplyLocation", "err.not_found"))
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
	ration, _ := strconv.Atoi(strings.TrimSpace(r.FormValue("ration_qty")))
	if _, err := s.Supplies.AddItem(r.Context(), info(r).actor, supplies.Item{Code: r.FormValue("code"), Name: r.FormValue("name"),
		Unit: r.FormValue("unit"), RationQty: ration}); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies", http.StatusSeeOther)
}

func (s *Server) supplyLocationCreate(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Supplies.AddLocation(r.Context(), info(r).actor, supplies.Location{Kind: r.FormValue("kind"), Name: r.FormValue("name")}); err != nil {
		s.refused(w, r, err, s.showSupplies)
		return
	}
	http.Redirect(w, r, "/supplies", http.StatusSeeOther)
}
