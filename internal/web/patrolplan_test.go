package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/web"
)

// planHotspots adds two hotspots: an underpass where three people slept
// two nights ago (one elderly), last visited five days ago, and a square
// never visited.
func planHotspots(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	disp := auth.Actor{UserID: "plan", Name: "plan", Role: auth.RoleDispatcher}
	under, err := h.dispatch.CreateHotspot(ctx, disp, dispatch.Hotspot{Name: "平原路地下通道", Kind: "underpass", Lat: 35.2990, Lng: 113.8830})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.dispatch.CreateHotspot(ctx, disp, dispatch.Hotspot{Name: "宝龙广场西侧", Kind: "square", Lat: 35.2888, Lng: 113.8989}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	visit := now.Add(-5*24*time.Hour - time.Hour)
	if err := h.db.SavePatrol(ctx, &dispatch.Patrol{ID: id.New(), Kind: "planned", StartedAt: visit, CreatedBy: "t", Version: 1, UpdatedAt: visit,
		Visits: map[string]time.Time{under.ID: visit}}, 0, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	night := now.Add(-48 * time.Hour)
	for i, states := range [][]string{{"cold", "elderly"}, {"cold"}, nil} {
		at := night.Add(time.Duration(i) * time.Minute)
		if err := h.db.SaveEncounter(ctx, &dispatch.Encounter{ID: id.New(), At: at, Lat: under.Lat, Lng: under.Lng + 0.0005, States: states,
			Outcome: dispatch.OutcomeOutreach, RecordedBy: "t", Version: 1, UpdatedAt: at}, 0, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPlanPageAndForecastForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		planHotspots(t, h)
		d := h.login("dispatcher")
		res, body := d.do("GET", "/dispatch/plan", nil, false)
		if res.StatusCode != 200 {
			t.Fatalf("GET /dispatch/plan: %d", res.StatusCode)
		}
		text := visibleText(body)
		for _, want := range []string{"今夜巡查计划", "平原路地下通道", "近14晚3人在此过夜，其中1位老人；已5天未巡查；未录入今夜天气", "宝龙广场西侧", "从未巡查", "50分"} {
			if !strings.Contains(text, want) {
				t.Errorf("the plan does not say %q:\n%s", want, text)
			}
		}
		if strings.Index(text, "平原路地下通道") > strings.Index(text, "宝龙广场西侧") {
			t.Error("the underpass (50) is not above the square (28)")
		}
		if bad := machineText(body); len(bad) > 0 {
			t.Errorf("the plan shows machine text %q", bad)
		}
		if !strings.Contains(body, `action="/dispatch/plan/forecast"`) {
			t.Error("the dispatcher has no forecast form")
		}
		tonight := patrolplan.NightOf(time.Now())
		// Bad input: a clear message, nothing stored.
		for _, c := range []struct {
			name string
			form url.Values
			want string
		}{
			{"−61 °C", url.Values{"night": {tonight}, "min_c": {"-61"}, "max_c": {"0"}}, "请填写−60至60之间的整数温度（℃）。"},
			{"not a number", url.Values{"night": {tonight}, "min_c": {"冷"}, "max_c": {"0"}}, "请填写−60至60之间的整数温度（℃）。"},
			{"unknown level", url.Values{"night": {tonight}, "min_c": {"-8"}, "max_c": {"1"}, "warning": {"cold_wave"}, "level": {"purple"}},
				"预警级别只能是蓝色、黄色、橙色或红色；无预警时不填级别。"},
			{"unknown warning", url.Values{"night": {tonight}, "min_c": {"-8"}, "max_c": {"1"}, "warning": {"storm"}, "level": {"red"}},
				"预警种类只能是寒潮、高温或无预警。"},
			{"last night", url.Values{"night": {nightAdd(tonight, -1)}, "min_c": {"-8"}, "max_c": {"1"}}, "只能录入今夜至7天后的预报。"},
			{"eight nights ahead", url.Values{"night": {nightAdd(tonight, 8)}, "min_c": {"-8"}, "max_c": {"1"}}, "只能录入今夜至7天后的预报。"},
		} {
			res, body := d.post("/dispatch/plan/forecast", c.form)
			if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) {
				t.Errorf("%s: %d, want 422 saying %q", c.name, res.StatusCode, c.want)
			}
		}
		if _, err := db.Forecast(ctx, tonight); !errs.Is(errs.NotFound, err) {
			t.Fatalf("a refused forecast was stored: %v", err)
		}
		// No night patrol item on the board yet.
		if _, body := d.do("GET", "/dispatch", nil, false); strings.Contains(body, `id="night-required"`) {
			t.Error("the board asks for a night patrol without a warning")
		}
		// An orange cold wave, typed with a true minus: stored, the winter
		// campaign started, the board says 今夜须夜巡.
		form := url.Values{"night": {tonight}, "min_c": {"−8"}, "max_c": {"1"}, "warning": {"cold_wave"}, "level": {"orange"}}
		res, _ = d.post("/dispatch/plan/forecast", form)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dispatch/plan?notice=started" {
			t.Fatalf("good forecast: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		_, body = d.do("GET", "/dispatch/plan?notice=started", nil, false)
		text = visibleText(body)
		for _, want := range []string{"今夜须夜巡：", "今夜最低−8 ℃，寒潮橙色预警", "预警已启动相应的专项行动", "人员40分×天气3.8倍＋巡查间隔10分＝162分"} {
			if !strings.Contains(text, want) {
				t.Errorf("the plan does not say %q", want)
			}
		}
		_, board := d.do("GET", "/dispatch", nil, false)
		if !strings.Contains(board, `id="night-required"`) || !strings.Contains(visibleText(board), "今夜最低−8 ℃，寒潮橙色预警") {
			t.Error("the board has no night patrol item")
		}
		// The same warning again starts nothing more.
		res, _ = h.login("staff").post("/dispatch/plan/forecast", form)
		if res.Header.Get("Location") != "/dispatch/plan?notice=running" {
			t.Errorf("again: %s", res.Header.Get("Location"))
		}
		if cs, _ := db.Campaigns(ctx); len(cs) != 1 || cs[0].Kind != campaigns.Winter {
			t.Errorf("campaigns %+v, want one winter campaign", cs)
		}
		// The patrol member and the leader read the plan; neither enters a forecast.
		for _, who := range []string{"patrol", "leader"} {
			c := h.login(who)
			res, body := c.do("GET", "/dispatch/plan", nil, false)
			if res.StatusCode != 200 || strings.Contains(body, `action="/dispatch/plan/forecast"`) {
				t.Errorf("%s: %d, or shown the form", who, res.StatusCode)
			}
		}
	})
}

func nightAdd(night string, n int) string {
	t, _ := time.Parse(time.DateOnly, night)
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

func TestWeatherAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		key, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "新乡市气象台", []string{"weather.write"}, "")
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "110", []string{"family.write", "intake.write"}, "")
		post := func(key, body string) (int, map[string]any) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/weather/forecasts", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var out map[string]any
			_ = json.Unmarshal(b, &out)
			return res.StatusCode, out
		}
		tonight := patrolplan.NightOf(time.Now())
		body := func(minC, maxC, warning, level string) string {
			return `{"night":"` + tonight + `","min_c":` + minC + `,"max_c":` + maxC + `,"warning":"` + warning + `","level":"` + level + `"}`
		}
		good := body("-8", "1", "cold_wave", "orange")
		// A key without the scope is refused, whatever it sends.
		if code, _ := post(other, good); code != http.StatusForbidden {
			t.Fatalf("a key without weather.write: %d", code)
		}
		if code, _ := post("", good); code != http.StatusUnauthorized {
			t.Fatalf("no key: %d", code)
		}
		for _, c := range []struct {
			name, body, field string
			code              int
		}{
			{"too cold", body("-61", "1", "", ""), "min_c", 400},
			{"too hot", body("30", "61", "heat", "red"), "max_c", 400},
			{"not whole", body("-8.5", "1", "", ""), "min_c", 400},
			{"a string", body(`"-8"`, "1", "", ""), "min_c", 400},
			{"missing", `{"night":"` + tonight + `","max_c":1}`, "min_c", 400},
			{"unknown level", body("-8", "1", "cold_wave", "purple"), "level", 400},
			{"unknown warning", body("-8", "1", "blizzard", "red"), "warning", 400},
			{"level without warning", body("-8", "1", "none", "red"), "level", 400},
			{"low above high", body("3", "1", "", ""), "max_c", 400},
			{"unknown field", `{"night":"` + tonight + `","min_c":1,"max_c":2,"wind":5}`, "forecast", 400},
			{"two values", good + good, "forecast", 400},
		} {
			code, out := post(key, c.body)
			if code != c.code {
				t.Errorf("%s: %d %v, want %d", c.name, code, out, c.code)
				continue
			}
			e, _ := out["error"].(map[string]any)
			fields, _ := e["fields"].(map[string]any)
			if fields[c.field] == nil || fields[c.field] == "" {
				t.Errorf("%s: fields %v, want %s named", c.name, fields, c.field)
			}
		}
		if _, err := db.Forecast(ctx, tonight); !errs.Is(errs.NotFound, err) {
			t.Fatalf("a refused forecast was stored: %v", err)
		}
		code, out := post(key, good)
		if code != http.StatusCreated || out["night_patrol_required"] != true || out["warning"] != "cold_wave" || out["level"] != "orange" {
			t.Fatalf("good: %d %v", code, out)
		}
		camp, _ := out["campaign"].(map[string]any)
		if camp == nil || camp["kind"] != "winter" || camp["started"] != true {
			t.Fatalf("campaign %v", out["campaign"])
		}
		// The same warning again: stored again, the campaign found, not started.
		code, out = post(key, good)
		camp, _ = out["campaign"].(map[string]any)
		if code != http.StatusCreated || camp == nil || camp["started"] != false {
			t.Fatalf("again: %d %v", code, out)
		}
		// Chinese names are taken too; a blue warning is below the alert level.
		code, out = post(key, body("-2", "6", "寒潮", "蓝色"))
		if code != http.StatusCreated || out["night_patrol_required"] != false || out["campaign"] != nil || out["level"] != "blue" {
			t.Fatalf("blue: %d %v", code, out)
		}
		if cs, _ := db.Campaigns(ctx); len(cs) != 1 {
			t.Errorf("%d campaigns, want 1", len(cs))
		}
		f, err := db.Forecast(ctx, tonight)
		if err != nil || f.Source != patrolplan.SourcePartner || f.EnteredBy != "新乡市气象台" || f.MinC != -2 {
			t.Errorf("stored %+v %v", f, err)
		}
		starts, _ := db.ListAudit(ctx, audit.Filter{Action: "campaign.start"})
		if len(starts) != 1 || starts[0].ActorName != "apikey:新乡市气象台" {
			t.Errorf("campaign audit %+v", starts)
		}
	})
}

