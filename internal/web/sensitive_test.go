package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/open311"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// Requests about children (minor_alone) and any kind an administrator
// marks sensitive never reach anonymous Open311 clients: not in lists, not
// by id. A partner key with the open311 scope sees them.
func TestOpen311HidesSensitiveKinds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		key, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "Open311 client", []string{"open311"}, "")
		if err != nil {
			t.Fatal(err)
		}
		base := h.srv.URL + "/open311/v2/"
		submit := func(code, desc string) string {
			t.Helper()
			st, body := post(t, base+"requests.json", url.Values{"api_key": {key}, "service_code": {code}, "lat": {"35.3056"}, "long": {"113.8624"}, "description": {desc}})
			var created []open311.Created
			json.Unmarshal(body, &created)
			if st != http.StatusCreated || len(created) != 1 {
				t.Fatalf("POST %s: %d %s", code, st, body)
			}
			return created[0].ServiceRequestID
		}
		child := submit("minor_alone", "一个孩子独自在车站")
		adult := submit("begging", "有人在路口乞讨")
		has := func(q, ref string) bool {
			t.Helper()
			st, body, _ := get(t, base+q)
			if st != http.StatusOK {
				t.Fatalf("GET %s: %d %s", q, st, body)
			}
			var list []open311.Request
			if err := json.Unmarshal(body, &list); err != nil {
				t.Fatalf("GET %s: %v", q, err)
			}
			for _, r := range list {
				if r.ServiceRequestID == ref {
					return true
				}
			}
			return false
		}
		k := "api_key=" + url.QueryEscape(key)
		for _, q := range []string{"requests.json", "requests.json?status=open", "requests.json?service_code=minor_alone", "requests.json?service_request_id=" + child} {
			if has(q, child) {
				t.Errorf("anonymous %s shows the minor_alone request", q)
			}
			sep := "?"
			if strings.Contains(q, "?") {
				sep = "&"
			}
			if !has(q+sep+k, child) {
				t.Errorf("keyed %s does not show the minor_alone request", q)
			}
		}
		if !has("requests.json", adult) {
			t.Error("anonymous list hides an ordinary request")
		}
		for _, f := range []string{".json", ".xml"} {
			if st, body, _ := get(t, base+"requests/"+child+f); st != http.StatusNotFound || strings.Contains(string(body), "35.30") {
				t.Errorf("anonymous GET %s%s: %d %s", child, f, st, body)
			}
		}
		if st, body, _ := get(t, base+"requests/"+child+".json?"+k); st != http.StatusOK || !strings.Contains(string(body), "一个孩子") {
			t.Errorf("keyed GET of the minor_alone request: %d %s", st, body)
		}
		// Its token (the id a POST returned) answers the same way.
		if st, body, _ := get(t, base+"tokens/"+child+".json"); st != http.StatusNotFound || !strings.Contains(string(body), "token "+child+" not found") {
			t.Errorf("anonymous GET tokens/%s: %d %s", child, st, body)
		}
		if st, body, _ := get(t, base+"tokens/"+child+".xml?"+k); st != http.StatusOK || !strings.Contains(string(body), "<service_request_id>"+child+"</service_request_id>") {
			t.Errorf("keyed GET tokens/%s: %d %s", child, st, body)
		}
		for path, want := range map[string]string{"requests/" + child: "use requests/{service_request_id}.json or .xml", "tokens/" + child: "use tokens/{token}.json or .xml",
			"requests/" + child + ".json": "service_request_id " + child + " not found"} {
			if st, body, _ := get(t, base+path); st != http.StatusNotFound || !strings.Contains(string(body), want) {
				t.Errorf("GET %s: %d %s, want %q", path, st, body, want)
			}
		}

		// An administrator marks begging sensitive too; a dispatcher may not.
		disp := h.login("dispatcher")
		if res, _ := disp.post("/admin/routing/sensitive", url.Values{"sensitive": {"begging"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("dispatcher changed the sensitive kinds: %d", res.StatusCode)
		}
		admin := h.login("admin")
		if res, body := admin.post("/admin/routing/sensitive", url.Values{"sensitive": {"minor_alone", "begging"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin save: %d %s", res.StatusCode, body)
		}
		if res, body := admin.do("GET", "/admin/routing", nil, false); res.StatusCode != 200 || !strings.Contains(body, `value="begging" checked`) {
			t.Fatalf("routing page does not show begging as sensitive: %d", res.StatusCode)
		}
		if has("requests.json", adult) || has("requests.json", child) {
			t.Error("anonymous list shows a request of a kind marked sensitive")
		}
		// Children stay hidden even when an administrator unticks them.
		if res, body := admin.post("/admin/routing/sensitive", url.Values{"sensitive": {"begging"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("admin save without minor_alone: %d %s", res.StatusCode, body)
		}
		if has("requests.json", child) {
			t.Error("unticking minor_alone showed a child's request to anonymous clients")
		}
		if res, _ := admin.post("/admin/routing/sensitive", url.Values{"sensitive": {"no_such_kind"}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("unknown kind accepted: %d", res.StatusCode)
		}
	})
}
