package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"mime/multipart"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/open311"
	"github.com/havenrescue/haven/internal/web"
)

// Issue 22: Open311 as FixMyStreet and common client libraries use it.

func open311Key(t *testing.T, h *harness) string {
	t.Helper()
	key, _, err := h.svc.CreateAPIKey(context.Background(), auth.CLIActor(), "FixMyStreet council", []string{"open311"}, "")
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// exifJPEG is a small JPEG carrying an Exif segment with a marker that
// must never be stored (it stands for a camera's GPS position).
func exifJPEG(t *testing.T) []byte {
	b := jpegBytes(t)
	seg := append([]byte("Exif\x00\x00"), []byte("GPS-SECRET-MARKER")...)
	app1 := append([]byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}, seg...)
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

// multipartPost posts fields (in order, repeated names allowed) and an
// optional media file, as FixMyStreet's and client libraries' uploads
// do.
func multipartPost(t *testing.T, u string, fields [][2]string, media []byte, keyAfterFile string) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range fields {
		mw.WriteField(f[0], f[1])
	}
	if media != nil {
		fw, _ := mw.CreateFormFile("media", "photo.jpg")
		fw.Write(media)
	}
	if keyAfterFile != "" {
		mw.WriteField("api_key", keyAfterFile)
	}
	mw.Close()
	a := send(t, "POST", u, &body, "Content-Type", mw.FormDataContentType())
	return a.code, []byte(a.body)
}

func createdID(t *testing.T, format string, body []byte) string {
	t.Helper()
	if format == "xml" {
		var l struct {
			Requests []open311.Created `xml:"request"`
		}
		if err := xml.Unmarshal(body, &l); err != nil || len(l.Requests) != 1 {
			t.Fatalf("created XML: %v %s", err, body)
		}
		return l.Requests[0].ServiceRequestID
	}
	var l []open311.Created
	if err := json.Unmarshal(body, &l); err != nil || len(l) != 1 {
		t.Fatalf("created JSON: %v %s", err, body)
	}
	return l[0].ServiceRequestID
}

