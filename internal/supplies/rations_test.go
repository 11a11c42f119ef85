package supplies_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

// Two handouts to the same person at the same instant cannot both pass
// the ration: the ledger row is raised under its limit in the handout's
// own transaction.
func TestConcurrentHandoutsToOnePersonKeepTheRation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 10}); err != nil {
			t.Fatal(err)
		}
		ok, refused := race(t, 8, func(int) error {
			_, err := f.svc.Record(ctx, f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 1,
				PersonKey: "person:老李"})
			return err
		}, func(err error) bool { return errs.FieldsOf(err)["qty"] == "err.ration" })
		if ok != 1 || refused != 7 {
			t.Fatalf("%d coats went to one person on one day and %d were refused; the ration is 1", ok, refused)
		}
		if got := f.level(t, f.van, f.coat); got != 9 {
			t.Fatalf("coats left %d, want 9: a refused handout took stock", got)
		}
		if n, _ := db.Rationed(ctx, "person:老李", f.coat.ID, supplies.DayPeriod(f.now)); n != 1 {
			t.Fatalf("ledger says %d", n)
		}
	})
}

// A per-campaign ration (one quilt a winter) counts from the campaign's
// start across days and stops counting when it ends.
func TestCampaignRation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		camps := &campaigns.Service{Store: db, Now: func() time.Time { return f.now }}
		f.svc.Campaigns = camps.RunningIDs
		quilt, err := f.svc.AddItem(ctx, f.staff, supplies.Item{Code: "QUILT", Name: "棉被", Unit: "床", CampaignQty: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: quilt.ID, LocationID: f.van.ID, Qty: 20}); err != nil {
			t.Fatal(err)
		}
		give := func(person string) error {
			_, err := f.svc.Record(ctx, f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: quilt.ID, LocationID: f.van.ID, Qty: 1, PersonKey: person})
			return err
		}
		// No campaign: quilts are not rationed at all.
		if give("person:甲") != nil || give("person:甲") != nil {
			t.Fatal("no campaign runs, the quilt has no daily ration")
		}
		winter, err := camps.Start(ctx, f.staff, campaigns.Input{Kind: campaigns.Winter, Name: "2026—2027 寒冬送温暖", EndsOn: "2027-03-15"})
		if err != nil {
			t.Fatal(err)
		}
		if err := give("person:甲"); err != nil {
			t.Fatalf("the first quilt of the campaign (earlier ones were before it): %v", err)
		}
		f.now = f.now.Add(20 * 24 * time.Hour)
		if err := give("person:甲"); errs.FieldsOf(err)["qty"] != "err.ration" {
			t.Fatalf("a second quilt three weeks later in the same campaign: %v", err)
		}
		if err := give("person:乙"); err != nil {
			t.Fatalf("someone else's first quilt: %v", err)
		}
		if err := camps.End(ctx, f.staff, winter.ID); err != nil {
			t.Fatal(err)
		}
		if err := camps.End(ctx, f.staff, winter.ID); !errs.Is(errs.Conflict, err) {
			t.Fatalf("ending twice: %v", err)
		}
		f.now = f.now.Add(time.Minute)
		if err := give("person:甲"); err != nil {
			t.Fatalf("after the campaign ended: %v", err)
		}
		if got := f.level(t, f.van, quilt); got != 15 {
			t.Fatalf("quilts left %d, want 15", got)
		}
		if _, err := camps.Start(ctx, f.patrol, campaigns.Input{Kind: campaigns.Winter, Name: "x", EndsOn: "2027-03-01"}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a patrol member started a campaign: %v", err)
		}
		_, err = camps.Start(ctx, f.staff, campaigns.Input{Kind: "spring", Name: "", StartsOn: "2027-01-10", EndsOn: "2027-01-01"})
		if fs := errs.FieldsOf(err); fs["kind"] != "err.invalid_choice" || fs["name"] != "err.required" || fs["ends_on"] != "err.campaign_dates" {
			t.Fatalf("bad campaign: %v", fs)
		}
	})
}

