package app

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/i18n"
)

// crawlWidths are the screens every page is looked at on: a phone (where
// it is opened) and a desktop.
var crawlWidths = []int64{390, 1440}

// crawlPerRole caps the pages looked at per role (one page per route
// pattern is looked at, so this is a guard against a runaway link, not a
// sample).
const crawlPerRole = 60

// crawlSkip matches the links the crawl does not follow: downloads,
// photos, feeds, JSON, machine interfaces and event streams.
var crawlSkip = regexp.MustCompile(`^/(static|api|open311)/|^/(metrics|healthz|readyz|favicon\.ico)$|/(download|photo|report|events|sw\.js|pfif)$|/photos/|\.(json|atom|xml|csv|xlsx|js|css|png|jpe?g|svg|ico)$`)

// idSegment matches a path segment that names one record: a UUID, a
// number, a reference such as HV-20261201-0007, or a token.
var idSegment = regexp.MustCompile(`^([0-9a-fA-F-]{16,}|\d+|[A-Z]{1,4}-[0-9A-Z-]+|[A-Za-z0-9_-]{20,})$`)

// routeOf names the route pattern of a path and query: record segments
// become {}, and the query keeps its parameter names only. The crawl looks
// at one page per pattern.
func routeOf(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "{}"
		}
	}
	p := strings.Join(segs, "/")
	if q := u.Query(); len(q) > 0 {
		keys := make([]string, 0, len(q))
		for k := range q {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		p += "?" + strings.Join(keys, "&")
	}
	return p
}

// crawlPageJS measures the page as it is drawn: the document's widths,
// every map's size, the text a reader sees (with the placeholders,
// titles and labels of the controls), and the page's links with whether
// they are in the top navigation.
const crawlPageJS = `(function () {
  var d = document.documentElement, out = {ScrollW: d.scrollWidth, ClientW: d.clientWidth, Maps: [], Links: [], Nav: [], Wide: [], Squeezed: []};
  document.querySelectorAll('.leaflet-container, .map, .board-map-box').forEach(function (m) {
    if (!m.getClientRects().length) { return; } // not shown (a closed panel)
    var r = m.getBoundingClientRect();
    out.Maps.push({ID: m.id || m.className, W: r.width, H: r.height});
  });
  // What a reader sees: shown text and the labels of controls, leaving
  // out computer code and what the page marks translate="no" (an API
  // scope, a partner's JSON mapping).
  var text = [document.title], mute = '[translate=no], code, kbd, samp, script, style, template, noscript';
  var w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    var el = w.currentNode.parentElement;
    if (w.currentNode.textContent.trim() && el && !el.closest(mute) && el.checkVisibility()) { text.push(w.currentNode.textContent); }
  }
  document.querySelectorAll('[placeholder], [title], [aria-label], input[type=submit][value], input[type=button][value]').forEach(function (e) {
    if (e.closest(mute)) { return; }
    ['placeholder', 'title', 'aria-label'].forEach(function (a) { if (e.hasAttribute(a)) { text.push(e.getAttribute(a)); } });
    if (e.type === 'submit' || e.type === 'button') { text.push(e.value); }
  });
  document.querySelectorAll('option, optgroup[label]').forEach(function (o) { if (!o.closest(mute)) { text.push(o.label || o.textContent); } });
  out.Text = text.join('\n');
  document.querySelectorAll('a[href]').forEach(function (a) {
    if (a.origin !== location.origin || a.hasAttribute('download')) { return; }
    out.Links.push(a.pathname + a.search);
    if (a.closest('.topnav')) { out.Nav.push(a.pathname + a.search); }
  });
  // Table cells squeezed to a character or two a line: narrower than
  // three characters while their text takes three lines or more.
  document.querySelectorAll('td, th').forEach(function (c) {
    if (out.Squeezed.length >= 3 || !c.checkVisibility() || c.textContent.trim().length < 3) { return; }
    var cs = getComputedStyle(c), fs = parseFloat(cs.fontSize), lh = parseFloat(cs.lineHeight) || fs * 1.5;
    var w = c.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    var h = c.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
    if (w < 3 * fs && h >= 3 * lh - 1) { out.Squeezed.push((c.closest('table').id || c.closest('table').className || 'table') + ': "' + c.textContent.trim().slice(0, 12) + '" ' + Math.round(w) + ' px wide'); }
  });
  // What sticks out of the window when the document is too wide.
  if (d.scrollWidth > d.clientWidth + 1) {
    var seen = 0;
    document.querySelectorAll('body *').forEach(function (e) {
      if (seen >= 3) { return; }
      var r = e.getBoundingClientRect();
      if (r.right > d.clientWidth + 1 && r.width > 0 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > d.clientWidth + 1)) {
        seen++;
        out.Wide.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(r.right));
      }
    });
  }
  return out;
})()`

