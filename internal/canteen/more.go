package canteen

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
)

// MoreStore keeps the pest control log, the self-check lists, the
// purchases' photos and the stock issued. Writes store their audit entry
// in the same transaction.
type MoreStore interface {
	AddPest(ctx context.Context, p *Pest, e audit.Entry) error
	// PestLog lists the entries of the days from from to to, newest first.
	PestLog(ctx context.Context, from, to string) ([]*Pest, error)

	AddCheckItem(ctx context.Context, it *CheckItem, e audit.Entry) error
	// RetireCheckItem marks an item retired; NotFound if it is not active.
	RetireCheckItem(ctx context.Context, id string, e audit.Entry) error
	// CheckItems lists a list's items in order; retired ones too with all.
	CheckItems(ctx context.Context, list string, all bool) ([]*CheckItem, error)
	// AddSelfCheck stores a completion with its answers; Conflict when the
	// list was done for that period already.
	AddSelfCheck(ctx context.Context, c *SelfCheck, e audit.Entry) error
	// SelfChecks lists a list's completions of the periods from from
	// through to (empty: no end), newest first, with their answers and
	// the items' wording.
	SelfChecks(ctx context.Context, list, from, to string) ([]*SelfCheck, error)

	AddPurchaseFile(ctx context.Context, f *PurchaseFile, e audit.Entry) error
	// PurchaseFiles lists the photos of the purchases given.
	PurchaseFiles(ctx context.Context, purchaseIDs []string) ([]*PurchaseFile, error)

	// OnHand lists the accepted batches not used up, by item, oldest
	// expiry first (no expiry last), then oldest received.
	OnHand(ctx context.Context) ([]*Purchase, error)
	// AddIssue stores an issue and adds it to its batch's issued amount,
	// provided the batch still holds it (else Conflict).
	AddIssue(ctx context.Context, is *Issue, e audit.Entry) error
	// Issues lists the issues since, newest first.
	Issues(ctx context.Context, since time.Time) ([]*Issue, error)
}

// ---- pest control (防虫防鼠) ----

// Pest control measures.
var PestMeasures = []string{"traps", "bait", "screens", "professional"}

// Pest is one entry of the pest control log.
type Pest struct {
	ID        string
	Day       string
	Area      string
	Measures  []string
	Findings  string // "" when nothing was found
	Company   string // the professional service, if one came
	By        string
	CreatedAt time.Time
}

// PestInput is a pest control entry as typed.
type PestInput struct {
	Day, Area, Findings, Company, By string
	Measures                         []string
}

// DutyPest is the pest control round, every PestEveryMonths.
const DutyPest = "pest"

