package app

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	cdpnet "github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

func browserLogin(t *testing.T, ctx context.Context, base, user string) {
	t.Helper()
	step(t, ctx, "log in as "+user,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), user),
		chromedp.SendKeys(chromedp.ID("password"), "browser demo 1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
	)
}

// publicReport sends the public report form as a separate visitor would.
func publicReport(t *testing.T, base string, lat, lng float64, address string) {
	t.Helper()
	publicReportWithPhoto(t, base, lat, lng, address, nil)
}

// A dispatcher has the board open; a public report appears without reload;
// the dispatcher assigns the suggested team; the team's patrol member, on
// a phone, goes offline, records an encounter with outreach aid, comes
// back online and it syncs; the board shows the incident closed.
func TestBrowserDispatchNight(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	browserLogin(t, ctx, r.URL, "dispatcher")
	step(t, ctx, "open the board",
		chromedp.Navigate(r.URL+"/dispatch"),
		chromedp.WaitReady(chromedp.CSS(`#board[data-ready="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-status.on`)),
		chromedp.WaitReady(chromedp.CSS(`#board-map .leaflet-marker-icon`)), // teams drawn although tiles cannot load
	)
	pos := value(t, ctx, "team position", chromedp.Evaluate[[]float64](
		`(function(){var b=JSON.parse(document.getElementById('board-data').textContent);var x=b.teams.find(function(t){return t.name==='救助站巡查1队'});return [x.lat,x.lng];})()`))
	const address = "浏览器测试路1号天桥下"
	publicReport(t, r.URL, pos[0]+0.0004, pos[1]+0.0004, address)
	card := `[...document.querySelectorAll('.inc-card')].find(function(c){return c.querySelector('.where').textContent===` + "'" + address + "'" + `})`
	step(t, ctx, "the report appears live", chromedp.Poll[chromedp.Void](`!!`+card+` && `+card+`.dataset.state==='accepted'`))
	if os.Getenv("HAVEN_SCREENSHOT_BOARD") != "" {
		shot := value(t, ctx, "screenshot", chromedp.FullScreenshot(90))
		_ = os.WriteFile(os.Getenv("HAVEN_SCREENSHOT_BOARD"), shot, 0o644)
	}
	step(t, ctx, "open it and assign the suggested team",
		chromedp.Evaluate[chromedp.Void](card+`.click()`),
		chromedp.WaitVisible(chromedp.CSS(`#d-suggest button`)),
	)
	first := value(t, ctx, "suggestion", chromedp.Text(chromedp.CSS(`#d-suggest li span`)))
	if !strings.HasPrefix(first, "救助站巡查1队") {
		t.Fatalf("first suggestion %q, want the team next to the report", first)
	}
	step(t, ctx, "assign", chromedp.Click(chromedp.CSS(`#d-suggest button`)),
		chromedp.Poll[chromedp.Void](card+`.dataset.state==='dispatched' && `+card+`.textContent.indexOf('救助站巡查1队')>=0`))

	// The team's patrol member, on a phone: a browser of their own (a
	// second browser context of the shared Chromium).
	pctx := browser(t)
	browserLogin(t, pctx, r.URL, "patrol")
	// The quilts in the team's van, as its stock page shows them ("12 床").
	vanQuilts := func() int {
		t.Helper()
		step(t, pctx, "the van's stock", chromedp.Navigate(r.URL+"/supplies"), chromedp.WaitVisible(chromedp.CSS(`section[data-location]`)))
		q := value(t, pctx, "quilts in the van", chromedp.Evaluate[string](`(function(){var s=[...document.querySelectorAll('section[data-location]')].find(function(x){return x.dataset.location==='巡查一车（豫G·J0371）'});var q=s&&s.querySelector('tr[data-item="QUILT"] .qty');return q?q.textContent.trim():''})()`))
		n, err := strconv.Atoi(strings.TrimSuffix(q, " 床"))
		if err != nil {
			t.Fatalf("quilts in the van: %q", q)
		}
		return n
	}
	before := vanQuilts()
	step(t, pctx, "open the patrol app on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(r.URL+"/patrol/"),
		chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-ready="1"]`)),
		chromedp.WaitReady(chromedp.CSS(`#assignments li[data-incident]`)),
	)
	network := func(offline bool) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpnet.OverrideNetworkState, cdpnet.OverrideNetworkStateParams{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
			return err
		})
	}
	step(t, pctx, "go offline", network(true), chromedp.Poll[chromedp.Void](`!navigator.onLine`))
	step(t, pctx, "record an encounter offline",
		chromedp.Click(chromedp.CSS(`input[name="outcome"][value="outreach"]`)),
		chromedp.Click(chromedp.CSS(`input[name="states"][value="cold"]`)),
		chromedp.SendKeys(chromedp.ID("e-desc"), "男，约60岁"),
		chromedp.SendKeys(chromedp.ID("e-item"), "棉被"),
		chromedp.Click(chromedp.ID("e-save")),
		chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-queued="1"]`)),
	)
	step(t, pctx, "back online, it syncs", network(false), chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-queued="0"]`)))

	step(t, ctx, "the board shows it closed", chromedp.Poll[chromedp.Void](card+`.dataset.state==='closed'`))
	if got := value(t, ctx, "outcome", chromedp.Evaluate[string](card+`.querySelector('.outcome').textContent`)); got != "已现场救助" {
		t.Fatalf("closed with outcome %q", got)
	}
	// The quilt handed out offline left the team's van.
	if after := vanQuilts(); after != before-1 {
		t.Fatalf("quilts in the team's van: %d before the encounter, %d after, want one fewer", before, after)
	}
}

