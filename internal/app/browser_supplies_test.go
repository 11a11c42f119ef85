package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A patrol member on a phone hands out a coat from the patrol vehicle's
// stock (a fractional quantity is refused first, in Chinese); the stock
// page shows one coat fewer in the vehicle and the handout in its record.
func TestBrowserPatrolHandsOutACoat(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	browserLogin(t, ctx, r.URL, "patrol")
	const van = "巡查一车（豫G·J0371）"
	coats := func() string {
		return value(t, ctx, "coats in the van", chromedp.Evaluate[string](`(function(){var s=[...document.querySelectorAll('section[data-location]')].find(function(x){return x.dataset.location==='`+van+`'});var tr=s&&s.querySelector('tr[data-item="COAT"] .qty');return tr?tr.textContent.trim():''})()`))
	}
	step(t, ctx, "the supplies page", chromedp.Navigate(r.URL+"/supplies"), chromedp.WaitVisible(chromedp.CSS(`section[data-location]`)))
	before := coats()
	if before != "15 件" {
		t.Fatalf("coats in the van before: %q", before)
	}
	choose := `(function(){var s=document.getElementById('location_id');[...s.options].forEach(function(o){if(o.text==='` + van + `'){s.value=o.value}});
		var i=document.getElementById('item_id');[...i.options].forEach(function(o){if(o.text.indexOf('棉大衣')===0){i.value=o.value}})})()`
	step(t, ctx, "one and a half coats: refused",
		chromedp.Click(chromedp.ID("movement-open")),
		chromedp.WaitVisible(chromedp.ID("movement-form")),
		chromedp.Evaluate[chromedp.Void](choose),
		chromedp.SendKeys(chromedp.ID("qty"), "1.5"),
		chromedp.SendKeys(chromedp.ID("person_key"), "人民路桥下老人"),
		chromedp.Click(chromedp.ID("movement-submit")),
		chromedp.WaitVisible(chromedp.ID("qty-error")),
	)
	if msg := value(t, ctx, "qty error", chromedp.Text(chromedp.ID("qty-error"))); !strings.Contains(msg, "整数") {
		t.Fatalf("fractional quantity: %q", msg)
	}
	step(t, ctx, "one coat",
		chromedp.Evaluate[chromedp.Void](choose),
		chromedp.SetValue(chromedp.ID("qty"), "1"),
		chromedp.Click(chromedp.ID("movement-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if after := coats(); after != "14 件" {
		t.Fatalf("coats in the van after the handout: %q", after)
	}
	step(t, ctx, "the van's record",
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('section[data-location] h2 a')].find(function(a){return a.textContent==='`+van+`'}).click()`),
		chromedp.WaitVisible(chromedp.ID("movements")),
	)
	first := value(t, ctx, "latest movement", chromedp.Text(chromedp.CSS(`#movements tbody tr:first-child`)))
	if !strings.Contains(first, "发放") || !strings.Contains(first, "人民路桥下老人") || !strings.Contains(first, "-1") {
		t.Fatalf("latest movement: %q", first)
	}
}
