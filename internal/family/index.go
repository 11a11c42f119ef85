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
	people, reports, seekers *tracing.Index
	subjects                 map[string]*held   // by person id
	active                   map[string]*Report // by report id

	// What the searches found, when this node matches (it holds the
	// lease): by search its proposals by pair, and its reach of the index
	// it read; by pair the best of them, which the store holds. A search
	// is a report's of the people ("r:<id>") or a person's of the reports
	// ("p:<id>|r") or of the people ("p:<id>|p"): a change to a report
	// touches only the people's searches of the reports, not the costly
	// searches of every person record.
	matched bool
	found   map[string]map[string]*Candidate
	raw     map[string][]tracing.Result // by search: its answer, before the filter
	reach   map[string]tracing.Reach
	saved   map[string]*Candidate
	priors  [2]float64 // of the people, of the reports: what the searches are scored at
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
func prior(n int) float64 {
	p := 1
	for p < n+1 {
		p <<= 1
	}
	return 1 / float64(p)
}

func pairKey(personID, target string) string { return personID + "|" + target }

// newIndex indexes the subjects and the open reports.
func (s *Service) newIndex(subjects []*Subject, active []*Report) *index {
	x := &index{subjects: make(map[string]*held, len(subjects)), active: make(map[string]*Report, len(active))}
	var people, seekers, reports []*tracing.Record
	for _, sub := range subjects {
		rec := s.personRecord(sub)
		x.subjects[sub.Person.ID] = slim(sub)
		people = append(people, rec)
		if sub.Unidentified() {
			seekers = append(seekers, rec)
		}
	}
	for _, r := range active {
		x.active[r.ID] = r
		reports = append(reports, s.reportRecord(r))
	}
	m := s.fitted()
	x.people, x.seekers, x.reports = tracing.NewIndex(m, people), tracing.NewIndex(m, seekers), tracing.NewIndex(m, reports)
	return x
}

// allowed applies consent: a person who asked not to be matched publicly
// is matched only against the station's own reports, not against
// reports from the police or other stations.
func allowed(x *held, r *Report) bool { return x == nil || r == nil || !(x.private && r.External()) }

// reachOf gives the reach of the searches named by a record's ID and of.
func (x *index) reachOf(of string) func(string) tracing.Reach {
	return func(id string) tracing.Reach { return x.reach[id+of] }
}

// search runs one search (see index), keeps its answer and returns its
// proposals by pair; nil when the record does not search (identified, out
// of care, closed, gone).
func (x *index) search(query string, now time.Time) map[string]*Candidate {
	ix, q, k := x.searchOf(query)
	if q == nil {
		delete(x.raw, query)
		return nil
	}
	res, reach := ix.Search(q, k, x.priors[x.priorOf(query)])
	x.reach[query], x.raw[query] = reach, res
	return x.proposals(query, res, now)
}

