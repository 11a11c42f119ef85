package app

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	cdpnet "github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// badRadiosJS measures every radio button on the page: it answers how
// many there are and those drawn wider or taller than 24 px or whose
// label's text wraps (input{width:100%} once stretched them into ovals
// and squeezed their labels to one character a line).
const badRadiosJS = `(function(){
  var out = {n: 0, bad: []};
  document.querySelectorAll('input[type=radio]').forEach(function (r) {
    var b = r.getBoundingClientRect();
    if (!b.width && !b.height) { return; } // not shown
    out.n++;
    var lines = 0, label = r.closest('label');
    if (label) {
      var w = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
      while (w.nextNode()) {
        if (!w.currentNode.textContent.trim()) { continue; }
        var g = document.createRange();
        g.selectNodeContents(w.currentNode);
        var tops = {};
        [].forEach.call(g.getClientRects(), function (x) { tops[Math.round(x.top)] = 1; });
        lines = Math.max(lines, Object.keys(tops).length);
      }
    }
    if (b.width > 24 || b.height > 24 || lines !== 1) {
      out.bad.push(r.name + '=' + r.value + ': ' + Math.round(b.width) + 'x' + Math.round(b.height) + ' px, ' + lines + ' lines');
    }
  });
  return out;
})()`

type radioReport struct {
	N   int
	Bad []string
}

func checkRadios(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	got := value(t, ctx, "radios on "+where, chromedp.Evaluate[radioReport](badRadiosJS))
	if got.N == 0 {
		t.Fatalf("%s: no radio buttons shown", where)
	}
	for _, b := range got.Bad {
		t.Errorf("%s: radio %s", where, b)
	}
}

// shown is a script that tells whether the element with the id takes
// up room on the page.
func shown(id string) string {
	return `(function(){var e=document.getElementById('` + id + `');return !!e && e.getClientRects().length > 0})()`
}

func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, cdpnet.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
}

// longFloat finds a number with more decimals than anything measured has.
var longFloat = regexp.MustCompile(`\d\.\d{4,}`)

