package dispatch_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

type fixture struct {
	db         *store.DB
	in         *intake.Service
	svc        *dispatch.Service
	now        time.Time
	dispatcher auth.Actor
	patrol     auth.Actor
	partner    auth.Actor
	dept       *auth.Department
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: time.Date(2026, 11, 28, 14, 0, 0, 0, time.UTC)} // 22:00 in 新乡
	clock := func() time.Time { return f.now }
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.in = &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: clock, Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule}
	f.svc = &dispatch.Service{Store: db, Audit: db, Intake: f.in, Keys: keys, Now: clock, Night: dispatch.DefaultNight}
	f.dept = &auth.Department{ID: id.New(), Name: "新乡市救助管理站", Kind: "station", CreatedAt: f.now}
	if err := db.CreateDepartment(ctx, f.dept, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	u := &auth.User{ID: id.New(), Username: "xunzha1", DisplayName: "巡查一", Role: auth.RolePatrol, DepartmentID: f.dept.ID, Lang: "zh-CN",
		PasswordHash: "x", CreatedAt: f.now, UpdatedAt: f.now, PasswordChangedAt: f.now}
	if err := db.CreateUser(ctx, u, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	f.dispatcher = auth.Actor{UserID: "u-disp", Name: "调度员", Role: auth.RoleDispatcher}
	f.patrol = auth.Actor{UserID: u.ID, Name: "巡查一", Role: auth.RolePatrol}
	f.partner = auth.Actor{UserID: "key-12345", Name: "apikey:12345", Role: auth.RolePartner, Scopes: []string{"intake.write"}}
	return f
}

func (f *fixture) team(t *testing.T, name string, lat, lng float64, st dispatch.TeamStatus, members ...string) *dispatch.Team {
	t.Helper()
	tm, err := f.svc.CreateTeam(context.Background(), f.dispatcher, dispatch.Team{Name: name, Kind: dispatch.KindCivil, DepartmentID: f.dept.ID,
		Status: st, Lat: lat, Lng: lng, Members: members})
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func (f *fixture) signal(t *testing.T, ext string, lat, lng float64) *intake.Incident {
	t.Helper()
	res, err := f.in.Submit(context.Background(), f.partner, intake.Input{Channel: intake.Channel12345, ExternalID: ext, ServiceCode: "rough_sleeping",
		Description: "桥洞下有人露宿", Lat: &lat, Lng: &lng})
	if err != nil {
		t.Fatal(err)
	}
	return res.Incident
}

func (f *fixture) version(t *testing.T, incidentID string) int {
	t.Helper()
	b, err := f.db.BoardIncident(context.Background(), incidentID)
	if err != nil {
		t.Fatal(err)
	}
	return b.Version
}

func TestAssignmentRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		near := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable)
		far := f.team(t, "二队", 35.2500, 113.9500, dispatch.StatusAvailable)
		off := f.team(t, "三队", 35.3081, 113.8621, dispatch.StatusOffDuty)
		inc := f.signal(t, "GD-A1", 35.3080, 113.8620)

		got, err := f.svc.Suggest(ctx, f.dispatcher, inc.ID, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].TeamID != near.ID || got[1].TeamID != far.ID || got[0].ETA <= 0 {
			t.Fatalf("suggested %+v; want 一队 then 二队, the off-duty team skipped", got)
		}
		if _, err := f.svc.Suggest(ctx, f.patrol, inc.ID, 3); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("patrol member suggested teams: %v", err)
		}
		if _, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, off.ID, f.version(t, inc.ID)); errs.MessageOf(err) != "err.team_off_duty" {
			t.Fatalf("assigning an off-duty team: %v", err)
		}
		if _, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, near.ID, f.version(t, inc.ID)-1); errs.MessageOf(err) != "err.changed_meanwhile" {
			t.Fatalf("stale version: %v", err)
		}
		a, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, near.ID, f.version(t, inc.ID))
		if err != nil {
			t.Fatal(err)
		}
		if a.DistanceM < 500 || a.DistanceM > 1000 {
			t.Fatalf("assignment distance %.0f m", a.DistanceM)
		}
		b, _ := db.BoardIncident(ctx, inc.ID)
		if b.State != "dispatched" || b.TeamID != near.ID || b.TeamName != "一队" {
			t.Fatalf("incident after assignment: %+v", b)
		}
		// The busy team is no longer suggested, for this or another incident.
		other := f.signal(t, "GD-A2", 35.2900, 113.8800)
		got, _ = f.svc.Suggest(ctx, f.dispatcher, other.ID, 3)
		if len(got) != 1 || got[0].TeamID != far.ID {
			t.Fatalf("after assignment suggested %+v, want only 二队", got)
		}
		if _, err := f.svc.Assign(ctx, f.dispatcher, other.ID, near.ID, f.version(t, other.ID)); errs.MessageOf(err) != "err.team_busy" {
			t.Fatalf("busy team assigned: %v", err)
		}
		// Re-assign: 二队 takes over and 一队 is free again.
		if _, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, far.ID, f.version(t, inc.ID)); err != nil {
			t.Fatal(err)
		}
		n1, _ := db.TeamByID(ctx, near.ID)
		n2, _ := db.TeamByID(ctx, far.ID)
		if n1.Status != dispatch.StatusAvailable || n1.IncidentID != "" || n2.Status != dispatch.StatusBusy || n2.IncidentID != inc.ID {
			t.Fatalf("after re-assignment: 一队 %s %q, 二队 %s %q", n1.Status, n1.IncidentID, n2.Status, n2.IncidentID)
		}
		hist, _ := db.AssignmentsOfIncident(ctx, inc.ID)
		if len(hist) != 2 || hist[0].State != "replaced" || hist[1].State != "active" {
			t.Fatalf("assignment history %+v", hist)
		}
		// Escalation and notes.
		if err := f.svc.Escalate(ctx, f.dispatcher, inc.ID, ""); len(errs.FieldsOf(err)) != 1 {
			t.Fatalf("escalation without a reason: %v", err)
		}
		if err := f.svc.Escalate(ctx, f.dispatcher, inc.ID, "超时未到场"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.AddNote(ctx, f.dispatcher, inc.ID, "已电话联系报警人"); err != nil {
			t.Fatal(err)
		}
		b, _ = db.BoardIncident(ctx, inc.ID)
		notes, _ := db.NotesOf(ctx, inc.ID)
		if b.Escalation != 1 || len(notes) != 4 {
			t.Fatalf("escalation %d, %d notes (want 2 assignments, 1 escalation, 1 note)", b.Escalation, len(notes))
		}
	})
}

func TestEncounterClosesIncidentAndReportsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable, f.patrol.UserID)
		inc := f.signal(t, "GD-E1", 35.3080, 113.8620)
		if _, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, tm.ID, f.version(t, inc.ID)); err != nil {
			t.Fatal(err)
		}
		mine, err := f.svc.MyAssignments(ctx, f.patrol)
		if err != nil || len(mine) != 1 || mine[0].ID != inc.ID {
			t.Fatalf("my assignments: %+v %v", mine, err)
		}
		in := dispatch.EncounterInput{ID: id.New(), IncidentID: inc.ID, Lat: 35.3081, Lng: 113.8621, Name: "张三", Description: "男，约60岁，衣着单薄",
			States: []string{"cold", "elderly"}, Outcome: dispatch.OutcomeOutreach, Supplies: []dispatch.Supply{{Item: "棉被", Qty: 1, Unit: "床"}}}
		en, dup, err := f.svc.RecordEncounter(ctx, f.patrol, in)
		if err != nil || dup {
			t.Fatal(err, dup)
		}
		if en.NameSealed == "" || en.NameSealed == "张三" {
			t.Fatal("name not sealed at rest")
		}
		b, _ := db.BoardIncident(ctx, inc.ID)
		if b.State != "closed" || b.Outcome != string(intake.OutcomeHelped) {
			t.Fatalf("incident after encounter: %s %s", b.State, b.Outcome)
		}
		team, _ := db.TeamByID(ctx, tm.ID)
		if team.Status != dispatch.StatusAvailable {
			t.Fatalf("team still %s", team.Status)
		}
		sigs, _ := db.SignalsOfIncident(ctx, inc.ID)
		dl, _ := db.DeliveriesOfSignal(ctx, sigs[0].ID)
		if len(dl) == 0 || !json.Valid(dl[len(dl)-1].Body) {
			t.Fatal("the outcome was not queued for the 12345 platform")
		}
		var notice map[string]any
		_ = json.Unmarshal(dl[len(dl)-1].Body, &notice)
		if notice["state"] != "closed" || notice["outcome"] != "helped" {
			t.Fatalf("notice %v", notice)
		}
		// A second encounter for the closed incident: a clear conflict, nothing stored.
		again := in
		again.ID = id.New()
		if _, _, err := f.svc.RecordEncounter(ctx, f.patrol, again); errs.MessageOf(err) != "err.incident_closed" {
			t.Fatalf("encounter for a closed incident: %v", err)
		}
		if _, err := db.EncounterByID(ctx, again.ID); !errs.Is(errs.NotFound, err) {
			t.Fatal("the refused encounter was stored")
		}
		// The name opens only for roles that need it, and the read is audited.
		if _, err := f.svc.EncounterName(ctx, f.patrol, en.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("patrol role opened a name: %v", err)
		}
		name, err := f.svc.EncounterName(ctx, f.dispatcher, en.ID)
		if err != nil || name != "张三" {
			t.Fatalf("name %q %v", name, err)
		}
		rows, _ := db.ListAudit(ctx, audit.Filter{Action: "encounter.name.view"})
		if len(rows) != 1 {
			t.Fatalf("%d audit rows for the name read", len(rows))
		}
	})
}

func TestOfflineSyncReplayAndConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable, f.patrol.UserID)
		hs, err := f.svc.CreateHotspot(ctx, f.dispatcher, dispatch.Hotspot{Name: "新乡火车站", Kind: "railway_station", Lat: 35.3025, Lng: 113.8705})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = f.svc.CreateHotspot(ctx, f.dispatcher, dispatch.Hotspot{Name: "人民公园", Kind: "park", Lat: 35.2900, Lng: 113.9000})
		inc := f.signal(t, "GD-S1", 35.3080, 113.8620)
		patrolID, encID := id.New(), id.New()
		ms := func(d time.Duration) int64 { return f.now.Add(d).UnixMilli() }
		body := `{"ops":[
			{"op":"patrol_start","id":"` + patrolID + `","data":{"team_id":"` + tm.ID + `","kind":"planned","staff_count":3,"vehicle_trips":1,"started_at":"` + f.now.Add(-time.Hour).Format(time.RFC3339) + `"}},
			{"op":"track","id":"` + patrolID + `","data":[{"lat":35.3000,"lng":113.8700,"t":` + itoa(ms(-50*time.Minute)) + `},{"lat":35.3024,"lng":113.8704,"t":` + itoa(ms(-45*time.Minute)) + `}]},
			{"op":"encounter","id":"` + encID + `","data":{"incident_id":"` + inc.ID + `","patrol_id":"` + patrolID + `","outcome":"outreach","states":["cold"],"supplies":[{"item":"手套","qty":2,"unit":"副"}]}}
		]}`
		batch, err := dispatch.ParseSync([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		first, err := f.svc.Sync(ctx, f.patrol, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range first {
			if r.Status != "ok" {
				t.Fatalf("first sync: %+v", r)
			}
		}
		// The answer was lost: the app sends the same queue again.
		second, _ := f.svc.Sync(ctx, f.patrol, batch)
		if second[0].Status != "duplicate" || second[2].Status != "duplicate" || second[1].Status != "ok" {
			t.Fatalf("replay: %+v", second)
		}
		p, _ := db.PatrolByID(ctx, patrolID)
		if len(p.Track) != 2 || !p.Night || p.StaffCount != 3 || len(p.Hotspots) != 1 || p.Hotspots[0] != hs.ID {
			t.Fatalf("patrol after replay: track %d, night %v, staff %d, hotspots %v", len(p.Track), p.Night, p.StaffCount, p.Hotspots)
		}
		encs, _ := db.ListEncounters(ctx, inc.ID, time.Time{}, 10)
		if len(encs) != 1 {
			t.Fatalf("%d encounters after replay", len(encs))
		}
		// Coverage tonight: 1 of 2 hotspots for the station.
		board, err := f.svc.BoardOf(ctx, f.dispatcher, dispatch.BoardFilter{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(board.Coverage) != 1 || board.Coverage[0].Covered != 1 || board.Coverage[0].Total != 2 || board.Coverage[0].DepartmentID != f.dept.ID {
			t.Fatalf("coverage %+v", board.Coverage)
		}
		// Two edits of the encounter based on version 1: the second is a conflict.
		edit := func(notes string) dispatch.SyncResult {
			b, _ := dispatch.ParseSync([]byte(`{"ops":[{"op":"encounter","id":"` + encID + `","base_version":1,"data":{"outcome":"outreach","notes":"` + notes + `"}}]}`))
			res, _ := f.svc.Sync(ctx, f.patrol, b)
			return res[0]
		}
		if r := edit("送了热水"); r.Status != "ok" || r.Version != 2 {
			t.Fatalf("first edit: %+v", r)
		}
		r := edit("改成别的")
		if r.Status != "conflict" || len(r.Current) == 0 {
			t.Fatalf("second edit on the old version: %+v", r)
		}
		en, _ := db.EncounterByID(ctx, encID)
		if en.Notes != "送了热水" || en.Version != 2 {
			t.Fatalf("conflicting edit overwrote: %q v%d", en.Notes, en.Version)
		}
		// A track with a jump is refused whole; the stored track is unchanged.
		bad, _ := dispatch.ParseSync([]byte(`{"ops":[{"op":"track","id":"` + patrolID + `","data":[{"lat":35.3025,"lng":113.8705,"t":` + itoa(ms(-40*time.Minute)) + `},{"lat":35.9,"lng":113.8705,"t":` + itoa(ms(-39*time.Minute)) + `}]}]}`))
		res, _ := f.svc.Sync(ctx, f.patrol, bad)
		if res[0].Status != "invalid" || res[0].Fields["track"] != "err.track_jump" {
			t.Fatalf("jump: %+v", res[0])
		}
		p, _ = db.PatrolByID(ctx, patrolID)
		if len(p.Track) != 2 {
			t.Fatalf("track has %d points after a refused upload", len(p.Track))
		}
	})
}

func TestEventsInOrderAndResume(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		hub := &events.Hub{Store: db, Resolve: f.svc.Resolve, Poll: 50 * time.Millisecond}
		sub := hub.Subscribe()
		go hub.Run(ctx, db.EventWake())
		time.Sleep(100 * time.Millisecond) // the hub has read the log's end
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable)
		inc := f.signal(t, "GD-V1", 35.3080, 113.8620)
		if _, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, tm.ID, f.version(t, inc.ID)); err != nil {
			t.Fatal(err)
		}
		// Every record's latest event arrives, in order; earlier events of a
		// record read in the same batch may be sent once, at the latest.
		end, err := db.LastEventID(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []events.Message
		deadline := time.After(10 * time.Second)
		for len(got) == 0 || got[len(got)-1].ID < end {
			select {
			case m := <-sub.C:
				got = append(got, m)
			case <-deadline:
				t.Fatalf("received %d events, not up to %d", len(got), end)
			}
		}
		for i := 1; i < len(got); i++ {
			if got[i].ID <= got[i-1].ID {
				t.Fatalf("out of order: %d after %d", got[i].ID, got[i-1].ID)
			}
		}
		final := got[len(got)-1]
		var last dispatch.BoardIncident
		if err := json.Unmarshal(final.Data, &last); err != nil || final.Topic != "incident" || last.State != "dispatched" || last.TeamName != "一队" {
			t.Fatalf("last event %s %s", final.Topic, final.Data)
		}
		// Resume from before the incident: each record once, at its latest.
		back, reset, err := hub.Backfill(ctx, 0)
		if err != nil || reset {
			t.Fatal(err, reset)
		}
		if len(back) != 2 || back[len(back)-1].ID != final.ID {
			t.Fatalf("backfill %+v", back)
		}
	})
}