// Reports with only a typed address (no phone location): one the
// gazetteer places is drawn as approximate ("约在：人民公园…"); one it cannot
// is 位置待定 and not drawn at all. The dispatcher sends a team chosen by
// hand, then places the pin with a click on the map, after which the
// nearest teams are suggested.
func TestBrowserDispatchByHand(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	browserLogin(t, ctx, r.URL, "dispatcher")
	step(t, ctx, "open the board",
		chromedp.EmulateViewport(1440, 1000),
		chromedp.Navigate(r.URL+"/dispatch"),
		chromedp.WaitReady(chromedp.CSS(`#board[data-ready="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-status.on`)),
	)
	card := func(address string) string {
		return `[...document.querySelectorAll('.inc-card')].find(function(c){return c.querySelector('.where').textContent==='` + address + `'})`
	}
	marker := func(c string) string {
		return `document.querySelector('#board-map [data-incident="'+` + c + `.dataset.incident+'"]')`
	}

	const park = "人民公园东门附近有人躺着"
	publicReport(t, r.URL, 0, 0, park)
	step(t, ctx, "the geocoded report appears, approximately placed",
		chromedp.Poll[chromedp.Void](`!!`+card(park)+` && `+card(park)+`.querySelector('.loc').textContent.indexOf('约在：人民公园')===0 && !!`+marker(card(park))))

	const lost = "城东浏览器测试小区门口"
	publicReport(t, r.URL, 0, 0, lost)
	c := card(lost)
	step(t, ctx, "the unknown address appears as 位置待定, not on the map",
		chromedp.Poll[chromedp.Void](`!!`+c+` && `+c+`.querySelector('.loc-none').textContent==='位置待定'`))
	if drawn := value(t, ctx, "marker", chromedp.Evaluate[bool](`!!`+marker(c))); drawn {
		t.Fatal("an unlocated incident is drawn on the map")
	}
	step(t, ctx, "open it: no suggestion, but every free team to choose from",
		chromedp.Evaluate[chromedp.Void](c+`.click()`),
		chromedp.WaitVisible(chromedp.ID("d-pick")),
		chromedp.Poll[chromedp.Void](`document.querySelectorAll('#d-team option').length > 1 && !document.getElementById('d-pick-assign').disabled`),
	)
	if hint := value(t, ctx, "hint", chromedp.Text(chromedp.CSS(`#d-suggest li`))); !strings.HasPrefix(hint, "位置待定") {
		t.Fatalf("suggestions of an unlocated incident say %q", hint)
	}
	// The last team in the list, not the first: a choice, not a default.
	team := value(t, ctx, "a team", chromedp.Evaluate[string](`(function(){var s=document.getElementById('d-team');s.selectedIndex=s.options.length-1;return s.options[s.selectedIndex].textContent.split(' · ')[0]})()`))
	step(t, ctx, "send it by hand",
		chromedp.Click(chromedp.ID("d-pick-assign")),
		chromedp.Poll[chromedp.Void](c+`.dataset.state==='dispatched' && `+c+`.textContent.indexOf('`+team+`')>=0`),
	)

	step(t, ctx, "open it again: the pin can be placed",
		chromedp.Evaluate[chromedp.Void](c+`.click()`),
		chromedp.WaitVisible(chromedp.ID("d-place-map")),
	)
	step(t, ctx, "place its pin on the map",
		chromedp.Click(chromedp.ID("d-place-map")),
		chromedp.WaitReady(chromedp.CSS(`#board-map.board-placing`)),
	)
	// A spot of bare map near the middle: a click on a team's or a
	// hotspot's marker is that marker's, not the map's.
	box := value(t, ctx, "map box", chromedp.Evaluate[[]float64](`(function(){
		var m=document.getElementById('board-map'), b=m.getBoundingClientRect();
		for (var dy=0; dy<b.height/2-20; dy+=17) for (var dx=0; dx<b.width/2-20; dx+=23) {
			var x=b.left+b.width/2+dx, y=b.top+b.height/2+dy, e=document.elementFromPoint(x,y);
			if (e && m.contains(e) && !e.closest('.leaflet-interactive,.leaflet-control,.leaflet-marker-icon')) return [x,y];
		}
		return [b.left+b.width/2, b.top+b.height/2];
	})()`))
	step(t, ctx, "click where it is",
		chromedp.MouseClickXY(box[0], box[1]),
		chromedp.Poll[chromedp.Void](`!!`+marker(c)+` && !`+c+`.querySelector('.loc-none')`),
		chromedp.WaitVisible(chromedp.CSS(`#d-suggest li button`)), // the dialog is back, with the nearest teams
	)
	if toast := value(t, ctx, "toast", chromedp.Text(chromedp.ID("board-toast"))); !strings.HasPrefix(toast, "位置已更新") {
		t.Fatalf("after placing the pin: %q", toast)
	}
	// Its page says where the dispatcher put it, and who.
	id := value(t, ctx, "id", chromedp.Evaluate[string](c+`.dataset.incident`))
	step(t, ctx, "the incident page", chromedp.Navigate(r.URL+"/incidents/"+id), chromedp.WaitVisible(chromedp.ID("history")))
	where := value(t, ctx, "where", chromedp.Text(chromedp.ID("incident-where")))
	hist := value(t, ctx, "history", chromedp.Text(chromedp.ID("history")))
	if strings.Contains(where, "位置待定") || !strings.Contains(where, "调度员标定") || !strings.Contains(hist, "标定位置") || !strings.Contains(hist, team) {
		t.Fatalf("incident page: where %q, history %q", where, hist)
	}
}
