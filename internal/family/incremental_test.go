package family_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// world draws a station's day at random: people alike enough in name,
// age, accent and marks that matching proposes pairs, and the changes
// staff, families and the police make to them.
type world struct {
	f       *fixture
	r       *rand.Rand
	people  []string // person ids
	reports []string
	merges  []string
	n       int // serial for reference numbers
}

var (
	worldSurnames = []string{"张", "王", "刘", "李"}
	worldGiven    = []string{"卫国", "伟国", "建国", "志强", "秀英", "明"}
	worldDialects = []string{"河南长垣口音", "河南新乡口音", "山东口音", "四川口音", ""}
	worldMarks    = []string{"左臂烫伤疤痕", "右眉有疤", "灰色棉衣", "黑色羽绒服", ""}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (w *world) name() string {
	if w.r.IntN(5) == 0 {
		return "" // could not say
	}
	return pick(w.r, worldSurnames) + pick(w.r, worldGiven)
}

func (w *world) personInput() cases.PersonInput {
	age := 20 + w.r.IntN(50)
	in := cases.PersonInput{Name: w.name(), Sex: pick(w.r, []cases.Sex{cases.Male, cases.Male, cases.Female, cases.SexUnknown}),
		AgeMin: age, AgeMax: age + 4 + w.r.IntN(6), HeightCm: 150 + w.r.IntN(30), Dialect: pick(w.r, worldDialects),
		Marks: strings.TrimSpace(pick(w.r, worldMarks) + " " + pick(w.r, worldMarks)), Mental: cases.MentalIntellectual}
	if in.Name != "" && w.r.IntN(4) == 0 { // a card on him: identified
		first := fmt.Sprintf("410728%d0%d%02d%03d", 1950+w.r.IntN(50), 1+w.r.IntN(9), 1+w.r.IntN(28), w.n)
		in.IDNumber = first + string(idcard.CheckChar(first))
		in.AgeMin, in.AgeMax = 0, 0
	}
	return in
}

// reportInput is a family's report: mostly of someone on file, as the
// family knows them (the name as written, the birth year, the home).
func (w *world) reportInput() family.ReportInput {
	in := familyReport(pick(w.r, worldSurnames) + pick(w.r, worldGiven))
	in.BirthDate = fmt.Sprint(1950 + w.r.IntN(50))
	in.HeightCm = 150 + w.r.IntN(30)
	in.NativePlace = pick(w.r, []string{"河南省长垣县", "河南新乡", "山东", "四川成都", ""})
	in.Description = strings.TrimSpace(pick(w.r, worldMarks) + " " + pick(w.r, worldMarks) + " 走失")
	in.Sex = pick(w.r, []cases.Sex{cases.Male, cases.Female})
	if len(w.people) > 0 && w.r.IntN(3) > 0 {
		if p, err := w.f.db.PersonByID(context.Background(), pick(w.r, w.people)); err == nil {
			in.Name = strings.NewReplacer("卫", "伟", "伟", "卫").Replace(p.Name)
			if in.Name == "" {
				in.Name = pick(w.r, worldSurnames) + pick(w.r, worldGiven)
			}
			if p.Sex != cases.SexUnknown {
				in.Sex = p.Sex
			}
			if p.AgeMax > 0 {
				in.BirthDate = fmt.Sprint(w.f.now.Year() - p.AgeMin - 2)
			}
			in.HeightCm = p.HeightCm + w.r.IntN(5) - 2
			in.Description = p.Marks + " 走失"
		}
	}
	return in
}

// step makes one random change; a change refused (a merge of two people
// in care, a record changed meanwhile) is a change not made.
func (w *world) step(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	f, r := w.f, w.r
	f.now = f.now.Add(time.Minute)
	w.n++
	anyPerson := func() (*cases.Person, bool) {
		if len(w.people) == 0 {
			return nil, false
		}
		p, err := f.db.PersonByID(ctx, pick(r, w.people))
		return p, err == nil
	}
	openStay := func(personID string) *cases.Stay {
		stays, _ := f.db.StaysOf(ctx, []string{personID})
		for _, st := range stays {
			if st.State == cases.StayOpen {
				return st
			}
		}
		return nil
	}
	switch op := r.IntN(16); {
	case op < 4 || len(w.people) < 40:
		ad, err := f.cases.Admit(ctx, f.staff, cases.AdmitInput{Source: "patrol", ArrivedAt: f.now.Add(-time.Duration(r.IntN(48)) * time.Hour),
			NewPerson: true, Person: w.personInput(), Form: cases.Form{Reason: "流浪", Security: "passed", Story: pick(r, []string{"人民路与平原路口", "新乡火车站", ""})}})
		if err == nil {
			w.people = append(w.people, ad.Person.ID)
		}
		return "admit"
	case op == 15 || len(w.reports) < 20:
		if rep, err := f.svc.File(ctx, f.public, w.reportInput()); err == nil {
			w.reports = append(w.reports, rep.ID)
		}
		return "report"
	case op == 3:
		if p, ok := anyPerson(); ok && p.MergedInto == "" && openStay(p.ID) == nil {
			_, _ = f.cases.Admit(ctx, f.staff, cases.AdmitInput{Source: "patrol", ArrivedAt: f.now, PersonID: p.ID,
				Form: cases.Form{Reason: "再次求助", Security: "passed", Story: "平原路桥下"}})
		}
		return "readmit"
	case op == 4:
		if p, ok := anyPerson(); ok && p.MergedInto == "" {
			in := w.personInput()
			in.IDNumber = "" // the number stays as it was
			_, _ = f.cases.UpdatePerson(ctx, f.staff, p.ID, in, p.Version)
		}
		return "edit"
	case op == 5:
		if p, ok := anyPerson(); ok {
			if st := openStay(p.ID); st != nil {
				in := cases.ExitInput{Kind: cases.ExitTransfer, At: f.now, Destination: "郑州市救助管理站"}
				if r.IntN(2) == 0 {
					in = cases.ExitInput{Kind: cases.ExitEscorted, At: f.now, Destination: "长垣县", Escorts: "赵敏、李强"}
				}
				_, _ = f.cases.Exit(ctx, f.staff, st.ID, in, st.Version)
			}
		}
		return "exit"
	case op == 6:
		// One identity, two records: at most one of them in care.
		for range 10 {
			a, b := pick(r, w.people), pick(r, w.people)
			if a == b || openStay(a) != nil && openStay(b) != nil {
				continue
			}
			if m, err := f.cases.Merge(ctx, f.staff, a, b); err == nil {
				w.merges = append(w.merges, m.ID)
				break
			}
		}
		return "merge"
	case op == 7:
		if len(w.merges) > 0 {
			_, _ = f.cases.UndoMerge(ctx, f.staff, pick(r, w.merges))
		}
		return "undo merge"
	case op == 8:
		if p, ok := anyPerson(); ok {
			_ = f.svc.SetConsent(ctx, f.staff, p.ID, "本人不愿公开寻亲", r.IntN(2) == 0)
		}
		return "consent"
	case op == 9:
		if rep, err := f.svc.File(ctx, f.public, w.reportInput()); err == nil {
			w.reports = append(w.reports, rep.ID)
		}
		return "report"
	case op == 10:
		var batch []family.ReportInput
		for i := range 1 + r.IntN(3) {
			in := w.reportInput()
			in.ExternalID = fmt.Sprintf("110-%d-%d", w.n, i)
			batch = append(batch, in)
		}
		if out, _, err := f.svc.FileBatch(ctx, f.police, batch); err == nil {
			for _, rep := range out {
				w.reports = append(w.reports, rep.ID)
			}
		}
		return "police batch"
	case op == 11:
		if len(w.reports) > 0 {
			if rep, err := f.db.ReportByID(ctx, pick(r, w.reports)); err == nil && rep.Active() {
				_ = f.svc.Withdraw(ctx, f.staff, rep.ID, "家属已自行找到", rep.Version)
			}
		}
		return "withdraw"
	case op == 12 || op == 13:
		open, _ := f.db.Candidates(ctx, []string{family.Proposed, family.Deferred}, "", "")
		if len(open) > 0 {
			c := pick(r, open)
			decision := pick(r, []string{family.DecideReject, family.DecideDefer, family.DecideConfirm})
			_, _ = f.svc.Decide(ctx, f.staff, c.ID, decision, "核实")
		}
		return "decide"
	default:
		if p, ok := anyPerson(); ok && openStay(p.ID) == nil {
			_, _ = f.db.ApplyRetention(ctx, datarights.RetainIdentity, p.ID, f.now,
				audit.Entry{ActorName: "haven", Action: "retention.identity", RecordType: "person", RecordID: p.ID})
		}
		return "erase"
	}
}

// proposals are what family search left in the store: every candidate
// with its evidence and state, and every report's status.
func proposals(t *testing.T, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	cs, err := db.Candidates(ctx, nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range cs {
		lv, _ := json.Marshal(c.Levels)
		out = append(out, fmt.Sprintf("%s %s %s %v %v %s %s", c.PersonID, c.Target(), c.State, c.Score, c.Probability, c.Label, lv))
	}
	rs, err := db.Reports(ctx, family.ReportFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		out = append(out, "report "+r.ID+" "+r.Status)
	}
	slices.Sort(out)
	return out
}

// Matching change by change gives the proposals a search of everything
// gives: after random sequences of admissions, re-admissions, edits,
// exits, merges and their undoing, consent given and lifted, reports
// filed, sent by the police and withdrawn, decisions and erasure,
// matched one change at a time or a few together.
func TestIncrementalMatchingEqualsFullRefresh(t *testing.T) {
	defer family.SetBuildPageForTest(7)() // the build reads the people a page at a time: many pages here
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		w := &world{f: f, r: rand.New(rand.NewPCG(16, 2026))}
		ctx := context.Background()
		compared := 0
		for round := range 6 {
			var ops []string
			for range 15 {
				ops = append(ops, w.step(t))
				if w.r.IntN(3) > 0 {
					f.matched(t)
				}
			}
			f.matched(t)
			incremental := proposals(t, db)
			if err := f.svc.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			full := proposals(t, db)
			if !slices.Equal(incremental, full) {
				t.Fatalf("round %d (%s): matching change by change left\n%s\na full refresh gives\n%s", round, strings.Join(ops, ", "),
					strings.Join(incremental, "\n"), strings.Join(full, "\n"))
			}
			for _, p := range full {
				if !strings.HasPrefix(p, "report ") {
					compared++
				}
			}
		}
		if compared == 0 {
			t.Fatal("no proposal was ever made: the comparison proves nothing")
		}
	})
}

