package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

type fixture struct {
	svc        *intake.Service
	db         *store.DB
	now        time.Time
	partner    auth.Actor
	dispatcher auth.Actor
}

func setup(t testing.TB, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, now: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)}
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: func() time.Time { return f.now },
		Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule}
	f.svc.Known = []intake.KnownMatcher{intake.RecentIncidents{Store: db, Now: func() time.Time { return f.now }}}
	f.partner = auth.Actor{UserID: "key-12345", Name: "apikey:12345", Role: auth.RolePartner, Scopes: []string{"intake.write"}}
	f.dispatcher = auth.Actor{UserID: "u-disp", Name: "dispatcher", Role: auth.RoleDispatcher}
	return f
}

func ptr(v float64) *float64 { return &v }

func (f *fixture) in(ch intake.Channel, ext, kind string, lat, lng float64) intake.Input {
	return intake.Input{Channel: ch, ExternalID: ext, ServiceCode: kind, Description: "桥洞下有人露宿", Lat: ptr(lat), Lng: ptr(lng), Phone: "13800000000"}
}

func TestSubmitIdempotentUnderConcurrentRetries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		const retries = 16
		var wg sync.WaitGroup
		refs := make([]string, retries)
		errsSeen := make([]error, retries)
		for i := range retries {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, "GD20261128-0001", "rough_sleeping", 35.3080, 113.8620))
				if err != nil {
					errsSeen[i] = err
					return
				}
				refs[i] = res.Signal.Ref
			}()
		}
		wg.Wait()
		for i := range retries {
			if errsSeen[i] != nil {
				t.Fatalf("retry %d: %v", i, errsSeen[i])
			}
			if refs[i] != refs[0] {
				t.Fatalf("retry %d got %s, first got %s", i, refs[i], refs[0])
			}
		}
		list, _ := db.ListSignals(ctx, intake.SignalFilter{})
		incs, _ := db.ListIncidents(ctx, intake.IncidentFilter{})
		if len(list) != 1 || len(incs) != 1 {
			t.Fatalf("%d signals and %d incidents after %d retries", len(list), len(incs), retries)
		}
		rows, _ := db.ListAudit(ctx, audit.Filter{Action: "signal.create"})
		if len(rows) != 1 {
			t.Fatalf("%d audit rows", len(rows))
		}
		// The same id from another channel is another signal.
		res, err := f.svc.Submit(ctx, f.partner, f.in(intake.Channel110, "GD20261128-0001", "rough_sleeping", 35.3080, 113.8620))
		if err != nil || res.Duplicate {
			t.Fatalf("other channel: %v %+v", err, res)
		}
		if !res.Merged {
			t.Error("a report of the same place and time from 110 did not merge")
		}
	})
}

// Retries of a stored delivery arriving among new ones: every retry gets
// the stored answer, every new one is filed, nothing is filed twice.
func TestSubmitRetriesMixedWithNewDeliveries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		first, err := f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, "GD-STORED", "rough_sleeping", 35.3080, 113.8620))
		if err != nil {
			t.Fatal(err)
		}
		const n = 24
		var wg sync.WaitGroup
		results := make([]*intake.Result, n)
		failures := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ext := "GD-STORED"
				if i%2 == 1 {
					ext = fmt.Sprintf("GD-NEW-%02d", i)
				}
				results[i], failures[i] = f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, ext, "rough_sleeping", 35.20+float64(i)*0.01, 113.80))
			}()
		}
		wg.Wait()
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("delivery %d: %v", i, failures[i])
			}
			r := results[i]
			if i%2 == 0 && (!r.Duplicate || r.Signal.Ref != first.Signal.Ref || r.Incident.ID != first.Incident.ID) {
				t.Errorf("retry %d: duplicate=%v ref %s, want the stored %s", i, r.Duplicate, r.Signal.Ref, first.Signal.Ref)
			}
			if i%2 == 1 && (r.Duplicate || r.Signal.ExternalID != fmt.Sprintf("GD-NEW-%02d", i)) {
				t.Errorf("new delivery %d answered as %+v", i, r.Signal)
			}
		}
		list, _ := db.ListSignals(ctx, intake.SignalFilter{Limit: 100})
		if len(list) != 1+n/2 {
			t.Fatalf("%d signals stored, want %d", len(list), 1+n/2)
		}
	})
}

