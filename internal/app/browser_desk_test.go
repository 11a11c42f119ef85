package app

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The liaison officer of a 福彩 point, on a phone: an empty lead is refused
// in Chinese; a lead goes to the dispatcher and its reference shows on the
// desk, in the duty log and on the public status page; two bottles of
// water handed out leave the point's stock; another point's desk is
// refused.
func TestBrowserLiaisonDesk(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	step(t, ctx, "phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait))
	browserLogin(t, ctx, r.URL, "liaison")
	step(t, ctx, "the desk", chromedp.Navigate(r.URL+"/point"), chromedp.WaitVisible(chromedp.ID("lead-form")))
	if title := value(t, ctx, "desk title", chromedp.Text(chromedp.ID("desk-title"))); title != "福彩救助点（人民路）" {
		t.Fatalf("the liaison's desk is %q", title)
	}
	if w := value(t, ctx, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the desk is %d px wide on a 390 px phone", w)
	}
	step(t, ctx, "an empty lead", chromedp.Click(chromedp.ID("lead-submit")), chromedp.WaitVisible(chromedp.ID("service-error")))
	if msg := value(t, ctx, "service error", chromedp.Text(chromedp.ID("service-error"))); !strings.Contains(msg, "必填") {
		t.Fatalf("empty lead: %q", msg)
	}
	step(t, ctx, "a lead",
		chromedp.SetValue(chromedp.ID("service_code"), "weather_exposure"),
		chromedp.SendKeys(chromedp.ID("description"), "投注站门口有位老人躺在地上，衣服单薄"),
		chromedp.Click(chromedp.ID("lead-submit")),
		chromedp.WaitVisible(chromedp.ID("lead-ref")),
	)
	ref := value(t, ctx, "lead ref", chromedp.Evaluate[string](`(document.getElementById('lead-ref').textContent.match(/[A-Z]{2}-[0-9A-Z]+/)||[''])[0]`))
	if ref == "" {
		t.Fatal("no reference for the lead")
	}
	if row := value(t, ctx, "log", chromedp.Text(chromedp.CSS(`#desk-log tbody tr:first-child`))); !strings.Contains(row, ref) || !strings.Contains(row, "转报调度") {
		t.Fatalf("the duty log's latest line: %q", row)
	}
	water := func() string {
		return value(t, ctx, "water", chromedp.Evaluate[string](`(function(){var q=document.querySelector('#desk-stock tr[data-item="WATER"] .qty');return q?q.firstChild.textContent.trim():''})()`))
	}
	if w := water(); w != "24 瓶" {
		t.Fatalf("water at the point before: %q", w)
	}
	step(t, ctx, "two bottles of water",
		chromedp.Evaluate[chromedp.Void](`(function(){var i=document.getElementById('item_id');[...i.options].forEach(function(o){if(o.text.indexOf('矿泉水')===0){i.value=o.value}})})()`),
		chromedp.SendKeys(chromedp.ID("qty"), "2"),
		chromedp.SendKeys(chromedp.ID("person_key"), "门口避寒的老人"),
		chromedp.Click(chromedp.ID("handout-submit")),
		chromedp.WaitNotPresent(chromedp.ID("lead-ref")), // the page after the handout
		chromedp.WaitVisible(chromedp.CSS(`.notice`)),
	)
	if w := water(); w != "22 瓶" {
		t.Fatalf("water at the point after: %q", w)
	}
	step(t, ctx, "the public status of the lead", chromedp.Navigate(r.URL+"/status?ref="+ref), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if body := value(t, ctx, "status", chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(body, ref) {
		t.Fatalf("the status page does not know %s: %q", ref, body)
	}

	// Another point's desk.
	res, err := http.Get(r.URL + "/api/v1/help-points?all=1")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var found struct {
		Points []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"points"`
	}
	if err := json.NewDecoder(res.Body).Decode(&found); err != nil {
		t.Fatal(err)
	}
	other := ""
	for _, p := range found.Points {
		if p.Name == "福彩救助点（平原路）" {
			other = p.ID
		}
	}
	if other == "" {
		t.Fatalf("no 平原路 point in %+v", found)
	}
	step(t, ctx, "another point's desk", chromedp.Navigate(r.URL+"/points/"+other+"/desk"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if body := value(t, ctx, "refused", chromedp.Text(chromedp.CSS(`main`))); !strings.Contains(body, "没有权限") {
		t.Fatalf("another point's desk: %q", body)
	}
	if n := value(t, ctx, "forms", chromedp.Evaluate[int](`document.querySelectorAll('#lead-form').length`)); n != 0 {
		t.Fatal("another point's desk shows its forms")
	}
}
