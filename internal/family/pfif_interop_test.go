package family_test

import (
	"context"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// Issue 22: PFIF as other systems write it.

// pfifDoc wraps records in a PFIF root of version v, one element a line.
func pfifDoc(v string, lines ...string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<pfif:pfif xmlns:pfif=\"http://zesty.ca/pfif/" + v + "\">\n" + strings.Join(lines, "\n") + "\n</pfif:pfif>\n"
}

func el(name, v string) string { return "<pfif:" + name + ">" + v + "</pfif:" + name + ">" }

// TestPFIFShuffledOrderImports: from PFIF 1.3 on a record's fields may
// come in any order (Person Finder writes and tests such files); the
// required fields, formats and repetition are still checked.
func TestPFIFShuffledOrderImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		doc := pfifDoc("1.4",
			"<pfif:person>",
			el("note", el("text", "在郑州站见过")+el("status", "believed_alive")+el("source_date", "2026-01-02T00:00:00Z")+el("author_name", "志愿者")+el("note_record_id", "pf.example/note.1")),
			el("sex", "male"),
			el("home_city", "长垣县"),
			el("full_name", "王建国"),
			el("age", "60-65"),
			el("source_date", "2026-01-01T00:00:00Z"),
			el("entry_date", "2026-01-01T00:00:00Z"),
			el("description", "左臂有疤"),
			el("person_record_id", "pf.example/person.1"),
			"</pfif:person>",
			"<pfif:note>"+el("text", "已联系家属")+el("person_record_id", "pf.example/person.1")+el("source_date", "2026-01-03T00:00:00Z")+el("note_record_id", "pf.example/note.2")+el("author_name", "社工")+"</pfif:note>")
		if ps := family.ValidatePFIF([]byte(doc)); len(ps) != 0 {
			t.Fatalf("a shuffled PFIF 1.4 document has problems: %v", ps)
		}
		res, err := f.svc.Import(ctx, f.staff, []byte(doc), false)
		if err != nil || res.Added != 1 || res.Version != "1.4" {
			t.Fatalf("import: %+v %v", res, err)
		}
		r := res.Reports[0]
		if r.Name != "王建国" || r.NativePlace != "长垣县" || r.AgeMin != 60 || r.AgeMax != 65 || r.Description != "左臂有疤" {
			t.Fatalf("report: %+v", r)
		}
		us, _ := f.db.Updates(ctx, r.ID, false)
		var texts []string
		for _, u := range us {
			texts = append(texts, u.Text)
		}
		if j := strings.Join(texts, "|"); !strings.Contains(j, "在郑州站见过") || !strings.Contains(j, "已联系家属") {
			t.Fatalf("notes: %v", texts)
		}
		// Shuffled, but a required field missing or a bad format is still
		// found.
		bad := pfifDoc("1.3", "<pfif:person>", el("full_name", "x"), el("sex", "maybe"), "</pfif:person>")
		ps := family.ValidatePFIF([]byte(bad))
		if !hasProblem(ps, "person_record_id", "required") || !hasProblem(ps, "sex", "want female") {
			t.Fatalf("1.3 problems: %v", ps)
		}
	})
}

func hasProblem(ps []family.PFIFError, field, reason string) bool {
	for _, p := range ps {
		if p.Field == field && strings.Contains(p.Reason, reason) {
			return true
		}
	}
	return false
}