func TestOpen311MultipartWithMedia(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	key := open311Key(t, h)
	base := h.srv.URL + "/open311/v2/"
	staff := auth.Actor{UserID: "d", Name: "dispatcher", Role: auth.RoleDispatcher}
	for _, format := range []string{"json", "xml"} {
		code, body := multipartPost(t, base+"requests."+format, [][2]string{{"api_key", key}, {"jurisdiction_id", "xinxiang.gov.cn"},
			{"service_code", "rough_sleeping"}, {"lat", "35.3056"}, {"long", "113.8624"}, {"description", "桥洞下有人，附照片"},
			{"media_url", "https://fms.example.org/photo/" + format + ".jpeg"}}, exifJPEG(t), "")
		if code != 201 {
			t.Fatalf("%s multipart POST: %d %s", format, code, body)
		}
		id := createdID(t, format, body)
		v, err := h.intake.Status(ctx, id)
		if err != nil || v.Photo == "" || v.MediaURL() != "https://fms.example.org/photo/"+format+".jpeg" {
			t.Fatalf("%s: photo %q media_url %q %v", format, v.Photo, v.MediaURL(), err)
		}
		stored, err := h.intake.SignalPhoto(ctx, staff, id)
		if err != nil || len(stored) == 0 || bytes.Contains(stored, []byte("GPS-SECRET-MARKER")) || bytes.Contains(stored, []byte("Exif")) {
			t.Fatalf("%s: stored photo keeps its metadata or is missing (%d bytes, %v)", format, len(stored), err)
		}
		// The keyed caller sees the media_url, an anonymous one does not.
		_, b, _ := get(t, base+"requests/"+id+".json?api_key="+url.QueryEscape(key))
		var one []open311.Request
		json.Unmarshal(b, &one)
		if len(one) != 1 || one[0].MediaURL == nil || *one[0].MediaURL != v.MediaURL() {
			t.Fatalf("%s: keyed GET lacks media_url: %s", format, b)
		}
		_, b, _ = get(t, base+"requests/"+id+".json")
		if strings.Contains(string(b), "fms.example.org") {
			t.Fatalf("%s: anonymous GET shows media_url: %s", format, b)
		}
	}
	// The key may come after the file (a client's own field order).
	code, body := multipartPost(t, base+"requests.json", [][2]string{{"service_code", "begging"}, {"address_string", "平原路地下通道"}}, jpegBytes(t), key)
	if code != 201 {
		t.Fatalf("key after the file: %d %s", code, body)
	}
	// The report page's image rules: not an image, or a decompression
	// bomb, is refused before decoding, in the URL's format, nothing kept.
	before, _ := h.db.ListSignals(ctx, intake.SignalFilter{})
	code, body = multipartPost(t, base+"requests.xml", [][2]string{{"api_key", key}, {"service_code", "begging"}, {"address_string", "平原路"}}, []byte("not an image"), "")
	if code != 400 || !strings.Contains(string(body), "<errors><error><code>400</code><description>media: ") {
		t.Fatalf("bad media in XML: %d %s", code, body)
	}
	code, body = multipartPost(t, base+"requests.json", [][2]string{{"api_key", key}, {"service_code", "begging"}, {"address_string", "平原路"}}, pngBomb(t), "")
	if code != 400 || !strings.Contains(string(body), `"description":"media: `) {
		t.Fatalf("bomb media in JSON: %d %s", code, body)
	}
	// Without a key the answer says so (the body was read).
	code, body = multipartPost(t, base+"requests.json", [][2]string{{"service_code", "begging"}, {"address_string", "平原路"}}, jpegBytes(t), "")
	if code != 403 || !strings.Contains(string(body), "api_key is required") {
		t.Fatalf("no key: %d %s", code, body)
	}
	code, body = multipartPost(t, base+"requests.json", [][2]string{{"api_key", key}, {"service_code", "begging"}, {"address_string", "平原路"}, {"media_url", "javascript:alert(1)"}}, nil, "")
	if code != 400 || !strings.Contains(string(body), "media_url") {
		t.Fatalf("bad media_url: %d %s", code, body)
	}
	if after, _ := h.db.ListSignals(ctx, intake.SignalFilter{}); len(after) != len(before) {
		t.Fatalf("refused requests were stored: %d → %d", len(before), len(after))
	}
}

