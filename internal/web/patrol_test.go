package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/store/storetest"
)

// Every entry the server refuses in a patrol sync says why, in the
// member's language: a refusal carrying only field keys (a track with an
// impossible jump, an encounter without an outcome) gets a message too.
func TestPatrolSyncRefusalsCarryAMessage(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	patrol := h.login("patrol")
	now := time.Now().UnixMilli()
	ops := `{"ops":[
	 {"op":"track","id":"0b6a4c1e-5d1f-4b7e-9a59-2f0d6a1c3e11","data":[{"lat":35.30,"lng":113.92,"t":` + itoa64(now-2000) + `},{"lat":35.40,"lng":113.92,"t":` + itoa64(now-1000) + `}]},
	 {"op":"encounter","id":"6f7d3b2a-0c4e-4d8f-8a1b-9e2c5d4f6a70","data":{"outcome":"","at":"` + time.Now().UTC().Format(time.RFC3339) + `"}},
	 {"op":"patrol_end","id":"1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","data":{}}]}`
	sync := func() []map[string]any {
		t.Helper()
		req, _ := http.NewRequest("POST", h.srv.URL+"/patrol/sync", strings.NewReader(ops))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-CSRF-Token", patrol.csrf)
		res, body := patrol.send(req, false)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("sync: %d %s", res.StatusCode, body)
		}
		var out struct{ Results []map[string]any }
		if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Results) != 3 {
			t.Fatalf("sync answer %s (%v)", body, err)
		}
		return out.Results
	}
	want := map[string][]string{
		"zh-CN": {"轨迹：轨迹中有不可能的跳跃（速度过快）", "处置结果：请从列表中选择。", "找不到该页面或记录。"},
		"en":    {"Track: The track has an impossible jump (too fast)", "Outcome: Choose from the list.", "does not exist"},
	}
	for _, lang := range []string{"zh-CN", "en"} {
		patrol.post("/lang", url.Values{"lang": {lang}, "back": {"/"}})
		for i, r := range sync() {
			msg, _ := r["message"].(string)
			if r["status"] == "ok" || r["status"] == "duplicate" || !strings.Contains(msg, want[lang][i]) || strings.Contains(msg, "err.") {
				t.Errorf("%s: entry %d (%v) answered %v with message %q, want it to say %q", lang, i, r["op"], r["status"], msg, want[lang][i])
			}
		}
	}
}

func itoa64(n int64) string { return strconvItoa(int(n)) }
