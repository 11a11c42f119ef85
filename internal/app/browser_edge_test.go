package app

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Names are text on the maps: a point's name an admin typed as markup
// shows literally in the public map's popup, and a hotspot's in the
// dispatch board's tooltip, and neither creates an element.
func TestBrowserMapNamesAreText(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	evil := `<a href="https://evil.example">x</a><img src=x onerror="window.pwned=1">`
	jar := newJarClient()
	csrf := jar.csrf(t, r.URL+"/login")
	res, err := jar.c.PostForm(r.URL+"/login", url.Values{"username": {"admin"}, "password": {"browser demo 1"}, "csrf_token": {csrf}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	csrf = jar.csrf(t, r.URL+"/admin/points")
	// At the railway station, where the finder looks.
	res, err = jar.c.PostForm(r.URL+"/admin/points", url.Values{"csrf_token": {csrf}, "name": {evil}, "kind": {"lottery"},
		"address": {"红旗区车站路 1 号"}, "lat": {"35.2969"}, "lng": {"113.9174"}, "hours": {"24h"}, "active": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || strings.Contains(string(b), `class="error`) {
		t.Fatalf("create point: %d\n%s", res.StatusCode, b)
	}
	step(t, ctx, "open the finder at the railway station",
		chromedp.Navigate(r.URL+"/help-points?lat=35.2969&lng=113.9174"),
		chromedp.WaitReady(chromedp.CSS(`#points-map[data-ready="1"] path.leaflet-interactive`)),
	)
	if n := value(t, ctx, "first point", chromedp.Evaluate[string](`document.querySelector('#points li[data-point]').dataset.name`)); n != evil {
		t.Fatalf("the nearest point is %q, not the test's", n)
	}
	// The first marker is the nearest point's (the phone's own marker
	// comes last).
	step(t, ctx, "open its popup",
		chromedp.Evaluate[chromedp.Void](`void document.querySelector('#points-map path.leaflet-interactive').dispatchEvent(new MouseEvent('click', {bubbles: true}))`),
		chromedp.WaitVisible(chromedp.CSS(`.leaflet-popup-content`)),
	)
	if n := value(t, ctx, "elements in the popup", chromedp.Evaluate[int](`document.querySelectorAll('.leaflet-popup-content a, .leaflet-popup-content img').length`)); n != 0 {
		t.Fatalf("the name became %d element(s) in the popup", n)
	}
	if txt := value(t, ctx, "popup text", chromedp.Text(chromedp.CSS(`.leaflet-popup-content`))); strings.TrimSpace(txt) != evil {
		t.Fatalf("popup shows %q, want the name literally", txt)
	}
	if p := value(t, ctx, "onerror ran", chromedp.Evaluate[bool](`window.pwned === 1`)); p {
		t.Fatal("the name's onerror handler ran")
	}

	// The same name on a hotspot, on the dispatchers' board.
	csrf = jar.csrf(t, r.URL+"/admin/hotspots")
	res, err = jar.c.PostForm(r.URL+"/admin/hotspots", url.Values{"csrf_token": {csrf}, "name": {evil}, "kind": {"other"},
		"district": {"红旗区"}, "address": {"车站路"}, "lat": {"35.2990"}, "lng": {"113.9200"}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Request.URL.RawQuery, "hotspot_created") {
		t.Fatalf("create hotspot: %d %s\n%s", res.StatusCode, res.Request.URL, b)
	}
	browserLogin(t, ctx, r.URL, "dispatcher")
	step(t, ctx, "open the board",
		chromedp.Navigate(r.URL+"/dispatch"),
		chromedp.WaitReady(chromedp.CSS(`#board[data-ready="1"]`)),
		chromedp.WaitReady(chromedp.CSS(`#board-map path.leaflet-interactive`)),
	)
	// Hover every marker and look at its tooltip.
	got := value(t, ctx, "tooltips", chromedp.Evaluate[[]int](`(function(){
		var found = 0, elems = 0;
		document.querySelectorAll('#board-map path.leaflet-interactive').forEach(function (p) {
			p.dispatchEvent(new MouseEvent('mouseover', {bubbles: true}));
			document.querySelectorAll('.leaflet-tooltip').forEach(function (tt) {
				elems += tt.querySelectorAll('a, img').length;
				if (tt.textContent.indexOf(`+strconvQuote(evil)+`) === 0) { found++; }
			});
			p.dispatchEvent(new MouseEvent('mouseout', {bubbles: true}));
		});
		return [found, elems];
	})()`))
	if got[1] != 0 || got[0] == 0 {
		t.Fatalf("board tooltips: %d show the hotspot's name as text, %d element(s) made from names", got[0], got[1])
	}
}

// strconvQuote writes s as a JavaScript string literal.
func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }
