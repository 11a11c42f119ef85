package family_test

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/tracing"
)

type fixture struct {
	db     *store.DB
	cases  *cases.Service
	svc    *family.Service
	now    time.Time
	staff  auth.Actor
	police auth.Actor
	public auth.Actor
}

func setup(t *testing.T, db *store.DB, domain string) *fixture {
	t.Helper()
	f := &fixture{db: db, now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), f.now)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return f.now }
	f.cases = &cases.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: now, Rules: cases.Defaults}
	f.svc = &family.Service{Store: db, Cases: f.cases, Audit: db, Keys: keys, Photos: photos, Now: now, Domain: domain,
		Station: family.Station{Name: "新乡市救助管理站", Phone: "0373-5089797"}}
	f.cases.Exited = func(ctx context.Context, id string, k cases.ExitKind) {
		if err := f.svc.Exited(ctx, id, k); err != nil {
			t.Errorf("exited: %v", err)
		}
	}
	f.staff = auth.Actor{UserID: "u-staff", Name: "赵敏", Role: auth.RoleStaff}
	f.police = auth.Actor{UserID: "k-police", Name: "apikey:xinxiang-110", Role: auth.RolePartner, Scopes: []string{"family.write"}}
	return f
}

// admitUnknown admits an unidentified man heard as name, about 60.
func (f *fixture) admitUnknown(t *testing.T, name string) *cases.Admission {
	t.Helper()
	ad, err := f.cases.Admit(context.Background(), f.staff, cases.AdmitInput{Source: "patrol", ArrivedAt: f.now.Add(-2 * time.Hour), NewPerson: true,
		Person: cases.PersonInput{Name: name, Sex: cases.Male, AgeMin: 58, AgeMax: 66, HeightCm: 168, Dialect: "河南长垣口音", Marks: "左臂烫伤疤痕 灰色棉衣",
			Mental: cases.MentalIntellectual},
		Form: cases.Form{Reason: "流浪", Security: "passed", Story: "人民路与平原路口"}})
	if err != nil {
		t.Fatal(err)
	}
	return ad
}

func familyReport(name string) family.ReportInput {
	return family.ReportInput{Name: name, Sex: cases.Male, BirthDate: "1963", HeightCm: 170, NativePlace: "河南省长垣县", LostOn: "2026-09-20",
		LostPlace: "长垣县城", Description: "左臂有烫伤疤痕，走失时穿灰色棉衣，智力残疾", ContactName: "张红", ContactRelation: "女儿", ContactPhone: "13903730001"}
}

