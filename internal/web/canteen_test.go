package web_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/cases"
)

var safetyActor = auth.Actor{UserID: "t-safety", Name: "王安全", Role: auth.RoleSafety}

func canteenFixture(t *testing.T, h *harness) (fridge *canteen.ColdUnit) {
	t.Helper()
	ctx := context.Background()
	fridge, err := h.canteen.AddColdUnit(ctx, safetyActor, "留样冰箱", canteen.Chilled, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.canteen.AddHandler(ctx, safetyActor, "张厨", "豫健2026001", "2030-01-01"); err != nil {
		t.Fatal(err)
	}
	return fridge
}

// A canteen worker's bad input: a clear message on the field, what was
// typed kept, nothing stored.
func TestCanteenBadInputKept(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	fridge := canteenFixture(t, h)
	c := h.login("safety")
	ctx := context.Background()

	res, page := c.post("/canteen", url.Values{"form": {"meal"}, "day": {"2026-01-05"}, "kind": {"lunch"}, "served": {"10"},
		"dish.0.name": {"红烧茄子"}, "dish.0.grams": {"100"}, "dish.0.sealed": {"1"}, "sampler": {"李厨"}, "reviewer": {"王安全"},
		"unit_id": {fridge.ID}, "sampled_at": {"2026-01-05T11:30"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "每道菜留样不少于125克") || !strings.Contains(page, `value="红烧茄子"`) {
		t.Fatalf("sample under 125 g: %d, message or input missing\n%s", res.StatusCode, h.logs.String())
	}
	if ms, _ := h.db.Meals(ctx, "2026-01-01", "2026-12-31"); len(ms) != 0 {
		t.Error("a refused meal was stored")
	}
	res, page = c.post("/canteen", url.Values{"form": {"reading"}, "unit_id": {fridge.ID}, "temp_c": {"70"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "温度读数不合理") || !strings.Contains(page, `value="70"`) {
		t.Fatalf("a fridge at 70 °C: %d", res.StatusCode)
	}
	res, page = c.post("/canteen", url.Values{"form": {"reading"}, "unit_id": {fridge.ID}, "temp_c": {"4"}, "at": {"2099-01-01T08:00"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "时间不能晚于现在") {
		t.Fatalf("a reading in the future: %d", res.StatusCode)
	}
	if rs, _ := h.db.Readings(ctx, time.Now().AddDate(-1, 0, 0)); len(rs) != 0 {
		t.Error("a refused reading was stored")
	}
	// One person in care today: the meal is checked against them.
	if _, err := h.cases.Admit(ctx, auth.Actor{UserID: "t-staff", Name: "站员", Role: auth.RoleStaff}, cases.AdmitInput{Source: "walk_in",
		Form: cases.Form{Reason: "食堂", Security: "passed"}, Person: cases.PersonInput{Name: "食堂甲", AgeMin: 30, AgeMax: 40}}); err != nil {
		t.Fatal(err)
	}
	// A sample discarded before 48 h: refused, kept.
	res, _ = c.post("/canteen", url.Values{"form": {"meal"}, "day": {canteen.Day(time.Now())}, "kind": {"lunch"}, "served": {"3"},
		"dish.0.name": {"米饭"}, "dish.0.grams": {"150"}, "dish.0.sealed": {"1"}, "sampler": {"李厨"}, "reviewer": {"王安全"}, "unit_id": {fridge.ID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("a good meal: %d", res.StatusCode)
	}
	kept, _ := h.db.SamplesKept(ctx)
	if len(kept) != 1 {
		t.Fatalf("kept: %d", len(kept))
	}
	if ms, _ := h.db.Meals(ctx, canteen.Day(time.Now()), canteen.Day(time.Now())); len(ms) != 1 || ms[0].InCare != 1 {
		t.Fatalf("the meal's people in care: %+v", ms)
	}
	res, page = c.post("/canteen", url.Values{"form": {"discard"}, "sample_id": {kept[0].ID}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(page, "留样未满48小时") {
		t.Fatalf("early discard: %d", res.StatusCode)
	}
	if kept, _ = h.db.SamplesKept(ctx); len(kept) != 1 {
		t.Error("an early discard was stored")
	}
	// The page, the prints and the home block show without machine text.
	for _, path := range []string{"/canteen", "/canteen/samples/print", "/canteen/purchases/print", "/"} {
		res, page := c.do("GET", path, nil, false)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		if m := machineText(page); len(m) > 0 {
			t.Errorf("%s shows machine text: %v", path, m)
		}
	}
	_, home := c.do("GET", "/", nil, false)
	if !strings.Contains(home, `id="canteen-home"`) || !strings.Contains(home, "张厨今天") {
		t.Error("the safety officer's home lacks the canteen block or the missing morning check")
	}
	_, leaderHome := h.login("leader").do("GET", "/", nil, false)
	if strings.Contains(leaderHome, `id="canteen-home"`) {
		t.Error("the leader's home shows the safety officer's block")
	}
	res, leaderPage := h.login("leader").do("GET", "/canteen", nil, false)
	if res.StatusCode != 200 || strings.Contains(leaderPage, `id="meal-form"`) || !strings.Contains(leaderPage, "米饭") {
		t.Errorf("the leader reads the canteen without its forms: %d", res.StatusCode)
	}
	_, print := c.do("GET", "/canteen/samples/print", nil, false)
	if !strings.Contains(print, "米饭") || !strings.Contains(print, "李厨") {
		t.Error("the 留样记录表 lacks the day's sample")
	}
}

func TestCanteenSensorAPI(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	fridge := canteenFixture(t, h)
	ctx := context.Background()
	key, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "冷库探头", []string{auth.ScopeCanteenSensor}, "")
	if err != nil {
		t.Fatal(err)
	}
	other, _, _ := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "110", []string{"intake.write"}, "")
	post := func(k, body string) (int, string) {
		r, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/canteen/temperatures", bytes.NewBufferString(body))
		r.Header.Set("Authorization", "Bearer "+k)
		r.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(res.Body)
		return res.StatusCode, b.String()
	}
	if code, _ := post(other, `{"unit":"`+fridge.ID+`","temp_c":4}`); code != http.StatusForbidden {
		t.Errorf("a key without canteen.sensor: %d", code)
	}
	for _, bad := range []string{`{"unit":"` + fridge.ID + `","temp_c":70}`, `{"unit":"` + fridge.ID + `","temp_c":"4"}`, `{"unit":"x","temp_c":4}`,
		`{"unit":"` + fridge.ID + `"}`, `{"unit":"` + fridge.ID + `","temp_c":4,"extra":1}`, `[]`} {
		if code, body := post(key, bad); code != http.StatusUnprocessableEntity && code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if rs, _ := h.db.Readings(ctx, time.Now().AddDate(0, 0, -1)); len(rs) != 0 {
		t.Fatalf("refused readings stored: %d", len(rs))
	}
	code, body := post(key, `{"unit":"留样冰箱","temp_c":9.5}`)
	if code != http.StatusCreated || !strings.Contains(body, `"out_of_range":true`) {
		t.Fatalf("an excursion: %d %s", code, body)
	}
	_, page := h.login("safety").do("GET", "/canteen", nil, false)
	if !strings.Contains(page, "超出范围") {
		t.Error("the excursion raised no alert")
	}
}

// TestCanteenRecordsPrint: the month's pest-control log and self-checks
// print on A4 as recorded, each answer in the wording of its day, and a
// month without records says so.
func TestCanteenRecordsPrint(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	safety := auth.Actor{Name: "王安全", Role: auth.RoleSafety}
	cs := h.deps.Canteen
	today := time.Now().In(canteen.CST).Format(time.DateOnly)
	if _, err := cs.RecordPest(ctx, safety, canteen.PestInput{Day: today, Area: "后厨仓库", Measures: []string{"traps", "professional"},
		Company: "新乡市卫辉消杀公司", Findings: "墙角发现鼠粪", By: "王安全"}); err != nil {
		t.Fatal(err)
	}
	item, err := cs.AddCheckItem(ctx, safety, canteen.ListDaily, "生熟分开存放", "")
	if err != nil {
		t.Fatal(err)
	}
	page, err := cs.SelfCheckList(ctx, safety, canteen.ListDaily)
	if err != nil {
		t.Fatal(err)
	}
	var answers []canteen.AnswerInput
	for _, it := range page.Items {
		a := canteen.AnswerInput{ItemID: it.ID, Verdict: "ok"}
		if it.ID == item.ID {
			a = canteen.AnswerInput{ItemID: it.ID, Verdict: "problem", Note: "熟食盒放在生肉下层，已调整"}
		}
		answers = append(answers, a)
	}
	if _, err := cs.RecordSelfCheck(ctx, safety, canteen.SelfCheckInput{List: canteen.ListDaily, Answers: answers}); err != nil {
		t.Fatal(err)
	}
	c := h.login("safety")
	res, body := c.do("GET", "/canteen/records/print?month="+today[:7], nil, false)
	if res.StatusCode != 200 {
		t.Fatalf("records print: %d", res.StatusCode)
	}
	for _, want := range []string{"后厨仓库", "捕鼠器、粘鼠板、专业消杀服务", "新乡市卫辉消杀公司", "墙角发现鼠粪", "生熟分开存放", "有问题", "熟食盒放在生肉下层，已调整", "防虫防鼠记录", "食品安全自查记录（日管控）"} {
		if !strings.Contains(body, want) {
			t.Errorf("the records print lacks %q", want)
		}
	}
	if m := machineText(body); len(m) > 0 {
		t.Errorf("the records print shows machine text: %v", m)
	}
	last := time.Now().In(canteen.CST).AddDate(0, -1, -time.Now().In(canteen.CST).Day()+1).Format("2006-01")
	_, old := c.do("GET", "/canteen/records/print?month="+last, nil, false)
	if strings.Contains(old, "墙角发现鼠粪") || strings.Contains(old, "熟食盒放在生肉下层") {
		t.Error("last month's print shows this month's records")
	}
	if res, _ := h.login("finance").do("GET", "/canteen/records/print", nil, false); res.StatusCode != http.StatusForbidden {
		t.Errorf("finance reads the canteen records: %d", res.StatusCode)
	}
}
