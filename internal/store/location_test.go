package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// A report with only a typed address is placed approximately by the
// gazetteer, or stored unlocated — never at a place 0,0 — until a
// dispatcher places its pin; only exact places take other signals by
// distance. Upgrading turns the 0,0 of older rows into "unlocated".
func TestIncidentLocation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := t0
		keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now)
		if err != nil {
			t.Fatal(err)
		}
		photos, err := files.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		svc := &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: func() time.Time { return now },
			Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule, Geocoder: &geo.Live{Base: geo.Xinxiang(), Places: db.GazetteerPlaces}}
		public := auth.Actor{IP: "local"}
		dispatcher := auth.Actor{UserID: "u-disp", Name: "张丽", Role: auth.RoleDispatcher}
		submit := func(address string, lat, lng *float64) *intake.Incident {
			t.Helper()
			res, err := svc.Submit(ctx, public, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "rough_sleeping", Address: address, Lat: lat, Lng: lng})
			if err != nil {
				t.Fatal(err)
			}
			inc, err := db.IncidentByID(ctx, res.Incident.ID)
			if err != nil {
				t.Fatal(err)
			}
			return inc
		}

		park := submit("人民公园东门附近有人躺着", nil, nil)
		if park.Precision != intake.PrecisionPlace || park.Place != "人民公园" || !park.Located() || park.Pinned() {
			t.Fatalf("geocoded incident stored as %s %q at %v,%v", park.Precision, park.Place, park.Lat, park.Lng)
		}
		lost := submit("城东一个小区门口", nil, nil)
		if lost.Precision != intake.PrecisionNone || lost.Located() || lost.Lat != 0 || lost.Lng != 0 {
			t.Fatalf("unknown address stored as %s at %v,%v", lost.Precision, lost.Lat, lost.Lng)
		}
		b, err := db.BoardIncident(ctx, lost.ID)
		if err != nil || b.Precision != "none" || b.Located() {
			t.Fatalf("board sees %+v, %v", b, err)
		}

		// A phone's report 30 m from the geocoded point is not merged into
		// it: "人民公园" is too vague a place to say it is the same person.
		lat, lng := park.Lat+0.0002, park.Lng+0.0002
		if near := submit("公园门口", &lat, &lng); near.ID == park.ID || near.Precision != intake.PrecisionExact {
			t.Fatalf("a located report merged into a geocoded incident (%s)", near.Precision)
		}

		// The dispatcher places the unlocated one; it is pinned from then on.
		if _, err := svc.Place(ctx, dispatcher, lost.ID, intake.Placement{Lat: 35.2850, Lng: 113.9400, Version: lost.Version + 1}); !errs.Is(errs.Conflict, err) {
			t.Fatalf("place with a stale version: %v", err)
		}
		if _, err := svc.Place(ctx, dispatcher, lost.ID, intake.Placement{Lat: 0, Lng: 0, Version: lost.Version}); !errs.Is(errs.Invalid, err) {
			t.Fatalf("place at 0,0: %v", err)
		}
		if _, err := svc.Place(ctx, auth.Actor{Role: auth.RolePatrol}, lost.ID, intake.Placement{Lat: 35.2850, Lng: 113.9400, Version: lost.Version}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a patrol member placed a pin: %v", err)
		}
		placed, err := svc.Place(ctx, dispatcher, lost.ID, intake.Placement{Lat: 35.2850, Lng: 113.9400, Name: "向阳小区", Version: lost.Version})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.IncidentByID(ctx, lost.ID)
		if err != nil || got.Precision != intake.PrecisionPlaced || !got.Pinned() || got.Lat != 35.2850 || got.Place != "向阳小区" || got.Version != placed.Version {
			t.Fatalf("after placing: %+v, %v", got, err)
		}
		notes, err := db.NotesOf(ctx, lost.ID)
		if err != nil || len(notes) != 1 || notes[0].Kind != "location" || notes[0].AuthorName != "张丽" {
			t.Fatalf("history after placing: %+v, %v", notes, err)
		}
		lat, lng = 35.2851, 113.9401
		if again := submit("向阳小区门口", &lat, &lng); again.ID != lost.ID {
			t.Fatal("a report next to a placed incident did not join it")
		}

		// An installation upgrading from before: its 0,0 rows become
		// unlocated, located ones exact.
		old := submit("某地", nil, nil)
		if err := store.RedoMigrationForTest(ctx, db, 17); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id   string
			want intake.Precision
		}{{old.ID, intake.PrecisionNone}, {lost.ID, intake.PrecisionExact}, {park.ID, intake.PrecisionExact}} {
			if inc, err := db.IncidentByID(ctx, c.id); err != nil || inc.Precision != c.want {
				t.Fatalf("after the upgrade: %+v, %v; want %s", inc, err, c.want)
			}
		}
	})
}
