package tracing

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"hash/maphash"
	"strings"
	"sync"
)

// Key is a record's ID as an index keeps it: 17 bytes in the record,
// where a string took a 16-byte header and its 48-byte text (a UUID and
// a kind, "p:…"). IDs are a short prefix and a UUID in its canonical
// form (lower case, 8-4-4-4-12), as Haven's are: u holds the UUID's 16
// bytes and pre the prefix's number in a table of prefixes. Any other ID
// is numbered in a table of its own (pre 0; u's first 8 bytes its
// number), kept for the life of the process: tests and imported records
// with IDs of their own, few.
type Key struct {
	u   [16]byte
	pre uint8
}

// uuidLen is the length of a UUID in its canonical form.
const uuidLen = 36

var keyTables struct {
	sync.RWMutex
	prefixes []string // by pre-1
	pre      map[string]uint8
	ids      []string // other IDs, by number
	num      map[string]uint64
}

// KeyOf is the key of id.
func KeyOf(id string) Key {
	k, _ := keyOf(id, true)
	return k
}

// lookupKey is the key of id, false when id is of no record ever keyed
// (an index cannot hold it).
func lookupKey(id string) (Key, bool) { return keyOf(id, false) }

func keyOf(id string, add bool) (Key, bool) {
	var k Key
	if n := len(id) - uuidLen; n >= 0 && n <= 8 && canonicalUUID(id[n:]) {
		if pre, ok := prefixNumber(id[:n], add); ok {
			u := id[n:]
			hex.Decode(k.u[0:4], []byte(u[0:8]))
			hex.Decode(k.u[4:6], []byte(u[9:13]))
			hex.Decode(k.u[6:8], []byte(u[14:18]))
			hex.Decode(k.u[8:10], []byte(u[19:23]))
			hex.Decode(k.u[10:16], []byte(u[24:36]))
			k.pre = pre
			return k, true
		}
		if !add {
			return k, false
		}
	}
	t := &keyTables
	t.RLock()
	v, ok := t.num[id]
	t.RUnlock()
	if !ok {
		if !add {
			return k, false
		}
		t.Lock()
		if v, ok = t.num[id]; !ok {
			if t.num == nil {
				t.num = map[string]uint64{}
			}
			v = uint64(len(t.ids))
			t.ids = append(t.ids, strings.Clone(id))
			t.num[t.ids[v]] = v
		}
		t.Unlock()
	}
	binary.LittleEndian.PutUint64(k.u[:8], v)
	return k, true
}

// prefixNumber is the number of an ID prefix (1 to 255); false when the
// table is full (or, not adding, the prefix is not in it).
func prefixNumber(p string, add bool) (uint8, bool) {
	t := &keyTables
	t.RLock()
	n, ok := t.pre[p]
	t.RUnlock()
	if ok || !add {
		return n, ok
	}
	t.Lock()
	defer t.Unlock()
	if n, ok := t.pre[p]; ok {
		return n, true
	}
	if len(t.prefixes) == 255 {
		return 0, false
	}
	if t.pre == nil {
		t.pre = map[string]uint8{}
	}
	t.prefixes = append(t.prefixes, strings.Clone(p))
	n = uint8(len(t.prefixes))
	t.pre[t.prefixes[n-1]] = n
	return n, true
}

// canonicalUUID tells a UUID in lower-case hex, dashes at 8, 13, 18, 23:
// the form whose text sorts as its bytes do.
func canonicalUUID(s string) bool {
	for i := range uuidLen {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// String is the ID the key was made of.
func (k Key) String() string {
	t := &keyTables
	t.RLock()
	defer t.RUnlock()
	if k.pre == 0 {
		return t.ids[binary.LittleEndian.Uint64(k.u[:8])]
	}
	p := t.prefixes[k.pre-1]
	var b [8 + uuidLen]byte
	s := append(b[:0], p...)
	var h [32]byte
	hex.Encode(h[:], k.u[:])
	s = append(s, h[0:8]...)
	s = append(s, '-')
	s = append(s, h[8:12]...)
	s = append(s, '-')
	s = append(s, h[12:16]...)
	s = append(s, '-')
	s = append(s, h[16:20]...)
	s = append(s, '-')
	s = append(s, h[20:32]...)
	return string(s)
}

// compareKeys orders keys as their IDs' texts order.
func compareKeys(a, b Key) int {
	if a.pre == b.pre && a.pre != 0 {
		return bytes.Compare(a.u[:], b.u[:])
	}
	if a == b {
		return 0
	}
	return strings.Compare(a.String(), b.String())
}

// slots finds a record's slot by its key: an open table of slots (linear
// probing, at most three quarters full), each entry the slot plus one, 0
// an empty place; the key is the record's own, read from it. Four bytes
// a place, 6–11 a record, where a map from the key took about 30.
type slots struct {
	t    []int32
	n    int
	seed maphash.Seed
	key  func(slot int32) Key
}

func newSlots(key func(int32) Key) *slots { return &slots{seed: maphash.MakeSeed(), key: key} }

func (s *slots) home(k Key) int { return int(maphash.Comparable(s.seed, k) & uint64(len(s.t)-1)) }

// find is where k stands in the table, or the empty place where it would.
func (s *slots) find(k Key) (int, bool) {
	mask := len(s.t) - 1
	for i := s.home(k); ; i = (i + 1) & mask {
		v := s.t[i]
		if v == 0 {
			return i, false
		}
		if s.key(v-1) == k {
			return i, true
		}
	}
}

// get is the slot of k.
func (s *slots) get(k Key) (int32, bool) {
	if s.n == 0 {
		return 0, false
	}
	if i, ok := s.find(k); ok {
		return s.t[i] - 1, true
	}
	return 0, false
}

// put sets k's slot (k's record is in the slot already: the table reads
// its key there).
func (s *slots) put(k Key, slot int32) {
	if (s.n+1)*4 > len(s.t)*3 {
		s.grow()
	}
	i, ok := s.find(k)
	if !ok {
		s.n++
	}
	s.t[i] = slot + 1
}

func (s *slots) grow() {
	old := s.t
	s.t = make([]int32, max(16, 2*len(old)))
	for _, v := range old {
		if v != 0 {
			i, _ := s.find(s.key(v - 1))
			s.t[i] = v
		}
	}
}

// del takes k out, moving back the entries after it that belong before
// the hole (deletion without tombstones).
func (s *slots) del(k Key) {
	if s.n == 0 {
		return
	}
	i, ok := s.find(k)
	if !ok {
		return
	}
	s.n--
	mask := len(s.t) - 1
	s.t[i] = 0
	for j := (i + 1) & mask; s.t[j] != 0; j = (j + 1) & mask {
		h := s.home(s.key(s.t[j] - 1))
		// The entry at j stays when its home is cyclically in (i, j].
		if i <= j && i < h && h <= j || i > j && (i < h || h <= j) {
			continue
		}
		s.t[i], s.t[j] = s.t[j], 0
		i = j
	}
}
