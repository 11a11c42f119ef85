package idcard

import (
	"slices"
	"unicode/utf8"
)

// nameIndex finds the codes whose name or short name (without 省, 市,
// 县 …) occurs in a text: every substring of the text no longer than the
// longest name is looked up in a map, a few dozen lookups for a native
// place instead of a pass over the 4,000 names of the table.
type nameIndex struct {
	full, short        map[string][]string // name -> codes
	minRunes, maxRunes int
}

func indexNames(codes map[string]entry) *nameIndex {
	x := &nameIndex{full: map[string][]string{}, short: map[string][]string{}, minRunes: 1 << 30}
	add := func(m map[string][]string, name, code string) {
		m[name] = append(m[name], code)
		n := utf8.RuneCountInString(name)
		x.minRunes, x.maxRunes = min(x.minRunes, n), max(x.maxRunes, n)
	}
	for c, e := range codes {
		if placeholder(e.name) {
			continue
		}
		add(x.full, e.name, c)
		if s := shortName(e.name); s != "" {
			add(x.short, s, c)
		}
	}
	return x
}

// each calls fn once for every code whose name occurs in text (full true)
// or, failing that, whose short name does.
func (x *nameIndex) each(text string, fn func(code string, full bool)) {
	var buf [64]int
	starts := buf[:0] // byte offsets of the runes, and the end
	for i := range text {
		starts = append(starts, i)
	}
	starts = append(starts, len(text))
	var full, short []string // a handful: a slice beats a map
	for i := 0; i < len(starts)-1; i++ {
		for n := x.minRunes; n <= x.maxRunes && i+n < len(starts); n++ {
			sub := text[starts[i]:starts[i+n]]
			full = appendNew(full, x.full[sub])
			short = appendNew(short, x.short[sub])
		}
	}
	for _, c := range full {
		fn(c, true)
	}
	for _, c := range short {
		if !slices.Contains(full, c) {
			fn(c, false)
		}
	}
}

func appendNew(to, from []string) []string {
	for _, c := range from {
		if !slices.Contains(to, c) {
			to = append(to, c)
		}
	}
	return to
}
