package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/webhook"
)

func apiPost(t *testing.T, u, key string, body string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", u, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b, res.Header
}

// partnerKeys gives each default partner its own key.
func partnerKeys(t *testing.T, h *harness) map[intake.Channel]string {
	ctx := context.Background()
	keys := map[intake.Channel]string{}
	for _, ch := range intake.PartnerChannels {
		full, k, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), string(ch), []string{"intake.write", "intake.read"}, "")
		if err != nil {
			t.Fatal(err)
		}
		p, _ := h.db.PartnerByCode(ctx, ch)
		if _, err := h.partners.Update(ctx, auth.CLIActor(), ch, intake.PartnerEdit{APIKeyID: k.ID, Mapping: p.Mapping}); err != nil {
			t.Fatal(err)
		}
		keys[ch] = full
	}
	return keys
}

func TestPartnerWorkOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		keys := partnerKeys(t, h)
		api := h.srv.URL + "/api/v1/partners/"
		t0 := time.Now().In(intake.ChinaTime).Add(-30 * time.Minute)
		w12345 := `{"order_no":"XX12345-20261128-0001","category":"露宿街头","content":"桥洞下有人","location":{"lat":35.3128,"lng":113.8755},
			"address":"卫河胜利桥下","caller":{"phone":"13012345678","name":"王先生"},"accept_time":"` + t0.Format("2006-01-02 15:04:05") + `"}`
		code, body, _ := apiPost(t, api+"12345/workorders", keys[intake.Channel12345], w12345)
		var first map[string]any
		json.Unmarshal(body, &first)
		if code != 201 || first["state_name"] != "受理" || first["partner_order_id"] != "XX12345-20261128-0001" {
			t.Fatalf("12345 work order: %d %s", code, body)
		}
		// Concurrent retries of the same work order return the same answer.
		var wg sync.WaitGroup
		var bad atomic.Int32
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code, body, hdr := apiPost(t, api+"12345/workorders", keys[intake.Channel12345], w12345)
				var again map[string]any
				json.Unmarshal(body, &again)
				if code != 201 || again["haven_ref"] != first["haven_ref"] || hdr.Get("Idempotent-Replay") != "true" {
					bad.Add(1)
				}
			}()
		}
		wg.Wait()
		if bad.Load() > 0 {
			t.Fatalf("%d retries answered differently", bad.Load())
		}
		// 110 reports the same person 10 minutes later: merged (并单).
		w110 := `{"jjdbh":"4107002026112800001","ajlx":"求助-流浪乞讨","bjnr":"桥下有人","wd":35.3130,"jd":113.8756,"fadz":"胜利桥","bjrdh":"13598765432","bjsj":"` + t0.Add(10*time.Minute).Format("20060102150405") + `"}`
		code, body, _ = apiPost(t, api+"110/workorders", keys[intake.Channel110], w110)
		var second map[string]any
		json.Unmarshal(body, &second)
		if code != 201 || second["incident_ref"] != first["incident_ref"] || second["merged"] != true {
			t.Fatalf("110 work order did not merge: %s", body)
		}
		// 数字城管 sends GCJ-02 points.
		glat, glng := intake.WGS84ToGCJ02(35.2990, 113.8830)
		wCity, _ := json.Marshal(map[string]any{"case": map[string]any{"id": "SZCG-1", "subtype": "街面秩序-露宿", "desc": "地下通道有人", "point": []float64{glng, glat}, "addr": "平原路地下通道", "report_time": "2026-11-28 20:00:00"}})
		code, body, _ = apiPost(t, api+"szcg/workorders", keys[intake.ChannelCity], string(wCity))
		if code != 201 {
			t.Fatalf("数字城管: %d %s", code, body)
		}
		v, _ := h.db.SignalByExternal(ctx, intake.ChannelCity, "SZCG-1")
		if d := intake.Distance(intake.Point{Lat: v.Lat, Lng: v.Lng}, intake.Point{Lat: 35.2990, Lng: 113.8830}); d > 1 {
			t.Fatalf("GCJ-02 point stored %.1f m off", d)
		}
		// Errors.
		for _, tc := range []struct {
			name, path, key, body string
			status                int
			code                  string
		}{
			{"another partner's key", "110/workorders", keys[intake.Channel12345], w110, 403, "forbidden"},
			{"no key", "12345/workorders", "", w12345, 401, "unauthorized"},
			{"not JSON", "12345/workorders", keys[intake.Channel12345], "order_no=1", 400, "invalid"},
			{"no id", "12345/workorders", keys[intake.Channel12345], `{"content":"x"}`, 400, "invalid"},
			{"outside city", "12345/workorders", keys[intake.Channel12345], `{"order_no":"X2","category":"露宿街头","location":{"lat":39.9,"lng":116.4}}`, 400, "invalid"},
			{"unknown partner", "999/workorders", keys[intake.Channel12345], w12345, 404, "not_found"},
		} {
			code, body, _ := apiPost(t, api+tc.path, tc.key, tc.body)
			var e struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(body, &e)
			if code != tc.status || e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("%s: %d %s", tc.name, code, body)
			}
		}
		// Status by the partner's own id.
		req, _ := http.NewRequest("GET", api+"12345/workorders/XX12345-20261128-0001", nil)
		req.Header.Set("X-API-Key", keys[intake.Channel12345])
		res, _ := http.DefaultClient.Do(req)
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var status map[string]any
		json.Unmarshal(b, &status)
		if res.StatusCode != 200 || status["state"] != "accepted" {
			t.Fatalf("status: %d %s", res.StatusCode, b)
		}
		// The status names the same incident the POST answered with.
		if status["incident_ref"] == "" || status["incident_ref"] != first["incident_ref"] || status["haven_ref"] != first["haven_ref"] {
			t.Fatalf("status incident_ref %v, POST said %v", status["incident_ref"], first["incident_ref"])
		}
		sigs, _ := h.db.ListSignals(ctx, intake.SignalFilter{})
		if len(sigs) != 3 {
			t.Fatalf("%d signals, want 3", len(sigs))
		}
	})
}

