package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// fundsFixture is the station's budget for this year and a second finance
// account (the cashier, 出纳) who pays what the first approved.
func fundsFixture(t *testing.T, h *harness) (*funds.Budget, map[string]*funds.Line) {
	t.Helper()
	ctx := context.Background()
	staff, err := h.db.UserByUsername(ctx, "staff")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.CreateUser(ctx, auth.CLIActor(), auth.NewUser{Username: "cashier", DisplayName: "吴倩", Role: auth.RoleFinance,
		DepartmentID: staff.DepartmentID, Password: demoPassword}); err != nil {
		t.Fatal(err)
	}
	fin := auth.Actor{UserID: "fixture", Name: "fixture", Role: auth.RoleFinance}
	b, err := h.funds.CreateBudget(ctx, fin, funds.BudgetInput{DepartmentID: staff.DepartmentID, Year: time.Now().In(funds.CST).Year(), ApprovedBy: "市财政局批复",
		Lines: []funds.LineInput{{Code: funds.LinePersonnel, AmountFen: 2_000_000_00}, {Code: funds.LineFood, AmountFen: 300_000_00},
			{Code: funds.LineTravel, AmountFen: 1_000_00, HardCap: true}}})
	if err != nil {
		t.Fatal(err)
	}
	lines := map[string]*funds.Line{}
	for _, l := range b.Lines {
		lines[l.Code] = l
	}
	return b, lines
}

