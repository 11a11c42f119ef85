package cases

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
)

// PersonView is a person's page: the identity with every record merged
// into it, contacts, stays and, per stay, belongings, notes and deadlines.
// Personal identifiers are opened only for roles that need them; others
// see them masked.
type PersonView struct {
	Person   *Person
	Linked   []*Person // records merged into this identity
	Merges   []*Merge
	IDNumber string // in full or masked
	Contacts []ContactView
	Stays    []*StayView
	Open     *StayView // the open stay, if any
	Similar  []*Candidate
	Timeline []Event // newest first
}

// Event is one line of a person's timeline, from the signal that brought
// them to now.
type Event struct {
	At     time.Time
	Kind   string // incident, arrived, refused, belonging, returned, note, task, left (and health ones added by the caller)
	Detail string // a rule, exit kind, note kind or free text
	Text   string
	Ref    string // a stay reference or a record id to link to
}

// SortTimeline orders events newest first.
func SortTimeline(ev []Event) {
	slices.SortStableFunc(ev, func(a, b Event) int { return b.At.Compare(a.At) })
}

func timelineOf(stays []*StayView) []Event {
	var ev []Event
	for _, st := range stays {
		if st.IncidentID != "" {
			ev = append(ev, Event{At: st.ArrivedAt.Add(-time.Second), Kind: "incident", Ref: st.IncidentID})
		}
		kind := "arrived"
		if st.State == StayRefused {
			kind = "refused"
		}
		ev = append(ev, Event{At: st.ArrivedAt, Kind: kind, Detail: st.Source, Text: st.Form.Reason, Ref: st.Ref})
		for _, b := range st.Belongings {
			ev = append(ev, Event{At: b.SignedInAt, Kind: "belonging", Text: b.Item + " ×" + strconv.Itoa(b.Qty)})
			if b.Returned {
				ev = append(ev, Event{At: b.ReturnedAt, Kind: "returned", Text: b.Item + " ×" + strconv.Itoa(b.ReturnedQty) + " " + b.ReturnNote})
			}
		}
		for _, n := range st.Notes {
			ev = append(ev, Event{At: n.At, Kind: "note", Detail: n.Kind, Text: n.Text})
		}
		for _, t := range st.Tasks {
			ev = append(ev, Event{At: t.DoneAt, Kind: "task", Detail: t.Rule, Text: t.Note})
		}
		if st.State == StayClosed {
			ev = append(ev, Event{At: st.ExitedAt, Kind: "left", Detail: string(st.ExitKind), Text: st.Exit.Destination, Ref: st.Ref})
		}
	}
	SortTimeline(ev)
	return ev
}

// ContactView is a contact with the phone opened or masked.
type ContactView struct {
	*Contact
	Phone string
}

// StayView is a stay with what hangs off it.
type StayView struct {
	*Stay
	Belongings []*Belonging
	Notes      []*Note
	Deadlines  []Deadline
	Tasks      map[string]*Task
}

