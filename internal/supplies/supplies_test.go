package supplies_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

type fixture struct {
	svc           *supplies.Service
	db            *store.DB
	now           time.Time
	staff, patrol auth.Actor
	coat, water   *supplies.Item
	store, van    *supplies.Location
}

func setup(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: time.Date(2026, 12, 1, 14, 0, 0, 0, supplies.CST)}
	f.svc = &supplies.Service{Store: db, Audit: db, Now: func() time.Time { return f.now }}
	f.staff = auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
	f.patrol = auth.Actor{UserID: "p", Name: "王强", Role: auth.RolePatrol}
	var err error
	if f.coat, err = f.svc.AddItem(ctx, f.staff, supplies.Item{Code: "COAT", Name: "棉大衣", Unit: "件", RationQty: 1}); err != nil {
		t.Fatal(err)
	}
	if f.water, err = f.svc.AddItem(ctx, f.staff, supplies.Item{Code: "WATER", Name: "矿泉水", Unit: "瓶"}); err != nil {
		t.Fatal(err)
	}
	if f.store, err = f.svc.AddLocation(ctx, f.staff, supplies.Location{Kind: supplies.LocStore, Name: "站内仓库"}); err != nil {
		t.Fatal(err)
	}
	if f.van, err = f.svc.AddLocation(ctx, f.staff, supplies.Location{Kind: supplies.LocVehicle, Name: "巡查一车"}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) level(t testing.TB, loc *supplies.Location, it *supplies.Item) int {
	t.Helper()
	ls, err := f.db.Levels(context.Background(), loc.ID)
	if err != nil {
		t.Fatal(err)
	}
	have := 0
	for _, l := range ls {
		if l.ItemID == it.ID {
			have = l.Qty
		}
	}
	sum, err := f.db.MovementSum(context.Background(), loc.ID, it.ID)
	if err != nil {
		t.Fatal(err)
	}
	if have != sum {
		t.Fatalf("stock of %s at %s is %d but its movements sum to %d", it.Code, loc.Name, have, sum)
	}
	return have
}

func TestStockIsTheSumOfMovements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		rec := func(a auth.Actor, in supplies.MoveInput) error {
			_, err := f.svc.Record(ctx, a, in)
			return err
		}
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(rec(f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 40}))
		must(rec(f.staff, supplies.MoveInput{Kind: supplies.Donation, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 10, Donor: "新乡慈善总会"}))
		must(rec(f.staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: f.coat.ID, LocationID: f.store.ID, ToID: f.van.ID, Qty: 12}))
		must(rec(f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 1, PersonKey: "encounter:1"}))
		must(rec(f.staff, supplies.MoveInput{Kind: supplies.WriteOff, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 2, Reason: "受潮霉变"}))
		if _, err := f.svc.CountStock(ctx, f.staff, f.store.ID, f.coat.ID, 35, "月底盘点"); err != nil {
			t.Fatal(err)
		}
		if got := f.level(t, f.store, f.coat); got != 35 {
			t.Errorf("store coats = %d, want 35 (40+10-12-2, counted 35)", got)
		}
		if got := f.level(t, f.van, f.coat); got != 11 {
			t.Errorf("van coats = %d, want 11", got)
		}
		// An atomic transfer: more than there is moves nothing anywhere.
		err := rec(f.staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: f.coat.ID, LocationID: f.van.ID, ToID: f.store.ID, Qty: 12})
		if errs.MessageOf(err) != "err.stock_short" {
			t.Fatalf("transfer above stock: %v", err)
		}
		if f.level(t, f.van, f.coat) != 11 || f.level(t, f.store, f.coat) != 35 {
			t.Fatal("a refused transfer moved stock")
		}
		// Bad input, named field by field; nothing stored.
		for _, tc := range []struct {
			in    supplies.MoveInput
			field string
			key   string
		}{
			{supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 0}, "qty", "err.qty"},
			{supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: -3}, "qty", "err.qty"},
			{supplies.MoveInput{Kind: supplies.TransferOut, ItemID: f.coat.ID, LocationID: f.store.ID, ToID: f.store.ID, Qty: 1}, "to_id", "err.transfer_same"},
			{supplies.MoveInput{Kind: supplies.WriteOff, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 1}, "reason", "err.required"},
			{supplies.MoveInput{Kind: supplies.Donation, ItemID: f.coat.ID, LocationID: f.store.ID, Qty: 1}, "donor", "err.required"},
			{supplies.MoveInput{Kind: supplies.Handout, ItemID: f.water.ID, LocationID: f.van.ID, Qty: 1}, "person_key", "err.required"},
		} {
			if got := errs.FieldsOf(rec(f.staff, tc.in))[tc.field]; got != tc.key {
				t.Errorf("%+v: %s = %q, want %q", tc.in, tc.field, got, tc.key)
			}
		}
		if got := f.level(t, f.store, f.coat); got != 35 {
			t.Errorf("refused movements changed stock: %d", got)
		}
		if err := rec(f.patrol, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 5}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a patrol member recorded a receipt: %v", err)
		}
	})
}