func TestOpen311UnknownAndRepeatedAttributes(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	key := open311Key(t, h)
	base := h.srv.URL + "/open311/v2/"
	// FixMyStreet sends its own ids as attributes outside the definition.
	form := url.Values{"api_key": {key}, "service_code": {"rough_sleeping"}, "lat": {"35.3056"}, "long": {"113.8624"},
		"attribute[uprn]": {"10001234567"}, "attribute[fixmystreet_id]": {"4321"}, "attribute[people_count]": {"2"},
		"attribute[needs][]": {"shelter", "food"}}
	code, body := post(t, base+"requests.json", form)
	if code != 201 {
		t.Fatalf("unknown and repeated attributes: %d %s", code, body)
	}
	id := createdID(t, "json", body)
	v, _ := h.intake.Status(ctx, id)
	if v.Attributes["uprn"] != "10001234567" || v.Attributes["fixmystreet_id"] != "4321" || v.Attributes["needs"] != "food,shelter" || v.Attributes["people_count"] != "2" {
		t.Fatalf("attributes stored: %v", v.Attributes)
	}
	// Staff see them on the incident.
	d := h.login("dispatcher")
	if _, page := d.do("GET", "/incidents/"+v.IncidentID, nil, false); !strings.Contains(page, "uprn=10001234567") || !strings.Contains(page, "fixmystreet_id=4321") {
		t.Fatal("the incident page does not show the sender's attributes")
	}
	// Long or many attributes outside the definition never refuse the
	// report: FixMyStreet repeats the whole report text in one.
	many := url.Values{"api_key": {key}, "service_code": {"begging"}, "address_string": {"人民公园"},
		"attribute[description]": {strings.Repeat("长", 3000) + "\x01"}}
	for i := 0; i < 25; i++ {
		many.Set("attribute[x"+itoa(100+i)+"]", "v")
	}
	code, body = post(t, base+"requests.json", many)
	if code != 201 {
		t.Fatalf("long and many unknown attributes: %d %s", code, body)
	}
	v2, _ := h.intake.Status(ctx, createdID(t, "json", body))
	if n := len([]rune(v2.Attributes["description"])); n != intake.MaxExtraValue || len(v2.Extras()) != intake.MaxExtraAttributes {
		t.Fatalf("kept %d runes and %d extras", n, len(v2.Extras()))
	}
	// attribute[needs] repeated without [] is a multivalue answer too.
	code, body = post(t, base+"requests.xml", url.Values{"api_key": {key}, "service_code": {"weather_exposure"}, "address_string": {"人民公园"},
		"attribute[needs]": {"clothing", "medical"}})
	if code != 201 {
		t.Fatalf("repeated attribute without []: %d %s", code, body)
	}
	for _, tc := range []struct {
		name string
		form url.Values
		want string
	}{
		{"repeated single value", url.Values{"attribute[people_count][]": {"1", "2"}}, "attribute[people_count] takes one value"},
		{"unknown choice in a list", url.Values{"attribute[needs][]": {"food", "money"}}, "attribute[needs]"},
		{"malformed name", url.Values{"attribute[UPRN]": {"1"}}, "malformed attribute name"},
	} {
		f := url.Values{"api_key": {key}, "service_code": {"rough_sleeping"}, "address_string": {"人民公园"}}
		for k, v := range tc.form {
			f[k] = v
		}
		code, body := post(t, base+"requests.json", f)
		if code != 400 || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, code, body)
		}
	}
	// The definition says which attribute takes several values.
	_, body, _ = get(t, base+"services/rough_sleeping.json")
	if !strings.Contains(string(body), `"code":"needs","datatype":"multivaluelist"`) {
		t.Fatalf("definition: %s", body)
	}
}

