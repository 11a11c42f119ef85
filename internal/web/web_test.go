package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/tracing"
	"github.com/havenrescue/haven/internal/volunteers"
)

// TestAuditTrail checks that every route that shows or changes personal
// data (or any record) leaves the expected audit row.
func TestAuditTrail(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		admin := h.login("admin")
		depts, _ := db.ListDepartments(ctx)
		target, err := h.svc.CreateUser(ctx, auth.CLIActor(), auth.NewUser{Username: "auditee", DisplayName: "被审计", Role: auth.RoleStaff,
			DepartmentID: depts[1].ID, Phone: "13911112222", Password: "auditee password"})
		if err != nil {
			t.Fatal(err)
		}
		keyRes, keyPage := admin.post("/admin/apikeys", url.Values{"name": {"数字城管"}, "scopes": {"intake.write"}})
		if keyRes.StatusCode != http.StatusCreated {
			t.Fatalf("create key: %d", keyRes.StatusCode)
		}
		keys, _ := db.ListAPIKeys(ctx)
		if !strings.Contains(keyPage, "hvn_"+keys[0].Prefix+"_") {
			t.Fatal("new key not shown once on the page")
		}
		steps := []struct {
			name, method, path string
			form               url.Values
			action, recordID   string
		}{
			{"view user", "GET", "/admin/users/" + target.ID, nil, audit.ActionUserView, target.ID},
			{"edit user", "POST", "/admin/users/" + target.ID, url.Values{"display_name": {"新名字"}, "role": {"staff"}, "department_id": {depts[1].ID}, "phone": {"13911112223"}}, audit.ActionUserUpdate, target.ID},
			{"reset password", "POST", "/admin/users/" + target.ID + "/password", url.Values{"password": {"brand new password"}}, audit.ActionUserPassword, target.ID},
			{"disable", "POST", "/admin/users/" + target.ID + "/disable", nil, audit.ActionUserDisable, target.ID},
			{"enable", "POST", "/admin/users/" + target.ID + "/enable", nil, audit.ActionUserEnable, target.ID},
			{"create user", "POST", "/admin/users", url.Values{"username": {"newbie"}, "display_name": {"新人"}, "role": {"patrol"}, "department_id": {depts[1].ID}, "password": {"newbie password 1"}}, audit.ActionUserCreate, ""},
			{"create department", "POST", "/admin/departments", url.Values{"name": {"红旗区民政局"}, "kind": {"civil_affairs"}}, audit.ActionDeptCreate, ""},
			{"revoke key", "POST", "/admin/apikeys/" + keys[0].ID + "/revoke", nil, audit.ActionKeyRevoke, keys[0].ID},
			{"browse audit", "GET", "/admin/audit", nil, audit.ActionAuditView, ""},
			{"language", "POST", "/lang", url.Values{"lang": {"en"}, "back": {"/"}}, audit.ActionLanguage, ""},
			{"own password", "POST", "/account/password", url.Values{"old_password": {demoPassword}, "new_password": {"admin new password"}, "confirm_password": {"admin new password"}}, audit.ActionPasswordChange, ""},
			{"logout", "POST", "/logout", nil, audit.ActionLogout, ""},
		}
		for _, s := range steps {
			before, _ := db.ListAudit(ctx, audit.Filter{Action: s.action})
			var res *http.Response
			if s.method == "POST" {
				res, _ = admin.post(s.path, s.form)
			} else {
				res, _ = admin.do("GET", s.path, nil, false)
			}
			if res.StatusCode >= 400 {
				t.Fatalf("%s: status %d", s.name, res.StatusCode)
			}
			after, _ := db.ListAudit(ctx, audit.Filter{Action: s.action})
			if len(after) != len(before)+1 {
				t.Fatalf("%s: %d new %s rows, want 1", s.name, len(after)-len(before), s.action)
			}
			e := after[0]
			if e.ActorName != "admin" || e.IP == "" || (s.recordID != "" && e.RecordID != s.recordID) {
				t.Errorf("%s: audit row %+v", s.name, e)
			}
		}
		// A signed-in admin's read of the list of users does not open phone
		// numbers, and the page shows none.
		admin = h.loginWith("admin", "admin new password")
		_, body := admin.do("GET", "/admin/users", nil, false)
		if strings.Contains(body, "13911112223") {
			t.Error("user list shows a phone number")
		}
		// Personal data never reaches the logs.
		logs := h.logs.String()
		for _, secret := range []string{"13911112223", "13911112222", "brand new password", demoPassword, "admin new password"} {
			if strings.Contains(logs, secret) {
				t.Errorf("logs contain %q", secret)
			}
		}
	})
}

