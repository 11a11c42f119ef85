package tracing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// indexPool draws n records of people from the synthetic generator, both
// sides of its pairs (so that some records are near others), some with
// their sex or region unknown.
func indexPool(n int) []*Record {
	s := NewSynth(16)
	var out []*Record
	for len(out) < n {
		rep, care := s.Pair(len(out), []string{"", CaseHomophone, CaseNoName}[len(out)%3])
		if len(out)%7 == 0 {
			care.Sex = 0
		}
		if len(out)%11 == 0 {
			rep.Region = ""
		}
		out = append(out, rep, care)
	}
	return out
}

// fresh copies a record as it was given, before Prepare.
func fresh(r *Record) *Record {
	return &Record{ID: r.ID, Names: slices.Clone(r.Names), Sex: r.Sex, Birth: r.Birth, BirthYear: r.BirthYear, AgeMin: r.AgeMin, AgeMax: r.AgeMax,
		Seen: r.Seen, HeightCm: r.HeightCm, IDNumber: r.IDNumber, Region: r.Region, NativePlace: r.NativePlace, Dialect: r.Dialect,
		Place: r.Place, Features: r.Features}
}

// answers are each query's answer and, stricter, the IDs of every
// candidate it compared (sorted), with the reach of its search.
func answers(ix *Index, qs []*Record) (map[string]string, map[string]Reach) {
	res, reach := map[string]string{}, map[string]Reach{}
	for _, q := range qs {
		var rs []Result
		rs, reach[q.ID] = ix.Search(q, 10, 0.001)
		var ids []string
		for _, j := range ix.x.candidates(q.p, map[int32]bool{}, nil) {
			ids = append(ids, ix.x.recs[j].key.String())
		}
		slices.Sort(ids)
		res[q.ID] = fmt.Sprint(rs, ids)
	}
	return res, reach
}

// An index changed record by record answers every query as one built
// afresh from the same records, and a change alters only the answers of
// the queries Touches names: the two promises family search's
// incremental matching rests on.
func TestIndexChangesAnswerAsBuiltAfresh(t *testing.T) {
	pool := indexPool(1400)
	model := FitModel(2026, 50)
	var queries []*Record
	for _, r := range pool[:60] {
		q := fresh(r)
		q.ID = "q" + r.ID
		queries = append(queries, q)
	}
	qix := NewIndex(model, queries)
	held := map[string]*Record{}
	var start []*Record
	for _, r := range pool[80:1000] {
		held[r.ID] = fresh(r)
		start = append(start, held[r.ID])
	}
	ix := NewIndex(model, start)
	rnd := rand.New(rand.NewPCG(1, 2))
	res, reach := answers(ix, queries)
	for step := range 120 {
		var old, cur *Record
		switch id := pool[80+rnd.IntN(len(pool)-80)].ID; {
		case held[id] == nil: // a new record
			for _, r := range pool {
				if r.ID == id {
					cur = fresh(r)
				}
			}
		case rnd.IntN(2) == 0: // removed
			old = held[id]
		default: // edited: another height, a name heard otherwise, a region placed
			old = held[id]
			cur = fresh(old)
			cur.HeightCm += rnd.IntN(21) - 10
			if len(cur.Names) > 0 && rnd.IntN(2) == 0 {
				cur.Names = []string{cur.Names[0] + "明"}
			}
			cur.Region = pool[rnd.IntN(len(pool))].Region
		}
		if cur != nil {
			ix.Put(cur)
			held[cur.ID] = cur
		} else {
			ix.Remove(old.ID)
			delete(held, old.ID)
		}
		touched := map[string]bool{}
		for _, r := range []*Record{old, cur} {
			if r != nil {
				for _, id := range qix.Touches(r, func(k Key) Reach { return reach[k.String()] }) {
					touched[id] = true
				}
			}
		}
		now, nowReach := answers(ix, queries)
		for _, q := range queries {
			if !touched[q.ID] && now[q.ID] != res[q.ID] {
				t.Fatalf("step %d: the answer or candidates of %s changed but Touches did not name it:\nbefore %v\nafter  %v", step, q.ID, res[q.ID], now[q.ID])
			}
		}
		res, reach = now, nowReach
	}
	var all []*Record
	for _, r := range held {
		all = append(all, fresh(r))
	}
	want, _ := answers(NewIndex(model, all), queries)
	for _, q := range queries {
		if res[q.ID] != want[q.ID] {
			t.Fatalf("%s: the changed index answers\n%v\nan index built afresh\n%v", q.ID, res[q.ID], want[q.ID])
		}
	}
	if ix.Len() != len(held) {
		t.Fatalf("index holds %d records, want %d", ix.Len(), len(held))
	}
}

// An answer scored again at another prior is the answer a search at that
// prior gives: the prior moves every score alike.
func TestRescoreAnswersAsASearchAtThatPrior(t *testing.T) {
	pool := indexPool(600)
	model := FitModel(2026, 50)
	ix := NewIndex(model, pool[40:])
	for _, q := range pool[:40] {
		q := fresh(q)
		q.ID = "q" + q.ID
		before, _ := ix.Search(q, 10, 1.0/1024)
		after, _ := ix.Search(q, 10, 1.0/2048)
		if got := ix.Rescore(before, 1.0/2048); fmt.Sprint(got) != fmt.Sprint(after) {
			t.Fatalf("%s rescored:\n%v\nsearched at the new prior:\n%v", q.ID, got, after)
		}
		if fmt.Sprint(before) == fmt.Sprint(after) && len(before) > 0 {
			t.Fatalf("%s: the prior changed no score", q.ID)
		}
	}
}

// BenchmarkTouchesPlacedNowhere: a record placed nowhere (no region) is
// read by every search of its sex, so Touches weighs it against every
// query of an index of 10^5 (HAVEN_TOUCH_N) whose first pass kept a
// given cut.
func BenchmarkTouchesPlacedNowhere(b *testing.B) {
	pool := indexPool(100000)
	ix := NewIndex(DefaultModel(), pool)
	cut := Reach{}
	for _, sx := range []byte{'M', 'F', 0} {
		cut = append(cut, reachEntry{bucketKey(sx, 0), 24})
	}
	r := &Record{ID: "new", Sex: 'M', AgeMin: 40, AgeMax: 50, HeightCm: 170, Seen: pool[0].Seen, SeenIs: SeenLost}
	b.ResetTimer()
	n := 0
	for range b.N {
		n = len(ix.Touches(r, func(Key) Reach { return cut }))
	}
	b.ReportMetric(float64(n), "touched")
}