// A help signal is answered only once a durable sync (an fsync of the
// WAL on SQLite, the syncer's durable commit on PostgreSQL) has followed
// its commit, and a burst shares syncs rather than taking one each.
func TestSubmitAnswersAfterADurableSync(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		const n = 48
		before := db.DurableSyncs()
		var wg sync.WaitGroup
		seen := make([]int64, n)
		failures := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, failures[i] = f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, fmt.Sprintf("GD-SYNC-%02d", i), "rough_sleeping", 35.20+float64(i)*0.01, 113.80))
				seen[i] = db.DurableSyncs()
			}()
		}
		wg.Wait()
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("signal %d: %v", i, failures[i])
			}
			if seen[i] <= before {
				t.Errorf("signal %d was answered before any durable sync (%d syncs before the burst, %d at its answer)", i, before, seen[i])
			}
		}
		if syncs := db.DurableSyncs() - before; syncs >= n {
			t.Errorf("%d signals took %d durable syncs: the group commit shared none", n, syncs)
		}
	})
}

// Signals filed together in one group commit merge as if filed one after
// another: a signal joins the incident that an earlier signal of the same
// batch opened or joined, so every cluster of nearby reports ends as one
// incident whose count, version and times add up, whether its incident
// was stored before the burst or opened during it.
func TestSubmitConcurrentBurstMergesLikeOneByOne(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		// Cluster 0 has an incident already; clusters 1 and 2 are new. The
		// clusters lie kilometres apart; the reports of one within 40 m.
		spots := [][2]float64{{35.3080, 113.8620}, {35.3300, 113.9000}, {35.2800, 113.9400}}
		stored, err := f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, "BURST-STORED", "rough_sleeping", spots[0][0], spots[0][1]))
		if err != nil {
			t.Fatal(err)
		}
		const perSpot = 20
		n := perSpot * len(spots)
		results := make([]*intake.Result, n)
		failures := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sp := spots[i%len(spots)]
				<-start
				results[i], failures[i] = f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, fmt.Sprintf("BURST-%03d", i), "rough_sleeping",
					sp[0]+float64(i%7)*0.00005, sp[1]+float64(i%5)*0.00005))
			}()
		}
		close(start)
		wg.Wait()
		incidentOf := map[int]string{} // spot → incident
		opened := map[int]int{}
		counts := map[string][]int{}
		for i := range n {
			if failures[i] != nil {
				t.Fatalf("signal %d: %v", i, failures[i])
			}
			r, spot := results[i], i%len(spots)
			if id, ok := incidentOf[spot]; ok && id != r.Incident.ID {
				t.Fatalf("spot %d: signals in incidents %s and %s", spot, id, r.Incident.ID)
			}
			incidentOf[spot] = r.Incident.ID
			if !r.Merged {
				opened[spot]++
			}
			counts[r.Incident.ID] = append(counts[r.Incident.ID], r.Incident.SignalCount)
		}
		if incidentOf[0] != stored.Incident.ID || opened[0] != 0 {
			t.Fatalf("spot 0: %d signals opened incidents, want all to join the stored %s", opened[0], stored.Incident.ID)
		}
		if opened[1] != 1 || opened[2] != 1 {
			t.Fatalf("spots 1 and 2 opened %d and %d incidents, want one each", opened[1], opened[2])
		}
		for spot, id := range incidentOf {
			want := perSpot
			if spot == 0 {
				want++ // the stored signal
			}
			// Each signal's answer shows the incident as it stood after
			// that signal: counts first..want, each once.
			got := counts[id]
			slices.Sort(got)
			for k, c := range got {
				if c != want-perSpot+1+k {
					t.Fatalf("spot %d: answered counts %v, want %d..%d", spot, got, want-perSpot+1, want)
				}
			}
			inc, err := db.IncidentByID(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if inc.SignalCount != want || inc.Version != want {
				t.Errorf("spot %d: stored count %d version %d, want %d", spot, inc.SignalCount, inc.Version, want)
			}
			sigs, _ := db.SignalsOfIncident(ctx, id)
			if len(sigs) != want {
				t.Errorf("spot %d: %d signals stored in its incident, want %d", spot, len(sigs), want)
			}
			if !inc.LastSignalAt.Equal(f.now) || !inc.DueAt.Equal(f.now.Add(2*time.Hour)) {
				t.Errorf("spot %d: last signal %v due %v", spot, inc.LastSignalAt, inc.DueAt)
			}
		}
		incs, _ := db.ListIncidents(ctx, intake.IncidentFilter{})
		if len(incs) != len(spots) {
			t.Fatalf("%d incidents, want %d", len(incs), len(spots))
		}
		rows, _ := db.ListAudit(ctx, audit.Filter{Action: "signal.create", Limit: 500})
		if len(rows) != n+1 {
			t.Fatalf("%d audit rows, want %d", len(rows), n+1)
		}
	})
}

func TestSubmitMergesAndRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		depts, _ := db.ListDepartments(ctx)
		_ = depts
		a, err := f.svc.Submit(ctx, intakePublic(), f.in(intake.ChannelPublic, "", "rough_sleeping", 35.3080, 113.8620))
		if err != nil {
			t.Fatal(err)
		}
		if a.Merged || a.Incident.SignalCount != 1 || a.Incident.State != intake.StateAccepted {
			t.Fatalf("first signal: %+v", a.Incident)
		}
		if want := a.Signal.ReportedAt.Add(2 * time.Hour); !a.Incident.DueAt.Equal(want) {
			t.Errorf("due %v, want %v", a.Incident.DueAt, want)
		}
		// 100 m away, 10 minutes later, more urgent kind of the same group.
		f.now = f.now.Add(10 * time.Minute)
		b, err := f.svc.Submit(ctx, intakePublic(), f.in(intake.ChannelPublic, "", "weather_exposure", 35.3089, 113.8620))
		if err != nil {
			t.Fatal(err)
		}
		if !b.Merged || b.Incident.ID != a.Incident.ID || b.Incident.SignalCount != 2 {
			t.Fatalf("second signal did not merge: %+v", b.Incident)
		}
		if want := f.now.Add(30 * time.Minute); !b.Incident.DueAt.Equal(want) {
			t.Errorf("urgent signal did not raise the SLA: due %v, want %v", b.Incident.DueAt, want)
		}
		// Another kind at the same place opens a new incident.
		c, _ := f.svc.Submit(ctx, intakePublic(), f.in(intake.ChannelPublic, "", "injured", 35.3080, 113.8620))
		if c.Merged {
			t.Error("an injured person merged into a rough-sleeping incident")
		}
	})
}

func intakePublic() auth.Actor { return auth.Actor{IP: "10.9.8.7"} }

