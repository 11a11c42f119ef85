package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/intake"
)

// A public report with only a typed address: the gazetteer places it
// approximately ("约在：人民公园附近"), and nearest teams are suggested. One
// whose address it does not know is 位置待定 everywhere, never drawn at 0,0;
// the dispatcher sends any available team by hand and places the pin, on
// the board or on the incident's page.
func TestAddressOnlyReports(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	disp := auth.Actor{UserID: "harness", Name: "harness", Role: auth.RoleDispatcher}
	near, err := h.dispatch.CreateTeam(ctx, disp, dispatch.Team{Name: "公园巡查队", Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Lat: 35.3085, Lng: 113.8870})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.dispatch.CreateTeam(ctx, disp, dispatch.Team{Name: "无定位队", Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable}); err != nil {
		t.Fatal(err)
	}
	public := h.anon()
	report := func(address string) *intake.Incident {
		t.Helper()
		res, _ := public.upload("/report", map[string]string{"service_code": "distress", "address": address}, nil)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/status?new=1&ref=") {
			t.Fatalf("report %q: %d %s", address, res.StatusCode, loc)
		}
		v, err := h.db.SignalByRef(ctx, strings.TrimPrefix(loc, "/status?new=1&ref="))
		if err != nil {
			t.Fatal(err)
		}
		inc, err := h.db.IncidentByID(ctx, v.IncidentID)
		if err != nil {
			t.Fatal(err)
		}
		return inc
	}
	d := h.login("dispatcher")
	getJSON := func(path string, v any) int {
		t.Helper()
		req, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		req.Header.Set("Accept", "application/json")
		res, body := d.send(req, false)
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		return res.StatusCode
	}
	postJSON := func(path string, form url.Values) (int, map[string]any) {
		t.Helper()
		form.Set("csrf_token", d.csrf)
		req, _ := http.NewRequest("POST", h.srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res, body := d.send(req, false)
		var out map[string]any
		_ = json.Unmarshal([]byte(body), &out)
		return res.StatusCode, out
	}
	var suggest struct {
		Candidates []dispatch.Candidate `json:"candidates"`
	}
	var teams struct {
		Teams []dispatch.Choice `json:"teams"`
	}

	// Geocoded: approximate, on every page, and teams are suggested.
	park := report("人民公园东门附近有人躺着")
	if park.Precision != intake.PrecisionPlace || park.Place != "人民公园" {
		t.Fatalf("geocoded as %s %q", park.Precision, park.Place)
	}
	for _, path := range []string{"/incidents/" + park.ID, "/incidents"} {
		if _, page := d.do("GET", path, nil, false); !strings.Contains(page, "约在：人民公园附近") {
			t.Errorf("%s does not say the place is approximate", path)
		}
	}
	if getJSON("/dispatch/incidents/"+park.ID+"/suggest", &suggest); len(suggest.Candidates) == 0 || suggest.Candidates[0].TeamID != near.ID {
		t.Fatalf("suggested %+v for a geocoded report", suggest.Candidates)
	}

	// Unknown address: 位置待定, never at 0,0; picked by hand.
	lost := report("城东一个小区门口")
	if lost.Precision != intake.PrecisionNone || lost.Lat != 0 {
		t.Fatalf("unknown address stored as %s at %v", lost.Precision, lost.Lat)
	}
	_, page := d.do("GET", "/incidents/"+lost.ID, nil, false)
	if !strings.Contains(page, "位置待定") || strings.Contains(page, "0.00000") {
		t.Fatal("the incident page does not say 位置待定, or shows 0,0")
	}
	var board dispatch.Board
	getJSON("/dispatch/board.json", &board)
	for _, i := range board.Incidents {
		if i.ID == lost.ID && i.Precision != "none" {
			t.Fatalf("board has the unlocated incident as %q", i.Precision)
		}
	}
	if getJSON("/dispatch/incidents/"+lost.ID+"/suggest", &suggest); len(suggest.Candidates) != 0 {
		t.Fatalf("suggested %+v without a place", suggest.Candidates)
	}
	getJSON("/dispatch/incidents/"+lost.ID+"/teams", &teams)
	if len(teams.Teams) != 2 || teams.Teams[0].Known {
		t.Fatalf("teams to pick from: %+v", teams.Teams)
	}
	code, out := postJSON("/dispatch/incidents/"+lost.ID+"/assign", url.Values{"team": {teams.Teams[0].TeamID}, "version": {itoa(lost.Version)}})
	if code != 200 {
		t.Fatalf("assign by hand: %d %v", code, out)
	}
	b, _ := h.db.BoardIncident(ctx, lost.ID)
	if b.State != "dispatched" || b.TeamName != teams.Teams[0].Name {
		t.Fatalf("after assigning by hand: %s %s", b.State, b.TeamName)
	}

	// The dispatcher places the pin from the board: bad input is refused.
	if code, _ := postJSON("/dispatch/incidents/"+lost.ID+"/place", url.Values{"lat": {"40.0"}, "lng": {"116.4"}, "version": {itoa(b.Version)}}); code != http.StatusBadRequest {
		t.Fatalf("a pin in Beijing: %d", code)
	}
	var places struct {
		Places []struct {
			Name     string
			Lat, Lng float64
		} `json:"places"`
	}
	getJSON("/dispatch/places.json?q="+url.QueryEscape("新乡东站"), &places)
	if len(places.Places) == 0 || places.Places[0].Name != "新乡东站" {
		t.Fatalf("place search: %+v", places.Places)
	}
	p := places.Places[0]
	code, out = postJSON("/dispatch/incidents/"+lost.ID+"/place", url.Values{"lat": {ftoa(p.Lat)}, "lng": {ftoa(p.Lng)}, "name": {p.Name}, "version": {itoa(b.Version)}})
	if code != 200 {
		t.Fatalf("place: %d %v", code, out)
	}
	_, page = d.do("GET", "/incidents/"+lost.ID, nil, false)
	if strings.Contains(page, "位置待定") || !strings.Contains(page, "调度员标定") || !strings.Contains(page, "标定位置：新乡东站") {
		t.Fatal("the incident page does not show the placed pin and its history line")
	}
	if rows, _ := h.db.ListAudit(ctx, audit.Filter{Action: "incident.locate", RecordID: lost.ID}); len(rows) != 1 || rows[0].ActorName != "dispatcher" {
		t.Fatalf("incident.locate audit: %+v", rows)
	}

	// On the incident page, a place name the gazetteer does not know says
	// so; one it knows moves the pin.
	other := report("某某地方")
	res, page := d.post("/incidents/"+other.ID+"/place", url.Values{"place": {"不知道哪里"}, "version": {itoa(other.Version)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "没有找到这个地点") {
		t.Fatalf("unknown place name: %d", res.StatusCode)
	}
	res, _ = d.post("/incidents/"+other.ID+"/place", url.Values{"place": {"人民路与和平路交叉口"}, "version": {itoa(other.Version)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("place by name: %d", res.StatusCode)
	}
	if got, _ := h.db.IncidentByID(ctx, other.ID); got.Precision != intake.PrecisionPlaced || got.Place != "人民路与和平路交叉口" {
		t.Fatalf("placed by name: %s %q", got.Precision, got.Place)
	}

	// The board's "all closed incidents" link: the list pages, latest
	// closed first.
	var last string
	for i := range 101 {
		lat := 35.28 + float64(i)*0.0005
		lng := 113.90
		res, err := h.intake.Submit(ctx, auth.Actor{IP: "local"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: &lat, Lng: &lng})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.intake.Update(ctx, disp, res.Incident.ID, intake.StatusUpdate{Version: res.Incident.Version, State: intake.StateClosed, Outcome: intake.OutcomeHelped}); err != nil {
			t.Fatal(err)
		}
		last = res.Incident.Ref
	}
	_, page = d.do("GET", "/incidents?state=closed", nil, false)
	if !strings.Contains(page, `id="next-page"`) || !strings.Contains(page, "page=2&amp;state=closed") || strings.Index(page, last) < 0 {
		t.Fatal("the first page of closed incidents has no next page, or not the latest")
	}
	_, page = d.do("GET", "/incidents?state=closed&page=2", nil, false)
	if strings.Contains(page, `id="next-page"`) || !strings.Contains(page, "page=1") || strings.Contains(page, last) {
		t.Fatal("the second page of closed incidents")
	}
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }
