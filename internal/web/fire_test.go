package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/firesafety"
)

func fireFixture(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	for i, c := range [][2]string{{"XC-01", "一楼大厅"}, {"XC-02", "二楼走廊"}, {"XC-03", "厨房"}} {
		if _, err := h.fire.AddCheckpoint(ctx, safetyActor, c[0], c[1], string(rune('1'+i))); err != nil {
			t.Fatal(err)
		}
	}
}

// Bad input on the fire pages: a clear message on the field, what was
// typed kept, nothing stored.
func TestFireBadInputKept(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	fireFixture(t, h)
	c := h.login("safety")
	ctx := context.Background()

	res, page := c.post("/fire", url.Values{"form": {"equipment"}, "kind": {"extinguisher"}, "ext_type": {"powder"}, "name": {"4kg 干粉灭火器"},
		"location": {"配电室"}, "manufactured_on": {"2024-05-01"}, "installed_on": {"2024-04-01"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "出厂日期不能晚于安装日期") ||
		!strings.Contains(page, `value="2024-05-01"`) || !strings.Contains(page, `value="配电室"`) {
		t.Fatalf("made after installed: %d\n%s", res.StatusCode, page)
	}
	tomorrow := time.Now().In(firesafety.CST).AddDate(0, 0, 1).Format("2006-01-02")
	res, page = c.post("/fire", url.Values{"form": {"equipment"}, "kind": {"extinguisher"}, "ext_type": {"co2"}, "name": {"3kg 二氧化碳"},
		"location": {"控制室"}, "manufactured_on": {tomorrow}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "日期不能在今天之后") {
		t.Fatalf("made tomorrow: %d", res.StatusCode)
	}
	if items, _ := h.db.Equipment(ctx); len(items) != 0 {
		t.Fatalf("refused equipment stored: %d", len(items))
	}
	res, page = c.post("/fire", url.Values{"form": {"inspection"}, "on": {tomorrow}, "inspector": {"王安全"}, "responsible": {"刘站长"}, "signed": {"1"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "日期不能在今天之后") || !strings.Contains(page, `value="刘站长"`) {
		t.Fatalf("inspection tomorrow: %d", res.StatusCode)
	}

	// A typed code that names no checkpoint, and a scan of one.
	res, page = c.do("GET", "/fire/patrol?code=XC-99", nil, false)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "没有这个巡查点") || !strings.Contains(page, `value="XC-99"`) {
		t.Fatalf("unknown code: %d", res.StatusCode)
	}
	if res, _ := c.do("GET", "/fire/cp/XC-99", nil, false); res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown checkpoint page: %d", res.StatusCode)
	}
	if res, _ := c.do("GET", "/fire/patrol?code=xc-02", nil, false); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/fire/cp/XC-02" {
		t.Fatalf("typed code: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := c.upload("/fire/cp/XC-99", map[string]string{"client_id": "x1"}, nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("scan of an unknown checkpoint: %d", res.StatusCode)
	}
}

// A check-in sent twice (a double tap, a retry) is stored once; a
// problem without a note is refused with the ticks kept.
func TestFireScanReplay(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	fireFixture(t, h)
	c := h.login("safety")
	ctx := context.Background()
	res, _ := c.do("GET", "/fire/cp/XC-01", nil, false)
	if res.StatusCode != 200 {
		t.Fatalf("checkpoint page: %d", res.StatusCode)
	}
	for i, want := range []string{"notice=scanned", "notice=replayed"} {
		res, _ := c.upload("/fire/cp/XC-01", map[string]string{"client_id": "phone-key-1"}, nil)
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), want) {
			t.Fatalf("send %d: %d %s", i, res.StatusCode, res.Header.Get("Location"))
		}
	}
	scans, _ := h.db.Scans(ctx, time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if len(scans) != 1 {
		t.Fatalf("%d scans stored", len(scans))
	}
	res, page := c.post("/fire/cp/XC-02", url.Values{"client_id": {"phone-key-2"}, "problems": {"exits"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "发现问题请写明情况") || !strings.Contains(page, `value="exits" checked`) {
		t.Fatalf("problem without a note: %d", res.StatusCode)
	}
}

// Overdue hazards rise to the leader; others are refused the fire pages.
func TestFireLeaderSeesOverdueHazards(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	found := time.Now().In(firesafety.CST).AddDate(0, 0, -20).Format("2006-01-02")
	hz, err := h.fire.AddHazard(ctx, safetyActor, firesafety.HazardInput{FoundOn: found, Location: "二楼走廊", Description: "安全出口堆放杂物"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.fire.PlanHazard(ctx, safetyActor, hz.ID, firesafety.PlanInput{Measure: "清理", Deadline: time.Now().In(firesafety.CST).AddDate(0, 0, -2).Format("2006-01-02"), Owner: "李宿管"}); err != nil {
		t.Fatal(err)
	}
	_, page := h.login("leader").do("GET", "/", nil, false)
	if !strings.Contains(page, `id="fire-hazards"`) || !strings.Contains(page, "安全出口堆放杂物") {
		t.Fatal("the leader's home does not show the overdue hazard")
	}
	_, page = h.login("safety").do("GET", "/", nil, false)
	if !strings.Contains(page, `id="fire-home"`) || !strings.Contains(page, "安全出口堆放杂物") {
		t.Fatal("the safety officer's home does not show the hazard")
	}
	if res, _ := h.login("staff").do("GET", "/fire", nil, false); res.StatusCode != http.StatusForbidden {
		t.Fatalf("staff on /fire: %d", res.StatusCode)
	}
	if res, _ := h.login("leader").post("/fire", url.Values{"form": {"hazard"}, "found_on": {found}, "location": {"x"}, "description": {"y"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("leader writes: %d", res.StatusCode)
	}
}

// The fire pages, filled by the demo, read as a person reads them in
// Chinese: no id, catalogue key or code value; every print opens.
func TestFirePagesShowNoMachineText(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	if err := demo.SeedFire(context.Background(), h.fire, time.Now()); err != nil {
		t.Fatal(err)
	}
	items, _ := h.db.Equipment(context.Background())
	for _, who := range []string{"safety", "leader"} {
		c := h.login(who)
		for _, path := range []string{"/", "/fire", "/fire/patrol", "/fire/cp/XC-01", "/fire/equipment/" + items[0].ID, "/fire/labels",
			"/fire/labels?what=checkpoints", "/fire/print/register", "/fire/print/patrols", "/fire/print/inspections", "/fire/print/hazards"} {
			res, page := c.do("GET", path, nil, false)
			if res.StatusCode != http.StatusOK {
				t.Errorf("%s %s: %d", who, path, res.StatusCode)
				continue
			}
			if m := machineText(page); len(m) > 0 {
				t.Errorf("%s %s shows machine text: %q", who, path, m)
			}
		}
	}
}
