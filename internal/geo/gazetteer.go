// Package geo places a typed Chinese address on the map without any
// outside service: a gazetteer of the city's roads, districts and named
// places, shipped as a data file embedded in the binary (one city's file
// can be swapped for another's), and a geocoder that finds the most
// specific of them in a text such as "人民公园东门附近有人躺着".
//
// Every point is WGS-84. A match says how well it places the address
// (Precision), so that pages can say "约在：人民公园附近" rather than
// pretend to know the exact spot.
package geo

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is what an entry of the gazetteer names.
type Kind string

const (
	KindPlace    Kind = "place"    // a named place: station, park, hospital, hotspot …
	KindRoad     Kind = "road"     // a road (or a river bank), as a line
	KindDistrict Kind = "district" // a district or county, by its centre
)

// Point is a WGS-84 coordinate.
type Point struct{ Lat, Lng float64 }

// Entry is one name of the gazetteer.
type Entry struct {
	Kind    Kind
	Name    string
	Aliases []string
	// Points is one point for a place or a district; a road's points in
	// order along it.
	Points []Point
}

// Gazetteer is a city's names, ready for matching. It is read-only once
// built and safe for concurrent use.
type Gazetteer struct {
	entries []*Entry
	keys    []key // every matchable spelling, longest first
}

// key is one spelling that finds an entry: its name, an alias, or a
// directional form of a road (人民东路).
type key struct {
	text  string // normalised
	entry *Entry
	dir   rune // 东/西/南/北/中 for a directional road form, else 0
}

//go:embed gazetteer/xinxiang.tsv
var xinxiangTSV []byte

var xinxiang = func() *Gazetteer {
	g, err := Parse(bytes.NewReader(xinxiangTSV))
	if err != nil {
		panic("geo: embedded gazetteer: " + err.Error())
	}
	return g
}()

// Xinxiang returns the embedded gazetteer of 新乡, Haven's demo city.
func Xinxiang() *Gazetteer { return xinxiang }

