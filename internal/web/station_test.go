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
	"github.com/havenrescue/haven/internal/health"
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

// Measured values are shown with their unit's precision: a temperature
// typed as 36.9, and one that arithmetic left as 36.900000000000006 (as
// the demo's do), both read 36.9 on the person's page, in either language.
func TestHealthCheckShownWithUnitPrecision(t *testing.T) {
	h := newHarness(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	ad, err := h.cases.Admit(ctx, auth0(), cases.AdmitInput{Source: "walk_in", Form: cases.Form{Reason: "无钱返乡", Security: "passed"},
		Person: cases.PersonInput{Name: "测试体温", Sex: cases.Male, AgeMin: 40, AgeMax: 50}})
	if err != nil {
		t.Fatal(err)
	}
	doctor := h.login("medical")
	personURL := "/people/" + ad.Person.ID
	res, _ := doctor.post(personURL+"/health", url.Values{"stay_id": {ad.Stay.ID}, "check_kind": {"intake"}, "temp_c": {"36.9"}, "pulse": {"82"},
		"bp_sys": {"120"}, "bp_dia": {"80"}, "spo2": {"97"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("record the check: %d", res.StatusCode)
	}
	if _, err := h.health.RecordCheck(ctx, auth.Actor{UserID: "u-doc", Name: "马医生", Role: auth.RoleMedical}, ad.Person.ID, ad.Stay.ID, "periodic",
		health.CheckData{TempC: 36.2 + 0.7, SpO2: 96}); err != nil {
		t.Fatal(err)
	}
	_, page := doctor.do("GET", personURL, nil, false)
	if n := strings.Count(page, "体温 36.9℃"); n != 2 || !strings.Contains(page, "脉搏 82 次/分 · 血压 120/80 mmHg · 血氧 97%") {
		t.Errorf("checks read %q (36.9 ℃ shown %d times)", between(page, `id="checks"`, "</ul>"), n)
	}
	if strings.Contains(page, "36.90000") {
		t.Error("float noise on the person's page")
	}
	doctor.post("/lang", url.Values{"lang": {"en"}, "back": {"/"}})
	_, page = doctor.do("GET", personURL, nil, false)
	if !strings.Contains(page, "Temp 36.9 °C · SpO₂ 96%") {
		t.Errorf("English checks read %q", between(page, `id="checks"`, "</ul>"))
	}
}

// A person without a name is shown by the code, once: the referral list
// printed it as the name and again beside it.
func TestReferralsShowAnUnnamedPersonsCodeOnce(t *testing.T) {
	db := storetest.OpenSQLite(t)
	h := newHarness(t, db)
	ctx := context.Background()
	ad, err := h.cases.Admit(ctx, auth0(), cases.AdmitInput{Source: "patrol", Form: cases.Form{Reason: "流浪", Security: "passed"},
		Person: cases.PersonInput{Sex: cases.Male, AgeMin: 60, AgeMax: 70}})
	if err != nil {
		t.Fatal(err)
	}
	var hospitalID string
	depts, _ := db.ListDepartments(ctx)
	for _, d := range depts {
		if d.Name == "新乡市第二人民医院" {
			hospitalID = d.ID
		}
	}
	ref, err := h.health.Refer(ctx, auth.Actor{UserID: "u-doc", Name: "马医生", Role: auth.RoleMedical}, ad.Person.ID, ad.Stay.ID, hospitalID, "双足冻伤", true)
	if err != nil {
		t.Fatal(err)
	}
	doctor := h.login("medical")
	for _, page := range []string{"/referrals", "/referrals/" + ref.ID} {
		_, body := doctor.do("GET", page, nil, false)
		if n := strings.Count(body, ad.Person.Ref); n != 1 {
			t.Errorf("%s shows the code %s %d times", page, ad.Person.Ref, n)
		}
	}
}

// between is the part of s from the first start to the next end after it.
func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	before, _, _ := strings.Cut(after, end)
	return before
}
