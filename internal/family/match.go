package family

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/tracing"
)

// Subject is a person record as matching sees it: the record and its
// latest stay.
type Subject struct {
	Person *cases.Person
	Seen   time.Time // latest arrival at the station
	InCare bool      // an open stay
	Place  string    // the latest stay's account of where they were found
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
	// The region comes from the ID number (Prepare reads its code), else
	// the native place, else the accent: p.IDRegion is a name, not a code.
	// Features are compared with features; the accent places the region.
	r := &tracing.Record{ID: "p:" + p.ID, Names: splitNames(p.Name, p.Aliases), Sex: sexCode[p.Sex], AgeMin: p.AgeMin, AgeMax: p.AgeMax,
		Seen: x.Seen, HeightCm: p.HeightCm, NativePlace: firstOf(p.NativePlace, p.Hukou), Dialect: p.Dialect,
		Place: x.Place, Features: p.Marks}
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

// Refresh recomputes the candidates of every unidentified person in care
// and every open report.
func (s *Service) Refresh(ctx context.Context) error { return s.refreshScope(ctx, nil, nil) }

// RefreshPerson recomputes one person's candidates (after admission or an
// edit): against open reports and earlier records, and as an earlier
// record of others.
func (s *Service) RefreshPerson(ctx context.Context, personID string) error {
	return s.refreshScope(ctx, map[string]bool{personID: true}, nil)
}

// RefreshReport recomputes one report's candidates.
func (s *Service) RefreshReport(ctx context.Context, reportID string) error {
	return s.refreshScope(ctx, nil, map[string]bool{reportID: true})
}

// refreshScope searches for the people and reports in scope (all when
// both are nil) and saves what it finds. Decided pairs keep their
// decision; a rejected pair is never proposed again.
func (s *Service) refreshScope(ctx context.Context, people, reports map[string]bool) error {
	s.refresh.Lock()
	defer s.refresh.Unlock()
	all := people == nil && reports == nil
	subjects, err := s.Store.Subjects(ctx)
	if err != nil {
		return err
	}
	active, err := s.Store.ActiveReports(ctx)
	if err != nil {
		return err
	}
	private, err := s.Store.PrivatePeople(ctx)
	if err != nil {
		return err
	}
	model := s.fitted()
	byPerson := map[string]*Subject{}
	precs := make([]*tracing.Record, 0, len(subjects))
	for _, x := range subjects {
		byPerson[x.Person.ID] = x
		precs = append(precs, s.personRecord(x))
	}
	byReport := map[string]*Report{}
	rrecs := make([]*tracing.Record, 0, len(active))
	for _, r := range active {
		byReport[r.ID] = r
		rrecs = append(rrecs, s.reportRecord(r))
	}
	// The prior of a pair is one in the number of records searched: a
	// person is at most one of them.
	personIdx := tracing.NewSearcher(precs, model.WithPrior(1/float64(len(precs)+1)))
	reportIdx := tracing.NewSearcher(rrecs, model.WithPrior(1/float64(len(rrecs)+1)))
	now := s.now()
	var found []*Candidate
	add := func(personID, target string, res tracing.Result) {
		c := &Candidate{ID: id.New(), PersonID: personID, Score: res.Score, Probability: res.Probability, Label: res.Label, Levels: res.Levels,
			State: Proposed, CreatedAt: now, UpdatedAt: now}
		if k, v, _ := strings.Cut(target, ":"); k == "r" {
			c.ReportID = v
		} else {
			c.OtherID = v
		}
		found = append(found, c)
	}
	// allowed applies consent: a person who asked not to be matched
	// publicly is matched only against the station's own records, not
	// against reports from the police or other stations.
	allowed := func(personID string, r *Report) bool { return !(private[personID] && r.External()) }
	var scopePeople, scopeReports []string
	for i, x := range subjects {
		pid := x.Person.ID
		inScope := all || people[pid]
		if !inScope || !x.Unidentified() {
			if inScope {
				scopePeople = append(scopePeople, pid)
			}
			continue
		}
		scopePeople = append(scopePeople, pid)
		for _, res := range reportIdx.Search(precs[i], topK) {
			if rid := strings.TrimPrefix(res.Right, "r:"); res.Probability >= minProb && allowed(pid, byReport[rid]) {
				add(pid, res.Right, res)
			}
		}
		for _, res := range personIdx.Search(precs[i], topK+1) {
			other := strings.TrimPrefix(res.Right, "p:")
			if other == pid || res.Probability < minProb {
				continue
			}
			// Two unidentified people in care are one pair, not two.
			if o := byPerson[other]; o != nil && o.Unidentified() && other < pid {
				continue
			}
			add(pid, res.Right, res)
		}
	}
	// Reports search every record, earlier ones included: a family's
	// report may find someone the station helped last year.
	for i, r := range active {
		whole := all || reports[r.ID]
		if !whole && len(people) == 0 {
			continue
		}
		if whole {
			scopeReports = append(scopeReports, r.ID)
		}
		for _, res := range personIdx.Search(rrecs[i], topK) {
			pid := strings.TrimPrefix(res.Right, "p:")
			if res.Probability >= minProb && allowed(pid, r) && (whole || people[pid]) {
				add(pid, "r:"+r.ID, res) // every comparison is symmetric
			}
		}
	}
	if all {
		scopePeople, scopeReports = nil, nil
	}
	if err := s.Store.SaveCandidates(ctx, scopePeople, scopeReports, dedupe(found)); err != nil {
		return err
	}
	return s.syncStatuses(ctx, active)
}

// dedupe keeps one candidate per pair (the best score): a report found a
// person and the person found the report.
func dedupe(cs []*Candidate) []*Candidate {
	best := map[string]*Candidate{}
	var out []*Candidate
	for _, c := range cs {
		k := c.PersonID + "|" + c.Target()
		if b, ok := best[k]; ok {
			if c.Score > b.Score {
				*b = *c
			}
			continue
		}
		best[k] = c
		out = append(out, c)
	}
	return out
}

// syncStatuses moves a report to review while a proposal is open and back
// to open when none is, telling the family.
func (s *Service) syncStatuses(ctx context.Context, active []*Report) error {
	open, err := s.Store.Candidates(ctx, []string{Proposed, Deferred}, "", "")
	if err != nil {
		return err
	}
	has := map[string]bool{}
	for _, c := range open {
		if c.ReportID != "" {
			has[c.ReportID] = true
		}
	}
	now := s.now()
	for _, r := range active {
		want := StatusOpen
		if has[r.ID] {
			want = StatusReview
		}
		if r.Status == want {
			continue
		}
		r.Status, r.UpdatedAt = want, now
		u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: want, Public: true}
		e := auth.Actor{Name: "haven"}.Entry("report.status", "report", r.ID)
		e.Detail = want
		if err := s.Store.UpdateReport(ctx, r, u, e); err != nil && !errs.Is(errs.Conflict, err) {
			return err
		}
	}
	return nil
}