// TestRefusedPasswordResetKeepsProfile: a too-short password on the user
// page says so and leaves the profile form filled with the stored values.
// The audit log's link to older entries is the same search one page on:
// its query is not escaped into one value ("before%3d…").
func TestAuditOlderLink(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	admin := h.login("admin")
	for i := 0; i < 101; i++ { // every look at the log is logged
		admin.do("GET", "/admin/audit", nil, false)
	}
	_, page := admin.do("GET", "/admin/audit?actor=admin", nil, false)
	m := regexp.MustCompile(`href="(/admin/audit\?[^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to older entries")
	}
	u, err := url.Parse(strings.ReplaceAll(m[1], "&amp;", "&"))
	if err != nil || u.Query().Get("actor") != "admin" || u.Query().Get("before") == "" {
		t.Fatalf("older entries link %q", m[1])
	}
	if res, _ := admin.do("GET", u.String(), nil, false); res.StatusCode != http.StatusOK {
		t.Fatalf("older entries: %d", res.StatusCode)
	}
}

func TestRefusedPasswordResetKeepsProfile(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	u, _ := h.db.UserByUsername(ctx, "staff")
	admin := h.login("admin")
	res, page := admin.post("/admin/users/"+u.ID+"/password", url.Values{"password": {"short"}})
	if res.StatusCode != 422 || !strings.Contains(page, "密码至少需要10个字符") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	if !strings.Contains(page, `name="display_name" value="赵敏"`) {
		t.Fatal("profile form lost the stored name")
	}
}

func TestCSRF(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	admin := h.login("admin")
	count := func() int {
		d, _ := h.db.ListDepartments(ctx)
		return len(d)
	}
	n := count()
	form := func(tok string) url.Values {
		v := url.Values{"name": {"CSRF测试部门"}, "kind": {"other"}}
		if tok != "" {
			v.Set("csrf_token", tok)
		}
		return v
	}
	if res, body := admin.do("POST", "/admin/departments", form(""), false); res.StatusCode != 403 || !strings.Contains(body, "页面已过期") {
		t.Errorf("no token: %d", res.StatusCode)
	}
	if res, _ := admin.do("POST", "/admin/departments", form("wrong-token-wrong-token-wrong"), false); res.StatusCode != 403 {
		t.Errorf("wrong token: %d", res.StatusCode)
	}
	// Another user's token does not work either.
	other := h.login("leader")
	if res, _ := admin.do("POST", "/admin/departments", form(other.csrf), false); res.StatusCode != 403 {
		t.Errorf("another session's token: %d", res.StatusCode)
	}
	if count() != n {
		t.Fatal("a refused POST created a department")
	}
	// A cross-site request is refused even with the right token.
	req, _ := http.NewRequest("POST", h.srv.URL+"/admin/departments", strings.NewReader(form(admin.csrf).Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	for k, v := range admin.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 403 || count() != n {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
	if res, _ := admin.do("POST", "/admin/departments", form(admin.csrf), false); res.StatusCode != 303 || count() != n+1 {
		t.Errorf("right token: %d", res.StatusCode)
	}
	// Login itself needs the anonymous token.
	anon := h.anon()
	if res, _ := anon.do("POST", "/login", url.Values{"username": {"admin"}, "password": {demoPassword}}, false); res.StatusCode != 403 {
		t.Errorf("login without token: %d", res.StatusCode)
	}
}

func (h *harness) loginWith(username, password string) *client {
	c := h.anon()
	res, _ := c.do("POST", "/login", url.Values{"username": {username}, "password": {password}, "csrf_token": {c.csrf}}, true)
	if res.StatusCode != http.StatusSeeOther {
		h.t.Fatalf("login %s: %d", username, res.StatusCode)
	}
	_, body := c.do("GET", "/account/password", nil, false)
	c.csrf = firstCSRF(h.t, body)
	return c
}

func TestLoginErrorsInPageLanguage(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	res, body := c.do("POST", "/login", url.Values{"username": {"admin"}, "password": {"wrong"}, "csrf_token": {c.csrf}}, false)
	if res.StatusCode != 401 || !strings.Contains(body, "用户名或密码错误") || !strings.Contains(body, `value="admin"`) {
		t.Fatalf("zh wrong password: %d", res.StatusCode)
	}
	if strings.Contains(body, `value="wrong"`) {
		t.Fatal("the password was echoed back")
	}
	res, _ = c.do("POST", "/lang", url.Values{"lang": {"en"}, "back": {"/login"}, "csrf_token": {c.csrf}}, true)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/login" {
		t.Fatalf("switch language: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = c.do("POST", "/login", url.Values{"username": {"admin"}, "password": {"wrong"}, "csrf_token": {c.csrf}}, false)
	if !strings.Contains(body, "Wrong username or password") || !strings.Contains(body, `<html lang="en">`) {
		t.Fatal("en wrong password message missing")
	}
	_, body = c.do("POST", "/login", url.Values{"username": {""}, "password": {""}, "csrf_token": {c.csrf}}, false)
	if strings.Count(body, "Required.") != 2 {
		t.Fatal("empty login form: field errors missing")
	}
	// An open redirect through ?next= is refused.
	res, _ = c.do("POST", "/login", url.Values{"username": {"admin"}, "password": {demoPassword}, "next": {"//evil.example/"}, "csrf_token": {c.csrf}}, false)
	if res.Header.Get("Location") != "/" {
		t.Fatalf("next redirect: %q", res.Header.Get("Location"))
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	res, body := c.do("GET", "/login", nil, false)
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "img-src 'self' data: blob: https://tile.openstreetmap.org;"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP lacks %q: %s", want, csp)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP allows inline code: %s", csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if res.Header.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, res.Header.Get(k), v)
		}
	}
	if res.Header.Get("X-Request-Id") == "" {
		t.Error("no request id")
	}
	for _, ck := range res.Cookies() {
		if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Errorf("cookie %s lacks HttpOnly/SameSite", ck.Name)
		}
	}
	if regexp.MustCompile(`<script>[^<]`).MatchString(body) || strings.Contains(body, " onclick=") {
		t.Error("inline script in page")
	}
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]{12})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("stylesheet URL carries no content hash")
	}
	res, _ = c.do("GET", m[1], nil, false)
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("hashed static: %d %q %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"))
	}
	// The icon: named by every page, and at /favicon.ico for clients that
	// ask there on their own.
	icon := regexp.MustCompile(`<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{12})" type="image/svg\+xml">`).FindStringSubmatch(body)
	if icon == nil {
		t.Fatal("the page names no icon")
	}
	if res, svg := c.do("GET", icon[1], nil, false); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(svg, "<svg") {
		t.Errorf("GET %s: %d %q", icon[1], res.StatusCode, res.Header.Get("Content-Type"))
	}
	if res, ico := c.do("GET", "/favicon.ico", nil, false); res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/x-icon" || !strings.HasPrefix(ico, "\x00\x00\x01\x00") {
		t.Errorf("GET /favicon.ico: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = c.do("GET", "/static/vendor/leaflet/leaflet.js", nil, false)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("unhashed static: %d %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	// Text assets travel compressed to a client that accepts gzip, and
	// as they are to one that does not.
	plainRes, plain := c.do("GET", "/static/vendor/leaflet/leaflet.js", nil, false)
	if plainRes.Header.Get("Content-Encoding") != "" || !strings.Contains(plainRes.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("without Accept-Encoding: encoding %q, vary %q", plainRes.Header.Get("Content-Encoding"), plainRes.Header.Get("Vary"))
	}
	for _, ae := range []string{"gzip", "br, gzip;q=0.8", "gzip;q=0"} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/static/vendor/leaflet/leaflet.js", nil)
		req.Header.Set("Accept-Encoding", ae)
		res := c.roundTrip(req)
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if ae == "gzip;q=0" {
			if res.Header.Get("Content-Encoding") != "" || string(raw) != plain {
				t.Errorf("Accept-Encoding %q: encoding %q", ae, res.Header.Get("Content-Encoding"))
			}
			continue
		}
		if res.Header.Get("Content-Encoding") != "gzip" || len(raw) >= len(plain)/2 {
			t.Fatalf("Accept-Encoding %q: encoding %q, %d bytes of %d", ae, res.Header.Get("Content-Encoding"), len(raw), len(plain))
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if un, _ := io.ReadAll(zr); string(un) != plain {
			t.Errorf("Accept-Encoding %q: the compressed file is not the file", ae)
		}
	}
	for _, p := range []string{"/static/nope.js", "/no/such/page"} {
		if res, _ := c.do("GET", p, nil, false); res.StatusCode != 404 {
			t.Errorf("GET %s: %d", p, res.StatusCode)
		}
	}
	res, body = c.do("GET", "/metrics", nil, false)
	if res.StatusCode != 200 || !strings.Contains(body, `haven_http_requests_total{route="GET /login",code="200"}`) {
		t.Errorf("metrics: %d\n%s", res.StatusCode, body)
	}
	for _, line := range strings.Split(body, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "haven_") {
			t.Errorf("metric without haven_ prefix: %s", line)
		}
	}
	if res, _ := c.do("GET", "/readyz", nil, false); res.StatusCode != 200 {
		t.Errorf("readyz: %d", res.StatusCode)
	}
}

