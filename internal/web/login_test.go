package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/web"
)

// from is a browser at another address: its requests go straight to the
// handler with that RemoteAddr (the test server is always 127.0.0.1).
type from struct {
	h       *harness
	ip      string
	cookies map[string]string
	csrf    string
}

func (h *harness) from(ip string) *from {
	b := &from{h: h, ip: ip, cookies: map[string]string{}}
	res, body := b.do("GET", "/login", nil)
	if res.StatusCode != 200 {
		h.t.Fatalf("GET /login from %s: %d", ip, res.StatusCode)
	}
	b.csrf = firstCSRF(h.t, body)
	return b
}

func (b *from) do(method, path string, form url.Values) (*http.Response, string) {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = b.ip + ":40000"
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	b.h.web.ServeHTTP(rec, req)
	res := rec.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge >= 0 && ck.Value != "" {
			b.cookies[ck.Name] = ck.Value
		}
	}
	return res, rec.Body.String()
}

func (b *from) login(username, password, next string) (*http.Response, string) {
	return b.do("POST", "/login", url.Values{"username": {username}, "password": {password}, "next": {next}, "csrf_token": {b.csrf}})
}

// stepClock is a clock that stands still.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// The attack of issue 14 through the web: an anonymous caller sends many
// wrong passwords for admin from one address. Before, the fifth locked
// admin out for 15 minutes (403, "account locked") from everywhere, and
// every further guess renewed the lock. Now admin, elsewhere, signs in at
// once, and the attacker's address is refused without its guesses being
// checked. Runs on both databases.
func TestLoginAttackCannotLockOutAdmin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		clk := &stepClock{t: time.Now()} // stands still: argon2 may be slow
		h.svc.Now = clk.now
		attacker := h.from("203.0.113.9")
		for i := 0; i < 40; i++ {
			res, _ := attacker.login("admin", fmt.Sprintf("guess-%d", i), "/")
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("guess %d: %d", i, res.StatusCode)
			}
		}
		if res, _ := attacker.login("admin", demoPassword, "/"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("right password from the attacking address while throttled: %d", res.StatusCode)
		}
		// Admin, elsewhere, signs in at once.
		owner := h.from("192.0.2.50")
		if res, _ := owner.login("admin", demoPassword, "/"); res.StatusCode != http.StatusSeeOther || owner.cookies["haven_session"] == "" {
			t.Fatalf("admin kept out by another address's guesses: %d", res.StatusCode)
		}
		// Throttling is audited with the account and the address.
		entries, err := db.ListAudit(context.Background(), audit.Filter{Action: audit.ActionThrottled, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) == 0 {
			t.Fatal("no back-off audited")
		}
		for _, e := range entries {
			if e.IP != "203.0.113.9" || e.ActorName != "admin" || e.ActorID == "" {
				t.Fatalf("back-off audited without account or address: %+v", e)
			}
		}
		refused := 0
		failed, _ := db.ListAudit(context.Background(), audit.Filter{Action: audit.ActionLoginFailed, Limit: 1000})
		for _, e := range failed {
			if e.Detail == "throttled" && e.IP == "203.0.113.9" {
				refused++
			}
		}
		if refused < 20 {
			t.Fatalf("only %d of 41 attempts refused unchecked", refused)
		}
	})
}

var (
	csrfValue     = regexp.MustCompile(`name="csrf_token" value="[^"]*"`)
	usernameValue = regexp.MustCompile(`name="username" autocomplete="username" autocapitalize="none" value="[^"]*"`)
)

// An unknown user, a wrong password and a throttled account get the same
// page byte for byte (but for the CSRF token and the echoed username), so
// an outsider learns neither which accounts exist nor which are throttled.
func TestLoginAnswersAlike(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	b := h.from("203.0.113.7")
	type answer struct {
		status int
		body   string
	}
	get := func(user, pw string) answer {
		res, body := b.login(user, pw, "/cases")
		body = csrfValue.ReplaceAllString(body, "CSRF")
		if !usernameValue.MatchString(body) {
			t.Fatalf("username field not found in:\n%s", body)
		}
		body = usernameValue.ReplaceAllString(body, "USERNAME")
		return answer{res.StatusCode, body}
	}
	unknown := get("nobody", "guess")
	wrong := get("admin", "guess")
	for i := 0; i < 8; i++ {
		get("admin", "guess")
	}
	throttled := get("admin", demoPassword)
	for name, a := range map[string]answer{"wrong password": wrong, "throttled": throttled} {
		if a != unknown {
			t.Errorf("%s: %d, unknown user: %d; bodies equal: %v", name, a.status, unknown.status, a.body == unknown.body)
		}
	}
	if unknown.status != http.StatusUnauthorized || !strings.Contains(unknown.body, "用户名或密码错误") {
		t.Fatalf("unknown user: %d", unknown.status)
	}
}

