// Package supplies is stock and handouts (物资, DESIGN.md §3.3): an item
// catalogue; stock per location (the station's store, each rescue point,
// each patrol vehicle); every movement recorded — receipt, donation in
// kind, transfer, handout to a person, write-off, stock count — so that
// stock on hand is always the sum of its movements and never negative;
// low-stock alerts; and rationed handouts checked when recorded.
package supplies

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/thanks"
)

// CST is the calendar rationing days count in.
var CST = time.FixedZone("CST", 8*3600)

// Item is one thing in the catalogue, counted in whole units.
type Item struct {
	ID           string
	Code         string
	Name         string
	Unit         string // 件, 床, 双, 瓶, 桶, 个, 盒
	RationQty    int    // most one person may receive per day; 0: not rationed by the day
	RationPeriod string // "day"
	CampaignQty  int    // most one person may receive during one running campaign; 0: not rationed by campaign
	Active       bool
}

// Location kinds.
const (
	LocStore   = "store"   // the station's store
	LocPoint   = "point"   // a rescue point
	LocVehicle = "vehicle" // a patrol vehicle (a team)
)

// Location is where stock is kept.
type Location struct {
	ID      string
	Kind    string
	Name    string
	PointID string
	TeamID  string
}

// Movement kinds. Receipts, donations and transfers in add; handouts,
// write-offs and transfers out take away; a count records the difference
// a stock count found, either way.
const (
	Receipt     = "receipt"
	Donation    = "donation"
	TransferIn  = "transfer_in"
	TransferOut = "transfer_out"
	Handout     = "handout"
	WriteOff    = "writeoff"
	Count       = "count"
	Return      = "return" // an encounter corrected to fewer: back into the vehicle's stock
)

// Movement is one change of stock.
type Movement struct {
	ID         string
	At         time.Time
	Kind       string
	ItemID     string
	LocationID string
	Qty        int    // signed: + in, − out
	OtherID    string // the other location of a transfer
	PersonKey  string // who received a handout (a person record, an encounter, or a point's log line)
	Donor      string
	Reason     string
	TransferID string
	ByName     string
	// Thanks is a donation's donor's consent to public thanks (stored
	// apart from the ledger, package thanks).
	Thanks thanks.Consent
	// Rations are the ledger rows a handout counts against (not stored
	// with the movement): the store raises each in the same transaction
	// and refuses the whole set when one would pass its limit.
	Rations []Ration
}

// Ration is one period a handout counts against.
type Ration struct {
	Period string // "day:2026-11-29" or "campaign:<id>"
	Limit  int    // 0: counted, not limited (an override with a reason)
}

// Level is stock on hand of one item at one location.
type Level struct {
	LocationID   string
	ItemID       string
	Qty          int
	LowThreshold int
}

// Low reports whether the level is under its threshold.
func (l Level) Low() bool { return l.LowThreshold > 0 && l.Qty < l.LowThreshold }

// Store keeps supplies.
type Store interface {
	AddItem(ctx context.Context, it *Item, e audit.Entry) error
	Items(ctx context.Context) ([]*Item, error)
	AddLocation(ctx context.Context, l *Location, e audit.Entry) error
	Locations(ctx context.Context) ([]*Location, error)
	// Move records movements and applies them to stock and to the ration
	// ledger in one transaction; Conflict (err.stock_short) when any level
	// would go below zero, Invalid (qty: err.ration) when a ration would
	// pass its limit, and then nothing is stored.
	Move(ctx context.Context, ms []*Movement, e audit.Entry) error
	Levels(ctx context.Context, locationID string) ([]Level, error)
	SetThreshold(ctx context.Context, locationID, itemID string, n int, e audit.Entry) error
	Movements(ctx context.Context, locationID, itemID string, limit int) ([]*Movement, error)
	// Booked sums, per item, the handouts less the returns under a person
	// key.
	Booked(ctx context.Context, personKey string) (map[string]int, error)
	AddUnbooked(ctx context.Context, u *Unbooked, e audit.Entry) error
	UnbookedFor(ctx context.Context, encounterID string) ([]*Unbooked, error)
	UnbookedByID(ctx context.Context, id string) (*Unbooked, error)
	UnbookedList(ctx context.Context, open bool, limit int) ([]*Unbooked, error)
	// SettleUnbooked marks a line settled and, when m is not nil, records
	// m as Move would, in one transaction; Conflict when already settled.
	SettleUnbooked(ctx context.Context, id string, at time.Time, by, settlement string, m *Movement, e audit.Entry) error
}

