package tracing

import (
	"fmt"
	"hash/maphash"
	"slices"
)

// blocks maps each blocking key to the slots of the records that have
// it, each list in the index's order. Most keys of a large index belong
// to one record (a full ID number, its second half, its region and birth
// date), so the keys are not kept: a key is known by a 64-bit hash, and a
// 32-bit check of it (another hash) tells two keys with one hash apart;
// keys whose hashes do meet are kept by themselves, in odd. A key of one
// record holds its slot in the map's value; of more, a list. About 20
// bytes a key instead of about 90 (the key's text, a map entry for a
// string and a list).
type blocks struct {
	seed  [2]maphash.Seed
	keys  map[uint64]block
	lists [][]int32 // lists of the keys of more than one record
	free  []int32   // unused lists
	odd   map[string][]int32
	test  func(string) (uint64, uint32) // a hash of few values, to test collisions
}

// block is a key's entry: its check, and its one slot (≥ 0) or its list
// (-1 - the list's number), or oddKeys: the key is in odd.
type block struct {
	check uint32
	v     int32
}

const oddKeys = -1 << 31

func newBlocks() *blocks {
	return &blocks{seed: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}, keys: map[uint64]block{}, odd: map[string][]int32{}}
}

func (b *blocks) hash(k string) (uint64, uint32) {
	if b.test != nil {
		return b.test(k)
	}
	return maphash.String(b.seed[0], k), uint32(maphash.String(b.seed[1], k) >> 32)
}

// collided names, in odd, the list of the key that had hash h and check
// c when another key's hash met it (its text not known then); the first
// add or remove of the key moves the list under the key (oddName).
func collided(h uint64, c uint32) string {
	return fmt.Sprintf("\x00%016x%08x", h, c)
}

// oddList is the list in odd of the key k with hash h and check c.
func (b *blocks) oddList(k string, h uint64, c uint32) []int32 {
	if l, ok := b.odd[k]; ok {
		return l
	}
	return b.odd[collided(h, c)]
}

// oddName moves the list of key k to its name, if it was kept as
// collided, and returns the name.
func (b *blocks) oddName(k string, h uint64, c uint32) string {
	if _, ok := b.odd[k]; ok {
		return k
	}
	if l, ok := b.odd[collided(h, c)]; ok {
		delete(b.odd, collided(h, c))
		b.odd[k] = l
	}
	return k
}

// get returns the key's list; one holds it when it is one slot.
func (b *blocks) get(k string, one *[1]int32) []int32 {
	h, c := b.hash(k)
	e, ok := b.keys[h]
	switch {
	case !ok:
		return nil
	case e.v == oddKeys:
		return b.oddList(k, h, c)
	case e.check != c:
		return nil
	case e.v >= 0:
		one[0] = e.v
		return one[:]
	}
	return b.lists[-1-e.v]
}

// add puts slot i into the key's list at the place at gives.
func (b *blocks) add(k string, i int32, at func([]int32, int32) int) {
	h, c := b.hash(k)
	e, ok := b.keys[h]
	switch {
	case !ok:
		b.keys[h] = block{c, i}
	case e.v == oddKeys:
		b.oddName(k, h, c)
		l := b.odd[k]
		b.odd[k] = slices.Insert(l, at(l, i), i)
	case e.check != c:
		// Another key has this hash: both are kept by themselves, the
		// other under collided until its text is seen (oddName).
		b.odd[collided(h, e.check)] = b.take(e)
		b.keys[h] = block{0, oddKeys}
		b.odd[k] = []int32{i}
	case e.v >= 0:
		l := b.newList()
		b.lists[l] = append(b.lists[l][:0], e.v)
		b.lists[l] = slices.Insert(b.lists[l], at(b.lists[l], i), i)
		b.keys[h] = block{c, -1 - l}
	default:
		l := &b.lists[-1-e.v]
		*l = slices.Insert(*l, at(*l, i), i)
	}
}

// remove takes slot i out of the key's list.
func (b *blocks) remove(k string, i int32, at func([]int32, int32) int) {
	h, c := b.hash(k)
	e, ok := b.keys[h]
	switch {
	case !ok:
	case e.v == oddKeys:
		name := b.oddName(k, h, c)
		l := b.odd[name]
		if n := at(l, i); n < len(l) && l[n] == i {
			l = slices.Delete(l, n, n+1)
		}
		if len(l) == 0 {
			delete(b.odd, name)
		} else {
			b.odd[name] = l
		}
	case e.check != c:
	case e.v >= 0:
		if e.v == i {
			delete(b.keys, h)
		}
	default:
		n := -1 - e.v
		l := b.lists[n]
		if p := at(l, i); p < len(l) && l[p] == i {
			l = slices.Delete(l, p, p+1)
		}
		switch len(l) {
		case 1:
			b.keys[h] = block{c, l[0]}
			b.lists[n] = l[:0]
			b.free = append(b.free, int32(n))
		default:
			b.lists[n] = l
		}
	}
}

func (b *blocks) newList() int32 {
	if n := len(b.free); n > 0 {
		l := b.free[n-1]
		b.free = b.free[:n-1]
		return l
	}
	b.lists = append(b.lists, nil)
	return int32(len(b.lists) - 1)
}

// take returns an entry's slots, freeing its list.
func (b *blocks) take(e block) []int32 {
	if e.v >= 0 {
		return []int32{e.v}
	}
	l := slices.Clone(b.lists[-1-e.v])
	b.lists[-1-e.v] = b.lists[-1-e.v][:0]
	b.free = append(b.free, -1-e.v)
	return l
}