// TestCatalogCoversTemplates checks that every translation key a template
// names exists, and that dynamic keys exist for every role, department
// kind and API scope.
func TestCatalogCoversTemplates(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := os.ReadDir("templates")
	re := regexp.MustCompile(`\bt "([a-z0-9_.]+)"`)
	for _, f := range files {
		b, _ := os.ReadFile("templates/" + f.Name())
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			if !cat.Has(m[1]) {
				t.Errorf("%s uses missing key %q", f.Name(), m[1])
			}
		}
	}
	var dynamic []string
	for _, r := range append(auth.Roles, auth.RolePartner) {
		dynamic = append(dynamic, "role."+string(r), "home.role."+string(r))
	}
	for _, p := range auth.Permissions() {
		dynamic = append(dynamic, "perm."+string(p))
	}
	for _, k := range auth.DepartmentKinds {
		dynamic = append(dynamic, "dept.kind."+k)
	}
	for _, s := range auth.APIKeyScopes {
		dynamic = append(dynamic, "scope."+s)
	}
	for _, st := range append(intake.States, intake.StateMerged) {
		dynamic = append(dynamic, "state."+string(st))
	}
	for _, o := range intake.Outcomes {
		dynamic = append(dynamic, "outcome."+string(o))
	}
	for _, c := range intake.Channels {
		dynamic = append(dynamic, "channel."+string(c))
	}
	dynamic = append(dynamic, "incident.op_merge", "incident.op_split", "title.signal_hotline", "title.signal_patrol")
	for _, k := range dispatch.TeamKinds {
		dynamic = append(dynamic, "team.kind."+string(k))
	}
	for _, st := range dispatch.TeamStatuses {
		dynamic = append(dynamic, "team_status."+string(st))
	}
	for _, k := range dispatch.HotspotKinds {
		dynamic = append(dynamic, "hotspot_kind."+string(k))
	}
	for _, o := range dispatch.Outcomes {
		dynamic = append(dynamic, "encounter_outcome."+string(o))
	}
	for _, p := range dispatch.PersonStates {
		dynamic = append(dynamic, "person_state."+p)
	}
	for _, k := range dispatch.NoteKinds {
		dynamic = append(dynamic, "note."+k)
	}
	// Family search: every field, level, verdict, state and source.
	for _, fd := range tracing.Fields {
		dynamic = append(dynamic, "match.field_"+fd.Name)
		for _, l := range fd.Levels {
			dynamic = append(dynamic, "match.level_"+l)
		}
	}
	for _, v := range []string{family.VerdictMatch, family.VerdictNear, family.VerdictMismatch, family.VerdictUnknown} {
		dynamic = append(dynamic, "match.verdict_"+v)
	}
	for _, st := range []string{family.Proposed, family.Deferred, family.Confirmed, family.Rejected, family.Closed} {
		dynamic = append(dynamic, "match.state_"+st)
	}
	for _, l := range []string{tracing.Likely, tracing.Possible, tracing.Unlikely} {
		dynamic = append(dynamic, "match."+l)
	}
	for _, st := range []string{family.StatusOpen, family.StatusReview, family.StatusFound, family.StatusWithdrawn} {
		dynamic = append(dynamic, "report."+st, "report."+st+"_help", "report.update_"+st)
	}
	dynamic = append(dynamic, "report.update_filed", "report.update_note")
	for _, src := range family.Sources {
		dynamic = append(dynamic, "family.source_"+src)
	}
	for _, st := range []string{family.NoticePublished, family.NoticeReunited, family.NoticeWithdrawn} {
		dynamic = append(dynamic, "notice.state_"+st)
	}
	dynamic = append(dynamic, "notice.speech_unclear")
	for _, m := range []string{family.MissingPerson, family.MissingBoth, family.Unreadable} {
		dynamic = append(dynamic, "match.missing_"+m)
	}
	dynamic = append(dynamic, "match.missing_report", "match.missing_earlier", "event.incident.updated")
	for _, k := range points.Kinds {
		dynamic = append(dynamic, "points.kind_"+k)
	}
	for _, k := range []string{supplies.Receipt, supplies.Donation, supplies.TransferIn, supplies.TransferOut, supplies.Handout, supplies.WriteOff, supplies.Count, supplies.Return} {
		dynamic = append(dynamic, "supplies.kind_"+k)
	}
	for _, k := range []string{supplies.LocStore, supplies.LocPoint, supplies.LocVehicle} {
		dynamic = append(dynamic, "supplies.loc_"+k)
	}
	for _, k := range volunteers.ShiftKinds {
		dynamic = append(dynamic, "vol.kind_"+k)
	}
	for _, k := range volunteers.OrgKinds {
		dynamic = append(dynamic, "vol.org_"+k)
	}
	for _, k := range volunteers.Skills {
		dynamic = append(dynamic, "vol.skill_"+k)
	}
	for _, m := range thanks.Modes {
		dynamic = append(dynamic, "thanks.mode_"+m)
	}
	for _, sv := range points.Services {
		dynamic = append(dynamic, "points.service_"+sv)
	}
	for _, k := range campaigns.Kinds {
		dynamic = append(dynamic, "campaigns.kind_"+k)
	}
	for _, k := range []string{campaigns.StatePlanned, campaigns.StateRunning, campaigns.StateOver} {
		dynamic = append(dynamic, "campaigns.state_"+k)
	}
	for _, k := range []string{points.LogGuided, points.LogNote, points.LogLead} {
		dynamic = append(dynamic, "desk.log_"+k)
	}
	for _, k := range []string{supplies.ProblemUnknownItem, supplies.ProblemPartUnit, supplies.ProblemNoVehicle, supplies.ProblemStockShort} {
		dynamic = append(dynamic, "supplies.problem_"+k)
	}
	for _, k := range dynamic {
		if !cat.Has(k) {
			t.Errorf("missing dynamic key %q", k)
		}
	}
	// Every message key the services return has a text.
	errKey := regexp.MustCompile(`"(err\.[a-z_]+)"`)
	_ = filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, m := range errKey.FindAllStringSubmatch(string(b), -1) {
			if !cat.Has(m[1]) {
				t.Errorf("%s returns message %q, which the catalog lacks", path, m[1])
			}
		}
		return nil
	})
}

