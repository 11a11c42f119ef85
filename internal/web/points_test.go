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
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The dispatch board's map carries the rescue points switched on, with
// whether each is open now.
func TestBoardShowsRescuePoints(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db)
	ctx := context.Background()
	staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
	open, err := h.points.Create(ctx, staff, points.Input{Name: "全天点", Kind: points.KindLottery, Address: "人民路", Lat: 35.30, Lng: 113.92, Hours: "24h", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.points.Create(ctx, staff, points.Input{Name: "停用点", Kind: points.KindCommunity, Address: "某社区", Lat: 35.30, Lng: 113.92, Hours: "24h"}); err != nil {
		t.Fatal(err)
	}
	c := h.login("dispatcher")
	res, body := c.do("GET", "/dispatch/board.json", nil, false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("board: %d", res.StatusCode)
	}
	var b struct {
		Points []struct {
			ID   string `json:"id"`
			Open bool   `json:"open"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(body), &b); err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range b.Points {
		got[p.ID] = p.Open
	}
	if len(b.Points) != 2 || !got[open.ID] || !got[h.deskPoint] { // the harness's liaison point is the other
		t.Fatalf("board points = %+v: the switched-off point is shown or an open one is missing", b.Points)
	}
}

// Staff start a winter campaign on its page: the warming shelter that
// campaigns switch on appears in the public finder's JSON; ending it takes
// the shelter off again. A campaign with its dates the wrong way round is
// refused in Chinese.
func TestCampaignSwitchesShelterOn(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db)
	ctx := context.Background()
	staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
	shelter, err := h.points.Create(ctx, staff, points.Input{Name: "东站避寒点", Kind: points.KindWarming, Address: "新乡东站北广场", Lat: 35.2815, Lng: 114.0078,
		Hours: "24h", ByCampaign: true})
	if err != nil {
		t.Fatal(err)
	}
	listed := func() bool {
		_, body := h.anon().do("GET", "/api/v1/help-points?all=1", nil, false)
		return strings.Contains(body, shelter.ID)
	}
	if listed() {
		t.Fatal("the shelter is listed before any campaign")
	}
	c := h.login("staff")
	today := time.Now().In(points.CST)
	res, body := c.post("/campaigns", url.Values{"kind": {"winter"}, "name": {"寒冬送温暖"}, "starts_on": {today.Format(time.DateOnly)},
		"ends_on": {today.AddDate(0, 0, -3).Format(time.DateOnly)}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "日期不对") {
		t.Fatalf("dates the wrong way round: %d", res.StatusCode)
	}
	res, _ = c.post("/campaigns", url.Values{"kind": {"winter"}, "name": {"寒冬送温暖"}, "ends_on": {today.AddDate(0, 3, 0).Format(time.DateOnly)}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("starting: %d", res.StatusCode)
	}
	if _, body = c.do("GET", "/campaigns", nil, false); !strings.Contains(body, "进行中") {
		t.Fatal("the campaign page does not show it running")
	}
	if !listed() {
		t.Fatal("the winter campaign runs but the shelter is not listed")
	}
	id := regexp.MustCompile(`/campaigns/([0-9a-f-]{36})/end`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no end button")
	}
	if res, _ = c.post("/campaigns/"+id[1]+"/end", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("ending: %d", res.StatusCode)
	}
	if listed() {
		t.Fatal("the campaign ended but the shelter is still listed")
	}
}
