package app

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// A station's day with one person: staff admit an unidentified man with
// his belongings; the dashboard shows his 24 h notice deadline; the
// station doctor records the intake check and refers him to the general
// hospital, which admits and discharges him; staff send him home with a
// travel voucher (a cash request over the rule is refused first) and
// print the 在站服务及离站登记表 on A4.
func TestBrowserStationAdmissionToExit(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	browserLogin(t, ctx, r.URL, "staff")
	step(t, ctx, "admit an unidentified man with a phone",
		chromedp.Navigate(r.URL+"/people/new"),
		chromedp.WaitVisible(chromedp.ID("admit-form")),
		chromedp.SetValue(chromedp.ID("sex"), "male"),
		chromedp.SendKeys(chromedp.ID("age_min"), "45"),
		chromedp.SendKeys(chromedp.ID("age_max"), "55"),
		chromedp.SendKeys(chromedp.ID("marks"), "右眉有疤，浏览器测试"),
		chromedp.SendKeys(chromedp.ID("reason"), "冬夜露宿桥下"),
		chromedp.Click(chromedp.CSS(`input[name="security"][value="passed"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="b0_item"]`), "手机"),
		chromedp.SendKeys(chromedp.CSS(`input[name="b0_qty"]`), "1"),
		chromedp.SendKeys(chromedp.CSS(`input[name="b0_location"]`), "物品柜B2"),
		chromedp.Click(chromedp.ID("admit-submit")),
		chromedp.WaitVisible(chromedp.ID("stay")),
	)
	path := value(t, ctx, "person page", chromedp.Evaluate[string](`location.pathname`))
	personID := strings.TrimPrefix(path, "/people/")
	step(t, ctx, "the dashboard shows his 24 h notice",
		chromedp.Navigate(r.URL+"/station"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-person="`+personID+`"] [data-rule="notice_24h"]`)),
	)
	if st := value(t, ctx, "notice status", chromedp.Evaluate[string](`document.querySelector('tr[data-person="`+personID+`"] [data-rule="notice_24h"]').dataset.status`)); st != "open" {
		t.Fatalf("24 h notice is %q at admission", st)
	}

	// The station doctor.
	doc := browser(t)
	browserLogin(t, doc, r.URL, "medical")
	step(t, doc, "intake check and referral",
		chromedp.Navigate(r.URL+path),
		chromedp.WaitVisible(chromedp.ID("check-form")),
		chromedp.SendKeys(chromedp.ID("temp_c"), "36.4"),
		chromedp.SendKeys(chromedp.ID("pulse"), "82"),
		chromedp.SendKeys(chromedp.ID("injuries"), "双手冻疮"),
		chromedp.Click(chromedp.CSS(`#check-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#checks li`)),
		chromedp.Evaluate[chromedp.Void](`(function(){var s=document.getElementById('hospital_id');[...s.options].forEach(function(o){if(o.text==='新乡市第二人民医院'){s.value=o.value}})})()`),
		chromedp.SendKeys(chromedp.ID("ref-reason"), "冻疮感染，需外科处理"),
		chromedp.Click(chromedp.CSS(`#referral-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#person-referrals li a`)),
		chromedp.Click(chromedp.CSS(`#person-referrals li a`)),
		chromedp.WaitVisible(chromedp.CSS(`#advance-form button[value="transferred"]`)),
		chromedp.SendKeys(chromedp.ID("adv-text"), "站车送达"),
		chromedp.Click(chromedp.CSS(`#advance-form button[value="transferred"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#referral-state[data-state="transferred"]`)),
	)
	// The general hospital admits and discharges him.
	hosp := browser(t)
	browserLogin(t, hosp, r.URL, "hospital")
	step(t, hosp, "the hospital admits and discharges",
		chromedp.Navigate(r.URL+"/referrals"),
		chromedp.WaitVisible(chromedp.CSS(`#referrals a`)),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#referrals tr')].find(function(tr){return tr.textContent.indexOf('冻疮感染')>=0}).querySelector('a').click()`),
		chromedp.WaitVisible(chromedp.CSS(`#advance-form button[value="admitted"]`)),
		chromedp.Click(chromedp.CSS(`#advance-form button[value="admitted"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#referral-state[data-state="admitted"]`)),
		chromedp.Click(chromedp.CSS(`#advance-form button[value="discharged"]`)), // no summary: refused
		chromedp.WaitVisible(chromedp.CSS(`#advance-form .field-error`)),
		chromedp.SendKeys(chromedp.ID("adv-text"), "清创换药，好转出院，返回救助站"),
		chromedp.Click(chromedp.CSS(`#advance-form button[value="discharged"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#referral-state[data-state="discharged"]`)),
	)

	// Home with a travel voucher.
	step(t, ctx, "ask for 50 yuan cash: refused",
		chromedp.Navigate(r.URL+path),
		chromedp.WaitVisible(chromedp.ID("exit-link")),
		chromedp.Click(chromedp.ID("exit-link")),
		chromedp.WaitVisible(chromedp.ID("exit-form")),
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="return_home"]`)),
		chromedp.SendKeys(chromedp.ID("destination"), "河南省商丘市睢阳区"),
		chromedp.Click(chromedp.CSS(`input[name="voucher_mode"][value="cash"]`)),
		chromedp.SendKeys(chromedp.ID("voucher_cost"), "50"),
		chromedp.Click(chromedp.CSS(`input[name="voucher_local"]`)),
		chromedp.Click(chromedp.CSS(`input[name="voucher_receipt"]`)),
		chromedp.Click(chromedp.ID("exit-submit")),
		chromedp.WaitVisible(chromedp.ID("cost-error")),
	)
	if msg := value(t, ctx, "cash error", chromedp.Text(chromedp.ID("cost-error"))); !strings.Contains(msg, "不超过20元") {
		t.Fatalf("cash refusal reads %q", msg)
	}
	step(t, ctx, "a ticket instead",
		chromedp.Click(chromedp.CSS(`input[name="voucher_mode"][value="ticket"]`)),
		chromedp.SendKeys(chromedp.ID("voucher_route"), "新乡—商丘"),
		chromedp.SetValue(chromedp.ID("voucher_cost"), "35.5"),
		chromedp.Click(chromedp.ID("exit-submit")),
		chromedp.WaitVisible(chromedp.ID("form-service_exit")),
	)
	voucher := value(t, ctx, "voucher", chromedp.Text(chromedp.ID("voucher")))
	if !strings.Contains(voucher, "新乡—商丘") || !strings.Contains(voucher, "35.50") {
		t.Fatalf("the form's voucher line reads %q", voucher)
	}
	if got := value(t, ctx, "belongings", chromedp.Text(chromedp.ID("form-belongings"))); !strings.Contains(got, "手机") {
		t.Fatalf("belongings on the form: %q", got)
	}
	// Printed: no navigation, one A4 page.
	step(t, ctx, "print media", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		return err
	}))
	if shown := value(t, ctx, "nav in print", chromedp.Evaluate[string](`getComputedStyle(document.querySelector('.topbar')).display`)); shown != "none" {
		t.Fatalf("the navigation prints (display %q)", shown)
	}
	tctx, cancel := context.WithTimeout(ctx, 30_000_000_000)
	defer cancel()
	pref := true
	pdf, err := chromedp.Call(tctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: &pref})
	if err != nil {
		t.Fatal(err)
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf.Data, -1))
	if !strings.HasPrefix(string(pdf.Data), "%PDF") || pages != 1 {
		t.Fatalf("printed %d pages (%d bytes)", pages, len(pdf.Data))
	}
}
