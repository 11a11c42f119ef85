package web_test

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// A visitor at the site root gets the public front page with the hotline
// as a tel: link and the two actions; staff still land on their work.
func TestFrontPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		for _, lang := range []string{"zh-CN", "en"} {
			c := h.anon()
			if lang == "en" {
				c.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/"}, "csrf_token": {c.csrf}}, true)
			}
			res, page := c.do("GET", "/", nil, false)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("%s: front page %d", lang, res.StatusCode)
			}
			for _, want := range []string{`id="front-hotline"`, `href="tel:03735089797"`, `href="/report"`, `href="/help-points`, `href="/volunteer"`, `href="/login"`} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: the front page has no %s", lang, want)
				}
			}
			if lang == "en" && !strings.Contains(page, "Find the nearest help point now") || lang == "zh-CN" && !strings.Contains(page, "查找最近的救助点") {
				t.Errorf("%s: the front page is not in its language", lang)
			}
			if strings.Contains(page, "<script") {
				t.Errorf("%s: the front page runs a script", lang)
			}
		}
		_, page := h.login("staff").do("GET", "/", nil, false)
		if strings.Contains(page, `id="front-hotline"`) || !strings.Contains(page, `id="welcome"`) {
			t.Error("staff land on the public front page")
		}
	})
}

// An unapproved article is never public; a published one is on the news
// page, in the feed and the sitemap; withdrawn, it leaves all three.
func TestArticlePublicOnlyOnceApproved(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff, leader, anon := h.login("staff"), h.login("leader"), h.anon()
		res, _ := staff.post("/publicity/articles", url.Values{"category": {"news"}, "title": {"开放日回顾"}, "summary": {"开放日"},
			"body": {"## 回顾\n\n<script>alert(1)</script>[链接](javascript:alert(1))"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("save: %d", res.StatusCode)
		}
		loc := res.Header.Get("Location")
		articleURL, _, _ := strings.Cut(loc, "?")
		all, err := h.deps.Portal.All(context.Background(), auth.Actor{Role: auth.RoleStaff})
		if err != nil || len(all) != 1 {
			t.Fatalf("articles %d, %v", len(all), err)
		}
		ar := all[0]
		everywhere := func() (news, feed, sitemap, page bool) {
			_, n := anon.do("GET", "/news", nil, false)
			_, f := anon.do("GET", "/news.atom", nil, false)
			_, s := anon.do("GET", "/sitemap.xml", nil, false)
			r, _ := anon.do("GET", "/news/"+ar.Slug, nil, false)
			return strings.Contains(n, ar.Slug), strings.Contains(f, ar.Slug), strings.Contains(s, ar.Slug), r.StatusCode == http.StatusOK
		}
		if n, f, s, p := everywhere(); n || f || s || p {
			t.Fatalf("a draft is public: news %v feed %v sitemap %v page %v", n, f, s, p)
		}
		step := func(c *client, what string, form url.Values) {
			t.Helper()
			cur, err := h.deps.Portal.Article(context.Background(), auth.Actor{Role: auth.RoleStaff}, ar.ID)
			if err != nil {
				t.Fatal(err)
			}
			if form == nil {
				form = url.Values{}
			}
			form.Set("version", itoa(cur.Version))
			if res, _ := c.post(articleURL+"/"+what, form); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("%s: %d", what, res.StatusCode)
			}
		}
		step(staff, "submit", nil)
		if n, f, s, p := everywhere(); n || f || s || p {
			t.Fatalf("a pending article is public: news %v feed %v sitemap %v page %v", n, f, s, p)
		}
		step(leader, "approve", nil)
		if n, f, s, p := everywhere(); !n || !f || !s || !p {
			t.Fatalf("an approved article is missing: news %v feed %v sitemap %v page %v", n, f, s, p)
		}
		_, page := anon.do("GET", "/news/"+ar.Slug, nil, false)
		for _, want := range []string{`property="og:title" content="开放日回顾"`, `property="og:url"`, "<h2"} {
			if !strings.Contains(page, want) {
				t.Errorf("the article page has no %s", want)
			}
		}
		if strings.Contains(page, "alert(1)</script>") || strings.Contains(page, `href="javascript:`) {
			t.Error("the article page keeps a script or a javascript: link")
		}
		step(leader, "withdraw", url.Values{"reason": {"信息有误"}})
		if n, f, s, p := everywhere(); n || f || s || p {
			t.Fatalf("a withdrawn article is public: news %v feed %v sitemap %v page %v", n, f, s, p)
		}
		_, robots := anon.do("GET", "/robots.txt", nil, false)
		if !strings.Contains(robots, "Sitemap: ") || !strings.Contains(robots, "Disallow: /login") {
			t.Errorf("robots.txt: %s", robots)
		}
	})
}