func TestTeamEditsRostersAndHotspots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable)
		// Edit: members and vehicles; an unknown user is a field error and
		// changes nothing; a stale version is a conflict.
		edited, err := f.svc.EditTeam(ctx, f.dispatcher, tm.ID, dispatch.TeamEdit{Name: " 一队（夜巡） ", Kind: dispatch.KindCivil,
			DepartmentID: f.dept.ID, Vehicles: "豫G·A1234", Members: []string{f.patrol.UserID, f.patrol.UserID}}, tm.Version)
		if err != nil {
			t.Fatal(err)
		}
		if edited.Name != "一队（夜巡）" || len(edited.Members) != 1 || edited.Version != tm.Version+1 {
			t.Fatalf("edited %+v", edited)
		}
		_, err = f.svc.EditTeam(ctx, f.dispatcher, tm.ID, dispatch.TeamEdit{Name: "一队", Kind: dispatch.KindCivil, Members: []string{"no-such-user"}}, edited.Version)
		if errs.FieldsOf(err)["members"] != "err.unknown_reference" {
			t.Fatalf("unknown member: %v", err)
		}
		if _, err := f.svc.EditTeam(ctx, f.dispatcher, tm.ID, dispatch.TeamEdit{Name: "一队", Kind: dispatch.KindCivil}, tm.Version); errs.MessageOf(err) != "err.changed_meanwhile" {
			t.Fatalf("stale edit: %v", err)
		}
		got, _ := f.svc.Team(ctx, f.dispatcher, tm.ID)
		if got.Name != "一队（夜巡）" || len(got.Members) != 1 || got.Vehicles != "豫G·A1234" {
			t.Fatalf("after refused edits: %+v", got)
		}
		if _, err := f.svc.EditTeam(ctx, f.patrol, tm.ID, dispatch.TeamEdit{Name: "x", Kind: dispatch.KindCivil}, got.Version); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("patrol member edited a team: %v", err)
		}

		// Rosters: a night shift runs past midnight; overlaps are refused.
		cst := dispatch.DefaultNight.Loc
		start, end, ok := dispatch.ShiftTimes("2026-11-28", "20:00", "08:00", cst)
		if !ok || end.Sub(start) != 12*time.Hour || start.In(cst).Hour() != 20 {
			t.Fatalf("night shift %v–%v", start, end)
		}
		night, err := f.svc.AddShift(ctx, f.dispatcher, dispatch.Shift{TeamID: tm.ID, StartsAt: start, EndsAt: end, Note: "夜巡"})
		if err != nil {
			t.Fatal(err)
		}
		s2, e2, _ := dispatch.ShiftTimes("2026-11-29", "07:00", "12:00", cst)
		if _, err := f.svc.AddShift(ctx, f.dispatcher, dispatch.Shift{TeamID: tm.ID, StartsAt: s2, EndsAt: e2}); errs.MessageOf(err) != "err.shift_overlap" {
			t.Fatalf("overlapping shift: %v", err)
		}
		s3, e3, _ := dispatch.ShiftTimes("2026-11-29", "08:00", "12:00", cst) // starts as the night ends
		if _, err := f.svc.AddShift(ctx, f.dispatcher, dispatch.Shift{TeamID: tm.ID, StartsAt: s3, EndsAt: e3}); err != nil {
			t.Fatalf("adjacent shift: %v", err)
		}
		if _, err := f.svc.AddShift(ctx, f.dispatcher, dispatch.Shift{TeamID: tm.ID, StartsAt: s3, EndsAt: s3.Add(30 * time.Hour)}); errs.FieldsOf(err)["starts_at"] != "err.shift_too_long" {
			t.Fatalf("30-hour shift: %v", err)
		}
		if _, _, ok := dispatch.ShiftTimes("2026-02-30", "08:00", "12:00", cst); ok {
			t.Fatal("30 February accepted")
		}
		on, err := f.svc.OnShift(ctx, f.now) // 22:00 in 新乡
		if err != nil || !on[tm.ID] || len(on) != 1 {
			t.Fatalf("on shift at 22:00: %v %v", on, err)
		}
		roster, _ := f.svc.Roster(ctx, f.dispatcher, tm.ID, f.now, f.now.Add(48*time.Hour))
		if len(roster) != 2 || roster[0].ID != night.ID {
			t.Fatalf("roster %+v", roster)
		}
		if err := f.svc.DeleteShift(ctx, f.dispatcher, night.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DeleteShift(ctx, f.dispatcher, night.ID); !errs.Is(errs.NotFound, err) {
			t.Fatalf("deleting twice: %v", err)
		}
		if on, _ := f.svc.OnShift(ctx, f.now); on[tm.ID] {
			t.Fatal("still on shift after the shift was deleted")
		}

		// Hotspots: retired places leave the active list, not the registry.
		h, err := f.svc.CreateHotspot(ctx, f.dispatcher, dispatch.Hotspot{Name: "新乡火车站南广场", Kind: "railway_station", Lat: 35.2945, Lng: 113.8878, District: "红旗区"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateHotspot(ctx, f.dispatcher, dispatch.Hotspot{Name: "x", Kind: "castle", Lat: 91}); len(errs.FieldsOf(err)) != 2 {
			t.Fatalf("bad hotspot: %v", err)
		}
		if err := f.svc.SetHotspotActive(ctx, f.dispatcher, h.ID, false); err != nil {
			t.Fatal(err)
		}
		active, _ := f.svc.Hotspots(ctx, f.dispatcher)
		all, _ := f.svc.AllHotspots(ctx, f.dispatcher)
		if len(active) != 0 || len(all) != 1 || all[0].Active {
			t.Fatalf("after retiring: %d active, %d in all", len(active), len(all))
		}
		if err := f.svc.SetHotspotActive(ctx, f.dispatcher, "nope", true); !errs.Is(errs.NotFound, err) {
			t.Fatalf("unknown hotspot: %v", err)
		}
	})
}