func TestOpen311CommaListsAndPaging(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	key := open311Key(t, h)
	base := h.srv.URL + "/open311/v2/"
	var ids []string
	for i, svc := range []string{"begging", "begging", "distress", "rough_sleeping", "injured"} {
		code, body := post(t, base+"requests.json", url.Values{"api_key": {key}, "service_code": {svc},
			"lat": {[]string{"35.301", "35.311", "35.321", "35.331", "35.341"}[i]}, "long": {"113.8624"}})
		if code != 201 {
			t.Fatalf("POST %s: %d %s", svc, code, body)
		}
		ids = append(ids, createdID(t, "json", body))
	}
	// Close the first: status=open,closed lists both kinds.
	v, _ := h.intake.Status(ctx, ids[0])
	inc, _ := h.db.IncidentByID(ctx, v.IncidentID)
	disp := auth.Actor{UserID: "d", Name: "dispatcher", Role: auth.RoleDispatcher}
	if _, err := h.intake.Update(ctx, disp, inc.ID, intake.StatusUpdate{Version: inc.Version, State: intake.StateClosed, Outcome: intake.OutcomeHelped}); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int {
		t.Helper()
		code, body, _ := get(t, base+"requests.json?"+q)
		var l []open311.Request
		if err := json.Unmarshal(body, &l); err != nil || code != 200 {
			t.Fatalf("%s: %d %s", q, code, body)
		}
		return len(l)
	}
	if n := count("status=open,closed"); n != 5 {
		t.Errorf("status=open,closed: %d, want 5", n)
	}
	if n := count("status=closed"); n != 1 {
		t.Errorf("status=closed: %d, want 1", n)
	}
	if n := count("service_code=begging,distress"); n != 3 {
		t.Errorf("service_code=begging,distress: %d, want 3", n)
	}
	if n := count("service_code=begging,distress&status=open"); n != 2 {
		t.Errorf("both lists: %d, want 2", n)
	}
	if code, body, _ := get(t, base+"requests.json?service_code=begging,potholes"); code != 400 || !strings.Contains(string(body), "potholes") {
		t.Errorf("unknown code in a list: %d %s", code, body)
	}
	if code, _, _ := get(t, base+"requests.json?status=open,pending"); code != 400 {
		t.Errorf("unknown status in a list: %d", code)
	}

	// Paging: two a page; the answer says whether the list goes on.
	seen := map[string]bool{}
	for page, want := range []int{2, 2, 1} {
		code, body, hdr := get(t, base+"requests.json?page_size=2&page="+itoa(page+1))
		var l []open311.Request
		json.Unmarshal(body, &l)
		if code != 200 || len(l) != want {
			t.Fatalf("page %d: %d, %d requests, want %d", page+1, code, len(l), want)
		}
		for _, r := range l {
			if seen[r.ServiceRequestID] {
				t.Fatalf("page %d repeats %s", page+1, r.ServiceRequestID)
			}
			seen[r.ServiceRequestID] = true
		}
		more := page < 2
		if hdr.Get("X-Open311-More") != map[bool]string{true: "true", false: "false"}[more] || (hdr.Get("Link") != "") != more {
			t.Fatalf("page %d: More %q Link %q", page+1, hdr.Get("X-Open311-More"), hdr.Get("Link"))
		}
		if more && !strings.Contains(hdr.Get("Link"), "page="+itoa(page+2)) {
			t.Fatalf("page %d: next link %q", page+1, hdr.Get("Link"))
		}
	}
	if len(seen) != 5 {
		t.Fatalf("pages together hold %d requests, want 5", len(seen))
	}
	// The next link never carries the key.
	if _, _, hdr := get(t, base+"requests.json?page_size=1&api_key="+url.QueryEscape(key)); strings.Contains(hdr.Get("Link"), "api_key") {
		t.Fatalf("next link echoes the key: %s", hdr.Get("Link"))
	}
	for _, q := range []string{"page_size=0", "page_size=1001", "page=0", "page_size=x"} {
		if code, body, _ := get(t, base+"requests.xml?"+q); code != 400 || !strings.Contains(string(body), "<errors><error><code>400</code>") {
			t.Errorf("%s: %d %s", q, code, body)
		}
	}
}

func TestOpen311ErrorsInTheURLFormat(t *testing.T) {
	h := newHarness(t, openSQLite(t), func(d *web.Deps) { d.PublicRate = 1 }) // open311: 3 a minute, burst 30
	base := h.srv.URL + "/open311/v2/"
	type xmlErrors struct {
		XMLName xml.Name `xml:"errors"`
		Errors  []struct {
			Code        int    `xml:"code"`
			Description string `xml:"description"`
		} `xml:"error"`
	}
	for _, tc := range []struct {
		path   string
		status int
		want   string
	}{
		{"requests/HV-NOSUCH00.xml", 404, "not found"},
		{"services/potholes.xml", 404, "not found"},
		{"requests.xml?status=pending", 400, "status"},
		{"servicerequestupdates.xml?start_date=yesterday", 400, "start_date"},
		{"tokens/no-such-token.xml", 404, "not found"},
		{"requests.xml?api_key=not-a-real-key-123456", 403, "invalid"},
		{"nothing/here/at/all.xml", 404, ""},
	} {
		a := send(t, "GET", base+tc.path, nil)
		var e xmlErrors
		if err := xml.Unmarshal([]byte(a.body), &e); err != nil || len(e.Errors) == 0 {
			t.Errorf("%s: not an XML error list: %d %s", tc.path, a.code, a.body)
			continue
		}
		if a.code != tc.status || e.Errors[0].Code != tc.status || !strings.Contains(e.Errors[0].Description, tc.want) ||
			!strings.HasPrefix(a.header.Get("Content-Type"), "text/xml") {
			t.Errorf("%s: %d %s", tc.path, a.code, a.body)
		}
		if regexp.MustCompile(`\p{Han}`).MatchString(e.Errors[0].Description) {
			t.Errorf("%s: API error not in English: %s", tc.path, e.Errors[0].Description)
		}
	}
	// 429 on an .xml URL is XML, in English; a client that asks for
	// Chinese gets both.
	var last answer
	for i := 0; i < 40; i++ {
		if last = send(t, "GET", base+"services.xml", nil, "Accept-Language", "zh-CN"); last.code == 429 {
			break
		}
	}
	if last.code != 429 || last.retry == "" || !strings.Contains(last.body, "<errors><error><code>429</code><description>Too many requests") ||
		!strings.Contains(last.body, "请求") {
		t.Fatalf("429 on .xml: %d %s", last.code, last.body)
	}
	if a := send(t, "GET", base+"services.json", nil); a.code != 429 || !strings.HasPrefix(a.body, `[{"code":429,"description":"Too many requests`) {
		t.Fatalf("429 on .json: %d %s", a.code, a.body)
	}
}

