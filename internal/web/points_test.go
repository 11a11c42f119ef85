package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

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
