package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The heat grid counts a period's located signals per square, by kind.
func TestHeatGridCountsThePeriodsLocatedSignals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 1, 10, 4, 0, 0, 0, time.UTC) // 12:00 in 新乡
		keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now)
		if err != nil {
			t.Fatal(err)
		}
		photos, err := files.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		clock := now
		svc := &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: func() time.Time { return clock },
			Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule, Geocoder: &geo.Live{Base: geo.Xinxiang(), Places: db.GazetteerPlaces}}
		submit := func(at time.Time, code string, lat, lng float64, address string) {
			t.Helper()
			clock = at
			in := intake.Input{Channel: intake.ChannelPublic, ServiceCode: code, Address: address}
			if lat != 0 {
				in.Lat, in.Lng = &lat, &lng
			}
			if _, err := svc.Submit(ctx, auth.Actor{IP: "local"}, in); err != nil {
				t.Fatal(err)
			}
		}
		submit(now, "begging", 35.3031, 113.8852, "")
		submit(now.Add(2*time.Hour), "begging", 35.30312, 113.88518, "") // the same square
		submit(now.Add(3*time.Hour), "rough_sleeping", 35.2851, 113.9150, "")
		submit(now.Add(4*time.Hour), "begging", 0, 0, "城东浏览器测试小区门口")   // unlocated
		submit(now.AddDate(0, 0, 2), "begging", 35.2851, 113.9150, "") // after the period
		day := now.In(stats.CST).Format(time.DateOnly)
		q := stats.HeatQuery{Scope: stats.Scope{Period: stats.Period{From: day, To: day}}, Layer: stats.LayerSignals}
		got, err := db.HeatGrid(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		want := map[[2]int]int64{{35303, 113885}: 2, {35285, 113915}: 1}
		if len(got) != len(want) {
			t.Fatalf("grid %+v, want %v", got, want)
		}
		for _, c := range got {
			if want[[2]int{c.Lat, c.Lng}] != c.N {
				t.Errorf("square %+v, want %v", c, want)
			}
		}
		q.ServiceCode = "rough_sleeping"
		if got, err := db.HeatGrid(ctx, q); err != nil || len(got) != 1 || got[0].N != 1 || got[0].Lat != 35285 {
			t.Fatalf("one kind: %+v %v", got, err)
		}
		q.ServiceCode, q.DepartmentID = "", "no-such-department"
		if got, err := db.HeatGrid(ctx, q); err != nil || len(got) != 0 {
			t.Fatalf("another department: %+v %v", got, err)
		}
		q.DepartmentID, q.Layer = "", stats.LayerEncounters
		if got, err := db.HeatGrid(ctx, q); err != nil || len(got) != 0 {
			t.Fatalf("no encounters: %+v %v", got, err)
		}
	})
}