// View opens a person's record. Every view is audited.
func (s *Service) View(ctx context.Context, a auth.Actor, personID string) (*PersonView, error) {
	const op = "cases.View"
	if err := a.Require(op, auth.PermCasesView); err != nil {
		return nil, err
	}
	p, err := s.identityOf(ctx, personID)
	if err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("person.view", "person", p.ID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	v := &PersonView{Person: p}
	if v.Linked, err = s.Store.Identity(ctx, p.ID); err != nil {
		return nil, err
	}
	if v.Merges, err = s.Store.MergesOf(ctx, p.ID); err != nil {
		return nil, err
	}
	ids := []string{p.ID}
	for _, l := range v.Linked {
		ids = append(ids, l.ID)
	}
	open := func(context, sealed string) string {
		shown, err := s.reveal(a, context, sealed)
		if err != nil {
			return "?"
		}
		return shown
	}
	v.IDNumber = open(IDContext, p.IDSealed)
	cs, err := s.Store.Contacts(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		v.Contacts = append(v.Contacts, ContactView{Contact: contactFor(a, c), Phone: open(phoneContext, c.PhoneSealed)})
	}
	stays, err := s.Store.StaysOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	stayIDs := make([]string, 0, len(stays))
	for _, st := range stays {
		stayIDs = append(stayIDs, st.ID)
	}
	tasks, err := s.tasksByStay(ctx, stayIDs)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, st := range stays {
		sv, err := s.stayView(ctx, st, p, tasks[st.ID], now)
		if err != nil {
			return nil, err
		}
		sv.Stay = StayFor(a, st, p)
		v.Stays = append(v.Stays, sv)
		if st.State == StayOpen {
			v.Open = sv
		}
	}
	v.Timeline = timelineOf(v.Stays)
	if a.Can(auth.PermCasesManage) {
		if v.Similar, err = s.candidates(ctx, p, now); err != nil {
			return nil, err
		}
		if p.IDSealed != "" { // another record with the same number, not merged yet
			if same, err := s.sameIDOthers(ctx, p); err == nil {
				v.Similar = append(same, v.Similar...)
			}
		}
	}
	v.Person = PersonFor(a, p, now)
	for i, l := range v.Linked {
		v.Linked[i] = PersonFor(a, l, now)
	}
	for _, c := range v.Similar {
		c.Person = PersonFor(a, c.Person, now)
	}
	return v, nil
}

// sameIDOthers lists unmerged records, other than p, holding p's number.
func (s *Service) sameIDOthers(ctx context.Context, p *Person) ([]*Candidate, error) {
	want, err := s.Keys.Open(IDContext, p.IDSealed)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, "cases.sameIDOthers", err)
	}
	same, err := s.Store.PeopleByIDBirth(ctx, p.IDBirth)
	if err != nil {
		return nil, err
	}
	var out []*Candidate
	for _, q := range same {
		if q.ID == p.ID || q.IDSealed == "" {
			continue
		}
		if got, err := s.Keys.Open(IDContext, q.IDSealed); err == nil && got == want {
			out = append(out, &Candidate{Person: q, Reason: "id_number"})
		}
	}
	return out, nil
}

func (s *Service) tasksByStay(ctx context.Context, stayIDs []string) (map[string]map[string]*Task, error) {
	ts, err := s.Store.Tasks(ctx, stayIDs)
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]*Task{}
	for _, t := range ts {
		if out[t.StayID] == nil {
			out[t.StayID] = map[string]*Task{}
		}
		out[t.StayID][t.Rule] = t
	}
	return out, nil
}

// People lists people (the list view is audited as one read).
func (s *Service) People(ctx context.Context, a auth.Actor, f PersonFilter) ([]*Person, error) {
	const op = "cases.People"
	if err := a.Require(op, auth.PermCasesView); err != nil {
		return nil, err
	}
	f.Query = strings.TrimSpace(f.Query)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	list, err := s.Store.ListPeople(ctx, f)
	if err != nil {
		return nil, err
	}
	e := a.Entry("person.list", "person", "")
	e.Detail = "query"
	if f.Query == "" {
		e.Detail = "all"
	}
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	now := s.now()
	for i, p := range list {
		list[i] = PersonFor(a, p, now)
	}
	return list, nil
}

// UpdatePerson corrects a person's record (identity fields); an ID number
// left empty keeps the stored one.
func (s *Service) UpdatePerson(ctx context.Context, a auth.Actor, personID string, in PersonInput, version int) (*Person, error) {
	defer s.figuresChanged()
	const op = "cases.UpdatePerson"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PersonByID(ctx, personID)
	if err != nil {
		return nil, err
	}
	if p.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	if f := s.apply(in, p, s.now()); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	if p.IDSealed != "" && strings.TrimSpace(in.IDNumber) != "" {
		if other, err := s.sameIDOthers(ctx, p); err == nil && len(other) > 0 {
			return nil, errs.InvalidFields(op, map[string]string{"id_number": "err.id_on_file"})
		}
	}
	p.UpdatedAt = s.now()
	if err := s.Store.UpdatePerson(ctx, p, a.Entry("person.update", "person", p.ID)); err != nil {
		return nil, err
	}
	p.Version++
	return p, nil
}

// AddContact adds a relative or contact.
func (s *Service) AddContact(ctx context.Context, a auth.Actor, personID string, in ContactInput) error {
	const op = "cases.AddContact"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	p, err := s.identityOf(ctx, personID)
	if err != nil {
		return err
	}
	c, f := s.contact(in, p.ID, s.now())
	if len(f) > 0 {
		return errs.InvalidFields(op, f)
	}
	return s.Store.AddContact(ctx, c, a.Entry("person.contact_add", "person", p.ID))
}