// RecordPest stores a pest control entry and does the pest duty.
func (s *Service) RecordPest(ctx context.Context, a auth.Actor, in PestInput) (*Pest, error) {
	const op = "canteen.RecordPest"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	now := s.now()
	p := &Pest{ID: id.New(), Day: f.Day("pest_day", in.Day, Day(now), true), Area: f.Text("area", in.Area, true, 60),
		Findings: f.Text("findings", in.Findings, false, 300), Company: f.Text("company", in.Company, false, 100),
		By: f.Text("pest_by", in.By, false, 50), CreatedAt: now}
	if p.By == "" {
		p.By = a.Name
	}
	for _, m := range in.Measures {
		if !slices.Contains(PestMeasures, m) {
			f["measures"] = "err.invalid_choice"
		} else if !slices.Contains(p.Measures, m) {
			p.Measures = append(p.Measures, m)
		}
	}
	if len(p.Measures) == 0 && f["measures"] == "" {
		f["measures"] = "canteen.err_measures"
	}
	if slices.Contains(p.Measures, "professional") && p.Company == "" {
		f["company"] = "err.required"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := s.More.AddPest(ctx, p, a.Entry("canteen.pest.add", "canteen_pest", p.ID)); err != nil {
		return nil, err
	}
	at := now
	if p.Day < Day(now) { // an entry typed in later counts for its day
		d, _ := parseDay(p.Day)
		at = d.Add(12 * time.Hour).UTC()
	}
	s.done(ctx, DutyPest, "", at, p.By, p.ID)
	return p, nil
}

// ---- self-check lists (日管控、周排查、月调度) ----

// Self-check lists.
const (
	ListDaily   = "daily"
	ListWeekly  = "weekly"
	ListMonthly = "monthly"
)

// Lists lists the self-check lists in display order.
var Lists = []string{ListDaily, ListWeekly, ListMonthly}

// listDuty is each list's duty kind.
var listDuty = map[string]string{ListDaily: DutySelfDaily, ListWeekly: DutySelfWeekly, ListMonthly: DutySelfMonthly}

// ListOfDuty is the list a self-check duty kind stands for ("" for others).
func ListOfDuty(kind string) string {
	for l, k := range listDuty {
		if k == kind {
			return l
		}
	}
	return ""
}

// CheckItem is one item of a self-check list, its wording fixed.
type CheckItem struct {
	ID        string
	List      string
	Seq       int
	Text      string
	Replaces  string // the item it rewords, if any
	Active    bool
	CreatedAt time.Time
}

// Answer is one item's answer in a completion.
type Answer struct {
	ItemID string
	Text   string // the item's wording, read with the answer
	OK     bool
	Note   string
}

// SelfCheck is one completion of a list for its period.
type SelfCheck struct {
	ID       string
	List     string
	Period   string // the day, the week's Monday, or the month "2006-01"
	At       time.Time
	By       string
	Problems int
	Answers  []Answer
}

// PeriodOf is the period of list at t: the day (CST), the day of the
// week's Monday, or the month.
func PeriodOf(list string, t time.Time) string {
	c := t.In(CST)
	switch list {
	case ListWeekly:
		wd := (int(c.Weekday()) + 6) % 7 // Monday 0
		return time.Date(c.Year(), c.Month(), c.Day()-wd, 0, 0, 0, 0, CST).Format(time.DateOnly)
	case ListMonthly:
		return c.Format("2006-01")
	}
	return c.Format(time.DateOnly)
}

// prevPeriod is the period before p of list.
func prevPeriod(list, p string) string {
	if list == ListMonthly {
		t, err := time.ParseInLocation("2006-01", p, CST)
		if err != nil {
			return p
		}
		return t.AddDate(0, -1, 0).Format("2006-01")
	}
	t, ok := parseDay(p)
	if !ok {
		return p
	}
	if list == ListWeekly {
		return t.AddDate(0, 0, -7).Format(time.DateOnly)
	}
	return t.AddDate(0, 0, -1).Format(time.DateOnly)
}

// HistoryLen is how many periods of each list the page shows.
var HistoryLen = map[string]int{ListDaily: 31, ListWeekly: 8, ListMonthly: 6}

// MaxItems is the most active items a list holds.
const MaxItems = 40

// AddCheckItem adds an item at the end of a list, or in place of one it
// rewords (replaces: that item's id), which is retired.
func (s *Service) AddCheckItem(ctx context.Context, a auth.Actor, list, text, replaces string) (*CheckItem, error) {
	const op = "canteen.AddCheckItem"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	it := &CheckItem{ID: id.New(), List: f.Choice("list", list, Lists), Text: f.Text("item_text", text, true, 200), Active: true, CreatedAt: s.now()}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	items, err := s.More.CheckItems(ctx, list, false)
	if err != nil {
		return nil, err
	}
	for _, x := range items {
		it.Seq = max(it.Seq, x.Seq+1)
	}
	if replaces = strings.TrimSpace(replaces); replaces != "" {
		i := slices.IndexFunc(items, func(x *CheckItem) bool { return x.ID == replaces })
		if i < 0 {
			return nil, errs.InvalidFields(op, map[string]string{"item_text": "canteen.err_item_gone"})
		}
		if items[i].Text == it.Text {
			return items[i], nil
		}
		it.Seq, it.Replaces = items[i].Seq, replaces
		if err := s.More.RetireCheckItem(ctx, replaces, a.Entry("canteen.item.retire", "canteen_check_item", replaces)); err != nil {
			return nil, err
		}
	} else if len(items) >= MaxItems {
		return nil, errs.InvalidFields(op, map[string]string{"item_text": "canteen.err_many_items"})
	}
	return it, s.More.AddCheckItem(ctx, it, a.Entry("canteen.item.add", "canteen_check_item", it.ID))
}

// RetireCheckItem takes an item off its list; past answers keep it.
func (s *Service) RetireCheckItem(ctx context.Context, a auth.Actor, itemID string) error {
	const op = "canteen.RetireCheckItem"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return err
	}
	return s.More.RetireCheckItem(ctx, itemID, a.Entry("canteen.item.retire", "canteen_check_item", itemID))
}