type crawlMap struct {
	ID   string
	W, H float64
}

type crawlPage struct {
	ScrollW, ClientW float64
	Maps             []crawlMap
	Text             string
	Links, Nav, Wide []string
	Squeezed         []string
}

// mapsDrawnJS is true once every map on the page is a Leaflet map with
// the city's roads drawn.
const mapsDrawnJS = `[].every.call(document.querySelectorAll('.map, .board-map-box'), function (m) {
  return !m.getClientRects().length || (m.classList.contains('leaflet-container') && m.dataset.roads !== undefined);
})`

// keyLike matches a word shaped like a catalogue key ("nav.home",
// "err.not_found"); untranslatedKeys keeps those in a namespace of the
// catalogue, which is how i18n.T shows a key it has no text for.
var keyLike = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)

func untranslatedKeys(text string, namespaces map[string]bool) []string {
	var out []string
	for _, w := range strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '@' || r == '/' || r == ':' || r == '-')
	}) {
		w = strings.TrimRight(w, ".:")
		if keyLike.MatchString(w) && namespaces[w[:strings.IndexByte(w, '.')]] && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

// crawler walks one role's pages in its own browser context.
type crawler struct {
	t          *testing.T
	ctx        context.Context
	base, role string
	namespaces map[string]bool
	errs       *consoleErrors
	shots      string
	english    *sync.Map // route patterns already looked at in English
	fail       func(string)
}

// look opens path in the page's current language, on a phone first (so
// the page's scripts start on the narrow screen), checks it, then widens
// the window to each other width and checks it again. It returns the
// page's links and its top navigation, or nils when it did not open.
func (c *crawler) look(path, lang string, widths []int64) (links, nav []string) {
	ctx, cancel := context.WithTimeout(c.ctx, 40*time.Second)
	defer cancel()
	for i, w := range widths {
		where := fmt.Sprintf("%s %s %d px %s", c.who(), lang, w, path)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 844)); err != nil {
			c.fail(where + ": viewport: " + err.Error())
			return nil, nil
		}
		if i == 0 {
			res, err := chromedp.RunResponse(ctx, chromedp.Navigate(c.base+path))
			if err != nil {
				c.fail(where + ": open: " + err.Error())
				return nil, nil
			}
			if res != nil && res.Status >= 400 {
				c.fail(fmt.Sprintf("%s: HTTP %d", where, res.Status))
			}
			if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err == nil && got != lang {
				c.fail(fmt.Sprintf("%s: the page is in %q", where, got))
			}
		} else if err := chromedp.Do(ctx, chromedp.Poll[chromedp.Void](fmt.Sprintf(`window.innerWidth === %d`, w)),
			// Two frames: the layout and Leaflet's resize handler have run.
			chromedp.Evaluate[chromedp.Void](`new Promise(function (ok) { requestAnimationFrame(function () { requestAnimationFrame(function () { ok(); }); }); })`, chromedp.EvalAwaitPromise)); err != nil {
			c.fail(where + ": resize: " + err.Error())
			return nil, nil
		}
		mctx, mcancel := context.WithTimeout(ctx, 10*time.Second)
		if err := chromedp.Do(mctx, chromedp.Poll[chromedp.Void](mapsDrawnJS)); err != nil {
			c.fail(where + ": a map was not drawn within 10 s")
		}
		mcancel()
		p, err := chromedp.Run(ctx, chromedp.Evaluate[crawlPage](crawlPageJS))
		if err != nil {
			c.fail(where + ": measure: " + err.Error())
			return nil, nil
		}
		links, nav = p.Links, p.Nav
		if p.ScrollW > p.ClientW+1 {
			c.fail(fmt.Sprintf("%s: the page is %.0f px wide in a %.0f px window (%s)", where, p.ScrollW, p.ClientW, strings.Join(p.Wide, "; ")))
		}
		if len(p.Squeezed) > 0 {
			c.fail(fmt.Sprintf("%s: squeezed table cells: %s", where, strings.Join(p.Squeezed, "; ")))
		}
		for _, m := range p.Maps {
			if m.W < 100 || m.H < 100 {
				c.fail(fmt.Sprintf("%s: map %s is %.0f×%.0f px", where, m.ID, m.W, m.H))
			}
		}
		if keys := untranslatedKeys(p.Text, c.namespaces); len(keys) > 0 {
			c.fail(fmt.Sprintf("%s: untranslated keys %q", where, keys))
		}
		for _, e := range c.errs.take() {
			c.fail(where + ": console: " + e)
		}
		if c.shots != "" {
			name := fmt.Sprintf("%s_%s_%d_%s.png", c.who(), lang, w, strings.Trim(nonWord.ReplaceAllString(path, "_"), "_"))
			if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(c.shots, name), shot, 0o644)
			}
		}
	}
	return links, nav
}

