package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/canteen"
)

// The pest log, the self-check lists, the stock and the purchase photos:
// bad input shows a message with what was typed kept and stores nothing;
// the leader reads; the pages show no machine text.
func TestCanteenMorePages(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	canteenFixture(t, h)
	ctx := context.Background()
	c := h.login("safety")
	today := canteen.Day(time.Now())

	// Pest control: a measure is needed; the area typed is kept.
	res, page := c.post("/canteen", url.Values{"form": {"pest"}, "pest_day": {today}, "area": {"后厨库房"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请至少选择一项措施") || !strings.Contains(page, `value="后厨库房"`) {
		t.Fatalf("pest without a measure: %d", res.StatusCode)
	}
	if log, _ := h.db.PestLog(ctx, "2000-01-01", "2100-01-01"); len(log) != 0 {
		t.Fatal("a refused pest entry was stored")
	}
	if res, _ := c.post("/canteen", url.Values{"form": {"pest"}, "pest_day": {today}, "area": {"后厨库房"}, "measures": {"traps", "screens"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("pest entry: %d", res.StatusCode)
	}

	// A self-check list: items added, a problem without a note refused.
	if res, _ := c.post("/canteen/checks", url.Values{"form": {"item"}, "list": {"daily"}, "item_text": {"留样齐全"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add item: %d", res.StatusCode)
	}
	items, _ := h.db.CheckItems(ctx, canteen.ListDaily, false)
	if len(items) != 1 {
		t.Fatalf("items: %d", len(items))
	}
	id := items[0].ID
	res, page = c.post("/canteen/checks", url.Values{"form": {"selfcheck"}, "list": {"daily"}, "item": {id}, "answer." + id: {"problem"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "有问题时请写明情况和处理") || !strings.Contains(page, `value="problem" checked`) {
		t.Fatalf("a problem without a note: %d", res.StatusCode)
	}
	if cs, _ := h.db.SelfChecks(ctx, canteen.ListDaily, "", ""); len(cs) != 0 {
		t.Fatal("a refused self-check was stored")
	}
	if res, _ := c.post("/canteen/checks", url.Values{"form": {"selfcheck"}, "list": {"daily"}, "item": {id}, "answer." + id: {"problem"},
		"note." + id: {"一道菜漏留样，已补"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("self-check: %d", res.StatusCode)
	}
	_, page = c.do("GET", "/canteen/checks?list=daily", nil, false)
	if !strings.Contains(page, `id="selfcheck-done"`) || !strings.Contains(page, "一道菜漏留样，已补") {
		t.Error("the day's check is not shown done")
	}

	// Stock: a delivery counted, too much issued refused.
	sp, err := h.canteen.AddSupplier(ctx, safetyActor, canteen.SupplierInput{Name: "粮油公司", LicenceNo: "JY9", LicenceExpires: "2099-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := h.canteen.AddPurchase(ctx, safetyActor, canteen.PurchaseInput{ReceivedOn: today, SupplierID: sp.ID, Item: "面粉", Quantity: "25公斤",
		Storage: canteen.Ambient, Inspector: "王安全", Accepted: true})
	if err != nil {
		t.Fatal(err)
	}
	res, page = c.post("/canteen/stock", url.Values{"purchase_id": {p.ID}, "amount": {"30"}, "issue_kind": {"issue"}, "issue_note": {"蒸馒头"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "超过该批次的结存数量") || !strings.Contains(page, `value="蒸馒头"`) {
		t.Fatalf("issue too much: %d", res.StatusCode)
	}
	if res, _ := c.post("/canteen/stock", url.Values{"purchase_id": {p.ID}, "amount": {"5"}, "issue_kind": {"issue"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue: %d", res.StatusCode)
	}
	_, page = c.do("GET", "/canteen/stock", nil, false)
	if !strings.Contains(page, "20 公斤") {
		t.Error("the stock page lacks what is left")
	}

	// Photos: not a photo refused by the purchase; a JPEG kept and shown.
	res, page = c.upload("/canteen/purchases/"+p.ID+"/photos", map[string]string{"file_kind": "invoice"}, []byte("not a photo at all"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `id="photo-error"`) {
		t.Fatalf("not a photo: %d", res.StatusCode)
	}
	if res, _ := c.upload("/canteen/purchases/"+p.ID+"/photos", map[string]string{"file_kind": "certificate"}, jpegBytes(t)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("photo: %d", res.StatusCode)
	}
	fs, _ := h.db.PurchaseFiles(ctx, []string{p.ID})
	if len(fs) != 1 {
		t.Fatalf("photos: %d", len(fs))
	}
	leader := h.login("leader")
	if res, _ := leader.do("GET", "/canteen/purchases/"+p.ID+"/photos/"+fs[0].ID, nil, false); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the leader reads the photo: %d", res.StatusCode)
	}

	// Every page in Chinese without machine text; the leader reads without forms.
	for _, path := range []string{"/canteen", "/canteen?before=" + today, "/canteen/checks", "/canteen/checks?list=weekly", "/canteen/checks?list=monthly", "/canteen/stock"} {
		for _, cl := range []*client{c, leader} {
			res, page := cl.do("GET", path, nil, false)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", path, res.StatusCode)
			}
			if m := machineText(page); len(m) > 0 {
				t.Errorf("%s shows machine text: %v", path, m)
			}
			if cl == leader && (strings.Contains(page, `id="issue-form"`) || strings.Contains(page, `id="item-form"`) || strings.Contains(page, `id="pest-form"`)) {
				t.Errorf("%s: the leader is offered a form", path)
			}
		}
	}
}