// What an encounter says was handed out is booked from the team's
// vehicle; what cannot be booked waits for staff, once, however often the
// patrol app resends.
func TestEncounterHandoutsAreBookedOrKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		team := id.New()
		if err := db.CreateTeam(ctx, &dispatch.Team{ID: team, Name: "巡查二队", Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Version: 1,
			UpdatedAt: f.now}, audit.Entry{ActorName: "test", Action: "team.create"}); err != nil {
			t.Fatal(err)
		}
		van, err := f.svc.AddLocation(ctx, f.staff, supplies.Location{Kind: supplies.LocVehicle, Name: "巡查二车", TeamID: team})
		if err != nil {
			t.Fatal(err)
		}
		noodles, _ := f.svc.AddItem(ctx, f.staff, supplies.Item{Code: "NOODLE", Name: "方便面", Unit: "桶"})
		for it, n := range map[*supplies.Item]int{f.coat: 1, f.water: 10, noodles: 2} {
			if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: it.ID, LocationID: van.ID, Qty: n}); err != nil {
				t.Fatal(err)
			}
		}
		h := supplies.EncounterHandout{EncounterID: "enc-1", TeamID: team, At: f.now, Lines: []supplies.EncounterLine{
			{Item: "棉大衣", Qty: 1, Unit: "件"}, {Item: "WATER", Qty: 2}, {Item: "矿泉水", Qty: 1}, // code and name: one item, 3 bottles
			{Item: "热水袋", Qty: 1}, {Item: "方便面", Qty: 5}, {Item: "面包", Qty: 0.5}}}
		for range 3 { // the first delivery and two replays
			if err := f.svc.FromEncounter(ctx, f.patrol, h); err != nil {
				t.Fatal(err)
			}
		}
		if f.level(t, van, f.coat) != 0 || f.level(t, van, f.water) != 7 || f.level(t, van, noodles) != 2 {
			t.Fatal("the coat and three bottles are booked once; the noodles are short and untouched")
		}
		open, err := f.svc.Unbooked(ctx, f.staff, true)
		if err != nil {
			t.Fatal(err)
		}
		problems := map[string]string{}
		for _, u := range open {
			problems[u.Item] = u.Problem
		}
		if len(open) != 3 || problems["热水袋"] != supplies.ProblemUnknownItem || problems["方便面"] != supplies.ProblemStockShort ||
			problems["面包"] != supplies.ProblemUnknownItem {
			t.Fatalf("unbooked lines: %v", problems)
		}
		// The patrol edits the encounter: one more coat than before, which the van no longer has.
		h.Lines[0].Qty = 2
		if err := f.svc.FromEncounter(ctx, f.patrol, h); err != nil {
			t.Fatal(err)
		}
		if open, _ = f.svc.Unbooked(ctx, f.staff, true); len(open) != 4 {
			t.Fatalf("after the edit %d lines wait, want 4", len(open))
		}
		if _, err := f.svc.Unbooked(ctx, f.patrol, true); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a patrol member settles stock: %v", err)
		}
		// Staff settle: the noodles after a count found them, the hot-water bottle closed with a reason.
		if _, err := f.svc.CountStock(ctx, f.staff, van.ID, noodles.ID, 5, "车上实有5桶"); err != nil {
			t.Fatal(err)
		}
		for _, u := range open {
			switch u.Item {
			case "方便面":
				if err := f.svc.Settle(ctx, f.staff, u.ID, noodles.ID, van.ID, 5, ""); err != nil {
					t.Fatal(err)
				}
				if err := f.svc.Settle(ctx, f.staff, u.ID, noodles.ID, van.ID, 5, ""); !errs.Is(errs.Conflict, err) {
					t.Fatalf("settled twice: %v", err)
				}
			case "热水袋":
				if err := f.svc.Settle(ctx, f.staff, u.ID, "", "", 0, ""); errs.FieldsOf(err)["reason"] != "err.required" {
					t.Fatalf("closing without a reason: %v", err)
				}
				if err := f.svc.Settle(ctx, f.staff, u.ID, "", "", 0, "队员自带，不入库"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if f.level(t, van, noodles) != 0 {
			t.Fatal("the settled noodles left the van's stock")
		}
		if err := f.svc.FromEncounter(ctx, f.patrol, h); err != nil {
			t.Fatal(err)
		}
		if open, _ = f.svc.Unbooked(ctx, f.staff, true); len(open) != 2 {
			t.Fatalf("a replay after settling brought lines back: %d open, want 2 (bread, the second coat)", len(open))
		}
		// The patrol corrects the encounter: no coat after all, one bottle
		// of water instead of three. The coat and two bottles go back into
		// the van, once; the noodles staff settled stay handed out.
		h.Lines = []supplies.EncounterLine{{Item: "矿泉水", Qty: 1}, {Item: "方便面", Qty: 5}}
		for range 2 {
			if err := f.svc.FromEncounter(ctx, f.patrol, h); err != nil {
				t.Fatal(err)
			}
		}
		if f.level(t, van, f.coat) != 1 || f.level(t, van, f.water) != 9 || f.level(t, van, noodles) != 0 {
			t.Fatalf("after the correction: coats %d, water %d, noodles %d; want 1, 9, 0",
				f.level(t, van, f.coat), f.level(t, van, f.water), f.level(t, van, noodles))
		}
	})
}

