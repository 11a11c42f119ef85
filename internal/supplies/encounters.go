package supplies

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Patrols hand out on the street, often offline, and write what they gave
// in the encounter. When the encounter reaches the server its supplies are
// booked as handouts from the team's vehicle. The patrol app cannot be
// refused after the fact (the coat is on the person's back), so what
// cannot be booked — an item not in the catalogue, a part unit, a team
// with no vehicle stock, less in the van than the records say — is kept as
// an unbooked line for staff to settle, never dropped.

// EncounterLine is one thing an encounter says was handed out.
type EncounterLine struct {
	Item string  // a catalogue name or code, as the patrol app wrote it
	Qty  float64 // as written; booked only when whole
	Unit string
}

// EncounterHandout is the supplies of one encounter.
type EncounterHandout struct {
	EncounterID string
	TeamID      string
	At          time.Time
	Lines       []EncounterLine
}

// Problems an encounter line can have.
const (
	ProblemUnknownItem = "unknown_item" // not in the catalogue
	ProblemPartUnit    = "part_unit"    // not a whole number of units
	ProblemNoVehicle   = "no_vehicle"   // the team has no stock location
	ProblemStockShort  = "stock_short"  // the vehicle's records hold less
)

// Booked is the settlement of a line staff booked against stock. What
// they book goes under the encounter's key with ":settled", apart from
// what was booked automatically, so an edit of the encounter never takes
// it back.
const Booked = "booked"

// Unbooked is an encounter line waiting for staff.
type Unbooked struct {
	ID          string
	EncounterID string
	TeamID      string
	At          time.Time
	Item        string
	Qty         float64
	Unit        string
	Problem     string
	SettledAt   time.Time
	SettledBy   string
	Settlement  string
}

// EncounterKey is the person key an encounter's handouts are booked under.
func EncounterKey(encounterID string) string { return "encounter:" + encounterID }

// FromEncounter books an encounter's supplies. It is safe to call again
// for the same encounter (a replay or an edit): only what is more than
// already booked or waiting is booked. Rations are counted but not
// enforced: the handout already happened; one above the ration is booked
// with a reason saying so.
func (s *Service) FromEncounter(ctx context.Context, a auth.Actor, h EncounterHandout) error {
	const op = "supplies.FromEncounter"
	if err := a.RequireAny(op, auth.PermSuppliesHandout, auth.PermSuppliesManage); err != nil {
		return err
	}
	items, err := s.Store.Items(ctx)
	if err != nil {
		return err
	}
	locs, err := s.Store.Locations(ctx)
	if err != nil {
		return err
	}
	var van *Location
	if h.TeamID != "" {
		if i := slices.IndexFunc(locs, func(l *Location) bool { return l.Kind == LocVehicle && l.TeamID == h.TeamID }); i >= 0 {
			van = locs[i]
		}
	}
	key := EncounterKey(h.EncounterID)
	waiting, err := s.Store.UnbookedFor(ctx, h.EncounterID)
	if err != nil {
		return err
	}
	booked, err := s.Store.Booked(ctx, key)
	if err != nil {
		return err
	}
	lines := merge(items, h.Lines)
	written := map[string]int{} // whole units written per catalogue item
	for _, ln := range lines {
		item := findItem(items, ln.Item)
		var done float64
		if item != nil {
			done = float64(booked[item.ID])
			written[item.ID] = int(math.Floor(ln.Qty))
		}
		for _, u := range waiting { // lines waiting or settled by staff (booked under their own key)
			if sameItem(items, u.Item, ln.Item) {
				done += u.Qty
			}
		}
		more := ln.Qty - done
		if more <= 0 {
			continue
		}
		problem := ""
		switch {
		case item == nil:
			problem = ProblemUnknownItem
		case more != math.Trunc(more):
			problem = ProblemPartUnit
		case van == nil:
			problem = ProblemNoVehicle
		}
		if problem == "" {
			err := s.bookEncounter(ctx, a, item, van, key, int(more), h.EncounterID)
			if errs.Is(errs.Conflict, err) {
				problem = ProblemStockShort
			} else if err != nil {
				return err
			}
		}
		if problem != "" {
			u := &Unbooked{ID: id.New(), EncounterID: h.EncounterID, TeamID: h.TeamID, At: h.At, Item: ln.Item, Qty: more, Unit: ln.Unit, Problem: problem}
			if err := s.Store.AddUnbooked(ctx, u, a.Entry("supply.unbooked", "encounter", h.EncounterID)); err != nil {
				return err
			}
		}
	}
	// An edit that hands out less than was booked puts the difference back
	// into the van (the person's ration count is left as it was).
	for itemID, n := range booked {
		if back := n - written[itemID]; back > 0 && van != nil {
			m := &Movement{ID: id.New(), At: s.now(), Kind: Return, ItemID: itemID, LocationID: van.ID, Qty: back, PersonKey: key,
				Reason: "corrected in encounter " + h.EncounterID, ByName: a.Name}
			if err := s.Store.Move(ctx, []*Movement{m}, a.Entry("supply.return", "stock_location", van.ID)); err != nil {
				return err
			}
		}
	}
	return nil
}

// BookEncounter books what a patrol encounter says was handed out
// (dispatch.Service.HandedOut).
func (s *Service) BookEncounter(ctx context.Context, a auth.Actor, en *dispatch.Encounter) error {
	h := EncounterHandout{EncounterID: en.ID, TeamID: en.TeamID, At: en.At}
	for _, sp := range en.Supplies {
		h.Lines = append(h.Lines, EncounterLine{Item: sp.Item, Qty: sp.Qty, Unit: sp.Unit})
	}
	return s.FromEncounter(ctx, a, h)
}