// Bad input on the public forms: a message in the user's language, the
// input kept, nothing stored.
func TestPortalBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff := auth.Actor{UserID: "s", Name: "staff", Role: auth.RoleStaff}
		start := time.Now().Add(time.Hour)
		ev, err := h.deps.Portal.AddEvent(ctx, staff, portal.EventInput{Title: "开放日", Place: "救助站", StartsAt: start, EndsAt: start.Add(time.Hour), Capacity: 1})
		if err != nil {
			t.Fatal(err)
		}
		anon := h.anon()
		res, page := anon.post("/events/"+ev.ID, url.Values{"name": {"王芳"}, "phone": {"123"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, `value="王芳"`) || !strings.Contains(page, "field-error") {
			t.Errorf("bad phone: %d", res.StatusCode)
		}
		res, page = anon.post("/events/"+ev.ID, url.Values{"name": {"王芳"}, "phone": {"13800003333"}})
		if res.StatusCode != http.StatusOK || !strings.Contains(page, `id="event-ref"`) {
			t.Fatalf("registration: %d", res.StatusCode)
		}
		res, page = h.anon().post("/events/"+ev.ID, url.Values{"name": {"李强"}, "phone": {"13800004444"}})
		if res.StatusCode != http.StatusConflict || !strings.Contains(page, "名额已满") {
			t.Errorf("past capacity: %d", res.StatusCode)
		}
		if got, _ := h.deps.Portal.Event(ctx, ev.ID); got.Registered != 1 {
			t.Errorf("registered %d, want 1", got.Registered)
		}
		en := h.anon()
		en.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/"}, "csrf_token": {en.csrf}}, true)
		res, page = en.post("/volunteer", url.Values{"name": {"Wang Fang"}, "phone": {"13800005555"}, "skills": {"driving"}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "Tick the box to let us contact you") ||
			!strings.Contains(page, `value="Wang Fang"`) || !strings.Contains(page, `value="driving" checked`) {
			t.Errorf("no consent: %d", res.StatusCode)
		}
		if aps, _ := h.vols.Applications(ctx, staff); len(aps) != 0 {
			t.Errorf("an application without consent stored")
		}
		// With consent it lands with the coordinator, who accepts it: a
		// volunteer record.
		if res, _ := en.post("/volunteer", url.Values{"name": {"王芳"}, "phone": {"13800005555"}, "consent": {"1"}}); res.StatusCode != http.StatusOK {
			t.Fatalf("apply: %d", res.StatusCode)
		}
		aps, _ := h.vols.Applications(ctx, staff)
		if len(aps) != 1 {
			t.Fatalf("%d applications", len(aps))
		}
		coord := h.login("volunteer")
		if res, _ := coord.post("/volunteers/applications/"+aps[0].ID+"/decline", url.Values{"reason": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("declined without a reason: %d", res.StatusCode)
		}
		if res, page := coord.post("/volunteers/applications/"+aps[0].ID+"/accept", url.Values{}); res.StatusCode != http.StatusOK ||
			!strings.Contains(page, "/volunteer/join/") {
			t.Fatalf("accept: %d, no sign-up link", res.StatusCode)
		}
		vs, _ := h.vols.Volunteers(ctx, staff)
		found := false
		for _, v := range vs {
			found = found || v.Name == "王芳" && v.Phone == "13800005555"
		}
		if !found {
			t.Error("the accepted application is not a volunteer")
		}
	})
}

// The front page's first load (the HTML and the stylesheet, compressed
// as a browser asks) stays under 150 KB: a weak phone connection.
func TestFrontPageWeight(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db)
	fillFront(t, h)
	total := frontPageBytes(t, h)
	t.Logf("front page first load: %d bytes", total)
	if total > 150*1024 {
		t.Errorf("the front page's first load is %d bytes, over 150 KB", total)
	}
}

// fillFront gives the front page what it shows at most: a running winter
// campaign, three published articles and an event.
func fillFront(t testing.TB, h *harness) {
	ctx := context.Background()
	staff := auth.Actor{UserID: "s", Name: "staff", Role: auth.RoleStaff}
	leader := auth.Actor{UserID: "l", Name: "leader", Role: auth.RoleLeader}
	if _, err := h.deps.Campaigns.Start(ctx, staff, campaigns.Input{Kind: campaigns.Winter, Name: "寒冬送温暖专项救助行动",
		EndsOn: time.Now().AddDate(0, 1, 0).Format(time.DateOnly)}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		ar, err := h.deps.Portal.Save(ctx, staff, "", 0, portal.ArticleInput{Category: portal.CatNews, Title: "寒冬送温暖：全市避寒点已开放" + strconv.Itoa(i),
			Body: strings.Repeat("救助站开放避寒点。", 100)})
		if err == nil {
			ar, err = h.deps.Portal.Submit(ctx, staff, ar.ID, ar.Version)
		}
		if err == nil {
			_, err = h.deps.Portal.Approve(ctx, leader, ar.ID, ar.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now().Add(24 * time.Hour)
	if _, err := h.deps.Portal.AddEvent(ctx, staff, portal.EventInput{Title: "6·19 救助管理机构开放日", Place: "新乡市救助管理站", StartsAt: start,
		EndsAt: start.Add(7 * time.Hour), Capacity: 80}); err != nil {
		t.Fatal(err)
	}
}

func frontPageBytes(t testing.TB, h *harness) int {
	get := func(u string) (int, string) {
		req, _ := http.NewRequest("GET", h.srv.URL+u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		body := string(raw)
		if res.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(zr)
			body = string(b)
		}
		return len(raw), body
	}
	n, page := get("/")
	total := n
	for _, attr := range []string{`href="/static/`, `src="/static/`} {
		for rest := page; ; {
			i := strings.Index(rest, attr)
			if i < 0 {
				break
			}
			rest = rest[i+len(attr)-len("/static/"):]
			j := strings.IndexByte(rest, '"')
			u := strings.ReplaceAll(rest[:j], "&amp;", "&")
			m, _ := get(u)
			total += m
			rest = rest[j:]
		}
	}
	return total
}
