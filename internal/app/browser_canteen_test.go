package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A canteen worker (the safety account) on a phone records lunch with its
// samples: a sample of 100 g is refused with a clear message and what was
// typed kept; with 130 g the lunch is stored and shows first, today's.
func TestBrowserCanteenLunchOnPhone(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	browserLogin(t, ctx, r.URL, "safety")
	dish := func(i, f string) chromedp.CSS {
		return chromedp.CSS(`#meal-form input[name="dish.` + i + `.` + f + `"]`)
	}
	step(t, ctx, "the canteen page", chromedp.Navigate(r.URL+"/canteen"), chromedp.WaitVisible(chromedp.ID("meal-form")))
	step(t, ctx, "lunch with a 100 g sample",
		chromedp.SetValue(chromedp.ID("meal-kind"), "lunch"),
		chromedp.SendKeys(chromedp.ID("served"), "18"),
		chromedp.SendKeys(dish("0", "name"), "红烧茄子"),
		chromedp.SendKeys(dish("0", "grams"), "100"),
		chromedp.SendKeys(dish("1", "name"), "手擀面"),
		chromedp.SendKeys(dish("1", "grams"), "150"),
		chromedp.SendKeys(chromedp.ID("reviewer"), "陈刚"),
		chromedp.Click(chromedp.ID("meal-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#meal-form .field-error`)),
	)
	if msg := value(t, ctx, "the grams error", chromedp.Text(chromedp.CSS(`#meal-form .field-error`))); !strings.Contains(msg, "125") {
		t.Fatalf("a 100 g sample: %q", msg)
	}
	for _, f := range []struct{ i, f, want string }{{"0", "name", "红烧茄子"}, {"0", "grams", "100"}, {"1", "name", "手擀面"}, {"1", "grams", "150"}} {
		if v := value(t, ctx, "kept "+f.i+f.f, chromedp.Value(dish(f.i, f.f))); v != f.want {
			t.Fatalf("dish %s %s: %q, want %q kept", f.i, f.f, v, f.want)
		}
	}
	if v := value(t, ctx, "kind kept", chromedp.Value(chromedp.ID("meal-kind"))); v != "lunch" {
		t.Fatalf("meal kind: %q", v)
	}
	fridge := value(t, ctx, "the fridge", chromedp.Evaluate[string](`(function(){var s=document.getElementById('sample-unit');return s.options[s.selectedIndex].text})()`))
	if fridge != "留样冰箱" {
		t.Fatalf("sample fridge: %q", fridge)
	}
	step(t, ctx, "130 g",
		chromedp.SetValue(dish("0", "grams"), "130"),
		chromedp.Click(chromedp.ID("meal-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	first := value(t, ctx, "today's first meal", chromedp.Text(chromedp.CSS(`details.canteen-day[open] .canteen-meal`)))
	if !strings.Contains(first, "午餐") || !strings.Contains(first, "红烧茄子") || !strings.Contains(first, "130克") || !strings.Contains(first, "手擀面") {
		t.Fatalf("today's lunch: %q", first)
	}
	// Earlier days are folded; a page further back shows older meals.
	if open := value(t, ctx, "open days", chromedp.Evaluate[int](`document.querySelectorAll('details.canteen-day[open]').length`)); open != 1 {
		t.Errorf("open days: %d, want today only", open)
	}
	step(t, ctx, "older meals", chromedp.Click(chromedp.ID("meals-older")), chromedp.WaitVisible(chromedp.ID("meal-history")))
}
