package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

// Staff record a donor's consent with the donation; the public giving
// page and its thanks page show only donors who consented, by the name
// they chose or as 爱心人士, never the recorded donor, an amount or a
// quantity; withdrawn, the donor leaves the pages at once.
func TestPublicThanksOfConsentingDonors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff := h.login("staff")
		donate := func(form url.Values) (*http.Response, string) {
			form.Set("form", "donation")
			return staff.post("/volunteers", form)
		}
		// A named thanks without the name: the error in Chinese, the input
		// kept, nothing stored.
		res, page := donate(url.Values{"donor": {"张建国"}, "amount": {"5000"}, "thanks": {"named"}, "thanks_name": {" "}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写捐赠人同意公开的致谢名称") ||
			!strings.Contains(page, `value="张建国"`) || !strings.Contains(page, `value="5000"`) || !regexp.MustCompile(`value="named" checked`).MatchString(page) {
			t.Fatalf("named thanks without a name: %d", res.StatusCode)
		}
		if ds, _ := h.vols.Store.Donations(ctx); len(ds) != 0 {
			t.Fatalf("a refused donation stored: %d", len(ds))
		}
		en := h.login("volunteer")
		en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
		res, page = en.post("/volunteers", url.Values{"form": {"donation"}, "donor": {"x"}, "amount": {"abc"}, "thanks": {"named"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Enter the name the donor agreed to be thanked by.") {
			t.Errorf("English errors: %d", res.StatusCode)
		}
		for _, f := range []url.Values{
			{"donor": {"张建国"}, "amount": {"5000"}, "thanks": {"named"}, "thanks_name": {"张先生"}},
			{"donor": {"李秀英"}, "amount": {"1234.56"}, "thanks": {"anonymous"}},
			{"donor": {"王不公开"}, "amount": {"888"}}, // no choice made: not thanked
		} {
			if res, _ := donate(f); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("donation %v: %d", f, res.StatusCode)
			}
		}
		// Goods given into stock, with the donor's consent.
		sa := auth.Actor{UserID: "s", Name: "staff", Role: auth.RoleStaff}
		coat, err := h.supplies.AddItem(ctx, sa, supplies.Item{Code: "COAT", Name: "棉大衣", Unit: "件"})
		if err != nil {
			t.Fatal(err)
		}
		shelf, err := h.supplies.AddLocation(ctx, sa, supplies.Location{Kind: supplies.LocStore, Name: "站内仓库"})
		if err != nil {
			t.Fatal(err)
		}
		res, page = staff.post("/supplies/movements", url.Values{"kind": {"donation"}, "item_id": {coat.ID}, "location_id": {shelf.ID}, "qty": {"120"},
			"donor": {"新乡市慈善总会"}, "thanks": {"named"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写捐赠人同意公开的致谢名称") || !strings.Contains(page, `value="新乡市慈善总会"`) {
			t.Errorf("goods, named without a name: %d", res.StatusCode)
		}
		if res, _ := staff.post("/supplies/movements", url.Values{"kind": {"donation"}, "item_id": {coat.ID}, "location_id": {shelf.ID}, "qty": {"120"},
			"donor": {"新乡市慈善总会"}, "thanks": {"named"}, "thanks_name": {"新乡市慈善总会"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("goods donated: %d", res.StatusCode)
		}

		anon := h.anon()
		_, give := anon.do("GET", "/give", nil, false)
		_, all := anon.do("GET", "/give/thanks", nil, false)
		list := regexp.MustCompile(`(?s)<ul class="thanks-list">.*?</ul>`)
		for name, p := range map[string]string{"/give": list.FindString(give), "/give/thanks": list.FindString(all)} {
			for _, want := range []string{"张先生", "爱心人士", "新乡市慈善总会", "棉大衣", "善款"} {
				if !strings.Contains(p, want) {
					t.Errorf("%s has no %s", name, want)
				}
			}
			// Never a donor who did not consent, the recorded name of one
			// who chose another, an amount or a quantity.
			for _, never := range []string{"王不公开", "张建国", "李秀英", "5000", "1234", "888", "120"} {
				if strings.Contains(p, never) {
					t.Errorf("%s shows %q", name, never)
				}
			}
		}
		for _, never := range []string{"王不公开", "张建国", "李秀英"} {
			if strings.Contains(give, never) || strings.Contains(all, never) {
				t.Errorf("a public page names %s", never)
			}
		}
		if !strings.Contains(give, `href="/give/thanks"`) {
			t.Error("the giving page does not link to the thanks")
		}
		enAnon := h.anon()
		enAnon.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/"}, "csrf_token": {enAnon.csrf}}, true)
		if _, p := enAnon.do("GET", "/give/thanks", nil, false); !strings.Contains(p, "An anonymous donor") || !strings.Contains(p, "gave money") {
			t.Error("the English thanks")
		}

		// The coordinator withdraws 张先生's consent: gone at once.
		_, staffList := staff.do("GET", "/volunteers/thanks", nil, false)
		gifts, err := h.deps.Thanks.Gifts(ctx, sa)
		if err != nil {
			t.Fatal(err)
		}
		var zhang string
		for _, g := range gifts {
			if g.Donor == "张建国" {
				zhang = g.ID
			}
			if !strings.Contains(staffList, `data-gift="`+g.ID+`"`) {
				t.Errorf("the coordinator's list lacks %s", g.Donor)
			}
		}
		if res, _ := staff.post("/volunteers/thanks", url.Values{"kind": {"money"}, "gift_id": {zhang}, "thanks": {"named"}, "thanks_name": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("a named thanks without a name: %d", res.StatusCode)
		}
		if res, _ := h.login("patrol").post("/volunteers/thanks", url.Values{"kind": {"money"}, "gift_id": {zhang}, "thanks": {"none"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("a patrol member withdrew a consent: %d", res.StatusCode)
		}
		if _, p := anon.do("GET", "/give/thanks", nil, false); !strings.Contains(p, "张先生") {
			t.Fatal("a refused change took the donor off")
		}
		if res, _ := staff.post("/volunteers/thanks", url.Values{"kind": {"money"}, "gift_id": {zhang}, "thanks": {"none"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("withdraw: %d", res.StatusCode)
		}
		for _, p := range []string{"/give", "/give/thanks"} {
			if _, page := anon.do("GET", p, nil, false); strings.Contains(page, "张先生") {
				t.Errorf("%s still thanks a donor who withdrew", p)
			}
		}
		if _, p := staff.do("GET", "/volunteers", nil, false); !strings.Contains(p, "不公开") || !strings.Contains(p, "匿名致谢") {
			t.Error("the donations list does not show the consents")
		}
	})
}