// Redirect targets after login and after switching language, through the
// real handlers: only paths that stay on this site however a browser reads
// them are followed; everything else goes to "/".
func TestRedirectTargets(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	cases := []struct{ next, want string }{
		{"/ok/path?x=1", "/ok/path?x=1"},
		{"/cases", "/cases"},
		{"/people/abc?notice=saved#top", "/people/abc?notice=saved#top"},
		{"/%E5%BC%A0", "/%E5%BC%A0"},
		{"", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{"/\r\n/evil.example", "/"},
		{"\t//evil.example", "/"},
		{" /evil", "/"},
		{"//evil.example", "/"},
		{"///evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/ok\\..\\..\\evil", "/"},
		{"/%2f%2fevil.example", "/"},
		{"/%2F/evil.example", "/"},
		{"/%5cevil.example", "/"},
		{"/%5c%5cevil.example", "/"},
		{"/%09/evil.example", "/"},
		{"/%252f%252fevil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"JavaScript:alert(1)", "/"},
		{"https://evil.example/", "/"},
		{"http:/evil.example", "/"},
		{"evil.example", "/"},
		{"/\x00/evil", "/"},
		{"/\x7f/evil", "/"},
		{"/\u3000/evil", "/"},
	}
	for _, c := range cases {
		// The login page carries the cleaned target in its form …
		b := h.from("192.0.2.1")
		_, page := b.do("GET", "/login?next="+url.QueryEscape(c.next), nil)
		if !strings.Contains(page, `name="next" value="`+htmlEscape(c.want)+`"`) {
			t.Errorf("login page for next=%q does not carry %q", c.next, c.want)
		}
		// … and a real sign-in follows only a safe one.
		res, _ := b.login("admin", demoPassword, c.next)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != c.want {
			t.Errorf("login next=%q: %d Location %q, want %q", c.next, res.StatusCode, res.Header.Get("Location"), c.want)
		}
		// The language switch's "back" uses the same check.
		anon := h.from("192.0.2.2")
		res, _ = anon.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {c.next}, "csrf_token": {anon.csrf}})
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != c.want {
			t.Errorf("lang back=%q: %d Location %q, want %q", c.next, res.StatusCode, res.Header.Get("Location"), c.want)
		}
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// FuzzSafeNext: whatever comes in, the target either is "/" or stays on
// this origin once a browser has removed tabs and newlines, read
// backslashes as slashes and resolved it against the page.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/ok/path?x=1", "/\t/evil.example", "//evil", "/\\evil", "/%2f%2fevil", "/%5c", "/%09/x",
		"javascript:alert(1)", "https://evil", "/a/b#c", "/%252f%252f", "\t/", "/\u3000/x", "/@evil", "/.%2e/x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://haven.example/login")
	f.Fuzz(func(t *testing.T, in string) {
		out := web.SafeNext(in)
		if out != "/" && out != in {
			t.Fatalf("SafeNext(%q) = %q: neither the input nor /", in, out)
		}
		seen := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(out)
		seen = strings.Trim(seen, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
		seen = strings.ReplaceAll(seen, "\\", "/")
		u, err := url.Parse(seen)
		if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(seen, "/") || strings.HasPrefix(seen, "//") {
			t.Fatalf("SafeNext(%q) = %q, which a browser reads as %q: not a same-origin path (%v)", in, out, seen, err)
		}
		if r := base.ResolveReference(u); r.Host != "haven.example" || r.Scheme != "https" {
			t.Fatalf("SafeNext(%q) = %q resolves to %s", in, out, r)
		}
		if dec, err := url.PathUnescape(u.EscapedPath()); err == nil && (strings.HasPrefix(dec, "//") || strings.ContainsAny(dec, "\\\t\n\r")) {
			t.Fatalf("SafeNext(%q) = %q decodes to %q", in, out, dec)
		}
	})
}
