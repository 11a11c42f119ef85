package family

import (
	"context"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/tracing"
)

// Verdicts of a field in an explanation.
const (
	VerdictMatch    = "match"
	VerdictNear     = "near"
	VerdictMismatch = "mismatch"
	VerdictUnknown  = "unknown"
)

// Why a field could not be compared.
const (
	MissingPerson = "person"  // the person in care has no value
	MissingOther  = "other"   // the report or the earlier record has none
	MissingBoth   = "both"    // neither has
	Unreadable    = "unclear" // both have, but one says nothing comparable (a place no region is known for)
)

// Value is one side's value in a row of an explanation, as a reader sees
// it: what it is (Label, a catalogue key, "" when the row's name says it)
// and the value as recorded (Text), or a catalogue key with its Args
// (Key) when the value is a code or needs words around it ("about 45–55
// on 2026-12-01"). A row compares like with like: where the two sides
// hold different things of one kind (a native place, an accent) the
// labels say which.
type Value struct {
	Label string
	Text  string
	Key   string
	Args  []any
}

// FieldExplain is one line of a candidate's explanation: the field, how
// it compared, the weight it added (bits of evidence) and both sides'
// values.
type FieldExplain struct {
	Field   string
	Level   string // the comparison level's name, "" when unknown
	Verdict string
	Weight  float64
	Left    []Value // the person's values
	Right   []Value // the report's or earlier record's values
	Missing string  // why an unknown field could not be compared
}

// CandidateView is a candidate with both sides and its explanation.
type CandidateView struct {
	*Candidate
	Person *cases.Person
	Report *Report
	Other  *cases.Person
	Fields []FieldExplain
}

// Explain lists every field of the model for a pair compared at levels:
// the verdict, the weight and the values side by side.
func Explain(m *tracing.Model, levels []int, left, right map[string][]Value) []FieldExplain {
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
		} else {
			fe.Missing = missing(len(fe.Left) > 0, len(fe.Right) > 0)
		}
		out[f] = fe
	}
	return out
}

func missing(left, right bool) string {
	switch {
	case !left && !right:
		return MissingBoth
	case !left:
		return MissingPerson
	case !right:
		return MissingOther
	}
	return Unreadable
}

// sideOf is one side of a pair: the record as a reader may see it, with
// its latest stay (people), for the values shown.
type sideOf struct {
	person *cases.Person
	stay   *cases.Stay
}

// personValues are a person's values for an explanation.
func (s *Service) personValues(x sideOf) map[string][]Value {
	p := x.person
	v := map[string][]Value{"name": names(p.Name, p.Aliases), "sex": sexValue(p.Sex), "height": heightValue(p.HeightCm),
		"features": labelled("match.v_marks", p.Marks), "clothing": labelled("match.v_marks", p.Marks)}
	if x.stay != nil {
		v["time"] = labelled("match.v_found_on", x.stay.ArrivedAt.In(cases.CST).Format("2006-01-02"))
	}
	switch {
	case p.BirthDate != "":
		v["birth"] = labelled("match.v_born", p.BirthDate)
	case p.AgeMax > 0 && x.stay != nil:
		v["birth"] = []Value{ageValue("match.v_age_found", p.AgeMin, p.AgeMax, x.stay.ArrivedAt.In(cases.CST).Format("2006-01-02"))}
	case p.AgeMax > 0:
		v["birth"] = []Value{ageValue("match.v_age", p.AgeMin, p.AgeMax)}
	}
	withheld := false
	if p.IDSealed != "" {
		if n, err := s.Keys.Open(cases.IDContext, p.IDSealed); err == nil {
			v["id_number"] = []Value{{Text: secret.Mask(n)}}
			withheld = p.IDRegion == "" && idRegion(n) != ""
		}
	}
	if x.stay != nil {
		v["place"] = labelled("match.v_found", x.stay.Form.Story)
	}
	// As the matcher places someone: the ID number's region (withheld
	// from a reader who may not see the number), else the native place
	// (or 户籍), else the accent.
	v["region"] = regionValue(p.IDRegion, withheld, [][2]string{{"person.native_place", p.NativePlace}, {"person.hukou", p.Hukou}, {"match.v_accent", p.Dialect}})
	return v
}

// reportValues are a report's values for an explanation; without full,
// no region is read from its ID number.
func (s *Service) reportValues(r *Report, full bool) map[string][]Value {
	v := map[string][]Value{"name": names(r.Name, r.Aliases), "sex": sexValue(r.Sex), "height": heightValue(r.HeightCm),
		"features": append(labelled("match.v_marks", r.Features), labelled("match.v_description", r.Description)...),
		"clothing": append(labelled("match.v_marks", r.Features), labelled("match.v_description", r.Description)...), "time": labelled("match.v_lost_on", r.LostOn)}
	switch {
	case len(r.BirthDate) == 4:
		v["birth"] = []Value{{Key: "match.v_born_year", Args: []any{r.BirthDate}}}
	case r.BirthDate != "":
		v["birth"] = labelled("match.v_born", r.BirthDate)
	case r.AgeMax > 0 && r.LostOn != "":
		v["birth"] = []Value{ageValue("match.v_age_lost", r.AgeMin, r.AgeMax, r.LostOn)}
	case r.AgeMax > 0:
		v["birth"] = []Value{ageValue("match.v_age", r.AgeMin, r.AgeMax)}
	}
	if r.LostPlace != "" {
		v["place"] = labelled("match.v_lost", strings.TrimSpace(r.LostOn+" "+r.LostPlace))
	}
	region, withheld := "", false
	if r.IDSealed != "" {
		if n, err := s.Keys.Open(idContext, r.IDSealed); err == nil {
			v["id_number"] = []Value{{Text: secret.Mask(n)}}
			if region = idRegion(n); !full && region != "" {
				region, withheld = "", true
			}
		}
	}
	v["region"] = regionValue(region, withheld, [][2]string{{"person.native_place", r.NativePlace}, {"match.v_accent", r.Dialect}})
	return v
}

