package tracing

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// A key gives its ID back, and keys order as their IDs do, UUIDs or not.
func TestKeysOrderAsTheirIDs(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	var ids []string
	for i := range 300 {
		u := fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
		u = u[:8] + "-" + u[8:12] + "-" + u[12:16] + "-" + u[16:20] + "-" + u[20:]
		switch i % 6 {
		case 0:
			ids = append(ids, "p:"+u)
		case 1:
			ids = append(ids, "r:"+u)
		case 2:
			ids = append(ids, u)
		case 3:
			ids = append(ids, "p:"+strings.ToUpper(u)) // not canonical: numbered
		case 4:
			ids = append(ids, fmt.Sprintf("rec-%d-org", r.IntN(50)))
		default:
			ids = append(ids, "p:"+u[:35]) // too short for a UUID
		}
	}
	ids = append(ids, "", "p:", "r:0")
	for _, a := range ids {
		if got := KeyOf(a).String(); got != a {
			t.Fatalf("KeyOf(%q).String() = %q", a, got)
		}
		for _, b := range ids[:40] {
			if got, want := compareKeys(KeyOf(a), KeyOf(b)), strings.Compare(a, b); got != want {
				t.Fatalf("compareKeys(%q, %q) = %d, want %d", a, b, got, want)
			}
		}
	}
	if _, ok := lookupKey("never-keyed"); ok {
		t.Error("lookupKey numbered an ID it was only asked about")
	}
}

// The slot table answers as a map through random puts and deletions.
func TestSlotsAnswerAsAMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	keys := make([]Key, 0, 64)
	for i := range 2000 {
		keys = append(keys, KeyOf(fmt.Sprintf("slot-%d", i)))
	}
	var recs []Key // by slot
	s := newSlots(func(i int32) Key { return recs[i] })
	want := map[Key]int32{}
	for step := range 20000 {
		k := keys[r.IntN(len(keys))]
		if r.IntN(3) == 0 {
			s.del(k)
			delete(want, k)
		} else {
			if i, ok := want[k]; ok { // a record replaced: out, then in a new slot
				s.del(k)
				recs[i] = Key{}
			}
			recs = append(recs, k)
			s.put(k, int32(len(recs)-1))
			want[k] = int32(len(recs) - 1)
		}
		if s.n != len(want) {
			t.Fatalf("step %d: %d keys, want %d", step, s.n, len(want))
		}
		if step%500 == 0 || step > 19900 {
			for _, k := range keys {
				got, ok := s.get(k)
				w, wok := want[k]
				if ok != wok || got != w {
					t.Fatalf("step %d: get(%v) = %d %v, want %d %v", step, k, got, ok, w, wok)
				}
			}
		}
	}
	if !slices.ContainsFunc(keys, func(k Key) bool { _, ok := want[k]; return ok }) {
		t.Fatal("the test emptied the table")
	}
}

// Every blocking key's list, read off another key's or kept, is the
// records that have the key, in the index's order: among them records
// whose birth date is not their ID number's, or only a year.
func TestDerivedKeysListTheirRecords(t *testing.T) {
	pool := indexPool(600)
	r := rand.New(rand.NewPCG(9, 9))
	for i, rec := range pool {
		switch {
		case len(rec.IDNumber) != 18:
		case i%5 == 0: // a birth date other than the number's
			rec.Birth = rec.Birth.AddDate(0, 0, 1+r.IntN(3))
		case i%5 == 1:
			rec.BirthYear = true
		case i%5 == 2 && i > 0: // another record's number: lists of two
			rec.IDNumber = pool[i-1].IDNumber
		case i%5 == 3 && i%2 == 0: // a masked number: no whole-number keys
			rec.IDNumber = "4107" + "**" + rec.IDNumber[6:]
		case i%5 == 3 && len(pool[i-1].IDNumber) == 18: // the same second half, born a decade or a century apart
			rec.IDNumber = rec.IDNumber[:6] + []string{"18", "19", "29"}[i%3] + pool[i-1].IDNumber[8:]
			rec.Birth, _ = time.Parse("20060102", rec.IDNumber[6:14]) // 29xx: kept, not read off
		}
	}
	ix := NewIndex(FitModel(2026, 50), pool)
	var kinds [2][2]int // "ib:" and "it:" keys kept, read off the birth dates'
	for _, rec := range pool {
		for _, k := range blockingKeys(rec.p) {
			if t := slices.Index([]string{"ib:", "it:"}, k[:min(3, len(k))]); t >= 0 {
				kinds[t][b2i(derived(k, rec.p))]++
			}
			var want []int32
			for j, p := range ix.x.recs {
				if p != nil && slices.Contains(blockingKeys(p), k) {
					want = append(want, int32(j))
				}
			}
			slices.SortFunc(want, func(a, b int32) int { return compareKeys(ix.x.recs[a].key, ix.x.recs[b].key) })
			var one [1]int32
			if got := ix.x.block(k, &one); !slices.Equal(got, want) {
				t.Fatalf("key %q: list %v, want %v", k, got, want)
			}
		}
	}
	if kinds[0][0] == 0 || kinds[0][1] == 0 || kinds[1][0] == 0 || kinds[1][1] == 0 {
		t.Fatalf("region-and-birth and second-half keys kept, read off: %v; the test should have each", kinds)
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Any ID gives itself back from its key, and keys order as IDs do.
func FuzzKeyOf(f *testing.F) {
	f.Add("p:0192f0c4-5b7e-7cc3-9a1e-3f4d5e6f7a8b", "r:0192f0c4-5b7e-7cc3-9a1e-3f4d5e6f7a8c")
	f.Add("0192F0C4-5B7E-7CC3-9A1E-3F4D5E6F7A8B", "rec-1-org")
	f.Add("", "toolongprefix:0192f0c4-5b7e-7cc3-9a1e-3f4d5e6f7a8b")
	f.Fuzz(func(t *testing.T, a, b string) {
		ka, kb := KeyOf(a), KeyOf(b)
		if ka.String() != a || kb.String() != b {
			t.Fatalf("KeyOf(%q) gives %q, KeyOf(%q) gives %q", a, ka.String(), b, kb.String())
		}
		if got, want := compareKeys(ka, kb), strings.Compare(a, b); got != want {
			t.Fatalf("compareKeys(%q, %q) = %d, want %d", a, b, got, want)
		}
		if (ka == kb) != (a == b) {
			t.Fatalf("%q and %q: keys equal %v", a, b, ka == kb)
		}
	})
}
