package family

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/tracing"
)

// Matching searches, for every unidentified person in care, the open
// reports and every earlier record; and, for every open report, every
// person record. A pair is proposed when either side's search finds it
// among its best (topK) at probability ≥ minProb, consent permitting.
//
// index holds what those searches read, in memory: every person record
// not merged away, the open reports, and the people who search (the
// unidentified in care, a second index of the same records for finding
// which searches a change touches). It is kept up to date change by
// change: a change to a record replaces it in its index and searches
// again only the searches it can alter (tracing.Index.Touches), and the
// proposals that come out are the ones a search of everything would give
// (TestIncrementalMatchingEqualsFullRefresh).
type index struct {
	people, reports, seekers *tracing.Index   // people's and seekers' records tagged with their standing (held)
	active                   map[string]still // by report id (a substring of the record's ID)

	// What the searches found, when this node matches (it holds the
	// lease): by search its proposals by pair, and its reach of the index
	// it read; by pair the best of them, which the store holds. A search
	// is a report's of the people ("r:<id>") or a person's of the reports
	// ("p:<id>|r") or of the people ("p:<id>|p"): a change to a report
	// touches only the people's searches of the reports, not the costly
	// searches of every person record.
	matched bool
	found   map[string]map[pair]prop
	state   map[searchKey]searched // by search: its answer and reach
	saved   map[pair]prop
	priors  [2]float64 // of the people, of the reports: what the searches are scored at
}

// pair names a proposal: the person's record ("p:<person>") and the other
// side's ("r:<report>" or "p:<person>"), as the index keys them (17 bytes
// each, no strings).
type pair struct{ person, target tracing.Key }

// prop is a proposal as the index keeps it: its score and its levels
// (packed as kept's). The Candidate the store saves is made of it when
// saved (candidate): a few hundred bytes a proposal less while held.
type prop struct {
	score  float64
	levels uint32
}

// candidate is the proposal of pair p, as saved at now.
func candidate(k pair, p prop, now time.Time) *Candidate {
	pr := tracing.Probability(p.score)
	c := &Candidate{ID: id.New(), PersonID: strings.TrimPrefix(k.person.String(), "p:"), Score: p.score, Probability: pr, Label: tracing.LabelOf(pr), Levels: unpack(p.levels),
		State: Proposed, CreatedAt: now, UpdatedAt: now}
	if kind, v, _ := strings.Cut(k.target.String(), ":"); kind == "r" {
		c.ReportID = v
	} else {
		c.OtherID = v
	}
	return c
}

// A person's two searches: of the reports, of the people.
const (
	ofReports = "|r"
	ofPeople  = "|p"
)

// prior is the prior share of true pairs for a search of n records: one
// in n+1, a person being at most one of them, rounded down to a power of
// two so that it changes only when n doubles or halves. Between those
// steps a change searches again only what it touches; at a step every
// search is run again.
func prior(n int) float64 { return tracing.PriorFor(n) }

// newIndex indexes the subjects and the open reports.
func (s *Service) newIndex(subjects []*Subject, active []*Report) *index {
	m := s.fitted()
	x := &index{active: make(map[string]still, len(active)), people: tracing.NewIndex(m, nil), seekers: tracing.NewIndex(m, nil),
		reports: tracing.NewIndex(m, nil)}
	// In ID order, as tracing.NewIndex puts records (each joins the end of
	// its lists), one at a time: a record's fields are dropped once it is
	// in, not held until all are.
	slices.SortFunc(active, func(a, b *Report) int { return strings.Compare(a.ID, b.ID) })
	for _, r := range active {
		rec := s.reportRecord(r)
		x.active[rec.ID[len("r:"):]] = slimReport(r)
		x.reports.Put(rec)
	}
	x.addSubjects(s, subjects)
	x.trim()
	return x
}

// addSubjects indexes subjects the index does not hold (a page of the
// build: after the pages before it by id).
func (x *index) addSubjects(s *Service, subjects []*Subject) {
	slices.SortFunc(subjects, func(a, b *Subject) int { return strings.Compare(a.Person.ID, b.Person.ID) })
	for _, sub := range subjects {
		rec, tag := s.personRecord(sub), slim(sub).tag()
		x.people.PutTagged(rec, tag)
		if sub.Unidentified() {
			x.seekers.PutTagged(rec, tag)
		}
	}
}

// trim gives back the room the indexes grew into while built.
func (x *index) trim() {
	x.people.Trim()
	x.seekers.Trim()
	x.reports.Trim()
}

// held is the standing of the person whose record has id ("p:…"); the
// zero held when the index does not hold it.
func (x *index) held(id string) held {
	t, _ := x.people.Tag(id)
	return heldOf(t)
}

