package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	stdpng "image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdpnet "github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// consoleErrors collects what a page reports as going wrong: script
// exceptions, console.error and console.warn, and logged errors other
// than failed downloads (here the map tiles fail on purpose).
type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func listenConsole(t *testing.T, ctx context.Context) *consoleErrors {
	t.Helper()
	c := &consoleErrors{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				msg = "console." + string(e.Type)
				for _, a := range e.Args {
					msg += " " + string(a.Value) + a.Description
				}
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError && e.Entry.Source != cdplog.EntrySourceNetwork {
				msg = "log: " + e.Entry.Text
			}
		}
		if msg != "" {
			c.mu.Lock()
			c.list = append(c.list, msg)
			c.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// take returns the errors collected since the last call.
func (c *consoleErrors) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	l := c.list
	c.list = nil
	return l
}

// mapFacts is what checkMap measures of a map.
type mapFacts struct {
	W, H                 float64
	Roads, Labels, Flags int
	Attribution, Note    string
	NoteW                float64
}

// checkMap checks the map in element sel, on a server whose tiles fail: it
// has a size, the city's roads and their names are drawn, a note says the
// tiles failed, and the attribution is text with no flag.
func checkMap(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	step(t, ctx, "roads drawn and tiles given up", chromedp.WaitReady(chromedp.CSS(sel+`[data-roads][data-tiles-failed="1"] .map-note`)))
	m := value(t, ctx, "measure "+sel, chromedp.Evaluate[mapFacts](`(function () {
		var e = document.querySelector(`+"`"+sel+"`"+`), r = e.getBoundingClientRect();
		var a = e.querySelector('.leaflet-control-attribution'), n = e.querySelector('.map-note');
		return {W: r.width, H: r.height,
			Roads: e.querySelectorAll('.leaflet-havenRoads-pane path').length,
			Labels: e.querySelectorAll('.leaflet-havenRoadLabels-pane .road-label').length,
			Flags: a.querySelectorAll('svg, img').length, Attribution: a.textContent,
			Note: n.textContent, NoteW: n.getBoundingClientRect().width};
	})()`))
	if m.W <= 100 || m.H <= 100 {
		t.Errorf("%s is %.0f×%.0f px", sel, m.W, m.H)
	}
	if m.Roads < 10 || m.Labels < 10 {
		t.Errorf("%s: %d road lines, %d names drawn without tiles", sel, m.Roads, m.Labels)
	}
	if m.Flags != 0 || !strings.HasPrefix(m.Attribution, "Leaflet | ") {
		t.Errorf("%s attribution %q with %d icons", sel, m.Attribution, m.Flags)
	}
	if m.Note == "" || m.NoteW > m.W {
		t.Errorf("%s: the note %q is %.0f px wide in a %.0f px map", sel, m.Note, m.NoteW, m.W)
	}
}

// TestBrowserMaps: every page with a map, for the roles that see it, on a
// phone and on a desktop: the map has a size, and with the tiles failing
// it draws the city's roads, says the tiles failed and logs no error.
// Tiles that load hide the roads and need no note. A pin placed on GCJ-02
// tiles is stored in WGS-84.
func TestBrowserMaps(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	// A tile server that fails every tile until it is switched on.
	var tilesUp atomic.Bool
	var png bytes.Buffer
	if err := stdpng.Encode(&png, image.NewGray(image.Rect(0, 0, 256, 256))); err != nil {
		t.Fatal(err)
	}
	tiles := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tilesUp.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(png.Bytes())
	}))
	t.Cleanup(tiles.Close)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir(),
		"--map-tiles", "custom", "--tile-url", tiles.URL+"/{z}/{x}/{y}.png", "--tile-coords", "gcj02", "--tile-attribution", "© 测试瓦片")
	errs := listenConsole(t, ctx)
	pages := []struct{ role, path, sel string }{
		{"", "/help-points", "#points-map"},
		{"", "/help-points?lat=35.2969&lng=113.9174", "#points-map"},
		{"", "/report", "#pick-map"},
		{"admin", "/", "#map"},
		{"dispatcher", "/", "#map"},
		{"dispatcher", "/dispatch", "#board-map"},
		{"dispatcher", "/signals/new?channel=hotline", "#pick-map"},
		{"patrol", "/", "#map"},
		{"patrol", "/signals/new?channel=patrol", "#pick-map"},
		{"liaison", "/", "#map"},
		{"hospital", "/", "#map"},
	}
	signedIn := ""
	for _, p := range pages {
		if p.role != signedIn {
			if _, err := chromedp.Call(ctx, cdpnet.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			step(t, ctx, "desktop", chromedp.EmulateViewport(1440, 900))
			if p.role != "" {
				browserLogin(t, ctx, r.URL, p.role)
			}
			signedIn = p.role
		}
		for _, w := range []int64{390, 1440} {
			t.Run(fmt.Sprintf("%s%s/%d", p.role, p.path, w), func(t *testing.T) {
				step(t, ctx, "open", chromedp.EmulateViewport(w, 844), chromedp.Navigate(r.URL+p.path))
				checkMap(t, ctx, p.sel)
				if e := errs.take(); len(e) > 0 {
					t.Errorf("console: %q", e)
				}
			})
		}
	}

	t.Run("tiles that load cover the roads", func(t *testing.T) {
		tilesUp.Store(true)
		defer tilesUp.Store(false)
		step(t, ctx, "open the finder",
			chromedp.EmulateViewport(390, 844),
			chromedp.Navigate(r.URL+"/help-points"),
			chromedp.WaitReady(chromedp.CSS(`#points-map[data-roads] img.leaflet-tile-loaded`)),
		)
		got := value(t, ctx, "map", chromedp.Evaluate[map[string]string](`(function () {
			var e = document.getElementById('points-map'), z = function (p) { return getComputedStyle(e.querySelector('.leaflet-' + p + '-pane')).zIndex; };
			return {failed: e.dataset.tilesFailed || '', note: String(!!e.querySelector('.map-note')), roads: z('havenRoads'), names: z('havenRoadLabels'), tiles: z('tile'),
				attribution: e.querySelector('.leaflet-control-attribution').textContent};
		})()`))
		if got["failed"] != "" || got["note"] != "false" || got["attribution"] != "Leaflet | © 测试瓦片" {
			t.Errorf("with tiles: %v", got)
		}
		for _, p := range []string{"roads", "names"} {
			if n, _ := strconv.Atoi(got[p]); n >= 200 || got["tiles"] != "200" {
				t.Errorf("the %s pane (z-index %s) is not under the tiles (%s)", p, got[p], got["tiles"])
			}
		}
		if e := errs.take(); len(e) > 0 {
			t.Errorf("console: %q", e)
		}
	})

	t.Run("gcj02 conversion", func(t *testing.T) {
		// WGS-84 and GCJ-02 of the same places, from the published
		// conversion's reference implementations (eviltransform,
		// coordtransform).
		table := [][4]float64{
			{31.1774276, 121.5272106, 31.17530398364597, 121.531541859215}, // 上海
			{22.543847, 113.912316, 22.540796131694766, 113.9171764808363}, // 深圳
			{39.911954, 116.377817, 39.91334545536069, 116.38404722455657}, // 北京
			{39.915, 116.404, 39.91640428150164, 116.41024449916938},       // 北京 天安门
			{48.8566, 2.3522, 48.8566, 2.3522},                             // Paris: outside China, unchanged
			{35.3030, 113.9268, math.NaN(), math.NaN()},                    // 新乡: the round trip only
		}
		step(t, ctx, "a map page", chromedp.Navigate(r.URL+"/help-points"), chromedp.WaitReady(chromedp.CSS(`#points-map[data-ready="1"]`)))
		for _, c := range table {
			got := value(t, ctx, "convert", chromedp.Evaluate[[4]float64](fmt.Sprintf(
				`(function () { var g = HavenMap.wgs84ToGcj02(%v, %v), w = HavenMap.gcj02ToWgs84(g.lat, g.lng); return [g.lat, g.lng, w.lat, w.lng]; })()`, c[0], c[1])))
			if !math.IsNaN(c[2]) && (math.Abs(got[0]-c[2]) > 1e-9 || math.Abs(got[1]-c[3]) > 1e-9) {
				t.Errorf("WGS-84 %v,%v -> GCJ-02 %v,%v, want %v,%v", c[0], c[1], got[0], got[1], c[2], c[3])
			}
			if math.Abs(got[2]-c[0]) > 1e-8 || math.Abs(got[3]-c[1]) > 1e-8 { // 1e-8° ≈ 1 mm
				t.Errorf("round trip of %v,%v gives %v,%v", c[0], c[1], got[2], got[3])
			}
		}
	})

	t.Run("report pin on gcj02 tiles is stored in wgs84", func(t *testing.T) {
		step(t, ctx, "open the report page",
			chromedp.EmulateViewport(1440, 900),
			chromedp.Navigate(r.URL+"/report"),
			chromedp.WaitReady(chromedp.CSS(`#pick-map[data-roads]`)),
			// Close in, where one pixel is about 5 m.
			chromedp.Evaluate[chromedp.Void](`void HavenMap.of(document.getElementById('pick-map')).map.setZoom(15, {animate: false})`),
			chromedp.Evaluate[chromedp.Void](`void document.getElementById('pick-map').scrollIntoView({block: 'center'})`),
			chromedp.Click(chromedp.ID("pick-map")),
			chromedp.WaitReady(chromedp.CSS(`#pick-map[data-pinned="1"] .leaflet-marker-icon`)),
		)
		// Where on the map (in pixels from its centre, where the click
		// landed) the form's point is drawn when shifted to GCJ-02 as the
		// tiles need and when taken as it is, and where the pin's tip is.
		got := value(t, ctx, "pin", chromedp.Evaluate[map[string]float64](`(function () {
			var el = document.getElementById('pick-map'), hm = HavenMap.of(el), r = el.getBoundingClientRect();
			var lat = parseFloat(document.getElementById('lat').value), lng = parseFloat(document.getElementById('lng').value);
			var g = HavenMap.wgs84ToGcj02(lat, lng);
			var shifted = hm.map.latLngToContainerPoint([g.lat, g.lng]), plain = hm.map.latLngToContainerPoint([lat, lng]);
			var pin = el.querySelector('.leaflet-marker-icon').getBoundingClientRect();
			return {shiftedX: shifted.x - r.width / 2, shiftedY: shifted.y - r.height / 2, plainX: plain.x - r.width / 2, plainY: plain.y - r.height / 2,
				pinX: pin.left + pin.width / 2 - r.left - r.width / 2, pinY: pin.bottom - r.top - r.height / 2};
		})()`))
		if math.Hypot(got["shiftedX"], got["shiftedY"]) > 2 {
			t.Errorf("the form's point is drawn %.1f,%.1f px from where the map was clicked", got["shiftedX"], got["shiftedY"])
		}
		if math.Hypot(got["plainX"], got["plainY"]) < 50 {
			t.Errorf("the form holds the point as the GCJ-02 tiles draw it (%.1f,%.1f px away), not WGS-84", got["plainX"], got["plainY"])
		}
		if math.Hypot(got["pinX"], got["pinY"]) > 2 {
			t.Errorf("the pin's tip is %.1f,%.1f px from where the map was clicked", got["pinX"], got["pinY"])
		}
		if a := value(t, ctx, "attribution", chromedp.Text(chromedp.CSS(`#pick-map .leaflet-control-attribution`))); !strings.Contains(a, "道路为简化示意图") {
			t.Errorf("attribution without tiles: %q", a)
		}
	})
}
