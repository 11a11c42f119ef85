package web_test

import (
	"bytes"
	"context"
	"github.com/havenrescue/haven/internal/assistance"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/demo"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/metrics"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
	"github.com/havenrescue/haven/internal/web"
)

const demoPassword = "demo-password-2026"

// harness is a whole web server on a real database with the demo data.
type harness struct {
	deskPoint string // the liaison account's point
	canteen   *canteen.Service
	fire      *firesafety.Service
	vols      *volunteers.Service
	rights    *datarights.Service
	t         *testing.T
	db        *store.DB
	svc       *auth.Service
	intake    *intake.Service
	partners  *intake.Partners
	dispatch  *dispatch.Service
	cases     *cases.Service
	health    *health.Service
	family    *family.Service
	points    *points.Service
	supplies  *supplies.Service
	plan      *patrolplan.Service
	funds     *funds.Service
	web       *web.Server
	srv       *httptest.Server
	logs      *syncBuffer
	deps      web.Deps // what the server was built from, for a second node
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, db *store.DB, opts ...func(*web.Deps)) *harness {
	t.Helper()
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	svc := &auth.Service{Store: db, Audit: db, Keys: keys, Now: time.Now, SessionIdle: time.Hour, SessionMax: 8 * time.Hour}
	if _, err := demo.Seed(context.Background(), svc, demoPassword); err != nil {
		t.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	photos := db.Files() // as haven serve keeps them
	in := &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: time.Now, Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule,
		Geocoder: &geo.Live{Base: geo.Xinxiang(), Places: db.GazetteerPlaces}}
	partners := &intake.Partners{Intake: in, Store: db}
	if err := partners.EnsureDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	disp := &dispatch.Service{Store: db, Audit: db, Intake: in, Keys: keys, Now: time.Now, Night: dispatch.DefaultNight}
	hub := &events.Hub{Store: db, Resolve: disp.Resolve, Poll: 100 * time.Millisecond}
	hctx, stopHub := context.WithCancel(context.Background())
	t.Cleanup(stopHub)
	go hub.Run(hctx, db.EventWake())
	cs := &cases.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: time.Now, Rules: cases.Defaults}
	hs := &health.Service{Store: db, Audit: db, Now: time.Now}
	fs := &family.Service{Store: db, Cases: cs, Audit: db, Keys: keys, Photos: photos, Now: time.Now, Domain: "test.example",
		Station: family.Station{Name: "新乡市救助管理站", Phone: "0373-5089797"}}
	camps := &campaigns.Service{Store: db, Now: time.Now}
	plan := &patrolplan.Service{Store: db, Now: time.Now, Campaigns: camps}
	ct := &canteen.Service{Store: db, More: db, Files: db.Files(), Duties: db, Audit: db, Now: time.Now}
	fire := &firesafety.Service{Store: db, Duties: db, Files: photos, Now: time.Now}
	if err := fire.EnsureDuties(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := ct.EnsureDuties(context.Background()); err != nil {
		t.Fatal(err)
	}
	vs := &volunteers.Service{Store: db, Keys: keys, Now: time.Now, Registries: db}
	ps := &points.Service{Store: db, Now: time.Now, Activated: camps.ActivatedKinds, Signals: in}
	ss := &supplies.Service{Store: db, Audit: db, Now: time.Now, Campaigns: camps.RunningIDs}
	disp.HandedOut = ss.BookEncounter
	svc.PointExists = func(ctx context.Context, id string) bool { _, err := db.PointByID(ctx, id); return err == nil }
	// The liaison account is bound to a point of its own.
	desk, err := ps.Create(context.Background(), auth.Actor{UserID: "harness", Name: "harness", Role: auth.RoleStaff}, points.Input{
		Name: "福彩救助点（人民路）", Kind: points.KindLottery, Address: "红旗区人民路 86 号", Lat: 35.3041, Lng: 113.9263, Hours: "24h", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedLiaison(context.Background(), svc, ps, demoPassword); err != nil {
		t.Fatal(err)
	}
	rights := &datarights.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: time.Now, Retention: datarights.DefaultRetention}
	cs.Exited = func(ctx context.Context, id string, k cases.ExitKind) { _ = fs.Exited(ctx, id, k) }
	fu := &funds.Service{Store: db, Audit: db, Files: photos, Now: time.Now}
	cs.Vouchered = func(ctx context.Context, a auth.Actor, st *cases.Stay, v cases.Voucher) {
		_, _ = fu.RequestTravel(ctx, a, funds.TravelInput{DepartmentID: a.DepartmentID, At: st.ExitedAt, PersonID: st.PersonID, StayID: st.ID,
			Mode: v.Mode, Route: v.Route, TicketNo: v.TicketNo, CostFen: int64(v.CostFen)})
	}
	logs := &syncBuffer{}
	osm, _ := basemap.Resolve(basemap.Settings{Provider: basemap.OSM})
	deps := web.Deps{Auth: svc, Catalog: cat, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Metrics: metrics.NewRegistry(), Ready: db.Ready, Map: osm, Version: "test",
		Intake: in, Partners: partners, Jurisdiction: "xinxiang.gov.cn", PublicRate: 100000, Dispatch: disp, Hub: hub,
		Cases: cs, Health: hs, Family: fs, Points: ps, Supplies: ss, Volunteers: vs, Campaigns: camps, DataRights: rights, Plan: plan,
		Monthly: &stats.Monthly{Store: db, Now: time.Now}, Outcomes: &stats.Outcomes{Store: db, Now: time.Now,
			Source: stats.CaseRules{StaySource: db, Station: db, Rules: cases.Defaults, Now: time.Now}},
		Stats: &stats.Service{Source: db, Now: time.Now, Deadlines: stats.CaseRules{StaySource: db, Station: db, Rules: cases.Defaults, Now: time.Now}}, Funds: fu, Canteen: ct, Fire: fire,
		Portal:     &portal.Service{Store: db, Now: time.Now, Keys: keys, Photos: photos},
		Thanks:     &thanks.Service{Store: db, Now: time.Now},
		Assistance: &assistance.Service{Store: db, Audit: db, Files: photos, Now: time.Now, Rules: assistance.Defaults, Calendar: cases.Defaults}}
	for _, o := range opts {
		o(&deps)
	}
	w, err := web.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return &harness{t: t, db: db, svc: svc, intake: in, partners: partners, dispatch: disp, cases: cs, health: hs, family: fs, points: ps, supplies: ss, plan: plan, funds: fu, canteen: ct, fire: fire, web: w, srv: srv, logs: logs,
		deskPoint: desk.ID, vols: vs, rights: rights, deps: deps}
}

// matched lets family search catch up with the changes made so far, as
// haven serve's worker (family.Service.Run) does within moments of each;
// the harness runs no worker, so that a test sees what a request leaves
// before matching.
func (h *harness) matched() {
	h.t.Helper()
	if err := h.family.CatchUp(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// client is a browser without a cookie jar: it sends its cookies by hand
// and ignores Set-Cookie unless told, so requests never change its session.
type client struct {
	h       *harness
	cookies map[string]string
	csrf    string
}

func (h *harness) anon() *client {
	c := &client{h: h, cookies: map[string]string{}}
	res, body := c.do("GET", "/login", nil, true)
	if res.StatusCode != 200 {
		h.t.Fatalf("GET /login: %d", res.StatusCode)
	}
	c.csrf = firstCSRF(h.t, body)
	return c
}

func firstCSRF(t *testing.T, body string) string {
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token in page:\n%s", body)
	}
	return m[1]
}

// login signs in as username and returns a client holding that session.
func (h *harness) login(username string) *client {
	h.t.Helper()
	c := h.anon()
	res, _ := c.do("POST", "/login", url.Values{"username": {username}, "password": {demoPassword}, "csrf_token": {c.csrf}}, true)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		h.t.Fatalf("login %s: %d %s", username, res.StatusCode, res.Header.Get("Location"))
	}
	if c.cookies["haven_session"] == "" {
		h.t.Fatalf("login %s: no session cookie", username)
	}
	_, body := c.do("GET", "/account/password", nil, false)
	c.csrf = firstCSRF(h.t, body)
	return c
}

// do sends a request; form is sent urlencoded for POST. keep stores
// Set-Cookie values.
func (c *client) do(method, path string, form url.Values, keep bool) (*http.Response, string) {
	c.h.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.h.srv.URL+path, body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return c.send(req, keep)
}

// stream opens a server-sent-event stream and returns its response once
// the head has arrived; the body is closed.
func (c *client) stream(path string) *http.Response {
	c.h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", c.h.srv.URL+path, nil)
	if err != nil {
		c.h.t.Fatal(err)
	}
	res := c.roundTrip(req)
	res.Body.Close()
	return res
}

// roundTrip sends req with the client's cookies, without following
// redirects; the caller closes the body.
func (c *client) roundTrip(req *http.Request) *http.Response {
	c.h.t.Helper()
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	return res
}

// send adds the client's cookies, sends req without following redirects
// and, with keep, stores the cookies the server sets.
func (c *client) send(req *http.Request, keep bool) (*http.Response, string) {
	c.h.t.Helper()
	res := c.roundTrip(req)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if keep {
		for _, ck := range res.Cookies() {
			if ck.MaxAge < 0 {
				delete(c.cookies, ck.Name)
			} else {
				c.cookies[ck.Name] = ck.Value
			}
		}
	}
	return res, string(b)
}

// post sends a form with the client's CSRF token.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf_token", c.csrf)
	return c.do("POST", path, form, false)
}

func openSQLite(t *testing.T) *store.DB { return storetest.OpenSQLite(t) }

func timeNow() time.Time { return time.Now() }

func strconvItoa(n int) string { return strconv.Itoa(n) }

// limitedServer serves h's services with the default rate limits.
func limitedServer(t *testing.T, h *harness) *httptest.Server {
	cat, _ := i18n.Load()
	w, err := web.New(web.Deps{Auth: h.svc, Catalog: cat, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: metrics.NewRegistry(),
		Ready: h.db.Ready, Version: "test", Intake: h.intake, Partners: h.partners, Jurisdiction: "xinxiang.gov.cn"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(w)
	t.Cleanup(srv.Close)
	return srv
}