var nonWord = regexp.MustCompile(`[^A-Za-z0-9]+`)

func (c *crawler) who() string {
	if c.role == "" {
		return "anonymous"
	}
	return c.role
}

// follow lists the links of a page the crawl should look at.
func follow(links []string) []string {
	var out []string
	for _, l := range links {
		u, err := url.Parse(l)
		if err != nil || crawlSkip.MatchString(u.Path) || u.Path == "/login" && len(u.Query()) > 0 {
			continue
		}
		out = append(out, u.Path+strings.TrimSuffix("?"+u.RawQuery, "?"))
	}
	return out
}

// crawl walks the role's pages breadth first from its start pages, one
// page per route pattern, in Chinese at every width; then its main pages
// (the start pages and the top navigation) in English on a phone, each
// page once for all roles.
// It returns the number of pages looked at.
func (c *crawler) crawl(starts []string) int {
	seen, perPath := map[string]bool{}, map[string]int{}
	queue := slices.Clone(starts)
	main := slices.Clone(starts)
	n := 0
	for len(queue) > 0 && n < crawlPerRole {
		path := queue[0]
		queue = queue[1:]
		u, _ := url.Parse(path)
		if seen[routeOf(u)] || perPath[u.Path] >= 3 {
			continue
		}
		seen[routeOf(u)] = true
		perPath[u.Path]++
		n++
		links, nav := c.look(path, "zh-CN", crawlWidths)
		if slices.Contains(starts, path) {
			for _, l := range follow(nav) {
				if !slices.Contains(main, l) {
					main = append(main, l)
				}
			}
		}
		queue = append(queue, follow(links)...)
	}
	if n >= crawlPerRole && len(queue) > 0 {
		c.t.Logf("%s: stopped after %d pages", c.who(), n)
	}
	// The main pages once in English.
	if err := chromedp.Do(c.ctx, chromedp.Navigate(c.base+main[0]), chromedp.Click(chromedp.ID("lang-switch")),
		chromedp.WaitReady(chromedp.CSS(`html[lang="en"] main`))); err != nil {
		c.fail(c.who() + ": switch to English: " + err.Error())
		return n
	}
	for i, path := range main {
		// The role's home page, and each other page once for all roles.
		if _, done := c.english.LoadOrStore(routeOf(mustURL(path)), true); done && i > 0 {
			continue
		}
		c.look(path, "en", crawlWidths[:1])
	}
	// Back to Chinese, as the account was.
	if err := chromedp.Do(c.ctx, chromedp.Navigate(c.base+main[0]), chromedp.Click(chromedp.ID("lang-switch")),
		chromedp.WaitReady(chromedp.CSS(`html[lang="zh-CN"] main`))); err != nil {
		c.fail(c.who() + ": switch back to Chinese: " + err.Error())
	}
	return n
}