// searchOf gives the index a search reads, its query record and how
// many it keeps; nils when the record does not search.
func (x *index) searchOf(query string) (*tracing.Index, *tracing.Record, int) {
	kind, rest, _ := strings.Cut(query, ":")
	id, of, _ := strings.Cut(rest, "|")
	if kind == "r" {
		if x.active[id] == nil {
			return nil, nil, 0
		}
		return x.people, x.reports.Get(query), topK
	}
	if sub := x.subjects[id]; sub == nil || !sub.Unidentified() {
		return nil, nil, 0
	}
	if "|"+of == ofReports {
		return x.reports, x.people.Get("p:" + id), topK
	}
	return x.people, x.people.Get("p:" + id), topK + 1 // the person finds themself too
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
func (x *index) proposals(query string, res []tracing.Result, now time.Time) map[string]*Candidate {
	kind, rest, _ := strings.Cut(query, ":")
	rid, of, _ := strings.Cut(rest, "|")
	out := map[string]*Candidate{}
	add := func(personID, target string, res tracing.Result) {
		c := &Candidate{ID: id.New(), PersonID: personID, Score: res.Score, Probability: res.Probability, Label: res.Label, Levels: res.Levels,
			State: Proposed, CreatedAt: now, UpdatedAt: now}
		if k, v, _ := strings.Cut(target, ":"); k == "r" {
			c.ReportID = v
		} else {
			c.OtherID = v
		}
		out[pairKey(personID, target)] = c
	}
	switch {
	case kind == "r":
		r := x.active[rid]
		for _, m := range res {
			pid := strings.TrimPrefix(m.Right, "p:")
			if m.Probability >= minProb && allowed(x.subjects[pid], r) {
				add(pid, query, m) // every comparison is symmetric
			}
		}
	case "|"+of == ofReports:
		sub := x.subjects[rid]
		for _, m := range res {
			if m.Probability >= minProb && allowed(sub, x.active[strings.TrimPrefix(m.Right, "r:")]) {
				add(rid, m.Right, m)
			}
		}
	default:
		for _, m := range res {
			other := strings.TrimPrefix(m.Right, "p:")
			if other == rid || m.Probability < minProb {
				continue
			}
			// Two unidentified people in care are one pair, not two.
			if o := x.subjects[other]; o != nil && o.Unidentified() && other < rid {
				continue
			}
			add(rid, m.Right, m)
		}
	}
	return out
}

// best is the pair's proposal: the better of what the person's search and
// the report's search found (the person's on a tie).
func (x *index) best(key string) *Candidate {
	personID, target, _ := strings.Cut(key, "|")
	if !strings.HasPrefix(target, "r:") {
		return x.found["p:"+personID+ofPeople][key]
	}
	b := x.found["p:"+personID+ofReports][key]
	if c := x.found[target][key]; c != nil && (b == nil || c.Score > b.Score) {
		b = c
	}
	return b
}

// queries lists every search.
func (x *index) queries() []string {
	var out []string
	for id, sub := range x.subjects {
		if sub.Unidentified() {
			out = append(out, "p:"+id+ofReports, "p:"+id+ofPeople)
		}
	}
	for id := range x.active {
		out = append(out, "r:"+id)
	}
	return out
}

// matchAll runs every search and returns every proposal.
func (x *index) matchAll(now time.Time) []*Candidate {
	x.priors = [2]float64{prior(x.people.Len()), prior(x.reports.Len())}
	x.found, x.raw, x.reach, x.saved = map[string]map[string]*Candidate{}, map[string][]tracing.Result{}, map[string]tracing.Reach{}, map[string]*Candidate{}
	for _, q := range x.queries() {
		if f := x.search(q, now); f != nil {
			x.found[q] = f
		}
	}
	var out []*Candidate
	for _, f := range x.found {
		for k := range f {
			if _, ok := x.saved[k]; !ok {
				x.saved[k] = x.best(k)
				out = append(out, x.saved[k])
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
	old := x.subjects[personID]
	if old == nil && sub == nil || old != nil && sub != nil && old.key == subjectKey(sub) {
		return false
	}
	key := "p:" + personID
	ch.queries[key+ofReports], ch.queries[key+ofPeople] = true, true
	if old != nil {
		ch.people = append(ch.people, x.people.Get(key))
	}
	if sub == nil {
		x.people.Remove(key)
		x.seekers.Remove(key)
		delete(x.subjects, personID)
		return true
	}
	rec := s.personRecord(sub)
	x.subjects[personID] = slim(sub)
	x.people.Put(rec)
	if sub.Unidentified() {
		x.seekers.Put(rec)
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
	old := x.active[reportID]
	if old == nil && r == nil || old != nil && r != nil && sameReport(old, r) {
		return false
	}
	key := "r:" + reportID
	ch.queries[key] = true
	if old != nil {
		ch.reports = append(ch.reports, x.reports.Get(key))
	}
	if r == nil {
		x.reports.Remove(key)
		delete(x.active, reportID)
		return true
	}
	rec := s.reportRecord(r)
	x.active[reportID] = r
	x.reports.Put(rec)
	ch.reports = append(ch.reports, rec)
	return true
}

// rematch searches again what the changes touch and returns the proposals
// that changed (new or with other evidence) and those no longer found.
func (x *index) rematch(ch *changes, now time.Time) (upsert, gone []*Candidate) {
	again := ch.queries
	touched := map[string]bool{}
	refound := func(q string, f map[string]*Candidate) {
		for k := range x.found[q] {
			touched[k] = true
		}
		if f == nil {
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
		for q, res := range x.raw {
			if i := x.priorOf(q); p[i] != old[i] {
				ix, rec, _ := x.searchOf(q)
				if rec == nil { // no longer searches: searched again below, to nothing
					continue
				}
				x.raw[q] = ix.Rescore(res, p[i])
				refound(q, x.proposals(q, x.raw[q], now))
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
		delete(x.reach, q)
		refound(q, x.search(q, now))
	}
	for k := range touched {
		b, old := x.best(k), x.saved[k]
		switch {
		case b == nil && old != nil:
			gone = append(gone, old)
			delete(x.saved, k)
		case b != nil && (old == nil || b.Score != old.Score || !slices.Equal(b.Levels, old.Levels)):
			upsert = append(upsert, b)
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
// half the index's memory at 10^5 people).
type held struct {
	unidentified, private bool
	key                   uint64
}

func (h *held) Unidentified() bool { return h.unidentified }

func slim(x *Subject) *held {
	return &held{unidentified: x.Unidentified(), private: x.Private, key: subjectKey(x)}
}

// sameReport reports whether two versions of an open report are the same
// to matching: a status between open and review, a version or a time
// changing alone does not count.
func sameReport(a, b *Report) bool {
	x, y := *a, *b
	x.Status, x.Version, x.UpdatedAt, y.Status, y.Version, y.UpdatedAt = "", 0, time.Time{}, "", 0, time.Time{}
	return x == y
}