// Service is supplies.
type Service struct {
	Store Store
	Audit audit.Store
	Now   func() time.Time
	// Campaigns, if set, lists the campaigns running at a time
	// (campaigns.Service.RunningIDs): per-campaign rations count in each.
	Campaigns func(ctx context.Context, t time.Time) ([]string, error)
}

// visible reports whether a may see and use a location: a liaison only
// its own point's, everyone else all of them.
func visible(a auth.Actor, l *Location) bool { return a.PointID == "" || l.PointID == a.PointID }

// DayPeriod is the ration period of the China-time day of t.
func DayPeriod(t time.Time) string { return "day:" + t.In(CST).Format(time.DateOnly) }

func (s *Service) now() time.Time { return s.Now().UTC() }

// AddItem adds a catalogue item.
func (s *Service) AddItem(ctx context.Context, a auth.Actor, it Item) (*Item, error) {
	const op = "supplies.AddItem"
	if err := a.Require(op, auth.PermSuppliesManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	it.Code, it.Name, it.Unit = strings.TrimSpace(it.Code), strings.TrimSpace(it.Name), strings.TrimSpace(it.Unit)
	if it.Code == "" || !form.TextOK(it.Code, 30) {
		f["code"] = "err.required"
	}
	if it.Name == "" || !form.TextOK(it.Name, 50) {
		f["name"] = "err.required"
	}
	if it.Unit == "" || !form.TextOK(it.Unit, 10) {
		f["unit"] = "err.required"
	}
	if it.RationQty < 0 || it.RationQty > 9999 {
		f["ration_qty"] = "err.qty"
	}
	if it.CampaignQty < 0 || it.CampaignQty > 9999 {
		f["campaign_qty"] = "err.qty"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	it.ID, it.Active, it.RationPeriod = id.New(), true, "day"
	return &it, s.Store.AddItem(ctx, &it, a.Entry("supply.item_create", "supply_item", it.ID))
}

// AddLocation adds a stock location.
func (s *Service) AddLocation(ctx context.Context, a auth.Actor, l Location) (*Location, error) {
	const op = "supplies.AddLocation"
	if err := a.Require(op, auth.PermSuppliesManage); err != nil {
		return nil, err
	}
	l.Name = strings.TrimSpace(l.Name)
	f := map[string]string{}
	if l.Name == "" || !form.TextOK(l.Name, 50) {
		f["name"] = "err.required"
	}
	if !slices.Contains([]string{LocStore, LocPoint, LocVehicle}, l.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if l.Kind == LocPoint && l.PointID == "" {
		f["point_id"] = "err.required" // the point's liaison hands out from it
	}
	if l.Kind != LocPoint {
		l.PointID = ""
	}
	if l.Kind != LocVehicle {
		l.TeamID = ""
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	l.ID = id.New()
	return &l, s.Store.AddLocation(ctx, &l, a.Entry("supply.location_create", "stock_location", l.ID))
}

// MoveInput is a movement as staff or a patrol member record it.
type MoveInput struct {
	Kind       string // Receipt, Donation, Transfer (TransferOut), Handout, WriteOff
	ItemID     string
	LocationID string
	ToID       string         // transfers
	Qty        int            // positive, whole units
	PersonKey  string         // handouts
	Donor      string         // donations
	Thanks     thanks.Consent // donations: the donor's consent to public thanks
	Reason     string         // write-offs, ration overrides
	Override   bool           // a handout above the ration, with Reason
}

// Record records a movement: a receipt or donation adds stock; a transfer
// takes from one location and gives to another atomically; a handout
// takes from a location for a person, within the item's ration unless
// overridden with a reason; a write-off takes away with a reason.
func (s *Service) Record(ctx context.Context, a auth.Actor, in MoveInput) ([]*Movement, error) {
	const op = "supplies.Record"
	perm := auth.PermSuppliesManage
	if in.Kind == Handout {
		perm = auth.PermSuppliesHandout
	}
	if err := a.RequireAny(op, perm, auth.PermSuppliesManage); err != nil {
		return nil, err
	}
	items, err := s.Store.Items(ctx)
	if err != nil {
		return nil, err
	}
	var item *Item
	for _, it := range items {
		if it.ID == in.ItemID {
			item = it
		}
	}
	if a.PointID != "" { // a liaison: its own point's stock only
		locs, err := s.Store.Locations(ctx)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(locs, func(l *Location) bool { return l.ID == in.LocationID })
		if i < 0 || !visible(a, locs[i]) {
			return nil, errs.E(errs.Forbidden, op, "err.forbidden")
		}
	}
	f := map[string]string{}
	if item == nil {
		f["item_id"] = "err.invalid_choice"
	}
	if in.Qty <= 0 || in.Qty > 9999 { // err.qty says 1–9999
		f["qty"] = "err.qty"
	}
	if in.LocationID == "" {
		f["location_id"] = "err.required"
	}
	in.Reason, in.Donor, in.PersonKey = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Donor), strings.TrimSpace(in.PersonKey)
	if !form.TextOK(in.Reason, 500) || !form.TextOK(in.Donor, 100) || !form.TextOK(in.PersonKey, 100) {
		f["reason"] = "err.too_long"
	}
	now := s.now()
	m := &Movement{ID: id.New(), At: now, Kind: in.Kind, ItemID: in.ItemID, LocationID: in.LocationID, ByName: a.Name, Reason: in.Reason}
	ms := []*Movement{m}
	switch in.Kind {
	case Receipt:
		m.Qty = in.Qty
	case Donation:
		m.Qty, m.Donor, m.Thanks = in.Qty, in.Donor, in.Thanks
		if in.Donor == "" {
			f["donor"] = "err.required"
		}
		for k, v := range m.Thanks.Check() {
			f[k] = v
		}
	case TransferOut:
		if in.ToID == "" {
			f["to_id"] = "err.required"
		} else if in.ToID == in.LocationID {
			f["to_id"] = "err.transfer_same"
		}
		tid := id.New()
		m.Qty, m.OtherID, m.TransferID = -in.Qty, in.ToID, tid
		ms = append(ms, &Movement{ID: id.New(), At: now, Kind: TransferIn, ItemID: in.ItemID, LocationID: in.ToID, Qty: in.Qty,
			OtherID: in.LocationID, TransferID: tid, ByName: a.Name, Reason: in.Reason})
	case Handout:
		m.Qty, m.PersonKey = -in.Qty, in.PersonKey
		if in.PersonKey == "" {
			f["person_key"] = "err.required"
		}
		if in.Override && in.Reason == "" {
			f["reason"] = "err.ration_reason"
		}
		if item != nil && len(f) == 0 {
			if m.Rations, err = s.rations(ctx, item, now, in.Override); err != nil {
				return nil, err
			}
			if in.Override {
				m.Reason = "override: " + in.Reason
			}
		}
	case WriteOff:
		m.Qty = -in.Qty
		if in.Reason == "" {
			f["reason"] = "err.required"
		}
	default:
		f["kind"] = "err.invalid_choice"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	e := a.Entry("supply."+in.Kind, "stock_location", in.LocationID)
	e.Detail = item.ID // the log names the item by its label when read
	if err := s.Store.Move(ctx, ms, e); err != nil {
		return nil, err
	}
	return ms, nil
}

// rations lists the periods a handout of item at now counts against: the
// day, and each running campaign; an override counts without a limit.
func (s *Service) rations(ctx context.Context, item *Item, now time.Time, override bool) ([]Ration, error) {
	limit := func(n int) int {
		if override {
			return 0
		}
		return n
	}
	rs := []Ration{{Period: DayPeriod(now), Limit: limit(item.RationQty)}}
	if s.Campaigns != nil {
		ids, err := s.Campaigns(ctx, now)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			rs = append(rs, Ration{Period: "campaign:" + id, Limit: limit(item.CampaignQty)})
		}
	}
	return rs, nil
}

// CountStock records a stock count (盘点): the difference between what
// was counted and what the records say becomes a count movement.
func (s *Service) CountStock(ctx context.Context, a auth.Actor, locationID, itemID string, counted int, note string) (*Movement, error) {
	const op = "supplies.CountStock"
	if err := a.Require(op, auth.PermSuppliesManage); err != nil {
		return nil, err
	}
	if counted < 0 || counted > 1000000 {
		return nil, errs.InvalidFields(op, map[string]string{"counted": "err.qty"})
	}
	levels, err := s.Store.Levels(ctx, locationID)
	if err != nil {
		return nil, err
	}
	have := 0
	for _, l := range levels {
		if l.ItemID == itemID {
			have = l.Qty
		}
	}
	m := &Movement{ID: id.New(), At: s.now(), Kind: Count, ItemID: itemID, LocationID: locationID, Qty: counted - have,
		Reason: strings.TrimSpace(note), ByName: a.Name}
	if m.Qty == 0 {
		m.Reason = strings.TrimSpace("count agrees " + m.Reason)
	}
	// Counts are taken with the store closed; were something moved
	// between reading and writing, stock would still be the sum of the
	// movements, and the next count shows it.
	return m, s.Store.Move(ctx, []*Movement{m}, a.Entry("supply.count", "stock_location", locationID))
}

// Needed lists the items low at some location (under its threshold), by
// name only: what the public may give in kind now. It needs no
// permission and shows no quantity, which would say too much.
func (s *Service) Needed(ctx context.Context) ([]string, error) {
	locs, err := s.Store.Locations(ctx)
	if err != nil {
		return nil, err
	}
	items, err := s.Store.Items(ctx)
	if err != nil {
		return nil, err
	}
	low := map[string]bool{}
	for _, l := range locs {
		lv, err := s.Store.Levels(ctx, l.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range lv {
			if v.Low() {
				low[v.ItemID] = true
			}
		}
	}
	var out []string
	for _, it := range items {
		if low[it.ID] && it.Active {
			out = append(out, it.Name)
		}
	}
	return out, nil
}

// Stock is a location's stock for the page.
type Stock struct {
	Location *Location
	Levels   []Level
}

// Overview lists every location's stock, with low levels marked.
func (s *Service) Overview(ctx context.Context, a auth.Actor) ([]Stock, []*Item, error) {
	if err := a.RequireAny("supplies.Overview", auth.PermSuppliesManage, auth.PermSuppliesHandout); err != nil {
		return nil, nil, err
	}
	locs, err := s.Store.Locations(ctx)
	if err != nil {
		return nil, nil, err
	}
	items, err := s.Store.Items(ctx)
	if err != nil {
		return nil, nil, err
	}
	var out []Stock
	for _, l := range locs {
		if !visible(a, l) {
			continue
		}
		lv, err := s.Store.Levels(ctx, l.ID)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, Stock{Location: l, Levels: lv})
	}
	return out, items, nil
}

// SetThreshold sets the low-stock threshold of an item at a location.
func (s *Service) SetThreshold(ctx context.Context, a auth.Actor, locationID, itemID string, n int) error {
	const op = "supplies.SetThreshold"
	if err := a.Require(op, auth.PermSuppliesManage); err != nil {
		return err
	}
	if n < 0 {
		return errs.InvalidFields(op, map[string]string{"threshold": "err.qty"})
	}
	return s.Store.SetThreshold(ctx, locationID, itemID, n, a.Entry("supply.threshold", "stock_location", locationID))
}