// AnswerInput is one item's answer as typed: "ok" or "problem", and a
// note (required with a problem).
type AnswerInput struct{ ItemID, Verdict, Note string }

// SelfCheckInput is a completion of a list as typed.
type SelfCheckInput struct {
	List    string
	Answers []AnswerInput
}

// RecordSelfCheck stores the completion of a list for its current period,
// every active item answered, and does the list's duty. A list done for
// the period already: Conflict.
func (s *Service) RecordSelfCheck(ctx context.Context, a auth.Actor, in SelfCheckInput) (*SelfCheck, error) {
	const op = "canteen.RecordSelfCheck"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	if f.Choice("list", in.List, Lists); len(f) > 0 {
		return nil, f.Err(op)
	}
	items, err := s.More.CheckItems(ctx, in.List, false)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, errs.InvalidFields(op, map[string]string{"list": "canteen.err_no_items"})
	}
	now := s.now()
	c := &SelfCheck{ID: id.New(), List: in.List, Period: PeriodOf(in.List, now), At: now, By: a.Name}
	for _, it := range items {
		key := "answer." + it.ID
		i := slices.IndexFunc(in.Answers, func(x AnswerInput) bool { return x.ItemID == it.ID })
		if i < 0 || in.Answers[i].Verdict == "" {
			f[key] = "canteen.err_answer"
			continue
		}
		x := in.Answers[i]
		ans := Answer{ItemID: it.ID, Text: it.Text, OK: f.Choice(key, x.Verdict, []string{"ok", "problem"}) == "ok", Note: f.Text("note."+it.ID, x.Note, false, 200)}
		if !ans.OK {
			c.Problems++
			if ans.Note == "" && f["note."+it.ID] == "" {
				f["note."+it.ID] = "canteen.err_problem_note"
			}
		}
		c.Answers = append(c.Answers, ans)
	}
	for _, x := range in.Answers {
		if !slices.ContainsFunc(items, func(it *CheckItem) bool { return it.ID == x.ItemID }) {
			f["list"] = "canteen.err_item_gone" // the list changed while the form was open
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	e := a.Entry("canteen.selfcheck", "canteen_selfcheck", c.ID)
	e.Detail = c.List + " " + c.Period
	if err := s.More.AddSelfCheck(ctx, c, e); err != nil {
		if errs.Is(errs.Exists, err) || errs.Is(errs.Conflict, err) {
			return nil, errs.E(errs.Conflict, op, "canteen.err_selfcheck_done")
		}
		return nil, err
	}
	s.doneForPeriod(ctx, c, now, a.Name)
	return c, nil
}

// doneForPeriod does the list's duty up to the occurrence of the
// completion's period: an occurrence missed before it is closed late
// (it was overdue until now; the history shows its period missed), and
// the period's own is done, so that it does not fall overdue later today.
func (s *Service) doneForPeriod(ctx context.Context, c *SelfCheck, at time.Time, by string) {
	if s.Duties == nil {
		return
	}
	for range 2 {
		d, err := s.Duties.DutyByKey(ctx, Area, listDuty[c.List], "")
		if err != nil || PeriodOf(c.List, d.NextDue) > c.Period {
			return
		}
		if run, err := (duties.Completer{Store: s.Duties}).Done(ctx, Area, listDuty[c.List], "", at, by, c.ID); err != nil || run == nil {
			return
		}
	}
}

// PeriodRow is one period of a list's history: its completion, or nil
// when it was missed (or is still open, for the current period).
type PeriodRow struct {
	Period  string
	Current bool
	Check   *SelfCheck
}

// SelfCheckPage is a list's page: its items, the current period and the
// history of the last periods.
type SelfCheckPage struct {
	List    string
	Period  string
	Items   []*CheckItem
	Done    *SelfCheck // the current period's completion
	History []PeriodRow
}

// SelfCheckList reads a list's page; the leader reads it too.
func (s *Service) SelfCheckList(ctx context.Context, a auth.Actor, list string) (*SelfCheckPage, error) {
	if err := a.RequireAny("canteen.SelfCheckList", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	if !slices.Contains(Lists, list) {
		list = ListDaily
	}
	now := s.now()
	p := &SelfCheckPage{List: list, Period: PeriodOf(list, now)}
	var err error
	if p.Items, err = s.More.CheckItems(ctx, list, false); err != nil {
		return nil, err
	}
	periods := []string{p.Period}
	for len(periods) < HistoryLen[list] {
		periods = append(periods, prevPeriod(list, periods[len(periods)-1]))
	}
	done, err := s.More.SelfChecks(ctx, list, periods[len(periods)-1], "")
	if err != nil {
		return nil, err
	}
	// Periods before the list had any item are not missed.
	all, err := s.More.CheckItems(ctx, list, true)
	if err != nil {
		return nil, err
	}
	var since time.Time
	for _, it := range all {
		if since.IsZero() || it.CreatedAt.Before(since) {
			since = it.CreatedAt
		}
	}
	first := ""
	if !since.IsZero() {
		first = PeriodOf(list, since)
	}
	for _, per := range periods {
		if first == "" || per < first {
			break
		}
		row := PeriodRow{Period: per, Current: per == p.Period}
		if i := slices.IndexFunc(done, func(c *SelfCheck) bool { return c.Period == per }); i >= 0 {
			row.Check = done[i]
		}
		if row.Current {
			p.Done = row.Check
		}
		p.History = append(p.History, row)
	}
	return p, nil
}

// ---- purchase photos ----

// Purchase photo kinds: the certificate (合格证明、检验报告) and the
// invoice or delivery note (票据).
var PhotoKinds = []string{"certificate", "invoice"}

// PurchaseFile is a photo of a purchase's papers.
type PurchaseFile struct {
	ID         string
	PurchaseID string
	Kind       string
	Name       string // in the files store
	At         time.Time
	By         string
}

// MaxPurchaseFiles is the most photos a purchase takes.
const MaxPurchaseFiles = 10

// AttachPurchasePhoto adds a certificate or invoice photo to a purchase.
// The photo is cleaned like every upload (internal/photo: size and pixel
// limits checked before it is decoded, metadata dropped).
func (s *Service) AttachPurchasePhoto(ctx context.Context, a auth.Actor, purchaseID, kind string, data []byte) (*PurchaseFile, error) {
	const op = "canteen.AttachPurchasePhoto"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PurchaseByID(ctx, purchaseID)
	if err != nil {
		return nil, err
	}
	f := form.Fields{}
	f.Choice("file_kind", kind, PhotoKinds)
	if len(data) == 0 {
		f["photo"] = "err.required"
	}
	have, err := s.More.PurchaseFiles(ctx, []string{p.ID})
	if err != nil {
		return nil, err
	}
	if len(have) >= MaxPurchaseFiles {
		f["photo"] = "canteen.err_many_photos"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if s.Files == nil {
		return nil, errs.E(errs.Unavailable, op, "err.unavailable")
	}
	clean, err := photo.Clean(ctx, data)
	if err != nil {
		return nil, errs.InvalidFields(op, map[string]string{"photo": intake.PhotoError(err)})
	}
	now := s.now()
	pf := &PurchaseFile{ID: id.New(), PurchaseID: p.ID, Kind: kind, At: now, By: a.Name}
	pf.Name = "canteen/" + now.Format("200601") + "/" + strings.ToLower(pf.ID) + ".jpg"
	if err := s.Files.Put(ctx, pf.Name, clean); err != nil {
		return nil, errs.Wrap(errs.Unavailable, op, err)
	}
	return pf, s.More.AddPurchaseFile(ctx, pf, a.Entry("canteen.purchase.photo", "canteen_purchase", p.ID))
}

// PurchasePhoto returns one photo of a purchase to those who read the canteen.
func (s *Service) PurchasePhoto(ctx context.Context, a auth.Actor, purchaseID, fileID string) ([]byte, error) {
	if err := a.RequireAny("canteen.PurchasePhoto", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	fs, err := s.More.PurchaseFiles(ctx, []string{purchaseID})
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(fs, func(f *PurchaseFile) bool { return f.ID == fileID })
	if i < 0 || s.Files == nil {
		return nil, errs.E(errs.NotFound, "canteen.PurchasePhoto", "err.not_found")
	}
	return s.Files.Get(ctx, fs[i].Name)
}

// ---- stock on hand ----

// ParseQuantity reads a quantity as typed on a delivery ("20 kg", "50公斤",
// "4袋", "2.5 L", full-width digits too): a positive number of at most 3
// decimals and up to a million, in thousandths, and the unit after it.
// ok is false when it does not start with such a number.
func ParseQuantity(s string) (milli int64, unit string, ok bool) {
	s = strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return '0' + (r - '０')
		case r == '．':
			return '.'
		}
		return r
	}, s))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	num := s[:i]
	if num == "" || strings.Count(num, ".") > 1 || strings.HasPrefix(num, ".") || strings.HasSuffix(num, ".") {
		return 0, "", false
	}
	whole, frac, _ := strings.Cut(num, ".")
	if len(frac) > 3 || len(whole) > 7 {
		return 0, "", false
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, "", false
	}
	frac += strings.Repeat("0", 3-len(frac))
	fr, _ := strconv.ParseInt(frac, 10, 64)
	milli = w*1000 + fr
	if milli <= 0 || milli > 1e9 {
		return 0, "", false
	}
	unit = strings.TrimSpace(s[i:])
	if len([]rune(unit)) > 10 {
		return 0, "", false
	}
	return milli, unit, true
}

