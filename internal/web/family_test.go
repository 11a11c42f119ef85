package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/web"
)

// TestNoticeMinimalDisclosure fails if an ID number, a phone, a health
// detail or a family's contact reaches a public page or the feed; and
// checks that a reunited person's name and photo are hidden.
func TestNoticeMinimalDisclosure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staff := auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
		doctor := auth.Actor{UserID: "u-doc", Name: "马医生", Role: auth.RoleMedical}
		idNumber := "41072819650308" + "123"
		idNumber += string(idcard.CheckChar(idNumber))
		// An ID card found on him, not yet confirmed as his: unidentified.
		ad, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Photo: jpegBytes(t), Form: cases.Form{Reason: "流浪", Security: "passed"},
			Person: cases.PersonInput{IDNumber: idNumber, Sex: cases.Male, AgeMin: 55, AgeMax: 65, HeightCm: 168, Dialect: "长垣口音",
				Mental: cases.MentalIllness, Marks: "左肩纹身青龙"},
			Contact: cases.ContactInput{Relation: "弟弟", Name: "王二", Phone: "13700001234"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.health.RecordCheck(ctx, doctor, ad.Person.ID, ad.Stay.ID, "intake", health.CheckData{Injuries: "右小腿溃烂感染", Notes: "幻听"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.health.AddMedication(ctx, doctor, ad.Person.ID, "奥氮平片", "5mg", "20:00", ""); err != nil {
			t.Fatal(err)
		}
		n, err := h.family.Publish(ctx, staff, ad.Person.ID, family.NoticeInput{FoundPlace: "新乡火车站广场", Clothing: "黑色羽绒服"})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := h.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "王大", Sex: cases.Male, BirthDate: "1965-03-08", LostOn: "2026-06-01",
			LostPlace: "长垣", Description: "精神不太好", ContactName: "王小红", ContactPhone: "13911112222", IDNumber: idNumber})
		if err != nil {
			t.Fatal(err)
		}
		secrets := []string{idNumber, idNumber[:14], "13700001234", "13911112222", "王小红", "王二", "奥氮平", "溃烂", "幻听", "纹身", "精神病", "mental"}
		anon := h.anon()
		pages := []string{"/notices", "/notices/" + n.Ref, "/notices.atom", "/notices/print", "/notices?sex=male&accent=长垣",
			"/family/progress?ref=" + rep.Ref}
		check := func(when string) {
			for _, p := range pages {
				for _, lang := range []string{"zh-CN", "en"} {
					anon.do("POST", "/lang", url.Values{"lang": {lang}, "back": {"/notices"}, "csrf_token": {anon.csrf}}, true)
					res, body := anon.do("GET", p, nil, false)
					if res.StatusCode != http.StatusOK {
						t.Fatalf("%s %s: %d", when, p, res.StatusCode)
					}
					for _, s := range secrets {
						if strings.Contains(body, s) {
							t.Errorf("%s: %s (%s) discloses %q", when, p, lang, s)
						}
					}
				}
			}
		}
		check("published")
		anon.do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "back": {"/notices"}, "csrf_token": {anon.csrf}}, true)
		_, body := anon.do("GET", "/notices/"+n.Ref, nil, false)
		for _, want := range []string{"黑色羽绒服", "新乡火车站广场", "长垣口音", "0373-5089797", "168 厘米", "/notices/" + n.Ref + "/photo"} {
			if !strings.Contains(body, want) {
				t.Errorf("notice page lacks %q", want)
			}
		}
		if res, _ := anon.do("GET", "/notices/"+n.Ref+"/photo", nil, false); res.StatusCode != http.StatusOK {
			t.Fatalf("photo of a published notice: %d", res.StatusCode)
		}
		_, feed := anon.do("GET", "/notices.atom", nil, false)
		var f struct {
			Entries []struct {
				ID      string `xml:"id"`
				Summary string `xml:"summary"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(feed), &f); err != nil || len(f.Entries) != 1 || !strings.Contains(f.Entries[0].Summary, "黑色羽绒服") {
			t.Fatalf("feed = %v %+v\n%s", err, f, feed)
		}
		// A name a person gave, shown by choice, goes once they are home.
		bd, err := h.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Photo: jpegBytes(t), Form: cases.Form{Reason: "流浪", Security: "passed"},
			Person: cases.PersonInput{Name: "王大", Sex: cases.Male, AgeMin: 55, AgeMax: 65, HeightCm: 168, Dialect: "长垣口音"}})
		if err != nil {
			t.Fatal(err)
		}
		n2, err := h.family.Publish(ctx, staff, bd.Person.ID, family.NoticeInput{FoundPlace: "新乡火车站广场", ShowName: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, body := anon.do("GET", "/notices/"+n2.Ref, nil, false); !strings.Contains(body, "王大") {
			t.Fatal("the name given is not on the notice")
		}
		h.matched()
		cands, _ := db.Candidates(ctx, nil, bd.Person.ID, rep.ID)
		if len(cands) == 0 {
			t.Fatal("no candidate for the report")
		}
		if _, err := h.family.Decide(ctx, staff, cands[0].ID, family.DecideConfirm, "DNA 比对一致"); err != nil {
			t.Fatal(err)
		}
		pages[1] = "/notices/" + n2.Ref
		pages = append(pages, "/notices/"+n.Ref) // the other notice is still up
		secrets = append(secrets, "王大", n2.Ref+"/photo")
		check("reunited")
		if res, _ := anon.do("GET", "/notices/"+n2.Ref+"/photo", nil, false); res.StatusCode != http.StatusNotFound {
			t.Fatalf("photo after reunion: %d", res.StatusCode)
		}
		anon.do("POST", "/lang", url.Values{"lang": {"zh-CN"}, "back": {"/notices"}, "csrf_token": {anon.csrf}}, true)
		if _, body := anon.do("GET", "/notices/"+n2.Ref, nil, false); !strings.Contains(body, "已与家人团聚") {
			t.Error("the notice does not say reunited")
		}
	})
}

func TestMissingReportsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		key, _, err := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "xinxiang-110", []string{"family.write"}, "")
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := h.svc.CreateAPIKey(ctx, auth.CLIActor(), "12345", []string{"intake.write"}, "")
		post := func(key, body string) (int, map[string]any) {
			req, _ := http.NewRequest("POST", h.srv.URL+"/api/v1/missing-reports", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			var out map[string]any
			_ = json.Unmarshal(b, &out)
			return res.StatusCode, out
		}
		good := `{"external_id":"XX110-1","name":"李四","sex":"男","birth_date":"1970","lost_on":"2026-10-01","lost_place":"获嘉县","contact_phone":"13812345678"}`
		bad := `{"external_id":"XX110-2","name":"张三","lost_on":"2026-02-30"}`
		code, out := post(key, `{"reports":[`+good+`,`+bad+`]}`)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("bad batch: %d %v", code, out)
		}
		reps := out["error"].(map[string]any)["reports"].([]any)
		first := reps[0].(map[string]any)
		if first["index"].(float64) != 1 || first["fields"].(map[string]any)["lost_on"] == nil {
			t.Fatalf("problems = %v", reps)
		}
		if rs, _ := db.Reports(ctx, family.ReportFilter{}); len(rs) != 0 {
			t.Fatal("part of a refused batch was stored")
		}
		if code, out := post(key, `{"reports":[{"external_id":"A","shoe_size":9}]}`); code != http.StatusBadRequest {
			t.Fatalf("unknown field: %d %v", code, out)
		}
		if code, _ := post(other, `{"reports":[`+good+`]}`); code != http.StatusForbidden {
			t.Fatalf("a key without family.write: %d", code)
		}
		code, out = post(key, `{"reports":[`+good+`]}`)
		if code != http.StatusCreated {
			t.Fatalf("good batch: %d %v", code, out)
		}
		ref := out["reports"].([]any)[0].(map[string]any)["haven_ref"].(string)
		_, again := post(key, `{"reports":[`+good+`]}`)
		if got := again["reports"].([]any)[0].(map[string]any)["haven_ref"]; got != ref {
			t.Fatalf("resend answered %v, want %s", got, ref)
		}
		r, err := db.ReportByRef(ctx, ref)
		if err != nil || r.Source != family.SourcePolice || r.SourceOrg != "xinxiang-110" || r.Sex != cases.Male {
			t.Fatalf("stored %+v, %v", r, err)
		}
	})
}

func FuzzParseMissingReports(f *testing.F) {
	f.Add([]byte(`{"reports":[{"external_id":"1","name":"李四","sex":"女","age_min":3}]}`))
	f.Add([]byte(`{"reports":[{"external_id":1}]}`))
	f.Add([]byte(`{"reports":[]} {}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ins, err := web.ParseMissingReports(body)
		if err != nil && ins != nil {
			t.Fatal("both reports and an error")
		}
		if err == nil && !json.Valid(bytes.TrimSpace(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
	})
}
