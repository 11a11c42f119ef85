package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/web"
)

// getVia sends GET path to srv with the given forwarding headers and
// returns the status code.
func getVia(t *testing.T, srv *httptest.Server, path string, hdr map[string]string) int {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

func xff(v string) map[string]string { return map[string]string{"X-Forwarded-For": v} }

// Behind a trusted proxy each citizen has a bucket of their own, named by
// the address the proxy saw; addresses the client wrote in front of it,
// and forwarding headers from a peer that is not a trusted proxy, are
// ignored. The audit log records the same address.
func TestTrustedProxyBuckets(t *testing.T) {
	db := storetest.OpenSQLite(t)
	small := func(name string, _, _ int) web.Limiter { return web.NewMemoryLimiter(name, 1, 2) }
	h := newHarness(t, db, func(d *web.Deps) {
		d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
		d.NewLimiter = small
	})
	a, b := xff("198.51.100.7"), xff("198.51.100.8")
	for i := 0; i < 2; i++ {
		if code := getVia(t, h.srv, "/status", a); code != http.StatusOK {
			t.Fatalf("citizen A request %d: %d", i, code)
		}
	}
	if code := getVia(t, h.srv, "/status", a); code != http.StatusTooManyRequests {
		t.Fatalf("citizen A over budget: %d", code)
	}
	if code := getVia(t, h.srv, "/status", b); code != http.StatusOK {
		t.Fatalf("citizen B shares A's bucket: %d", code)
	}
	// A writes another address in front of the one the proxy appends.
	if code := getVia(t, h.srv, "/status", xff("203.0.113.50, 198.51.100.7")); code != http.StatusTooManyRequests {
		t.Fatalf("spoofed left-most X-Forwarded-For escaped the limit: %d", code)
	}
	// RFC 7239 with a quoted IPv6 address and port.
	fwd := map[string]string{"Forwarded": `for=198.51.100.99;proto=https, for="[2001:db8::1]:4711"`}
	for i := 0; i < 2; i++ {
		if code := getVia(t, h.srv, "/status", fwd); code != http.StatusOK {
			t.Fatalf("Forwarded citizen request %d: %d", i, code)
		}
	}
	if code := getVia(t, h.srv, "/status", map[string]string{"Forwarded": `for="[2001:db8::1]"`}); code != http.StatusTooManyRequests {
		t.Fatalf("Forwarded IPv6 citizen over budget: %d", code)
	}

	// A failed login is audited with the citizen's address.
	c := h.anon()
	form := url.Values{"username": {"dispatcher"}, "password": {"wrong"}, "csrf_token": {c.csrf}}
	req, _ := http.NewRequest("POST", h.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "198.51.100.77")
	c.send(req, false)
	rows, err := h.db.ListAudit(context.Background(), audit.Filter{Action: audit.ActionLoginFailed})
	if err != nil || len(rows) != 1 || rows[0].IP != "198.51.100.77" {
		t.Fatalf("failed login audit: %v %+v", err, rows)
	}

	// The same server when the peer is not a trusted proxy: the header is
	// the client's own word and changes nothing.
	d := h.deps
	d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	d.NewLimiter = small
	w, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	untrusted := httptest.NewServer(w)
	defer untrusted.Close()
	for i, ip := range []string{"198.51.100.1", "198.51.100.2"} {
		if code := getVia(t, untrusted, "/status", xff(ip)); code != http.StatusOK {
			t.Fatalf("untrusted request %d: %d", i, code)
		}
	}
	if code := getVia(t, untrusted, "/status", xff("198.51.100.3")); code != http.StatusTooManyRequests {
		t.Fatalf("a spoofed X-Forwarded-For from an untrusted peer bought a new bucket: %d", code)
	}
}

// Two nodes on one PostgreSQL database spend one budget per client.
func TestSharedBudgetAcrossNodes(t *testing.T) {
	dsn, _ := storetest.PostgresSchema(t)
	ctx := context.Background()
	openDB := func() *store.DB {
		db, err := store.Open(ctx, store.Options{URL: dsn, MaxOpen: 4})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		return db
	}
	db1, db2 := openDB(), openDB()
	now := time.Date(2026, 12, 1, 8, 0, 30, 0, time.UTC)
	shared := func(db *store.DB) web.NewLimiterFunc {
		return func(name string, _, _ int) web.Limiter {
			return &store.RateLimiter{DB: db, Name: name, Limit: 3, Window: time.Minute, Now: func() time.Time { return now }}
		}
	}
	h := newHarness(t, db1, func(d *web.Deps) { d.NewLimiter = shared(db1) })
	d := h.deps
	d.NewLimiter = shared(db2)
	w2, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	node2 := httptest.NewServer(w2)
	defer node2.Close()
	for i, srv := range []*httptest.Server{h.srv, node2, h.srv} {
		if code := getVia(t, srv, "/status", nil); code != http.StatusOK {
			t.Fatalf("request %d: %d", i, code)
		}
	}
	if code := getVia(t, node2, "/status", nil); code != http.StatusTooManyRequests {
		t.Fatalf("the other node had a budget of its own: %d", code)
	}
	if code := getVia(t, h.srv, "/help-points", nil); code != http.StatusTooManyRequests {
		t.Fatalf("first node after the shared budget was spent: %d", code)
	}
}

// With a token /metrics wants it; without one it answers only loopback
// peers that came through no proxy.
func TestMetricsAccess(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db, func(d *web.Deps) { d.MetricsToken = "tok-3f9a" })
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	for _, hdr := range []map[string]string{nil, bearer("Bearer wrong"), bearer("Basic tok-3f9a"), bearer("tok-3f9a"), bearer("Bearer tok-3f9")} {
		if code := getVia(t, h.srv, "/metrics", hdr); code != http.StatusUnauthorized {
			t.Errorf("/metrics with %v: %d", hdr, code)
		}
	}
	if code := getVia(t, h.srv, "/metrics", bearer("Bearer tok-3f9a")); code != http.StatusOK {
		t.Errorf("/metrics with the token: %d", code)
	}

	// No token: the test client is a loopback peer.
	d := h.deps
	d.MetricsToken = ""
	w, err := web.New(d)
	if err != nil {
		t.Fatal(err)
	}
	open := httptest.NewServer(w)
	defer open.Close()
	if code := getVia(t, open, "/metrics", nil); code != http.StatusOK {
		t.Errorf("loopback /metrics: %d", code)
	}
	if code := getVia(t, open, "/metrics", xff("198.51.100.7")); code != http.StatusNotFound {
		t.Errorf("/metrics through a proxy on this host: %d", code)
	}
	// Behind a trusted proxy the client is the forwarded address.
	d.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	w, _ = web.New(d)
	proxied := httptest.NewServer(w)
	defer proxied.Close()
	if code := getVia(t, proxied, "/metrics", xff("198.51.100.7")); code != http.StatusNotFound {
		t.Errorf("/metrics for a remote client behind a trusted proxy: %d", code)
	}
	// On a separate address the main one has no /metrics.
	d.MetricsElsewhere = true
	w, _ = web.New(d)
	main, metricsOnly := httptest.NewServer(w), httptest.NewServer(w.MetricsHandler())
	defer main.Close()
	defer metricsOnly.Close()
	if code := getVia(t, main, "/metrics", nil); code != http.StatusNotFound {
		t.Errorf("/metrics on the main address with --metrics-addr: %d", code)
	}
	if code := getVia(t, metricsOnly, "/metrics", nil); code != http.StatusOK {
		t.Errorf("/metrics on the metrics address: %d", code)
	}
	if code := getVia(t, metricsOnly, "/status", nil); code != http.StatusNotFound {
		t.Errorf("the metrics address serves other pages: %d", code)
	}
}