// The whole path on both databases: staff give a travel voucher at exit,
// it waits for approval on the travel line tied to the person, finance
// approves, the cashier pays, the voucher prints, the person's record
// shows it (audited), budget against actual moves and the XLSX has it.
func TestTravelVoucherThroughFunds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		b, lines := fundsFixture(t, h)
		staff, finance, cashier, leader := h.login("staff"), h.login("finance"), h.login("cashier"), h.login("leader")

		res, _ := staff.post("/people", url.Values{"name": {"李大山"}, "age_min": {"40"}, "age_max": {"45"}, "source": {"police"}, "reason": {"流浪"},
			"security": {"passed"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admission: %d", res.StatusCode)
		}
		personURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		personID := strings.TrimPrefix(personURL, "/people/")
		_, page := staff.do("GET", personURL, nil, false)
		i := strings.Index(page, `href="/stays/`)
		stayID, _, _ := strings.Cut(page[i+len(`href="/stays/`):], "/")
		res, body := staff.post("/stays/"+stayID+"/exit", url.Values{"kind": {"return_home"}, "version": {"1"}, "destination": {"郑州市金水区"},
			"at": {time.Now().In(cases.CST).Format("2006-01-02T15:04")}, "voucher_mode": {"ticket"}, "voucher_route": {"新乡—郑州"},
			"voucher_ticket": {"G1234-05A"}, "voucher_cost": {"24.5"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("exit with a voucher: %d\n%s", res.StatusCode, body)
		}
		xs, err := db.Expenses(ctx, funds.ExpenseFilter{PersonID: personID})
		if err != nil || len(xs) != 1 {
			t.Fatalf("the voucher did not reach funds: %d %v", len(xs), err)
		}
		x := xs[0]
		if x.Kind != funds.KindTicket || x.LineID != lines[funds.LineTravel].ID || x.AmountFen != 2450 || x.StayID != stayID || x.State != funds.StateRequested || x.Voucher != "G1234-05A" {
			t.Fatalf("voucher request %+v", x)
		}
		xURL := "/funds/expenses/" + x.ID

		// The staff member who asked cannot approve (no right); finance can.
		if res, _ := staff.post(xURL+"/approve", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("staff approving: %d", res.StatusCode)
		}
		if res, body := cashier.post(xURL+"/pay", nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "尚未批准") {
			t.Fatalf("paying before approval: %d", res.StatusCode)
		}
		_, page = finance.do("GET", "/funds", nil, false)
		if !strings.Contains(page, `id="to-approve"`) || !strings.Contains(page, x.Ref) {
			t.Fatal("the finance page does not list the voucher to approve")
		}
		if res, _ := finance.post(xURL+"/approve", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("approve: %d", res.StatusCode)
		}
		if res, body := finance.post(xURL+"/pay", nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "申请人或审批人不能办理支付") {
			t.Fatalf("the approver paying: %d", res.StatusCode)
		}
		if res, _ := cashier.post(xURL+"/pay", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("pay: %d", res.StatusCode)
		}

		// The ticket's receipt photographed and attached by finance.
		if res, _ := finance.upload(xURL+"/attachments", map[string]string{}, jpegBytes(t)); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("attach: %d", res.StatusCode)
		}
		if as, err := db.Attachments(ctx, x.ID); err != nil || len(as) != 1 {
			t.Fatalf("%d attachments (%v)", len(as), err)
		}
		// The voucher prints with the person's name, route and amount.
		res, page = staff.do("GET", xURL+"/voucher", nil, false)
		if res.StatusCode != 200 || !strings.Contains(page, "李大山") || !strings.Contains(page, "新乡—郑州") || !strings.Contains(page, "24.50") || !strings.Contains(page, "<h1>乘车凭证</h1>") {
			t.Fatalf("voucher page: %d", res.StatusCode)
		}
		// The person's record shows the payment; the read is audited.
		_, page = leader.do("GET", personURL, nil, false)
		if !strings.Contains(page, `id="payments"`) || !strings.Contains(page, x.Ref) || !strings.Contains(page, "已支付") {
			t.Fatal("the person's record does not show the payment")
		}
		es, err := db.ListAudit(ctx, audit.Filter{Action: "funds.person_view", RecordID: personID})
		if err != nil || len(es) < 2 { // the voucher page and the person's record
			t.Fatalf("%d reads of the person's payments audited (%v)", len(es), err)
		}

		// Budget against actual moved, and the ledger agrees.
		_, page = leader.do("GET", "/funds/budgets/"+b.ID+"/report", nil, false)
		if !strings.Contains(page, `id="total-ytd">24.50<`) {
			t.Fatal("the report does not show the payment year to date")
		}
		_, page = finance.do("GET", "/funds/budgets/"+b.ID, nil, false)
		if !strings.Contains(page, `id="reconciled"`) || !strings.Contains(page, `data-entry="payment"`) {
			t.Fatal("budget page: no payment in the ledger or not reconciled")
		}

		// The workbook, opened as a spreadsheet program would.
		res, raw := finance.do("GET", "/funds/budgets/"+b.ID+"/report.xlsx", nil, false)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(raw)))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if got := f.GetSheetList(); len(got) != 2 || got[0] != "预算执行" || got[1] != "台账" {
			t.Fatalf("sheets %v", got)
		}
		cell := func(sheet, axis string) string {
			v, err := f.GetCellValue(sheet, axis)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		month := time.Now().In(funds.CST).Month()
		col, _ := excelize.ColumnNumberToName(3 + int(month))
		if cell("预算执行", "A1") != "预算科目" || cell("预算执行", "A4") != "乘车凭证及护送费" || cell("预算执行", "C4") != "1,000.00" ||
			cell("预算执行", col+"4") != "24.50" || cell("预算执行", "P4") != "24.50" {
			t.Fatalf("report sheet: A4 %q C4 %q %s4 %q P4 %q", cell("预算执行", "A4"), cell("预算执行", "C4"), col, cell("预算执行", col+"4"), cell("预算执行", "P4"))
		}
		if cell("台账", "B2") != "乘车凭证及护送费" || cell("台账", "C2") != "支付" || cell("台账", "D2") != "24.50" || cell("台账", "E2") != x.Ref {
			t.Fatalf("ledger sheet row 2: %q %q %q %q", cell("台账", "B2"), cell("台账", "C2"), cell("台账", "D2"), cell("台账", "E2"))
		}
		if res, _ := staff.do("GET", "/funds/budgets/"+b.ID+"/report.xlsx", nil, false); res.StatusCode != http.StatusForbidden {
			t.Fatalf("staff downloading the workbook: %d", res.StatusCode)
		}
		// Every funds page, as its readers see it in Chinese: no ids, codes
		// or catalogue keys.
		for c, paths := range map[*client][]string{
			finance: {"/", "/funds", "/funds/budgets/" + b.ID, "/funds/budgets/" + b.ID + "/report", xURL, xURL + "/voucher"},
			leader:  {"/", "/funds", personURL},
			staff:   {"/funds", personURL, xURL},
		} {
			for _, p := range paths {
				res, page := c.do("GET", p, nil, false)
				if res.StatusCode != 200 {
					t.Errorf("%s: %d", p, res.StatusCode)
				}
				if m := machineText(page); len(m) > 0 {
					t.Errorf("%s shows machine text %q", p, m)
				}
			}
		}
	})
}