// FuzzEncounterLines feeds whatever a patrol phone might send as handout
// lines: booking never fails on them, never takes stock below zero, and
// every quantity is either booked or kept, never lost.
func FuzzEncounterLines(f *testing.F) {
	f.Add("棉大衣", 1.0, "WATER", 2.5, "热水袋", -3.0)
	f.Add("", 0.0, "coat", 1e9, "矿泉水", 3.0)
	f.Add("\xff\xfe", 1000.0, "WATER", 7.0, "WATER", 8.0)
	db := storetest.OpenSQLite(f)
	fx := setup(f, db)
	ctx := context.Background()
	team := id.New()
	if err := db.CreateTeam(ctx, &dispatch.Team{ID: team, Name: "巡查队", Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Version: 1,
		UpdatedAt: fx.now}, audit.Entry{ActorName: "test", Action: "team.create"}); err != nil {
		f.Fatal(err)
	}
	van, err := fx.svc.AddLocation(ctx, fx.staff, supplies.Location{Kind: supplies.LocVehicle, Name: "巡查车", TeamID: team})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := fx.svc.Record(ctx, fx.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: fx.water.ID, LocationID: van.ID, Qty: 5}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, i1 string, q1 float64, i2 string, q2 float64, i3 string, q3 float64) {
		enc := id.New()
		h := supplies.EncounterHandout{EncounterID: enc, TeamID: team, At: fx.now,
			Lines: []supplies.EncounterLine{{Item: i1, Qty: q1}, {Item: i2, Qty: q2}, {Item: i3, Qty: q3}}}
		if err := fx.svc.FromEncounter(ctx, fx.patrol, h); err != nil {
			t.Fatalf("booking %+v: %v", h.Lines, err)
		}
		fx.level(t, van, fx.water) // stock is the sum of its movements
		ls, _ := db.Levels(ctx, van.ID)
		for _, l := range ls {
			if l.Qty < 0 {
				t.Fatalf("negative stock %+v", l)
			}
		}
		byItem, _ := db.Booked(ctx, supplies.EncounterKey(enc))
		booked := byItem[fx.water.ID]
		kept, _ := db.UnbookedFor(ctx, enc)
		var want, got float64 = 0, float64(booked)
		for _, ln := range h.Lines {
			name := strings.TrimSpace(strings.ToValidUTF8(ln.Item, ""))
			if (strings.EqualFold(name, "WATER") || name == "矿泉水") && ln.Qty > 0 && ln.Qty <= 10000 {
				want += ln.Qty
			}
		}
		for _, u := range kept {
			if u.Item == "矿泉水" {
				got += u.Qty
			}
		}
		if math.Abs(want-got) > 1e-6 {
			t.Fatalf("water written %v, booked %d and kept %v", want, booked, got-float64(booked))
		}
	})
}
