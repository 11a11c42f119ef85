package family

import (
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/tracing"
)

// Subject is a person record as matching sees it: the record and its
// latest stay.
type Subject struct {
	Person  *cases.Person
	Seen    time.Time // latest arrival at the station
	InCare  bool      // an open stay
	Place   string    // the latest stay's account of where they were found
	Private bool      // asked not to be matched publicly
}

// Unidentified reports whether the subject is someone in care whose
// identity is not known: the people matching searches for.
func (x *Subject) Unidentified() bool { return x.InCare && !x.Person.Identified }

const (
	topK    = 10  // candidates kept per record
	minProb = 0.5 // below this a pair is not proposed
)

// fitted is the matcher's model: the one built in (tracing.DefaultModel),
// which `haven match` scores with too.
func (s *Service) fitted() *tracing.Model { return tracing.DefaultModel() }

var sexCode = map[cases.Sex]byte{cases.Male: 'M', cases.Female: 'F'}

func splitNames(name, aliases string) []string {
	var out []string
	if n := strings.TrimSpace(name); n != "" {
		out = append(out, n)
	}
	for _, a := range strings.FieldsFunc(aliases, func(r rune) bool { return strings.ContainsRune("|,，、;； ", r) }) {
		out = append(out, a)
	}
	return out
}

// personRecord is a person as the matcher's record. The ID number is
// opened in memory to compare, never shown.
func (s *Service) personRecord(x *Subject) *tracing.Record {
	p := x.Person
	// The region comes from the ID number (Prepare reads its code), else
	// the native place, else the accent: p.IDRegion is a name, not a code.
	// Features are compared with features; the accent places the region.
	r := &tracing.Record{ID: "p:" + p.ID, Names: splitNames(p.Name, p.Aliases), Sex: sexCode[p.Sex], AgeMin: p.AgeMin, AgeMax: p.AgeMax,
		Seen: x.Seen, HeightCm: p.HeightCm, NativePlace: firstOf(p.NativePlace, p.Hukou), Dialect: p.Dialect,
		Place: x.Place, Features: p.Marks, SeenIs: tracing.SeenFound}
	if b, ok := p.Birth(); ok {
		r.Birth = b
	}
	if p.IDSealed != "" {
		r.IDNumber, _ = s.Keys.Open(cases.IDContext, p.IDSealed)
	}
	return r
}

func firstOf(v ...string) string {
	for _, x := range v {
		if x != "" {
			return x
		}
	}
	return ""
}

// reportRecord is a report as the matcher's record.
func (s *Service) reportRecord(rp *Report) *tracing.Record {
	r := &tracing.Record{ID: "r:" + rp.ID, Names: splitNames(rp.Name, rp.Aliases), Sex: sexCode[rp.Sex], AgeMin: rp.AgeMin, AgeMax: rp.AgeMax,
		HeightCm: rp.HeightCm, NativePlace: rp.NativePlace, Dialect: rp.Dialect, Place: rp.LostPlace,
		Features: strings.TrimSpace(rp.Features + " " + rp.Description)}
	if t, err := time.Parse("2006-01-02", rp.LostOn); err == nil {
		r.Seen, r.SeenIs = t, tracing.SeenLost
	}
	if t, err := time.Parse("2006-01-02", rp.BirthDate); err == nil {
		r.Birth = t
	} else if t, err := time.Parse("2006", rp.BirthDate); err == nil {
		r.Birth, r.BirthYear = t, true
	}
	if rp.IDSealed != "" {
		r.IDNumber, _ = s.Keys.Open(idContext, rp.IDSealed)
	}
	if c := idPrefix(r.IDNumber); c != "" {
		r.Region = c
	}
	return r
}

// idPrefix is an ID number's region code, its first six digits, where
// they are legible ("" otherwise: a family may write a number in part).
func idPrefix(n string) string {
	if len(n) < 6 || strings.Contains(n[:6], "*") {
		return ""
	}
	return n[:6]
}