// An incident a team is on cannot be folded into another (the team would
// be left on a merged record); the other way round is fine.
func TestAssignedIncidentIsNotMergedAway(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable)
		a := f.signal(t, "GD-M1", 35.3080, 113.8620)
		b := f.signal(t, "GD-M2", 35.3180, 113.8620) // 1.1 km away: its own incident
		if _, err := f.svc.Assign(ctx, f.dispatcher, a.ID, tm.ID, f.version(t, a.ID)); err != nil {
			t.Fatal(err)
		}
		if _, err := f.in.MergeIncidents(ctx, f.dispatcher, a.ID, b.ID); errs.MessageOf(err) != "err.merge_assigned" {
			t.Fatalf("merging the assigned incident away: %v", err)
		}
		if _, err := f.in.MergeIncidents(ctx, f.dispatcher, b.ID, a.ID); err != nil {
			t.Fatalf("merging into the assigned incident: %v", err)
		}
		got, _ := db.BoardIncident(ctx, a.ID)
		if got.SignalCount != 2 || got.TeamID != tm.ID {
			t.Fatalf("after merging into it: %+v", got)
		}
	})
}

// What a patrol hands out, written in an encounter on a phone that was
// offline, leaves the team vehicle's stock once, however often the queue
// is sent again; an edit that hands out more takes only the difference.
func TestEncounterSuppliesLeaveTheVan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		ss := &supplies.Service{Store: db, Audit: db, Now: func() time.Time { return f.now }}
		f.svc.HandedOut = ss.BookEncounter
		tm := f.team(t, "一队", 35.3020, 113.8700, dispatch.StatusAvailable, f.patrol.UserID)
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		gloves, err := ss.AddItem(ctx, staff, supplies.Item{Code: "GLOVES", Name: "手套", Unit: "副"})
		if err != nil {
			t.Fatal(err)
		}
		van, err := ss.AddLocation(ctx, staff, supplies.Location{Kind: supplies.LocVehicle, Name: "巡查一车", TeamID: tm.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: gloves.ID, LocationID: van.ID, Qty: 5}); err != nil {
			t.Fatal(err)
		}
		left := func() int {
			ls, _ := db.Levels(ctx, van.ID)
			for _, l := range ls {
				if l.ItemID == gloves.ID {
					return l.Qty
				}
			}
			return -1
		}
		encID := id.New()
		sync := func(body string) dispatch.SyncResult {
			b, err := dispatch.ParseSync([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.svc.Sync(ctx, f.patrol, b)
			if err != nil {
				t.Fatal(err)
			}
			return res[0]
		}
		first := `{"ops":[{"op":"encounter","id":"` + encID + `","data":{"team_id":"` + tm.ID + `","outcome":"outreach","states":["cold"],"supplies":[{"item":"手套","qty":2,"unit":"副"}]}}]}`
		if r := sync(first); r.Status != "ok" {
			t.Fatalf("first delivery: %+v", r)
		}
		if r := sync(first); r.Status != "duplicate" {
			t.Fatalf("replay: %+v", r)
		}
		if n := left(); n != 3 {
			t.Fatalf("%d pairs of gloves left in the van, want 3", n)
		}
		edit := `{"ops":[{"op":"encounter","id":"` + encID + `","base_version":1,"data":{"outcome":"outreach","supplies":[{"item":"手套","qty":3,"unit":"副"}]}}]}`
		if r := sync(edit); r.Status != "ok" {
			t.Fatalf("edit: %+v", r)
		}
		if n := left(); n != 2 {
			t.Fatalf("%d pairs left after the edit to 3, want 2", n)
		}
		down := `{"ops":[{"op":"encounter","id":"` + encID + `","base_version":2,"data":{"outcome":"outreach","supplies":[{"item":"手套","qty":1,"unit":"副"}]}}]}`
		if r := sync(down); r.Status != "ok" {
			t.Fatalf("second edit: %+v", r)
		}
		if n := left(); n != 4 {
			t.Fatalf("%d pairs left after the edit down to 1, want 4", n)
		}
	})
}

