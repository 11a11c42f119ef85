package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/open311"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// dbProxy forwards TCP connections to the database until it is cut: then
// it closes every connection and refuses new ones, as a database that went
// down or a network that broke would.
type dbProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]struct{}
}

func newDBProxy(t *testing.T, target string) *dbProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dbProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *dbProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.mu.Unlock()
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			up.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			dst.Close()
			src.Close()
			p.mu.Lock()
			delete(p.conns, dst)
			delete(p.conns, src)
			p.mu.Unlock()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

// cut closes every open connection and refuses new ones.
func (p *dbProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *dbProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = false
}

// answer is one HTTP exchange of the outage test.
type answer struct {
	code   int
	body   string
	retry  string
	header http.Header
}

func send(t *testing.T, method, u string, body io.Reader, header ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(b), res.Header.Get("Retry-After"), res.Header}
}

// TestDatabaseOutageAnswers503 cuts the connection to PostgreSQL while the
// server runs: partners must hear "retry later" (503 with Retry-After, in
// the Open311 error format on Open311), never "your key is invalid" (403)
// or a bare 500 they might take as final, and everything works again once
// the database is back.
func TestDatabaseOutageAnswers503(t *testing.T) {
	base := os.Getenv(storetest.PostgresEnv)
	if base == "" {
		t.Skip(storetest.PostgresEnv + " is not set: the outage test needs PostgreSQL to cut")
	}
	dsn, _ := storetest.PostgresSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newDBProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{URL: u.String(), MaxOpen: 4})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, db)
	staff := h.login("dispatcher")
	openKey, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "Open311 client", []string{"open311"}, "")
	if err != nil {
		t.Fatal(err)
	}
	keys := partnerKeys(t, h)
	// A key never used before the cut, so no node has it in its cache.
	whoamiKey, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "whoami", []string{"intake.read"}, "")
	if err != nil {
		t.Fatal(err)
	}
	o311 := h.srv.URL + "/open311/v2/"
	form := func(n string) url.Values {
		return url.Values{"api_key": {openKey}, "service_code": {"rough_sleeping"}, "lat": {"35.3056"}, "long": {"113.8624"}, "description": {"桥洞下有人" + n}}
	}
	workOrder := func(n string) string {
		return `{"order_no":"XX12345-OUTAGE-` + n + `","category":"露宿街头","content":"桥洞下有人","location":{"lat":35.3128,"lng":113.8755},"address":"卫河胜利桥下"}`
	}
	postForm := func(path string, f url.Values) answer {
		return send(t, "POST", o311+path, strings.NewReader(f.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	}
	postOrder := func(n string) answer {
		return send(t, "POST", h.srv.URL+"/api/v1/partners/12345/workorders", strings.NewReader(workOrder(n)),
			"Authorization", "Bearer "+keys[intake.Channel12345], "Content-Type", "application/json")
	}

	if a := postForm("requests.json", form("1")); a.code != http.StatusCreated {
		t.Fatalf("before the cut: Open311 POST %d %s", a.code, a.body)
	}
	var created []open311.Created
	a := postForm("requests.json", form("2"))
	json.Unmarshal([]byte(a.body), &created)
	if a.code != http.StatusCreated || len(created) != 1 {
		t.Fatalf("before the cut: Open311 POST %d %s", a.code, a.body)
	}
	ref := created[0].ServiceRequestID

	proxy.cut()

	// Open311: JSON and XML, POST and GET, keyed and anonymous.
	for name, a := range map[string]answer{
		"POST requests.json":          postForm("requests.json", form("3")),
		"POST requests.xml":           postForm("requests.xml", form("4")),
		"GET requests.json keyed":     send(t, "GET", o311+"requests.json?api_key="+url.QueryEscape(openKey), nil),
		"GET requests.json":           send(t, "GET", o311+"requests.json", nil),
		"GET requests/{id}.json":      send(t, "GET", o311+"requests/"+ref+".json", nil),
		"GET requests/{id}.xml keyed": send(t, "GET", o311+"requests/"+ref+".xml?api_key="+url.QueryEscape(openKey), nil),
	} {
		if a.code != http.StatusServiceUnavailable || a.retry == "" {
			t.Errorf("%s with the database down: %d Retry-After %q %s", name, a.code, a.retry, a.body)
			continue
		}
		var errsOut []open311.Error
		if strings.Contains(name, ".xml") {
			var x struct {
				Errors []open311.Error `xml:"error"`
			}
			if err := xml.Unmarshal([]byte(a.body), &x); err != nil {
				t.Errorf("%s: not Open311 XML: %v %s", name, err, a.body)
			}
			errsOut = x.Errors
		} else if err := json.Unmarshal([]byte(a.body), &errsOut); err != nil {
			t.Errorf("%s: not Open311 JSON: %v %s", name, err, a.body)
		}
		if len(errsOut) != 1 || errsOut[0].Code != 503 || errsOut[0].Description == "" {
			t.Errorf("%s: error list %+v", name, errsOut)
		}
	}
	// Partner APIs.
	for name, a := range map[string]answer{
		"work order POST": postOrder("1"),
		"work order GET": send(t, "GET", h.srv.URL+"/api/v1/partners/12345/workorders/XX12345-OUTAGE-0", nil,
			"X-API-Key", keys[intake.Channel12345]),
		"whoami": send(t, "GET", h.srv.URL+"/api/v1/whoami", nil, "X-API-Key", whoamiKey),
	} {
		var e struct {
			Error struct{ Code string }
		}
		json.Unmarshal([]byte(a.body), &e)
		if a.code != http.StatusServiceUnavailable || a.retry == "" || e.Error.Code != "unavailable" {
			t.Errorf("%s with the database down: %d Retry-After %q %s", name, a.code, a.retry, a.body)
		}
	}
	// A signed-in page: a Chinese page saying the service is briefly down.
	res, body := staff.do("GET", "/", nil, false)
	if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || !strings.Contains(body, "服务暂时不可用") {
		t.Errorf("page with the database down: %d %q\n%s", res.StatusCode, res.Header.Get("Retry-After"), body)
	}

	if a := send(t, "GET", h.srv.URL+"/readyz", nil); a.code != http.StatusServiceUnavailable || a.retry == "" {
		t.Errorf("/readyz with the database down: %d Retry-After %q", a.code, a.retry)
	}

	proxy.restore()

	if a := postForm("requests.json", form("5")); a.code != http.StatusCreated {
		t.Errorf("after the database is back: Open311 POST %d %s", a.code, a.body)
	}
	if a := send(t, "GET", o311+"requests/"+ref+".json", nil); a.code != http.StatusOK {
		t.Errorf("after the database is back: Open311 GET %d %s", a.code, a.body)
	}
	if a := postOrder("2"); a.code != http.StatusCreated {
		t.Errorf("after the database is back: work order %d %s", a.code, a.body)
	}
	if res, _ := staff.do("GET", "/", nil, false); res.StatusCode != http.StatusOK {
		t.Errorf("after the database is back: page %d", res.StatusCode)
	}
	// A key that is truly unknown is still refused as such.
	bad := url.Values{"api_key": {"hvn_" + strings.Repeat("x", 40)}, "service_code": {"begging"}, "address_string": {"平原路"}}
	if a := postForm("requests.json", bad); a.code != http.StatusForbidden {
		t.Errorf("unknown key: %d %s", a.code, a.body)
	}
}