// TestPagesRender visits every page a signed-in administrator can reach
// and follows its links, in both languages: no page fails and no link is
// broken.
func TestPagesRender(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	seedStation(t, h)
	link := regexp.MustCompile(`href="(/[^"]*)"`)
	for _, who := range []string{"admin", "staff", "medical", "hospital", "liaison"} {
		c := h.login(who)
		for _, lang := range []string{"zh-CN", "en"} {
			c.post("/lang", url.Values{"lang": {lang}, "back": {"/"}})
			seen := map[string]bool{}
			queue := []string{"/"}
			for len(queue) > 0 {
				p := queue[0]
				queue = queue[1:]
				if seen[p] {
					continue
				}
				seen[p] = true
				res, body := c.do("GET", p, nil, false)
				if res.StatusCode != 200 {
					t.Errorf("%s %s GET %s: %d", who, lang, p, res.StatusCode)
					continue
				}
				if !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
					continue
				}
				if !strings.Contains(body, `<html lang="`+lang+`">`) {
					t.Errorf("%s %s: page %s in the wrong language", who, lang, p)
				}
				if strings.Contains(body, "err.") || strings.Contains(body, "title.") {
					t.Errorf("%s %s: page %s shows an untranslated key", who, lang, p)
				}
				for _, m := range link.FindAllStringSubmatch(body, -1) {
					u := strings.ReplaceAll(m[1], "&amp;", "&")
					if !seen[u] {
						queue = append(queue, u)
					}
				}
			}
			if min := map[string]int{"admin": 8, "staff": 12, "medical": 6, "hospital": 3}[who]; len(seen) < min {
				t.Errorf("%s %s: crawled only %d pages", who, lang, len(seen))
			}
		}
	}
}

