package web_test

import (
	"context"
	"html"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/points"
)

var (
	hiddenParts = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<head>.*?</head>|<option[^>]*>.*?</option>`)
	tags        = regexp.MustCompile(`<[^>]*>`)
	uuidText    = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)
	keyText     = regexp.MustCompile(`\b[a-z][a-z_]*\.[a-z][a-z_.]*\b`) // auth.login, match.field_sex
	enumText    = regexp.MustCompile(`\b(male|female|unknown|daily|mon-fri|hotline|public|accepted|dispatched|closed)\b`)
)

// visibleText is what a reader sees of a page: the text between tags,
// not the tags, attributes, scripts or a select's long list of options.
func visibleText(page string) string {
	return html.UnescapeString(tags.ReplaceAllString(hiddenParts.ReplaceAllString(page, " "), " "))
}

// machineText lists the codes a Chinese page shows: ids, catalogue keys,
// enum values.
func machineText(page string) []string {
	text := visibleText(page)
	var out []string
	for _, re := range []*regexp.Regexp{uuidText, keyText, enumText} {
		out = append(out, re.FindAllString(text, 5)...)
	}
	return out
}

// TestChinesePagesShowNoMachineText renders in Chinese the pages where
// codes reached people: the audit log (actions, records by id), an
// incident from a public report (its retry key is a UUID), a match
// review (sex as male/male), the help points (opening hours as typed),
// the deliveries. Each is read as a person reads it: no UUID, no
// catalogue key, no enum value.
func TestChinesePagesShowNoMachineText(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	staff := auth.Actor{Name: "staff", Role: auth.RoleStaff}

	// A public report whose form key is a UUID; a dispatcher works it.
	res, _ := h.anon().upload("/report", map[string]string{"service_code": "rough_sleeping", "address": "新乡火车站", "lat": "35.2979", "lng": "113.9160",
		"client_key": id.New()}, nil)
	ref := strings.TrimPrefix(res.Header.Get("Location"), "/status?new=1&ref=")
	sig, err := h.db.SignalByRef(ctx, ref)
	if err != nil {
		t.Fatalf("report %s: %v", ref, err)
	}
	inc, _ := h.db.IncidentByID(ctx, sig.IncidentID)
	d := h.login("dispatcher")
	if res, _ := d.post("/incidents/"+inc.ID, url.Values{"version": {itoa(inc.Version)}, "state": {"dispatched"}}); res.StatusCode != 303 {
		t.Fatalf("dispatch: %d", res.StatusCode)
	}

	// A person in care and a family's report that matches him.
	ad, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", ArrivedAt: time.Now().Add(-3 * time.Hour), NewPerson: true,
		Person: cases.PersonInput{Name: "张卫国", Sex: cases.Male, AgeMin: 58, AgeMax: 66, NativePlace: "河南省长垣县", Dialect: "河南话", Marks: "左臂烫伤疤痕"},
		Form:   cases.Form{Reason: "流浪", Security: "passed", Story: "人民路与平原路口"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := h.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "张伟国", Sex: cases.Male, BirthDate: "1963", NativePlace: "河南省长垣县",
		LostOn: "2026-09-20", LostPlace: "长垣县城", Features: "左臂有烫伤疤痕", Description: "走失时穿灰色棉衣",
		ContactName: "张红", ContactPhone: "13903730001"})
	if err != nil {
		t.Fatal(err)
	}
	h.matched()
	cands, _ := h.db.Candidates(ctx, nil, ad.Person.ID, rep.ID)
	if len(cands) == 0 {
		t.Fatal("no candidate for the family's report")
	}

	// A help point open on weekdays.
	if _, err := h.points.Create(ctx, staff, points.Input{Name: "胜利路社区服务点", Kind: points.KindCommunity, Address: "红旗区胜利路", Lat: 35.2950, Lng: 113.9330,
		Hours: "mon-fri 08:30-17:30; sat 09:00-12:00", Active: true}); err != nil {
		t.Fatal(err)
	}

	s := h.login("staff")
	pages := []struct {
		who  *client
		path string
		want []string // words the page must say instead
	}{
		{d, "/incidents/" + inc.ID, []string{ref, "公众上报"}},
		{s, "/family/candidates/" + cands[0].ID, []string{"男", "体貌特征：左臂", "衣着及其他：走失时穿灰色棉衣", "籍贯：河南省长垣县"}},
		{s, "/family/review", nil},
		{s, "/family/reports/" + rep.ID, []string{"左臂有烫伤疤痕"}},
		{h.anon(), "/help-points?all=1", []string{"周一至周五 08:30–17:30"}},
		{h.login("admin"), "/admin/deliveries", nil},
	}
	a := h.login("admin")
	// Browsing the log is itself logged: the last page sees every action above.
	pages = append(pages, struct {
		who  *client
		path string
		want []string
	}{a, "/admin/audit", []string{"登录", "更新事件", ref, inc.Ref, "状态：已受理→已派单", "入站登记", "查看比对详情"}})
	for _, p := range pages {
		res, body := p.who.do("GET", p.path, nil, false)
		if res.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p.path, res.StatusCode)
		}
		if bad := machineText(body); len(bad) > 0 {
			t.Errorf("%s shows machine text %q", p.path, bad)
		}
		text := visibleText(body)
		for _, w := range p.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s does not say %q", p.path, w)
			}
		}
	}
}

// TestTemplatesHoldNoChineseText: every Chinese word on a page comes from
// the catalogue, whose punctuation TestChinesePunctuationIsFullWidth
// checks; a template that joins a translated label to a value does so
// with the catalogue's punctuation, never a half-width colon or bracket.
func TestTemplatesHoldNoChineseText(t *testing.T) {
	han := regexp.MustCompile(`\p{Han}+`)
	comment := regexp.MustCompile(`(?s)\{\{/\*.*?\*/\}\}`)
	halfAfterLabel := regexp.MustCompile(`\{\{t "[^"]+"[^}]*\}\}[:;,!?(]`)
	files, _ := os.ReadDir("templates")
	for _, f := range files {
		b, _ := os.ReadFile("templates/" + f.Name())
		src := comment.ReplaceAllString(string(b), "")
		for _, w := range han.FindAllString(src, -1) {
			if w != "中文" { // the language switch names Chinese in Chinese
				t.Errorf("%s holds Chinese text %q: put it in the catalogue", f.Name(), w)
			}
		}
		for _, m := range halfAfterLabel.FindAllString(src, -1) {
			t.Errorf("%s: half-width punctuation after a label: %s (use punct.colon / punct.lparen)", f.Name(), m)
		}
	}
}

// TestNoticesForFamilies: the public notices as a family meets them on a
// phone — one search box with the other filters folded away, the marks
// in a field of their own and searchable, the photo where there is one
// and no empty frame where there is none (on screen and on the print
// sheet), the hotline a link that calls, no jargon.
func TestNoticesForFamilies(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	ctx := context.Background()
	staff := auth.Actor{Name: "staff", Role: auth.RoleStaff}
	publish := func(photo []byte, marks, clothing string) *family.Notice {
		ad, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Photo: photo, NewPerson: true, Form: cases.Form{Reason: "流浪", Security: "passed"},
			Person: cases.PersonInput{Sex: cases.Male, AgeMin: 50, AgeMax: 60, Dialect: "河南话"}})
		if err != nil {
			t.Fatal(err)
		}
		n, err := h.family.Publish(ctx, staff, ad.Person.ID, family.NoticeInput{FoundPlace: "新乡火车站广场", Features: marks, Clothing: clothing})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	withPhoto := publish(jpegBytes(t), "右手缺小指", "灰色棉衣")
	without := publish(nil, "前额有旧伤疤", "蓝色羽绒服")
	c := h.anon()

	_, page := c.do("GET", "/notices", nil, false)
	for _, want := range []string{`id="q"`, `<details id="more-filters">`, `href="tel:03735089797"`, "右手缺小指", "前额有旧伤疤",
		"/notices/" + withPhoto.Ref + "/photo"} {
		if !strings.Contains(page, want) {
			t.Errorf("/notices lacks %q", want)
		}
	}
	if strings.Contains(page, "/notices/"+without.Ref+"/photo") {
		t.Error("/notices links a photo the person does not have")
	}
	text := visibleText(page)
	for _, jargon := range []string{"Atom", "JSON", "RSS"} {
		if strings.Contains(text, jargon) {
			t.Errorf("/notices says %q to families", jargon)
		}
	}
	if _, page := c.do("GET", "/notices?sex=male", nil, false); !strings.Contains(page, `<details id="more-filters" open>`) {
		t.Error("a filter in use is folded away")
	}
	// The print sheet and the feed keep the search: the query is not
	// escaped into one value ("sex%3dmale").
	if _, page := c.do("GET", "/notices?sex=male&q=x", nil, false); !strings.Contains(page, `href="/notices/print?q=x&amp;sex=male"`) ||
		!strings.Contains(page, `href="/notices.atom?q=x&amp;sex=male"`) {
		t.Error("the print and feed links lose the search")
	}
	_, page = c.do("GET", "/notices?q="+url.QueryEscape("缺小指"), nil, false)
	if !strings.Contains(page, withPhoto.Ref) || strings.Contains(page, without.Ref) {
		t.Error("searching the marks does not find the notice that has them, and only it")
	}
	_, page = c.do("GET", "/notices?q="+url.QueryEscape(strings.ToLower(without.Ref)), nil, false)
	if !strings.Contains(page, `data-notice="`+without.Ref+`"`) || strings.Contains(page, `data-notice="`+withPhoto.Ref+`"`) {
		t.Error("searching a notice's number does not find it")
	}

	_, page = c.do("GET", "/notices/print", nil, false)
	if n := strings.Count(page, `class="print-item with-photo"`); n != 1 || strings.Count(page, "<img") != 1 || strings.Contains(page, "nophoto") {
		t.Errorf("print sheet: %d items with a photo, %d images; want one of each and no empty frame", n, strings.Count(page, "<img"))
	}
	if !strings.Contains(page, `href="tel:03735089797"`) {
		t.Error("print sheet's hotline is not a link")
	}

	for _, p := range []string{"/help-points", "/report", "/family/report", "/login"} {
		_, page := c.do("GET", p, nil, false)
		if !strings.Contains(page, `href="tel:`) {
			t.Errorf("%s has no phone number to tap", p)
		}
		if text := visibleText(page); strings.Contains(text, "JSON") || strings.Contains(text, "Atom") {
			t.Errorf("%s shows jargon", p)
		}
	}

	// The family's form has a field for the marks; they reach the report.
	_, page = c.do("GET", "/family/report", nil, false)
	if !strings.Contains(page, `name="features"`) {
		t.Fatal("the report form has no field for physical features")
	}
	res, _ := c.upload("/family/report", map[string]string{"name": "李大山", "sex": "male", "lost_on": "2026-10-01", "lost_place": "新乡东站",
		"features": "左耳缺一块", "description": "穿黑色夹克", "contact_name": "李红", "contact_phone": "13903730002", "csrf_token": c.csrf}, nil)
	if res.StatusCode != 303 {
		t.Fatalf("family report: %d", res.StatusCode)
	}
	ref := res.Header.Get("Location")[strings.LastIndex(res.Header.Get("Location"), "=")+1:]
	r, err := h.db.ReportByRef(ctx, ref)
	if err != nil || r.Features != "左耳缺一块" || r.Description != "穿黑色夹克" {
		t.Fatalf("report %s: features %q, description %q, %v", ref, r.Features, r.Description, err)
	}
}