func FuzzParseForecast(f *testing.F) {
	f.Add([]byte(`{"night":"2026-12-02","min_c":-8,"max_c":1,"warning":"cold_wave","level":"orange"}`))
	f.Add([]byte(`{"night":"2026-12-02","min_c":-8.5,"max_c":1e2}`))
	f.Add([]byte(`{"night":"2026-12-02","min_c":-8,"max_c":1,"warning":"高温","level":"红色"} {}`))
	f.Add([]byte(`{"min_c":99999999999999999999999}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := web.ParseForecast(body)
		if err != nil {
			if in != (patrolplan.Input{}) {
				t.Fatal("both a forecast and an error")
			}
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("error of kind %v", errs.KindOf(err))
			}
			return
		}
		if !json.Valid(bytes.TrimSpace(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if in.MinC < patrolplan.MinTemp || in.MinC > patrolplan.MaxTemp || in.MaxC < patrolplan.MinTemp || in.MaxC > patrolplan.MaxTemp {
			t.Fatalf("accepted temperatures %d, %d", in.MinC, in.MaxC)
		}
		if !contains(patrolplan.Warnings, in.Warning) || (in.Level != "" && patrolplan.LevelRank(in.Level) == 0) || in.Night == "" {
			t.Fatalf("accepted %+v", in)
		}
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