// receiver is a partner's webhook endpoint that fails on demand.
type receiver struct {
	mu       sync.Mutex
	secret   string
	failures int // answer 503 this many times first
	got      []intake.Notice
	bad      int
	now      func() time.Time
}

func (rv *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rv.mu.Lock()
	defer rv.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	if err := webhook.Verify(rv.secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), body, rv.now(), 5*time.Minute); err != nil {
		rv.bad++
		http.Error(w, err.Error(), 401)
		return
	}
	if rv.failures > 0 {
		rv.failures--
		http.Error(w, "busy", 503)
		return
	}
	var n intake.Notice
	json.Unmarshal(body, &n)
	rv.got = append(rv.got, n)
}

func TestWebhookDeliveryRetryAndDeadLetter(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	keys := partnerKeys(t, h)
	now := time.Now()
	clock := func() time.Time { return now }
	rv := &receiver{failures: 2, now: clock}
	sink := httptest.NewServer(rv)
	defer sink.Close()
	p, _ := h.db.PartnerByCode(ctx, intake.Channel12345)
	secret, err := h.partners.Update(ctx, auth.CLIActor(), intake.Channel12345, intake.PartnerEdit{APIKeyID: p.APIKeyID, WebhookURL: sink.URL, Mapping: p.Mapping, NewSecret: true})
	if err != nil || len(secret) < 32 {
		t.Fatalf("secret: %q %v", secret, err)
	}
	rv.secret = secret
	code, body, _ := apiPost(t, h.srv.URL+"/api/v1/partners/12345/workorders", keys[intake.Channel12345],
		`{"order_no":"W-1","category":"伤病","content":"有人受伤","location":{"lat":35.30,"lng":113.90}}`)
	if code != 201 {
		t.Fatalf("%d %s", code, body)
	}
	v, _ := h.db.SignalByExternal(ctx, intake.Channel12345, "W-1")
	inc, _ := h.db.IncidentByID(ctx, v.IncidentID)
	disp := auth.Actor{UserID: "d", Name: "dispatcher", Role: auth.RoleDispatcher}
	if _, err := h.intake.Update(ctx, disp, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateClosed, Outcome: intake.OutcomeHospital, StatusNotes: "已送医"}); err != nil {
		t.Fatal(err)
	}
	newWorker := func() *webhook.Worker { // a fresh worker is a restarted server
		return &webhook.Worker{Store: h.db, Secret: h.partners.Secret, Now: clock, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxAttempts: 4, BaseDelay: time.Minute}
	}
	now = time.Now().Add(time.Second) // the change is queued; start the clock after it
	w := newWorker()
	if n, _ := w.RunOnce(ctx); n != 0 {
		t.Fatal("delivered despite 503")
	}
	if n, _ := w.RunOnce(ctx); n != 0 {
		t.Fatal("retried before the backoff")
	}
	now = now.Add(61 * time.Second)
	newWorker().RunOnce(ctx) // second failure, after a "restart"
	now = now.Add(2*time.Minute + time.Second)
	if n, _ := newWorker().RunOnce(ctx); n != 1 {
		t.Fatal("not delivered on the third attempt")
	}
	if len(rv.got) != 1 || rv.got[0].PartnerID != "W-1" || rv.got[0].State != intake.StateClosed || rv.got[0].OutcomeName != "已送医" || rv.bad != 0 {
		t.Fatalf("received %+v (bad signatures %d)", rv.got, rv.bad)
	}
	ds, _ := h.db.DeliveriesOfSignal(ctx, v.ID)
	if len(ds) != 1 || ds[0].Attempts != 3 || ds[0].DeliveredAt.IsZero() {
		t.Fatalf("delivery record: %+v", ds[0])
	}
	if wb := webhook.Sign("x", 1, []byte("b")); webhook.Verify("y", "1", wb, []byte("b"), time.Unix(1, 0), time.Minute) == nil {
		t.Fatal("a wrong secret verified")
	}

	// A partner that keeps failing ends in the dead-letter queue; an
	// administrator re-sends it after the fix.
	rv.mu.Lock()
	rv.failures = 100
	rv.mu.Unlock()
	inc, _ = h.db.IncidentByID(ctx, v.IncidentID)
	h.intake.Update(ctx, disp, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateInProgress, Outcome: intake.OutcomeHospital})
	for i := 0; i < 6; i++ {
		newWorker().RunOnce(ctx)
		now = now.Add(time.Hour)
	}
	admin := h.login("admin")
	_, page := admin.do("GET", "/admin/deliveries", nil, false)
	dead, _ := h.db.DeadDeliveries(ctx, 10)
	if len(dead) != 1 || dead[0].Attempts != 4 || !strings.Contains(page, "503") {
		t.Fatalf("dead letters: %d %+v", len(dead), *dead[0])
	}
	res, _ := admin.post("/admin/deliveries/"+dead[0].ID+"/resend", nil)
	if res.StatusCode != 303 {
		t.Fatalf("resend: %d", res.StatusCode)
	}
	rv.mu.Lock()
	rv.failures = 0
	rv.mu.Unlock()
	now = time.Now().Add(time.Second)
	if n, _ := newWorker().RunOnce(ctx); n != 1 {
		t.Fatal("re-sent delivery not delivered")
	}
	if rows, _ := h.db.ListAudit(ctx, audit.Filter{Action: "delivery.resend"}); len(rows) != 1 {
		t.Fatal("resend not audited")
	}
}

