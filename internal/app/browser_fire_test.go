package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// A night patrol on a phone: the safety officer's home shows the demo's
// overdue hazard; a typed code that names no checkpoint is refused with
// the code kept; the patrol opens three checkpoints as their QR codes do
// and checks each in; the round lists the three, at night, in order.
// HAVEN_SHOTS=/dir keeps the fire pages at 390 and 1440 px.
func TestBrowserFireNightPatrol(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	// The night of the fire patrols is set to take in every hour but one
	// half a day away, whenever the test runs (a night is H-H across
	// midnight): a demo round the test's scans join may have begun an hour
	// or two ago, and it too is at night.
	cst := time.FixedZone("CST", 8*3600)
	x := (time.Now().In(cst).Hour() + 12) % 24
	if x == 23 {
		x = 22
	}
	night := fmt.Sprintf("%d-%d", x+1, x)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1", "HAVEN_FIRE_NIGHT": night}, "demo", "--data", t.TempDir())
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	browserLogin(t, ctx, r.URL, "safety")

	step(t, ctx, "the safety officer's home", chromedp.WaitVisible(chromedp.ID("fire-home")))
	overdue := value(t, ctx, "overdue hazards", chromedp.Evaluate[string](
		`[...document.querySelectorAll('#fire-home-hazards li[data-state="overdue"]')].map(function(l){return l.textContent}).join('|')`))
	if !strings.Contains(overdue, "安全出口前堆放被褥杂物") || !strings.Contains(overdue, "整改逾期") {
		t.Fatalf("the home page's overdue hazards: %q", overdue)
	}

	step(t, ctx, "a code that names no checkpoint",
		chromedp.Navigate(r.URL+"/fire/patrol"),
		chromedp.WaitVisible(chromedp.ID("code-form")),
		chromedp.SendKeys(chromedp.ID("code"), "XC-99"),
		chromedp.Submit(chromedp.ID("code")),
		chromedp.WaitVisible(chromedp.ID("code-error")),
	)
	if msg := value(t, ctx, "code error", chromedp.Text(chromedp.ID("code-error"))); !strings.Contains(msg, "没有这个巡查点") {
		t.Fatalf("unknown checkpoint: %q", msg)
	}
	if v := value(t, ctx, "code kept", chromedp.Value(chromedp.ID("code"))); v != "XC-99" {
		t.Fatalf("the typed code was not kept: %q", v)
	}
	// The demo walks rounds at 22:30, 00:30, 02:30, 04:30 and 10:00; a
	// scan within 40 minutes of a round's last one joins it. The page
	// shows the last round, open or not: open when its last scan (shown to
	// the minute) is within 40 minutes, and then the test's scans continue
	// it; near that line they may join it or begin a new round.
	last := value(t, ctx, "the last round", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#current-round li')].map(function(l){return l.textContent.trim()})`))
	before, either := 0, false
	if n := len(last); n > 0 {
		at, err := time.ParseInLocation("2006-01-02 15:04", strings.Join(strings.Fields(last[n-1])[:2], " "), cst)
		if err != nil {
			t.Fatalf("the last round's last scan %q: %v", last[n-1], err)
		}
		switch gap := time.Since(at); {
		case gap <= 39*time.Minute:
			before = n
		case gap <= 42*time.Minute:
			before, either = n, true
		}
	}
	for _, code := range []string{"XC-01", "XC-02", "XC-03"} {
		step(t, ctx, "scan "+code,
			chromedp.Navigate(r.URL+"/fire/cp/"+code), // what the label's QR code opens
			chromedp.WaitVisible(chromedp.ID("scan-form")),
			chromedp.Click(chromedp.ID("scan-submit")),
			chromedp.WaitVisible(chromedp.ID("current-round")),
		)
		if n := value(t, ctx, "notice", chromedp.Text(chromedp.CSS(".notice"))); !strings.Contains(n, "已打卡") {
			t.Fatalf("after %s: %q", code, n)
		}
	}
	round := value(t, ctx, "the round", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#current-round li')].map(function(l){return l.textContent.trim()})`))
	if either && len(round) == 3 {
		before = 0 // the test's scans began a new round
	}
	if len(round) != before+3 {
		t.Fatalf("the round (%d scans before the test's): %q", before, round)
	}
	mine := round[before:]
	// Only a round the test joined can find its first scan out of order.
	if !strings.Contains(mine[0], "一楼大厅与消防控制室") || !strings.Contains(mine[2], "二楼女宿舍走廊") ||
		strings.Contains(strings.Join(mine[1:], ""), "顺序不符") || (before == 0 && strings.Contains(mine[0], "顺序不符")) {
		t.Fatalf("the round (%d scans before the test's): %q", before, round)
	}
	if w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the patrol page is %d px wide on a 390 px phone", w)
	}
	step(t, ctx, "the fire page", chromedp.Navigate(r.URL+"/fire"), chromedp.WaitVisible(chromedp.ID("patrols")))
	first := value(t, ctx, "latest round", chromedp.Text(chromedp.CSS("#patrols .fire-round")))
	if !strings.Contains(first, "夜间") || !strings.Contains(first, fmt.Sprintf("打卡%d处", before+3)) {
		t.Fatalf("the latest round on the fire page: %q", first)
	}
	if w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the fire page is %d px wide on a 390 px phone", w)
	}

	dir := os.Getenv("HAVEN_SHOTS")
	if dir == "" {
		return
	}
	for _, width := range []int64{390, 1440} {
		vp := chromedp.EmulateViewport(width, 900)
		if width < 600 {
			vp = chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		step(t, ctx, "viewport", vp)
		for name, path := range map[string]string{"home": "/", "fire": "/fire", "patrol": "/fire/patrol", "checkpoint": "/fire/cp/XC-04",
			"register": "/fire/print/register", "patrols": "/fire/print/patrols", "inspections": "/fire/print/inspections",
			"hazards": "/fire/print/hazards", "labels": "/fire/labels?what=checkpoints"} {
			step(t, ctx, name, chromedp.Navigate(r.URL+path), chromedp.WaitReady(chromedp.CSS("main")))
			png := value(t, ctx, "screenshot", chromedp.FullScreenshot(100))
			_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("fire-%s-%d.png", name, width)), png, 0o644)
		}
	}
}