// TestPFIFOlderVersionsImport: PFIF 1.1, 1.2 and 1.3 documents import,
// their renamed fields read as 1.4's (description ← other,
// author_made_contact ← found, given/family_name ← first/last_name,
// home_postal_code ← home_zip), as Person Finder reads them.
func TestPFIFOlderVersionsImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		v12 := pfifDoc("1.2",
			"<pfif:person>",
			el("person_record_id", "old.example/p12"),
			el("source_date", "2011-03-12T00:00:00Z"),
			el("first_name", "秀英"),
			el("last_name", "李"),
			el("sex", "female"),
			el("age", "70"),
			el("home_city", "封丘县"),
			el("other", "description: 穿蓝色外套"),
			"<pfif:note>"+el("note_record_id", "old.example/n12")+el("author_name", "李明")+el("source_date", "2011-03-13T00:00:00Z")+
				el("found", "true")+el("status", "believed_alive")+el("last_known_location", "新乡东站")+el("text", "在车站见到本人")+"</pfif:note>",
			"</pfif:person>")
		v13 := pfifDoc("1.3",
			"<pfif:person>",
			el("other", "戴眼镜"),
			el("full_name", "Zhang Wei"),
			el("first_name", "Wei"),
			el("last_name", "Zhang"),
			el("person_record_id", "old.example/p13"),
			el("expiry_date", "2030-01-01T00:00:00Z"),
			"<pfif:note>"+el("found", "false")+el("text", "仍在寻找")+el("note_record_id", "old.example/n13")+el("author_name", "张")+el("source_date", "2011-03-13T00:00:00Z")+"</pfif:note>",
			"</pfif:person>")
		v11 := pfifDoc("1.1",
			"<pfif:person>",
			el("person_record_id", "old.example/p11"),
			el("first_name", "JOHN"),
			el("last_name", "SMITH"),
			el("home_zip", "453000"),
			el("other", "tall"),
			"</pfif:person>")
		for _, c := range []struct {
			version, doc, name, desc, note string
		}{
			{"1.2", v12, "李秀英", "description: 穿蓝色外套", "believed_alive 在车站见到本人"},
			{"1.3", v13, "Zhang Wei", "戴眼镜", "仍在寻找"},
			{"1.1", v11, "JOHN SMITH", "tall", ""},
		} {
			if ps := family.ValidatePFIF([]byte(c.doc)); len(ps) != 0 {
				t.Fatalf("PFIF %s: %v", c.version, ps)
			}
			res, err := f.svc.Import(ctx, f.staff, []byte(c.doc), false)
			if err != nil || res.Added != 1 || res.Version != c.version {
				t.Fatalf("PFIF %s import: %+v %v", c.version, res, err)
			}
			r := res.Reports[0]
			if r.Name != c.name || r.Description != c.desc {
				t.Fatalf("PFIF %s: name %q description %q", c.version, r.Name, r.Description)
			}
			if c.version == "1.2" && (r.Sex != "female" || r.AgeMin != 70 || r.NativePlace != "封丘县" || r.LostPlace != "") {
				t.Fatalf("PFIF 1.2 fields: %+v", r)
			}
			if c.note != "" {
				us, _ := f.db.Updates(ctx, r.ID, false)
				found := false
				for _, u := range us {
					found = found || u.Text == c.note
				}
				if !found {
					t.Fatalf("PFIF %s note not kept as %q: %+v", c.version, c.note, us)
				}
			}
		}
		// A 1.1 document with 1.4-only fields names them.
		if ps := family.ValidatePFIF([]byte(pfifDoc("1.1", "<pfif:person>", el("person_record_id", "o.example/1"), el("first_name", "a"), el("last_name", "b"), el("full_name", "ab"), "</pfif:person>"))); !hasProblem(ps, "full_name", "not a PFIF 1.1 person field") {
			t.Fatalf("1.1 with full_name: %v", ps)
		}
	})
}

// TestPFIFSkipBadKeepsRecord: under skip-bad-records a bad optional field
// is left out and its record kept, each skip reported with its line; a
// record missing a required field is still skipped, and a bad note does
// not take its person with it.
func TestPFIFSkipBadKeepsRecord(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		doc := pfifDoc("1.4",
			"<pfif:person>",
			el("person_record_id", "c.example/1"),
			el("source_date", "2026-01-01T00:00:00Z"),
			el("full_name", "赵有福"),
			el("sex", "unknown"),               // line 7: not a PFIF sex
			el("date_of_birth", "1950-13-45x"), // line 8
			el("home_city", "获嘉县"),
			"<pfif:note>"+el("note_record_id", "c.example/n1")+el("author_name", "c")+el("source_date", "2026-01-02T00:00:00Z")+el("status", "seen")+el("text", "在公园见过")+"</pfif:note>", // line 10: bad status, optional
			"<pfif:note>"+el("note_record_id", "c.example/n2")+el("author_name", "c")+el("source_date", "2026-01-02T00:00:00Z")+"</pfif:note>",                                          // line 11: no text, the note is skipped
			"</pfif:person>",
			"<pfif:person>", // line 13: no full_name, skipped
			el("person_record_id", "c.example/2"),
			el("source_date", "2026-01-01T00:00:00Z"),
			"</pfif:person>")
		if _, err := f.svc.Import(ctx, f.staff, []byte(doc), false); !errs.Is(errs.Invalid, err) {
			t.Fatalf("without skip-bad the document is refused: %v", err)
		}
		res, err := f.svc.Import(ctx, f.staff, []byte(doc), true)
		if err != nil || res.Added != 1 {
			t.Fatalf("skip-bad import: %+v %v", res, err)
		}
		r := res.Reports[0]
		if r.Name != "赵有福" || r.NativePlace != "获嘉县" || r.BirthDate != "" || string(r.Sex) != "unknown" {
			t.Fatalf("kept report: %+v", r)
		}
		want := []struct {
			line    int
			field   string
			dropped string
		}{{7, "sex", family.DroppedField}, {8, "date_of_birth", family.DroppedField}, {10, "status", family.DroppedField},
			{11, "text", family.DroppedRecord}, {13, "full_name", family.DroppedRecord}}
		for _, w := range want {
			ok := false
			for _, s := range res.Skipped {
				ok = ok || (s.Line == w.line && s.Field == w.field && s.Dropped == w.dropped)
			}
			if !ok {
				t.Errorf("no skip of %s on line %d (%s): %+v", w.field, w.line, w.dropped, res.Skipped)
			}
		}
		us, _ := f.db.Updates(ctx, r.ID, false)
		kept := false
		for _, u := range us {
			kept = kept || u.Text == "在公园见过"
		}
		if !kept {
			t.Fatalf("the note with a bad optional status was not kept: %+v", us)
		}
		if rs, _ := f.db.Reports(ctx, family.ReportFilter{}); len(rs) != 1 {
			t.Fatalf("%d reports, want 1", len(rs))
		}
	})
}