func TestSubmitRefusesBadInput(t *testing.T) {
	f := setup(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	long := make([]rune, intake.MaxDescription+1)
	for i := range long {
		long[i] = '字'
	}
	for _, tc := range []struct {
		name  string
		in    intake.Input
		field string
		key   string
	}{
		{"no location", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging"}, "lat", "err.location_required"},
		{"half location", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: ptr(35.3)}, "lat", "err.location_pair"},
		{"out of range", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: ptr(135.3), Lng: ptr(113.9)}, "lat", "err.coordinates"},
		{"outside city", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: ptr(39.9), Lng: ptr(116.4)}, "lat", "err.outside_city"},
		{"unknown service", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "potholes", Address: "x"}, "service_code", "err.unknown_service"},
		{"too long", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Address: "x", Description: string(long)}, "description", "err.too_long"},
		{"invalid utf8", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Address: "x", Description: "\xff\xfe"}, "description", "err.invalid_utf8"},
		{"bad phone", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Address: "x", Phone: "12"}, "phone", "err.phone_format"},
		{"bad attribute", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "injured", Address: "x", Attributes: map[string]string{"condition": "dancing"}}, "attribute[condition]", "err.invalid_choice"},
		{"photo not an image", intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Address: "x", Photo: []byte("MZ\x90\x00 not a photo")}, "photo", "err.photo_not_image"},
	} {
		_, err := f.svc.Submit(ctx, intakePublic(), tc.in)
		if got := errs.FieldsOf(err)[tc.field]; got != tc.key {
			t.Errorf("%s: %s = %q, want %q (%v)", tc.name, tc.field, got, tc.key, err)
		}
	}
	if list, _ := f.db.ListSignals(ctx, intake.SignalFilter{}); len(list) != 0 {
		t.Fatalf("refused input stored %d signals", len(list))
	}
	// Channels check the sender.
	if _, err := f.svc.Submit(ctx, intakePublic(), f.in(intake.Channel12345, "x", "begging", 35.3, 113.9)); !errs.Is(errs.Forbidden, err) {
		t.Errorf("anonymous 12345 work order: %v", err)
	}
	patrol := auth.Actor{UserID: "p", Name: "patrol", Role: auth.RolePatrol}
	if _, err := f.svc.Submit(ctx, patrol, f.in(intake.ChannelHotline, "", "begging", 35.3, 113.9)); !errs.Is(errs.Forbidden, err) {
		t.Errorf("patrol on the hotline form: %v", err)
	}
	if _, err := f.svc.Submit(ctx, patrol, f.in(intake.ChannelPatrol, "", "begging", 35.3, 113.9)); err != nil {
		t.Errorf("patrol report: %v", err)
	}
}

func TestLifecycleOutboxMergeSplitUndo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a, _ := f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, "A-1", "rough_sleeping", 35.3080, 113.8620))
		b, _ := f.svc.Submit(ctx, intakePublic(), f.in(intake.ChannelPublic, "", "rough_sleeping", 35.3300, 113.9000)) // 3 km away
		if a.Incident.ID == b.Incident.ID {
			t.Fatal("far signals merged")
		}
		// Merge b into a, then undo.
		o, err := f.svc.MergeIncidents(ctx, f.dispatcher, b.Incident.ID, a.Incident.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := db.IncidentByID(ctx, a.Incident.ID)
		gone, _ := db.IncidentByID(ctx, b.Incident.ID)
		if got.SignalCount != 2 || gone.State != intake.StateMerged || gone.MergedInto != a.Incident.ID {
			t.Fatalf("after merge: %+v / %+v", got, gone)
		}
		if _, err := f.svc.Undo(ctx, f.dispatcher, o.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Undo(ctx, f.dispatcher, o.ID); !errs.Is(errs.Conflict, err) {
			t.Fatalf("second undo: %v", err)
		}
		got, _ = db.IncidentByID(ctx, a.Incident.ID)
		back, _ := db.IncidentByID(ctx, b.Incident.ID)
		if got.SignalCount != 1 || back.State != intake.StateAccepted || back.SignalCount != 1 {
			t.Fatalf("after undo: %+v / %+v", got, back)
		}
		// Split: a second 12345 signal at a's place, then split it out.
		c, _ := f.svc.Submit(ctx, f.partner, f.in(intake.Channel12345, "A-2", "rough_sleeping", 35.3081, 113.8621))
		if c.Incident.ID != a.Incident.ID {
			t.Fatal("nearby signal did not merge")
		}
		so, n, err := f.svc.SplitSignal(ctx, f.dispatcher, a.Incident.ID, c.Signal.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := db.SignalByRef(ctx, c.Signal.Ref); v.IncidentID != n.ID {
			t.Fatal("split signal did not move")
		}
		if _, err := f.svc.Undo(ctx, f.dispatcher, so.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := db.SignalByRef(ctx, c.Signal.Ref); v.IncidentID != a.Incident.ID {
			t.Fatal("undo of split did not move the signal back")
		}
		// Lifecycle: both 12345 work orders get every change.
		inc, _ := db.IncidentByID(ctx, a.Incident.ID)
		if _, err := f.svc.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateDispatched}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateInProgress}); !errs.Is(errs.Conflict, err) {
			t.Fatalf("stale version: %v", err)
		}
		inc, _ = db.IncidentByID(ctx, a.Incident.ID)
		_, err = f.svc.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateClosed})
		if errs.FieldsOf(err)["outcome"] != "err.outcome_required" {
			t.Fatalf("close without outcome: %v", err)
		}
		if _, err := f.svc.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateClosed, Outcome: intake.OutcomeToStation, StatusNotes: "已护送至救助站"}); err != nil {
			t.Fatal(err)
		}
		pending, _ := db.PendingDeliveries(ctx, 100)
		if len(pending) != 4 { // 2 changes × 2 work orders
			t.Fatalf("%d deliveries queued, want 4", len(pending))
		}
		var n1 intake.Notice
		json.Unmarshal(pending[len(pending)-1].Body, &n1)
		if n1.State != intake.StateClosed || n1.Open311 != "closed" || n1.Outcome != intake.OutcomeToStation || n1.StateName != "办结" {
			t.Errorf("notice %+v", n1)
		}
		v, _ := f.svc.Status(ctx, a.Signal.Ref)
		if v.State != intake.StateClosed || v.StatusNotes != "已护送至救助站" {
			t.Errorf("status seen by the reporter: %+v", v)
		}
		// Already known: a new signal at the same place after the closed
		// incident gets a hint pointing at it.
		f.now = f.now.Add(3 * time.Hour)
		d, err := f.svc.Submit(ctx, intakePublic(), f.in(intake.ChannelPublic, "", "rough_sleeping", 35.3082, 113.8620))
		if err != nil {
			t.Fatal(err)
		}
		if d.Incident.Known == nil || d.Incident.Known.Ref != inc.Ref {
			t.Fatalf("known hint: %+v", d.Incident.Known)
		}
		again, _ := db.IncidentByID(ctx, d.Incident.ID)
		if again.Known == nil || again.Known.Outcome != intake.OutcomeToStation {
			t.Fatalf("stored hint: %+v", again.Known)
		}
	})
}