func (s *Service) openStay(ctx context.Context, op, stayID string) (*Stay, error) {
	st, err := s.Store.StayByID(ctx, stayID)
	if err != nil {
		return nil, err
	}
	if st.State != StayOpen {
		return nil, errs.E(errs.Conflict, op, "err.stay_closed")
	}
	return st, nil
}

// AddBelonging signs one more item into custody during a stay.
func (s *Service) AddBelonging(ctx context.Context, a auth.Actor, stayID string, in BelongingInput) (*Belonging, error) {
	const op = "cases.AddBelonging"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	st, err := s.openStay(ctx, op, stayID)
	if err != nil {
		return nil, err
	}
	b, f := s.belonging(ctx, in, st.ID, a.Name, s.now(), "")
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	return b, s.Store.AddBelonging(ctx, b, a.Entry("belonging.add", "stay", st.ID))
}

// AddNote writes to the stay's daily record.
func (s *Service) AddNote(ctx context.Context, a auth.Actor, stayID, kind, text string) error {
	const op = "cases.AddNote"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	st, err := s.openStay(ctx, op, stayID)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	f := map[string]string{}
	if !slices.Contains(NoteKinds, kind) {
		f["kind"] = "err.invalid_choice"
	}
	if text == "" {
		f["text"] = "err.required"
	} else if !form.TextOK(text, textMaxRunes) {
		f["text"] = "err.too_long"
	}
	if len(f) > 0 {
		return errs.InvalidFields(op, f)
	}
	n := &Note{ID: newID(), StayID: st.ID, At: s.now(), Kind: kind, Text: text, AuthorName: a.Name}
	return s.Store.AddCareNote(ctx, n, a.Entry("stay.note", "stay", st.ID))
}