// allowed applies consent: a person who asked not to be matched publicly
// is matched only against the station's own reports, not against
// reports from the police or other stations. (A person or report the
// index does not hold is neither private nor external.)
func allowed(x held, r still) bool { return !(x.private && r.external) }

// searchKey names a search in the index's state: the key of the record
// that searches and which of its searches (the query's suffix, as
// numbered in ofs). 18 bytes, where the query's text took 64.
type searchKey struct {
	rec tracing.Key
	of  uint8
}

// ofs are the searches' suffixes: a report's search of the people, a
// person's of the reports, of the people.
var ofs = [...]string{"", ofReports, ofPeople}

func keyOfSearch(query string) searchKey {
	for i := len(ofs) - 1; i > 0; i-- {
		if strings.HasSuffix(query, ofs[i]) {
			return searchKey{tracing.KeyOf(query[:len(query)-len(ofs[i])]), uint8(i)}
		}
	}
	return searchKey{tracing.KeyOf(query), 0}
}

func (k searchKey) query() string { return k.rec.String() + ofs[k.of] }

// searched is what the index keeps of a search until it runs again: its
// answer, before the filter, and its reach of the index it read.
type searched struct {
	answer answer
	reach  tracing.Reach
}

// reachOf gives the reach of the searches named by a record's key and
// of.
func (x *index) reachOf(of string) func(tracing.Key) tracing.Reach {
	n := uint8(slices.Index(ofs[:], of))
	return func(k tracing.Key) tracing.Reach { return x.state[searchKey{k, n}].reach }
}

// search runs one search (see index), keeps its answer and returns its
// proposals by pair; nil when the record does not search (identified, out
// of care, closed, gone).
func (x *index) search(query string) map[pair]prop {
	ix, q, k := x.searchOf(query)
	if q == nil {
		delete(x.state, keyOfSearch(query))
		return nil
	}
	res, reach := ix.Search(q, k, x.priors[x.priorOf(query)])
	x.state[keyOfSearch(query)] = searched{keep(res), reach}
	return x.proposals(query, res)
}

// searchOf gives the index a search reads, its query record and how
// many it keeps; nils when the record does not search.
func (x *index) searchOf(query string) (*tracing.Index, *tracing.Record, int) {
	kind, rest, _ := strings.Cut(query, ":")
	id, of, _ := strings.Cut(rest, "|")
	if kind == "r" {
		if _, ok := x.active[id]; !ok {
			return nil, nil, 0
		}
		return x.people, x.reports.Get(query), topK
	}
	rec := query[:len("p:")+len(id)]
	if !x.held(rec).unidentified {
		return nil, nil, 0
	}
	if "|"+of == ofReports {
		return x.reports, x.people.Get(rec), topK
	}
	return x.people, x.people.Get(rec), topK + 1 // the person finds themself too
}

// priorOf tells which index's prior a search is scored at (see priors).
func (x *index) priorOf(query string) int {
	if strings.HasSuffix(query, ofReports) {
		return 1
	}
	return 0
}

// proposals are the pairs a search's answer proposes: probable enough,
// consent permitting.
func (x *index) proposals(query string, res []tracing.Result) map[pair]prop {
	kind, rest, _ := strings.Cut(query, ":")
	rid, of, _ := strings.Cut(rest, "|")
	out := map[pair]prop{}
	add := func(person, target string, res tracing.Result) {
		out[pair{tracing.KeyOf(person), tracing.KeyOf(target)}] = prop{res.Score, pack(res.Levels)}
	}
	switch {
	case kind == "r":
		r := x.active[rid]
		for _, m := range res {
			if m.Probability >= minProb && allowed(x.held(m.Right), r) {
				add(m.Right, query, m) // every comparison is symmetric
			}
		}
	case "|"+of == ofReports:
		person := query[:len("p:")+len(rid)]
		sub := x.held(person)
		for _, m := range res {
			if m.Probability >= minProb && allowed(sub, x.active[strings.TrimPrefix(m.Right, "r:")]) {
				add(person, m.Right, m)
			}
		}
	default:
		for _, m := range res {
			other := strings.TrimPrefix(m.Right, "p:")
			if other == rid || m.Probability < minProb {
				continue
			}
			// Two unidentified people in care are one pair, not two.
			if x.held(m.Right).unidentified && other < rid {
				continue
			}
			add(query[:len("p:")+len(rid)], m.Right, m)
		}
	}
	return out
}

