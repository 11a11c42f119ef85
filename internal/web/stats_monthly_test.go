package web_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
)

// admitIn stores a stay arriving at arrived (a man of six, from 河南 by
// his ID number's region), closed a day later when closed.
func admitIn(t *testing.T, db *store.DB, arrived time.Time, n int) {
	t.Helper()
	p := &cases.Person{ID: id.New(), Ref: fmt.Sprintf("RY-M%05d", n), Sex: cases.Male, Mental: cases.MentalNormal, IDRegion: "河南省新乡市长垣县",
		BirthDate: arrived.In(stats.CST).AddDate(-6, 0, 0).Format(time.DateOnly), CreatedAt: arrived}
	st := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("JZ-M%05d", n), PersonID: p.ID, State: cases.StayOpen, ArrivedAt: arrived.UTC(), EnteredAt: arrived.UTC(),
		EnteredBy: "test", Source: "walk_in", Version: 1, UpdatedAt: arrived.UTC()}
	if err := db.Admit(context.Background(), p, nil, st, nil, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
}

// cellOf finds the value in column col of the row whose column A is label,
// after the row whose column A is after ("" for the first).
func cellOf(t *testing.T, f *excelize.File, after, label, col string) string {
	t.Helper()
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	seen := after == ""
	for i, r := range rows {
		if len(r) == 0 {
			continue
		}
		if r[0] == after {
			seen = true
		}
		if seen && r[0] == label {
			v, err := f.GetCellValue(f.GetSheetName(0), fmt.Sprintf("%s%d", col, i+1))
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("no row %q after %q", label, after)
	return ""
}

func TestMonthlyReportPages(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	now := time.Now().In(stats.CST)
	last := stats.LastMonth(now)
	running := now.Format("2006-01")
	future := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, stats.CST).Format("2006-01")
	lm, _ := time.ParseInLocation("2006-01", last, stats.CST)
	admitIn(t, h.db, lm.Add(9*24*time.Hour+9*time.Hour), 1)

	staff, leader, patrol := h.login("staff"), h.login("leader"), h.login("patrol")
	// Until last month is submitted, the staff's home page says so.
	if _, body := staff.do("GET", "/", nil, false); !strings.Contains(body, `id="monthly-reminder"`) || !strings.Contains(body, "尚未提交") {
		t.Error("no reminder on the staff's home page")
	}
	if _, body := leader.do("GET", "/", nil, false); strings.Contains(body, `id="monthly-reminder"`) {
		t.Error("the leader does not submit: no reminder")
	}

	// The running month and a future one: a clear message, nothing stored.
	for month, want := range map[string]string{running: "本月尚未结束", future: "该月份尚未到来"} {
		res, body := staff.do("GET", "/stats/monthly?month="+month, nil, false)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, want) {
			t.Errorf("%s: %d", month, res.StatusCode)
		}
		res, _ = staff.post("/stats/monthly", url.Values{"month": {month}})
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("submit %s: %d", month, res.StatusCode)
		}
	}
	if n := countReports(t, h.db); n != 0 {
		t.Fatalf("%d reports stored from bad input", n)
	}

	res, body := staff.do("GET", "/stats/monthly", nil, false)
	if res.StatusCode != 200 || !strings.Contains(body, `data-figure="helped">1<`) {
		t.Fatalf("monthly page: %d", res.StatusCode)
	}
	if m := machineText(body); len(m) > 0 {
		t.Errorf("machine text on the Chinese monthly page: %q", m)
	}
	// Permissions: the leader reads, never submits; a patrol neither.
	if res, _ := leader.post("/stats/monthly", url.Values{"month": {last}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("leader submits: %d", res.StatusCode)
	}
	if res, _ := patrol.do("GET", "/stats/monthly", nil, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("patrol reads: %d", res.StatusCode)
	}
	res, _ = staff.post("/stats/monthly", url.Values{"month": {last}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "version=1") {
		t.Fatalf("submit: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := staff.do("GET", "/", nil, false); strings.Contains(body, `id="monthly-reminder"`) {
		t.Error("reminder after submitting")
	}

	// A stay entered late: version 1 stays as submitted, the page says the records changed.
	admitIn(t, h.db, lm.Add(20*24*time.Hour), 2)
	q := "?month=" + last + "&version=1"
	res, body = leader.do("GET", "/stats/monthly"+q, nil, false)
	if res.StatusCode != 200 || !strings.Contains(body, `data-figure="helped">1<`) || !strings.Contains(body, `id="monthly-changed"`) {
		t.Fatalf("version 1 for the leader: %d", res.StatusCode)
	}
	if m := machineText(body); len(m) > 0 {
		t.Errorf("machine text: %q", m)
	}

	// The XLSX of version 1, opened and read cell by cell.
	res, body = leader.do("GET", "/stats/monthly/xlsx"+q, nil, false)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue(f.GetSheetName(0), "A1"); v != "救助管理统计月报" {
		t.Errorf("A1 = %q", v)
	}
	if v := cellOf(t, f, "", "统计月份", "B"); v != stats.MonthWords(func(k string, a ...any) string {
		if k == "monthly.month_words" {
			return fmt.Sprintf("%d年%s", a...)
		}
		return strings.TrimPrefix(k, "monthly.mon.") + "月"
	}, last) {
		t.Errorf("month %q", v)
	}
	for _, c := range []struct{ after, label, col, want string }{
		{"", "版本", "B", "第1版"},
		{"", "救助人次", "B", "1"},
		{"", "救助人数", "B", "1"},
		{"按性别", "男", "B", "1"},
		{"按性别", "男", "C", "100.0%"},
		{"按性别", "女", "B", "0"},
		{"按年龄段", "6岁及以下", "B", "1"},
		{"按健康状况", "健康", "B", "1"},
		{"按来源省份", "河南省", "B", "1"},
		{"按来源省份", "不详", "B", "0"},
		{"按离站方式", "滞留在站", "B", "1"},
		{"特殊群体", "未成年人", "B", "1"},
	} {
		if got := cellOf(t, f, c.after, c.label, c.col); got != c.want {
			t.Errorf("%s %s %s = %q, want %q", c.after, c.label, c.col, got, c.want)
		}
	}
	f.Close()

	// A correction needs a reason; then version 2 counts both stays and version 1 is kept.
	res, body = staff.post("/stats/monthly", url.Values{"month": {last}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "更正须填写说明") {
		t.Errorf("correction without a reason: %d", res.StatusCode)
	}
	res, _ = staff.post("/stats/monthly", url.Values{"month": {last}, "note": {"补录一人"}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "version=2") {
		t.Fatalf("correction: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if _, body := leader.do("GET", "/stats/monthly?month="+last+"&version=2", nil, false); !strings.Contains(body, `data-figure="helped">2<`) || !strings.Contains(body, "补录一人") {
		t.Error("version 2")
	}
	if _, body := leader.do("GET", "/stats/monthly"+q, nil, false); !strings.Contains(body, `data-figure="helped">1<`) {
		t.Error("version 1 changed")
	}
	if res, body := leader.do("GET", "/stats/monthly/print"+q, nil, false); res.StatusCode != 200 || !strings.Contains(body, `id="print-sheet"`) {
		t.Errorf("print: %d", res.StatusCode)
	}
}

func countReports(t *testing.T, db *store.DB) int {
	t.Helper()
	n := 0
	now := time.Now()
	for i := -1; i < 3; i++ {
		m := time.Date(now.Year(), now.Month()+time.Month(i), 1, 0, 0, 0, 0, stats.CST).Format("2006-01")
		ds, err := db.ListDepartments(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			vs, err := db.MonthlyVersions(context.Background(), d.ID, m)
			if err != nil {
				t.Fatal(err)
			}
			n += len(vs)
		}
	}
	return n
}

func TestOutcomePages(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	staff, leader := h.login("staff"), h.login("leader")
	res, body := leader.do("GET", "/stats/outcomes", nil, false)
	if res.StatusCode != 200 || !strings.Contains(body, `id="outcome-measures"`) || !strings.Contains(body, `id="outcome-target"`) {
		t.Fatalf("outcomes: %d", res.StatusCode)
	}
	if m := machineText(body); len(m) > 0 {
		t.Errorf("machine text on the Chinese outcomes page: %q", m)
	}
	if _, body := staff.do("GET", "/stats/outcomes", nil, false); strings.Contains(body, `id="outcome-target"`) {
		t.Error("staff are offered the target form")
	}
	if res, _ := staff.post("/stats/outcomes/targets", url.Values{"measure": {"home"}, "target": {"80"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("staff sets a target: %d", res.StatusCode)
	}
	if res, body := leader.post("/stats/outcomes/targets", url.Values{"measure": {"home"}, "target": {"101"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "0至100") {
		t.Errorf("target 101: %d", res.StatusCode)
	}
	if ts, _ := h.db.OutcomeTargets(context.Background()); len(ts) != 0 {
		t.Fatal("a refused target was stored")
	}
	res, _ = leader.post("/stats/outcomes/targets", url.Values{"measure": {"home"}, "target": {"80"}, "from": {"2026-01-01"}, "to": {"2026-06-30"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("target: %d", res.StatusCode)
	}
	if _, body := leader.do("GET", res.Header.Get("Location"), nil, false); !strings.Contains(body, "80.0%") || !strings.Contains(body, "目标已保存") {
		t.Error("the target is not shown")
	}
	if res, body := leader.do("GET", "/stats/outcomes?from=2026-05-02&to=2026-05-01", nil, false); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(body, "截止日期不能早于起始日期") {
		t.Errorf("reversed period: %d", res.StatusCode)
	}
}