func TestPartnerMapping(t *testing.T) {
	for _, p := range intake.DefaultPartners() {
		if err := p.Mapping.Validate(); err != nil {
			t.Errorf("%s: %v", p.Code, err)
		}
	}
	m := intake.DefaultPartners()[0].Mapping
	in, err := m.Apply(intake.Channel12345, []byte(`{"order_no":"GD-1","category":"露宿街头","content":"桥下有老人","location":{"lat":35.30,"lng":113.90},
		"address":"人民路桥","caller":{"phone":"13912345678","name":"王先生"},"accept_time":"2026-11-28 21:05:00"}`))
	if err != nil {
		t.Fatal(err)
	}
	if in.ExternalID != "GD-1" || in.ServiceCode != "rough_sleeping" || *in.Lat != 35.30 || in.Phone != "13912345678" || in.ReportedAt.UTC().Hour() != 13 {
		t.Fatalf("12345 mapping: %+v", in)
	}
	city := intake.DefaultPartners()[2].Mapping
	in, err = city.Apply(intake.ChannelCity, []byte(`{"case":{"id":"SZ-9","subtype":"未知类别","desc":"x","point":[113.9,35.3],"addr":"a","report_time":"2026-11-28 08:00:00"}}`))
	if err != nil || in.ServiceCode != "rough_sleeping" || *in.Lng == 113.9 {
		t.Fatalf("数字城管 mapping (gcj02, default service): %+v %v", in, err)
	}
	for _, bad := range []string{`[]`, `{"order_no":""}`, `not json`, `{"order_no":"x","location":{"lat":"north","lng":1}}`, `{"order_no":"x","accept_time":"yesterday"}`} {
		if _, err := m.Apply(intake.Channel12345, []byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzMappingApply(f *testing.F) {
	m := intake.DefaultPartners()[0].Mapping
	f.Add([]byte(`{"order_no":"GD-1","category":"露宿街头","location":{"lat":35.3,"lng":113.9}}`))
	f.Add([]byte(`{"order_no":1e400}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := m.Apply(intake.Channel12345, body)
		if err == nil && in.ExternalID == "" {
			t.Fatal("accepted a work order without an id")
		}
	})
}

// TestExpectedAtNeverBeforeReport: a signal's expected time is its
// incident's deadline, or, when that passed before the signal was
// reported (it joined an overdue incident), its own kind's SLA from the
// report (issue 22: Open311 expected_datetime before requested_datetime).
func TestExpectedAtNeverBeforeReport(t *testing.T) {
	at := time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		due  time.Time
		want time.Time
	}{
		{"on time", at.Add(20 * time.Minute), at.Add(20 * time.Minute)},
		{"due as reported", at, at},
		{"overdue incident", at.Add(-time.Hour), at.Add(2 * time.Hour)}, // rough_sleeping: 2 h
		{"no deadline", time.Time{}, time.Time{}},
	} {
		v := intake.SignalView{Signal: intake.Signal{ServiceCode: "rough_sleeping", ReportedAt: at}, DueAt: c.due}
		if got := v.ExpectedAt(); !got.Equal(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

// TestListSignalsOpen311Filters: the filters Open311 lists and the update
// feed use, on both databases: kinds as a list, report-time bounds, a page
// by offset, and "changed after it came in" with its time bounds.
func TestListSignalsOpen311Filters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		start := f.now
		kinds := []string{"begging", "distress", "rough_sleeping", "begging", "injured"}
		var refs []string
		var incs []string
		for i, k := range kinds {
			in := f.in(intake.Channel12345, "GD-"+k+strconv.Itoa(i), k, 35.30+float64(i)*0.02, 113.86)
			in.ReportedAt = start.Add(-time.Duration(5-i) * time.Hour) // 5 h … 1 h ago
			res, err := f.svc.Submit(ctx, f.partner, in)
			if err != nil {
				t.Fatal(err)
			}
			refs, incs = append(refs, res.Signal.Ref), append(incs, res.Incident.ID)
			f.now = f.now.Add(time.Second)
		}
		if l, _ := db.ListSignals(ctx, intake.SignalFilter{ServiceCodes: []string{"begging", "injured"}}); len(l) != 3 {
			t.Fatalf("kinds begging,injured: %d", len(l))
		}
		// requested_datetime bounds are the report time.
		if l, _ := db.ListSignals(ctx, intake.SignalFilter{Since: start.Add(-150 * time.Minute)}); len(l) != 2 {
			t.Fatalf("reported in the last 150 minutes: %d", len(l))
		}
		var paged []string
		for off := 0; off < 6; off += 2 {
			l, _ := db.ListSignals(ctx, intake.SignalFilter{Limit: 2, Offset: off})
			for _, v := range l {
				paged = append(paged, v.Ref)
			}
		}
		slices.Sort(paged)
		want := slices.Clone(refs)
		slices.Sort(want)
		if !slices.Equal(paged, want) {
			t.Fatalf("pages: %v, want %v", paged, want)
		}
		// Nothing changed yet: no updates.
		if l, _ := db.ListSignals(ctx, intake.SignalFilter{Updated: true}); len(l) != 0 {
			t.Fatalf("updates before any change: %d", len(l))
		}
		f.now = f.now.Add(time.Minute)
		changedAt := f.now
		inc, _ := db.IncidentByID(ctx, incs[1])
		if _, err := f.svc.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateDispatched}); err != nil {
			t.Fatal(err)
		}
		l, _ := db.ListSignals(ctx, intake.SignalFilter{Updated: true, UpdatedSince: changedAt.Add(-time.Second)})
		if len(l) != 1 || l[0].Ref != refs[1] || l[0].State != intake.StateDispatched {
			t.Fatalf("updates: %+v", l)
		}
		if l, _ := db.ListSignals(ctx, intake.SignalFilter{Updated: true, UpdatedUntil: changedAt.Add(-time.Second)}); len(l) != 0 {
			t.Fatalf("updates before the change: %d", len(l))
		}
	})
}