// merge adds up lines of the same item (by code or by name) and names each
// known item as the catalogue does. Lines no patrol could have written —
// no item, a quantity that is not a number from above 0 to 10,000 — are
// left out (the encounter's own validation refuses them first).
func merge(items []*Item, lines []EncounterLine) []EncounterLine {
	var out []EncounterLine
	for _, ln := range lines {
		ln.Item = strings.TrimSpace(strings.ToValidUTF8(ln.Item, ""))
		if r := []rune(ln.Item); len(r) > 50 {
			ln.Item = string(r[:50])
		}
		if r := []rune(ln.Unit); len(r) > 10 || !utf8.ValidString(ln.Unit) {
			ln.Unit = ""
		}
		if ln.Item == "" || !(ln.Qty > 0 && ln.Qty <= 10000) {
			continue
		}
		if it := findItem(items, ln.Item); it != nil {
			ln.Item = it.Name
		}
		if i := slices.IndexFunc(out, func(o EncounterLine) bool { return o.Item == ln.Item }); i >= 0 {
			out[i].Qty += ln.Qty
			continue
		}
		out = append(out, ln)
	}
	return out
}

// sameItem reports whether two written names mean the same thing.
func sameItem(items []*Item, a, b string) bool {
	if a == b {
		return true
	}
	x, y := findItem(items, a), findItem(items, b)
	return x != nil && x == y
}

// findItem finds a catalogue item by code or name.
func findItem(items []*Item, name string) *Item {
	for _, it := range items {
		if it.Name == name || strings.EqualFold(it.Code, name) {
			return it
		}
	}
	return nil
}

// bookEncounter books one handout from the vehicle; above a ration it is
// booked with the reason said.
func (s *Service) bookEncounter(ctx context.Context, a auth.Actor, item *Item, van *Location, key string, qty int, encounterID string) error {
	now := s.now()
	m := &Movement{ID: id.New(), At: now, Kind: Handout, ItemID: item.ID, LocationID: van.ID, Qty: -qty, PersonKey: key, ByName: a.Name}
	var err error
	if m.Rations, err = s.rations(ctx, item, now, false); err != nil {
		return err
	}
	e := a.Entry("supply.handout", "stock_location", van.ID)
	e.Detail = item.ID // the log names the item by its label when read
	err = s.Store.Move(ctx, []*Movement{m}, e)
	if errs.Is(errs.Invalid, err) { // above a ration: it was handed out all the same
		m.ID, m.Reason = id.New(), "override: above the ration, recorded in encounter "+encounterID
		for i := range m.Rations { // the same periods, counted without the limit
			m.Rations[i].Limit = 0
		}
		err = s.Store.Move(ctx, []*Movement{m}, e)
	}
	return err
}

// Unbooked lists the encounter lines waiting for staff (open ones first).
func (s *Service) Unbooked(ctx context.Context, a auth.Actor, open bool) ([]*Unbooked, error) {
	if err := a.Require("supplies.Unbooked", auth.PermSuppliesManage); err != nil {
		return nil, err
	}
	return s.Store.UnbookedList(ctx, open, 200)
}

// Settle settles an unbooked line: booked as a handout of a catalogue item
// from a location (after a transfer or count put the stock right), or
// closed with a reason (for example, "the patrol's own gloves").
func (s *Service) Settle(ctx context.Context, a auth.Actor, unbookedID, itemID, locationID string, qty int, reason string) error {
	const op = "supplies.Settle"
	if err := a.Require(op, auth.PermSuppliesManage); err != nil {
		return err
	}
	u, err := s.Store.UnbookedByID(ctx, unbookedID)
	if err != nil {
		return err
	}
	if !u.SettledAt.IsZero() {
		return errs.E(errs.Conflict, op, "err.already_settled")
	}
	reason = strings.TrimSpace(reason)
	if itemID == "" {
		if reason == "" || !form.TextOK(reason, 500) {
			return errs.InvalidFields(op, map[string]string{"reason": "err.required"})
		}
		return s.Store.SettleUnbooked(ctx, u.ID, s.now(), a.Name, "closed: "+reason, nil, a.Entry("supply.unbooked_close", "encounter", u.EncounterID))
	}
	f := map[string]string{}
	items, err := s.Store.Items(ctx)
	if err != nil {
		return err
	}
	item := slices.IndexFunc(items, func(it *Item) bool { return it.ID == itemID })
	if item < 0 {
		f["item_id"] = "err.invalid_choice"
	}
	if qty <= 0 || qty > 9999 {
		f["qty"] = "err.qty"
	}
	if locationID == "" {
		f["location_id"] = "err.required"
	}
	if len(f) > 0 {
		return errs.InvalidFields(op, f)
	}
	now := s.now()
	m := &Movement{ID: id.New(), At: now, Kind: Handout, ItemID: itemID, LocationID: locationID, Qty: -qty, PersonKey: EncounterKey(u.EncounterID) + ":settled",
		Reason: strings.TrimSpace("settled from encounter " + reason), ByName: a.Name}
	if m.Rations, err = s.rations(ctx, items[item], now, true); err != nil {
		return err
	}
	return s.Store.SettleUnbooked(ctx, u.ID, now, a.Name, Booked, m, a.Entry("supply.unbooked_book", "encounter", u.EncounterID))
}