// seedStation puts people in the harness's station: one in care with a
// belonging and a referral, one gone home with family, one refused.
func seedStation(t *testing.T, h *harness) {
	t.Helper()
	ctx := context.Background()
	staff := auth.Actor{UserID: "seed", Name: "seed", Role: auth.RoleStaff}
	doctor := auth.Actor{UserID: "seed", Name: "seed", Role: auth.RoleMedical}
	form := cases.Form{Reason: "露宿", Security: "passed"}
	in, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Form: form, Person: cases.PersonInput{AgeMin: 40, AgeMax: 50},
		Belongings: []cases.BelongingInput{{Item: "手机", Qty: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "walk_in", Form: form, Person: cases.PersonInput{Name: "李四", AgeMin: 30, AgeMax: 40}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Exit(ctx, staff, gone.Stay.ID, cases.ExitInput{Kind: cases.ExitSelf, At: time.Now(), Statement: true, Returns: map[string]cases.Return{}}, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "walk_in", Refuse: true, Form: cases.Form{Security: "passed", RefusalGround: "has_means"},
		Person: cases.PersonInput{Name: "王五"}}); err != nil {
		t.Fatal(err)
	}
	depts, _ := h.db.ListDepartments(ctx)
	for _, d := range depts {
		if d.Name == "新乡市第二人民医院" {
			if _, err := h.health.Refer(ctx, doctor, in.Person.ID, in.Stay.ID, d.ID, "冻伤", true); err != nil {
				t.Fatal(err)
			}
		}
	}
}
