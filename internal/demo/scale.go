package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
)

// The scale data set (haven scale) adds years of history to a database at
// the volume of a province: people helped with their stays, tasks and
// belongings, help signals filed into incidents and closed, and
// missing-person reports, some of which describe a person on file.
//
// Every record is made by the domain services, exactly as a request makes
// it (validation, references, sealed identifiers, audit entries, status
// moves), each service running on a clock set to the moment the record
// was made. Only their stores are replaced: buffers that keep the
// records in memory and answer the services' reads of them, which the
// database then receives many rows to a statement (store.InsertBulk),
// with the events the one-record writes append. Reference numbers are
// kept unique against the database and the run.

// ScaleOptions says how much the scale data set adds.
type ScaleOptions struct {
	People  int // people helped (each with a stay; a few come back)
	Signals int // help signals
	Reports int // missing-person reports; 0: People/10
	Seed    uint64
	// Progress, when set, hears what is done now and then.
	Progress func(format string, args ...any)
}

// ScaleDeps are the configured services (their stores are not written:
// ScaleDeps.DB receives the records) and the database.
type ScaleDeps struct {
	DB     *store.DB
	Cases  *cases.Service
	Intake *intake.Service
	Family *family.Service
	Now    func() time.Time
}

// ScalePair is a planted match: a report written by a family about a
// person on file, under a name heard with one homophone and part of the
// ID number, as SeedFamily's.
type ScalePair struct{ ReportRef, PersonRef, ReportID, PersonID string }

// ScaleResult counts what Scale added.
type ScaleResult struct {
	People, Stays, InCare, Signals, Incidents, Reports int
	Pairs                                              []ScalePair
}

// scaleBatch is how many people, signals or reports go to the database in
// one transaction.
const scaleBatch = 4000

