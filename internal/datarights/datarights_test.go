package datarights_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The people of the fixture. 王建国 (gone home in March, everything
// recorded about him), 李秀英 (admitted in March, still in care) and
// 赵小六 (left ten days ago).
const (
	nameA  = "王建国"
	nameB  = "李秀英"
	nameC  = "赵小六"
	phoneA = "13812345678" // his sister's phone
	phoneB = "13998765432" // 李秀英's son's phone
	phoneS = "13700001111" // the caller who reported someone in March
)

var (
	idA = id18("41070219700312003")
	idB = id18("41070219650101004")
)

func id18(first17 string) string { return first17 + string(idcard.CheckChar(first17)) }

type fixture struct {
	db        *store.DB
	now       time.Time
	photos    files.Store
	cases     *cases.Service
	health    *health.Service
	family    *family.Service
	intake    *intake.Service
	rights    *datarights.Service
	admin     auth.Actor
	admin2    auth.Actor
	staff     auth.Actor
	a, b, c   *cases.Admission
	signalID  string
	incident  string
	noticeRef string
}

func jpegBytes(t *testing.T) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, 64, 48)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{db: db, now: time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	f.photos = db.Files() // as haven serve keeps them
	f.cases = &cases.Service{Store: db, Audit: db, Keys: keys, Photos: f.photos, Now: clock, Rules: cases.Defaults}
	f.health = &health.Service{Store: db, Audit: db, Now: clock}
	f.family = &family.Service{Store: db, Cases: f.cases, Audit: db, Keys: keys, Photos: f.photos, Now: clock, Domain: "test.example"}
	f.intake = &intake.Service{Store: db, Audit: db, Keys: keys, Photos: f.photos, Now: clock, Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule}
	f.rights = &datarights.Service{Store: db, Audit: db, Keys: keys, Photos: f.photos, Now: clock,
		Retention: datarights.Retention{SignalPhoneDays: 90, PhotoDays: 180, IdentityDays: 180, HealthYears: 30}}
	f.admin = auth.Actor{UserID: "u-admin", Name: "站长", Role: auth.RoleAdmin}
	f.admin2 = auth.Actor{UserID: "u-admin2", Name: "副站长", Role: auth.RoleAdmin}
	f.staff = auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
	doctor := auth.Actor{UserID: "u-doc", Name: "马医生", Role: auth.RoleMedical}

	admit := func(name, id, phone string) *cases.Admission {
		ad, err := f.cases.Admit(ctx, f.staff, cases.AdmitInput{Source: "patrol", Form: cases.Form{Reason: "流浪乞讨", Security: "passed",
			Residence: name + "的住址", Relatives: name + "的亲属"},
			Person:  cases.PersonInput{Name: name, Sex: cases.Male, AgeMin: 50, AgeMax: 60, Marks: name + "左臂有疤", Mental: cases.MentalNormal},
			Contact: cases.ContactInput{Relation: "姐姐", Name: name + "的姐姐", Phone: phone, Address: name + "的家"},
			Photo:   jpegBytes(t), Belongings: []cases.BelongingInput{{Item: "手机", Qty: 1, Photo: jpegBytes(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		return ad
	}
	f.a = admit(nameA, idA, phoneA)
	n, err := f.family.Publish(ctx, f.staff, f.a.Person.ID, family.NoticeInput{FoundPlace: "火车站广场"})
	if err != nil {
		t.Fatal(err)
	}
	f.noticeRef = n.Ref
	if _, err := f.cases.UpdatePerson(ctx, f.staff, f.a.Person.ID, cases.PersonInput{Name: nameA, Sex: cases.Male, AgeMin: 50, AgeMax: 60,
		Marks: nameA + "左臂有疤", Mental: cases.MentalNormal, IDNumber: idA}, f.a.Person.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := f.health.RecordCheck(ctx, doctor, f.a.Person.ID, f.a.Stay.ID, health.CheckIntake, health.CheckData{TempC: 36.8, Notes: "左臂旧伤"}); err != nil {
		t.Fatal(err)
	}
	hosp := &auth.Department{ID: "d-hosp", Name: "新乡市第二人民医院", Kind: "hospital", CreatedAt: f.now}
	if err := db.CreateDepartment(ctx, hosp, audit.Entry{Action: "department.create"}); err != nil {
		t.Fatal(err)
	}
	ref, err := f.health.Refer(ctx, doctor, f.a.Person.ID, f.a.Stay.ID, hosp.ID, "血压偏高", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.health.AddNote(ctx, doctor, ref.ID, "建议复查"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.health.AddMedication(ctx, doctor, f.a.Person.ID, "降压药", "1片", "08:00", "高血压"); err != nil {
		t.Fatal(err)
	}
	if err := f.cases.AddNote(ctx, f.staff, f.a.Stay.ID, "care", nameA+"今天情绪稳定"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.family.File(ctx, auth.Actor{}, family.ReportInput{Name: nameA, Sex: cases.Male, AgeMin: 50, AgeMax: 60, LostOn: "2026-01-02",
		ContactName: "王家", ContactPhone: "13600002222"}); err != nil {
		t.Fatal(err)
	}
	if err := f.family.CatchUp(ctx); err != nil { // matching follows the report
		t.Fatal(err)
	}
	f.b = admit(nameB, idB, phoneB)
	f.c = admit(nameC, "", "13500003333")

	// A caller reports someone; the incident closes the same day.
	lat, lng := 35.308, 113.862
	res, err := f.intake.Submit(ctx, auth.Actor{IP: "1.2.3.4"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging",
		Lat: &lat, Lng: &lng, Phone: phoneS, Description: "桥下有人"})
	if err != nil {
		t.Fatal(err)
	}
	f.signalID, f.incident = res.Signal.ID, res.Incident.ID
	if _, err := f.intake.CloseFromStreet(ctx, auth.Actor{UserID: "u-patrol", Name: "巡查", Role: auth.RolePatrol}, res.Incident.ID,
		intake.OutcomeHelped, ""); err != nil {
		t.Fatal(err)
	}

	// 王建国 goes home with his sister two days later.
	f.now = f.now.Add(48 * time.Hour)
	f.exit(t, f.a)
	// November: 赵小六 leaves; 李秀英 stays.
	f.now = time.Date(2026, 11, 21, 1, 0, 0, 0, time.UTC)
	f.exit(t, f.c)
	f.now = time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC)
	return f
}

func (f *fixture) exit(t *testing.T, ad *cases.Admission) {
	t.Helper()
	items, err := f.db.Belongings(context.Background(), ad.Stay.ID)
	if err != nil {
		t.Fatal(err)
	}
	returns := map[string]cases.Return{}
	for _, b := range items {
		returns[b.ID] = cases.Return{Qty: b.Qty}
	}
	st, err := f.db.StayByID(context.Background(), ad.Stay.ID)
	if err != nil {
		t.Fatal(err)
	}
	in := cases.ExitInput{Kind: cases.ExitFamily, At: f.now, Destination: "河南省新乡市红旗区", Returns: returns}
	in.Collector.Name, in.Collector.Relation, in.Collector.IDNumber, in.Collector.Checked = "王秀兰", "姐姐", id18("41070219720505002"), true
	if _, err := f.cases.Exit(context.Background(), f.staff, ad.Stay.ID, in, st.Version); err != nil {
		t.Fatal(err)
	}
}

// export files, approves and downloads an export of personID and returns
// the ZIP's files by name.
func (f *fixture) export(t *testing.T, personRef string) map[string][]byte {
	t.Helper()
	ctx := context.Background()
	r, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: datarights.KindExport, Person: personRef, Reason: "本人依《个人信息保护法》第四十五条申请复制"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rights.Decide(ctx, f.staff, r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.rights.Export(ctx, f.admin, r.ID, &buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return out
}

func rowsIn(t *testing.T, z map[string][]byte, table string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	if err := json.Unmarshal(z["data/"+table+".json"], &rows); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
	return rows
}

func TestExportHoldsEverythingAboutThePersonAndNothingElse(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		// Someone reads his record: the read is in the export.
		if _, err := f.cases.View(ctx, f.staff, f.a.Person.ID); err != nil {
			t.Fatal(err)
		}
		z := f.export(t, f.a.Person.Ref)
		for table, min := range map[string]int{"persons": 1, "person_contacts": 1, "stays": 1, "belongings": 1, "care_notes": 1,
			"health_checks": 1, "medications": 1, "referrals": 1, "referral_notes": 1, "notices": 1, "match_candidates": 1, "data_requests": 1, "audit_log": 3} {
			if got := len(rowsIn(t, z, table)); got < min {
				t.Errorf("%s: %d rows, want at least %d", table, got, min)
			}
		}
		for _, table := range []string{"missing_reports", "report_updates", "encounters", "case_tasks"} {
			if _, ok := z["data/"+table+".json"]; !ok {
				t.Errorf("no file for %s", table)
			}
		}
		all := ""
		for name, data := range z {
			if strings.HasSuffix(name, ".json") || name == "summary.html" {
				all += string(data)
			}
		}
		// Sealed values are opened: ID number, relative's phone, collector's ID.
		for _, want := range []string{nameA, idA, phoneA, id18("41070219720505002"), "左臂旧伤", "降压药"} {
			if !strings.Contains(all, want) {
				t.Errorf("export lacks %q", want)
			}
		}
		for _, other := range []string{nameB, idB, phoneB, nameC, phoneS} {
			if strings.Contains(all, other) {
				t.Errorf("export holds another person's %q", other)
			}
		}
		var viewed bool
		for _, e := range rowsIn(t, z, "audit_log") {
			viewed = viewed || (e["action"] == "person.view" && e["actor_name"] == f.staff.Name)
		}
		if !viewed {
			t.Error("the audit of who read the record is not in the export")
		}
		photos := 0
		for name, data := range z {
			if strings.HasPrefix(name, "photos/") {
				photos++
				if !bytes.HasPrefix(data, []byte{0xff, 0xd8}) {
					t.Errorf("%s is not a JPEG", name)
				}
			}
		}
		if photos != 2 { // admission photo and the phone's photo
			t.Errorf("%d photos in the export, want 2", photos)
		}
		persons := rowsIn(t, z, "persons")
		if persons[0]["id"] != f.a.Person.ID || persons[0]["id_number"] != idA {
			t.Errorf("persons.json: id %v, id_number %v; want the record's id and the opened ID number", persons[0]["id"], persons[0]["id_number"])
		}
		sum := string(z["summary.html"])
		if !strings.Contains(sum, nameA) {
			t.Error("summary.html does not name the person")
		}
		if !strings.Contains(sum, "个人信息导出") || strings.Index(sum, "个人信息导出") > strings.Index(sum, "Personal data export</p>") {
			t.Error("summary.html is not Chinese first")
		}
	})
}

func TestRequestNeedsASecondPerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		if _, err := f.rights.Request(ctx, f.staff, datarights.RequestInput{Kind: datarights.KindExport, Person: f.a.Person.Ref, Reason: "x"}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff filing a request: %v, want forbidden", err)
		}
		if _, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: "copy", Person: "RY-NOSUCH", Reason: ""}); len(errs.FieldsOf(err)) != 3 {
			t.Errorf("bad request: %v", errs.FieldsOf(err))
		}
		r, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: datarights.KindExport, Person: f.a.Person.Ref, Reason: "法院调取"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rights.Decide(ctx, f.admin, r.ID, true, ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("requester approving their own request: %v, want forbidden", err)
		}
		var buf bytes.Buffer
		if _, err := f.rights.Export(ctx, f.admin, r.ID, &buf); !errs.Is(errs.Forbidden, err) || buf.Len() > 0 {
			t.Errorf("download before approval: %v (%d bytes), want forbidden", err, buf.Len())
		}
		if _, err := f.rights.Decide(ctx, auth.Actor{UserID: "u-doc", Role: auth.RoleMedical}, r.ID, true, ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a doctor approving: %v, want forbidden", err)
		}
		if _, err := f.rights.Decide(ctx, f.admin2, r.ID, true, "核对无误"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.rights.Decide(ctx, f.staff, r.ID, false, ""); !errs.Is(errs.Conflict, err) {
			t.Errorf("deciding twice: %v, want conflict", err)
		}
		if _, err := f.rights.Export(ctx, f.admin2, r.ID, &buf); !errs.Is(errs.Forbidden, err) {
			t.Errorf("download by the approver: %v, want forbidden", err)
		}
		if _, err := f.rights.Export(ctx, f.admin, r.ID, &buf); err != nil || buf.Len() == 0 {
			t.Fatalf("download by the requester: %v", err)
		}
		f.now = f.now.Add(8 * 24 * time.Hour)
		if _, err := f.rights.Export(ctx, f.admin, r.ID, io.Discard); !errs.Is(errs.Forbidden, err) {
			t.Errorf("download after 7 days: %v, want forbidden", err)
		}
		refused, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: datarights.KindErase, Person: f.a.Person.Ref, Reason: "本人要求删除"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rights.Decide(ctx, f.staff, refused.ID, false, "档案保存期未满"); err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		entries, err := db.ListAudit(ctx, audit.Filter{Action: "data_request.", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			got[e.Action]++
		}
		want := map[string]int{"data_request.create": 2, "data_request.denied": 1, "data_request.download_denied": 3,
			"data_request.approve": 1, "data_request.refuse": 1, "data_request.download": 1}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("audit of the steps: %v, want %v", got, want)
		}
		p, _ := db.PersonByID(ctx, f.a.Person.ID)
		if p.Name != nameA {
			t.Errorf("a refused erasure changed the record: %q", p.Name)
		}
	})
}

// stats is what the station dashboard counts, through its own queries.
func stats(t *testing.T, f *fixture) any {
	t.Helper()
	d, err := f.cases.Dashboard(context.Background(), f.staff)
	if err != nil {
		t.Fatal(err)
	}
	exits := map[cases.ExitKind]int{}
	stays, err := f.db.StaysArrived(context.Background(), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), f.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range stays {
		exits[st.ExitKind]++
	}
	return []any{d.KPIs, d.InStation, d.Unidentified, d.Minors, d.HelpedThisYr, len(stays), exits}
}

func TestRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		photoOf := func(ad *cases.Admission) string {
			st, err := db.StayByID(ctx, ad.Stay.ID)
			if err != nil {
				t.Fatal(err)
			}
			return st.Form.Photo
		}
		photoA, photoB, photoC := photoOf(f.a), photoOf(f.b), photoOf(f.c)
		before := stats(t, f)
		auditBefore, err := db.ListAudit(ctx, audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}

		plan, err := f.rights.Plan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, d := range plan {
			counts[d.Kind] = d.Count
		}
		want := map[string]int{datarights.RetainSignalPhone: 1, datarights.RetainPhotos: 1, datarights.RetainIdentity: 1, datarights.RetainHealth: 0}
		if !reflect.DeepEqual(counts, want) {
			t.Errorf("dry run: %v, want %v", counts, want)
		}
		if p, _ := db.PersonByID(ctx, f.a.Person.ID); p.Name != nameA || p.IDSealed == "" {
			t.Error("the dry run changed a record")
		}
		if _, err := f.photos.Get(context.Background(), photoA); err != nil {
			t.Error("the dry run deleted a photo")
		}

		done, err := f.rights.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ran := map[string]int{}
		for _, d := range done {
			ran[d.Kind] = d.Count
		}
		if !reflect.DeepEqual(ran, want) {
			t.Errorf("run: %v, want what the dry run said, %v", ran, want)
		}

		// 王建国: anonymised, photos gone; sex, ages, dates and exit kept.
		a, _ := db.PersonByID(ctx, f.a.Person.ID)
		if a.Name != datarights.Placeholder || a.IDSealed != "" || a.Marks != "" || a.Sex != cases.Male || a.AgeMin != 50 {
			t.Errorf("anonymised person: %+v", a)
		}
		cs, _ := db.Contacts(ctx, []string{a.ID})
		if len(cs) != 1 || cs[0].Name != "" || cs[0].PhoneSealed != "" || cs[0].Address != "" {
			t.Errorf("relative's contact kept: %+v", cs[0])
		}
		st, _ := db.StayByID(ctx, f.a.Stay.ID)
		if st.Form.Photo != "" || st.Form.Residence != "" || st.Form.Relatives != "" || st.Exit.Collector == nil || st.Exit.Collector.IDSealed != "" ||
			st.Exit.Collector.Name != "" || st.ExitKind != cases.ExitFamily || !st.ExitedAt.Equal(f.a.Stay.ArrivedAt.Add(48*time.Hour).Truncate(time.Microsecond)) && st.ExitedAt.IsZero() {
			t.Errorf("anonymised stay: %+v %+v", st.Form, st.Exit)
		}
		items, _ := db.Belongings(ctx, f.a.Stay.ID)
		if len(items) != 1 || items[0].Photo != "" || items[0].Item != "手机" {
			t.Errorf("belongings: %+v", items[0])
		}
		if _, err := f.photos.Get(context.Background(), photoA); err == nil {
			t.Error("his admission photo is still on disk")
		}
		notices, _ := db.NoticesOf(ctx, a.ID)
		if len(notices) != 1 || notices[0].Photo != "" || notices[0].Name != "" {
			t.Errorf("notice: %+v", notices)
		}
		// Health notes are kept for 30 years.
		checks, _ := db.Checks(ctx, []string{a.ID})
		if len(checks) != 1 || checks[0].Data.Notes != "左臂旧伤" {
			t.Errorf("health check within its retention changed: %+v", checks)
		}
		// 李秀英 is in care, 赵小六 left ten days ago: untouched.
		for _, ad := range []*cases.Admission{f.b, f.c} {
			p, _ := db.PersonByID(ctx, ad.Person.ID)
			if p.Name == datarights.Placeholder || p.Marks == "" {
				t.Errorf("%s anonymised before retention ended", p.Name)
			}
		}
		for _, ph := range []string{photoB, photoC} {
			if _, err := f.photos.Get(context.Background(), ph); err != nil {
				t.Errorf("photo %s deleted before retention ended", ph)
			}
		}
		sigs, err := db.SignalsOfIncident(ctx, f.incident)
		if err != nil || len(sigs) != 1 {
			t.Fatal(sigs, err)
		}
		if sigs[0].PhoneSealed != "" {
			t.Error("the caller's phone is kept after 90 days")
		}

		if after := stats(t, f); !reflect.DeepEqual(before, after) {
			t.Errorf("statistics changed:\nbefore %v\nafter  %v", before, after)
		}
		auditAfter, err := db.ListAudit(ctx, audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		kept := map[string]audit.Entry{}
		for _, e := range auditAfter {
			kept[e.ID] = e
		}
		for _, e := range auditBefore {
			if got, ok := kept[e.ID]; !ok || got != e {
				t.Errorf("audit entry %s (%s) changed or gone", e.ID, e.Action)
			}
		}
		retained := map[string]int{}
		for _, e := range auditAfter {
			if strings.HasPrefix(e.Action, "retention.") {
				retained[e.Action+" "+e.RecordID]++
			}
		}
		if retained["retention.person_identity "+a.ID] != 1 || retained["retention.person_photo "+a.ID] != 1 || retained["retention.signal_phone "+f.signalID] != 1 {
			t.Errorf("retention audit: %v", retained)
		}

		// Twice: nothing more to do, nothing written.
		again, err := f.rights.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range again {
			if d.Count != 0 {
				t.Errorf("second run changed %d records of %s", d.Count, d.Kind)
			}
		}
		if n, _ := db.ListAudit(ctx, audit.Filter{Limit: 1000}); len(n) != len(auditAfter) {
			t.Errorf("second run wrote %d audit entries", len(n)-len(auditAfter))
		}

		// Thirty years on, his health notes go too; the checks stay.
		f.now = f.now.AddDate(30, 1, 0)
		later, err := f.rights.Run(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range later {
			if d.Kind == datarights.RetainHealth && d.Count != 1 {
				t.Errorf("health notes after 30 years: %d people, want 1", d.Count)
			}
		}
		checks, _ = db.Checks(ctx, []string{a.ID})
		meds, _ := db.Medications(ctx, []string{a.ID})
		if len(checks) != 1 || checks[0].Data.Notes != "" || checks[0].Kind != health.CheckIntake || len(meds) != 1 || meds[0].Note != "" || meds[0].Name == "" {
			t.Errorf("health after retention: %+v %+v", checks, meds)
		}
	})
}

func TestEraseRequestAnonymisesOnePerson(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		// In care: refused until they leave.
		inCare, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: datarights.KindErase, Person: f.b.Person.Ref, Reason: "本人要求删除"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.rights.Decide(ctx, f.staff, inCare.ID, true, ""); !errs.Is(errs.Conflict, err) {
			t.Errorf("erasing someone in care: %v, want conflict", err)
		}
		// 赵小六 left ten days ago, well within retention; he asks.
		photoC := func() string { st, _ := db.StayByID(ctx, f.c.Stay.ID); return st.Form.Photo }()
		r, err := f.rights.Request(ctx, f.admin, datarights.RequestInput{Kind: datarights.KindErase, Person: f.c.Person.Ref, Reason: "本人要求删除"})
		if err != nil {
			t.Fatal(err)
		}
		before := stats(t, f)
		if _, err := f.rights.Decide(ctx, f.staff, r.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		c, _ := db.PersonByID(ctx, f.c.Person.ID)
		if c.Name != datarights.Placeholder || c.Marks != "" {
			t.Errorf("erased person: %+v", c)
		}
		if _, err := f.photos.Get(context.Background(), photoC); err == nil {
			t.Error("photo kept after erasure")
		}
		for _, ad := range []*cases.Admission{f.a, f.b} {
			if p, _ := db.PersonByID(ctx, ad.Person.ID); p.Name == datarights.Placeholder {
				t.Errorf("erasing one person anonymised %s too", ad.Person.Ref)
			}
		}
		got, _ := db.DataRequestByID(ctx, r.ID)
		if got.DoneAt.IsZero() || got.Decision != datarights.Approved {
			t.Errorf("request after erasure: %+v", got)
		}
		if after := stats(t, f); !reflect.DeepEqual(before, after) {
			t.Errorf("statistics changed:\nbefore %v\nafter  %v", before, after)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{RecordType: "person", RecordID: c.ID})
		var logged bool
		for _, e := range entries {
			logged = logged || (e.Action == "retention.person_identity" && e.ActorName == f.staff.Name)
		}
		if !logged {
			t.Error("the erasure is not in the audit log")
		}
	})
}
