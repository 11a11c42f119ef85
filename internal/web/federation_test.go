package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/web"
)

// Two instances, as two provinces run them (docs/scale.md): a family
// reports a man missing in one; he is in the care of a station of the
// other. The second pulls the first's shareable reports through the PFIF
// feed and its own engine proposes the match; a private report never
// leaves, a second pull adds nothing, and a key without family.read is
// refused.
func TestTwoInstancesExchangeReports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		second := storetest.OpenSQLite(t)
		if db.Dialect() == "postgres" {
			second = storetest.OpenPostgres(t)
		}
		domain := func(d string) func(*web.Deps) { return func(deps *web.Deps) { deps.Family.Domain = d } }
		home := newHarness(t, db, domain("henan.example"))
		away := newHarness(t, second, domain("hebei.example"))
		ctx := context.Background()
		staff := auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}

		// In care at the away station: a man who gives his name as 王大山.
		ad, err := away.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Form: cases.Form{Reason: "流浪", Security: "passed"},
			Person: cases.PersonInput{Name: "王大山", Sex: cases.Male, BirthDate: "1961-05-02", HeightCm: 170, NativePlace: "河南省长垣市", Dialect: "长垣口音"}})
		if err != nil {
			t.Fatal(err)
		}
		// At home: his daughter reports him missing; another family asks
		// not to be matched publicly.
		rep, err := home.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "王大山", Sex: cases.Male, BirthDate: "1961-05-02", HeightCm: 170,
			NativePlace: "河南省长垣市", LostOn: "2026-09-01", LostPlace: "长垣", ContactName: "王小红", ContactPhone: "13911112222"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := home.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "李秀英", Sex: cases.Female, BirthDate: "1950",
			LostOn: "2026-10-01", LostPlace: "卫辉", ContactName: "李强", ContactPhone: "13922223333", Private: true}); err != nil {
			t.Fatal(err)
		}
		key, _, err := home.svc.CreateAPIKey(ctx, auth.CLIActor(), "hebei-family", []string{"family.read"}, "")
		if err != nil {
			t.Fatal(err)
		}
		peer := family.Peer{Name: "河南省救助管理站", URL: home.srv.URL, Key: key}

		st, err := away.family.Pull(ctx, http.DefaultClient, peer, 10)
		if err != nil {
			t.Fatal(err)
		}
		if st.Added != 1 || st.Error != "" || st.Cursor.At.IsZero() {
			t.Fatalf("first pull: %+v", st)
		}
		got, err := away.db.Reports(ctx, family.ReportFilter{Limit: 10})
		if err != nil || len(got) != 1 {
			t.Fatalf("away holds %d reports (%v)", len(got), err)
		}
		r := got[0]
		if r.Name != "王大山" || r.SourceOrg != "henan.example" || r.ExternalID != "henan.example/report."+rep.Ref || r.Private {
			t.Fatalf("imported report: %+v", r)
		}
		if r.ContactName != "" || r.ContactSealed != "" {
			t.Fatal("the family's contact left the home instance")
		}
		// The away engine proposes him.
		away.matched()
		q, err := away.family.Queue(ctx, staff, "", ad.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(q) != 1 || q[0].Report == nil || q[0].Report.ID != r.ID {
			t.Fatalf("away proposes %d candidates for the man in care", len(q))
		}
		// Nothing new: a second pull adds nothing and keeps its place.
		again, err := away.family.Pull(ctx, http.DefaultClient, peer, 10)
		if err != nil || again.Added != 0 || again.Cursor != st.Cursor {
			t.Fatalf("second pull: %+v %v", again, err)
		}
		// A change at home (found elsewhere, say) moves the report past
		// the cursor: it is served again, and known, not doubled.
		zhang, err := home.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "张桂兰", Sex: cases.Female, BirthDate: "1958",
			LostOn: "2026-11-01", LostPlace: "辉县", ContactName: "张伟", ContactPhone: "13933334444"})
		if err != nil {
			t.Fatal(err)
		}
		third, err := away.family.Pull(ctx, http.DefaultClient, peer, 10)
		if err != nil || third.Added != 1 {
			t.Fatalf("third pull: %+v %v", third, err)
		}
		if n, _ := away.db.Reports(ctx, family.ReportFilter{Limit: 10}); len(n) != 2 {
			t.Fatalf("away holds %d reports, want 2", len(n))
		}
		// The family withdraws 张桂兰's report at home: the feed serves a
		// tombstone (her record id, expired, nothing about her) and away
		// stops searching for her too.
		if err := home.family.Withdraw(ctx, staff, zhang.ID, "家属已自行找到", zhang.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := away.family.Pull(ctx, http.DefaultClient, peer, 10); err != nil {
			t.Fatal(err)
		}
		awayZhang, err := away.db.ReportByExternal(ctx, "henan.example", "henan.example/report."+zhang.Ref)
		if err != nil || awayZhang.Status != family.StatusWithdrawn || awayZhang.Name != "张桂兰" {
			t.Fatalf("away's copy after the withdrawal at home: %+v %v", awayZhang, err)
		}
		// The source edits 王大山's report, then finds him: away takes the
		// edit once, then closes the report and its proposal.
		doc := func(desc, notes string) []byte {
			return []byte(`<?xml version="1.0" encoding="UTF-8"?>
<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4">
  <pfif:person>
    <pfif:person_record_id>henan.example/report.` + rep.Ref + `</pfif:person_record_id>
    <pfif:source_name>河南省救助管理站</pfif:source_name>
    <pfif:source_date>` + time.Now().UTC().Format("2006-01-02T15:04:05Z") + `</pfif:source_date>
    <pfif:full_name>王大山</pfif:full_name>
    <pfif:description>` + desc + `</pfif:description>
    <pfif:sex>male</pfif:sex>
    <pfif:date_of_birth>1961-05-02</pfif:date_of_birth>
    <pfif:home_city>河南省长垣市</pfif:home_city>` + notes + `
  </pfif:person>
</pfif:pfif>`)
		}
		fed := auth.Actor{Name: "联网寻亲", Role: auth.RoleStaff}
		for i, want := range []int{1, 0} {
			res, err := away.family.Import(ctx, fed, doc("体貌特征：左手缺小指", ""), false)
			if err != nil || res.Known != 1 || res.Updated != want {
				t.Fatalf("edit, import %d: %+v %v, want %d updated", i+1, res, err, want)
			}
		}
		if got, _ := away.db.ReportByID(ctx, r.ID); got.Description != "体貌特征：左手缺小指" || !got.Active() {
			t.Fatalf("away's copy after the edit: %+v", got)
		}
		found := `
    <pfif:note>
      <pfif:note_record_id>henan.example/note.found.` + rep.Ref + `</pfif:note_record_id>
      <pfif:linked_person_record_id>henan.example/person.x</pfif:linked_person_record_id>
      <pfif:author_name>河南省救助管理站</pfif:author_name>
      <pfif:source_date>` + time.Now().UTC().Format("2006-01-02T15:04:05Z") + `</pfif:source_date>
      <pfif:author_made_contact>true</pfif:author_made_contact>
      <pfif:status>believed_alive</pfif:status>
      <pfif:text>Found.</pfif:text>
    </pfif:note>`
		if res, err := away.family.Import(ctx, fed, doc("体貌特征：左手缺小指", found), false); err != nil || res.Updated != 1 {
			t.Fatalf("found at the source: %+v %v", res, err)
		}
		if got, _ := away.db.ReportByID(ctx, r.ID); got.Status != family.StatusWithdrawn {
			t.Fatalf("away still searches for a man found at the source: %s", got.Status)
		}
		if q, err := away.family.Queue(ctx, staff, "", ad.Person.ID); err != nil || len(q) != 0 {
			t.Fatalf("the proposal stays open after he was found at the source: %d %v", len(q), err)
		}
		// The feed asks for its scope and a well-formed cursor.
		other, _, _ := home.svc.CreateAPIKey(ctx, auth.CLIActor(), "12345", []string{"intake.write"}, "")
		if _, err := away.family.Pull(ctx, http.DefaultClient, family.Peer{Name: "错误的钥匙", URL: home.srv.URL, Key: other}, 1); err == nil {
			t.Fatal("a key without family.read pulled")
		}
		req, _ := http.NewRequest("GET", home.srv.URL+"/api/v1/pfif?"+url.Values{"since": {"yesterday"}}.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad cursor: %d", res.StatusCode)
		}
		if bad, _ := away.db.PeerStatus(ctx, "错误的钥匙"); bad.Error == "" {
			t.Fatal("a failed pull is not recorded")
		}
	})
}
