package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The leader opens the dashboard on a phone: charts drawn, the heat map's
// hexagons on the map, the whole first load under 300 KB (map tiles
// aside); switches the period to the winter campaign's; opens the
// campaign report and downloads its workbook.
func TestBrowserLeaderDashboard(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "a phone", chromedp.EmulateViewport(390, 844))
	browserLogin(t, ctx, r.URL, "leader")
	step(t, ctx, "the dashboard, drawn",
		chromedp.WaitReady(chromedp.CSS(`#chart-trend .chart[data-drawn="1"] canvas`)),
		chromedp.WaitReady(chromedp.CSS(`#chart-channels .chart[data-drawn="1"]`)),
		chromedp.WaitReady(chromedp.CSS(`#heat-map .heat-hex`)),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#heat-top li').length > 0`),
	)
	// What the first load transferred: the page and everything it loaded
	// from Haven (compressed sizes); the map tiles come from elsewhere.
	kb := value(t, ctx, "weight", chromedp.Evaluate[float64](`(function(){
		var n = performance.getEntriesByType('navigation')[0].encodedBodySize;
		performance.getEntriesByType('resource').forEach(function(e){ if (e.name.indexOf(location.origin) === 0) { n += e.encodedBodySize; } });
		return n / 1024;
	})()`))
	if kb <= 0 || kb > 300 {
		t.Fatalf("the dashboard's first load is %.0f KB, want under 300", kb)
	}
	t.Logf("dashboard first load: %.0f KB", kb)
	// No chart or tile squeezes the page sideways on a phone.
	if w := value(t, ctx, "width", chromedp.Evaluate[float64](`document.documentElement.scrollWidth`)); w > 391 {
		t.Fatalf("the dashboard is %.0f px wide on a 390 px phone", w)
	}

	step(t, ctx, "the winter campaign's months",
		chromedp.SetValue(chromedp.ID("from"), "2024-11-01"),
		chromedp.SetValue(chromedp.ID("to"), "2025-03-31"),
		chromedp.Click(chromedp.CSS(`#dash-filter button[type=submit]`)),
	)
	waitFor(t, ctx, "the new period's page", `location.search.indexOf('from=2024-11-01') >= 0 && document.readyState === 'complete' &&
		document.getElementById('dash-period').textContent.indexOf('2024年11月1日') >= 0 && !!document.querySelector('#chart-trend .chart[data-drawn="1"]')`)
	months := value(t, ctx, "months", chromedp.Evaluate[string](`document.querySelector('#chart-trend tbody').textContent`))
	if !strings.Contains(months, "2024年11月") || !strings.Contains(months, "2025年3月") {
		t.Fatalf("the trend's months after switching the period: %q", months)
	}

	step(t, ctx, "the campaigns, and the winter campaign's report",
		chromedp.Navigate(r.URL+"/campaigns"),
		chromedp.WaitReady(chromedp.CSS(`a.campaign-report`)),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('a.campaign-report')].find(function(a){return a.closest('tr').textContent.indexOf('2024-11')>=0}).click()`),
		chromedp.WaitVisible(chromedp.ID("report-xlsx")),
	)
	got := value(t, ctx, "the workbook", chromedp.Evaluate[string](`new Promise(function(resolve){
		fetch(document.getElementById('report-xlsx').href, {credentials: 'same-origin'}).then(function(r){
			return r.arrayBuffer().then(function(b){
				var u = new Uint8Array(b);
				resolve(r.status + ' ' + r.headers.get('content-type') + ' ' + String.fromCharCode(u[0], u[1]) + ' ' + (r.headers.get('content-disposition')||''));
			});
		});
	})`, chromedp.EvalAwaitPromise))
	if !strings.HasPrefix(got, "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet PK attachment") {
		t.Fatalf("downloading the campaign report: %q", got)
	}
}

// waitFor polls a condition across a navigation (a form's submit), which
// chromedp's Poll does not survive: an evaluation begun on the page being
// replaced can fail ("could not find node") or hang, and only means "not
// yet", so each try has its own short timeout.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(tctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 20 s (%v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