func TestFundsFormsRefuseBadInput(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	b, lines := fundsFixture(t, h)
	staff, finance := h.login("staff"), h.login("finance")
	count := func() int {
		xs, err := h.db.Expenses(ctx, funds.ExpenseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(xs)
	}
	for _, c := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"line_id": {lines[funds.LineFood].ID}, "amount": {"12.345"}, "purpose": {"蔬菜"}}, "最多两位小数"},
		{url.Values{"line_id": {lines[funds.LineFood].ID}, "amount": {"-5"}, "purpose": {"蔬菜"}}, "最多两位小数"},
		{url.Values{"line_id": {lines[funds.LineFood].ID}, "amount": {"0"}, "purpose": {"蔬菜"}}, "最多两位小数"},
		{url.Values{"line_id": {"no-such-line"}, "amount": {"12"}, "purpose": {"蔬菜"}}, "请选择本年度预算中的科目"},
		{url.Values{"line_id": {lines[funds.LineTravel].ID}, "amount": {"1000.01"}, "purpose": {"车票"}}, "不得超支"},
	} {
		res, body := staff.post("/funds/expenses", c.form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
			t.Errorf("%v: %d, want 422 with %q", c.form, res.StatusCode, c.want)
		}
		if !strings.Contains(body, `value="`+c.form.Get("amount")+`"`) || !strings.Contains(body, `value="蔬菜"`) && c.form.Get("purpose") == "蔬菜" {
			t.Errorf("%v: the input was not kept", c.form)
		}
	}
	if n := count(); n != 0 {
		t.Fatalf("%d expenses stored from bad input", n)
	}
	// A good request, in yuan with one decimal; finance may not approve
	// its own, nor (finance) one above the threshold.
	res, _ := finance.post("/funds/expenses", url.Values{"line_id": {lines[funds.LineFood].ID}, "amount": {"12.5"}, "purpose": {"蔬菜"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d", res.StatusCode)
	}
	own := res.Header.Get("Location")
	own, _, _ = strings.Cut(own, "?")
	if res, body := finance.post(own+"/approve", nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "不能审批自己提交的申请") {
		t.Fatalf("self-approval: %d", res.StatusCode)
	}
	res, _ = staff.post("/funds/expenses", url.Values{"line_id": {lines[funds.LineFood].ID}, "amount": {"5000.01"}, "purpose": {"冬衣"}})
	big, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	if res, body := finance.post(big+"/approve", nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "须由领导审批") {
		t.Fatalf("finance approving above the threshold: %d", res.StatusCode)
	}
	if res, _ := h.login("leader").post(big+"/approve", nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("leader approving: %d", res.StatusCode)
	}
	// An invoice photo: not a photo is refused, a photo is kept and shown
	// to whoever may read the expense; staff attach to their own only.
	if res, body := finance.upload(own+"/attachments", map[string]string{}, []byte("not a photo at all")); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="attach-form"`) {
		t.Fatalf("a file that is no photo: %d", res.StatusCode)
	}
	if as, _ := h.db.Attachments(ctx, strings.TrimPrefix(own, "/funds/expenses/")); len(as) != 0 {
		t.Fatal("a refused attachment was stored")
	}
	if res, _ := staff.upload(own+"/attachments", map[string]string{}, jpegBytes(t)); res.StatusCode != http.StatusForbidden {
		t.Fatalf("staff attaching to someone else's request: %d", res.StatusCode)
	}
	if res, _ := finance.upload(own+"/attachments", map[string]string{}, jpegBytes(t)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("attach: %d", res.StatusCode)
	}
	as, err := h.db.Attachments(ctx, strings.TrimPrefix(own, "/funds/expenses/"))
	if err != nil || len(as) != 1 {
		t.Fatalf("%d attachments (%v)", len(as), err)
	}
	if res, _ := h.login("leader").do("GET", own+"/attachments/"+as[0].ID, nil, false); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("the invoice photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// An adjustment needs a reason and an approver; a bad amount is refused.
	res, body := finance.post("/funds/budgets/"+b.ID+"/adjust", url.Values{"line_id": {lines[funds.LineFood].ID}, "delta": {"1.001"}, "direction": {"up"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "最多两位小数") {
		t.Fatalf("bad adjustment: %d", res.StatusCode)
	}
	res, _ = finance.post("/funds/budgets/"+b.ID+"/adjust", url.Values{"line_id": {lines[funds.LineFood].ID}, "delta": {"20000"}, "direction": {"down"},
		"reason": {"年中调减"}, "approved_by": {"郑国华"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("adjustment: %d", res.StatusCode)
	}
	l, err := h.db.LineByID(ctx, lines[funds.LineFood].ID)
	if err != nil || l.AmountFen != 280_000_00 {
		t.Fatalf("food after the adjustment: %d %v", l.AmountFen, err)
	}
}

// The finance officer's and the leader's home pages show lines at 80 %;
// staff's does not.
func TestHomeShowsBudgetAlerts(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	_, lines := fundsFixture(t, h)
	req := auth.Actor{UserID: "r", Name: "赵敏", Role: auth.RoleStaff}
	x, err := h.funds.Request(ctx, req, funds.ExpenseInput{LineID: lines[funds.LineTravel].ID, AmountFen: 850_00, Purpose: "护送"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.funds.Approve(ctx, auth.Actor{UserID: "a", Name: "孙静", Role: auth.RoleFinance}, x.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.funds.Pay(ctx, auth.Actor{UserID: "p", Name: "吴倩", Role: auth.RoleFinance}, x.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := h.funds.Request(ctx, req, funds.ExpenseInput{LineID: lines[funds.LineFood].ID, AmountFen: 100_00, Purpose: "蔬菜"}); err != nil {
		t.Fatal(err)
	}
	for who, want := range map[string]bool{"finance": true, "leader": true, "staff": false} {
		_, page := h.login(who).do("GET", "/", nil, false)
		got := strings.Contains(page, `id="fund-alerts"`) && strings.Contains(page, "乘车凭证及护送费 已执行 85.0%，达到八成。")
		if got != want {
			t.Errorf("%s: alert shown %v, want %v", who, got, want)
		}
		if got := strings.Contains(page, "经费：待审批 1 笔，待支付 0 笔"); got != want {
			t.Errorf("%s: work queue shown %v, want %v", who, got, want)
		}
	}
}

// The finance page approves and pays ticked requests in one go.
func TestFundsBatchFromThePage(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	_, lines := fundsFixture(t, h)
	req := auth.Actor{UserID: "r", Name: "赵敏", Role: auth.RoleStaff}
	var ids []string
	for _, fen := range []int64{35_00, 48_50} {
		x, err := h.funds.Request(ctx, req, funds.ExpenseInput{Kind: funds.KindTicket, LineID: lines[funds.LineTravel].ID, AmountFen: fen, Purpose: "新乡—安阳"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, x.ID)
	}
	finance, cashier := h.login("finance"), h.login("cashier")
	if res, body := finance.post("/funds/batch/approve", url.Values{}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "请先勾选要办理的申请") {
		t.Fatalf("an empty batch: %d", res.StatusCode)
	}
	_, page := finance.do("GET", "/funds", nil, false)
	if !strings.Contains(page, `id="batch-approve"`) || !strings.Contains(page, `value="`+ids[0]+`"`) {
		t.Fatal("no batch approval on the finance page")
	}
	if res, _ := finance.post("/funds/batch/approve", url.Values{"id": ids}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("batch approval: %d", res.StatusCode)
	}
	if res, _ := cashier.post("/funds/batch/pay", url.Values{"id": ids}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("batch payment: %d", res.StatusCode)
	}
	l, err := h.db.LineByID(ctx, lines[funds.LineTravel].ID)
	if err != nil || l.SpentFen != 83_50 {
		t.Fatalf("travel spent %d %v", l.SpentFen, err)
	}
	// One was booked to the wrong line: corrected by two new entries.
	if _, page := finance.do("GET", "/funds/expenses/"+ids[0], nil, false); !strings.Contains(page, `id="reclassify"`) {
		t.Fatal("no correction form on a paid expense")
	}
	if res, body := finance.post("/funds/expenses/"+ids[0]+"/reclassify", url.Values{"line_id": {lines[funds.LineFood].ID}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reclassify" open`) {
		t.Fatalf("a correction without a reason: %d", res.StatusCode)
	}
	if res, _ := finance.post("/funds/expenses/"+ids[0]+"/reclassify", url.Values{"line_id": {lines[funds.LineFood].ID}, "reason": {"记错科目"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("correction: %d", res.StatusCode)
	}
	if l, _ := h.db.LineByID(ctx, lines[funds.LineTravel].ID); l.SpentFen != 48_50 {
		t.Fatalf("travel after the correction: %d", l.SpentFen)
	}
}
