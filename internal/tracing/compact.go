package tracing

import (
	"encoding/binary"
	"slices"
	"strings"
	"sync"
	"time"
)

// What an index keeps of a record: only what comparing, blocking and the
// first pass read, in as few bytes as they allow. A Record's own fields
// (the raw names, places and texts it was made from) are not kept: an
// index of 10^6 people would hold them all in memory for nothing.

// prepared is a record as comparing reads it (Prepare makes it): 80
// bytes, the fields in an order that leaves no padding.
type prepared struct {
	data     string // the ID number's length (uvarint), the ID number, the names: one allocation (idNumber, names)
	text     *texts // nil when the record has no place or features
	ageMin   int32
	ageMax   int32
	height   int32
	birthDay [8]byte // YYYYMMDD of birth, when known
	birth    day     // birth's year and day of the year
	seen     day
	key      Key     // the record's ID
	region   [6]byte // GB/T 2260 code, when the record's has 6 characters (else zero)
	sex      byte
	hasBirth bool
	hasSeen  bool
	birthY   bool // only the year of birth is known
	latin    bool // the first name is written in letters
	seenIs   byte // SeenLost, SeenFound or 0
}

// idNumber is the record's ID number, upper case, no spaces.
func (p *prepared) idNumber() string {
	if p.data == "" {
		return ""
	}
	n, rest := uvarint(p.data)
	return rest[:n]
}

// names are the record's names, encoded (encodeName): every name with a
// clean form.
func (p *prepared) names() string {
	if p.data == "" {
		return ""
	}
	n, rest := uvarint(p.data)
	return rest[n:]
}

// hasRegion tells a record whose region has 6 characters (a code's
// first is never zero).
func (p *prepared) hasRegion() bool { return p.region[0] != 0 }

// day is a date as ages are reckoned: its year and its day of the year
// (in the time's own zone). The zero day is the zero time's: year 1, day 1.
type day struct{ y, yd int16 }

// days numbers a day (from year 0, near enough for gaps of days).
func (d day) days() int { y := int(d.y); return y*365 + y/4 - y/100 + y/400 + int(d.yd) }

func dayOf(t time.Time) day { return day{int16(t.Year()), int16(t.YearDay())} }

// ptr is a pointer to a copy of v.
func ptr[T any](v T) *T { return &v }

// texts are the hashed bigrams of a record's place, stable traits and
// clothing.
type texts struct {
	grams   []uint32
	nPlace  int32 // grams[:nPlace] are the place's, then nTraits the traits', the rest the clothing's
	nTraits int32
}

func (p *prepared) place() []uint32 {
	if p.text == nil {
		return nil
	}
	return p.text.grams[:p.text.nPlace]
}

// features are the traits' and the clothing's bigrams.
func (p *prepared) features() []uint32 {
	if p.text == nil {
		return nil
	}
	return p.text.grams[p.text.nPlace:]
}

func (p *prepared) traits() []uint32 {
	if p.text == nil {
		return nil
	}
	return p.text.grams[p.text.nPlace : p.text.nPlace+p.text.nTraits]
}

func (p *prepared) clothing() []uint32 {
	if p.text == nil {
		return nil
	}
	return p.text.grams[p.text.nPlace+p.text.nTraits:]
}