// TestOpen311KeyedCallerNotLimitedByAddress: an integrator behind one
// address makes many calls with its key; they count against the key's
// partner limit, not the anonymous address limit, which the address's
// anonymous calls exhaust without touching the key.
func TestOpen311KeyedCallerNotLimitedByAddress(t *testing.T) {
	h := newHarness(t, openSQLite(t), func(d *web.Deps) { d.PublicRate = 1 }) // address: burst 30
	key := open311Key(t, h)
	base := h.srv.URL + "/open311/v2/"
	for i := 0; i < 45; i++ {
		if a := send(t, "GET", base+"requests.json?api_key="+url.QueryEscape(key), nil); a.code != 200 {
			t.Fatalf("keyed GET %d: %d %s", i+1, a.code, a.body)
		}
	}
	for i := 0; i < 12; i++ {
		code, body := post(t, base+"requests.json", url.Values{"api_key": {key}, "service_code": {"begging"}, "address_string": {"平原路地下通道" + itoa(i)}})
		if code != 201 {
			t.Fatalf("keyed POST %d: %d %s", i+1, code, body)
		}
	}
	limited := false
	for i := 0; i < 40 && !limited; i++ {
		limited = send(t, "GET", base+"services.json", nil).code == 429
	}
	if !limited {
		t.Fatal("anonymous calls from the address were never limited")
	}
	if a := send(t, "GET", base+"services.json", nil, "X-API-Key", key); a.code != 200 {
		t.Fatalf("keyed call after the address's limit: %d %s", a.code, a.body)
	}
	// A wrong key is no way around the address limit.
	if a := send(t, "GET", base+"services.json?api_key=not-a-real-key-123456", nil); a.code != 429 {
		t.Fatalf("a wrong key escaped the address limit: %d", a.code)
	}
}