// best is the pair's proposal: the better of what the person's search and
// the report's search found (the person's on a tie).
func (x *index) best(k pair) (prop, bool) {
	person, target := k.person.String(), k.target.String()
	if !strings.HasPrefix(target, "r:") {
		b, ok := x.found[person+ofPeople][k]
		return b, ok
	}
	b, ok := x.found[person+ofReports][k]
	if c, found := x.found[target][k]; found && (!ok || c.score > b.score) {
		b, ok = c, true
	}
	return b, ok
}

// queries lists every search.
func (x *index) queries() []string {
	var out []string
	x.seekers.Each(func(id string, _ uint64) { out = append(out, id+ofReports, id+ofPeople) })
	for id := range x.active {
		out = append(out, "r:"+id)
	}
	return out
}

// matchAll runs every search and returns every proposal.
func (x *index) matchAll(now time.Time) []*Candidate {
	x.priors = [2]float64{prior(x.people.Len()), prior(x.reports.Len())}
	x.found, x.state, x.saved = map[string]map[pair]prop{}, map[searchKey]searched{}, map[pair]prop{}
	for _, q := range x.queries() {
		if f := x.search(q); len(f) > 0 {
			x.found[q] = f
		}
	}
	var out []*Candidate
	for _, f := range x.found {
		for k := range f {
			if _, ok := x.saved[k]; !ok {
				b, _ := x.best(k)
				x.saved[k] = b
				out = append(out, candidate(k, b, now))
			}
		}
	}
	x.matched = true
	return out
}

// changes are the records a batch of changes replaced in the index: the
// old and new versions (each nil when absent), and the searches that must
// run again whatever they touch (the changed records' own).
type changes struct {
	people, reports []*tracing.Record
	queries         map[string]bool
}

// putPerson replaces a person's record (nil: merged away or gone); false
// when nothing matching reads changed.
func (x *index) putPerson(s *Service, personID string, sub *Subject, ch *changes) bool {
	key := "p:" + personID
	t, had := x.people.Tag(key)
	if !had && sub == nil || had && sub != nil && heldOf(t) == slim(sub) {
		return false
	}
	ch.queries[key+ofReports], ch.queries[key+ofPeople] = true, true
	if had {
		ch.people = append(ch.people, x.people.Get(key))
	}
	if sub == nil {
		x.people.Remove(key)
		x.seekers.Remove(key)
		return true
	}
	rec, tag := s.personRecord(sub), slim(sub).tag()
	x.people.PutTagged(rec, tag)
	if sub.Unidentified() {
		x.seekers.PutTagged(rec, tag)
	} else {
		x.seekers.Remove(key)
	}
	ch.people = append(ch.people, rec)
	return true
}

// putReport replaces a report (nil or closed: no longer searched for).
func (x *index) putReport(s *Service, reportID string, r *Report, ch *changes) bool {
	if r != nil && !r.Active() {
		r = nil
	}
	old, had := x.active[reportID]
	if !had && r == nil || had && r != nil && old.key == reportKey(r) {
		return false
	}
	key := "r:" + reportID
	ch.queries[key] = true
	if had {
		ch.reports = append(ch.reports, x.reports.Get(key))
	}
	if r == nil {
		x.reports.Remove(key)
		delete(x.active, reportID)
		return true
	}
	rec := s.reportRecord(r)
	x.active[rec.ID[len("r:"):]] = slimReport(r)
	x.reports.Put(rec)
	ch.reports = append(ch.reports, rec)
	return true
}

// rematch searches again what the changes touch and returns the proposals
// that changed (new or with other evidence) and those no longer found.
func (x *index) rematch(ch *changes, now time.Time) (upsert, gone []*Candidate) {
	again := ch.queries
	touched := map[pair]bool{}
	refound := func(q string, f map[pair]prop) {
		for k := range x.found[q] {
			touched[k] = true
		}
		if len(f) == 0 { // none kept: most searches find no one probable
			delete(x.found, q)
			return
		}
		x.found[q] = f
		for k := range f {
			touched[k] = true
		}
	}
	// A prior that stepped shifts every score of the searches of that
	// index alike: their answers are scored again, not searched again.
	if p := [2]float64{prior(x.people.Len()), prior(x.reports.Len())}; p != x.priors {
		old := x.priors
		x.priors = p
		for sk, st := range x.state {
			q := sk.query()
			if i := x.priorOf(q); p[i] != old[i] {
				ix, rec, _ := x.searchOf(q)
				if rec == nil { // no longer searches: searched again below, to nothing
					continue
				}
				res := ix.Rescore(st.answer.results(q), p[i])
				x.state[sk] = searched{keep(res), st.reach}
				refound(q, x.proposals(q, res))
			}
		}
	}
	for _, rec := range ch.people {
		for _, q := range x.reports.Touches(rec, x.reachOf("")) {
			again[q] = true
		}
		for _, q := range x.seekers.Touches(rec, x.reachOf(ofPeople)) {
			again[q+ofPeople] = true
		}
	}
	for _, rec := range ch.reports {
		for _, q := range x.seekers.Touches(rec, x.reachOf(ofReports)) {
			again[q+ofReports] = true
		}
	}
	for q := range again {
		delete(x.state, keyOfSearch(q))
		refound(q, x.search(q))
	}
	for k := range touched {
		b, ok := x.best(k)
		old, had := x.saved[k]
		switch {
		case !ok && had:
			gone = append(gone, candidate(k, old, now))
			delete(x.saved, k)
		case ok && (!had || b != old):
			upsert = append(upsert, candidate(k, b, now))
			x.saved[k] = b
		}
	}
	return upsert, gone
}