// A report with only an address the gazetteer does not know: no
// suggestion, but every available team can be picked by hand; once the
// dispatcher places the pin, the nearest come first.
func TestUnlocatedIncidentByHand(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.team(t, "乙队", 35.2500, 113.9500, dispatch.StatusAvailable)
		a := f.team(t, "甲队", 35.3020, 113.8700, dispatch.StatusAvailable)
		f.team(t, "丙队", 35.3081, 113.8621, dispatch.StatusOffDuty)
		unplaced := f.team(t, "丁队", 0, 0, dispatch.StatusAvailable)
		res, err := f.in.Submit(ctx, auth.Actor{IP: "local"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "rough_sleeping", Address: "城东一个小区门口"})
		if err != nil {
			t.Fatal(err)
		}
		inc := res.Incident
		if c, err := f.svc.Suggest(ctx, f.dispatcher, inc.ID, 3); err != nil || len(c) != 0 {
			t.Fatalf("suggested %+v, %v for an unlocated incident", c, err)
		}
		names := func(cs []dispatch.Choice) (out []string) {
			for _, c := range cs {
				out = append(out, c.Name)
			}
			return out
		}
		choices, err := f.svc.Available(ctx, f.dispatcher, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(choices); len(got) != 3 || got[0] != "丁队" || got[1] != "乙队" || got[2] != "甲队" || choices[0].Known {
			t.Fatalf("choices %v (%+v); want every available team by name, distance unknown", got, choices)
		}
		if _, err := f.svc.Available(ctx, f.patrol, inc.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("patrol member listed teams: %v", err)
		}
		placed, err := f.in.Place(ctx, f.dispatcher, inc.ID, intake.Placement{Lat: 35.3030, Lng: 113.8710, Version: inc.Version})
		if err != nil {
			t.Fatal(err)
		}
		choices, err = f.svc.Available(ctx, f.dispatcher, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(choices); got[0] != "甲队" || got[1] != "乙队" || got[2] != "丁队" || !choices[0].Known || choices[0].DistanceM > 200 || choices[2].Known {
			t.Fatalf("after placing: %+v; want 甲队 (near), 乙队, then 丁队 without a position", choices)
		}
		if c, err := f.svc.Suggest(ctx, f.dispatcher, inc.ID, 3); err != nil || len(c) == 0 || c[0].TeamID != a.ID {
			t.Fatalf("suggested %+v, %v after placing", c, err)
		}
		// Picked by hand: the team without a position is sent all the same.
		as, err := f.svc.Assign(ctx, f.dispatcher, inc.ID, unplaced.ID, placed.Version)
		if err != nil || as.DistanceM != 0 {
			t.Fatalf("assign by hand: %+v, %v", as, err)
		}
	})
}

