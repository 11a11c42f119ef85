package family_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// rowsOf opens a pair's explanation as staff see it, by field.
func rowsOf(t *testing.T, f *fixture, personID, reportID string) map[string]family.FieldExplain {
	t.Helper()
	c := pairOf(t, f, personID, reportID)
	if c == nil {
		t.Fatal("no candidate for the pair")
	}
	v, err := f.svc.Candidate(context.Background(), f.staff, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]family.FieldExplain{}
	for _, fe := range v.Fields {
		rows[fe.Field] = fe
	}
	return rows
}

func labels(vs []family.Value) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Label)
	}
	return out
}

// Every row of a match explanation compares like with like and says why
// it could not compare: marks with marks and clothing (never an accent),
// the region from the ID number both sides share, a side that lacks a
// field named.
func TestExplanationComparesLikeWithLike(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		first17 := "411302" + "19830705" + "951"
		id := first17 + string(idcard.CheckChar(first17))
		// An ID card found on him, his name unknown: unidentified.
		ad, err := f.cases.Admit(ctx, f.staff, cases.AdmitInput{Source: "patrol", ArrivedAt: f.now.Add(-2 * time.Hour), NewPerson: true,
			Person: cases.PersonInput{IDNumber: id, Sex: cases.Male, NativePlace: "河南省南阳市宛城区", Dialect: "河南话", Marks: "右手缺小指"},
			Form:   cases.Form{Reason: "流浪", Security: "passed", Story: "新乡火车站广场"}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := f.svc.File(ctx, f.public, family.ReportInput{Name: "苏鸣", Sex: cases.Male, BirthDate: "1983", NativePlace: "河南省南阳市宛城区",
			IDNumber: id[:10] + "********", LostOn: "2026-01-03", LostPlace: "外出务工", Features: "右手缺小指", Description: "走失时穿灰色棉衣",
			ContactName: "苏红", ContactPhone: "13903730001"})
		if err != nil {
			t.Fatal(err)
		}
		rows := rowsOf(t, f, ad.Person.ID, r.ID)
		if g := rows["region"]; g.Verdict != family.VerdictMatch {
			t.Errorf("the same region on both sides reads %s (%s) %+v | %+v", g.Verdict, g.Missing, g.Left, g.Right)
		}
		if g := rows["sex"]; len(g.Left) != 1 || g.Left[0].Key != "sex.male" || g.Right[0].Key != "sex.male" {
			t.Errorf("sex is shown as %+v | %+v, want the catalogue's words", g.Left, g.Right)
		}
		g := rows["features"]
		if strings.Join(labels(g.Left), ",") != "match.v_marks" || strings.Join(labels(g.Right), ",") != "match.v_marks,match.v_description" {
			t.Errorf("features rows hold %v | %v", labels(g.Left), labels(g.Right))
		}
		for _, v := range append(g.Left, g.Right...) {
			if strings.Contains(v.Text, "河南话") {
				t.Errorf("an accent is compared as a feature: %+v", v)
			}
		}
		if g.Verdict == family.VerdictMismatch || g.Verdict == family.VerdictUnknown {
			t.Errorf("the same mark reads %s", g.Verdict)
		}
		if g := rows["height"]; g.Verdict != family.VerdictUnknown || g.Missing != family.MissingBoth {
			t.Errorf("height recorded on neither side: %s %q", g.Verdict, g.Missing)
		}
		if g := rows["name"]; g.Missing != family.MissingPerson {
			t.Errorf("a name only the family gives: missing %q, want the person's side", g.Missing)
		}
		if g := rows["place"]; labels(g.Left)[0] != "match.v_found" || labels(g.Right)[0] != "match.v_lost" {
			t.Errorf("place compares %v with %v", labels(g.Left), labels(g.Right))
		}

		// A leader may see candidates but not ID numbers: the region row
		// says the pair was placed by an ID number's region it withholds
		// (with the accent the leader may see), never the county itself.
		c := pairOf(t, f, ad.Person.ID, r.ID)
		lv, err := f.svc.Candidate(ctx, auth.Actor{UserID: "u-leader", Name: "郑国华", Role: auth.RoleLeader}, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, fe := range lv.Fields {
			if fe.Field != "region" {
				continue
			}
			if fe.Verdict != family.VerdictMatch {
				t.Errorf("the leader's region row reads %s", fe.Verdict)
			}
			for side, vs := range [][]family.Value{fe.Left, fe.Right} {
				if len(vs) == 0 || vs[0].Label != "match.v_id_region" || vs[0].Key != "match.v_withheld" {
					t.Errorf("side %d of the leader's region row: %+v, want the ID number's region withheld", side, vs)
				}
				for _, v := range vs {
					if shown := fmt.Sprint(v.Text, v.Args); strings.Contains(shown, "宛城") || strings.Contains(shown, "南阳") {
						t.Errorf("side %d shows the place the ID number names to a leader: %+v", side, v)
					}
				}
			}
			if len(fe.Left) != 2 || fe.Left[1].Label != "match.v_accent" {
				t.Errorf("the leader's region row, person's side: %+v, want the accent after the withheld region", fe.Left)
			}
		}

		// Confirmed, he takes the name: the row reads the name, not unknown.
		if _, err := f.svc.Decide(ctx, f.staff, c.ID, family.DecideConfirm, "家属视频核实"); err != nil {
			t.Fatal(err)
		}
		if p, _ := db.PersonByID(ctx, ad.Person.ID); p.Name != "苏鸣" {
			t.Fatalf("confirmed person's name = %q, want the report's", p.Name)
		}
		if g := rowsOf(t, f, ad.Person.ID, r.ID)["name"]; g.Verdict != family.VerdictMatch {
			t.Errorf("the name learnt at confirmation reads %s: %+v | %+v", g.Verdict, g.Left, g.Right)
		}
	})
}