// subjectKey hashes what a subject gives matching: the person's record
// and standing, without the version and time of the row (which change
// alone on writes matching does not read). Two versions with one key give
// the same record and standing.
func subjectKey(x *Subject) uint64 {
	p := *x.Person
	p.Version, p.UpdatedAt = 0, time.Time{}
	h := fnv.New64a()
	fmt.Fprintf(h, "%+v|%v|%v|%q|%v", p, x.Seen.UnixNano(), x.InCare, x.Place, x.Private)
	return h.Sum64()
}

// held is what the index keeps of a subject once its record is built:
// its standing and its key, not the whole person row (which was about
// half the index's memory at 10^5 people). It is kept as the record's
// tag in the index: the two flags and 62 bits of the key.
type held struct {
	unidentified, private bool
	key                   uint64
}

const keyBits = 1<<62 - 1

func slim(x *Subject) held {
	return held{unidentified: x.Unidentified(), private: x.Private, key: subjectKey(x) & keyBits}
}

func (h held) tag() uint64 {
	t := h.key
	if h.unidentified {
		t |= 1 << 63
	}
	if h.private {
		t |= 1 << 62
	}
	return t
}

func heldOf(t uint64) held {
	return held{unidentified: t>>63 == 1, private: t>>62&1 == 1, key: t & keyBits}
}

// still is what the index keeps of an open report once its record is
// built: whether it came from outside (consent) and its key, not the
// whole report.
type still struct {
	external bool
	key      uint64
}

func slimReport(r *Report) still { return still{external: r.External(), key: reportKey(r)} }

// reportKey hashes an open report as matching sees it: a status between
// open and review, a version or a time changing alone does not change
// it. Two versions with one key are the same to matching.
func reportKey(r *Report) uint64 {
	x := *r
	x.Status, x.Version, x.UpdatedAt = "", 0, time.Time{}
	h := fnv.New64a()
	fmt.Fprintf(h, "%+v", x)
	return h.Sum64()
}

// answer is a search's last answer, before the filter, scored at the
// prior it was searched at.
func (x *index) answer(query string) []tracing.Result {
	ix, _, _ := x.searchOf(query)
	if ix == nil {
		return nil
	}
	return ix.Rescore(x.state[keyOfSearch(query)].answer.results(query), x.priors[x.priorOf(query)])
}

// kept is one candidate of a search's answer as the index keeps it until
// the search runs again: whom it found and how each field compared, three
// bits a field. Its score is the model's for those levels at the prior
// (tracing.Index.Rescore gives it to the bit, as the search did), so it
// is not kept; nor is anything else of the result (about 160 bytes a
// candidate, ten a search, a search for every open report).
type kept struct {
	right  tracing.Key // the record's ID
	levels uint32
}

type answer []kept

func init() {
	if len(tracing.Fields) > 10 {
		panic("family: kept packs the levels of at most 10 fields")
	}
	for _, f := range tracing.Fields {
		if len(f.Levels) > 7 {
			panic("family: kept packs at most 7 levels a field")
		}
	}
}

func keep(rs []tracing.Result) answer {
	out := make(answer, len(rs))
	for i, r := range rs {
		out[i] = kept{tracing.KeyOf(r.Right), pack(r.Levels)}
	}
	return out
}

// pack packs levels, three bits a field (one to one: Unknown, -1, is 0).
func pack(levels []int) uint32 {
	var v uint32
	for f, l := range levels {
		v |= uint32(l+1) << (3 * f)
	}
	return v
}

func unpack(v uint32) []int {
	lv := make([]int, len(tracing.Fields))
	for f := range lv {
		lv[f] = int(v>>(3*f)&7) - 1
	}
	return lv
}

// results are the answer as results of query, scores not yet given.
func (a answer) results(query string) []tracing.Result {
	out := make([]tracing.Result, len(a))
	for i, k := range a {
		out[i] = tracing.Result{Left: query, Right: k.right.String(), Levels: unpack(k.levels)}
	}
	return out
}
