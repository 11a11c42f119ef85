package cases_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

type fixture struct {
	db        *store.DB
	svc       *cases.Service
	now       time.Time
	staff     auth.Actor
	volunteer auth.Actor
	doctor    auth.Actor // sees people in care, ID numbers masked
	hospital  auth.Actor
	outcomes  []string
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)} // Monday 09:00 in 新乡
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.svc = &cases.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: func() time.Time { return f.now }, Rules: cases.Defaults,
		Outcome: func(_ context.Context, incidentID, text string) { f.outcomes = append(f.outcomes, incidentID+" "+text) }}
	f.staff = auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
	f.volunteer = auth.Actor{UserID: "u-vol", Name: "周洋", Role: auth.RoleVolunteer}
	f.doctor = auth.Actor{UserID: "u-doc", Name: "刘医生", Role: auth.RoleMedical}
	f.hospital = auth.Actor{UserID: "u-hosp", Name: "马医生", Role: auth.RoleHospital}
	return f
}

func id18(first17 string) string { return first17 + string(idcard.CheckChar(first17)) }

func (f *fixture) admit(t *testing.T, in cases.AdmitInput) *cases.Admission {
	t.Helper()
	if in.Source == "" {
		in.Source = "patrol"
	}
	if in.Form.Security == "" {
		in.Form.Security = "passed"
	}
	if in.Form.Reason == "" {
		in.Form.Reason = "流浪乞讨"
	}
	ad, err := f.svc.Admit(context.Background(), f.staff, in)
	if err != nil {
		t.Fatal(err)
	}
	return ad
}

func TestAdmissionBadInputAndReadmission(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		bad := cases.AdmitInput{Source: "patrol", Form: cases.Form{Reason: "x", Security: "passed"},
			Person:     cases.PersonInput{Name: "张三", IDNumber: "410702198506120031", BirthDate: "2030-01-01"},
			Belongings: []cases.BelongingInput{{Item: "手机", Qty: 1, Photo: []byte("not an image at all")}},
			ArrivedAt:  f.now.Add(-time.Hour)}
		_, err := f.svc.Admit(ctx, f.staff, bad)
		fields := errs.FieldsOf(err)
		if fields["id_number"] != "err.id_checksum" || fields["birth_date"] != "err.birth_future" || fields["b0_photo"] == "" {
			t.Fatalf("bad admission: %v", fields)
		}
		if people, _ := db.ListPeople(ctx, cases.PersonFilter{Limit: 10}); len(people) != 0 {
			t.Fatal("a refused admission stored a person")
		}
		if _, err := f.svc.Admit(ctx, f.volunteer, bad); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("volunteer admitted: %v", err)
		}

		num := id18("41070219850612003")
		first := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "王建国", IDNumber: num}, Contact: cases.ContactInput{Relation: "妻子", Name: "李梅", Phone: "13912345678"},
			Belongings: []cases.BelongingInput{{Item: "身份证", Qty: 1, Location: "A柜3号"}, {Item: "现金", Qty: 35, Description: "元"}}})
		if first.Person.Sex != cases.Male || first.Person.BirthDate != "1985-06-12" || !first.Person.Identified || first.Stay.Unidentified {
			t.Fatalf("person from the ID number: %+v", first.Person)
		}
		// A second open stay for the same person is refused.
		_, err = f.svc.Admit(ctx, f.staff, cases.AdmitInput{PersonID: first.Person.ID, Source: "walk_in", Form: cases.Form{Reason: "x", Security: "passed"}})
		if errs.MessageOf(err) != "err.open_stay" {
			t.Fatalf("second open stay: %v", err)
		}
		// After exit, the same ID number is recognised as a re-admission.
		f.now = f.now.Add(48 * time.Hour)
		if _, err := f.svc.Exit(ctx, f.staff, first.Stay.ID, cases.ExitInput{Kind: cases.ExitReturnHome, At: f.now, Destination: "河南省新乡市红旗区",
			Voucher: cases.Voucher{Mode: "ticket", Route: "新乡—郑州", CostFen: 2450}, Returns: map[string]cases.Return{}}, 1); errs.FieldsOf(err)["return_"+firstItem(t, f, first.Stay.ID)] == "" {
			t.Fatalf("exit without handing belongings back: %v", err)
		}
		f.exitHome(t, first.Stay.ID)
		again := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "王建国", IDNumber: strings.ToLower(num[:17]) + num[17:]}})
		if !again.Readmitted || again.Person.ID != first.Person.ID || again.Stay == nil {
			t.Fatalf("re-admission by ID number: %+v", again)
		}
		// Same name and age, no ID: shown for confirmation, nothing stored.
		f.exitHome(t, again.Stay.ID)
		maybe, err := f.svc.Admit(ctx, f.staff, cases.AdmitInput{Source: "walk_in", Form: cases.Form{Reason: "x", Security: "passed"},
			Person: cases.PersonInput{Name: "王建国", AgeMin: 38, AgeMax: 45}})
		if err != nil || maybe.Stay != nil || len(maybe.Candidates) != 1 || maybe.Candidates[0].Person.ID != first.Person.ID {
			t.Fatalf("candidates: %+v %v", maybe, err)
		}
		// Confirmed as someone new.
		other, err := f.svc.Admit(ctx, f.staff, cases.AdmitInput{Source: "walk_in", Form: cases.Form{Reason: "x", Security: "passed"},
			Person: cases.PersonInput{Name: "王建国", AgeMin: 38, AgeMax: 45}, NewPerson: true})
		if err != nil || other.Stay == nil || other.Person.ID == first.Person.ID {
			t.Fatalf("new person confirmed: %+v %v", other, err)
		}
	})
}

