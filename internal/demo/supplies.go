package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
)

// SeedSupplies adds the supply catalogue, the station's store, two
// rescue points' stock and two patrol vehicles, and a winter's movements:
// purchases, donations in kind from two charities, transfers out to the
// vehicles and points, handouts on the street, a write-off and a count.
func SeedSupplies(ctx context.Context, ss *supplies.Service, ps *points.Service, ds *dispatch.Service) error {
	staff := as("staff")
	pts, err := ps.All(ctx, staff)
	if err != nil {
		return err
	}
	pointID := map[string]string{}
	for _, p := range pts {
		pointID[p.Name] = p.ID
	}
	teams, err := ds.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	teamID := map[string]string{}
	for _, t := range teams {
		teamID[t.Name] = t.ID
	}
	patrol := as("patrol")
	catalogue := []supplies.Item{{Code: "COAT", Name: "棉大衣", Unit: "件", RationQty: 1}, {Code: "QUILT", Name: "棉被", Unit: "床", RationQty: 1},
		{Code: "GLOVES", Name: "手套", Unit: "双", RationQty: 2}, {Code: "WATER", Name: "矿泉水", Unit: "瓶", RationQty: 6},
		{Code: "NOODLES", Name: "方便面", Unit: "桶", RationQty: 3}, {Code: "BREAD", Name: "面包", Unit: "个", RationQty: 4},
		{Code: "HUOXIANG", Name: "藿香正气水", Unit: "盒", RationQty: 1}, {Code: "MASK", Name: "口罩", Unit: "个", RationQty: 5}}
	items := map[string]*supplies.Item{}
	for _, it := range catalogue {
		x, err := ss.AddItem(ctx, staff, it)
		if err != nil {
			return fmt.Errorf("demo item %s: %v", it.Code, err)
		}
		items[it.Code] = x
	}
	locs := map[string]*supplies.Location{}
	for _, l := range []supplies.Location{{Kind: supplies.LocStore, Name: "站内仓库"},
		{Kind: supplies.LocVehicle, Name: "巡查一车（豫G·J0371）", TeamID: teamID["救助站巡查1队"]},
		{Kind: supplies.LocVehicle, Name: "巡查二车（豫G·J0372）", TeamID: teamID["救助站巡查2队"]},
		{Kind: supplies.LocPoint, Name: "火车站避寒点", PointID: pointID["火车站避寒点"]},
		{Kind: supplies.LocPoint, Name: "福彩救助点（人民路）", PointID: pointID["福彩救助点（人民路）"]}} {
		x, err := ss.AddLocation(ctx, staff, l)
		if err != nil {
			return err
		}
		locs[l.Name] = x
	}
	store, van1, van2 := locs["站内仓库"].ID, locs["巡查一车（豫G·J0371）"].ID, locs["巡查二车（豫G·J0372）"].ID
	shelter, outlet := locs["火车站避寒点"].ID, locs["福彩救助点（人民路）"].ID
	moves := []struct {
		a  auth.Actor
		in supplies.MoveInput
	}{
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["COAT"].ID, LocationID: store, Qty: 200, Reason: "2025 年冬季采购"}},
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["QUILT"].ID, LocationID: store, Qty: 150, Reason: "2025 年冬季采购"}},
		{staff, supplies.MoveInput{Kind: supplies.Donation, ItemID: items["GLOVES"].ID, LocationID: store, Qty: 300, Donor: "新乡市慈善总会",
			Thanks: thanks.Consent{Mode: thanks.Named, Name: "新乡市慈善总会"}}},
		{staff, supplies.MoveInput{Kind: supplies.Donation, ItemID: items["NOODLES"].ID, LocationID: store, Qty: 480, Donor: "牧野区爱心志愿者协会",
			Thanks: thanks.Consent{Mode: thanks.Anonymous}}}, // the money the association gave (assistance.go) is not thanked: no consent
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["WATER"].ID, LocationID: store, Qty: 600}},
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["BREAD"].ID, LocationID: store, Qty: 120}},
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["HUOXIANG"].ID, LocationID: store, Qty: 100, Reason: "夏季送清凉储备"}},
		{staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: items["MASK"].ID, LocationID: store, Qty: 500}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["COAT"].ID, LocationID: store, ToID: van1, Qty: 20}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["QUILT"].ID, LocationID: store, ToID: van1, Qty: 15}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["WATER"].ID, LocationID: store, ToID: van1, Qty: 48}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["NOODLES"].ID, LocationID: store, ToID: van1, Qty: 36}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["COAT"].ID, LocationID: store, ToID: van2, Qty: 10}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["GLOVES"].ID, LocationID: store, ToID: van2, Qty: 40}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["QUILT"].ID, LocationID: store, ToID: shelter, Qty: 40}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["NOODLES"].ID, LocationID: store, ToID: shelter, Qty: 60}},
		{staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: items["WATER"].ID, LocationID: store, ToID: outlet, Qty: 24}},
		{staff, supplies.MoveInput{Kind: supplies.WriteOff, ItemID: items["BREAD"].ID, LocationID: store, Qty: 18, Reason: "过期"}},
	}
	for i := range 17 { // handouts on the street this winter
		moves = append(moves, struct {
			a  auth.Actor
			in supplies.MoveInput
		}{patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: items[[]string{"COAT", "QUILT", "WATER", "NOODLES"}[i%4]].ID, LocationID: van1, Qty: 1,
			PersonKey: []string{"火车站广场中年男子", "平原路地下通道老人", "东站出站口妇女", "金穗大道桥下男子", "胜利路公交站老人"}[i%5]}})
	}
	for _, m := range moves {
		if _, err := ss.Record(ctx, m.a, m.in); err != nil {
			return fmt.Errorf("demo movement %s: %v", m.in.Kind, err)
		}
	}
	for loc, ths := range map[string]map[string]int{van1: {"COAT": 8, "QUILT": 8, "WATER": 24}, van2: {"COAT": 8, "GLOVES": 10}, store: {"BREAD": 120}} {
		for code, n := range ths {
			if err := ss.SetThreshold(ctx, staff, loc, items[code].ID, n); err != nil {
				return err
			}
		}
	}
	if _, err := ss.CountStock(ctx, staff, store, items["MASK"].ID, 496, "月底盘点，4 个破损"); err != nil {
		return err
	}
	// An encounter synced from a patrol phone: the coat is booked from the
	// van; the heat pads are not in the catalogue and wait for staff.
	return ss.FromEncounter(ctx, patrol, supplies.EncounterHandout{EncounterID: id.New(), TeamID: teamID["救助站巡查2队"],
		At: ss.Now().Add(-40 * time.Minute), Lines: []supplies.EncounterLine{{Item: "棉大衣", Qty: 1, Unit: "件"}, {Item: "暖宝宝", Qty: 4, Unit: "片"}}})
}