// born40 is the day 40 years after the birth date: the date two records'
// ages are compared at when neither was seen (Birth.AddDate(40, 0, 0), by
// the calendar date).
func (p *prepared) born40() day {
	d := &p.birthDay
	n := func(i, j int) int {
		v := 0
		for _, c := range d[i:j] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	return dayOf(time.Date(n(0, 4)+40, time.Month(n(4, 6)), n(6, 8), 0, 0, 0, 0, time.UTC))
}

// A record's names are kept as one string: for each name, a flag byte
// (nick, inline), the cleaned name, where its surname and given name
// stand in it, and its syllables (readings, then folded) as two-byte
// numbers of the syllable table, or, when the table cannot take them, as
// the syllables themselves (inline). About 30 bytes a name where a parsed
// Name takes about 200.
const (
	flagNick   = 1
	flagInline = 2
)

// encodeName appends n's encoding to b.
func encodeName(b []byte, n Name) []byte {
	sur, ok1 := span(n.Clean, n.Parts.Surname, n.Parts.Nick) // 老王's surname ends the name
	giv, ok2 := span(n.Clean, n.Parts.Given, true)
	if !ok1 || !ok2 || len(n.Syl) != len(n.Folded) {
		panic("tracing: a name's parts are not in it") // splitClean gives parts of the name
	}
	var flags byte
	if n.Parts.Nick {
		flags |= flagNick
	}
	ids := make([]uint16, 0, 2*len(n.Syl))
	for _, x := range slices.Concat(n.Syl, n.Folded) {
		id, ok := syllableID(x)
		if !ok {
			flags |= flagInline
			break
		}
		ids = append(ids, id)
	}
	b = append(b, flags)
	b = binary.AppendUvarint(b, uint64(len(n.Clean)))
	b = append(b, n.Clean...)
	for _, v := range [4]int{sur[0], sur[1], giv[0], giv[1]} {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = binary.AppendUvarint(b, uint64(len(n.Syl)))
	if flags&flagInline == 0 {
		for _, id := range ids {
			b = binary.LittleEndian.AppendUint16(b, id)
		}
		return b
	}
	for _, x := range slices.Concat(n.Syl, n.Folded) {
		b = binary.AppendUvarint(b, uint64(len(x)))
		b = append(b, x...)
	}
	return b
}

// nameView is one encoded name, read in place (substrings, no copies).
type nameView struct {
	clean, sur, giv string
	nick, inline    bool
	k               int    // syllables
	syl             string // 4k bytes of numbers (readings, then folded); or, inline, the syllables' encoding
}

func uvarint(s string) (int, string) {
	v, n := 0, 0
	for shift := 0; ; shift += 7 {
		c := s[n]
		n++
		v |= int(c&0x7f) << shift
		if c < 0x80 {
			return v, s[n:]
		}
	}
}

// nextName reads the first name of an encoding and returns the rest.
func nextName(s string) (nameView, string) {
	var v nameView
	flags := s[0]
	v.nick, v.inline = flags&flagNick != 0, flags&flagInline != 0
	n, s := uvarint(s[1:])
	v.clean, s = s[:n], s[n:]
	var o [4]int
	for i := range o {
		o[i], s = uvarint(s)
	}
	v.sur, v.giv = v.clean[o[0]:o[1]], v.clean[o[2]:o[3]]
	v.k, s = uvarint(s)
	if !v.inline {
		v.syl, s = s[:4*v.k], s[4*v.k:]
		return v, s
	}
	rest := s
	for range 2 * v.k {
		n, rest = uvarint(rest)
		rest = rest[n:]
	}
	v.syl = s[:len(s)-len(rest)]
	return v, rest
}

func (v *nameView) parts() Parts { return Parts{Surname: v.sur, Given: v.giv, Nick: v.nick} }

// syllables are the name's readings and folded syllables as strings.
func (v *nameView) syllables() (syl, folded []string) {
	all := make([]string, 0, 2*v.k)
	if !v.inline {
		for i := 0; i < len(v.syl); i += 2 {
			all = append(all, syllable(uint16(v.syl[i])|uint16(v.syl[i+1])<<8))
		}
	} else {
		for s := v.syl; s != ""; {
			var n int
			n, s = uvarint(s)
			all, s = append(all, s[:n]), s[n:]
		}
	}
	return all[:v.k:v.k], all[v.k:]
}

// name is the whole parse, as ParseName gave it.
func (v *nameView) name() Name {
	n := Name{Clean: v.clean, Parts: v.parts()}
	n.Syl, n.Folded = v.syllables()
	if v.k == 0 {
		n.Syl, n.Folded = nil, nil
	}
	return n
}

// compare is Name.Compare on encoded names: the syllables compare by
// number, which the table gives one to a syllable.
func (a *nameView) compare(b *nameView) NameLevel {
	if a.inline || b.inline {
		return a.name().Compare(b.name())
	}
	if a.clean == "" || b.clean == "" {
		return NameUnknown
	}
	if a.clean == b.clean {
		return NameExact
	}
	pa, pb := a.parts(), b.parts()
	if pa.Nick || pb.Nick {
		if nickFits(pa, pb) || nickFits(pb, pa) {
			return NamePartial
		}
		return NameMismatch
	}
	switch {
	case a.syl[:2*a.k] == b.syl[:2*b.k]:
		return NameHomophone
	case a.syl[2*a.k:] == b.syl[2*b.k:]:
		return NameAccent
	}
	return comparePartial(a.clean, b.clean, pa, pb)
}

// syllables numbers the syllables names have been read as: a few hundred
// pinyin syllables and their accent folds, and the parts pinyin cannot
// read (letters, rare characters), up to the table's size.
var syllables struct {
	sync.RWMutex
	ids  map[string]uint16
	strs []string
}

var maxSyllables = 1 << 16 // a var for the test of a full table

func syllableID(s string) (uint16, bool) {
	syllables.RLock()
	id, ok := syllables.ids[s]
	syllables.RUnlock()
	if ok {
		return id, true
	}
	syllables.Lock()
	defer syllables.Unlock()
	if id, ok := syllables.ids[s]; ok {
		return id, true
	}
	if len(syllables.strs) >= maxSyllables {
		return 0, false
	}
	if syllables.ids == nil {
		syllables.ids = map[string]uint16{}
	}
	s = strings.Clone(s)
	id = uint16(len(syllables.strs))
	syllables.ids[s], syllables.strs = id, append(syllables.strs, s)
	return id, true
}

func syllable(id uint16) string {
	syllables.RLock()
	defer syllables.RUnlock()
	return syllables.strs[id]
}

// span is where part stands in s: its prefix, else its suffix.
func span(s, part string, suffix bool) ([2]int, bool) {
	switch {
	case part == "":
		return [2]int{}, true
	case !suffix && strings.HasPrefix(s, part):
		return [2]int{0, len(part)}, true
	case strings.HasSuffix(s, part):
		return [2]int{len(s) - len(part), len(s)}, true
	}
	return [2]int{}, false
}