// matched lets matching catch up with the changes made so far, as the
// server's worker does within moments of each.
func (f *fixture) matched(t *testing.T) {
	t.Helper()
	if err := f.svc.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// pairOf is the candidate of a person and a report once matching caught up.
func pairOf(t *testing.T, f *fixture, personID, reportID string) *family.Candidate {
	t.Helper()
	f.matched(t)
	cs, err := f.db.Candidates(context.Background(), nil, personID, reportID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.PersonID == personID && c.ReportID == reportID {
			return c
		}
	}
	return nil
}

func TestReportMatchExplainConfirm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		ad := f.admitUnknown(t, "张卫国") // heard; the family writes 张伟国
		n, err := f.svc.Publish(ctx, f.staff, ad.Person.ID, family.NoticeInput{FoundPlace: "新乡市人民路", Clothing: "灰色棉衣"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.File(ctx, f.public, familyReport("张伟国"))
		if err != nil {
			t.Fatal(err)
		}
		c := pairOf(t, f, ad.Person.ID, r.ID)
		if c == nil || c.State != family.Proposed {
			t.Fatalf("no proposal for the homophone pair: %+v", c)
		}
		pr, err := f.svc.Progress(ctx, strings.ToLower(r.Ref))
		if err != nil || pr.Status != family.StatusReview {
			t.Fatalf("progress = %+v, %v; want review", pr, err)
		}
		v, err := f.svc.Candidate(ctx, f.staff, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Fields) != len(tracing.Fields) {
			t.Fatalf("explanation lists %d fields, want every one of %d", len(v.Fields), len(tracing.Fields))
		}
		// One model everywhere: the service scores and explains with the
		// built-in model's weights (which haven match uses too), at the
		// prior of a search of one record.
		m := tracing.DefaultModel()
		unknown := make([]int, len(tracing.Fields))
		for f := range unknown {
			unknown[f] = tracing.Unknown
		}
		want := m.WithPrior(tracing.PriorFor(1)).Score(unknown)
		for f, l := range c.Levels {
			want += m.Weight(f, l)
			if w := v.Fields[f].Weight; l != tracing.Unknown && math.Abs(w-m.Weight(f, l)) > 1e-9 {
				t.Errorf("%s weighs %.3f in the explanation, %.3f in the built-in model", v.Fields[f].Field, w, m.Weight(f, l))
			}
		}
		if math.Abs(want-c.Score) > 1e-9 {
			t.Errorf("the service scores the pair %.4f, the built-in model %.4f", c.Score, want)
		}
		verdicts := map[string]string{}
		for _, fe := range v.Fields {
			verdicts[fe.Field] = fe.Verdict
		}
		if verdicts["name"] != family.VerdictNear || verdicts["sex"] != family.VerdictMatch || verdicts["id_number"] != family.VerdictUnknown {
			t.Errorf("verdicts = %v", verdicts)
		}
		if l, r := v.Fields[0].Left, v.Fields[0].Right; len(l) != 1 || l[0].Text != "张卫国" || len(r) != 1 || r[0].Text != "张伟国" {
			t.Errorf("name values side by side = %q | %q", v.Fields[0].Left, v.Fields[0].Right)
		}
		// The volunteer may not decide; a decision needs the manage permission.
		if _, err := f.svc.Decide(ctx, auth.Actor{Name: "v", Role: auth.RoleVolunteer}, c.ID, family.DecideConfirm, ""); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("volunteer decided: %v", err)
		}
		if _, err := f.svc.Decide(ctx, f.staff, c.ID, family.DecideConfirm, "女儿电话核实"); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ReportByID(ctx, r.ID)
		p, _ := db.PersonByID(ctx, ad.Person.ID)
		if got.Status != family.StatusFound || got.PersonID != p.ID || !p.Identified {
			t.Fatalf("confirm closed report %s/%s, person identified %v", got.Status, got.PersonID, p.Identified)
		}
		pn, _ := db.NoticeByRef(ctx, n.Ref)
		if pn.State != family.NoticeReunited {
			t.Errorf("notice state = %s, want reunited", pn.State)
		}
		pub, err := f.svc.PublicNotice(ctx, n.Ref)
		if err != nil || !pub.Reunited || pub.HasPhoto || pub.Name != "" {
			t.Errorf("public notice after reunion = %+v, %v", pub, err)
		}
		notes, _ := db.CareNotes(ctx, ad.Stay.ID)
		if len(notes) == 0 || !strings.Contains(notes[len(notes)-1].Text, r.Ref) {
			t.Errorf("the station's daily record does not tell of the confirmation: %+v", notes)
		}
		pr, _ = f.svc.Progress(ctx, r.Ref)
		if pr.Status != family.StatusFound || pr.Updates[len(pr.Updates)-1].Kind != "found" {
			t.Errorf("family sees %+v", pr)
		}
		if _, err := f.svc.Decide(ctx, f.staff, c.ID, family.DecideReject, "x"); !errs.Is(errs.Conflict, err) {
			t.Errorf("second decision: %v", err)
		}
	})
}

