// Package web is Haven's HTTP adapter: one route table (routes.go), one file
// per user action, html/template pages parsed at start-up, and embedded
// static files with content-hashed URLs.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/geo"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/metrics"
	"github.com/havenrescue/haven/internal/open311"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
)

// Deps are what the web layer needs from the rest of Haven.
type Deps struct {
	Auth    *auth.Service
	Catalog *i18n.Catalog
	Logger  *slog.Logger
	Metrics *metrics.Registry
	// Ready reports whether the database answers and is migrated.
	Ready  func(ctx context.Context) error
	Secure bool // cookies carry the Secure flag (HTTPS deployments)
	// Map is the tile provider under every map (the zero value draws no
	// tiles); Roads, when set, replaces the built-in roads file of 新乡,
	// drawn when no tiles load.
	Map     basemap.Source
	Roads   []byte
	Version string
	Now     func() time.Time

	Intake       *intake.Service
	Partners     *intake.Partners
	Jurisdiction string // Open311 jurisdiction_id
	// Requests a minute per client address (public pages and Open311) and
	// per API key (partner work orders); 0 picks the default.
	PublicRate  int
	PartnerRate int
	// NewLimiter makes the rate limiters; nil keeps them in this node's
	// memory. Several nodes share one through the database.
	NewLimiter NewLimiterFunc
	// TrustedProxies are the peers whose forwarding headers name the
	// client (clientIP).
	TrustedProxies []netip.Prefix
	// BaseURL is the server's public URL (no trailing slash); links that
	// leave the server are built on it. Empty: from the request.
	BaseURL string
	// MetricsToken, when set, is the bearer token /metrics requires.
	// Without it /metrics answers loopback peers only.
	MetricsToken string
	// MetricsElsewhere drops /metrics from this handler: it is served on
	// its own address (MetricsHandler).
	MetricsElsewhere bool

	Dispatch *dispatch.Service
	Hub      *events.Hub // this node's live event stream

	Cases      *cases.Service
	Health     *health.Service
	Family     *family.Service
	Points     *points.Service
	Supplies   *supplies.Service
	Volunteers *volunteers.Service
	Campaigns  *campaigns.Service
	DataRights *datarights.Service
	Plan       *patrolplan.Service // tonight's patrol plan and the night's forecast
	// Gazetteer is the city's names (--gazetteer), which name the heat
	// map's hot spots; nil: the built-in 新乡 one.
	Gazetteer *geo.Gazetteer
	// The monthly statistics report and the outcome measures (stats).
	Monthly    *stats.Monthly
	Outcomes   *stats.Outcomes
	Stats      *stats.Service
	Funds      *funds.Service
	Assistance *assistance.Service
	Canteen    *canteen.Service    // the canteen's food safety
	Fire       *firesafety.Service // the station's fire safety
	Portal     *portal.Service     // news, events and the publicity log
	Thanks     *thanks.Service     // public thanks to donors who consent
	// DonationAccount is the official account for money donations
	// (config donation-account), on the public giving page.
	DonationAccount string
}

// Server is Haven's HTTP handler.
type Server struct {
	Deps
	tmpl    *templates
	static  *staticFiles
	handler http.Handler
	mux     *http.ServeMux
	routes  []string
	bodies  map[string]bodyRule // by route pattern; see routes.go

	open311 *open311.Handler
	csp     string // the Content-Security-Policy of every answer (securityHeaders)

	reportLimit  Limiter
	statusLimit  Limiter
	open311Limit Limiter
	partnerLimit Limiter

	requests *metrics.CounterVec
	duration *metrics.HistogramVec
	logins   *metrics.CounterVec
}

// New builds the server. It fails when a template or static file is
// missing or broken, so mistakes surface at start-up, not on a request.
func New(d Deps) (*Server, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &Server{Deps: d}
	var err error
	if s.static, err = loadStatic(); err != nil {
		return nil, err
	}
	maps, err := mapConfigs(d, s.static)
	if err != nil {
		return nil, err
	}
	if s.tmpl, err = parseTemplates(d.Catalog, s.static, maps); err != nil {
		return nil, err
	}
	s.requests = d.Metrics.Counter("haven_http_requests_total", "HTTP requests by route pattern and status code.", "route", "code")
	s.duration = d.Metrics.Histogram("haven_http_request_duration_seconds", "HTTP request latency by route pattern.",
		[]float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}, "route")
	s.logins = d.Metrics.Counter("haven_logins_total", "Login attempts by result.", "result")
	img := strings.Join(append([]string{"'self'", "data:", "blob:"}, d.Map.Origins()...), " ")
	s.csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if d.PublicRate <= 0 {
		d.PublicRate = 20
	}
	if d.PartnerRate <= 0 {
		d.PartnerRate = 6000
	}
	if d.NewLimiter == nil {
		d.NewLimiter = NewMemoryLimiter
	}
	s.reportLimit = d.NewLimiter("report", d.PublicRate/2+1, 5)
	s.statusLimit = d.NewLimiter("status", d.PublicRate*3, 30)
	s.open311Limit = d.NewLimiter("open311", d.PublicRate*3, 30)
	s.partnerLimit = d.NewLimiter("partner", d.PartnerRate, d.PartnerRate/10+10)
	s.open311 = &open311.Handler{Intake: d.Intake, Auth: d.Auth, Jurisdiction: d.Jurisdiction, Translate: func(lang, key string) string { return d.Catalog.T(lang, key) }, Now: d.Now, IP: func(r *http.Request) string { return info(r).ip },
		Checked: func(r *http.Request) (auth.Actor, bool) {
			a := info(r).actor
			return a, a.Role == auth.RolePartner && a.UserID != ""
		},
		Upload: uploaded, BaseURL: d.BaseURL, Contact: d.Jurisdiction}
	s.mux = http.NewServeMux()
	s.bodies = map[string]bodyRule{}
	s.registerRoutes()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns every registered route pattern, for tests that must cover
// them all.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }
