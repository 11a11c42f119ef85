package app

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// On a phone, a person types where they are and finds the nearest help
// point open now, on the map and in the list; the list holds only open
// points, nearest first, and the hotline is on the page.
func TestBrowserHelpPointOnPhone(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "open the finder on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(r.URL+"/help-points"),
		chromedp.WaitVisible(chromedp.ID("place")),
	)
	if w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the finder is %d px wide on a 390 px phone", w)
	}
	step(t, ctx, "type where I am",
		chromedp.SendKeys(chromedp.ID("place"), "新乡火车站"),
		chromedp.Click(chromedp.ID("find")),
		chromedp.WaitVisible(chromedp.CSS(`#points li[data-point] .distance`)),
	)
	opens := value(t, ctx, "open flags", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#points li[data-point]')].map(function(li){return li.dataset.open})`))
	dists := value(t, ctx, "distances", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#points li[data-point] .distance')].map(function(e){return e.textContent.replace(/[^0-9]/g,'')})`))
	if len(opens) == 0 || len(dists) != len(opens) {
		t.Fatalf("list: %v %v", opens, dists)
	}
	prev := -1
	for i := range opens {
		if opens[i] != "true" {
			t.Fatalf("a closed point is listed: %v", opens)
		}
		d, _ := strconv.Atoi(dists[i])
		if d < prev {
			t.Fatalf("not nearest first: %v", dists)
		}
		prev = d
	}
	if prev0, _ := strconv.Atoi(dists[0]); prev0 > 3000 {
		t.Fatalf("the nearest open point is %d m from the railway station", prev0)
	}
	if txt := value(t, ctx, "hotline", chromedp.Text(chromedp.CSS(`.emergency`))); !strings.Contains(txt, "0373-5089797") {
		t.Fatalf("hotline: %q", txt)
	}
	// The map draws the points (tiles may not load here; the markers do).
	step(t, ctx, "map", chromedp.WaitReady(chromedp.CSS(`#points-map[data-ready="1"] path.leaflet-interactive`)))
}
