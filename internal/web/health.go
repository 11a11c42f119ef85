package web

import (
	"context"
	"crypto/subtle"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/errs"
)

// healthz says the process is up.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.Version})
}

// readyz says the database answers and every migration is applied.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready(ctx); err != nil {
		s.Logger.Warn("not ready", "request_id", info(r).id, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(int(errs.RetryAfter.Seconds())))
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// metricsPage serves the metrics on the main address. With a token it
// wants "Authorization: Bearer <token>"; without one it answers only a
// loopback client that came through no proxy (a proxy on the same host
// would make every visitor a loopback peer). With --metrics-addr the
// metrics are not served here at all.
func (s *Server) metricsPage(w http.ResponseWriter, r *http.Request) {
	if s.MetricsElsewhere {
		s.notFound(w, r)
		return
	}
	if s.MetricsToken == "" {
		ip, err := netip.ParseAddr(info(r).ip)
		if err != nil || !ip.IsLoopback() || r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
			s.notFound(w, r)
			return
		}
	}
	s.serveMetrics(w, r)
}

// MetricsHandler serves only /metrics, for a separate listen address
// (--metrics-addr): anyone who reaches that address may read them unless
// a token is set.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", s.serveMetrics)
	return mux
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if s.MetricsToken != "" {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.MetricsToken)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="haven metrics"`)
			http.Error(w, "401 unauthorized", http.StatusUnauthorized)
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	s.Metrics.Write(w)
}