func firstItem(t *testing.T, f *fixture, stayID string) string {
	items, err := f.db.Belongings(context.Background(), stayID)
	if err != nil || len(items) == 0 {
		t.Fatalf("belongings: %v", err)
	}
	return items[0].ID
}

// exitHome ends a stay by return home, handing everything back.
func (f *fixture) exitHome(t *testing.T, stayID string) {
	t.Helper()
	ctx := context.Background()
	st, _ := f.db.StayByID(ctx, stayID)
	items, _ := f.db.Belongings(ctx, stayID)
	ret := map[string]cases.Return{}
	for _, b := range items {
		ret[b.ID] = cases.Return{Qty: b.Qty}
	}
	if _, err := f.svc.Exit(ctx, f.staff, stayID, cases.ExitInput{Kind: cases.ExitReturnHome, At: f.now, Destination: "河南省新乡市红旗区",
		Voucher: cases.Voucher{Mode: "ticket", Route: "新乡—郑州", CostFen: 2450}, Returns: ret}, st.Version); err != nil {
		t.Fatal(err)
	}
}

func TestExitRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		minor := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "小明", AgeMin: 12, AgeMax: 14}, ArrivedAt: f.now.Add(-2 * time.Hour),
			Belongings: []cases.BelongingInput{{Item: "书包", Qty: 1}, {Item: "硬币", Qty: 12}}})
		if !minor.Person.HasFlag(cases.FlagMinor) {
			t.Fatalf("flags %v", minor.Person.Flags)
		}
		items, _ := db.Belongings(ctx, minor.Stay.ID)
		all := map[string]cases.Return{items[0].ID: {Qty: 1}, items[1].ID: {Qty: 12}}
		try := func(in cases.ExitInput) map[string]string {
			if in.Returns == nil {
				in.Returns = all
			}
			if in.At.IsZero() {
				in.At = f.now
			}
			_, err := f.svc.Exit(ctx, f.staff, minor.Stay.ID, in, 1)
			if err != nil && !errs.Is(errs.Invalid, err) {
				t.Fatalf("exit: %v", err)
			}
			return errs.FieldsOf(err)
		}
		if got := try(cases.ExitInput{Kind: cases.ExitReturnHome, Destination: "郑州", Voucher: cases.Voucher{Mode: "ticket", Route: "新乡—郑州", CostFen: 2450}}); got["kind"] != "err.needs_escort" {
			t.Fatalf("a minor sent home alone: %v", got)
		}
		if got := try(cases.ExitInput{Kind: cases.ExitSelf, Statement: true}); got["kind"] != "err.needs_escort" {
			t.Fatalf("a minor leaving alone: %v", got)
		}
		if got := try(cases.ExitInput{Kind: cases.ExitEscorted, Destination: "郑州", Escorts: "赵敏、王强", At: f.now.Add(-3 * time.Hour)}); got["at"] != "err.exit_before_arrival" {
			t.Fatalf("exit before arrival: %v", got)
		}
		// Left without notice (擅自离站): even a minor may be gone; what staff did is written down.
		if got := try(cases.ExitInput{Kind: cases.ExitAbsconded}); got["notes"] != "err.required" || got["kind"] != "" {
			t.Fatalf("left without notice, nothing written: %v", got)
		}
		short := map[string]cases.Return{items[0].ID: {Qty: 1}, items[1].ID: {Qty: 10}}
		if got := try(cases.ExitInput{Kind: cases.ExitEscorted, Destination: "郑州", Escorts: "赵敏", Returns: short}); got["return_"+items[1].ID] != "err.discrepancy_note" {
			t.Fatalf("two coins missing without a note: %v", got)
		}
		short[items[1].ID] = cases.Return{Qty: 10, Note: "本人花掉2枚"}
		st, err := f.svc.Exit(ctx, f.staff, minor.Stay.ID, cases.ExitInput{Kind: cases.ExitEscorted, At: f.now, Destination: "郑州", Escorts: "赵敏", Returns: short}, 1)
		if err != nil || st.State != cases.StayClosed {
			t.Fatalf("escorted return: %v", err)
		}
		back, _ := db.Belongings(ctx, minor.Stay.ID)
		if !back[1].Discrepancy() || back[1].ReturnNote != "本人花掉2枚" {
			t.Fatalf("belongings after exit: %+v", back[1])
		}
		if _, err := f.svc.Exit(ctx, f.staff, minor.Stay.ID, cases.ExitInput{Kind: cases.ExitSelf, At: f.now, Statement: true}, 2); errs.MessageOf(err) != "err.stay_closed" {
			t.Fatalf("exit twice: %v", err)
		}

		// An adult: cash only up to 20 yuan, for local transit, with a receipt.
		adult := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "李四", AgeMin: 40, AgeMax: 50, Mental: cases.MentalNormal}, IncidentID: ""})
		home := func(v cases.Voucher) map[string]string {
			_, err := f.svc.Exit(ctx, f.staff, adult.Stay.ID, cases.ExitInput{Kind: cases.ExitReturnHome, At: f.now, Destination: "获嘉县", Voucher: v,
				Returns: map[string]cases.Return{}}, 1)
			return errs.FieldsOf(err)
		}
		for _, v := range []cases.Voucher{
			{Mode: "cash", CostFen: 2001, LocalTransit: true, ReceiptSigned: true},
			{Mode: "cash", CostFen: 1500, LocalTransit: false, ReceiptSigned: true},
			{Mode: "cash", CostFen: 1500, LocalTransit: true, ReceiptSigned: false},
		} {
			if got := home(v); got["voucher_cost"] != "err.cash_rule" {
				t.Errorf("cash %+v: %v", v, got)
			}
		}
		if got := home(cases.Voucher{}); got["voucher_mode"] != "err.voucher_required" {
			t.Errorf("no voucher: %v", got)
		}
		if got := home(cases.Voucher{Mode: "cash", CostFen: 2000, LocalTransit: true, ReceiptSigned: true}); len(got) != 0 {
			t.Fatalf("20 yuan of local transit refused: %v", got)
		}

		// Family pickup checks the collector's ID number.
		third := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "赵五", AgeMin: 70, AgeMax: 80}})
		in := cases.ExitInput{Kind: cases.ExitFamily, At: f.now, Returns: map[string]cases.Return{}}
		valid := id18("41070219850612003")
		wrong := valid[:17] + map[bool]string{true: "1", false: "2"}[valid[17] != '1']
		in.Collector.Name, in.Collector.Relation, in.Collector.IDNumber, in.Collector.Checked = "赵六", "儿子", wrong, true
		if _, err := f.svc.Exit(ctx, f.staff, third.Stay.ID, in, 1); errs.FieldsOf(err)["collector_id"] != "err.id_checksum" {
			t.Fatalf("collector with a wrong ID number: %v", err)
		}
		in.Collector.IDNumber = id18("41070219850612003")
		st, err = f.svc.Exit(ctx, f.staff, third.Stay.ID, in, 1)
		if err != nil || st.Exit.Collector == nil || strings.Contains(st.Exit.Collector.IDMasked, "19850612") {
			t.Fatalf("family pickup: %+v %v", st, err)
		}
	})
}