// Scale adds the scale data set to the database of d.
func Scale(ctx context.Context, d ScaleDeps, o ScaleOptions) (*ScaleResult, error) {
	if o.People < 0 || o.Signals < 0 || o.Reports < 0 {
		return nil, errs.E(errs.Invalid, "demo.Scale", "negative count")
	}
	if o.Reports == 0 {
		o.Reports = o.People / 10
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	g := &scaler{d: d, o: o, r: rand.New(rand.NewPCG(o.Seed, 16)), now: d.Now().UTC(), refs: map[string]map[string]bool{}, res: &ScaleResult{}}
	g.flushAt = g.now
	for _, t := range []string{"persons", "stays", "signals", "incidents", "missing_reports"} {
		refs, err := d.DB.Refs(ctx, t)
		if err != nil {
			return nil, err
		}
		g.refs[t] = make(map[string]bool, len(refs))
		for _, ref := range refs {
			g.refs[t][ref] = true
		}
	}
	g.reset()
	g.cb = &caseBuf{Store: d.DB, g: g}
	g.ib = &intakeBuf{Store: d.DB, g: g, live: map[string]*liveIncident{}, cells: map[int64][]*liveIncident{}}
	g.fb = &familyBuf{Store: d.DB, g: g}
	clock := func() time.Time { return g.clock }
	g.cs = &cases.Service{Store: g.cb, Audit: d.Cases.Audit, Keys: d.Cases.Keys, Photos: d.Cases.Photos, Now: clock, Rules: d.Cases.Rules}
	g.is = &intake.Service{Store: g.ib, Audit: d.Intake.Audit, Keys: d.Intake.Keys, Photos: d.Intake.Photos, Now: clock, Bounds: d.Intake.Bounds,
		Merge: d.Intake.Merge, Geocoder: d.Intake.Geocoder}
	g.fs = &family.Service{Store: g.fb, Cases: g.cs, Audit: d.Family.Audit, Keys: d.Family.Keys, Photos: d.Family.Photos, Now: clock}
	if err := g.people(ctx); err != nil {
		return nil, err
	}
	if err := g.signals(ctx); err != nil {
		return nil, err
	}
	if err := g.reports(ctx); err != nil {
		return nil, err
	}
	return g.res, g.flush(ctx)
}

type scaler struct {
	d     ScaleDeps
	o     ScaleOptions
	r     *rand.Rand
	now   time.Time // when the run started: the end of the history
	clock time.Time // the services' now
	refs  map[string]map[string]bool
	ids   map[string]bool // ID numbers drawn
	b     *store.Bulk
	n     int // records in b
	res   *ScaleResult

	flushAt time.Time

	cb *caseBuf
	ib *intakeBuf
	fb *familyBuf
	cs *cases.Service
	is *intake.Service
	fs *family.Service

	// people a family may report: identified, a given name with a
	// homophone.
	known []knownPerson
}

type knownPerson struct {
	p  *cases.Person
	id string
}

func (g *scaler) reset() {
	g.b = &store.Bulk{Events: map[string][]string{}}
	g.n = 0
}

// flush writes what the buffers hold.
func (g *scaler) flush(ctx context.Context) error {
	if g.n == 0 && len(g.b.Audit) == 0 {
		return nil
	}
	g.b.At = g.d.Now().UTC()
	if err := g.d.DB.InsertBulk(ctx, g.b); err != nil {
		return err
	}
	g.reset()
	g.cb.clear()
	return nil
}

// ref returns ref, or a new reference of the same kind if ref is taken.
func (g *scaler) ref(table, ref string) string {
	taken := g.refs[table]
	for taken[ref] {
		ref = intake.NewRef(ref[:len(ref)-9])
	}
	taken[ref] = true
	return ref
}

// entry completes an audit entry as the store would, at the services'
// clock.
func (g *scaler) entry(e audit.Entry) {
	if e.Action == "" {
		return
	}
	if e.At.IsZero() {
		e.At = g.clock
	}
	g.b.Audit = append(g.b.Audit, e)
}

func (g *scaler) event(topic, id string) { g.b.Events[topic] = append(g.b.Events[topic], id) }

// ---- people ----

// people admits o.People people over the years before now: most stayed
// days and left (home with a voucher, collected, escorted …), the
// unidentified with their notice and DNA tasks done; one in 200 is in
// care today; some came back for a second stay.
func (g *scaler) people(ctx context.Context) error {
	n := g.o.People
	if n == 0 {
		return nil
	}
	staff := as("staff")
	g.ids = map[string]bool{}
	years := min(10, 1+n/20000)
	start := g.now.AddDate(-years, 0, 0)
	span := g.now.Add(-130 * 24 * time.Hour).Sub(start)
	inCare := max(1, n/200)
	kinds := []cases.ExitKind{cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome, cases.ExitReturnHome,
		cases.ExitFamily, cases.ExitFamily, cases.ExitEscorted, cases.ExitSelf, cases.ExitTransfer, cases.ExitPlacement, cases.ExitHospital}
	for i := 0; i < n; i++ {
		r := g.r
		open := i >= n-inCare
		var arrived time.Time
		if open {
			arrived = g.now.Add(-time.Duration(r.Int64N(int64(120 * 24 * time.Hour))))
		} else {
			arrived = start.Add(time.Duration(int64(span) / int64(n) * int64(i))).Add(time.Duration(r.IntN(3600)) * time.Second)
		}
		entered := arrived.Add(time.Duration(10+r.IntN(300)) * time.Minute)
		if entered.After(g.now) {
			entered = g.now
		}
		identified := r.IntN(10) < 8
		var in cases.PersonInput
		for try := 0; ; try++ {
			in = personInput(r, arrived, identified, 18, 75)
			if in.IDNumber == "" || !g.ids[in.IDNumber] {
				break
			}
			if try == 20 {
				return fmt.Errorf("scale: no free ID number")
			}
		}
		if in.IDNumber != "" {
			g.ids[in.IDNumber] = true
		}
		g.clock = entered.Add(time.Minute)
		ad, err := g.cs.Admit(ctx, staff, cases.AdmitInput{Historical: true, NewPerson: true, Source: cases.Sources[r.IntN(4)], ArrivedAt: arrived, EnteredAt: entered,
			Person: in, Form: cases.Form{Reason: reasons[r.IntN(len(reasons))], Security: "passed", Welfare: "none"}, Belongings: belongingsInput(r),
			Room: fmt.Sprintf("%d0%d", 1+i%3, 1+i%5), Bed: fmt.Sprintf("%d", 1+i%4)})
		if errs.Is(errs.Conflict, err) && in.IDNumber != "" {
			// The ID number is on file (an earlier run with this seed)
			// and its person is in care: draw someone else.
			i--
			continue
		}
		if err != nil {
			return fmt.Errorf("scale admission %d: %w", i, err)
		}
		if !ad.Readmitted { // else the ID number is on file: they came back
			g.res.People++
		}
		g.res.Stays++
		st := ad.Stay
		if st.Unidentified {
			for k, rule := range []string{cases.RuleNotice, cases.RuleDNA} {
				at := st.ArrivedAt.Add(time.Duration(2+r.IntN(20)) * time.Hour * time.Duration(1+k*24))
				if at.After(g.now) {
					continue
				}
				g.clock = at
				if err := g.cs.DoTask(ctx, staff, st.ID, rule, ""); err != nil {
					return fmt.Errorf("scale task: %w", err)
				}
			}
		}
		if open {
			g.res.InCare++
		} else {
			kind := kinds[r.IntN(len(kinds))]
			if (ad.Person.CannotTravelAlone(st.ArrivedAt) || ad.Person.CannotTravelAlone(g.now)) && (kind == cases.ExitReturnHome || kind == cases.ExitSelf) {
				kind = cases.ExitEscorted
			}
			if err := g.exit(ctx, staff, st, kind, st.ArrivedAt.Add(time.Duration(12+r.IntN(24*9))*time.Hour)); err != nil {
				return fmt.Errorf("scale exit %d: %w", i, err)
			}
			// One in thirty comes back months later.
			if back := st.ArrivedAt.Add(time.Duration(30+r.IntN(300)) * 24 * time.Hour); ad.Person.Identified && r.IntN(30) == 0 && back.Before(g.now.Add(-130*24*time.Hour)) {
				g.clock = back.Add(time.Hour)
				again, err := g.cs.Admit(ctx, staff, cases.AdmitInput{Historical: true, PersonID: ad.Person.ID, Source: "walk_in", ArrivedAt: back, EnteredAt: back.Add(30 * time.Minute),
					Form: cases.Form{Reason: reasons[r.IntN(len(reasons))], Security: "passed"}})
				if err != nil {
					return fmt.Errorf("scale re-admission %d: %w", i, err)
				}
				g.res.Stays++
				if err := g.exit(ctx, staff, again.Stay, cases.ExitEscorted, back.Add(30*time.Hour)); err != nil {
					return fmt.Errorf("scale exit %d: %w", i, err)
				}
			}
		}
		if p := ad.Person; p.Identified && len(g.known) < 4*max(1, n/1000) && r.IntN(20) == 0 {
			if rs := []rune(p.Name); len(rs) >= 2 && homophones[string(rs[1:])] != "" {
				g.known = append(g.known, knownPerson{p: p, id: in.IDNumber})
			}
		}
		g.n += 4
		if g.n >= 4*scaleBatch {
			if err := g.flush(ctx); err != nil {
				return err
			}
			g.o.Progress("people: %d of %d", i+1, n)
		}
	}
	return g.flush(ctx)
}

func (g *scaler) exit(ctx context.Context, staff auth.Actor, st *cases.Stay, kind cases.ExitKind, at time.Time) error {
	items, err := g.cb.Belongings(ctx, st.ID)
	if err != nil {
		return err
	}
	g.clock = at.Add(10 * time.Minute)
	_, err = g.cs.Exit(ctx, staff, st.ID, exitInput(g.r, kind, at, items), st.Version)
	return err
}

// caseBuf is the cases store of the scale data set: new records in
// memory until flushed, everything else read from the database.
type caseBuf struct {
	cases.Store
	g      *scaler
	people map[string]*cases.Person
	stays  map[string]*cases.Stay
	items  map[string][]*cases.Belonging
	tasks  map[string]bool // stay id + rule
}

func (c *caseBuf) clear() {
	c.people, c.stays, c.items, c.tasks = map[string]*cases.Person{}, map[string]*cases.Stay{}, map[string][]*cases.Belonging{}, map[string]bool{}
}

// Admit buffers what store.Admit writes.
func (c *caseBuf) Admit(ctx context.Context, p *cases.Person, contacts []*cases.Contact, st *cases.Stay, items []*cases.Belonging, e audit.Entry) error {
	if c.people == nil {
		c.clear()
	}
	g := c.g
	if p.Version == 0 {
		p.Version, p.UpdatedAt = 1, st.EnteredAt
		p.Ref = g.ref("persons", p.Ref)
		c.people[p.ID] = p
		g.b.People = append(g.b.People, p)
	} else if st.State == cases.StayOpen {
		for _, o := range c.stays {
			if o.PersonID == p.ID && o.State == cases.StayOpen {
				return errs.E(errs.Conflict, "scale.Admit", "err.open_stay")
			}
		}
		if _, ok := c.people[p.ID]; !ok {
			stays, err := c.Store.StaysOf(ctx, []string{p.ID})
			if err != nil {
				return err
			}
			for _, o := range stays {
				if o.State == cases.StayOpen {
					return errs.E(errs.Conflict, "scale.Admit", "err.open_stay")
				}
			}
		}
	}
	st.Ref = g.ref("stays", st.Ref)
	c.stays[st.ID] = st
	g.b.Stays = append(g.b.Stays, st)
	g.b.Contacts = append(g.b.Contacts, contacts...)
	for _, b := range items {
		c.items[st.ID] = append(c.items[st.ID], b)
		g.b.Belongings = append(g.b.Belongings, b)
	}
	g.entry(e)
	g.event(events.TopicPerson, p.ID)
	return nil
}

func (c *caseBuf) PersonByID(ctx context.Context, id string) (*cases.Person, error) {
	if p, ok := c.people[id]; ok {
		cp := *p
		return &cp, nil
	}
	return c.Store.PersonByID(ctx, id)
}

func (c *caseBuf) StayByID(ctx context.Context, id string) (*cases.Stay, error) {
	if st, ok := c.stays[id]; ok {
		cp := *st
		return &cp, nil
	}
	return c.Store.StayByID(ctx, id)
}

func (c *caseBuf) Belongings(ctx context.Context, stayID string) ([]*cases.Belonging, error) {
	if _, ok := c.stays[stayID]; ok {
		out := make([]*cases.Belonging, len(c.items[stayID]))
		for i, b := range c.items[stayID] {
			cp := *b
			out[i] = &cp
		}
		return out, nil
	}
	return c.Store.Belongings(ctx, stayID)
}

// PeopleByIDBirth reads the database and the buffer (Admit's check for
// an ID number on file).
func (c *caseBuf) PeopleByIDBirth(ctx context.Context, idBirth string) ([]*cases.Person, error) {
	out, err := c.Store.PeopleByIDBirth(ctx, idBirth)
	if err != nil {
		return nil, err
	}
	for _, p := range c.people {
		if p.IDBirth == idBirth && p.MergedInto == "" {
			out = append(out, p)
		}
	}
	return out, nil
}

// CloseStay records the exit on the buffered stay, version-checked as
// store.CloseStay.
func (c *caseBuf) CloseStay(ctx context.Context, st *cases.Stay, returns []*cases.Belonging, e audit.Entry) error {
	cur, ok := c.stays[st.ID]
	if !ok || cur.Version != st.Version || cur.State != cases.StayOpen {
		return errs.E(errs.Conflict, "scale.CloseStay", "err.changed_meanwhile")
	}
	*cur = *st
	cur.Version++
	for _, b := range returns {
		for _, x := range c.items[st.ID] {
			if x.ID == b.ID {
				*x = *b
			}
		}
	}
	c.g.entry(e)
	c.g.event(events.TopicPerson, st.PersonID)
	return nil
}

func (c *caseBuf) DoTask(ctx context.Context, t *cases.Task, e audit.Entry) error {
	if _, ok := c.stays[t.StayID]; !ok {
		return errs.E(errs.NotFound, "scale.DoTask", "err.not_found")
	}
	if c.tasks[t.StayID+t.Rule] {
		return errs.E(errs.Exists, "scale.DoTask", "err.task_done")
	}
	c.tasks[t.StayID+t.Rule] = true
	c.g.b.Tasks = append(c.g.b.Tasks, t)
	c.g.entry(e)
	return nil
}

// ---- signals ----

// signals files o.Signals help signals over the months before now, from
// the public, the hotline and the patrols, around 新乡's hotspots and
// across the city; about half are a second report of the same person,
// which the merge rule files into the first's incident. An incident
// whose merge window has passed is moved along the 12345 loop as a
// dispatcher would: closed with an outcome after two days, at some step
// before.
func (g *scaler) signals(ctx context.Context) error {
	n := g.o.Signals
	if n == 0 {
		return nil
	}
	days := min(3650, max(30, n/1000))
	start := g.now.AddDate(0, 0, -days)
	span := g.now.Add(-10 * time.Minute).Sub(start)
	type planned struct {
		at       time.Time
		lat, lng float64
		kind     int
		ch       intake.Channel
		addr     string
	}
	r := g.r
	plan := make([]planned, 0, n)
	b := g.is.Bounds
	channels := []intake.Channel{intake.ChannelPublic, intake.ChannelHotline, intake.ChannelPatrol, intake.ChannelPublic}
	for len(plan) < n {
		at := start.Add(time.Duration(r.Int64N(int64(span))))
		var lat, lng float64
		var addr string
		if r.IntN(10) < 6 {
			h := hotspots[r.IntN(len(hotspots))]
			lat, lng, addr = h.lat+(r.Float64()-0.5)*0.02, h.lng+(r.Float64()-0.5)*0.02, h.name+"附近"
		} else {
			lat, lng = b.MinLat+(0.1+0.8*r.Float64())*(b.MaxLat-b.MinLat), b.MinLng+(0.1+0.8*r.Float64())*(b.MaxLng-b.MinLng)
		}
		kind := r.IntN(len(signalKinds))
		plan = append(plan, planned{at, lat, lng, kind, channels[r.IntN(len(channels))], addr})
		if len(plan) < n && r.IntN(2) == 0 { // someone else calls about the same person
			second := at.Add(time.Duration(2+r.IntN(40)) * time.Minute)
			if second.Before(g.now) {
				plan = append(plan, planned{second, lat + (r.Float64()-0.5)*0.001, lng + (r.Float64()-0.5)*0.001, kind, channels[r.IntN(len(channels))], addr})
			}
		}
	}
	slices.SortFunc(plan, func(a, b planned) int { return a.at.Compare(b.at) })
	dispatcher := auth.Actor{Name: "dispatcher", Role: auth.RoleDispatcher, IP: "local"}
	patrol := auth.Actor{Name: "patrol", Role: auth.RolePatrol, IP: "local"}
	public := auth.Actor{IP: "local"}
	window := g.is.Merge.Window
	if window <= 0 {
		window = intake.DefaultMergeRule.Window
	}
	for i, p := range plan {
		if err := g.ib.settle(ctx, dispatcher, p.at.Add(-window)); err != nil {
			return err
		}
		lat, lng := p.lat, p.lng
		in := intake.Input{Channel: p.ch, ServiceCode: signalKinds[p.kind], Description: signalTexts[p.kind], Lat: &lat, Lng: &lng, Address: p.addr, ReportedAt: p.at}
		a := public
		switch p.ch {
		case intake.ChannelHotline:
			a, in.Reporter, in.Phone = dispatcher, "市民", fmt.Sprintf("139373%05d", r.IntN(100000))
		case intake.ChannelPatrol:
			a = patrol
		default:
			if r.IntN(2) == 0 {
				in.Phone = fmt.Sprintf("158373%05d", r.IntN(100000))
			}
		}
		g.clock = p.at.Add(time.Duration(r.IntN(20)) * time.Second)
		if _, err := g.is.Submit(ctx, a, in); err != nil {
			return fmt.Errorf("scale signal %d: %w", i, err)
		}
		g.res.Signals++
		if g.n >= scaleBatch {
			if err := g.flush(ctx); err != nil {
				return err
			}
			g.o.Progress("signals: %d of %d", i+1, n)
		}
	}
	if err := g.ib.settle(ctx, dispatcher, g.now.Add(time.Hour)); err != nil {
		return err
	}
	return g.flush(ctx)
}

// liveIncident is an incident whose merge window is open, with its
// signals: written once it has settled.
type liveIncident struct {
	inc     *intake.Incident
	signals []*intake.Signal
}

// intakeBuf is the intake store of the scale data set: incidents stay in
// memory while signals may join them (the merge rule's candidates are
// looked up as the store's query does), then are written with their
// signals.
type intakeBuf struct {
	intake.Store
	g     *scaler
	live  map[string]*liveIncident
	cells map[int64][]*liveIncident
	order []*liveIncident // by opening
}

// SubmitSignal files a signal as store.SubmitSignal does: into the
// nearest open incident within the merge rule, else a new one.
func (b *intakeBuf) SubmitSignal(ctx context.Context, sub *intake.Submission) (*intake.Result, error) {
	s := sub.Signal
	s.Ref = b.g.ref("signals", s.Ref)
	var chosen *liveIncident
	if s.HasLocation() {
		p := intake.Point{Lat: s.Lat, Lng: s.Lng}
		minLat, minLng, maxLat, maxLng := intake.Box(p, sub.Merge.RadiusM)
		since := s.ReportedAt.Add(-sub.Merge.Window)
		var cands []*intake.Incident
		for _, c := range intake.NearCells(p) {
			for _, li := range b.cells[c] {
				x := li.inc
				if x.State.Open() && x.Pinned() && !x.LastSignalAt.Before(since) && x.Lat >= minLat && x.Lat <= maxLat && x.Lng >= minLng && x.Lng <= maxLng {
					cands = append(cands, x)
				}
			}
		}
		if x := sub.Merge.Choose(cands, s); x != nil {
			chosen = b.live[x.ID]
		}
	}
	res := &intake.Result{Signal: s}
	if chosen != nil {
		chosen.inc.Join(s, sub.NewIncident.DueAt, sub.Now)
		res.Merged = true
	} else {
		x := sub.NewIncident
		x.Ref = b.g.ref("incidents", x.Ref)
		chosen = &liveIncident{inc: x}
		b.live[x.ID] = chosen
		b.order = append(b.order, chosen)
		if x.Pinned() {
			c := intake.Cell(intake.Point{Lat: x.Lat, Lng: x.Lng})
			b.cells[c] = append(b.cells[c], chosen)
		}
	}
	s.IncidentID = chosen.inc.ID
	chosen.signals = append(chosen.signals, s)
	cp := *chosen.inc
	res.Incident = &cp
	b.g.entry(sub.Audit)
	return res, nil
}

func (b *intakeBuf) IncidentByID(ctx context.Context, id string) (*intake.Incident, error) {
	if li, ok := b.live[id]; ok {
		cp := *li.inc
		return &cp, nil
	}
	return b.Store.IncidentByID(ctx, id)
}

// UpdateIncident changes a buffered incident, version-checked as
// store.UpdateIncident. The partners' copies of the outcome are not
// queued: these incidents closed long ago.
func (b *intakeBuf) UpdateIncident(ctx context.Context, inc *intake.Incident, _ func([]*intake.Signal) []*intake.Delivery, e audit.Entry) error {
	li, ok := b.live[inc.ID]
	if !ok || li.inc.Version != inc.Version {
		return errs.E(errs.Conflict, "scale.UpdateIncident", "err.changed_meanwhile")
	}
	*li.inc = *inc
	li.inc.Version++
	b.g.entry(e)
	return nil
}

// settle moves every incident whose last signal came before t (its
// merge window passed) along the loop and to the database batch.
func (b *intakeBuf) settle(ctx context.Context, dispatcher auth.Actor, t time.Time) error {
	g := b.g
	k := 0
	for k < len(b.order) && b.order[k].inc.LastSignalAt.Before(t) {
		k++
	}
	if k == 0 {
		return nil
	}
	// Incidents open in order of their first signal; one opened earlier
	// may still be live while a later one settled: keep those.
	var keep []*liveIncident
	for _, li := range b.order[:k] {
		if !li.inc.LastSignalAt.Before(t) {
			keep = append(keep, li)
			continue
		}
		if err := b.advance(ctx, dispatcher, li); err != nil {
			return err
		}
		x := li.inc
		delete(b.live, x.ID)
		if x.Pinned() {
			c := intake.Cell(intake.Point{Lat: x.Lat, Lng: x.Lng})
			b.cells[c] = slices.DeleteFunc(b.cells[c], func(o *liveIncident) bool { return o == li })
			if len(b.cells[c]) == 0 {
				delete(b.cells, c)
			}
		}
		g.b.Incidents = append(g.b.Incidents, x)
		g.b.Signals = append(g.b.Signals, li.signals...)
		g.event(events.TopicIncident, x.ID)
		g.res.Incidents++
		g.n += len(li.signals)
	}
	b.order = append(keep, b.order[k:]...)
	return nil
}

// advance moves an incident along the 12345 loop as demo.advance does:
// closed with an outcome when more than two days old, part of the way
// when younger.
func (b *intakeBuf) advance(ctx context.Context, dispatcher auth.Actor, li *liveIncident) error {
	g := b.g
	x := li.inc
	age := g.now.Sub(x.OpenedAt)
	steps := []intake.State{intake.StateClosed}
	switch {
	case age < 6*time.Hour:
		steps = []intake.State{intake.StateDispatched}[:g.r.IntN(2)]
	case age < 48*time.Hour:
		steps = []intake.State{intake.StateDispatched, intake.StateInProgress, intake.StateReplied}[:1+g.r.IntN(3)]
	}
	at := x.LastSignalAt
	for _, st := range steps {
		at = at.Add(time.Duration(20+g.r.IntN(180)) * time.Minute)
		if at.After(g.now) {
			at = g.now
		}
		g.clock = at
		u := intake.StatusUpdate{Version: x.Version, State: st}
		if st == intake.StateReplied || st == intake.StateClosed {
			u.Outcome = signalOutcomes[g.r.IntN(len(signalOutcomes))]
			u.StatusNotes = "巡查队已到场处置。"
		}
		if _, err := g.is.Update(ctx, dispatcher, x.ID, u); err != nil {
			return fmt.Errorf("scale incident %s: %w", x.Ref, err)
		}
	}
	return nil
}

// ---- reports ----

// reports files o.Reports missing-person reports from families: most
// describe someone who is on no record; one for each known person picked
// while admitting (about one in a thousand people) describes them as
// SeedFamily's do: a homophone of the given name, the birth year, the
// native place, the region and year of the ID number.
func (g *scaler) reports(ctx context.Context) error {
	n := g.o.Reports
	r := g.r
	lost := func(days int) string { return g.clock.AddDate(0, 0, -days).In(cases.CST).Format("2006-01-02") }
	phone := func() string { return fmt.Sprintf("139%08d", r.IntN(1e8)) }
	planted := 0
	for i := range n {
		g.clock = g.now.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
		var in family.ReportInput
		var kp *knownPerson
		if planted < len(g.known) && (i%max(1, n/len(g.known)) == 0 || n-i <= len(g.known)-planted) {
			kp = &g.known[planted]
			planted++
			p := kp.p
			rs := []rune(p.Name)
			in = family.ReportInput{Name: string(rs[0]) + homophones[string(rs[1:])], Sex: p.Sex, BirthDate: p.BirthDate[:4], NativePlace: p.NativePlace,
				LostOn: lost(200 + r.IntN(200)), LostPlace: "外出务工后失联", Description: "外出打工后多年没有音讯", ContactName: "家属", ContactRelation: "哥哥",
				ContactPhone: phone(), IDNumber: kp.id[:10] + "********"}
		} else {
			male := r.IntN(10) < 7
			sex := cases.Female
			if male {
				sex = cases.Male
			}
			age := 8 + r.IntN(70)
			region := regions[r.IntN(len(regions))]
			in = family.ReportInput{Name: nameFor(r, male), Sex: sex, BirthDate: fmt.Sprint(g.now.Year() - age), HeightCm: 140 + r.IntN(40),
				NativePlace: places[region], LostOn: lost(10 + r.IntN(min(3000, (age-2)*365))), LostPlace: places[region], ContactName: "家属", ContactRelation: "家人", ContactPhone: phone()}
			switch k := r.IntN(5); k {
			case 3, 4:
				in.Features = []string{"右脸有胎记", "走路有点跛，左腿旧伤"}[k-3]
			default:
				in.Description = []string{"身穿蓝色外套，黑裤子", "患有阿尔茨海默病，记不清家", "智力残疾，会说自己名字"}[k]
			}
		}
		rep, err := g.fs.File(ctx, auth.Actor{IP: "local"}, in)
		if err != nil {
			return fmt.Errorf("scale report %d: %w", i, err)
		}
		g.res.Reports++
		if kp != nil {
			g.res.Pairs = append(g.res.Pairs, ScalePair{ReportRef: rep.Ref, PersonRef: kp.p.Ref, ReportID: rep.ID, PersonID: kp.p.ID})
		}
		g.n++
		if g.n >= scaleBatch {
			if err := g.flush(ctx); err != nil {
				return err
			}
			g.o.Progress("reports: %d of %d", i+1, n)
		}
	}
	return g.flush(ctx)
}

// familyBuf is the family store of the scale data set.
type familyBuf struct {
	family.Store
	g *scaler
}

func (f *familyBuf) AddReport(ctx context.Context, x *family.Report, u *family.Update, e audit.Entry) error {
	return f.AddReports(ctx, []*family.Report{x}, []*family.Update{u}, e)
}

// AddReports buffers what store.AddReports writes.
func (f *familyBuf) AddReports(ctx context.Context, xs []*family.Report, us []*family.Update, e audit.Entry) error {
	g := f.g
	for _, x := range xs {
		x.Ref = g.ref("missing_reports", x.Ref)
		g.b.Reports = append(g.b.Reports, x)
		g.event(events.TopicReport, x.ID)
	}
	g.b.Updates = append(g.b.Updates, us...)
	g.entry(e)
	return nil
}