func TestRejectedPairNeverReturns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		ad := f.admitUnknown(t, "李建国")
		r, err := f.svc.File(ctx, f.public, familyReport("李建国"))
		if err != nil {
			t.Fatal(err)
		}
		c := pairOf(t, f, ad.Person.ID, r.ID)
		if c == nil {
			t.Fatal("no proposal")
		}
		if _, err := f.svc.Decide(ctx, f.staff, c.ID, family.DecideReject, ""); !errs.Is(errs.Invalid, err) {
			t.Fatalf("reject without a reason: %v", err)
		}
		if _, err := f.svc.Decide(ctx, f.staff, c.ID, family.DecideReject, "家属看照片说不是"); err != nil {
			t.Fatal(err)
		}
		// Any later change refreshes both sides; the pair stays rejected.
		if err := f.svc.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := f.cases.UpdatePerson(ctx, f.staff, ad.Person.ID, cases.PersonInput{Name: "李建国", Sex: cases.Male, AgeMin: 58, AgeMax: 66,
			HeightCm: 170, Dialect: "河南长垣口音"}, ad.Person.Version); err != nil {
			t.Fatal(err)
		}
		f.matched(t)
		queue, err := f.svc.Queue(ctx, f.staff, family.Proposed, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queue {
			if q.PersonID == ad.Person.ID && q.ReportID == r.ID {
				t.Fatal("a rejected pair was proposed again")
			}
		}
		if got := pairOf(t, f, ad.Person.ID, r.ID); got == nil || got.State != family.Rejected {
			t.Fatalf("pair = %+v", got)
		}
		rep, _ := db.ReportByID(ctx, r.ID)
		if rep.Status != family.StatusOpen {
			t.Errorf("report status = %s, want back to open", rep.Status)
		}
		// Defer keeps a pair aside but open.
		ad2 := f.admitUnknown(t, "王建国")
		r2, _ := f.svc.File(ctx, f.public, familyReport("王建国"))
		c2 := pairOf(t, f, ad2.Person.ID, r2.ID)
		if c2 == nil {
			t.Fatal("no proposal for the second pair")
		}
		if _, err := f.svc.Decide(ctx, f.staff, c2.ID, family.DecideDefer, "等DNA比对"); err != nil {
			t.Fatal(err)
		}
		_ = f.svc.Refresh(ctx)
		if got := pairOf(t, f, ad2.Person.ID, r2.ID); got.State != family.Deferred {
			t.Errorf("deferred pair is %s after refresh", got.State)
		}
	})
}

func TestConsentKeepsMatchingInside(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		ad := f.admitUnknown(t, "刘志强")
		if err := f.svc.SetConsent(ctx, f.staff, ad.Person.ID, "", true); !errs.Is(errs.Invalid, err) {
			t.Fatalf("consent without a reason: %v", err)
		}
		if err := f.svc.SetConsent(ctx, f.staff, ad.Person.ID, "本人不愿公开寻亲", true); err != nil {
			t.Fatal(err)
		}
		in := familyReport("刘志强")
		in.ExternalID = "110-2026-0001"
		if _, _, err := f.svc.FileBatch(ctx, f.police, []family.ReportInput{in}); err != nil {
			t.Fatal(err)
		}
		police, _ := db.ReportByExternal(ctx, "xinxiang-110", "110-2026-0001")
		if c := pairOf(t, f, ad.Person.ID, police.ID); c != nil {
			t.Fatalf("a private person was matched against a police report: %+v", c)
		}
		fam, err := f.svc.File(ctx, f.public, familyReport("刘志强"))
		if err != nil {
			t.Fatal(err)
		}
		if c := pairOf(t, f, ad.Person.ID, fam.ID); c == nil {
			t.Fatal("a private person must still be matched against the station's own reports")
		}
		if _, err := f.svc.Publish(ctx, f.staff, ad.Person.ID, family.NoticeInput{FoundPlace: "火车站"}); !errs.Is(errs.Conflict, err) {
			t.Fatalf("published a notice for a private person: %v", err)
		}
		doc, err := f.svc.Export(ctx, f.staff)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_ = family.EncodePFIF(&buf, doc)
		if strings.Contains(buf.String(), ad.Person.ID) {
			t.Error("a private person reached the PFIF export")
		}
		// Lifting consent lets the police report find them.
		if err := f.svc.SetConsent(ctx, f.staff, ad.Person.ID, "", false); err != nil {
			t.Fatal(err)
		}
		if c := pairOf(t, f, ad.Person.ID, police.ID); c == nil {
			t.Fatal("consent lifted but no proposal with the police report")
		}
	})
}

func TestPoliceBatchAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		good := familyReport("赵强")
		good.ExternalID = "A1"
		bad := familyReport("钱强")
		bad.ExternalID, bad.LostOn = "A2", "2026-13-40"
		_, problems, err := f.svc.FileBatch(ctx, f.police, []family.ReportInput{good, bad})
		if !errs.Is(errs.Invalid, err) || len(problems) != 1 || problems[0].Index != 1 || problems[0].Fields["lost_on"] != "err.date" {
			t.Fatalf("batch with a bad report: %v %+v", err, problems)
		}
		if rs, _ := db.Reports(ctx, family.ReportFilter{}); len(rs) != 0 {
			t.Fatalf("%d reports stored from a refused batch", len(rs))
		}
		if _, _, err := f.svc.FileBatch(ctx, auth.Actor{Name: "k", Role: auth.RolePartner, Scopes: []string{"intake.write"}}, []family.ReportInput{good}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a key without family.write filed reports: %v", err)
		}
		out, _, err := f.svc.FileBatch(ctx, f.police, []family.ReportInput{good})
		if err != nil {
			t.Fatal(err)
		}
		again, _, err := f.svc.FileBatch(ctx, f.police, []family.ReportInput{good})
		if err != nil || again[0].Ref != out[0].Ref {
			t.Fatalf("resent report: %v, refs %s vs %s", err, again[0].Ref, out[0].Ref)
		}
		if rs, _ := db.Reports(ctx, family.ReportFilter{}); len(rs) != 1 {
			t.Fatalf("%d reports after a resend, want 1", len(rs))
		}
		// The public form needs a way to call the family back and a date.
		in := familyReport("孙强")
		in.ContactPhone, in.LostOn = "", ""
		_, err = f.svc.File(ctx, f.public, in)
		if fs := errs.FieldsOf(err); fs["contact_phone"] != "err.required" || fs["lost_on"] != "err.required" {
			t.Fatalf("fields = %v", fs)
		}
		in = familyReport("孙强")
		in.IDNumber = "99*****"
		if _, err := f.svc.File(ctx, f.public, in); errs.FieldsOf(err)["id_number"] != "err.id_partial" {
			t.Fatalf("bad partial id: %v", err)
		}
	})
}

func TestPFIFRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		ad := f.admitUnknown(t, "")
		if _, err := f.svc.Publish(ctx, f.staff, ad.Person.ID, family.NoticeInput{FoundPlace: "新乡火车站", Clothing: "黑色羽绒服"}); err != nil {
			t.Fatal(err)
		}
		in := familyReport("欧阳明")
		in.Aliases = "小明"
		if _, err := f.svc.File(ctx, f.public, in); err != nil {
			t.Fatal(err)
		}
		priv := familyReport("不公开")
		priv.Private = true
		if _, err := f.svc.File(ctx, f.public, priv); err != nil {
			t.Fatal(err)
		}
		doc, err := f.svc.Export(ctx, f.staff)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := family.EncodePFIF(&buf, doc); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if problems := family.ValidatePFIF(buf.Bytes()); len(problems) > 0 {
			t.Fatalf("export does not validate: %v\n%s", problems, out)
		}
		if len(doc.Persons) != 2 || strings.Contains(out, "不公开") || strings.Contains(out, "13903730001") {
			t.Fatalf("export holds %d persons or private data:\n%s", len(doc.Persons), out)
		}
		// Another station imports it, and exports it again.
		g := setup(t, storetest.OpenSQLite(t), "b.example")
		res, err := g.svc.Import(ctx, g.staff, buf.Bytes(), false)
		if err != nil || res.Added != 2 {
			t.Fatalf("import: %+v, %v", res, err)
		}
		again, err := g.svc.Import(ctx, g.staff, buf.Bytes(), false)
		if err != nil || again.Added != 0 || again.Known != 2 {
			t.Fatalf("second import: %+v, %v", again, err)
		}
		doc2, err := g.svc.Export(ctx, g.staff)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]family.PFIFPerson{}
		for _, p := range doc2.Persons {
			byID[p.RecordID] = p
		}
		for _, p := range doc.Persons {
			q, ok := byID[p.RecordID]
			if !ok {
				t.Fatalf("%s lost in the round trip", p.RecordID)
			}
			if q.FullName != p.FullName || q.Sex != p.Sex || q.DateOfBirth != p.DateOfBirth || q.Age != p.Age || q.AlternateNames != p.AlternateNames {
				t.Errorf("round trip changed %s: %+v -> %+v", p.RecordID, p, q)
			}
		}
	})
}

