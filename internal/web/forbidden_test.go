package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/i18n"
)

var tagRE = regexp.MustCompile(`<[^>]+>`)

// pageText is a page's text without tags, whitespace runs made one space.
func pageText(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tagRE.ReplaceAllString(body, " "))), " ")
}

// A page closed to a role says why, in the user's language: which
// permission it needs, which roles have it, the user's own role, and whom
// to ask. The administrator, who has none of the daily work, is told to
// open an account with the right role instead.
func TestForbiddenPageSaysWhy(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := h.login("admin")
	for path, needs := range map[string][]auth.Permission{
		"/dispatch":   {auth.PermDispatchBoard},
		"/station":    {auth.PermCasesView},
		"/family":     {auth.PermFamilyView},
		"/supplies":   {auth.PermSuppliesManage, auth.PermSuppliesHandout},
		"/volunteers": {auth.PermVolunteersManage},
	} {
		res, body := admin.do("GET", path, nil, false)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("admin GET %s: %d, want 403", path, res.StatusCode)
			continue
		}
		text := pageText(body)
		for _, p := range needs {
			if !strings.Contains(text, "「"+cat.T("zh-CN", "perm."+string(p))+"」") {
				t.Errorf("admin GET %s: the page does not name the permission %s:\n%s", path, p, text)
			}
		}
		for _, r := range auth.RolesWith(needs...) {
			if !strings.Contains(text, cat.T("zh-CN", "role."+string(r))) {
				t.Errorf("admin GET %s: the page does not name the role %s that opens it:\n%s", path, r, text)
			}
		}
		if !strings.Contains(text, "打开此页面需要") || !strings.Contains(text, "您的角色是「系统管理员」") ||
			!strings.Contains(body, `href="/admin/users"`) || strings.Contains(text, "请联系") {
			t.Errorf("admin GET %s: no explanation for an administrator:\n%s", path, text)
		}
		if regexp.MustCompile(`\b(perm|role|forbidden|list)\.`).MatchString(text) {
			t.Errorf("admin GET %s: an untranslated key:\n%s", path, text)
		}
	}
	// In English, and for an action rather than a page.
	admin.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	res, body := admin.post("/dispatch/incidents/nosuch/notes", url.Values{"note": {"x"}})
	text := pageText(body)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(text, "This action needs the \"assign teams\" permission.") ||
		!strings.Contains(text, "Roles that have it: Dispatcher.") || !strings.Contains(text, "Your role, Administrator, does not include it.") {
		t.Errorf("admin POST in English: %d\n%s", res.StatusCode, text)
	}

	// Anyone else is told to ask the administrator.
	res, body = h.login("volunteer").do("GET", "/people", nil, false)
	text = pageText(body)
	if res.StatusCode != http.StatusForbidden || !strings.Contains(text, "「查看站内受助人员」") || !strings.Contains(text, "您的角色是「志愿者协调员」") ||
		!strings.Contains(text, "请联系本单位的系统管理员") || strings.Contains(body, `href="/admin/users"`) {
		t.Errorf("volunteer GET /people: %d\n%s", res.StatusCode, text)
	}
}
