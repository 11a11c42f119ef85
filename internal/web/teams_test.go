package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// An administrator or dispatcher keeps teams, rosters and hotspots from
// the browser; refused input is explained in the page's language and
// changes nothing.
func TestTeamsRostersHotspotsPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		disp := h.login("dispatcher")
		res, body := disp.post("/admin/teams", url.Values{"name": {"城管夜巡队"}, "kind": {"urban"}, "vehicles": {"豫G·C0001"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create team: %d %s", res.StatusCode, body)
		}
		teamURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		teamID := strings.TrimPrefix(teamURL, "/admin/teams/")
		res, body = disp.post("/admin/teams", url.Values{"name": {""}, "kind": {"army"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "必填") {
			t.Fatalf("bad team: %d", res.StatusCode)
		}

		// Members: the demo patrol user joins.
		users, _ := db.ListUsers(ctx)
		var patrolID string
		for _, u := range users {
			if u.Role == auth.RolePatrol {
				patrolID = u.ID
			}
		}
		res, _ = disp.post(teamURL, url.Values{"name": {"城管夜巡队"}, "kind": {"urban"}, "vehicles": {"豫G·C0001"}, "members": {patrolID}, "version": {"1"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("edit team: %d", res.StatusCode)
		}
		res, body = disp.post(teamURL, url.Values{"name": {"旧版本"}, "kind": {"urban"}, "version": {"1"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "旧版本") {
			t.Fatalf("stale edit: %d (the typed name should be kept)", res.StatusCode)
		}
		tm, _ := h.dispatch.Team(ctx, auth.CLIActor(), teamID)
		if tm.Name != "城管夜巡队" || len(tm.Members) != 1 || tm.Members[0] != patrolID {
			t.Fatalf("team after edits: %+v", tm)
		}

		// The member picker offers only people who can patrol; someone
		// already on the team stays listed so they can be taken off.
		byRole := map[auth.Role]string{}
		for _, u := range users {
			byRole[u.Role] = u.ID
		}
		if _, err := h.dispatch.EditTeam(ctx, auth.CLIActor(), teamID, dispatch.TeamEdit{Name: tm.Name, Kind: tm.Kind, Vehicles: tm.Vehicles,
			Members: []string{patrolID, byRole[auth.RoleFinance]}}, tm.Version); err != nil {
			t.Fatal(err)
		}
		_, page := disp.do("GET", teamURL, nil, false)
		offered := map[string]bool{}
		for _, m := range regexp.MustCompile(`name="members" value="([^"]+)"`).FindAllStringSubmatch(page, -1) {
			offered[m[1]] = true
		}
		for role, id := range byRole {
			want := auth.RoleCan(role, auth.PermPatrolWork) || role == auth.RoleFinance
			if offered[id] != want {
				t.Errorf("member picker: %s offered=%v, want %v", role, offered[id], want)
			}
		}

		// Roster: tonight's shift, then an overlapping one refused.
		today := time.Now().In(intake.ChinaTime).Format("2006-01-02")
		res, _ = disp.post(teamURL+"/shifts", url.Values{"date": {today}, "from": {"20:00"}, "to": {"08:00"}, "note": {"夜巡"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add shift: %d", res.StatusCode)
		}
		res, body = disp.post(teamURL+"/shifts", url.Values{"date": {today}, "from": {"22:00"}, "to": {"23:00"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "重叠") {
			t.Fatalf("overlapping shift: %d", res.StatusCode)
		}
		res, body = disp.post(teamURL+"/shifts", url.Values{"date": {today}, "from": {"25:00"}, "to": {"23:00"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "时:分") {
			t.Fatalf("bad time: %d", res.StatusCode)
		}
		_, page = disp.do("GET", teamURL, nil, false)
		m := regexp.MustCompile(`data-shift="([^"]+)"`).FindAllStringSubmatch(page, -1)
		if len(m) != 1 || !strings.Contains(page, "夜巡") {
			t.Fatalf("team page shows %d shifts", len(m))
		}
		res, _ = disp.post(teamURL+"/shifts/"+m[0][1]+"/delete", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete shift: %d", res.StatusCode)
		}
		if _, page = disp.do("GET", teamURL, nil, false); strings.Contains(page, "data-shift=") {
			t.Fatal("shift still listed after deleting it")
		}

		// Hotspots.
		res, body = disp.post("/admin/hotspots", url.Values{"name": {"平原路地下通道"}, "kind": {"underpass"}, "lat": {"north"}, "lng": {"113.9"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "平原路地下通道") {
			t.Fatalf("bad coordinates: %d (typed name kept?)", res.StatusCode)
		}
		res, _ = disp.post("/admin/hotspots", url.Values{"name": {"平原路地下通道"}, "kind": {"underpass"}, "lat": {"35.301"}, "lng": {"113.88"}, "risk_notes": {"夜间积水"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("create hotspot: %d", res.StatusCode)
		}
		all, _ := h.dispatch.AllHotspots(ctx, auth.CLIActor())
		if len(all) != 1 || all[0].RiskNotes != "夜间积水" {
			t.Fatalf("hotspots %+v", all)
		}
		if res, _ := disp.post("/admin/hotspots/"+all[0].ID+"/active", url.Values{"active": {"0"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("retire: %d", res.StatusCode)
		}
		if active, _ := h.dispatch.Hotspots(ctx, auth.CLIActor()); len(active) != 0 {
			t.Fatal("retired hotspot still active")
		}
	})
}

// From the board a dispatcher merges two incidents, undoes it, and splits
// a signal out of a merged incident, all as JSON calls.
func TestBoardMergeSplitUndo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		key := partnerKeys(t, h)[intake.Channel12345]
		disp := h.login("dispatcher")
		a := reportAt(t, h, key, 1, 35.300)
		b := reportAt(t, h, key, 2, 35.305) // 550 m north: its own incident
		ia, _ := db.IncidentByRef(context.Background(), a)
		ib, _ := db.IncidentByRef(context.Background(), b)
		jsonPost := func(path string, form url.Values) (int, map[string]any) {
			form.Set("csrf_token", disp.csrf)
			req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Accept", "application/json")
			res, body := disp.send(req, false)
			var out map[string]any
			_ = json.Unmarshal([]byte(body), &out)
			return res.StatusCode, out
		}
		code, out := jsonPost("/dispatch/incidents/"+ia.ID+"/merge", url.Values{"into": {ia.ID}})
		if code != http.StatusBadRequest || out["error"] == nil {
			t.Fatalf("merge into itself: %d %v", code, out)
		}
		code, out = jsonPost("/dispatch/incidents/"+ia.ID+"/merge", url.Values{"into": {ib.ID}})
		if code != 200 || out["into"] != ib.ID {
			t.Fatalf("merge: %d %v", code, out)
		}
		op := out["op"].(string)
		if got, _ := db.IncidentByID(context.Background(), ia.ID); got.State != intake.StateMerged {
			t.Fatalf("merged incident is %s", got.State)
		}
		if code, _ = jsonPost("/dispatch/ops/"+op+"/undo", url.Values{}); code != 200 {
			t.Fatalf("undo: %d", code)
		}
		if got, _ := db.IncidentByID(context.Background(), ia.ID); got.State != intake.StateAccepted {
			t.Fatalf("after undo the incident is %s", got.State)
		}
		// Merge again, then split the moved signal back out.
		if code, _ = jsonPost("/dispatch/incidents/"+ia.ID+"/merge", url.Values{"into": {ib.ID}}); code != 200 {
			t.Fatalf("second merge: %d", code)
		}
		req, _ := http.NewRequest("GET", h.srv.URL+"/dispatch/incidents/"+ib.ID+"/signals", nil)
		req.Header.Set("Accept", "application/json")
		_, body := disp.send(req, false)
		var sigs struct {
			Signals []struct{ ID, Ref string } `json:"signals"`
		}
		if err := json.Unmarshal([]byte(body), &sigs); err != nil || len(sigs.Signals) != 2 {
			t.Fatalf("signals: %s", body)
		}
		if strings.Contains(body, "phone") {
			t.Fatal("the board's signal list carries phone numbers")
		}
		code, out = jsonPost("/dispatch/incidents/"+ib.ID+"/split", url.Values{"signal_id": {sigs.Signals[1].ID}})
		if code != 200 || out["incident"] == "" {
			t.Fatalf("split: %d %v", code, out)
		}
		code, out = jsonPost("/dispatch/incidents/"+ib.ID+"/split", url.Values{"signal_id": {sigs.Signals[0].ID}})
		if code != http.StatusConflict {
			t.Fatalf("splitting the last signal: %d %v", code, out)
		}
	})
}
