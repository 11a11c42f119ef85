package tracing

import (
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"testing"
)

// blocks answers as a map of keys to ordered lists, whatever the keys'
// hashes: here a hash of three values, so that keys meet all the time
// (their checks differ).
func TestBlocksAnswerAsAMapOfLists(t *testing.T) {
	for _, few := range []bool{false, true} {
		b := newBlocks()
		if few {
			b.test = func(k string) (uint64, uint32) { return uint64(len(k) % 3), crc32.ChecksumIEEE([]byte(k)) }
		}
		want := map[string][]int32{}
		at := func(l []int32, i int32) int { n, _ := slices.BinarySearch(l, i); return n }
		r := rand.New(rand.NewPCG(1, 2))
		keys := make([]string, 40)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%d:%s", i, string(make([]byte, i%5)))
		}
		for step := range 20000 {
			k, i := keys[r.IntN(len(keys))], int32(r.IntN(30))
			l := want[k]
			n, found := slices.BinarySearch(l, i)
			if r.IntN(2) == 0 && !found {
				b.add(k, i, at)
				want[k] = slices.Insert(l, n, i)
			} else if found {
				b.remove(k, i, at)
				if l = slices.Delete(l, n, n+1); len(l) == 0 {
					delete(want, k)
				} else {
					want[k] = l
				}
			}
			for _, k := range keys {
				var one [1]int32
				if got := b.get(k, &one); !slices.Equal(got, want[k]) {
					t.Fatalf("few hashes %v, step %d: key %q holds %v, want %v", few, step, k, got, want[k])
				}
			}
		}
		if few && len(b.odd) == 0 {
			t.Error("no key met another's hash: the test tests nothing")
		}
	}
}

// A name read back from its encoding is the name parsed, and compares
// with another as the parsed names do.
func FuzzNameEncoding(f *testing.F) {
	for _, s := range [][2]string{{"王建国", "王建果"}, {"小明", "李小明"}, {"老王", "王建国"}, {"John Smith", "Jon Smith"}, {"陳卫东", "陈为东"},
		{"欧阳明", "欧阳鸣"}, {"王䶮", "王言"}, {"", "x"}, {"·", "A B C"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		na, nb := ParseName(a), ParseName(b)
		if na.Clean == "" || nb.Clean == "" {
			return
		}
		enc := string(encodeName(encodeName(nil, na), nb))
		va, rest := nextName(enc)
		vb, rest := nextName(rest)
		if rest != "" {
			t.Fatalf("%q and %q: %d bytes left over", a, b, len(rest))
		}
		for _, c := range []struct {
			v *nameView
			n Name
		}{{&va, na}, {&vb, nb}} {
			got := c.v.name()
			if got.Clean != c.n.Clean || got.Parts != c.n.Parts || !slices.Equal(got.Syl, c.n.Syl) || !slices.Equal(got.Folded, c.n.Folded) {
				t.Fatalf("read back %+v, want %+v", got, c.n)
			}
		}
		if got, want := va.compare(&vb), na.Compare(nb); got != want {
			t.Fatalf("%q vs %q: encoded %v, parsed %v", a, b, got, want)
		}
	})
}

// With the syllable table full, names keep their syllables inline and
// compare as before.
func TestNamesWithTheSyllableTableFull(t *testing.T) {
	pairs := [][2]string{{"王建国", "王建果"}, {"张志强", "章智强"}, {"欧阳明", "欧阳鸣"}, {"小明", "李小明"}, {"刘德华", "刘得华"}}
	want := map[[2]string]NameLevel{}
	for _, p := range pairs {
		want[p] = CompareNames(p[0], p[1])
	}
	syllables.Lock()
	saved := maxSyllables
	maxSyllables = len(syllables.strs)
	syllables.Unlock()
	defer func() { syllables.Lock(); maxSyllables = saved; syllables.Unlock() }()
	inline := 0
	for _, p := range pairs {
		// The alias has a character no name before had: it is kept inline.
		a, b := &Record{ID: "a", Names: []string{p[0], "㐀" + p[0][:3]}}, &Record{ID: "b", Names: []string{p[1]}}
		a.Prepare()
		b.Prepare()
		for rest := a.p.names(); rest != ""; {
			var v nameView
			v, rest = nextName(rest)
			if v.inline {
				inline++
			}
		}
		x, _ := nextName(a.p.names())
		y, _ := nextName(b.p.names())
		if got := x.compare(&y); got != want[p] {
			t.Errorf("%s vs %s: %v, want %v", p[0], p[1], got, want[p])
		}
	}
	if inline == 0 {
		t.Error("no name was kept inline: the test tests nothing")
	}
}
