package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
	"github.com/havenrescue/haven/internal/web"
)

var joinLink = regexp.MustCompile(`/volunteer/join/([A-Za-z0-9_-]{32})`)

// A member of the public applies, the coordinator accepts and gets a
// sign-up link to pass on, the applicant confirms through it and gets
// their own page; the link then no longer works, an unknown or expired
// one says so in the reader's language.
func TestVolunteerApplicationToSignUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		var later atomic.Int64 // how far the volunteers' clock runs ahead
		h := newHarness(t, db, func(d *web.Deps) {
			d.Volunteers.Now = func() time.Time { return time.Now().Add(time.Duration(later.Load())) }
		})
		ctx := context.Background()
		staff := auth.Actor{UserID: "s", Name: "staff", Role: auth.RoleStaff}
		apply := func(name, phone string) string {
			t.Helper()
			if res, _ := h.anon().post("/volunteer", url.Values{"name": {name}, "phone": {phone}, "skills": {"driving"}, "availability": {"周末"},
				"consent": {"1"}}); res.StatusCode != http.StatusOK {
				t.Fatalf("apply: %d", res.StatusCode)
			}
			aps, _ := h.vols.Applications(ctx, staff)
			for _, ap := range aps {
				if ap.Name == name {
					return ap.ID
				}
			}
			t.Fatalf("no application of %s", name)
			return ""
		}
		id := apply("王芳", "13800005555")
		coord := h.login("volunteer")
		res, page := coord.post("/volunteers/applications/"+id+"/accept", nil)
		m := joinLink.FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil || !strings.Contains(page, `href="sms:13800005555?body=`) || !strings.Contains(page, "王芳您好") {
			t.Fatalf("accepting shows no link to pass on: %d", res.StatusCode)
		}
		if res.Header.Get("Cache-Control") != "no-store" {
			t.Error("the page with the link may be cached")
		}
		token := m[1]
		_, apps := coord.do("GET", "/volunteers/applications", nil, false)
		if !strings.Contains(apps, `data-joined="no"`) || strings.Contains(apps, token) {
			t.Error("the applications page: not shown as waiting, or shows the link again")
		}

		// The applicant, in English: the page shows their details, the
		// phone masked.
		en := h.anon()
		en.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/"}, "csrf_token": {en.csrf}}, true)
		res, page = en.do("GET", "/volunteer/join/"+token, nil, false)
		if res.StatusCode != http.StatusOK || !strings.Contains(page, "Hello 王芳") || strings.Contains(page, "13800005555") ||
			!strings.Contains(page, `value="driving" checked`) || !strings.Contains(page, `value="周末"`) {
			t.Fatalf("the sign-up page: %d", res.StatusCode)
		}
		res, page = en.post("/volunteer/join/"+token, url.Values{"skills": {"driving", "medical"}, "availability": {"周日白天"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tick the box to confirm your details and join.") ||
			!strings.Contains(page, `value="周日白天"`) || !strings.Contains(page, `value="medical" checked`) {
			t.Errorf("joining without confirming: %d", res.StatusCode)
		}
		res, page = en.post("/volunteer/join/"+token, url.Values{"skills": {"driving", "medical"}, "availability": {"周日白天"}, "confirm": {"1"}})
		personal := regexp.MustCompile(`href="[^"]*/v/([A-Za-z0-9_-]{32})"`).FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || personal == nil || !strings.Contains(page, "Welcome!") {
			t.Fatalf("joining: %d", res.StatusCode)
		}
		if res, page := en.do("GET", "/v/"+personal[1], nil, false); res.StatusCode != http.StatusOK || !strings.Contains(page, `id="self-title"`) {
			t.Errorf("the volunteer's own page: %d", res.StatusCode)
		}
		vs, _ := h.vols.Volunteers(ctx, staff)
		if len(vs) != 1 || vs[0].Availability != "周日白天" || len(vs[0].Skills) != 2 {
			t.Errorf("the volunteer after joining: %+v", vs)
		}
		// Used: a clear page in the reader's language, nothing changed.
		res, page = en.post("/volunteer/join/"+token, url.Values{"availability": {"never"}, "confirm": {"1"}})
		if res.StatusCode != http.StatusGone || !strings.Contains(page, "This link has been used already") {
			t.Errorf("a used link: %d", res.StatusCode)
		}
		if res, page := h.anon().do("GET", "/volunteer/join/"+token, nil, false); res.StatusCode != http.StatusGone || !strings.Contains(page, "这个链接已经用过") {
			t.Errorf("a used link, in Chinese: %d", res.StatusCode)
		}
		if res, page := h.anon().do("GET", "/volunteer/join/"+strings.Repeat("A", 32), nil, false); res.StatusCode != http.StatusNotFound ||
			!strings.Contains(page, "这个链接无效") || !strings.Contains(page, `href="tel:`) {
			t.Errorf("an unknown link: %d", res.StatusCode)
		}
		if _, apps := coord.do("GET", "/volunteers/applications", nil, false); !strings.Contains(apps, `data-joined="yes"`) {
			t.Error("the applications page does not show the join")
		}
		if res, _ := coord.post("/volunteers/applications/"+id+"/link", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("a new link for someone who joined: %d", res.StatusCode)
		}

		// Not used within seven days: expired; the coordinator makes a new
		// one, which works, and the old one then says it was replaced.
		id = apply("李强", "13800006666")
		_, page = coord.post("/volunteers/applications/"+id+"/accept", nil)
		old := joinLink.FindStringSubmatch(page)[1]
		later.Store(int64(volunteers.JoinLinkTTL + time.Minute))
		if res, page := en.do("GET", "/volunteer/join/"+old, nil, false); res.StatusCode != http.StatusGone || !strings.Contains(page, "This link has expired.") {
			t.Errorf("an expired link: %d", res.StatusCode)
		}
		res, page = coord.post("/volunteers/applications/"+id+"/link", nil)
		fresh := joinLink.FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || fresh == nil || fresh[1] == old {
			t.Fatalf("a new link: %d", res.StatusCode)
		}
		if res, _ := h.anon().do("GET", "/volunteer/join/"+fresh[1], nil, false); res.StatusCode != http.StatusOK {
			t.Errorf("the new link: %d", res.StatusCode)
		}
		if res, _ := h.login("patrol").post("/volunteers/applications/"+id+"/link", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("a patrol member made a link: %d", res.StatusCode)
		}
		if _, robots := h.anon().do("GET", "/robots.txt", nil, false); !strings.Contains(robots, "Disallow: /volunteer/join/") {
			t.Error("robots.txt lets sign-up links be indexed")
		}
	})
}
