package web_test

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/metrics"
	"github.com/havenrescue/haven/internal/web"
)

var mapConfigRE = regexp.MustCompile(`(?s)<script type="application/json" id="map-config">(.*?)</script>`)

type pageMap struct {
	Provider    string          `json:"provider"`
	Layers      []basemap.Layer `json:"layers"`
	Coords      string          `json:"coords"`
	Attribution string          `json:"attribution"`
	Roads       string          `json:"roads"`
	TilesFailed string          `json:"tilesFailed"`
	Centre      [2]float64      `json:"center"`
}

func mapOf(t *testing.T, page, body string) pageMap {
	t.Helper()
	m := mapConfigRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no map settings", page)
	}
	var c pageMap
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
		t.Fatalf("%s map settings: %v\n%s", page, err, m[1])
	}
	return c
}

// Every page with a map gets the provider's layers in its language, its
// attribution, the roads file and the city centre; the CSP lets the
// provider's tiles in and no other host.
func TestMapPagesCarryTheProvider(t *testing.T) {
	tdt, err := basemap.Resolve(basemap.Settings{Provider: basemap.Tianditu, TiandituKey: "k1"})
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, openSQLite(t), func(d *web.Deps) { d.Map = tdt })
	anon, disp, patrol := h.anon(), h.login("dispatcher"), h.login("patrol")
	for _, p := range []struct {
		c    *client
		path string
	}{{anon, "/help-points"}, {anon, "/report"}, {disp, "/"}, {disp, "/dispatch"}, {disp, "/signals/new?channel=hotline"}, {patrol, "/signals/new?channel=patrol"}} {
		res, body := p.c.do("GET", p.path, nil, false)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p.path, res.StatusCode)
		}
		m := mapOf(t, p.path, body)
		if m.Provider != "tianditu" || len(m.Layers) != 2 || !strings.Contains(m.Layers[1].URL, "/cva_w/") || m.Coords != "wgs84" ||
			m.Attribution != "地图 © 天地图" || m.TilesFailed == "" || !strings.HasPrefix(m.Roads, "/static/map/roads.json?v=") {
			t.Errorf("%s: %+v", p.path, m)
		}
		if m.Centre[0] < 35.2 || m.Centre[0] > 35.4 || m.Centre[1] < 113.8 || m.Centre[1] > 114 {
			t.Errorf("%s opens at %v, not in 新乡", p.path, m.Centre)
		}
		if !strings.Contains(body, `src="/static/map.js?v=`) {
			t.Errorf("%s does not load map.js", p.path)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob: https://*.tianditu.gov.cn;") {
			t.Errorf("CSP: %s", csp)
		}
	}
	anon.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/help-points"}, "csrf_token": {anon.csrf}}, true) // keeps the language cookie
	_, body := anon.do("GET", "/help-points", nil, false)
	if m := mapOf(t, "/help-points in English", body); m.Attribution != "Map © Tianditu" || !strings.Contains(m.Layers[1].URL, "/eva_w/") || m.TilesFailed != "Map tiles unavailable: main roads only." {
		t.Errorf("English page: %+v", m)
	}
}

// Without a provider the pages draw no tiles and the CSP allows none.
func TestMapWithoutTiles(t *testing.T) {
	none, _ := basemap.Resolve(basemap.Settings{Provider: basemap.None})
	h := newHarness(t, openSQLite(t), func(d *web.Deps) { d.Map = none })
	res, body := h.anon().do("GET", "/report", nil, false)
	if m := mapOf(t, "/report", body); m.Provider != "none" || len(m.Layers) != 0 || m.Attribution != "" {
		t.Errorf("%+v", m)
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "img-src 'self' data: blob:;") {
		t.Errorf("CSP: %s", csp)
	}
}

// Another city ships its own roads file: it is served in place of 新乡's
// and the maps open at its middle; a broken one stops start-up.
func TestMapRoadsOfAnotherCity(t *testing.T) {
	roads := []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"解放大道","kind":"major"},
		"geometry":{"type":"LineString","coordinates":[[114.20,30.58],[114.30,30.62]]}}]}`)
	h := newHarness(t, openSQLite(t), func(d *web.Deps) { d.Roads = roads })
	c := h.anon()
	_, body := c.do("GET", "/help-points", nil, false)
	m := mapOf(t, "/help-points", body)
	if m.Centre != [2]float64{30.6, 114.25} {
		t.Errorf("centre %v", m.Centre)
	}
	res, served := c.do("GET", m.Roads, nil, false)
	if res.StatusCode != 200 || served != string(roads) || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Errorf("roads file: %d %q %.60s", res.StatusCode, res.Header.Get("Content-Type"), served)
	}
	cat, _ := i18n.Load()
	_, err := web.New(web.Deps{Catalog: cat, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.NewRegistry(),
		Roads: []byte(`{"type":"FeatureCollection","features":[]}`)})
	if err == nil || !strings.Contains(err.Error(), "roads file") {
		t.Errorf("a roads file without lines: %v", err)
	}
}

// Each built-in provider's attribution is in the catalogue.
func TestMapAttributionsTranslated(t *testing.T) {
	cat, _ := i18n.Load()
	for _, p := range basemap.Providers {
		s, err := basemap.Resolve(basemap.Settings{Provider: p, TiandituKey: "k", URL: map[bool]string{true: "https://t.example.cn/{z}/{x}/{y}.png"}[p == basemap.Custom]})
		if err != nil {
			t.Fatal(err)
		}
		if k := s.AttributionKey(); k != "" && !cat.Has(k) {
			t.Errorf("%s: no %s in the catalogue", p, k)
		}
	}
	for _, k := range []string{"map.attribution_roads", "map.tiles_failed"} {
		if !cat.Has(k) {
			t.Errorf("no %s", k)
		}
	}
}