// An admission commits and returns without matching: the person's page
// says matching until the worker has caught up, and then the proposal is
// there.
func TestAdmissionReturnsBeforeMatching(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db, "a.example")
		ctx := context.Background()
		r, err := f.svc.File(ctx, f.public, familyReport("张伟国"))
		if err != nil {
			t.Fatal(err)
		}
		f.matched(t) // the worker running: the index is built
		ad := f.admitUnknown(t, "张卫国")
		if cs, _ := db.Candidates(ctx, nil, ad.Person.ID, ""); len(cs) != 0 {
			t.Fatalf("the admission matched inline: %d candidates before the worker ran", len(cs))
		}
		if pending, err := f.svc.PersonMatching(ctx, ad.Person.ID); err != nil || !pending {
			t.Fatalf("before matching: pending %v, %v; want true", pending, err)
		}
		f.matched(t)
		if c := pairOf(t, f, ad.Person.ID, r.ID); c == nil || c.State != family.Proposed {
			t.Fatalf("no proposal after the worker ran: %+v", c)
		}
		if pending, err := f.svc.PersonMatching(ctx, ad.Person.ID); err != nil || pending {
			t.Fatalf("after matching: pending %v, %v; want false", pending, err)
		}
		if rep, _ := f.svc.Report(ctx, f.staff, r.ID); rep == nil || rep.Matching || rep.Status != family.StatusReview {
			t.Fatalf("report after matching: %+v", rep)
		}
	})
}