// FormatMilli writes thousandths as a number ("2.5", "20").
func FormatMilli(m int64) string {
	s := strconv.FormatInt(m/1000, 10)
	if f := m % 1000; f != 0 {
		s += strings.TrimRight("."+strconv.FormatInt(1000+f, 10)[1:], "0")
	}
	return s
}

// Issue kinds: to the kitchen, or thrown away (expired, spoiled).
const (
	IssueKitchen = "issue"
	IssueDiscard = "discard"
)

// Issue is an amount taken out of a batch.
type Issue struct {
	ID         string
	PurchaseID string
	Kind       string
	Milli      int64
	At         time.Time
	By         string
	Note       string
	OutOfOrder bool // a newer batch issued while an older one remained
	// Read with the issue.
	Item, Unit, Batch string
}

// Batch is a batch on hand with what the stock page says of it.
type Batch struct {
	*Purchase
	Left    int64 // thousandths of its unit
	Expired bool
	First   bool // the one to issue first of its item (FIFO)
}

// StockPage is the stock on hand and the last week's issues.
type StockPage struct {
	Today   string
	Batches []Batch
	Issues  []*Issue
}

// Stock reads the stock on hand for the canteen's readers.
func (s *Service) Stock(ctx context.Context, a auth.Actor) (*StockPage, error) {
	if err := a.RequireAny("canteen.Stock", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	now := s.now()
	p := &StockPage{Today: Day(now)}
	on, err := s.More.OnHand(ctx)
	if err != nil {
		return nil, err
	}
	p.Batches = batches(on, p.Today)
	if p.Issues, err = s.More.Issues(ctx, now.AddDate(0, 0, -7)); err != nil {
		return nil, err
	}
	return p, nil
}

// batches marks each batch on hand expired, and the first of each item
// that may still be used (the oldest by expiry, then by delivery).
func batches(on []*Purchase, today string) []Batch {
	out := make([]Batch, 0, len(on))
	first := map[string]bool{}
	for _, p := range on {
		b := Batch{Purchase: p, Left: p.QtyMilli - p.IssuedMilli, Expired: p.ExpiresOn != "" && p.ExpiresOn < today}
		if !b.Expired && !first[p.Item] {
			b.First, first[p.Item] = true, true
		}
		out = append(out, b)
	}
	return out
}

// olderThan reports whether batch a is to be used before b: an earlier
// expiry (a batch without one comes last), then an earlier delivery.
func olderThan(a, b *Purchase) bool {
	ae, be := a.ExpiresOn, b.ExpiresOn
	if ae == "" {
		ae = "9999"
	}
	if be == "" {
		be = "9999"
	}
	if ae != be {
		return ae < be
	}
	return a.ReceivedOn < b.ReceivedOn
}

// IssueInput is an issue as typed: the batch, the amount in the batch's
// unit, issue or discard, and Confirm to issue a newer batch while an
// older one remains.
type IssueInput struct {
	PurchaseID, Amount, Kind, Note string
	Confirm                        bool
}

// IssueStock takes an amount out of a batch on hand. Expired stock may
// only be discarded; issuing a batch while an older one of the same item
// remains needs Confirm (first in, first out) and is marked.
func (s *Service) IssueStock(ctx context.Context, a auth.Actor, in IssueInput) (*Issue, error) {
	const op = "canteen.IssueStock"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	now := s.now()
	today := Day(now)
	f := form.Fields{}
	is := &Issue{ID: id.New(), PurchaseID: strings.TrimSpace(in.PurchaseID), Kind: f.Choice("issue_kind", in.Kind, []string{IssueKitchen, IssueDiscard}),
		At: now, By: a.Name, Note: f.Text("issue_note", in.Note, false, 200)}
	on, err := s.More.OnHand(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(on, func(p *Purchase) bool { return p.ID == is.PurchaseID })
	if i < 0 {
		f["purchase_id"] = "canteen.err_batch"
		return nil, f.Err(op)
	}
	b := on[i]
	is.Item, is.Unit, is.Batch = b.Item, b.QtyUnit, b.Batch
	if m, _, ok := ParseQuantity(in.Amount); !ok {
		f["amount"] = "canteen.err_amount"
	} else if m > b.QtyMilli-b.IssuedMilli {
		f["amount"] = "canteen.err_amount_left"
	} else {
		is.Milli = m
	}
	expired := b.ExpiresOn != "" && b.ExpiresOn < today
	if is.Kind == IssueKitchen && expired {
		f["issue_kind"] = "canteen.err_issue_expired"
	}
	if is.Kind == IssueKitchen && !expired {
		for _, o := range on {
			if o.ID != b.ID && o.Item == b.Item && (o.ExpiresOn == "" || o.ExpiresOn >= today) && olderThan(o, b) {
				is.OutOfOrder = true
			}
		}
		if is.OutOfOrder && !in.Confirm {
			f["confirm"] = "canteen.err_fifo"
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	e := a.Entry("canteen.stock."+is.Kind, "canteen_purchase", b.ID)
	if is.OutOfOrder {
		e.Detail = "fifo_skipped"
	}
	if err := s.More.AddIssue(ctx, is, e); err != nil {
		if errs.Is(errs.Conflict, err) {
			return nil, errs.InvalidFields(op, map[string]string{"amount": "canteen.err_amount_left"})
		}
		return nil, err
	}
	return is, nil
}

// ---- meal history, a week a page ----

// MealHistory reads the meals of the seven days before before (a day;
// empty or not a day: today), newest first, and the day a page further
// back starts before.
func (s *Service) MealHistory(ctx context.Context, a auth.Actor, before string) (meals []*Meal, from, to string, err error) {
	if err := a.RequireAny("canteen.MealHistory", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, "", "", err
	}
	today := s.today()
	if _, ok := parseDay(before); !ok || before > today {
		before = today
	}
	from, to = dayPlus(before, -mealDays), dayPlus(before, -1)
	meals, err = s.Store.Meals(ctx, from, to)
	return meals, from, to, err
}

// Records is a month's pest-control log and self-check completions, as an
// inspector asks for them on paper.
type Records struct {
	Month     string // "2006-01"
	Year, Mon int
	Pests     []*Pest                 // oldest first
	Checks    map[string][]*SelfCheck // by list, oldest first
	Lists     []string
}

// Records reads month's pest-control log and self-checks for print: the
// completions done in that month, each with its answers in the wording of
// the day.
func (s *Service) Records(ctx context.Context, a auth.Actor, month string) (*Records, error) {
	if err := a.RequireAny("canteen.Records", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	t, err := time.ParseInLocation("2006-01", month, CST)
	if err != nil {
		t, _ = time.ParseInLocation("2006-01", Day(s.now())[:7], CST)
	}
	next := t.AddDate(0, 1, 0)
	r := &Records{Month: t.Format("2006-01"), Year: t.Year(), Mon: int(t.Month()), Checks: map[string][]*SelfCheck{}, Lists: Lists}
	if s.More == nil {
		return r, nil
	}
	if r.Pests, err = s.More.PestLog(ctx, t.Format(time.DateOnly), next.AddDate(0, 0, -1).Format(time.DateOnly)); err != nil {
		return nil, err
	}
	slices.Reverse(r.Pests)
	last := next.Add(-time.Second) // the month's periods only: an old month's print reads no later ones
	for _, list := range Lists {
		cs, err := s.More.SelfChecks(ctx, list, PeriodOf(list, t), PeriodOf(list, last))
		if err != nil {
			return nil, err
		}
		var in []*SelfCheck
		for _, c := range cs {
			if !c.At.Before(t) && c.At.Before(next) {
				in = append(in, c)
			}
		}
		slices.Reverse(in)
		r.Checks[list] = in
	}
	return r, nil
}
