package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// publicPages are the public pages every visitor must be able to use by
// keyboard, enlarged to 200 %: the front page, the core flows, giving,
// volunteering and an event (its address added from the front page).
var publicPages = []string{"/", "/report", "/help-points", "/notices", "/family/report", "/give", "/give/thanks", "/volunteer"}

// tabbables marks every element of the page Tab should reach with
// data-kb (a radio group is one stop: Tab enters it, arrows move in it)
// and answers the marks, in document order.
const tabbables = `(function () {
	var sel = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable]';
	var out = [];
	document.querySelectorAll(sel).forEach(function (el, i) {
		if (el.disabled || el.tabIndex < 0 || el.type === 'hidden' || el.closest('[inert]')) { return; }
		var d = el.closest('details');
		if (d && !d.open && !(el.tagName === 'SUMMARY' && el.parentElement === d)) { return; } // folded away: not a stop until opened
		var st = getComputedStyle(el);
		if (st.visibility === 'hidden' || el.getClientRects().length === 0) { return; }
		var key = el.type === 'radio' && el.name ? 'radio:' + el.name : 'el:' + i;
		el.dataset.kb = key;
		if (out.indexOf(key) < 0) { out.push(key); }
	});
	return out;
})()`

// focused describes the focused element: its mark, whether the browser
// shows it as keyboard focus, and whether a ring is drawn (an outline at
// least 2 px wide, not transparent, or a box shadow).
const focused = `(function () {
	var el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) { return {key: '', what: 'body', ring: true, visible: true}; }
	var st = getComputedStyle(el);
	var w = parseFloat(st.outlineWidth) || 0;
	var outline = st.outlineStyle !== 'none' && w >= 2 && !/rgba\(.*, 0\)$/.test(st.outlineColor) && st.outlineColor !== 'transparent';
	return {key: el.dataset.kb || '', what: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"',
		visible: el.matches(':focus-visible') || el.matches(':focus-within:not(:focus)'), ring: outline || (st.boxShadow && st.boxShadow !== 'none'),
		style: st.outlineStyle + ' ' + st.outlineWidth + ' ' + st.outlineColor + ' / ' + st.boxShadow};
})()`

type focusState struct {
	Key, What, Style string
	Visible, Ring    bool
}

// cutOff lists what a page cuts off or spills: the document scrolling
// sideways, a box that hides part of its content (overflow hidden or
// clip), text running out of a box too small for it, text beyond the
// edge of the screen. Maps draw in a box of their own and are left out;
// a box that scrolls (overflow auto) keeps everything reachable.
const cutOff = `(function () {
	var W = document.documentElement.clientWidth;
	var out = [];
	if (document.documentElement.scrollWidth > W + 1) { out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + W); }
	function name(el) { return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + el.className.split(' ').join('.') : '') + ' "' + el.textContent.trim().slice(0, 30) + '"'; }
	function scrolls(el) {
		for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) {
			var ox = getComputedStyle(p).overflowX;
			if (ox === 'auto' || ox === 'scroll') { return true; }
		}
		return false;
	}
	document.querySelectorAll('body *').forEach(function (el) {
		if (el.closest('.leaflet-container, script, style, noscript, svg, select, option, datalist')) { return; }
		var st = getComputedStyle(el);
		if (st.display === 'none' || st.visibility === 'hidden' || el.getClientRects().length === 0) { return; }
		var text = Array.prototype.some.call(el.childNodes, function (n) { return n.nodeType === 3 && n.textContent.trim() !== ''; });
		var control = /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
		var hides = function (o) { return o === 'hidden' || o === 'clip'; };
		if (!control && hides(st.overflowY) && el.scrollHeight > el.clientHeight + 1) { out.push('cut off below: ' + name(el)); }
		if (!control && hides(st.overflowX) && el.scrollWidth > el.clientWidth + 1) { out.push('cut off at the side: ' + name(el)); }
		if (text && !control && st.display !== 'inline' && st.overflowY === 'visible' && el.clientHeight > 0 && el.scrollHeight > el.clientHeight + 2) {
			out.push('text runs out of its box: ' + name(el) + ' ' + el.scrollHeight + ' > ' + el.clientHeight);
		}
		if (text && !control && st.overflowX === 'visible' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 2) {
			out.push('text runs out sideways: ' + name(el) + ' ' + el.scrollWidth + ' > ' + el.clientWidth);
		}
		if (text && !scrolls(el)) {
			var r = el.getBoundingClientRect();
			if (r.right > W + 1 || r.left < -1) { out.push('text beyond the screen: ' + name(el) + ' ' + Math.round(r.left) + '–' + Math.round(r.right)); }
		}
	});
	return out;
})()`