// What a new user meets in the first minutes, on a phone and at a desk:
// the patrol app on a phone that never ran it, the radio buttons of the
// forms, the live indicator, measured values, the supplies page and the
// hotline desk.
func TestBrowserFirstMinutes(t *testing.T) {
	t.Parallel()   // its own demo and browser context: nothing shared
	needBrowser(t) // skips here, before the demo starts, unless browser tests run
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())

	t.Run("patrol app from an empty profile", func(t *testing.T) {
		ctx := browser(t) // a profile of its own: no IndexedDB, no service worker
		browserLogin(t, ctx, r.URL, "patrol")
		step(t, ctx, "open the app on a phone",
			chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
			chromedp.Navigate(r.URL+"/patrol/"),
			chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-ready="1"]`)),
			chromedp.WaitReady(chromedp.CSS(`#net-status.on`)),
			chromedp.Poll[chromedp.Void](`document.getElementById('team').options.length > 0`),
		)
		buttons := func() [2]bool {
			return [2]bool{value(t, ctx, "start shown", chromedp.Evaluate[bool](shown("patrol-start"))),
				value(t, ctx, "stop shown", chromedp.Evaluate[bool](shown("patrol-stop")))}
		}
		state := func() string { return value(t, ctx, "patrol state", chromedp.Text(chromedp.ID("patrol-state"))) }
		if got := state(); got != "尚未开始巡查" || buttons() != [2]bool{true, false} {
			t.Fatalf("a fresh phone reads %q with start/stop shown %v", got, buttons())
		}
		if body := value(t, ctx, "page text", chromedp.Text(chromedp.CSS("body"))); strings.Contains(body, "Invalid Date") {
			t.Fatal("Invalid Date on the page")
		}
		if live := value(t, ctx, "online", chromedp.Text(chromedp.ID("net-status"))); live != "在线" {
			t.Errorf("the network indicator reads %q", live)
		}
		checkRadios(t, ctx, "the patrol outcome")

		step(t, ctx, "start a patrol", chromedp.Click(chromedp.ID("patrol-start")),
			chromedp.Poll[chromedp.Void](shown("patrol-stop")+` && !`+shown("patrol-start")))
		running := regexp.MustCompile(`^巡查进行中，开始于 \d{1,2}:\d{2}$`)
		if got := state(); !running.MatchString(got) {
			t.Fatalf("a running patrol reads %q", got)
		}
		// Kept on the phone: the app opened again knows the patrol.
		step(t, ctx, "open the app again", chromedp.Reload(), chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-ready="1"]`)),
			chromedp.Poll[chromedp.Void](shown("patrol-stop")))
		if got := state(); !running.MatchString(got) || buttons() != [2]bool{false, true} {
			t.Fatalf("after a reload: %q with start/stop shown %v", got, buttons())
		}
		// The start is sent first: until then the "waiting to send" line
		// above the buttons comes and goes, and a click aimed at the stop
		// button as the line vanishes lands beside it.
		step(t, ctx, "the start sent", chromedp.WaitReady(chromedp.CSS(`#patrol-app[data-queued="0"]`)))
		step(t, ctx, "end it", chromedp.Click(chromedp.ID("patrol-stop")),
			chromedp.Poll[chromedp.Void](shown("patrol-start")+` && !`+shown("patrol-stop")))

		// A queued entry the server refuses (a track that jumps 11 km in a
		// second) is shown with the reason, next to what it was.
		step(t, ctx, "queue an impossible track and sync",
			chromedp.Evaluate[chromedp.Void](`new Promise(function (ok, fail) {
			  var rq = indexedDB.open("haven-patrol", 1);
			  rq.onsuccess = function () {
			    var x = rq.result.transaction("queue", "readwrite"), now = Date.now();
			    x.objectStore("queue").add({op: "track", id: "0b6a4c1e-5d1f-4b7e-9a59-2f0d6a1c3e11",
			      data: [{lat: 35.30, lng: 113.92, t: now - 2000}, {lat: 35.40, lng: 113.92, t: now - 1000}]});
			    x.oncomplete = function () { window.dispatchEvent(new Event("online")); ok(true); };
			    x.onerror = function () { fail(x.error); };
			  };
			})`, chromedp.EvalAwaitPromise),
			chromedp.WaitVisible(chromedp.CSS(`#sync-problem-list li[data-op="track"]`)),
		)
		refused := value(t, ctx, "refusal", chromedp.Text(chromedp.CSS(`#sync-problem-list li[data-op="track"]`)))
		if !strings.Contains(refused, "巡查轨迹（2 个定位点）") || !strings.Contains(refused, "未被接受：轨迹：轨迹中有不可能的跳跃（速度过快）") {
			t.Fatalf("the refused entry reads %q", refused)
		}
		step(t, ctx, "read and dismissed", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("sync-problems")), // kept until read
			chromedp.Click(chromedp.ID("sync-problems-ok")), chromedp.WaitNotVisible(chromedp.ID("sync-problems")))
	})

	ctx := browser(t)
	t.Run("radios on the admission form", func(t *testing.T) {
		browserLogin(t, ctx, r.URL, "staff")
		for _, w := range []int64{390, 1440} {
			step(t, ctx, "admission form", chromedp.EmulateViewport(w, 900), chromedp.Navigate(r.URL+"/people/new"), chromedp.WaitVisible(chromedp.ID("admit-form")))
			checkRadios(t, ctx, "/people/new")
		}
	})

	t.Run("supplies: the stock first, the form on demand", func(t *testing.T) {
		step(t, ctx, "supplies", chromedp.EmulateViewport(1440, 900), chromedp.Navigate(r.URL+"/supplies"),
			chromedp.WaitVisible(chromedp.CSS(`section[data-location]`)))
		if value(t, ctx, "form shown", chromedp.Evaluate[bool](`document.getElementById('movement-form').checkVisibility()`)) {
			t.Fatal("the movement form is open before it is asked for")
		}
		closed := value(t, ctx, "closed form", chromedp.Evaluate[float64](`document.getElementById('movement').getBoundingClientRect().height`))
		stockTop := value(t, ctx, "stock top", chromedp.Evaluate[float64](`document.querySelector('section[data-location]').getBoundingClientRect().top`))
		if closed > 80 || stockTop > 900 {
			t.Errorf("the closed form takes %v px; the stock starts %v px down", closed, stockTop)
		}
		step(t, ctx, "ask for the form", chromedp.Click(chromedp.ID("movement-open")), chromedp.WaitVisible(chromedp.ID("movement-form")))
	})

	t.Run("measured values", func(t *testing.T) {
		signOut(t, ctx)
		browserLogin(t, ctx, r.URL, "medical")
		step(t, ctx, "a person with health checks", chromedp.Navigate(r.URL+"/station"), chromedp.WaitVisible(chromedp.CSS(`#in-station a`)),
			chromedp.Click(chromedp.CSS(`#in-station a`)), chromedp.WaitVisible(chromedp.CSS(`#checks .vitals`)))
		checks := value(t, ctx, "checks", chromedp.Text(chromedp.ID("checks")))
		if !regexp.MustCompile(`体温 \d{2}\.\d℃`).MatchString(checks) || longFloat.MatchString(checks) {
			t.Fatalf("health checks read %q", checks)
		}
	})

	t.Run("live indicator and hotline desk", func(t *testing.T) {
		signOut(t, ctx)
		browserLogin(t, ctx, r.URL, "dispatcher")
		step(t, ctx, "the board", chromedp.Navigate(r.URL+"/dispatch"), chromedp.WaitVisible(chromedp.CSS(`#live-status.on`)))
		if live := value(t, ctx, "live", chromedp.Text(chromedp.ID("live-status"))); live != "实时更新中" {
			t.Errorf("the live indicator reads %q", live)
		}
		step(t, ctx, "hotline entry", chromedp.Navigate(r.URL+"/signals/new?channel=hotline"), chromedp.WaitVisible(chromedp.ID("pick-map")))
		side := value(t, ctx, "columns", chromedp.Evaluate[bool](`document.getElementById('pick-map').getBoundingClientRect().left >
		  document.querySelector('fieldset.services').getBoundingClientRect().right`))
		if !side {
			t.Error("the hotline form does not put the map beside the call at 1440 px")
		}
		if value(t, ctx, "device location", chromedp.Evaluate[bool](`!!document.getElementById('locate')`)) {
			t.Error("the desk is offered its own location as the caller's")
		}
	})
}
