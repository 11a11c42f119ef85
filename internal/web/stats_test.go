package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/stats"
)

// statsFixture starts a campaign and records, through the services, a
// day patrol of three and an outreach encounter on it.
func statsFixture(t *testing.T, h *harness) *campaigns.Campaign {
	t.Helper()
	ctx := context.Background()
	disp := auth.Actor{UserID: "stats", Name: "stats", Role: auth.RoleDispatcher}
	depts, _ := h.db.ListDepartments(ctx)
	var station string
	for _, d := range depts {
		if d.Kind == "station" {
			station = d.ID
		}
	}
	tm, err := h.dispatch.CreateTeam(ctx, disp, dispatch.Team{Name: "统计一队", Kind: dispatch.KindCivil, DepartmentID: station})
	if err != nil {
		t.Fatal(err)
	}
	// A day patrol whatever the hour the test runs: the latest 10:00 China
	// time at least an hour ago (night patrols start 20:00–06:00).
	cst := time.FixedZone("CST", 8*3600)
	now := time.Now().In(cst)
	start := time.Date(now.Year(), now.Month(), now.Day(), 10, 0, 0, 0, cst)
	if start.After(now.Add(-time.Hour)) {
		start = start.AddDate(0, 0, -1)
	}
	p, _, err := h.dispatch.StartPatrol(ctx, disp, dispatch.PatrolInput{ID: id.New(), TeamID: tm.ID, StartedAt: start, StaffCount: 3, VehicleTrips: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.dispatch.RecordEncounter(ctx, disp, dispatch.EncounterInput{ID: id.New(), PatrolID: p.ID, TeamID: tm.ID,
		At: start.Add(30 * time.Minute), Outcome: dispatch.OutcomeOutreach}); err != nil {
		t.Fatal(err)
	}
	c, err := h.deps.Campaigns.Start(ctx, auth.Actor{Name: "staff", Role: auth.RoleStaff}, campaigns.Input{Kind: campaigns.Winter, Name: "寒冬送温暖专项救助行动",
		StartsOn: time.Now().AddDate(0, 0, -3).Format(time.DateOnly), EndsOn: time.Now().AddDate(0, 0, 30).Format(time.DateOnly)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCampaignReportPageXLSXAndPrint(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := statsFixture(t, h)
	leader := h.login("leader")
	base := "/campaigns/" + c.ID + "/report"

	// The campaigns page links to the report for those who read figures.
	if _, body := leader.do("GET", "/campaigns", nil, false); !strings.Contains(body, `href="`+base+`"`) {
		t.Error("the campaigns page has no link to the report")
	}
	res, body := leader.do("GET", base, nil, false)
	if res.StatusCode != 200 {
		t.Fatalf("report: %d", res.StatusCode)
	}
	for _, want := range []string{`data-key="patrols"`, "上街巡查", "出动人次", "站外救助", "寒冬送温暖专项救助行动", `id="report-xlsx"`} {
		if !strings.Contains(body, want) {
			t.Errorf("report page lacks %q", want)
		}
	}
	row := func(body, key string) string {
		i := strings.Index(body, `data-key="`+key+`"`)
		if i < 0 {
			return ""
		}
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	if r := row(body, "staff_turnouts"); !strings.Contains(r, `<td class="total">3</td>`) {
		t.Errorf("staff turn-outs row: %s", r)
	}
	if r := row(body, "outreach_aid"); !strings.Contains(r, `<td class="total">1</td>`) {
		t.Errorf("outreach row: %s", r)
	}

	// The workbook says the same.
	res, body = leader.do("GET", base+".xlsx", nil, false)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
		t.Fatalf("xlsx: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("汇总")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 4 || rows[0][0] != c.Name || rows[2][0] != "指标" || rows[2][len(rows[2])-1] != "合计" {
		t.Fatalf("summary head: %v", rows[:min(3, len(rows))])
	}
	got := map[string]string{}
	for _, r := range rows[3:] {
		got[r[0]] = r[len(r)-1]
	}
	for name, want := range map[string]string{"上街巡查": "1", "夜巡": "0", "出动人次": "3", "站外救助": "1", "出动车次": "1"} {
		if got[name] != want {
			t.Errorf("xlsx %s = %q, want %q", name, got[name], want)
		}
	}
	if daily, _ := f.GetRows("每日"); len(daily) != 1+len(stats.Period{From: c.StartsOn, To: c.EndsOn}.Days()) {
		t.Errorf("daily sheet has %d rows", len(daily))
	}

	// The A4 print.
	if res, body := leader.do("GET", base+"/print", nil, false); res.StatusCode != 200 || !strings.Contains(body, "report-print") || !strings.Contains(body, "data-print") {
		t.Errorf("print: %d", res.StatusCode)
	}

	// Bad input: a clear message, nothing counted.
	tomorrow := time.Now().In(stats.CST).AddDate(0, 0, 1).Format(time.DateOnly)
	for q, msg := range map[string]string{
		"?from=2025-03-15&to=2024-11-01":        "截止日期不能早于起始日期",
		"?from=" + tomorrow + "&to=" + tomorrow: "起始日期不能晚于今天",
		"?department=no-such-dept":              "没有这个部门",
		"?from=2025-02-30&to=2025-03-01":        "请输入有效日期",
	} {
		res, body := leader.do("GET", base+q, nil, false)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, msg) || strings.Contains(body, `id="report-summary"`) {
			t.Errorf("%s: %d, message %q shown: %v", q, res.StatusCode, msg, strings.Contains(body, msg))
		}
		if res, _ := leader.do("GET", base+".xlsx"+q, nil, false); res.StatusCode != http.StatusBadRequest {
			t.Errorf("xlsx %s: %d", q, res.StatusCode)
		}
	}
	en := h.login("leader")
	en.do("POST", "/lang", map[string][]string{"lang": {"en"}, "back": {"/"}, "csrf_token": {en.csrf}}, true)
	if _, body := en.do("GET", base+"?from=2025-03-15&to=2024-11-01", nil, false); !strings.Contains(body, "The period cannot end before it starts") {
		t.Error("no English message for a reversed period")
	}

	// The volunteer coordinator sees the campaign, not its figures; nor
	// does the medical staff.
	for _, who := range []string{"volunteer", "medical", "patrol"} {
		if res, _ := h.login(who).do("GET", base, nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", who, res.StatusCode)
		}
	}
}

func TestStatisticsAPI(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := statsFixture(t, h)
	ctx := context.Background()
	key, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "市局数据中心", []string{auth.ScopeStatisticsRead}, "")
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "寻亲平台", []string{"family.read"}, "")
	if err != nil {
		t.Fatal(err)
	}
	get := func(key, path string, v any) int {
		t.Helper()
		r, _ := http.NewRequest("GET", h.srv.URL+path, nil)
		r.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if v != nil {
			if err := json.NewDecoder(res.Body).Decode(v); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return res.StatusCode
	}
	var list struct {
		Indicators []struct {
			Key  string            `json:"key"`
			Name map[string]string `json:"name"`
		} `json:"indicators"`
	}
	if code := get(key, "/api/v1/statistics/indicators", &list); code != 200 || len(list.Indicators) != len(stats.Catalogue()) || list.Indicators[0].Name["zh-CN"] == "" {
		t.Fatalf("indicators: %d %+v", code, list)
	}
	today := time.Now().In(stats.CST).Format(time.DateOnly)
	var figs struct {
		By      string `json:"by"`
		Figures []struct {
			Key   string `json:"key"`
			Total int64  `json:"total"`
			Rows  []struct {
				Department string `json:"department"`
				Value      int64  `json:"value"`
			} `json:"rows"`
		} `json:"figures"`
	}
	from := time.Now().In(stats.CST).AddDate(0, 0, -1).Format(time.DateOnly)
	if code := get(key, "/api/v1/statistics/figures?from="+from+"&to="+today+"&by=department&keys=staff_turnouts,outreach_aid", &figs); code != 200 {
		t.Fatalf("figures: %d", code)
	}
	if len(figs.Figures) != 2 || figs.Figures[0].Total != 3 || figs.Figures[1].Total != 1 || len(figs.Figures[0].Rows) != 1 || figs.By != "department" {
		t.Errorf("figures: %+v", figs)
	}
	var camp struct {
		Lines []struct {
			Key   string `json:"key"`
			Total int64  `json:"total"`
		} `json:"lines"`
		Daily struct {
			Days   []string           `json:"days"`
			Series map[string][]int64 `json:"series"`
		} `json:"daily"`
	}
	if code := get(key, "/api/v1/statistics/campaigns/"+c.ID, &camp); code != 200 || len(camp.Lines) != len(stats.Catalogue()) || len(camp.Daily.Series["patrols"]) != len(camp.Daily.Days) {
		t.Errorf("campaign: %d %d lines", code, len(camp.Lines))
	}
	// Structured errors for bad input; a key without the scope is refused.
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	for q, field := range map[string]string{"?from=2025-03-15&to=2024-11-01": "to", "?department=nope": "department", "?keys=nope": "keys", "?by=week": "by",
		"?from=2099-01-01&to=2099-01-02": "from"} {
		e.Error.Fields = nil
		if code := get(key, "/api/v1/statistics/figures"+q, &e); code != 400 || e.Error.Code != "invalid" || e.Error.Fields[field] == "" {
			t.Errorf("%s: %d %+v", q, code, e)
		}
	}
	if code := get(other, "/api/v1/statistics/indicators", nil); code != http.StatusForbidden {
		t.Errorf("a key without statistics.read: %d", code)
	}
	if code := get(key, "/api/v1/statistics/campaigns/nope", nil); code != http.StatusNotFound {
		t.Errorf("an unknown campaign: %d", code)
	}

	// The monthly report (last month: not yet submitted, so the figures
	// from the records) and the outcome measures, to the same key.
	var month struct {
		Month     string `json:"month"`
		Submitted bool   `json:"submitted"`
		Figures   struct {
			Month  string `json:"month"`
			Tables []struct {
				Key string `json:"key"`
			} `json:"tables"`
		} `json:"figures"`
		Versions []any `json:"versions"`
	}
	last := stats.LastMonth(time.Now())
	if code := get(key, "/api/v1/statistics/monthly", &month); code != 200 || month.Month != last || month.Submitted || month.Figures.Month != last || len(month.Figures.Tables) == 0 || month.Versions == nil {
		t.Errorf("monthly: %d %+v", code, month)
	}
	e.Error.Fields = nil
	if code := get(key, "/api/v1/statistics/monthly?month=2999-01", &e); code != 400 || e.Error.Code != "invalid" {
		t.Errorf("a future month: %d %+v", code, e)
	}
	if code := get(key, "/api/v1/statistics/monthly?department=nope", nil); code != 400 {
		t.Errorf("monthly of an unknown department: %d", code)
	}
	var out struct {
		Measures []struct {
			Key string `json:"key"`
		} `json:"measures"`
		LOS []any `json:"length_of_stay"`
	}
	if code := get(key, "/api/v1/statistics/outcomes", &out); code != 200 || len(out.Measures) != len(stats.Measures) || out.LOS == nil {
		t.Errorf("outcomes: %d %+v", code, out)
	}
	for _, p := range []string{"/api/v1/statistics/monthly", "/api/v1/statistics/outcomes"} {
		if code := get(other, p, nil); code != http.StatusForbidden {
			t.Errorf("%s to a key without statistics.read: %d", p, code)
		}
	}
}
