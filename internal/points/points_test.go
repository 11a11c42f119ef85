package points_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func TestFindNearestOpen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 23, 30, 0, 0, points.CST) // a winter night
		svc := &points.Service{Store: db, Now: func() time.Time { return now }}
		staff := auth.Actor{UserID: "u", Name: "赵敏", Role: auth.RoleStaff}
		add := func(in points.Input) *points.Point {
			t.Helper()
			p, err := svc.Create(ctx, staff, in)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		station := add(points.Input{Name: "新乡市救助管理站", Kind: points.KindStation, Address: "新乡市牧野区", Lat: 35.33, Lng: 113.90, Hours: "24h",
			Capacity: 120, Services: []string{"food", "rest", "call"}, Active: true})
		add(points.Input{Name: "福彩救助点（人民路）", Kind: points.KindLottery, Address: "人民路 18 号", Lat: 35.305, Lng: 113.927,
			Hours: "daily 08:00-21:00", Services: []string{"water", "call"}, Active: true})
		shelter := add(points.Input{Name: "火车站避寒点", Kind: points.KindWarming, Address: "新乡火车站东侧", Lat: 35.297, Lng: 113.918,
			Hours: "daily 18:00-08:00+1", Capacity: 30, SeasonFrom: "11-15", SeasonTo: "03-15", Services: []string{"rest", "clothing"}, Active: true})
		add(points.Input{Name: "人民公园避暑点", Kind: points.KindCooling, Address: "人民公园", Lat: 35.30, Lng: 113.92,
			Hours: "daily 10:00-18:00", SeasonFrom: "06-01", SeasonTo: "09-15", Active: true})
		add(points.Input{Name: "停用点", Kind: points.KindCommunity, Address: "某社区", Lat: 35.30, Lng: 113.92, Hours: "24h", Active: false})

		got, err := svc.Find(ctx, points.Query{From: &intake.Point{Lat: 35.296, Lng: 113.917}, OpenOnly: true}) // at the railway station
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != shelter.ID || got[1].ID != station.ID || got[0].DistanceM > 200 {
			t.Fatalf("open at 23:30 in December, nearest first: %+v", got)
		}
		all, _ := svc.Find(ctx, points.Query{})
		if len(all) != 4 || !all[0].OpenNow {
			t.Fatalf("every switched-on point, open first: %+v", all)
		}
		now = time.Date(2026, 7, 1, 12, 0, 0, 0, points.CST) // summer noon
		got, _ = svc.Find(ctx, points.Query{OpenOnly: true, Text: "避"})
		if len(got) != 1 || got[0].Kind != points.KindCooling {
			t.Fatalf("summer noon, text 避: %+v", got)
		}

		// Bad input: nothing stored, every field named.
		_, err = svc.Create(ctx, staff, points.Input{Kind: "bar", Lat: 31, Lng: 121, Hours: "daily 20:00-08:00", Capacity: -1,
			SeasonFrom: "13-01", SeasonTo: "01-01", LiaisonPhone: "12", Services: []string{"wifi"}})
		f := errs.FieldsOf(err)
		for field, key := range map[string]string{"name": "err.required", "address": "err.required", "kind": "err.invalid_choice", "lat": "err.outside_city",
			"hours": "err.hours_backwards", "capacity": "err.capacity", "season_from": "err.season", "liaison_phone": "err.phone", "services": "err.invalid_choice"} {
			if f[field] != key {
				t.Errorf("field %s: %q, want %q", field, f[field], key)
			}
		}
		if _, err := svc.Create(ctx, auth.Actor{Name: "p", Role: auth.RolePatrol}, points.Input{}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a patrol member created a point: %v", err)
		}
		// Switching a seasonal point off takes it off the map; a stale form is refused.
		p, _ := svc.Point(ctx, staff, shelter.ID)
		in := points.Input{Name: p.Name, Kind: p.Kind, Address: p.Address, Lat: p.Lat, Lng: p.Lng, Hours: p.HoursText, Capacity: p.Capacity,
			Services: p.Services, SeasonFrom: p.Season.From, SeasonTo: p.Season.To, Active: false}
		if _, err := svc.Update(ctx, staff, p.ID, in, p.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Update(ctx, staff, p.ID, in, p.Version); !errs.Is(errs.Conflict, err) {
			t.Errorf("stale update: %v", err)
		}
		now = time.Date(2026, 12, 1, 23, 30, 0, 0, points.CST)
		got, _ = svc.Find(ctx, points.Query{OpenOnly: true})
		for _, g := range got {
			if g.ID == shelter.ID {
				t.Error("a switched-off shelter is still found")
			}
		}
	})
}
