package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/i18n"
)

// safeNext keeps a redirect taken from the request (login's "next", the
// language switch's "back") on this site: it returns next if it is a path
// that stays on this origin however a browser reads it, else "/".
//
// Browsers drop tabs and newlines anywhere in a URL, trim spaces and
// control characters at its ends and read a backslash as a slash, so
// "/\t/evil.example" and "/\evil.example" both mean "//evil.example",
// another host. Hence: printable ASCII only, no backslash at all, no "//"
// at the start, also once or twice percent-decoded (some proxies
// decode), and url.Parse must find no scheme, host or user.
func safeNext(next string) string {
	if next == "" || len(next) > 2000 || !sameOriginPath(next) {
		return "/"
	}
	return next
}

func sameOriginPath(p string) bool {
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return false
	}
	// The path once and twice decoded must pass the same checks.
	path, _, _ := strings.Cut(p, "?")
	path, _, _ = strings.Cut(path, "#")
	for range 2 {
		d, err := url.PathUnescape(path)
		if err != nil {
			return false
		}
		if d == path {
			break
		}
		for i := 0; i < len(d); i++ {
			if c := d[i]; c < ' ' || c == 0x7f || c == '\\' {
				return false
			}
		}
		if strings.HasPrefix(d, "//") || !strings.HasPrefix(d, "/") {
			return false
		}
		path = d
	}
	return true
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if info(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	v := s.newView(r, "title.login", nil)
	v.Form.Set("next", safeNext(r.URL.Query().Get("next")))
	s.render(w, r, http.StatusOK, "login", v)
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	v := s.newView(r, "title.login", nil)
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	v.Form.Set("username", username)
	v.Form.Set("next", safeNext(r.PostFormValue("next")))
	v.Errors = map[string]string{}
	if username == "" {
		v.Errors["username"] = "err.required"
	}
	if password == "" {
		v.Errors["password"] = "err.required"
	}
	if len(v.Errors) > 0 {
		s.render(w, r, http.StatusUnprocessableEntity, "login", v)
		return
	}
	token, _, u, err := s.Auth.Login(r.Context(), username, password, ri.ip, r.UserAgent())
	if err != nil {
		k := errs.KindOf(err)
		if k != errs.Unauthorized && k != errs.Forbidden {
			s.fail(w, r, err)
			return
		}
		s.logins.Inc(errs.MessageOf(err))
		v.Message = errs.MessageOf(err)
		s.render(w, r, statusOf(k), "login", v)
		return
	}
	s.logins.Inc("ok")
	s.setCookie(w, sessionCookie, token, 0)
	s.setCookie(w, csrfCookie, "", -1)
	if i18n.Supported(u.Lang) {
		s.setCookie(w, langCookie, u.Lang, 365*24*3600)
	}
	http.Redirect(w, r, v.Form.Get("next"), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	if err := s.Auth.Logout(r.Context(), ri.actor, ri.token); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		s.fail(w, r, errs.InvalidFields("web.setLanguage", map[string]string{"lang": "err.invalid_choice"}))
		return
	}
	if ri.user != nil {
		if err := s.Auth.SetLanguage(r.Context(), ri.actor, lang); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, langCookie, lang, 365*24*3600)
	http.Redirect(w, r, safeNext(r.PostFormValue("back")), http.StatusSeeOther)
}
