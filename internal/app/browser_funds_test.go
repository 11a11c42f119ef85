package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The money of one exit: staff send a man home with a travel voucher;
// finance approves the request it filed, the cashier (a second finance
// account) pays it, the voucher prints, and the travel line's spending
// on the budget-against-actual table moves by its amount. Then staff
// refer him to 临时救助 (the form refuses a referral without consent,
// keeping what was typed) and finance reads the referral.
// HAVEN_SHOTS=/dir keeps screenshots of the pages at 390 and 1440 px.
func TestBrowserTravelVoucherThroughFunds(t *testing.T) {
	t.Parallel()
	staff := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	shots := os.Getenv("HAVEN_SHOTS")
	shoot := func(ctx context.Context, name string) {
		if shots == "" {
			return
		}
		for _, w := range []int64{390, 1440} {
			step(t, ctx, "viewport", chromedp.EmulateViewport(w, 844))
			if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
				_ = os.WriteFile(filepath.Join(shots, fmt.Sprintf("funds_%s_%d.png", name, w)), png, 0o644)
			}
		}
		step(t, ctx, "viewport", chromedp.EmulateViewport(1280, 900))
	}
	finance := browser(t)
	browserLogin(t, finance, r.URL, "finance")
	travelSpent := func() string {
		step(t, finance, "the funds page", chromedp.Navigate(r.URL+"/funds"), chromedp.WaitVisible(chromedp.CSS(`tr[data-line="travel"]`)))
		return value(t, finance, "travel spent", chromedp.Evaluate[string](`document.querySelector('tr[data-line="travel"] td:nth-child(3)').textContent.trim()`))
	}
	before := travelSpent()

	browserLogin(t, staff, r.URL, "staff")
	step(t, staff, "admit a man",
		chromedp.Navigate(r.URL+"/people/new"),
		chromedp.WaitVisible(chromedp.ID("admit-form")),
		chromedp.SetValue(chromedp.ID("sex"), "male"),
		chromedp.SendKeys(chromedp.ID("name"), "高建民"),
		chromedp.SendKeys(chromedp.ID("age_min"), "50"),
		chromedp.SendKeys(chromedp.ID("age_max"), "55"),
		chromedp.SendKeys(chromedp.ID("reason"), "务工返乡途中钱物被盗"),
		chromedp.Click(chromedp.CSS(`input[name="security"][value="passed"]`)),
		chromedp.Click(chromedp.ID("admit-submit")),
		chromedp.WaitVisible(chromedp.ID("stay")),
	)
	path := value(t, staff, "person page", chromedp.Evaluate[string](`location.pathname`))
	personID := strings.TrimPrefix(path, "/people/")

	// a referral without consent is refused, the input kept
	step(t, staff, "refer without consent",
		chromedp.Navigate(r.URL+"/assistance/new?person_id="+personID),
		chromedp.WaitVisible(chromedp.ID("assistance-form")),
		chromedp.Click(chromedp.CSS(`input[name="programme"][value="temporary"]`)),
		chromedp.Click(chromedp.CSS(`input[name="sudden"]`)),
		chromedp.SendKeys(chromedp.ID("hardship"), "钱物被盗"),
		chromedp.SendKeys(chromedp.ID("requested"), "800"),
		chromedp.SendKeys(chromedp.ID("office"), "红旗区民政局"),
		chromedp.Click(chromedp.ID("assistance-submit")),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
	)
	shoot(staff, "assistance_new_error")
	if office := value(t, staff, "office kept", chromedp.Evaluate[string](`document.getElementById('office').value`)); office != "红旗区民政局" {
		t.Fatalf("the office typed was not kept: %q", office)
	}
	if msg := value(t, staff, "consent message", chromedp.Evaluate[string](`document.body.innerText`)); !strings.Contains(msg, "须经本人同意方可转介") {
		t.Fatalf("no consent message")
	}
	step(t, staff, "refer with consent",
		chromedp.Click(chromedp.ID("consent")),
		chromedp.Click(chromedp.ID("assistance-submit")),
		chromedp.WaitVisible(chromedp.ID("referral")),
	)
	referral := value(t, staff, "referral page", chromedp.Evaluate[string](`location.pathname`))
	shoot(staff, "assistance_referral")

	step(t, staff, "home with a travel voucher",
		chromedp.Navigate(r.URL+path),
		chromedp.WaitVisible(chromedp.ID("exit-link")),
		chromedp.Click(chromedp.ID("exit-link")),
		chromedp.WaitVisible(chromedp.ID("exit-form")),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="return_home"]`)),
		chromedp.SendKeys(chromedp.ID("destination"), "河南省周口市川汇区"),
		chromedp.Click(chromedp.CSS(`input[name="voucher_mode"][value="ticket"]`)),
		chromedp.SendKeys(chromedp.ID("voucher_route"), "新乡—周口"),
		chromedp.SetValue(chromedp.ID("voucher_cost"), "61.5"),
		chromedp.Click(chromedp.ID("exit-submit")),
		chromedp.WaitVisible(chromedp.ID("form-service_exit")),
	)
	step(t, staff, "the voucher on his record",
		chromedp.Navigate(r.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`#payments li[data-state="requested"]`)),
	)
	shoot(staff, "person")
	expense := value(t, staff, "expense link", chromedp.Evaluate[string](`document.querySelector('#payments li[data-state="requested"] a').getAttribute('href')`))

	step(t, finance, "finance approves",
		chromedp.Navigate(r.URL+expense),
		chromedp.WaitVisible(chromedp.ID("approve")),
		chromedp.Click(chromedp.ID("approve")),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="approved"]`)),
	)
	step(t, finance, "finance reads the referral", chromedp.Navigate(r.URL+referral), chromedp.WaitVisible(chromedp.ID("referral")))
	step(t, finance, "the referrals", chromedp.Navigate(r.URL+"/assistance"), chromedp.WaitVisible(chromedp.ID("referrals")))
	if n := value(t, finance, "overdue demo referral", chromedp.Evaluate[int](`document.querySelectorAll('#reminders tr[data-reminder="overdue"]').length`)); n < 1 {
		t.Errorf("the demo's referral past its deadline is not a reminder")
	}
	shoot(finance, "assistance")

	cashier := browser(t)
	browserLogin(t, cashier, r.URL, "cashier")
	step(t, cashier, "the cashier pays",
		chromedp.Navigate(r.URL+expense),
		chromedp.WaitVisible(chromedp.ID("pay-submit")),
		chromedp.Click(chromedp.ID("pay-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#state[data-state="paid"]`)),
		chromedp.Click(chromedp.ID("voucher-link")),
		chromedp.WaitVisible(chromedp.ID("voucher")),
	)
	if got := value(t, cashier, "voucher", chromedp.Text(chromedp.ID("voucher"))); !strings.Contains(got, "新乡—周口") || !strings.Contains(got, "61.50") || !strings.Contains(got, "高建民") {
		t.Fatalf("the voucher reads %q", got)
	}
	shoot(cashier, "voucher")
	after := travelSpent()
	if diff := yuanOf(t, after) - yuanOf(t, before); diff != 6150 {
		t.Errorf("travel spent %s before, %s after: moved %d fen, want 6150", before, after, diff)
	}
	shoot(finance, "funds")
	step(t, staff, "the station dashboard", chromedp.Navigate(r.URL+"/station"), chromedp.WaitVisible(chromedp.ID("linked-duties")))
	shoot(staff, "station")
}

// yuanOf reads "1,234.50" or "1234.50" as fen.
func yuanOf(t *testing.T, s string) int64 {
	t.Helper()
	var y, f int64
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if _, err := fmt.Sscanf(s, "%d.%d", &y, &f); err != nil {
		t.Fatalf("not an amount: %q", s)
	}
	return y*100 + f
}
