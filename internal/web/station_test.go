package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The admission form: refused input is explained field by field in the
// page's language, keeps what was typed and stores nothing; an earlier
// record with the same name and age is offered for confirmation; the same
// ID number is a re-admission; a volunteer sees the ID number masked.
func TestAdmissionForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff := h.login("staff")
		valid := "41070219850612003"
		valid += string(idcard.CheckChar(valid))
		form := func(extra url.Values) url.Values {
			f := url.Values{"name": {"张建军"}, "sex": {"unknown"}, "source": {"walk_in"}, "reason": {"无钱返乡"}, "security": {"passed"},
				"b0_item": {"行李箱"}, "b0_qty": {"1"}}
			for k, v := range extra {
				f[k] = v
			}
			return f
		}
		wrong := valid[:17] + map[bool]string{true: "1", false: "2"}[valid[17] != '1']
		res, body := staff.post("/people", form(url.Values{"id_number": {wrong}, "birth_date": {"2099-01-01"}, "b1_item": {"棉被"}, "b1_qty": {"很多"}}))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "身份证号码校验位不符") || !strings.Contains(body, `value="张建军"`) ||
			!strings.Contains(body, "数量应为1–9999的整数") {
			t.Fatalf("bad admission: %d", res.StatusCode)
		}
		if people, _ := db.ListPeople(ctx, cases.PersonFilter{Limit: 5}); len(people) != 0 {
			t.Fatal("a refused admission stored someone")
		}
		staff.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
		_, body = staff.post("/people", form(url.Values{"id_number": {"12345"}}))
		if !strings.Contains(body, "An ID number has 18 characters") {
			t.Fatal("the error is not in English")
		}
		staff.post("/lang", url.Values{"lang": {"zh-CN"}, "back": {"/"}})

		res, _ = staff.post("/people", form(url.Values{"id_number": {valid}}))
		if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "notice=admitted") {
			t.Fatalf("admission: %d %s", res.StatusCode, res.Header.Get("Location"))
		}
		personURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
		// A second open stay for the same ID number is refused.
		res, body = staff.post("/people", form(url.Values{"id_number": {valid}}))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "不能重复入站") {
			t.Fatalf("second open stay: %d", res.StatusCode)
		}
		// Same name and age, no ID number: asked to confirm.
		_, body = staff.post("/people", form(url.Values{"birth_date": {"1985-03-01"}}))
		if !strings.Contains(body, "此人可能以前来过站") || !strings.Contains(body, `name="new_person"`) {
			t.Fatal("no candidates offered")
		}
		// The bureau leader sees the number masked; each view is audited.
		// The volunteer coordinator (an outside team) does not open the
		// file at all.
		_, page := h.login("leader").do("GET", personURL, nil, false)
		if strings.Contains(page, valid) || strings.Contains(page, "19850612") || !strings.Contains(page, "张建军") {
			t.Fatal("the leader sees the ID number")
		}
		if res, page := h.login("volunteer").do("GET", personURL, nil, false); res.StatusCode != http.StatusForbidden || strings.Contains(page, "张建军") {
			t.Fatalf("the volunteer coordinator opened a person's file: %d", res.StatusCode)
		}
		_, page = staff.do("GET", personURL, nil, false)
		if !strings.Contains(page, valid) {
			t.Fatal("staff do not see the ID number")
		}
		id := strings.TrimPrefix(personURL, "/people/")
		if views, _ := db.ListAudit(ctx, audit.Filter{Action: "person.view", RecordID: id}); len(views) < 2 {
			t.Fatalf("%d person views audited", len(views))
		}
		if res, _ := h.login("hospital").do("GET", personURL, nil, false); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a hospital user opened the person: %d", res.StatusCode)
		}
	})
}

// Exit through the form, and the five statutory forms.
func TestExitFormAndStatutoryForms(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	staff := h.login("staff")
	res, _ := staff.post("/people", url.Values{"name": {"小刚"}, "age_min": {"13"}, "age_max": {"15"}, "source": {"police"}, "reason": {"离家出走"},
		"security": {"passed"}, "b0_item": {"书包"}, "b0_qty": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admission: %d", res.StatusCode)
	}
	personURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	_, page := staff.do("GET", personURL, nil, false)
	i := strings.Index(page, `href="/stays/`)
	stayID, _, _ := strings.Cut(page[i+len(`href="/stays/`):], "/")
	st, _, _ := h.cases.Stay(context.Background(), auth0(), stayID)
	items := st.Belongings
	exit := url.Values{"kind": {"self"}, "statement": {"1"}, "version": {"1"}, "return_" + items[0].ID: {"1"}}
	res, body := staff.post("/stays/"+stayID+"/exit", exit)
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "未成年人及不能独立出行的人员") {
		t.Fatalf("a minor leaving alone: %d", res.StatusCode)
	}
	exit = url.Values{"kind": {"family"}, "version": {"1"}, "at": {time.Now().In(cases.CST).Format("2006-01-02T15:04")}, "collector_name": {"王芳"}, "collector_relation": {"母亲"}, "collector_checked": {"1"},
		"collector_id": {"11010519491231002X"}, "return_" + items[0].ID: {"1"}}
	res, body = staff.post("/stays/"+stayID+"/exit", exit)
	if res.StatusCode != http.StatusSeeOther {
		for _, l := range strings.Split(body, "\n") {
			if strings.Contains(l, "field-error") || strings.Contains(l, "page-error") {
				t.Log(l)
			}
		}
	}
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "/forms/service_exit") {
		t.Fatalf("family pickup: %d", res.StatusCode)
	}
	for form, title := range map[string]string{"registration": "求助登记表", "service_exit": "在站服务及离站登记表", "termination": "终止救助通知书",
		"self_exit": "自行离站声明书", "refusal": "不予救助通知书"} {
		res, body := staff.do("GET", "/stays/"+stayID+"/forms/"+form, nil, false)
		if res.StatusCode != 200 || !strings.Contains(body, "<h1>"+title+"</h1>") {
			t.Errorf("form %s: %d", form, res.StatusCode)
		}
		if strings.Contains(body, "11010519491231002X") {
			t.Errorf("form %s prints the collector's full ID number", form)
		}
	}
	if _, body := staff.do("GET", "/stays/"+stayID+"/forms/service_exit", nil, false); !strings.Contains(body, "王芳") || !strings.Contains(body, "书包") {
		t.Error("the exit form lacks the collector or the belongings")
	}
	// The station issues the form whoever prints it: a bureau leader's or
	// a doctor's copy is not headed by their own department.
	for _, role := range []string{"leader", "medical"} {
		if _, body := h.login(role).do("GET", "/stays/"+stayID+"/forms/registration", nil, false); !strings.Contains(body, `<p class="form-station">新乡市救助管理站</p>`) {
			t.Errorf("%s's printed form is not headed by the station", role)
		}
	}
	if res, _ := staff.do("GET", "/stays/"+stayID+"/forms/nonsense", nil, false); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown form: %d", res.StatusCode)
	}
}

func auth0() auth.Actor { return auth.Actor{UserID: "t", Name: "t", Role: auth.RoleStaff} }