func TestValidatePFIF(t *testing.T) {
	for _, c := range []struct {
		name, doc, field string
		line             int
	}{
		{"wrong namespace", `<pfif xmlns="http://zesty.ca/pfif/2.0"><person/></pfif>`, "pfif", 1},
		{"1.2 without its required names", `<pfif xmlns="http://zesty.ca/pfif/1.2"><person/></pfif>`, "first_name", 1},
		{"missing full_name", "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n<pfif:person_record_id>a.org/1</pfif:person_record_id>\n<pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date>\n</pfif:person></pfif:pfif>", "full_name", 2},
		{"bad date", "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n<pfif:person_record_id>a.org/1</pfif:person_record_id>\n<pfif:source_date>2026-01-01</pfif:source_date>\n<pfif:full_name>x</pfif:full_name></pfif:person></pfif:pfif>", "source_date", 4},
		{"out of order in 1.2", "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.2\">\n<pfif:person>\n<pfif:first_name>x</pfif:first_name>\n<pfif:person_record_id>a.org/1</pfif:person_record_id>\n<pfif:last_name>y</pfif:last_name></pfif:person></pfif:pfif>", "person_record_id", 4},
		{"repeated in any order", "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person>\n<pfif:full_name>x</pfif:full_name>\n<pfif:person_record_id>a.org/1</pfif:person_record_id>\n<pfif:full_name>y</pfif:full_name>\n<pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date></pfif:person></pfif:pfif>", "full_name", 5},
		{"bad status", "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\"><pfif:person><pfif:person_record_id>a.org/1</pfif:person_record_id><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>x</pfif:full_name>\n<pfif:note><pfif:note_record_id>a.org/n1</pfif:note_record_id><pfif:author_name>a</pfif:author_name><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:status>found</pfif:status><pfif:text>t</pfif:text></pfif:note></pfif:person></pfif:pfif>", "status", 2},
		{"bad record id", `<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:person_record_id>nodomain</pfif:person_record_id><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>x</pfif:full_name></pfif:person></pfif:pfif>`, "person_record_id", 1},
		{"unknown field", `<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:person_record_id>a.org/1</pfif:person_record_id><pfif:shoe_size>9</pfif:shoe_size></pfif:person></pfif:pfif>`, "shoe_size", 1},
		{"not xml", `<pfif:pfif`, "xml", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			ps := family.ValidatePFIF([]byte(c.doc))
			for _, p := range ps {
				if p.Field == c.field && p.Line == c.line {
					return
				}
			}
			t.Fatalf("want a problem with %s on line %d, got %v", c.field, c.line, ps)
		})
	}
	// A refused document imports nothing.
	f := setup(t, storetest.OpenSQLite(t), "a.example")
	doc := "<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/1.4\">\n<pfif:person><pfif:person_record_id>c.org/1</pfif:person_record_id><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>好</pfif:full_name></pfif:person>\n<pfif:person><pfif:person_record_id>c.org/2</pfif:person_record_id><pfif:source_date>bad</pfif:source_date><pfif:full_name>坏</pfif:full_name></pfif:person>\n</pfif:pfif>"
	res, err := f.svc.Import(context.Background(), f.staff, []byte(doc), false)
	if !errs.Is(errs.Invalid, err) || len(res.Invalids) != 1 || res.Invalids[0].Line != 3 {
		t.Fatalf("import of a bad document: %+v, %v", res, err)
	}
	if rs, _ := f.db.Reports(context.Background(), family.ReportFilter{}); len(rs) != 0 {
		t.Fatal("a refused document left reports behind")
	}
	res, err = f.svc.Import(context.Background(), f.staff, []byte(doc), true)
	if err != nil || res.Added != 1 || len(res.Skipped) != 1 {
		t.Fatalf("import skipping bad persons: %+v, %v", res, err)
	}
	// A top-level note joins its person's report.
	g := setup(t, storetest.OpenSQLite(t), "a.example")
	withNote := strings.Replace(doc, "\n</pfif:pfif>", "\n<pfif:note><pfif:note_record_id>c.org/n9</pfif:note_record_id><pfif:person_record_id>c.org/1</pfif:person_record_id><pfif:author_name>c</pfif:author_name><pfif:source_date>2026-01-02T00:00:00Z</pfif:source_date><pfif:status>believed_alive</pfif:status><pfif:text>在郑州站见过</pfif:text></pfif:note>\n</pfif:pfif>", 1)
	res, err = g.svc.Import(context.Background(), g.staff, []byte(withNote), true)
	if err != nil || res.Added != 1 {
		t.Fatalf("import with a top-level note: %+v, %v", res, err)
	}
	us, _ := g.db.Updates(context.Background(), res.Reports[0].ID, false)
	found := false
	for _, u := range us {
		found = found || strings.Contains(u.Text, "在郑州站见过")
	}
	if !found {
		t.Fatalf("the top-level note was dropped: %+v", us)
	}
}