// Two nodes on one database: each follows the log, one (the lease
// holder) matches and saves; the other's index keeps up with changes
// made through it, so that it can take over.
func TestSecondNodeFollowsTheLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		a := setup(t, db, "a.example")
		b := setup(t, db, "a.example")
		b.svc.Keys = a.svc.Keys // one keyring, as the nodes of one installation share it
		b.cases.Keys = a.cases.Keys
		ctx := context.Background()
		a.matched(t) // a starts first and holds the lease
		b.matched(t)
		ad := b.admitUnknown(t, "刘志强")
		r, err := b.svc.File(ctx, b.public, familyReport("刘志强"))
		if err != nil {
			t.Fatal(err)
		}
		b.matched(t) // b follows: its index holds them, it saves nothing
		if cs, _ := db.Candidates(ctx, nil, ad.Person.ID, ""); len(cs) != 0 {
			t.Fatalf("the node without the lease saved %d proposals", len(cs))
		}
		if !b.svc.IndexedForTest("p:"+ad.Person.ID) || !b.svc.IndexedForTest("r:"+r.ID) {
			t.Fatal("the following node's index did not take the changes made through it")
		}
		a.matched(t)
		if c := pairOf(t, a, ad.Person.ID, r.ID); c == nil {
			t.Fatal("the lease holder did not match the other node's changes")
		}
		if !a.svc.IndexedForTest("p:"+ad.Person.ID) || !a.svc.IndexedForTest("r:"+r.ID) {
			t.Fatal("the lease holder's index did not take the other node's changes")
		}
	})
}
