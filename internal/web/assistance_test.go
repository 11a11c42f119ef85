package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/xuri/excelize/v2"
)

// A referral without consent or without a receiving office is refused
// with a message in the user's language, the form keeps what was typed
// and nothing is stored; a complete one is sent, shows on the person's
// record, and finance reading it is audited.
func TestAssistanceReferralForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff, finance := h.login("staff"), h.login("finance")
		res, _ := staff.post("/people", url.Values{"name": {"张守成"}, "age_min": {"60"}, "age_max": {"65"}, "source": {"police"}, "reason": {"流浪"},
			"security": {"passed"}, "hukou": {"河南省封丘县"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admission: %d", res.StatusCode)
		}
		personURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		personID := strings.TrimPrefix(personURL, "/people/")
		_, page := staff.do("GET", "/assistance/new?person_id="+personID, nil, false)
		if !strings.Contains(page, `value="河南省封丘县"`) {
			t.Errorf("the region is not filled in from the record")
		}
		form := url.Values{"person_id": {personID}, "programme": {"tekun"}, "region": {"河南省封丘县"}, "no_work": {"1"}, "no_income": {"1"},
			"office": {"封丘县民政局"}}
		res, page = staff.post("/assistance", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "须经本人同意方可转介") || !strings.Contains(page, `value="封丘县民政局"`) ||
			!strings.Contains(page, `name="no_work" value="1" checked`) {
			t.Errorf("without consent: %d\n%s", res.StatusCode, page)
		}
		form.Set("consent", "1")
		form.Set("office", "")
		res, page = staff.post("/assistance", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "请填写接收的乡镇") || !strings.Contains(page, `id="consent" checked`) {
			t.Errorf("without an office: %d\n%s", res.StatusCode, page)
		}
		en := h.login("staff")
		en.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
		if _, page = en.post("/assistance", form); !strings.Contains(page, "Enter the receiving township or county office.") {
			t.Errorf("in English: %s", page)
		}
		if rs, _ := db.AssistanceReferrals(ctx, assistance.Filter{PersonID: personID}); len(rs) != 0 {
			t.Fatalf("%d referrals stored by refused forms", len(rs))
		}
		form.Set("office", "封丘县民政局")
		res, _ = staff.post("/assistance", form)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a complete referral: %d", res.StatusCode)
		}
		refURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		_, page = staff.do("GET", personURL, nil, false)
		if !strings.Contains(page, `id="assistance"`) || !strings.Contains(page, `data-state="sent"`) {
			t.Errorf("the person's record does not show the referral")
		}
		_, page = finance.do("GET", refURL, nil, false)
		if !strings.Contains(page, "封丘县民政局") || !strings.Contains(page, "特困人员救助供养") {
			t.Errorf("finance reads the referral: %s", page)
		}
		es, err := db.ListAudit(ctx, audit.Filter{Action: "assistance.person_view", RecordID: personID})
		if err != nil || len(es) < 2 {
			t.Errorf("reads audited: %d %v", len(es), err)
		}
		// the office's answer, with a bad date first
		res, page = staff.post(refURL+"/answer", url.Values{"kind": {"approve"}, "amount": {"800"}, "start_on": {"tomorrow"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="800"`) {
			t.Errorf("a bad start date: %d", res.StatusCode)
		}
		res, _ = staff.post(refURL+"/answer", url.Values{"kind": {"approve"}, "amount": {"800"}, "start_on": {"2026-10-01"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("approval: %d", res.StatusCode)
		}
		_, page = staff.do("GET", refURL, nil, false)
		if !strings.Contains(page, `data-state="approved"`) || !strings.Contains(page, "800.00") {
			t.Errorf("approved referral page")
		}

		// The referrals as a workbook, opened as a spreadsheet program
		// would: the approved amount a number, the read audited as the
		// page's is, and no workbook for a role without the page.
		before, _ := db.ListAudit(ctx, audit.Filter{Action: "assistance.person_view", RecordID: personID})
		res, raw := finance.do("GET", "/assistance/referrals.xlsx?state=approved", nil, false)
		if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		book, err := excelize.OpenReader(bytes.NewReader([]byte(raw)))
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.GetRows("社会救助转介")
		if err != nil || len(rows) != 2 {
			t.Fatalf("rows %v %v", rows, err)
		}
		if rows[0][0] != "转介编号" || rows[0][9] != "批准金额（元）" || rows[1][1] != "张守成" || rows[1][2] != "特困人员救助供养" ||
			rows[1][3] != "河南省封丘县" || rows[1][7] != "已批准" || rows[1][10] != "2026-10-01" {
			t.Errorf("workbook rows %q", rows)
		}
		if v, err := book.GetCellValue("社会救助转介", "J2", excelize.Options{RawCellValue: true}); err != nil || v != "800" {
			t.Errorf("the amount is %q (%v), want the number 800", v, err)
		}
		after, _ := db.ListAudit(ctx, audit.Filter{Action: "assistance.person_view", RecordID: personID})
		if len(after) != len(before)+1 {
			t.Errorf("the workbook's read is not audited: %d then %d entries", len(before), len(after))
		}
		if res, raw := finance.do("GET", "/assistance/referrals.xlsx?state=refused", nil, false); res.StatusCode != http.StatusOK {
			t.Errorf("an empty workbook: %d", res.StatusCode)
		} else if b, err := excelize.OpenReader(bytes.NewReader([]byte(raw))); err != nil {
			t.Error(err)
		} else if rows, _ := b.GetRows("社会救助转介"); len(rows) != 1 {
			t.Errorf("refused referrals: %q", rows)
		}
		if res, _ := h.login("dispatcher").do("GET", "/assistance/referrals.xlsx", nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("a dispatcher downloads referrals: %d", res.StatusCode)
		}
	})
}