// Load reads a gazetteer file (format: see gazetteer/xinxiang.tsv). An
// empty path returns the embedded one.
func Load(path string) (*Gazetteer, error) {
	if path == "" {
		return Xinxiang(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	g, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

// Limits of a gazetteer file, so that a wrong file fails at start-up
// rather than slowing every report down.
const (
	maxEntries = 20000
	maxName    = 100 // characters
	maxPoints  = 500 // of one road
)

// Parse reads a gazetteer in its tab-separated format. Errors name the
// line.
func Parse(r io.Reader) (*Gazetteer, error) {
	var entries []Entry
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseLine(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		entries = append(entries, e)
		if len(entries) > maxEntries {
			return nil, fmt.Errorf("more than %d entries", maxEntries)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("no entries")
	}
	return New(entries), nil
}

func parseLine(line string) (Entry, error) {
	f := strings.Split(line, "\t")
	if len(f) != 4 {
		return Entry{}, fmt.Errorf("want 4 tab-separated fields (kind, name, aliases, points), got %d", len(f))
	}
	e := Entry{Kind: Kind(strings.TrimSpace(f[0])), Name: strings.TrimSpace(f[1])}
	switch e.Kind {
	case KindPlace, KindRoad, KindDistrict:
	default:
		return Entry{}, fmt.Errorf("kind %q: want place, road or district", f[0])
	}
	if err := checkName(e.Name); err != nil {
		return Entry{}, err
	}
	if a := strings.TrimSpace(f[2]); a != "-" && a != "" {
		for _, s := range strings.Split(a, "|") {
			s = strings.TrimSpace(s)
			if err := checkName(s); err != nil {
				return Entry{}, fmt.Errorf("alias: %w", err)
			}
			e.Aliases = append(e.Aliases, s)
		}
	}
	for _, p := range strings.Fields(f[3]) {
		pt, err := parsePoint(p)
		if err != nil {
			return Entry{}, err
		}
		e.Points = append(e.Points, pt)
	}
	switch {
	case len(e.Points) == 0:
		return Entry{}, fmt.Errorf("%s: no points", e.Name)
	case e.Kind != KindRoad && len(e.Points) != 1:
		return Entry{}, fmt.Errorf("%s: a %s has one point", e.Name, e.Kind)
	case len(e.Points) > maxPoints:
		return Entry{}, fmt.Errorf("%s: more than %d points", e.Name, maxPoints)
	}
	return e, nil
}

func checkName(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty name")
	case !utf8.ValidString(s) || strings.ContainsAny(s, "\t\n"):
		return fmt.Errorf("name %q is not clean text", s)
	case utf8.RuneCountInString(s) > maxName:
		return fmt.Errorf("name %q is longer than %d characters", s, maxName)
	case utf8.RuneCountInString(normalize(s)) < 2:
		return fmt.Errorf("name %q is too short to match safely", s)
	}
	return nil
}

func parsePoint(s string) (Point, error) {
	la, ln, ok := strings.Cut(s, ",")
	lat, err1 := strconv.ParseFloat(la, 64)
	lng, err2 := strconv.ParseFloat(ln, 64)
	if !ok || err1 != nil || err2 != nil || !ValidPoint(lat, lng) {
		return Point{}, fmt.Errorf("point %q: want lat,lng in degrees such as 35.3030,113.9268", s)
	}
	return Point{lat, lng}, nil
}

// ValidPoint reports whether lat, lng is a coordinate at all (and not the
// 0,0 that stands for "unknown").
func ValidPoint(lat, lng float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lng) && lat >= -90 && lat <= 90 && lng >= -180 && lng <= 180 && (lat != 0 || lng != 0)
}

// New builds a gazetteer from entries (which it copies). Entries given
// later win over earlier ones with the same spelling, so places read from
// the database (New(append(base.Entries(), fromDB...))) take precedence.
func New(entries []Entry) *Gazetteer {
	g := &Gazetteer{}
	seen := map[string]int{} // spelling -> index in g.keys
	add := func(k key) {
		if utf8.RuneCountInString(k.text) < 2 {
			return // one character would match almost any text
		}
		if i, ok := seen[k.text]; ok {
			g.keys[i] = k
			return
		}
		seen[k.text] = len(g.keys)
		g.keys = append(g.keys, k)
	}
	for i := range entries {
		e := entries[i]
		e.Aliases = append([]string(nil), e.Aliases...)
		e.Points = append([]Point(nil), e.Points...)
		if len(e.Points) == 0 || e.Name == "" {
			continue
		}
		g.entries = append(g.entries, &e)
		for _, s := range append([]string{e.Name}, e.Aliases...) {
			s = normalize(s)
			add(key{text: s, entry: &e})
			if e.Kind == KindRoad {
				for _, d := range directionalForms(s) {
					add(key{text: d.text, entry: &e, dir: d.dir})
				}
			}
		}
	}
	// Longest first: the most specific name in a text is found first.
	sortKeys(g.keys)
	return g
}

// Entries returns a copy of the gazetteer's entries.
func (g *Gazetteer) Entries() []Entry {
	out := make([]Entry, len(g.entries))
	for i, e := range g.entries {
		out[i] = *e
	}
	return out
}

// Len returns how many entries the gazetteer has.
func (g *Gazetteer) Len() int { return len(g.entries) }

func sortKeys(ks []key) {
	slices.SortStableFunc(ks, func(a, b key) int { return len(b.text) - len(a.text) })
}

var roadSuffixes = []string{"大街", "路", "街"}

// directionalForms lists 人民东路, 人民西路 … for 人民路.
func directionalForms(name string) []key {
	for _, suf := range roadSuffixes {
		base, ok := strings.CutSuffix(name, suf)
		if !ok || utf8.RuneCountInString(base) < 2 {
			continue
		}
		var out []key
		for _, d := range "东西南北中" {
			out = append(out, key{text: base + string(d) + suf, dir: d})
		}
		return out
	}
	return nil
}

// normalize prepares a text for matching: full-width letters, digits and
// punctuation become their ASCII forms, Latin letters lower case, and
// white space goes (people type "人民 路").
func normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			continue
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			r -= 0xFF01 - 0x21
		case r == 0x3000 || r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == 0xA0:
			continue
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