// A visitor who uses no mouse, one who enlarges the text to 200 %, and one
// whose browser runs no script can all use the public pages.
func TestBrowserPortalKeyboardZoomNoScript(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	// One visitor opens every page several times over: more than the
	// public rate limit lets one address do in a minute.
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1", "HAVEN_PUBLIC_RATE": "10000"}, "demo", "--data", t.TempDir())
	step(t, ctx, "front page", chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#front-events a`)))
	event := value(t, ctx, "the open day's page", chromedp.Evaluate[string](`document.querySelector('#front-events a').getAttribute('href')`))
	pages := append(append([]string{}, publicPages...), event)

	t.Run("keyboard", func(t *testing.T) {
		step(t, ctx, "a desktop screen", chromedp.EmulateViewport(1280, 900))
		for _, p := range pages {
			step(t, ctx, "open "+p, chromedp.Navigate(r.URL+p), chromedp.WaitReady(chromedp.CSS(`footer`)))
			if p == "/report" || p == "/help-points" {
				// the map's own controls and markers are stops too
				step(t, ctx, "the map on "+p, chromedp.WaitReady(chromedp.CSS(`.leaflet-container .leaflet-control-zoom-in`)))
			}
			want := value(t, ctx, "stops on "+p, chromedp.Evaluate[[]string](tabbables))
			if len(want) < 5 {
				t.Fatalf("%s: only %d stops found: %v", p, len(want), want)
			}
			seen := map[string]bool{}
			for i := 0; i < len(want)+10 && len(seen) < len(want); i++ {
				step(t, ctx, "Tab", chromedp.KeyEvent("\t"))
				f := value(t, ctx, "focus", chromedp.Evaluate[focusState](focused))
				if f.Key == "" {
					if f.What != "body" {
						t.Errorf("%s: Tab reached %s, which is not marked as a stop", p, f.What)
					}
					continue
				}
				if !f.Visible || !f.Ring {
					t.Errorf("%s: %s has focus with no visible ring (%s)", p, f.What, f.Style)
				}
				seen[f.Key] = true
			}
			for _, k := range want {
				if !seen[k] {
					what := value(t, ctx, "missed", chromedp.Evaluate[string](`(function(){var el=document.querySelector('[data-kb="`+k+`"]');return el.tagName.toLowerCase()+(el.id?'#'+el.id:'')+' "'+(el.textContent||el.value||'').trim().slice(0,30)+'"'})()`))
					t.Errorf("%s: Tab never reaches %s", p, what)
				}
			}
		}

		// Apply to volunteer with the keyboard alone: Tab to a field, type,
		// Space ticks a box, Enter sends.
		step(t, ctx, "the volunteer form", chromedp.Navigate(r.URL+"/volunteer"), chromedp.WaitVisible(chromedp.ID("apply")))
		tabTo := func(what string, js string) {
			t.Helper()
			for i := 0; i < 60; i++ {
				step(t, ctx, "Tab", chromedp.KeyEvent("\t"))
				if value(t, ctx, what, chromedp.Evaluate[bool](js)) {
					return
				}
			}
			t.Fatalf("Tab never reaches %s", what)
		}
		tabTo("the name", `document.activeElement.id === 'name'`)
		step(t, ctx, "type the name", chromedp.KeyEvent("王芳"))
		tabTo("the phone", `document.activeElement.id === 'phone'`)
		step(t, ctx, "type the phone", chromedp.KeyEvent("13800009999"))
		tabTo("driving", `document.activeElement.name === 'skills' && document.activeElement.value === 'driving'`)
		step(t, ctx, "tick driving", chromedp.KeyEvent(" "))
		tabTo("the availability", `document.activeElement.id === 'availability'`)
		step(t, ctx, "type the availability", chromedp.KeyEvent("weekends"))
		tabTo("the consent", `document.activeElement.id === 'consent'`)
		step(t, ctx, "tick the consent", chromedp.KeyEvent(" "))
		tabTo("the button", `document.activeElement.id === 'apply'`)
		step(t, ctx, "send with Enter", chromedp.KeyEvent("\r"), chromedp.WaitVisible(chromedp.ID("apply-done")))
		ref := value(t, ctx, "reference", chromedp.Text(chromedp.CSS(`.big-ref`)))
		if !strings.HasPrefix(strings.TrimSpace(ref), "ZY-") {
			t.Errorf("the application's reference reads %q", ref)
		}
	})

	t.Run("zoom 200%", func(t *testing.T) {
		// A 1280 px window at 200 %: a 640 px wide page, drawn twice as big.
		for _, lang := range []string{"zh-CN", "en"} {
			if lang == "en" {
				step(t, ctx, "switch to English", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.ID("lang-switch")),
					chromedp.Click(chromedp.ID("lang-switch")))
				waitLang(t, ctx, "en")
			}
			step(t, ctx, "zoom to 200%", chromedp.EmulateViewport(640, 450, chromedp.EmulateScale(2)))
			for _, p := range pages {
				step(t, ctx, fmt.Sprintf("%s %s", lang, p), chromedp.Navigate(r.URL+p), chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"] footer`)))
				if w := value(t, ctx, "width", chromedp.Evaluate[int](`window.innerWidth`)); w != 640 {
					t.Fatalf("the page is %d px wide, want 640", w)
				}
				for _, problem := range value(t, ctx, "cut off on "+p, chromedp.Evaluate[[]string](cutOff)) {
					t.Errorf("%s at 200%% in %s: %s", p, lang, problem)
				}
			}
		}
		step(t, ctx, "back to Chinese", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.ID("lang-switch")),
			chromedp.Click(chromedp.ID("lang-switch")))
		waitLang(t, ctx, "zh-CN")
	})

	t.Run("no script", func(t *testing.T) {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			t.Fatal(err)
		}
		defer chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
		step(t, ctx, "a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))

		// Report someone by the place's name: no map, no script.
		step(t, ctx, "the report page", chromedp.Navigate(r.URL+"/report"), chromedp.WaitVisible(chromedp.ID("report-submit")))
		if cls := value(t, ctx, "the map", chromedp.AttributeValue(chromedp.ID("pick-map"), "class")); strings.Contains(cls.Value, "leaflet") {
			t.Fatal("scripts ran: the map was drawn")
		}
		for _, id := range []string{"locate", "pick-map", "where-hint"} {
			if value(t, ctx, id, chromedp.Evaluate[bool](`!!document.getElementById('`+id+`').getClientRects().length`)) {
				t.Errorf("/report without scripts shows #%s, which needs them", id)
			}
		}
		step(t, ctx, "report by address",
			chromedp.Click(chromedp.CSS(`input[name="service_code"][value="begging"]`)),
			chromedp.SendKeys(chromedp.ID("description"), "火车站东广场有位老人在乞讨"),
			chromedp.SendKeys(chromedp.ID("address"), "新乡火车站东广场"),
			chromedp.Click(chromedp.ID("report-submit")),
			chromedp.WaitVisible(chromedp.ID("ref")),
		)
		if ref := value(t, ctx, "reference", chromedp.Text(chromedp.ID("ref"))); !strings.HasPrefix(ref, "HV-") {
			t.Errorf("the report's reference reads %q", ref)
		}

		// The help points near a place typed by name.
		step(t, ctx, "the help points", chromedp.Navigate(r.URL+"/help-points"), chromedp.WaitVisible(chromedp.ID("find")))
		if value(t, ctx, "locate", chromedp.Evaluate[bool](`!!document.getElementById('locate').getClientRects().length`)) {
			t.Error("/help-points without scripts shows the location button, which needs them")
		}
		step(t, ctx, "find by place",
			chromedp.SendKeys(chromedp.ID("place"), "新乡火车站"),
			chromedp.Click(chromedp.ID("find")),
			chromedp.WaitVisible(chromedp.CSS(`#points li[data-point] .distance`)),
		)
		if n := value(t, ctx, "points", chromedp.Evaluate[int](`document.querySelectorAll('#points li[data-point]').length`)); n < 2 {
			t.Errorf("%d help points listed", n)
		}

		// The notices and one notice.
		step(t, ctx, "the notices", chromedp.Navigate(r.URL+"/notices"), chromedp.WaitVisible(chromedp.CSS(`#notices a[href^="/notices/"]`)),
			chromedp.Click(chromedp.CSS(`#notices a[href^="/notices/"]`)), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if loc := value(t, ctx, "notice", chromedp.Location()); !strings.Contains(loc, "/notices/") {
			t.Errorf("the notice link led to %s", loc)
		}

		// A family reports someone missing.
		step(t, ctx, "the family report",
			chromedp.Navigate(r.URL+"/family/report"),
			chromedp.WaitVisible(chromedp.ID("family-report-submit")),
			chromedp.SendKeys(chromedp.ID("name"), "赵大山"),
			chromedp.SendKeys(chromedp.ID("birth_date"), "1958"),
			chromedp.SendKeys(chromedp.ID("lost_on"), time.Now().AddDate(0, -1, 0).Format("01022006")),
			chromedp.SendKeys(chromedp.ID("lost_place"), "获嘉县城"),
			chromedp.SendKeys(chromedp.ID("contact_name"), "赵小红"),
			chromedp.SendKeys(chromedp.ID("contact_phone"), "13903737777"),
			chromedp.Click(chromedp.ID("family-report-submit")),
			chromedp.WaitVisible(chromedp.CSS("#ref, #page-error")),
		)
		if errs := value(t, ctx, "errors", chromedp.Evaluate[[]string](`[...document.querySelectorAll('.field-error, #page-error')].map(function (e) { return e.textContent })`)); len(errs) > 0 {
			t.Fatalf("the family report without scripts is refused: %v", errs)
		}
		if ref := value(t, ctx, "report ref", chromedp.Text(chromedp.ID("ref"))); !strings.HasPrefix(ref, "XR-") {
			t.Errorf("the family report's reference reads %q", ref)
		}
	})
}
