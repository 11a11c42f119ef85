package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var tileRe = regexp.MustCompile(`(?s)<div class="dash-tile" data-key="([a-z_]+)">.*?<strong>(?:<a href="([^"]*)">)?([0-9.,]+)`)

// tiles reads a dashboard's headline figures: key -> value and link.
func tiles(t *testing.T, body string) (map[string]string, map[string]string) {
	t.Helper()
	vals, links := map[string]string{}, map[string]string{}
	for _, m := range tileRe.FindAllStringSubmatch(body, -1) {
		vals[m[1]], links[m[1]] = m[3], m[2]
	}
	if len(vals) == 0 {
		t.Fatalf("no tiles on the page:\n%s", body)
	}
	return vals, links
}

// The leader's home page is the dashboard: the catalogue's figures for
// the last twelve months, each chart with its summary and its table; the
// records behind a number open only for a role that may see them; a
// refused period is said in words and counts nothing.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		for i, p := range [][2]float64{{35.3080, 113.8860}, {35.3081, 113.8861}, {35.2850, 113.9150}} {
			lat, lng := p[0], p[1]
			code := "begging"
			if i == 2 {
				code = "rough_sleeping"
			}
			if _, err := h.intake.Submit(ctx, auth.Actor{IP: "local"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: code, Lat: &lat, Lng: &lng}); err != nil {
				t.Fatal(err)
			}
		}
		leader := h.login("leader")
		res, body := leader.do("GET", "/", nil, false)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("leader home: %d", res.StatusCode)
		}
		vals, links := tiles(t, body)
		if vals["signals"] != "3" || links["signals"] != "/incidents?state=all" || links["rescued"] != "/people" {
			t.Fatalf("leader's tiles %v, links %v", vals, links)
		}
		for _, id := range []string{`id="chart-trend"`, `id="chart-in_care"`, `id="chart-deadlines"`, `id="chart-channels"`, `id="heat-map"`, "共收到求助信号 3 次", "24小时内登记 0%（0/0）"} {
			if !strings.Contains(body, id) {
				t.Errorf("the dashboard lacks %s", id)
			}
		}
		// Each chart carries its figures for the script, and as a table.
		if n, m := strings.Count(body, `<script type="application/json">`), strings.Count(body, `<details class="dash-table">`); n < 3 || n != m {
			t.Errorf("%d charts with figures, %d tables", n, m)
		}

		// The dispatcher counts too, but opens only what it may: incidents,
		// not the people in care.
		disp := h.login("dispatcher")
		_, body = disp.do("GET", "/stats", nil, false)
		vals, links = tiles(t, body)
		if vals["signals"] != "3" || links["signals"] == "" || links["rescued"] != "" || links["reunions"] != "" {
			t.Fatalf("dispatcher's tiles %v, links %v", vals, links)
		}

		// Bad periods and departments: said in words, nothing counted.
		for q, want := range map[string]string{
			"from=2026-05-01&to=2026-04-01": "截止日期不能早于起始日期",
			"from=2999-01-01&to=2999-02-01": "起始日期不能晚于今天",
			"from=2026-13-01&to=2026-12-01": "请输入有效日期",
			"department=nope":               "",
		} {
			res, body := leader.do("GET", "/?"+q, nil, false)
			if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) || strings.Contains(body, `class="dash-tile"`) {
				t.Errorf("GET /?%s: %d, message %q shown: %v", q, res.StatusCode, want, strings.Contains(body, want))
			}
		}

		// The heat map: hexagons with their places in words.
		req, _ := http.NewRequest("GET", h.srv.URL+"/stats/heat?layer=signals", nil)
		req.Header.Set("Accept", "application/json")
		hres := leader.roundTrip(req)
		var heat struct {
			Hexes []struct {
				N     int64  `json:"n"`
				Label string `json:"label"`
			} `json:"hexes"`
			Top     []string `json:"top"`
			Summary string   `json:"summary"`
		}
		if err := json.NewDecoder(hres.Body).Decode(&heat); err != nil {
			t.Fatal(err)
		}
		hres.Body.Close()
		if len(heat.Hexes) != 2 || heat.Hexes[0].N != 2 || !strings.Contains(heat.Hexes[0].Label, "人民公园") || len(heat.Top) != 2 {
			t.Fatalf("heat map %+v", heat)
		}
		for _, q := range []string{"layer=weather", "layer=encounters&kind=begging", "kind=potholes", "from=2026-05-01&to=2026-04-01"} {
			req, _ := http.NewRequest("GET", h.srv.URL+"/stats/heat?"+q, nil)
			req.Header.Set("Accept", "application/json")
			res := leader.roundTrip(req)
			res.Body.Close()
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("heat map ?%s: %d", q, res.StatusCode)
			}
		}
	})
}
