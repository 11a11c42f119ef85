package points_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

// A liaison account acts at its own point's desk and nowhere else: its
// log, its leads, its stock. Station staff act at every point.
func TestLiaisonSeesOnlyTheirPoint(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 22, 0, 0, 0, points.CST)
		clock := func() time.Time { return now }
		keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now)
		if err != nil {
			t.Fatal(err)
		}
		photos, err := files.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		in := &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: clock, Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule}
		camps := &campaigns.Service{Store: db, Now: clock}
		svc := &points.Service{Store: db, Now: clock, Activated: camps.ActivatedKinds, Signals: in}
		ss := &supplies.Service{Store: db, Audit: db, Now: clock, Campaigns: camps.RunningIDs}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		add := func(in points.Input) *points.Point {
			t.Helper()
			p, err := svc.Create(ctx, staff, in)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		a := add(points.Input{Name: "福彩救助点（人民路）", Kind: points.KindLottery, Address: "人民路 18 号", Lat: 35.305, Lng: 113.927, Hours: "24h", Active: true})
		b := add(points.Input{Name: "福彩救助点（平原路）", Kind: points.KindLottery, Address: "平原路 2 号", Lat: 35.30, Lng: 113.91, Hours: "24h", Active: true})
		shelter := add(points.Input{Name: "火车站避寒点", Kind: points.KindWarming, Address: "新乡火车站东侧", Lat: 35.297, Lng: 113.918,
			Hours: "daily 18:00-08:00+1", ByCampaign: true})
		liaison := auth.Actor{UserID: "l", Name: "孙丽", Role: auth.RoleLiaison, PointID: a.ID}

		// The desk, the log and a lead at its own point.
		if _, err := svc.Desk(ctx, liaison, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Log(ctx, liaison, a.ID, points.LogInput{Kind: points.LogGuided, People: 2, Note: "两位老人，已由站车接走"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Log(ctx, liaison, a.ID, points.LogInput{Kind: points.LogGuided, People: 0}); errs.FieldsOf(err)["people"] != "err.people" {
			t.Fatalf("guided nobody: %v", err)
		}
		res, err := svc.PassLead(ctx, liaison, a.ID, points.LeadInput{ServiceCode: "weather_exposure", Description: "店门口有人躺在地上，衣服单薄", People: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Signal.Channel != intake.ChannelPoint || res.Signal.Lat != a.Lat || res.Signal.Reporter != a.Name {
			t.Fatalf("lead signal: %+v", res.Signal)
		}
		d, err := svc.Desk(ctx, liaison, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Log) != 2 || d.Log[0].Kind != points.LogLead || d.Log[0].SignalRef != res.Signal.Ref || d.Log[1].People != 2 {
			t.Fatalf("log: %+v", d.Log)
		}

		// Another point: refused, nothing written.
		if _, err := svc.Desk(ctx, liaison, b.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("another point's desk: %v", err)
		}
		if _, err := svc.Log(ctx, liaison, b.ID, points.LogInput{Kind: points.LogGuided, People: 1}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("another point's log: %v", err)
		}
		if _, err := svc.PassLead(ctx, liaison, b.ID, points.LeadInput{ServiceCode: "weather_exposure", Description: "x"}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a lead from another point: %v", err)
		}
		if _, err := svc.Point(ctx, liaison, b.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("the registry: %v", err)
		}
		if _, err := svc.All(ctx, liaison); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("the registry: %v", err)
		}
		if log, _ := db.PointLog(ctx, b.ID, 10); len(log) != 0 {
			t.Fatalf("point B's log: %+v", log)
		}
		unbound := auth.Actor{UserID: "u", Name: "x", Role: auth.RoleLiaison}
		if _, err := svc.Desk(ctx, unbound, a.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a liaison bound to no point: %v", err)
		}
		if _, err := svc.Desk(ctx, staff, b.ID); err != nil {
			t.Fatalf("staff at any desk: %v", err)
		}

		// Stock: the liaison hands out from its own point and sees only it.
		water, _ := ss.AddItem(ctx, staff, supplies.Item{Code: "WATER", Name: "矿泉水", Unit: "瓶"})
		la, _ := ss.AddLocation(ctx, staff, supplies.Location{Kind: supplies.LocPoint, Name: "人民路点", PointID: a.ID})
		lb, _ := ss.AddLocation(ctx, staff, supplies.Location{Kind: supplies.LocPoint, Name: "平原路点", PointID: b.ID})
		for _, l := range []*supplies.Location{la, lb} {
			if _, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: water.ID, LocationID: l.ID, Qty: 10}); err != nil {
				t.Fatal(err)
			}
		}
		give := func(l *supplies.Location) error {
			_, err := ss.Record(ctx, liaison, supplies.MoveInput{Kind: supplies.Handout, ItemID: water.ID, LocationID: l.ID, Qty: 1, PersonKey: "point:老人"})
			return err
		}
		if err := give(la); err != nil {
			t.Fatal(err)
		}
		if err := give(lb); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a handout from another point's stock: %v", err)
		}
		if _, err := ss.Record(ctx, liaison, supplies.MoveInput{Kind: supplies.Receipt, ItemID: water.ID, LocationID: la.ID, Qty: 1}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a liaison recorded a receipt: %v", err)
		}
		stock, _, err := ss.Overview(ctx, liaison)
		if err != nil {
			t.Fatal(err)
		}
		if len(stock) != 1 || stock[0].Location.ID != la.ID || stock[0].Levels[0].Qty != 9 {
			t.Fatalf("the liaison's stock page: %+v", stock)
		}

		// A winter campaign switches the warming shelter on; ending it switches it off.
		found := func() bool {
			fs, err := svc.Find(ctx, points.Query{OpenOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range fs {
				if f.ID == shelter.ID {
					return true
				}
			}
			return false
		}
		if found() {
			t.Fatal("the shelter is open before any campaign")
		}
		if _, err := camps.Start(ctx, liaison, campaigns.Input{Kind: campaigns.Winter, Name: "寒冬送温暖", EndsOn: "2027-03-15"}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a liaison started a campaign: %v", err)
		}
		c, err := camps.Start(ctx, staff, campaigns.Input{Kind: campaigns.Winter, Name: "寒冬送温暖", EndsOn: "2027-03-15"})
		if err != nil {
			t.Fatal(err)
		}
		if !found() {
			t.Fatal("the winter campaign runs but the shelter is not open at 22:00")
		}
		if err := camps.End(ctx, staff, c.ID); err != nil {
			t.Fatal(err)
		}
		now = now.Add(time.Minute)
		if found() {
			t.Fatal("the campaign ended but the shelter is still open")
		}
	})
}