func TestMergeUndoAndSplitProtection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "无名氏甲", Aliases: "老刘", AgeMin: 50, AgeMax: 60}})
		f.exitHome(t, a.Stay.ID)
		b := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "刘建华", Aliases: "老刘", AgeMin: 52, AgeMax: 58}, NewPerson: true})
		v, err := f.svc.View(ctx, f.staff, b.Person.ID)
		if err != nil || len(v.Similar) != 1 || v.Similar[0].Person.ID != a.Person.ID {
			t.Fatalf("similar records: %+v %v", v, err)
		}
		m, err := f.svc.Merge(ctx, f.staff, b.Person.ID, a.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.View(ctx, f.staff, a.Person.ID) // the merged record opens its identity
		if v.Person.ID != b.Person.ID || len(v.Linked) != 1 || len(v.Stays) != 2 {
			t.Fatalf("identity after merge: person %s, %d linked, %d stays", v.Person.Ref, len(v.Linked), len(v.Stays))
		}
		if _, err := f.svc.Merge(ctx, f.staff, b.Person.ID, a.Person.ID); errs.MessageOf(err) != "err.already_merged" {
			t.Fatalf("merge twice: %v", err)
		}
		if _, err := f.svc.UndoMerge(ctx, f.staff, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.UndoMerge(ctx, f.staff, m.ID); errs.MessageOf(err) != "err.already_undone" {
			t.Fatalf("undo twice: %v", err)
		}
		v, _ = f.svc.View(ctx, f.staff, b.Person.ID)
		if len(v.Linked) != 0 || len(v.Stays) != 1 || len(v.Similar) != 0 {
			t.Fatalf("after undo: %d linked, %d stays, %d similar (a split pair is never suggested again)", len(v.Linked), len(v.Stays), len(v.Similar))
		}
		if _, err := f.svc.Merge(ctx, f.staff, b.Person.ID, a.Person.ID); errs.MessageOf(err) != "err.marked_distinct" {
			t.Fatalf("merging a split pair again: %v", err)
		}
		// Both records still exist, each with its stay.
		for _, p := range []string{a.Person.ID, b.Person.ID} {
			if _, err := db.PersonByID(ctx, p); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestPermissionsMaskingAndAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		num := id18("41070219850612003")
		ad := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{Name: "王建国", IDNumber: num}, Contact: cases.ContactInput{Name: "李梅", Phone: "13912345678"}})
		full, err := f.svc.View(ctx, f.staff, ad.Person.ID)
		if err != nil || full.IDNumber != num || full.Contacts[0].Phone != "13912345678" {
			t.Fatalf("staff view: %+v %v", full, err)
		}
		doc, err := f.svc.View(ctx, f.doctor, ad.Person.ID)
		if err != nil || doc.IDNumber == num || strings.Contains(doc.IDNumber, "19850612") || doc.Contacts[0].Phone == "13912345678" {
			t.Fatalf("the doctor sees %q / %q", doc.IDNumber, doc.Contacts[0].Phone)
		}
		if _, err := f.svc.View(ctx, f.volunteer, ad.Person.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("the volunteer coordinator opened a person's file: %v", err)
		}
		if _, err := f.svc.View(ctx, f.hospital, ad.Person.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a hospital user opened a person outside its referrals: %v", err)
		}
		entries, _ := db.ListAudit(ctx, audit.Filter{Action: "person.view", RecordID: ad.Person.ID})
		if len(entries) != 2 {
			t.Fatalf("%d view entries, want one per view", len(entries))
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, "1985") {
				t.Fatal("the audit log holds personal data")
			}
		}
	})
}