func labelled(label, text string) []Value {
	if text = strings.TrimSpace(text); text == "" {
		return nil
	}
	return []Value{{Label: label, Text: text}}
}

func names(name, aliases string) []Value {
	var out []Value
	if name = strings.TrimSpace(name); name != "" {
		out = append(out, Value{Text: name})
	}
	return append(out, labelled("match.v_aliases", aliases)...)
}

func sexValue(x cases.Sex) []Value {
	if x != cases.Male && x != cases.Female {
		return nil
	}
	return []Value{{Key: "sex." + string(x)}}
}

func heightValue(cm int) []Value {
	if cm <= 0 {
		return nil
	}
	return []Value{{Key: "match.v_height", Args: []any{cm}}}
}

// idRegion is the region an ID number's first six digits name, where
// they are legible and known ("" otherwise).
func idRegion(n string) string {
	if c := idPrefix(n); c != "" {
		if rg := idcard.RegionOf(c); rg.Known {
			return rg.String()
		}
	}
	return ""
}

// regionValue is where someone comes from as the matcher reads it: the
// ID number's region when known, else the first text that names a
// region (an accent with the region it names), else the first text.
// withheld says the ID number has a region the reader may not see: the
// matcher placed the side by it, so the row says so (with whatever text
// the reader may see), rather than showing an accent as if it were what
// was compared.
func regionValue(idRegion string, withheld bool, texts [][2]string) []Value {
	if idRegion != "" {
		return labelled("match.v_id_region", idRegion)
	}
	if withheld {
		return append([]Value{{Label: "match.v_id_region", Key: "match.v_withheld"}}, regionValue("", false, texts)...)
	}
	for _, t := range texts {
		code, ok := idcard.RegionByName(t[1])
		switch {
		case !ok:
		case t[0] == "match.v_accent":
			return []Value{{Label: t[0], Key: "match.v_accent_of", Args: []any{t[1], idcard.RegionOf(code).String()}}}
		default:
			return labelled(t[0], t[1])
		}
	}
	for _, t := range texts {
		if t[1] != "" {
			return labelled(t[0], t[1])
		}
	}
	return nil
}

// explain loads both sides of candidates and explains them. The fields
// are compared again from the records as they are now, so each row's
// verdict is about the values it shows (a name learnt since the proposal
// reads as a name, not as unknown); the candidate's probability stays
// the one it was proposed with. Values show each side as a may see it
// (cases.PersonFor, reportFor): a reader who may not see ID numbers sees
// neither a birth date nor a region next to a masked number.
func (s *Service) explain(ctx context.Context, a auth.Actor, cs []*Candidate) ([]*CandidateView, error) {
	m := s.fitted()
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
	stays, err := s.Cases.Store.StaysOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	people := map[string]*cases.Person{}
	for _, p := range ps {
		people[p.ID] = p
	}
	latest := map[string]*cases.Stay{}
	for _, st := range stays {
		if l := latest[st.PersonID]; l == nil || st.ArrivedAt.After(l.ArrivedAt) {
			latest[st.PersonID] = st
		}
	}
	now := s.Now()
	full := a.Can(auth.PermCasesPersonal)
	// side gives a person's record for the matcher and their values as a
	// may see them.
	side := func(id string) (*tracing.Record, map[string][]Value) {
		p, st := people[id], latest[id]
		x := &Subject{Person: p}
		if st != nil {
			x.Seen, x.Place = st.ArrivedAt, st.Form.Story
		}
		return s.personRecord(x), s.personValues(sideOf{cases.PersonFor(a, p, now), st})
	}
	var reportIDs []string
	for _, c := range cs {
		if c.ReportID != "" {
			reportIDs = append(reportIDs, c.ReportID)
		}
	}
	reports := map[string]*Report{}
	if len(reportIDs) > 0 {
		rs, err := s.Store.ReportsByIDs(ctx, reportIDs)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			reports[r.ID] = r
		}
	}
	out := make([]*CandidateView, 0, len(cs))
	for _, c := range cs {
		if people[c.PersonID] == nil {
			continue
		}
		v := &CandidateView{Candidate: c, Person: cases.PersonFor(a, people[c.PersonID], now)}
		lrec, left := side(c.PersonID)
		var rrec *tracing.Record
		var right map[string][]Value
		if c.ReportID != "" {
			r, ok := reports[c.ReportID]
			if !ok {
				continue // withdrawn and erased meanwhile
			}
			v.Report = reportFor(a, r)
			rrec, right = s.reportRecord(r), s.reportValues(v.Report, full)
		} else {
			if people[c.OtherID] == nil {
				continue
			}
			v.Other = cases.PersonFor(a, people[c.OtherID], now)
			rrec, right = side(c.OtherID)
		}
		lrec.Prepare()
		rrec.Prepare()
		v.Fields = Explain(m, tracing.Levels(lrec, rrec), left, right)
		out = append(out, v)
	}
	return out, nil
}

// ageValue is an estimated age: "约28–35岁", or "约28岁" when the estimate
// is one year (key + "_one" takes the age once).
func ageValue(key string, lo, hi int, more ...any) Value {
	if lo == hi {
		return Value{Key: key + "_one", Args: append([]any{lo}, more...)}
	}
	return Value{Key: key, Args: append([]any{lo, hi}, more...)}
}