// TestOpen311ServiceRequestUpdates checks the update feed against what
// FixMyStreet's fetcher expects (testdata/open311, written from
// mySociety's documented format), in XML and JSON.
func TestOpen311ServiceRequestUpdates(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	key := open311Key(t, h)
	base := h.srv.URL + "/open311/v2/"
	var expect struct {
		Root, Item      string
		Required        []string
		Statuses        []string
		DatetimePattern string `json:"datetime_pattern"`
	}
	b, err := os.ReadFile("testdata/open311/fixmystreet_expect.json")
	if err != nil || json.Unmarshal(b, &expect) != nil {
		t.Fatal("fixture", err)
	}
	fixture, _ := os.ReadFile("testdata/open311/fixmystreet_updates.xml")
	start := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	var ids []string
	for _, svc := range []string{"injured", "begging", "distress"} {
		code, body := post(t, base+"requests.json", url.Values{"api_key": {key}, "service_code": {svc}, "address_string": {svc + "所在的路口"}})
		if code != 201 {
			t.Fatalf("POST: %d %s", code, body)
		}
		ids = append(ids, createdID(t, "json", body))
	}
	disp := auth.Actor{UserID: "d", Name: "dispatcher", Role: auth.RoleDispatcher}
	advance := func(id string, st intake.State, notes string) {
		v, _ := h.intake.Status(ctx, id)
		inc, _ := h.db.IncidentByID(ctx, v.IncidentID)
		u := intake.StatusUpdate{Version: inc.Version, State: st, StatusNotes: notes}
		if st == intake.StateClosed {
			u.Outcome = intake.OutcomeHospital
		}
		if _, err := h.intake.Update(ctx, disp, inc.ID, u); err != nil {
			t.Fatal(err)
		}
	}
	advance(ids[0], intake.StateDispatched, "")
	time.Sleep(5 * time.Millisecond)
	advance(ids[0], intake.StateClosed, "已送市第二人民医院")
	advance(ids[1], intake.StateDispatched, "巡查队已出发")
	// ids[2] never changed: it is no update.

	// parse reads an updates document generically, as FMS's XML reader
	// does, into one map per update.
	parse := func(doc []byte) (string, []map[string]string) {
		d := xml.NewDecoder(bytes.NewReader(doc))
		var root string
		var out []map[string]string
		var cur map[string]string
		var field string
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch {
				case root == "":
					root = t.Name.Local
				case t.Name.Local == expect.Item:
					cur = map[string]string{}
				case cur != nil:
					field = t.Name.Local
					cur[field] = ""
				}
			case xml.CharData:
				if cur != nil && field != "" {
					cur[field] += string(t)
				}
			case xml.EndElement:
				if t.Name.Local == expect.Item {
					out = append(out, cur)
					cur = nil
				}
				field = ""
			}
		}
		return root, out
	}
	check := func(what string, root string, ups []map[string]string) {
		t.Helper()
		if root != expect.Root {
			t.Fatalf("%s: root %q, want %q", what, root, expect.Root)
		}
		dt := regexp.MustCompile(expect.DatetimePattern)
		for _, u := range ups {
			for _, f := range expect.Required {
				if _, ok := u[f]; !ok {
					t.Fatalf("%s: update lacks %s: %v", what, f, u)
				}
			}
			if !slices.Contains(expect.Statuses, u["status"]) || !dt.MatchString(u["updated_datetime"]) || u["update_id"] == "" {
				t.Fatalf("%s: update FixMyStreet cannot read: %v", what, u)
			}
		}
	}
	// The fixture itself passes the check (the check is the fixture's).
	root, fx := parse(fixture)
	check("fixture", root, fx)

	code, body, hdr := get(t, base+"servicerequestupdates.xml?jurisdiction_id=xinxiang.gov.cn&api_key="+url.QueryEscape(key)+"&start_date="+url.QueryEscape(start))
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/xml") {
		t.Fatalf("updates.xml: %d %s", code, body)
	}
	root, ups := parse(body)
	check("servicerequestupdates.xml", root, ups)
	byReq := map[string]map[string]string{}
	for _, u := range ups {
		byReq[u["service_request_id"]] = u
	}
	if len(ups) != 2 || byReq[ids[0]]["status"] != "CLOSED" || byReq[ids[0]]["description"] != "已送市第二人民医院" ||
		byReq[ids[1]]["status"] != "IN_PROGRESS" || byReq[ids[1]]["description"] != "巡查队已出发" || byReq[ids[2]] != nil {
		t.Fatalf("updates: %v", ups)
	}
	// JSON carries the same fields.
	_, body, _ = get(t, base+"servicerequestupdates.json?start_date="+url.QueryEscape(start))
	var js []map[string]any
	if err := json.Unmarshal(body, &js); err != nil || len(js) != 2 {
		t.Fatalf("updates.json: %v %s", err, body)
	}
	for _, f := range expect.Required {
		if _, ok := js[0][f]; !ok {
			t.Fatalf("updates.json lacks %s: %s", f, body)
		}
	}
	// A window that ends before the changes holds none; a later change
	// gets a new update_id.
	_, body, _ = get(t, base+"servicerequestupdates.xml?start_date="+url.QueryEscape(start)+"&end_date="+url.QueryEscape(time.Now().Add(-30*time.Second).UTC().Format(time.RFC3339)))
	if _, none := parse(body); len(none) != 0 {
		t.Fatalf("updates before the changes: %s", body)
	}
	first := byReq[ids[1]]["update_id"]
	time.Sleep(5 * time.Millisecond)
	advance(ids[1], intake.StateInProgress, "已到场")
	_, body, _ = get(t, base+"servicerequestupdates.xml?start_date="+url.QueryEscape(start))
	_, ups = parse(body)
	for _, u := range ups {
		if u["service_request_id"] == ids[1] && (u["update_id"] == first || u["description"] != "已到场") {
			t.Fatalf("a new change kept the old update: %v", u)
		}
	}

	// tokens/{token} answers with the id; discovery names the endpoint.
	_, body, _ = get(t, base+"tokens/"+ids[2]+".json")
	if !strings.Contains(string(body), `"service_request_id":"`+ids[2]+`"`) {
		t.Fatalf("token: %s", body)
	}
	_, body, _ = get(t, base+"discovery.json")
	var disc open311.Discovery
	if err := json.Unmarshal(body, &disc); err != nil || len(disc.Endpoints) != 1 || !strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") ||
		!slices.Contains(disc.Endpoints[0].Formats, "text/xml") {
		t.Fatalf("discovery: %s", body)
	}
	_, body, _ = get(t, base+"discovery.xml")
	wellFormed(t, body)
}