// The deadline engine on stored stays: the dashboard shows the 24 h
// notice due, then overdue, then done; the KPIs follow.
func TestDashboardDeadlines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		ad := f.admit(t, cases.AdmitInput{Person: cases.PersonInput{AgeMin: 30, AgeMax: 40, Marks: "左臂有烫伤疤痕"}, ArrivedAt: f.now})
		if !ad.Stay.Unidentified {
			t.Fatal("an unnamed person admitted as identified")
		}
		status := func() string {
			d, err := f.svc.Dashboard(ctx, f.staff)
			if err != nil || len(d.Rows) != 1 {
				t.Fatalf("dashboard: %+v %v", d, err)
			}
			for _, dl := range d.Rows[0].Deadlines {
				if dl.Rule == cases.RuleNotice {
					return dl.Status
				}
			}
			return "absent"
		}
		if got := status(); got != cases.DeadlineOpen {
			t.Fatalf("at admission: %s", got)
		}
		f.now = f.now.Add(24 * time.Hour)
		if got := status(); got != cases.DeadlineDueSoon {
			t.Fatalf("at 24 h exactly: %s", got)
		}
		f.now = f.now.Add(time.Minute)
		if got := status(); got != cases.DeadlineOverdue {
			t.Fatalf("at 24 h 1 min: %s", got)
		}
		if err := f.svc.DoTask(ctx, f.staff, ad.Stay.ID, cases.RuleNotice, "头条寻亲已发布"); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.DoTask(ctx, f.staff, ad.Stay.ID, cases.RuleNotice, ""); errs.MessageOf(err) != "err.task_done" {
			t.Fatalf("task twice: %v", err)
		}
		if got := status(); got != cases.DeadlineDoneLate {
			t.Fatalf("after publishing late: %s", got)
		}
		d, _ := f.svc.Dashboard(ctx, f.staff)
		if d.KPIs.Unidentified != 1 || d.KPIs.NoticeDueOrLate != 1 || d.KPIs.NoticeInTime != 0 || d.KPIs.EnteredInDay != 1 {
			t.Fatalf("KPIs %+v", d.KPIs)
		}
	})
}