// SetBed moves the person to a room and bed.
func (s *Service) SetBed(ctx context.Context, a auth.Actor, stayID, room, bed string, version int) error {
	const op = "cases.SetBed"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	st, err := s.openStay(ctx, op, stayID)
	if err != nil {
		return err
	}
	if st.Version != version {
		return errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	st.Room, st.Bed = strings.TrimSpace(room), strings.TrimSpace(bed)
	if !form.TextOK(st.Room, 20) || !form.TextOK(st.Bed, 20) {
		return errs.InvalidFields(op, map[string]string{"bed": "err.too_long"})
	}
	st.UpdatedAt = s.now()
	return s.Store.UpdateStay(ctx, st, a.Entry("stay.bed", "stay", st.ID))
}

// DoTask records a statutory task as done (寻亲 notice published, DNA
// requested, review held …).
func (s *Service) DoTask(ctx context.Context, a auth.Actor, stayID, rule, note string) error {
	defer s.figuresChanged()
	const op = "cases.DoTask"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	if !slices.Contains(RuleNames, rule) {
		return errs.InvalidFields(op, map[string]string{"rule": "err.invalid_choice"})
	}
	st, err := s.Store.StayByID(ctx, stayID)
	if err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if !form.TextOK(note, textMaxRunes) {
		return errs.InvalidFields(op, map[string]string{"note": "err.too_long"})
	}
	t := &Task{StayID: st.ID, Rule: rule, DoneAt: s.now(), DoneBy: a.Name, Note: note}
	e := a.Entry("stay.task", "stay", st.ID)
	e.Detail = rule
	err = s.Store.DoTask(ctx, t, e)
	if errs.Is(errs.Exists, err) {
		return errs.E(errs.Conflict, op, "err.task_done")
	}
	return err
}

// Exit closes a stay: the exit record, every belonging handed back, and
// the outcome told to the incident the person came from.
func (s *Service) Exit(ctx context.Context, a auth.Actor, stayID string, in ExitInput, version int) (*Stay, error) {
	defer s.figuresChanged()
	const op = "cases.Exit"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	st, err := s.openStay(ctx, op, stayID)
	if err != nil {
		return nil, err
	}
	if st.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	p, err := s.Store.PersonByID(ctx, st.PersonID)
	if err != nil {
		return nil, err
	}
	items, err := s.Store.Belongings(ctx, st.ID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if f := checkExit(&in, st, p, items, now); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	rec := ExitRecord{Destination: in.Destination, Escorts: in.Escorts, Statement: in.Statement, Cause: in.Cause,
		Services: strings.TrimSpace(in.Services), Notes: in.Notes}
	if in.Kind == ExitReturnHome {
		v := in.Voucher
		rec.Voucher = &v
	}
	if in.Kind == ExitFamily {
		n, _ := idcard.Parse(in.Collector.IDNumber, now)
		sealed, err := s.Keys.Seal(collectorContext, n.Value)
		if err != nil {
			return nil, errs.Wrap(errs.Internal, op, err)
		}
		rec.Collector = &Collector{Name: strings.TrimSpace(in.Collector.Name), Relation: strings.TrimSpace(in.Collector.Relation),
			IDSealed: sealed, IDMasked: secret.Mask(n.Value), Checked: in.Collector.Checked}
	}
	for _, b := range items {
		r := in.Returns[b.ID]
		b.Returned, b.ReturnedQty, b.ReturnedAt, b.ReturnNote, b.ReturnedBy = true, r.Qty, in.At.UTC(), strings.TrimSpace(r.Note), a.Name
	}
	st.State, st.ExitKind, st.ExitedAt, st.Exit, st.ExitedBy, st.UpdatedAt = StayClosed, in.Kind, in.At.UTC(), rec, a.Name, now
	e := a.Entry("stay.exit", "stay", st.ID)
	e.Detail = string(in.Kind)
	if err := s.Store.CloseStay(ctx, st, items, e); err != nil {
		return nil, err
	}
	st.Version++
	if s.Outcome != nil && st.IncidentID != "" {
		s.Outcome(ctx, st.IncidentID, string(in.Kind))
	}
	if s.Exited != nil {
		s.Exited(ctx, st.PersonID, in.Kind)
	}
	if s.Vouchered != nil && rec.Voucher != nil {
		s.Vouchered(ctx, a, st, *rec.Voucher)
	}
	return st, nil
}

// StayOwner returns the person a stay belongs to (for a change to the
// stay that then shows the person's page); nothing personal is read.
func (s *Service) StayOwner(ctx context.Context, a auth.Actor, stayID string) (string, error) {
	if err := a.Require("cases.StayOwner", auth.PermCasesView); err != nil {
		return "", err
	}
	st, err := s.Store.StayByID(ctx, stayID)
	if err != nil {
		return "", err
	}
	return st.PersonID, nil
}

// Stay returns one stay with its person (for the exit page and forms).
func (s *Service) Stay(ctx context.Context, a auth.Actor, stayID string) (*StayView, *Person, error) {
	const op = "cases.Stay"
	if err := a.Require(op, auth.PermCasesView); err != nil {
		return nil, nil, err
	}
	st, err := s.Store.StayByID(ctx, stayID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Store.PersonByID(ctx, st.PersonID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("person.view", "person", p.ID)); err != nil {
		return nil, nil, errs.Wrap(errs.Internal, op, err)
	}
	tasks, err := s.tasksByStay(ctx, []string{st.ID})
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	sv, err := s.stayView(ctx, st, p, tasks[st.ID], now)
	if err != nil {
		return nil, nil, err
	}
	sv.Stay = StayFor(a, st, p)
	return sv, PersonFor(a, p, now), nil
}

// stayView gathers a stay's belongings, daily record and deadlines.
func (s *Service) stayView(ctx context.Context, st *Stay, p *Person, tasks map[string]*Task, now time.Time) (*StayView, error) {
	sv := &StayView{Stay: st, Tasks: tasks}
	var err error
	if sv.Belongings, err = s.Store.Belongings(ctx, st.ID); err != nil {
		return nil, err
	}
	if sv.Notes, err = s.Store.CareNotes(ctx, st.ID); err != nil {
		return nil, err
	}
	if st.State != StayRefused {
		sv.Deadlines = s.Rules.Deadlines(st, p, tasks, now)
	}
	return sv, nil
}

// IDNumberFor opens a person's ID number for a printed form: in full for
// roles that may see it, masked otherwise. The caller has audited the view.
func (s *Service) IDNumberFor(a auth.Actor, p *Person) string {
	shown, _ := s.reveal(a, IDContext, p.IDSealed)
	return shown
}

// reveal opens a sealed identifier for a: in full for roles with
// PermCasesPersonal, masked for everyone else; "" when nothing is sealed.
func (s *Service) reveal(a auth.Actor, context, sealed string) (string, error) {
	return s.Keys.Reveal(context, sealed, a.Can(auth.PermCasesPersonal))
}

// DashboardRow is an open stay with its deadlines.
type DashboardRow struct {
	Stay      *Stay
	Person    *Person
	Deadlines []Deadline
	Worst     string // the most urgent deadline state
	Days      int    // days in the station
}

// Dashboard is the station's page: who is in, what falls due, the KPIs.
type Dashboard struct {
	Rows         []*DashboardRow
	Overdue      int
	DueSoon      int
	KPIs         KPIs
	Since        time.Time
	CountedAt    time.Time // when KPIs and HelpedThisYr were counted
	InStation    int
	Unidentified int
	Minors       int
	HelpedThisYr int
	Page         int  // from 1
	More         bool // a next page follows
}

var severity = map[string]int{DeadlineOverdue: 3, DeadlineDueSoon: 2, DeadlineOpen: 1}

// DashboardPageSize is how many people in care one dashboard page lists.
const DashboardPageSize = 50

// Dashboard builds the station dashboard's first page.
func (s *Service) Dashboard(ctx context.Context, a auth.Actor) (*Dashboard, error) {
	return s.DashboardPage(ctx, a, 1)
}

// DashboardPage builds one page of the station dashboard: the people in
// care, longest in care first, DashboardPageSize to a page, and the
// figures of the whole station, counted by the database. KPIs count the
// stays that arrived since the start of the year (CST).
func (s *Service) DashboardPage(ctx context.Context, a auth.Actor, page int) (*Dashboard, error) {
	const op = "cases.Dashboard"
	if err := a.Require(op, auth.PermCasesView); err != nil {
		return nil, err
	}
	page = max(page, 1)
	now := s.now().Truncate(time.Microsecond) // what the database keeps
	l := now.In(CST)
	since := time.Date(l.Year(), 1, 1, 0, 0, 0, 0, CST)
	q := s.Rules.FigureQuery(now, since, now.Add(time.Minute))
	q.CurrentOnly = true
	fig, err := s.Store.StationFigures(ctx, q)
	if err != nil {
		return nil, err
	}
	year, err := s.yearKPIs(ctx, since)
	if err != nil {
		return nil, err
	}
	fig.KPIs, fig.HelpedThisYr = year.KPIs, year.Helped
	open, err := s.Store.OpenStaysPage(ctx, DashboardPageSize+1, (page-1)*DashboardPageSize)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Since: since, CountedAt: year.At, InStation: fig.InStation, Unidentified: fig.Unidentified, Minors: fig.Minors,
		Overdue: fig.Overdue, DueSoon: fig.DueSoon, KPIs: fig.KPIs, HelpedThisYr: fig.HelpedThisYr, Page: page}
	if len(open) > DashboardPageSize {
		open, d.More = open[:DashboardPageSize], true
	}
	ids := make([]string, 0, len(open))
	personIDs := make([]string, 0, len(open))
	for _, st := range open {
		ids = append(ids, st.ID)
		personIDs = append(personIDs, st.PersonID)
	}
	people := map[string]*Person{}
	if len(personIDs) > 0 {
		list, err := s.Store.PeopleByIDs(ctx, personIDs)
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			people[p.ID] = p
		}
	}
	tasks := map[string]map[string]*Task{}
	if len(ids) > 0 {
		if tasks, err = s.tasksByStay(ctx, ids); err != nil {
			return nil, err
		}
	}
	for _, st := range open {
		p := people[st.PersonID]
		if p == nil {
			continue
		}
		row := &DashboardRow{Stay: st, Deadlines: s.Rules.Deadlines(st, p, tasks[st.ID], now), Days: int(now.Sub(st.ArrivedAt).Hours() / 24)}
		for _, dl := range row.Deadlines {
			if severity[dl.Status] > severity[row.Worst] {
				row.Worst = dl.Status
			}
		}
		row.Person = PersonFor(a, p, now)
		d.Rows = append(d.Rows, row)
	}
	e := a.Entry("person.list", "person", "")
	e.Detail = "dashboard"
	if err := s.Audit.AppendAudit(ctx, e); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return d, nil
}