func FuzzValidatePFIF(f *testing.F) {
	f.Add([]byte(`<pfif:pfif xmlns:pfif="http://zesty.ca/pfif/1.4"><pfif:person><pfif:person_record_id>a.org/1</pfif:person_record_id><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:full_name>x</pfif:full_name><pfif:note><pfif:note_record_id>a.org/n</pfif:note_record_id><pfif:author_name>a</pfif:author_name><pfif:source_date>2026-01-01T00:00:00Z</pfif:source_date><pfif:text>t</pfif:text></pfif:note></pfif:person></pfif:pfif>`))
	f.Add([]byte(`<pfif/>`))
	f.Add([]byte{0xff, 0xfe})
	// Older versions (issue 22): 1.1 with home_zip and other, 1.2 with
	// found and a top-level note, 1.3 shuffled, and a 1.2 document out of
	// order with a repeated field.
	f.Add([]byte(`<pfif xmlns="http://zesty.ca/pfif/1.1"><person><person_record_id>o.example/1</person_record_id><first_name>A</first_name><last_name>B</last_name><home_zip>453000</home_zip><other>x</other><note><note_record_id>o.example/n</note_record_id><author_name>a</author_name><source_date>2011-01-01T00:00:00Z</source_date><found>true</found><text>t</text></note></person></pfif>`))
	f.Add([]byte(`<p:pfif xmlns:p="http://zesty.ca/pfif/1.2"><p:note><p:note_record_id>o.example/n</p:note_record_id><p:person_record_id>o.example/1</p:person_record_id><p:author_name>a</p:author_name><p:source_date>2011-01-01T00:00:00Z</p:source_date><p:found>maybe</p:found><p:text>t</p:text></p:note></p:pfif>`))
	f.Add([]byte(`<pfif xmlns="http://zesty.ca/pfif/1.3"><person><other>o</other><full_name>x</full_name><person_record_id>o.example/1</person_record_id><expiry_date>2030-01-01T00:00:00Z</expiry_date></person></pfif>`))
	f.Add([]byte(`<pfif xmlns="http://zesty.ca/pfif/1.2"><person><last_name>b</last_name><person_record_id>o.example/1</person_record_id><first_name>a</first_name><first_name>c</first_name><x:y xmlns:x="urn:x">z</x:y></person></pfif>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := family.ValidatePFIF(data)
		for _, p := range ps {
			if p.Line < 0 || p.Field == "" || p.Reason == "" {
				t.Fatalf("problem without a place: %+v", p)
			}
			if p.Dropped != "" && p.Dropped != family.DroppedField && p.Dropped != family.DroppedRecord {
				t.Fatalf("problem with an unknown consequence: %+v", p)
			}
		}
	})
}
