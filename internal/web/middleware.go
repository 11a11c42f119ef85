package web

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/i18n"
)

// reqInfo is what the middleware learns about a request. Handlers read it
// with info(r).
type reqInfo struct {
	id      string
	ip      string
	pattern string
	lang    string
	api     bool
	user    *auth.User
	sess    *auth.Session
	token   string // session token, from the cookie
	actor   auth.Actor
	csrf    string    // the token forms must echo
	body    bodyRule  // what the route takes in a request body
	form    *formBody // a multipart form being read
}

type ctxKey struct{}

func info(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{lang: i18n.Default}
}

const (
	sessionCookie = "haven_session"
	csrfCookie    = "haven_csrf"
	langCookie    = "haven_lang"
)

func (s *Server) cookieName(base string) string {
	if s.Secure {
		return "__Host-" + base // bound to this host, path / and HTTPS
	}
	return base
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(s.cookieName(name))
	if err != nil {
		return ""
	}
	return c.Value
}

// middleware wraps the mux: recover, request id, log and metrics, security
// headers, cross-origin protection, session and CSRF.
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errs.E(errs.Forbidden, "web.crossOrigin", "err.csrf"))
	}))
	inner := cop.Handler(s.withSession(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: newRequestID(), ip: clientIP(r, s.TrustedProxies), lang: i18n.Default,
			api: strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/open311/")}
		if ri.api {
			// An API route takes maxAPIBytes, or its upload limit when
			// the route table gives it files (Open311 POST with media).
			limit := int64(maxAPIBytes)
			if b := s.bodyRule(r); b.files {
				limit, ri.body = b.limit, b
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		w.Header().Set("X-Request-Id", ri.id)
		s.securityHeaders(rec.Header())
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "request_id", ri.id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !rec.wrote {
					s.fail(rec, r, errs.E(errs.Internal, "web.panic", ""))
				}
			}
			route := ri.pattern
			if route == "" {
				route = "unmatched"
			}
			d := time.Since(start)
			s.requests.Inc(route, strconv.Itoa(rec.code))
			s.duration.Observe(d.Seconds(), route)
			// Log ids and the route pattern, never query strings or form
			// values: they may hold personal data.
			lvl := slog.LevelInfo
			if rec.code >= 500 {
				lvl = slog.LevelError
			}
			if !s.Logger.Enabled(r.Context(), lvl) {
				return
			}
			attrs := []any{"request_id", ri.id, "method", r.Method, "route", route, "status", rec.code, "duration_ms", d.Milliseconds()}
			if ri.actor.UserID != "" {
				attrs = append(attrs, "actor_id", ri.actor.UserID)
			}
			s.Logger.Log(r.Context(), lvl, "request", attrs...)
		}()
		inner.ServeHTTP(rec, r)
	})
}

func (s *Server) securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", s.csp)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "geolocation=(self), camera=(self), microphone=()")
	if s.Secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// withSession loads the signed-in user, picks the language and enforces
// CSRF tokens on state-changing browser requests.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		if ri.api || strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if l := s.cookie(r, langCookie); i18n.Supported(l) {
			ri.lang = l
		}
		if tok := s.cookie(r, sessionCookie); tok != "" {
			sess, u, err := s.Auth.Authenticate(r.Context(), tok)
			switch {
			case err == nil:
				ri.sess, ri.user, ri.token = sess, u, tok
				ri.actor = auth.ActorFor(u, ri.ip)
				ri.csrf = sess.CSRFToken
				if i18n.Supported(u.Lang) {
					ri.lang = u.Lang
				}
			case errs.Is(errs.Unauthorized, err):
				s.setCookie(w, sessionCookie, "", -1)
			default:
				s.fail(w, r, err)
				return
			}
		}
		if ri.csrf == "" {
			ri.csrf = s.cookie(r, csrfCookie)
			if len(ri.csrf) < 20 {
				ri.csrf = auth.NewToken(32)
				s.setCookie(w, csrfCookie, ri.csrf, 0)
			}
		}
		if !safeMethod(r.Method) && !s.checkCSRF(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkCSRF bounds the body by the route's limit and checks the CSRF token
// (the X-CSRF-Token header, or the csrf_token field) before any large body
// is read: a urlencoded form is read up to maxFormBytes, a multipart form
// only up to its csrf_token field, which must come before any file. The
// rest of a multipart form is read by the route's access wrapper
// (readBody), after its rate limits. False means it answered.
func (s *Server) checkCSRF(w http.ResponseWriter, r *http.Request) bool {
	ri := info(r)
	ri.body = s.bodyRule(r)
	multipart := isMultipart(r)
	got := r.Header.Get("X-CSRF-Token")
	limit := ri.body.limit
	if !multipart && (got == "" || ri.body.files) {
		limit = min(limit, maxFormBytes) // only multipart bodies carry files
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if got == "" {
		if multipart {
			f, err := newFormBody(r, ri.body.files)
			if err == nil {
				ri.form = f
				err = f.read(true)
			}
			if err != nil {
				s.failBody(w, r, err)
				return false
			}
			got = f.values.Get("csrf_token")
		} else {
			if err := r.ParseForm(); err != nil {
				s.failBody(w, r, bodyErr(err))
				return false
			}
			got = r.PostForm.Get("csrf_token")
		}
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(ri.csrf)) != 1 {
		s.fail(w, r, errs.E(errs.Forbidden, "web.csrf", "err.csrf"))
		return false
	}
	return true
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// public marks a route open to anyone.
func (s *Server) public(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info(r).pattern = r.Pattern
		if !s.readBody(w, r) {
			return
		}
		h(w, r)
	})
}

// signedIn sends anonymous browsers to the login page.
func (s *Server) signedIn(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		ri.pattern = r.Pattern
		if ri.user == nil {
			next := "/"
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if !s.readBody(w, r) {
			return
		}
		h(w, r)
	})
}

// partner requires an API key (header "Authorization: Bearer <key>" or
// "X-API-Key") with the given scope ("" for any key).
func (s *Server) partner(scope string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri := info(r)
		ri.pattern = r.Pattern
		key := r.Header.Get("X-API-Key")
		if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			key = strings.TrimSpace(b)
		}
		a, err := s.Auth.AuthenticateAPIKey(r.Context(), key, ri.ip)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if scope != "" && !contains(a.Scopes, scope) {
			s.fail(w, r, errs.E(errs.Forbidden, "web.partner", "err.forbidden"))
			return
		}
		ri.actor = a
		h(w, r)
	})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

type statusRecorder struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.code = code
		r.wrote = true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Flush lets server-sent events stream through the recorder.
func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func newRequestID() string { return auth.NewToken(9) }