// Links in the Atom feed are on the configured base URL, whatever Host the
// request names.
func TestFeedLinksUseBaseURL(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db, func(d *web.Deps) { d.BaseURL = "https://haven.example.gov.cn" })
	ctx := context.Background()
	staff := auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
	ad, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Photo: jpegBytes(t), Form: cases.Form{Reason: "流浪", Security: "passed"},
		Person: cases.PersonInput{Sex: cases.Male, AgeMin: 55, AgeMax: 65}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.family.Publish(ctx, staff, ad.Person.ID, family.NoticeInput{FoundPlace: "新乡火车站广场"}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", h.srv.URL+"/notices.atom", nil)
	req.Host = "evil.example"
	res, body := h.anon().send(req, false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("feed: %d", res.StatusCode)
	}
	urls := regexp.MustCompile(`https?://[^"<\s]+`).FindAllString(body, -1)
	if len(urls) < 4 {
		t.Fatalf("feed has %d links:\n%s", len(urls), body)
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "https://haven.example.gov.cn/") && !strings.HasPrefix(u, "http://www.w3.org/") {
			t.Errorf("feed link %q is not on the base URL", u)
		}
	}
	if strings.Contains(body, "evil.example") {
		t.Errorf("feed names the request's Host:\n%s", body)
	}
}