// TestOpen311ExpectedNeverBeforeRequested: the demo showed requests whose
// expected_datetime came before requested_datetime. requested_datetime
// was when Haven stored the signal while the deadline counts from when it
// was reported (a work order relayed late, a month of demo history filed
// at once), and a signal joining an overdue incident took that incident's
// passed deadline. Now requested is the report time and expected is never
// before it.
func TestOpen311ExpectedNeverBeforeRequested(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	key := open311Key(t, h)
	disp := auth.Actor{UserID: "d", Name: "dispatcher", Role: auth.RoleDispatcher, IP: "local"}
	lat, lng, lat2 := 35.3056, 113.8624, 35.3256
	now := time.Now()
	var merged bool
	for _, in := range []intake.Input{
		// Relayed three hours late: its 30-minute deadline ran out before
		// Haven heard of it.
		{ServiceCode: "injured", Lat: &lat, Lng: &lng, ReportedAt: now.Add(-3 * time.Hour)},
		// An injured person reported 50 minutes ago (due 20 minutes ago),
		// then a second call about them now: it joins the overdue incident.
		{ServiceCode: "weather_exposure", Lat: &lat2, Lng: &lng, ReportedAt: now.Add(-50 * time.Minute)},
		{ServiceCode: "weather_exposure", Lat: &lat2, Lng: &lng},
	} {
		in.Channel = intake.ChannelHotline
		res, err := h.intake.Submit(ctx, disp, in)
		if err != nil {
			t.Fatal(err)
		}
		merged = merged || res.Merged
	}
	if !merged {
		t.Fatal("the second call did not join the overdue incident")
	}
	_, body, _ := get(t, h.srv.URL+"/open311/v2/requests.json?api_key="+url.QueryEscape(key))
	var list []open311.Request
	json.Unmarshal(body, &list)
	if len(list) != 3 {
		t.Fatalf("requests: %s", body)
	}
	for _, r := range list {
		req, err1 := time.Parse(time.RFC3339, r.RequestedDatetime)
		if r.ExpectedDatetime == nil || err1 != nil {
			t.Fatalf("%s: no times: %s", r.ServiceRequestID, body)
		}
		exp, _ := time.Parse(time.RFC3339, *r.ExpectedDatetime)
		if exp.Before(req) {
			t.Errorf("%s: expected %s before requested %s", r.ServiceRequestID, *r.ExpectedDatetime, r.RequestedDatetime)
		}
	}
	// requested_datetime is the report time, not the storing time.
	late := list[len(list)-1]
	if got, _ := time.Parse(time.RFC3339, late.RequestedDatetime); got.After(now.Add(-170 * time.Minute)) {
		t.Errorf("the late report's requested_datetime is %s, want about three hours ago", late.RequestedDatetime)
	}
}
