package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// TestDataRequestFlow walks an export through the pages: the requester
// cannot approve it or download it before a second person approves, and
// every step is in the audit log.
func TestDataRequestFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		staffActor := auth.Actor{UserID: "flow-staff", Name: "flow", Role: auth.RoleStaff}
		ad, err := h.cases.Admit(ctx, staffActor, cases.AdmitInput{Source: "walk_in", Form: cases.Form{Reason: "导出", Security: "passed"},
			Person: cases.PersonInput{Name: "导出甲", AgeMin: 30, AgeMax: 40}})
		if err != nil {
			t.Fatal(err)
		}
		admin, staff := h.login("admin"), h.login("staff")
		res, body := admin.post("/admin/data-requests", url.Values{"kind": {"export"}, "person": {ad.Person.Ref}, "reason": {""}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "法律依据") {
			t.Fatalf("request without a reason: %d\n%s", res.StatusCode, h.logs.String())
		}
		res, _ = admin.post("/admin/data-requests", url.Values{"kind": {"export"}, "person": {ad.Person.Ref}, "reason": {"本人依法申请查阅复制"}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("request: %d\n%s", res.StatusCode, h.logs.String())
		}
		list, err := db.DataRequests(ctx, 10)
		if err != nil || len(list) != 1 {
			t.Fatalf("requests: %v %v", list, err)
		}
		id := list[0].ID
		for _, c := range []*client{admin, staff} {
			if res, body := c.do("GET", "/admin/data-requests", nil, false); res.StatusCode != 200 || !strings.Contains(body, ad.Person.Ref) {
				t.Fatalf("list page: %d\n%s", res.StatusCode, h.logs.String())
			}
		}
		if res, _ := admin.post("/admin/data-requests/"+id+"/approve", nil); res.StatusCode != http.StatusForbidden {
			t.Errorf("requester approving their own request: %d, want 403", res.StatusCode)
		}
		if res, _ := admin.do("GET", "/admin/data-requests/"+id+"/download", nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("download before approval: %d, want 403", res.StatusCode)
		}
		if res, _ := staff.post("/admin/data-requests/"+id+"/approve", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("second person approving: %d", res.StatusCode)
		}
		if res, _ := staff.post("/admin/data-requests/"+id+"/refuse", nil); res.StatusCode != http.StatusConflict {
			t.Errorf("deciding twice: %d, want 409", res.StatusCode)
		}
		if res, _ := staff.do("GET", "/admin/data-requests/"+id+"/download", nil, false); res.StatusCode != http.StatusForbidden {
			t.Errorf("download by the approver: %d, want 403", res.StatusCode)
		}
		res, body = admin.do("GET", "/admin/data-requests/"+id+"/download", nil, false)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if !strings.Contains(strings.Join(names, " "), "summary.html") {
			t.Errorf("no summary.html in %v", names)
		}
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "data_request.", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, e := range entries {
			got[e.Action]++
		}
		for _, a := range []string{"data_request.create", "data_request.denied", "data_request.download_denied", "data_request.approve", "data_request.download"} {
			if got[a] == 0 {
				t.Errorf("no %s in the audit log (have %v)", a, got)
			}
		}
		views, err := db.ListAudit(ctx, audit.Filter{Action: "person.view", RecordID: ad.Person.ID})
		if err != nil {
			t.Fatal(err)
		}
		exported := false
		for _, e := range views {
			exported = exported || strings.HasPrefix(e.Detail, "export ")
		}
		if !exported {
			t.Error("the export is not audited as a read of the person's data")
		}
	})
}