// The board lists the latest closed incidents and counts today's, not a
// month of them.
func TestBoardShowsLatestClosed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		today := f.now // 22:00 in 新乡; the day began at 16:00 UTC the day before
		var last string
		for i := range 14 {
			f.now = today.Add(-28*time.Hour + time.Duration(i)*2*time.Hour) // 3 of them before midnight in 新乡
			inc := f.signal(t, "GD-C"+string(rune('a'+i)), 35.30+float64(i)*0.01, 113.90)
			if _, err := f.in.Update(ctx, f.dispatcher, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateClosed, Outcome: intake.OutcomeHelped}); err != nil {
				t.Fatal(err)
			}
			last = inc.ID
		}
		f.now = today
		open := f.signal(t, "GD-OPEN", 35.31, 113.91)
		b, err := f.svc.BoardOf(ctx, f.dispatcher, dispatch.BoardFilter{}, 0)
		if err != nil {
			t.Fatal(err)
		}
		var closed []*dispatch.BoardIncident
		sawOpen := false
		for _, i := range b.Incidents {
			switch {
			case i.State == "closed":
				closed = append(closed, i)
			case i.ID == open.ID:
				sawOpen = true
			}
		}
		if !sawOpen || len(closed) != dispatch.BoardClosedShown || closed[0].ID != last || b.ClosedShown != dispatch.BoardClosedShown {
			t.Fatalf("board: open shown %v, %d closed (first %s), want %d, the latest first", sawOpen, len(closed), closed[0].Ref, dispatch.BoardClosedShown)
		}
		if b.ClosedToday != 11 {
			t.Fatalf("closed today %d, want 11", b.ClosedToday)
		}
	})
}