// race runs try n times at once and counts what went through and what
// was refused as expected; any other error fails the test.
func race(t *testing.T, n int, try func(i int) error, refused func(error) bool) (ok, no int) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Go(func() {
			err := try(i)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case refused(err):
				no++
			default:
				t.Errorf("attempt %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	return ok, no
}

func TestConcurrentHandoutsOfTheLastItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.water.ID, LocationID: f.van.ID, Qty: 5}); err != nil {
			t.Fatal(err)
		}
		ok, short := race(t, 20, func(i int) error {
			_, err := f.svc.Record(ctx, f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: f.water.ID, LocationID: f.van.ID, Qty: 1,
				PersonKey: "encounter:" + string(rune('a'+i))})
			return err
		}, func(err error) bool { return errs.MessageOf(err) == "err.stock_short" })
		if ok != 5 || short != 15 {
			t.Fatalf("%d handouts went through and %d were short, want 5 and 15", ok, short)
		}
		if got := f.level(t, f.van, f.water); got != 0 {
			t.Fatalf("water left: %d", got)
		}
	})
}

func TestRationEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 10}); err != nil {
			t.Fatal(err)
		}
		give := func(qty int, override bool, reason string) error {
			_, err := f.svc.Record(ctx, f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: qty,
				PersonKey: "person:老李", Override: override, Reason: reason})
			return err
		}
		if err := give(2, false, ""); errs.FieldsOf(err)["qty"] != "err.ration" {
			t.Fatalf("two coats at once, ration 1: %v", err)
		}
		if err := give(1, false, ""); err != nil {
			t.Fatalf("the first coat of the day: %v", err)
		}
		if err := give(1, false, ""); errs.FieldsOf(err)["qty"] != "err.ration" {
			t.Fatalf("a second coat the same day: %v", err)
		}
		if err := give(1, true, ""); errs.FieldsOf(err)["reason"] != "err.ration_reason" {
			t.Fatalf("an override without a reason: %v", err)
		}
		if err := give(1, true, "大衣被雨水浸透，更换"); err != nil {
			t.Fatalf("an override with a reason: %v", err)
		}
		f.now = time.Date(2026, 12, 1, 23, 59, 0, 0, supplies.CST)
		if err := give(1, false, ""); errs.FieldsOf(err)["qty"] != "err.ration" {
			t.Fatalf("23:59 is still the same day: %v", err)
		}
		f.now = time.Date(2026, 12, 2, 0, 0, 0, 0, supplies.CST)
		if err := give(1, false, ""); err != nil {
			t.Fatalf("the next day: %v", err)
		}
		if got := f.level(t, f.van, f.coat); got != 7 {
			t.Fatalf("coats left %d, want 7", got)
		}
	})
}
