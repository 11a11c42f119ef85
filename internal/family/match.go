package family

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
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

// fitted is the matcher's model: estimated once per process from the
// seeded synthetic population (tracing.FitModel), so the same every start.
func (s *Service) fitted() *tracing.Model { return defaultModel() }

var defaultModel = sync.OnceValue(func() *tracing.Model { return tracing.FitModel(2026, 100) })

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
	r := &tracing.Record{ID: "p:" + p.ID, Names: splitNames(p.Name, p.Aliases), Sex: sexCode[p.Sex], AgeMin: p.AgeMin, AgeMax: p.AgeMax,
		Seen: x.Seen, HeightCm: p.HeightCm, Region: p.IDRegion, NativePlace: firstOf(p.NativePlace, p.Hukou), Dialect: p.Dialect,
		Place: x.Place, Features: strings.TrimSpace(p.Marks + " " + p.Dialect)}
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
		Features: strings.TrimSpace(rp.Description + " " + rp.Dialect)}
	if t, err := time.Parse("2006-01-02", rp.LostOn); err == nil {
		r.Seen = t
	}
	if t, err := time.Parse("2006-01-02", rp.BirthDate); err == nil {
		r.Birth = t
	} else if t, err := time.Parse("2006", rp.BirthDate); err == nil {
		r.Birth, r.BirthYear = t, true
	}
	if rp.IDSealed != "" {
		r.IDNumber, _ = s.Keys.Open(idContext, rp.IDSealed)
	}
	if p := r.IDNumber; len(p) >= 6 && !strings.Contains(p[:6], "*") {
		r.Region = p[:6]
	}
	return r
}

// Verdicts of a field in an explanation.
const (
	VerdictMatch    = "match"
	VerdictNear     = "near"
	VerdictMismatch = "mismatch"
	VerdictUnknown  = "unknown"
)

// FieldExplain is one line of a candidate's explanation: the field, how
// it compared, the weight it added (bits of evidence) and both values.
type FieldExplain struct {
	Field   string
	Level   string // the comparison level's name, "" when unknown
	Verdict string
	Weight  float64
	Left    string // the person's value
	Right   string // the report's or earlier record's value
}

// CandidateView is a candidate with both sides and its explanation.
type CandidateView struct {
	*Candidate
	Person *cases.Person
	Report *Report
	Other  *cases.Person
	Fields []FieldExplain
}

// Explain lists every field of the model for a pair: the verdict, the
// weight and the values side by side. ID numbers show masked.
func Explain(m *tracing.Model, levels []int, left, right map[string]string) []FieldExplain {
	out := make([]FieldExplain, len(tracing.Fields))
	for f, fd := range tracing.Fields {
		l := tracing.Unknown
		if f < len(levels) {
			l = levels[f]
		}
		fe := FieldExplain{Field: fd.Name, Verdict: VerdictUnknown, Left: left[fd.Name], Right: right[fd.Name]}
		if l != tracing.Unknown && l < len(fd.Levels) {
			fe.Level = fd.Levels[l]
			fe.Weight = m.Weight(f, l)
			switch {
			case l == len(fd.Levels)-1:
				fe.Verdict = VerdictMatch
			case l == 0:
				fe.Verdict = VerdictMismatch
			default:
				fe.Verdict = VerdictNear
			}
		}
		out[f] = fe
	}
	return out
}

// personValues are a person's values for an explanation.
func (s *Service) personValues(x *cases.Person, seen time.Time) map[string]string {
	v := map[string]string{"name": strings.TrimSpace(x.Name + " " + x.Aliases), "sex": string(x.Sex), "height": heightText(x.HeightCm),
		"place": "", "features": strings.TrimSpace(x.Marks + " " + x.Dialect)}
	if x.BirthDate != "" {
		v["birth"] = x.BirthDate
	} else if x.AgeMax > 0 {
		v["birth"] = ageText(x.AgeMin, x.AgeMax, seen)
	}
	if x.IDSealed != "" {
		if n, err := s.Keys.Open(cases.IDContext, x.IDSealed); err == nil {
			v["id_number"] = secret.Mask(n)
		}
	}
	v["region"] = regionText(x.IDRegion, firstOf(x.NativePlace, x.Hukou, x.Dialect))
	return v
}

// reportValues are a report's values for an explanation; without full,
// no region is read from its ID number.
func (s *Service) reportValues(r *Report, full bool) map[string]string {
	v := map[string]string{"name": strings.TrimSpace(r.Name + " " + r.Aliases), "sex": string(r.Sex), "height": heightText(r.HeightCm),
		"place": strings.TrimSpace(r.LostOn + " " + r.LostPlace), "features": strings.TrimSpace(r.Description + " " + r.Dialect)}
	if r.BirthDate != "" {
		v["birth"] = r.BirthDate
	} else if r.AgeMax > 0 {
		t, _ := time.Parse("2006-01-02", r.LostOn)
		v["birth"] = ageText(r.AgeMin, r.AgeMax, t)
	}
	code := ""
	if r.IDSealed != "" {
		if n, err := s.Keys.Open(idContext, r.IDSealed); err == nil {
			v["id_number"] = secret.Mask(n)
			if full && len(n) >= 6 && !strings.Contains(n[:6], "*") {
				code = n[:6]
			}
		}
	}
	v["region"] = regionText(code, firstOf(r.NativePlace, r.Dialect))
	return v
}

func heightText(cm int) string {
	if cm <= 0 {
		return ""
	}
	return strconv.Itoa(cm) + " cm"
}

func ageText(lo, hi int, at time.Time) string {
	s := strconv.Itoa(lo) + "–" + strconv.Itoa(hi)
	if !at.IsZero() {
		s += " @" + at.Format("2006-01-02")
	}
	return s
}

func regionText(code, text string) string {
	if code != "" {
		if r := idcard.RegionOf(code); r.Known {
			return strings.TrimSpace(r.String() + " " + text)
		}
	}
	return text
}

// explain loads both sides of candidates and explains them, each side as
// a may see it (cases.PersonFor, reportFor): a reader who may not see ID
// numbers sees neither a birth date nor a region next to a masked number.
func (s *Service) explain(ctx context.Context, a auth.Actor, cs []*Candidate) ([]*CandidateView, error) {
	m := s.fitted()
	people := map[string]*cases.Person{}
	reports := map[string]*Report{}
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.PersonID)
		if c.OtherID != "" {
			ids = append(ids, c.OtherID)
		}
	}
	ps, err := s.Cases.Store.PeopleByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	for _, p := range ps {
		people[p.ID] = cases.PersonFor(a, p, now)
	}
	seen, err := s.Store.LatestArrivals(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*CandidateView, 0, len(cs))
	for _, c := range cs {
		v := &CandidateView{Candidate: c, Person: people[c.PersonID]}
		if v.Person == nil {
			continue
		}
		left := s.personValues(v.Person, seen[c.PersonID])
		var right map[string]string
		if c.ReportID != "" {
			r, ok := reports[c.ReportID]
			if !ok {
				if r, err = s.Store.ReportByID(ctx, c.ReportID); err != nil {
					return nil, err
				}
				r = reportFor(a, r)
				reports[c.ReportID] = r
			}
			v.Report, right = r, s.reportValues(r, a.Can(auth.PermCasesPersonal))
		} else {
			if v.Other = people[c.OtherID]; v.Other == nil {
				continue
			}
			right = s.personValues(v.Other, seen[c.OtherID])
		}
		v.Fields = Explain(m, c.Levels, left, right)
		out = append(out, v)
	}
	return out, nil
}