// TestBrowserCrawlEveryRole walks every page each demo role reaches by
// following links (and the public pages, signed out), on a phone and on a
// desktop, in Chinese and its main pages in English, and fails on a
// document wider than the window, a table squeezed to a character or two
// a line, a console error or uncaught exception,
// a catalogue key shown instead of its text, and a map smaller than
// 100 px either way. HAVEN_SHOTS=/dir keeps a screenshot (PNG) of every page at every width.
func TestBrowserCrawlEveryRole(t *testing.T) {
	t.Parallel()   // its own demo and browser context: nothing shared
	needBrowser(t) // skips here, before the demo starts, unless browser tests run
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	namespaces := map[string]bool{}
	for _, k := range cat.Keys() {
		namespaces[k[:strings.IndexByte(k, '.')]] = true
	}
	shots := os.Getenv("HAVEN_SHOTS")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var failures []string
	english := &sync.Map{} // the route patterns looked at in English, by any role
	// Each role in a browser context of its own, one after the other in
	// this test's own slot beside the package's other tests (parallel
	// subtests would wait until every other test is done; more at once
	// starve the other tests' demos on two busy cores).
	var crawlers []*crawler
	for _, role := range append([]string{""}, rolesBySize()...) {
		ctx := browser(t)
		c := &crawler{t: t, ctx: ctx, base: r.URL, role: role, namespaces: namespaces, shots: shots, english: english,
			fail: func(s string) { mu.Lock(); failures = append(failures, s); mu.Unlock() }}
		c.errs = listenConsole(t, ctx)
		crawlers = append(crawlers, c)
	}
	for _, c := range crawlers {
		starts := []string{"/"}
		if c.role == "" {
			starts = []string{"/report", "/status", "/help-points", "/notices", "/family/report", "/login"}
		} else if err := c.login(); err != nil {
			c.fail(c.who() + ": log in: " + err.Error())
			continue
		}
		n := c.crawl(starts)
		t.Logf("%s: %d pages", c.who(), n)
		if min := map[string]int{"": 6, "admin": 15, "dispatcher": 5, "staff": 10, "medical": 5}[c.role]; n < min {
			c.fail(fmt.Sprintf("%s: only %d pages reached", c.who(), n))
		}
	}
	if len(failures) > 0 {
		sort.Strings(failures)
		t.Errorf("%d faults:\n%s", len(failures), strings.Join(failures, "\n"))
	}
}

// rolesBySize lists the demo roles, those with the most pages first, so
// the longest crawls start first.
func rolesBySize() []string {
	first := []string{"admin", "staff", "leader", "dispatcher"}
	out := slices.Clone(first)
	for _, r := range auth.Roles {
		if !slices.Contains(first, string(r)) {
			out = append(out, string(r))
		}
	}
	return out
}

// login signs the crawler's browser in as its role (browserLogin, without
// stopping the test).
func (c *crawler) login() error {
	ctx, cancel := context.WithTimeout(c.ctx, 40*time.Second)
	defer cancel()
	err := chromedp.Do(ctx,
		chromedp.Navigate(c.base+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), c.role),
		chromedp.SendKeys(chromedp.ID("password"), "browser demo 1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
	)
	c.errs.take()
	return err
}

func TestRouteOf(t *testing.T) {
	for in, want := range map[string]string{
		"/people/0b6a4c1e-5d1f-4b7e-9a59-2f0d6a1c3e11":        "/people/{}",
		"/stays/0b6a4c1e-5d1f-4b7e-9a59-2f0d6a1c3e11/forms/x": "/stays/{}/forms/x",
		"/notices/HV-20261201-0007":                           "/notices/{}",
		"/signals/new?channel=hotline":                        "/signals/new?channel",
		"/incidents?state=open&page=2":                        "/incidents?page&state",
		"/admin/users":                                        "/admin/users",
	} {
		if got := routeOf(mustURL(in)); got != want {
			t.Errorf("routeOf(%s) = %s, want %s", in, got, want)
		}
	}
	ns := map[string]bool{"nav": true, "err": true}
	if got := untranslatedKeys("首页 nav.home，err.not_found. a.b mail@nav.example.cn /nav.x http://err.y", ns); !slices.Equal(got, []string{"nav.home", "err.not_found"}) {
		t.Errorf("untranslatedKeys: %q", got)
	}
}
