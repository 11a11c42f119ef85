package app

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A citizen on a phone opens the front page, finds the hotline as a link
// to call, finds the nearest open help point, and registers for the
// open day.
func TestBrowserPortalCitizenOnPhone(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "open the front page on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(chromedp.ID("front-hotline")),
	)
	if w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the front page is %d px wide on a 390 px phone", w)
	}
	if href := value(t, ctx, "hotline link", chromedp.Evaluate[string](`document.querySelector('#front-hotline a').getAttribute('href')`)); href != "tel:03735089797" {
		t.Fatalf("the hotline links to %q", href)
	}
	// The hotline is in the header of every public page too.
	if href := value(t, ctx, "header hotline", chromedp.Evaluate[string](`document.querySelector('.top-hotline a').getAttribute('href')`)); href != "tel:03735089797" {
		t.Fatalf("the header's hotline links to %q", href)
	}
	step(t, ctx, "find the nearest help point",
		chromedp.Click(chromedp.ID("front-points")),
		chromedp.WaitVisible(chromedp.ID("place")),
		chromedp.SendKeys(chromedp.ID("place"), "新乡火车站"),
		chromedp.Click(chromedp.ID("find")),
	)
	// The search submits the form: the list with distances is a new page.
	waitFor(t, ctx, "the points listed by distance", `location.search.indexOf("place=") >= 0 && document.readyState === "complete" && !!document.querySelector("#points li[data-point] .distance")`)
	if open := value(t, ctx, "first point", chromedp.Evaluate[string](`document.querySelector('#points li[data-point]').dataset.open`)); open != "true" {
		t.Fatalf("the first point listed is not open: %q", open)
	}
	step(t, ctx, "open the open day from the front page",
		chromedp.Navigate(r.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#front-events a`)),
		chromedp.Click(chromedp.CSS(`#front-events a`)),
		chromedp.WaitVisible(chromedp.ID("register-form")),
		chromedp.SendKeys(chromedp.ID("name"), "王芳"),
		chromedp.SendKeys(chromedp.ID("phone"), "13800007777"),
		chromedp.Click(chromedp.ID("register")),
		chromedp.WaitVisible(chromedp.ID("event-ref")),
	)
	ref := value(t, ctx, "reference", chromedp.Text(chromedp.ID("event-ref")))
	if !regexp.MustCompile(`^KF-[0-9A-Z]{8}$`).MatchString(strings.TrimSpace(ref)) {
		t.Fatalf("the confirmation shows %q", ref)
	}
}

// Every public page passes axe-core with no serious or critical
// violation, in both languages, at 390 and 1280 px. axe-core is vendored
// in testdata/axe (from the npm registry) and injected by the test: it is
// never part of the binary.
func TestBrowserPortalAccessibility(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	axe, err := os.ReadFile("testdata/axe/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "front page", chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.ID("front-hotline")))
	link := func(sel string) string {
		return value(t, ctx, sel, chromedp.Evaluate[string](`(document.querySelector('`+sel+`')||{getAttribute:function(){return ''}}).getAttribute('href')`))
	}
	pages := []string{"/", "/report", "/help-points", "/notices", "/family/report", "/status", "/news", "/volunteer", "/give", "/give/thanks", "/login",
		"/volunteer/join/" + strings.Repeat("A", 32)} // a sign-up link that does not work: the page that says so
	for _, sel := range []string{"#front-events a", "#front-news li a", "#front-notices li a"} {
		if h := link(sel); h != "" {
			pages = append(pages, h)
		} else {
			t.Errorf("the demo's front page has no %s", sel)
		}
	}
	const run = `axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}, resultTypes: ['violations']}).then(function (res) {
		return res.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical' }).map(function (v) {
			return v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(function (n) { return n.target.join(' ') }).join(', ')
		})
	})`
	for _, lang := range []string{"zh-CN", "en"} {
		if lang == "en" {
			step(t, ctx, "switch to English", chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.ID("lang-switch")), chromedp.Click(chromedp.ID("lang-switch")))
			waitLang(t, ctx, "en")
		}
		for _, width := range []int{390, 1280} {
			for _, p := range pages {
				step(t, ctx, fmt.Sprintf("%s %d %s", lang, width, p),
					chromedp.EmulateViewport(int64(width), 900),
					chromedp.Navigate(r.URL+p),
					chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"] main`)),
					chromedp.Evaluate[chromedp.Void](string(axe)),
				)
				found := value(t, ctx, "axe "+p, chromedp.Evaluate[[]string](run, chromedp.EvalAwaitPromise))
				for _, v := range found {
					t.Errorf("%s at %d px in %s: %s", p, width, lang, v)
				}
			}
		}
	}
}