func jpegBytes(t *testing.T) []byte {
	var b bytes.Buffer
	jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil)
	return b.Bytes()
}

func multipartForm(t *testing.T, fields map[string]string, photo []byte) (string, *bytes.Buffer) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	// The CSRF token comes first, as in every form's template: the server
	// reads no further without it.
	if v, ok := fields["csrf_token"]; ok {
		mw.WriteField("csrf_token", v)
	}
	for k, v := range fields {
		if k != "csrf_token" {
			mw.WriteField(k, v)
		}
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "photo.jpg")
		fw.Write(photo)
	}
	mw.Close()
	return mw.FormDataContentType(), &body
}

func (c *client) upload(path string, fields map[string]string, photo []byte) (*http.Response, string) {
	fields["csrf_token"] = c.csrf
	ct, body := multipartForm(c.h.t, fields, photo)
	req, _ := http.NewRequest("POST", c.h.srv.URL+path, body)
	req.Header.Set("Content-Type", ct)
	return c.send(req, false)
}

func TestPublicReportAndStatus(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	c := h.anon()
	// Errors keep the input and say what to fix.
	res, page := c.upload("/report", map[string]string{"service_code": "rough_sleeping", "description": "<script>alert(1)</script>桥下老人", "phone": "123"}, []byte("not a photo at all"))
	if res.StatusCode != 422 || !strings.Contains(page, "请在地图上选择位置，或填写地址") || !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;桥下老人") {
		t.Fatalf("invalid report: %d", res.StatusCode)
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("input rendered without escaping")
	}
	if list, _ := h.db.ListSignals(ctx, intake.SignalFilter{}); len(list) != 0 {
		t.Fatal("an invalid report was stored")
	}
	res, page = c.upload("/report", map[string]string{"service_code": "rough_sleeping", "address": "新乡火车站", "photo": ""}, append([]byte{0, 0, 0, 24}, []byte("ftypheic0000mif1heic")...))
	if !strings.Contains(page, "HEIC") {
		t.Fatalf("HEIC not refused clearly: %d", res.StatusCode)
	}
	fields := map[string]string{"service_code": "weather_exposure", "description": "寒潮,有人睡在长椅上", "lat": "35.3076", "lng": "113.8866",
		"phone": "13912345678", "client_key": "form-key-1"}
	res, _ = c.upload("/report", fields, jpegBytes(t))
	loc := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(loc, "/status?new=1&ref=HV-") {
		t.Fatalf("report: %d %s", res.StatusCode, loc)
	}
	// A double tap files once.
	res2, _ := c.upload("/report", fields, jpegBytes(t))
	if res2.Header.Get("Location") != loc {
		t.Fatalf("double submit got %s, first %s", res2.Header.Get("Location"), loc)
	}
	_, page = c.do("GET", loc, nil, false)
	if !strings.Contains(page, "已受理") || !strings.Contains(page, "已收到") {
		t.Fatal("status page after report")
	}
	if strings.Contains(page, "13912345678") || strings.Contains(page, "长椅") {
		t.Fatal("status page shows personal data or the description")
	}
	ref := strings.TrimPrefix(loc, "/status?new=1&ref=")
	v, _ := h.db.SignalByRef(ctx, ref)
	if v.Photo == "" || strings.Contains(v.PhoneSealed, "13912345678") {
		t.Fatalf("stored signal: photo %q", v.Photo)
	}
	// Lower-case, spaced input finds it too; a wrong number says so.
	_, page = c.do("GET", "/status?ref="+url.QueryEscape(" "+strings.ToLower(ref)+" "), nil, false)
	if !strings.Contains(page, ref) {
		t.Fatal("normalised lookup failed")
	}
	res, page = c.do("GET", "/status?ref=HV-NOPE0000", nil, false)
	if res.StatusCode != 404 || !strings.Contains(page, "没有找到这个编号") {
		t.Fatalf("unknown ref: %d", res.StatusCode)
	}
	// A dispatcher sees the incident; opening the phone and photo is audited.
	d := h.login("dispatcher")
	_, page = d.do("GET", "/incidents/"+v.IncidentID, nil, false)
	if strings.Contains(page, "13912345678") || !strings.Contains(page, "查看电话") {
		t.Fatal("phone shown before reveal")
	}
	_, page = d.post("/signals/"+ref+"/contact", nil)
	if !strings.Contains(page, "13912345678") {
		t.Fatal("phone not revealed")
	}
	res, img := d.do("GET", "/signals/"+ref+"/photo", nil, false)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || len(img) < 100 {
		t.Fatalf("photo: %d", res.StatusCode)
	}
	for _, action := range []string{"signal.phone_view", "signal.photo_view", "signal.create"} {
		if rows, _ := h.db.ListAudit(ctx, audit.Filter{Action: action}); len(rows) != 1 {
			t.Errorf("%s: %d audit rows", action, len(rows))
		}
	}
	// A note names its author as people know her (张丽), not by her login.
	if res, _ := d.post("/dispatch/incidents/"+v.IncidentID+"/notes", url.Values{"text": {"已电话联系报告人"}}); res.StatusCode >= 400 {
		t.Fatalf("note: %d", res.StatusCode)
	}
	_, page = d.do("GET", "/incidents/"+v.IncidentID, nil, false)
	if !strings.Contains(page, "已电话联系报告人") || !strings.Contains(page, "张丽") || regexp.MustCompile(`>\s*dispatcher\s*<`).MatchString(page) {
		t.Fatal("the note's author is not shown by her name")
	}
	// The dispatcher closes it; the reporter sees the outcome.
	inc, _ := h.db.IncidentByID(ctx, v.IncidentID)
	res, _ = d.post("/incidents/"+inc.ID, url.Values{"version": {itoa(inc.Version)}, "state": {"closed"}, "outcome": {"to_station"}, "status_notes": {"已护送至救助站"}})
	if res.StatusCode != 303 {
		t.Fatalf("close: %d", res.StatusCode)
	}
	_, page = c.do("GET", "/status?ref="+ref, nil, false)
	if !strings.Contains(page, "已办结") || !strings.Contains(page, "已护送至救助站") {
		t.Fatal("outcome not on the status page")
	}
	if rows, _ := h.db.ListAudit(ctx, audit.Filter{Action: "incident.update", RecordID: inc.ID}); len(rows) != 1 || rows[0].ActorName != "dispatcher" ||
		!strings.Contains(rows[0].Detail, "state:accepted>closed") {
		t.Fatalf("incident.update audit: %+v", rows)
	}
	// A stale form is refused with a clear message.
	res, page = d.post("/incidents/"+inc.ID, url.Values{"version": {itoa(inc.Version)}, "state": {"in_progress"}})
	if res.StatusCode != 409 || !strings.Contains(page, "刚被其他人修改") {
		t.Fatalf("stale update: %d", res.StatusCode)
	}
}

func itoa(n int) string { return strconvItoa(n) }

func TestReportRateLimited(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	h.web = nil
	// A harness with the default public rate.
	srv := limitedServer(t, h)
	c := &client{h: &harness{t: t, srv: srv}, cookies: map[string]string{}}
	_, page := c.do("GET", "/report", nil, true)
	c.csrf = firstCSRF(t, page)
	var limited bool
	for i := 0; i < 20; i++ {
		res, _ := c.upload("/report", map[string]string{"service_code": "begging", "address": "人民公园"}, nil)
		if res.StatusCode == 429 {
			limited = res.Header.Get("Retry-After") != ""
			break
		}
	}
	if !limited {
		t.Fatal("20 reports a minute from one address were not limited")
	}
}
