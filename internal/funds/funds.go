// Package funds is the station's money (经费管理, DESIGN.md §3.9): budgets
// per institution and year with the lines a station's budget has,
// adjustments that never overwrite, spending through request → approve →
// pay with each step by a different person, and an append-only ledger
// (enforced by the database) that every payment and refund is written to.
// Amounts are integer fen; pages show yuan with two decimals.
package funds

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
)

// CST is the calendar months and years count in.
var CST = time.FixedZone("CST", 8*3600)

// Line groups and codes: basic expenditure (基本支出, about 80 % of a
// station's budget) and the project line for relief of people without
// means (流浪乞讨人员救助专项) with its sub-lines. Names come from the
// catalogue ("funds.line.<code>").
const (
	GroupBasic   = "basic"
	GroupProject = "project"

	LinePersonnel    = "personnel"     // 人员经费
	LineRunning      = "running"       // 公用经费
	LineFood         = "food"          // 伙食
	LineMedical      = "medical"       // 医疗救治
	LineTravel       = "travel"        // 乘车凭证及护送
	LineClothing     = "clothing"      // 衣被
	LineBurial       = "burial"        // 殡葬
	LineCampaigns    = "campaigns"     // 专项行动
	LineFamilySearch = "family_search" // 寻亲
)

// LineCodes lists the lines in budget order.
var LineCodes = []string{LinePersonnel, LineRunning, LineFood, LineMedical, LineTravel, LineClothing, LineBurial, LineCampaigns, LineFamilySearch}

// GroupOf returns the group a line code belongs to.
func GroupOf(code string) string {
	if code == LinePersonnel || code == LineRunning {
		return GroupBasic
	}
	return GroupProject
}

// DefaultLeaderAboveFen is the default approval threshold: requests above
// 5,000 yuan are approved by the leader, smaller ones by finance.
const DefaultLeaderAboveFen int64 = 5000 * 100

// Budget is one institution's budget for one year.
type Budget struct {
	ID           string
	DepartmentID string
	Year         int
	CreatedAt    time.Time
	CreatedBy    string
	Lines        []*Line
}

// Total is the sum of the budget's lines.
func (b *Budget) Total() (amount, spent int64) {
	for _, l := range b.Lines {
		amount += l.AmountFen
		spent += l.SpentFen
	}
	return
}

// Line is one budget line.
type Line struct {
	ID        string
	BudgetID  string
	Code      string
	Group     string
	AmountFen int64 // the first amount and every adjustment since
	SpentFen  int64 // paid less refunded: the sum of the line's ledger entries
	HardCap   bool  // never pays past AmountFen
	Year      int   // the budget's (read with the line)
}

// Left is what remains on the line (negative when a soft line overran).
func (l *Line) Left() int64 { return l.AmountFen - l.SpentFen }

// Ratio is spent over budget (0 for an empty line).
func (l *Line) Ratio() float64 {
	if l.AmountFen <= 0 {
		return 0
	}
	return float64(l.SpentFen) / float64(l.AmountFen)
}

// Alert levels of a line.
const (
	AlertNone = ""
	Alert80   = "80"
	Alert100  = "100"
)

// Alert is the line's level: 100 at or past its amount, 80 at 80 %.
func (l *Line) Alert() string {
	switch {
	case l.AmountFen <= 0 && l.SpentFen <= 0:
		return AlertNone
	case l.SpentFen >= l.AmountFen:
		return Alert100
	case l.SpentFen*5 >= l.AmountFen*4:
		return Alert80
	}
	return AlertNone
}

// Adjustment kinds.
const (
	AdjInitial = "initial"
	AdjChange  = "adjust"
)

// Adjustment is one change of a line's amount, never an overwrite; the
// line's first amount is one too.
type Adjustment struct {
	ID         string
	LineID     string
	At         time.Time
	Kind       string
	DeltaFen   int64
	Reason     string
	ApprovedBy string // who approved it (a leader, a bureau's reply)
	ByID       string
	ByName     string
}

// Expense states.
const (
	StateRequested = "requested"
	StateApproved  = "approved"
	StateRefused   = "refused"
	StatePaid      = "paid"
)

// Expense kinds.
const (
	KindGeneral = "general"
	KindTicket  = "travel_ticket" // a travel voucher (乘车凭证) issued at exit
	KindCash    = "travel_cash"   // local transit cash (≤ 20 yuan, signed receipt)
	KindMedical = "medical_bill"  // a hospital's bill for a green-channel referral
)

// Kinds lists the expense kinds.
var Kinds = []string{KindGeneral, KindTicket, KindCash, KindMedical}

// Restricted is a money donation given for a purpose (restricted income):
// it pays only expenses on the budget line of that purpose, and never more
// than it brought.
type Restricted struct {
	DonationID string
	At         time.Time
	Donor      string
	Purpose    string // a line code
	AmountFen  int64
	SpentFen   int64
}

// Left is what remains of the donation.
func (r *Restricted) Left() int64 { return r.AmountFen - r.SpentFen }

// Expense is one spending request and what became of it.
type Expense struct {
	ID          string
	Ref         string // "ZC-…", what people read
	Kind        string
	LineID      string
	AmountFen   int64
	Purpose     string
	Payee       string
	PersonID    string // whom it was spent on, if anyone
	StayID      string
	CampaignID  string
	Voucher     string // ticket or voucher number
	State       string
	RequestedAt time.Time
	RequestedID string // user ids: separation of duties compares these
	RequestedBy string // names, as people read them
	DecidedAt   time.Time
	DecidedID   string
	DecidedBy   string
	Refusal     string
	PaidAt      time.Time
	PaidID      string
	PaidBy      string
	RefundedFen int64
	// Paid from a restricted donation (its id), a hospital bill of a
	// green-channel referral, and the share of that bill claimed from
	// 医疗救助.
	DonationID       string
	HealthReferralID string
	MedicalAidFen    int64

	// Read with the expense, not stored with it.
	LineCode   string
	Year       int
	PersonRef  string
	PersonName string
}

// Entry kinds of the ledger.
const (
	EntryPayment = "payment" // +: money out of a line
	EntryRefund  = "refund"  // −: money back to a line
	// A correction moves a paid expense to another line: a negative
	// entry on the line it was booked to, a positive one on the right
	// line, written together.
	EntryCorrection = "correction"
)

// Entry is one ledger row: never changed, never deleted.
type Entry struct {
	ID        string
	At        time.Time
	LineID    string
	ExpenseID string
	Kind      string
	AmountFen int64 // signed
	PersonID  string
	Note      string
	ByID      string
	ByName    string

	LineCode   string // read with the entry
	ExpenseRef string
}

// ExpenseFilter selects expenses; zero fields match everything.
type ExpenseFilter struct {
	States   []string
	BudgetID string
	LineID   string
	PersonID string
	Limit    int
}

// Store keeps funds. Amount checks that must hold under concurrent use
// are made by the store in the transaction that writes.
type Store interface {
	// CreateBudget stores a budget, its lines and each line's first
	// adjustment; Exists when the institution has that year's budget.
	CreateBudget(ctx context.Context, b *Budget, adj []*Adjustment, e audit.Entry) error
	Budgets(ctx context.Context, year int) ([]*Budget, error)
	BudgetByID(ctx context.Context, id string) (*Budget, error)
	LineByID(ctx context.Context, id string) (*Line, error)
	Adjustments(ctx context.Context, budgetID string) ([]*Adjustment, error)
	// Adjust adds an adjustment and changes the line's amount; Conflict
	// (funds.err.below_spent) when the amount would go below zero or, on a
	// hard-capped line, below what was spent.
	Adjust(ctx context.Context, a *Adjustment, e audit.Entry) error
	// AddExpenses stores requests, all or none.
	AddExpenses(ctx context.Context, xs []*Expense, es []audit.Entry) error
	ExpenseByID(ctx context.Context, id string) (*Expense, error)
	Expenses(ctx context.Context, f ExpenseFilter) ([]*Expense, error)
	// DecideExpenses moves requested expenses to approved or refused, all
	// or none; Conflict (funds.err.state) when one is no longer requested.
	DecideExpenses(ctx context.Context, xs []*Expense, es []audit.Entry) error
	// PayExpenses marks approved expenses paid, adds their ledger entries
	// and their amounts to their lines (and to the restricted donation
	// that pays one), in one transaction; Conflict funds.err.state when
	// one is no longer approved, funds.err.over_cap when a hard-capped
	// line has less left than an amount, funds.err.restricted when a
	// donation has too little left or another purpose; then nothing is
	// stored.
	PayExpenses(ctx context.Context, xs []*Expense, ens []*Entry, es []audit.Entry) error
	// Refund adds a negative ledger entry against a paid expense; Conflict
	// funds.err.refund_too_much when more would be refunded than was paid.
	Refund(ctx context.Context, x *Expense, en *Entry, e audit.Entry) error
	// Reclassify books a paid expense to another line: it writes the two
	// correction entries, moves the amount between the lines and names
	// the new line on the expense, in one transaction; Conflict
	// funds.err.over_cap when the new line is hard-capped and has less
	// left, funds.err.state when the expense changed meanwhile.
	Reclassify(ctx context.Context, x *Expense, out, in *Entry, e audit.Entry) error
	AddAttachment(ctx context.Context, at *Attachment, e audit.Entry) error
	Attachments(ctx context.Context, expenseID string) ([]*Attachment, error)
	// Ledger lists the entries of a budget's lines, oldest first.
	Ledger(ctx context.Context, budgetID string) ([]*Entry, error)
	// RestrictedFunds lists the restricted donations, newest first.
	RestrictedFunds(ctx context.Context) ([]*Restricted, error)
	// RestrictedByID returns one (NotFound for a donation without a purpose).
	RestrictedByID(ctx context.Context, donationID string) (*Restricted, error)
	// LineTotals returns, per line of a budget, the line's spent amount
	// and the sum of its ledger entries (which must be equal).
	LineTotals(ctx context.Context, budgetID string) (map[string][2]int64, error)
}

// Attachment is an invoice or voucher photo attached to an expense.
type Attachment struct {
	ID        string
	ExpenseID string
	Name      string // in Files
	At        time.Time
	ByID      string
	ByName    string
}

// Service is funds.
type Service struct {
	Store Store
	Audit audit.Store
	Files files.Store // invoice photos
	Now   func() time.Time
	// LeaderAboveFen: requests above it need funds.approve_large (the
	// leader); 0 takes DefaultLeaderAboveFen.
	LeaderAboveFen int64
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// Threshold is the approval threshold in fen.
func (s *Service) Threshold() int64 {
	if s.LeaderAboveFen > 0 {
		return s.LeaderAboveFen
	}
	return DefaultLeaderAboveFen
}

// LineInput is one line of a new budget.
type LineInput struct {
	Code      string
	AmountFen int64 // 0 leaves the line out
	HardCap   bool
}

// BudgetInput is a new budget.
type BudgetInput struct {
	DepartmentID string
	Year         int
	ApprovedBy   string // the approval the amounts come from (批复)
	Lines        []LineInput
}

// CreateBudget creates an institution's budget for a year.
func (s *Service) CreateBudget(ctx context.Context, a auth.Actor, in BudgetInput) (*Budget, error) {
	const op = "funds.CreateBudget"
	if err := a.Require(op, auth.PermFundsManage); err != nil {
		return nil, err
	}
	f := map[string]string{}
	in.ApprovedBy = strings.TrimSpace(in.ApprovedBy)
	if in.DepartmentID == "" {
		f["department_id"] = "err.required"
	}
	if in.Year < 2000 || in.Year > 2100 {
		f["year"] = "funds.err.year"
	}
	if in.ApprovedBy == "" || !form.TextOK(in.ApprovedBy, 100) {
		f["approved_by"] = "err.required"
	}
	now := s.now()
	b := &Budget{ID: id.New(), DepartmentID: in.DepartmentID, Year: in.Year, CreatedAt: now, CreatedBy: a.Name}
	var adj []*Adjustment
	seen := map[string]bool{}
	for _, li := range in.Lines {
		switch {
		case !slices.Contains(LineCodes, li.Code) || seen[li.Code]:
			f["line_"+li.Code] = "funds.err.unknown_line"
			continue
		case li.AmountFen < 0 || li.AmountFen > MaxFen:
			f["line_"+li.Code] = "funds.err.amount"
			continue
		case li.AmountFen == 0:
			continue
		}
		seen[li.Code] = true
		l := &Line{ID: id.New(), BudgetID: b.ID, Code: li.Code, Group: GroupOf(li.Code), AmountFen: li.AmountFen, HardCap: li.HardCap, Year: in.Year}
		b.Lines = append(b.Lines, l)
		adj = append(adj, &Adjustment{ID: id.New(), LineID: l.ID, At: now, Kind: AdjInitial, DeltaFen: li.AmountFen,
			Reason: AdjInitial, ApprovedBy: in.ApprovedBy, ByID: a.UserID, ByName: a.Name})
	}
	if len(b.Lines) == 0 && len(f) == 0 {
		f["lines"] = "funds.err.no_lines"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	err := s.Store.CreateBudget(ctx, b, adj, a.Entry("funds.budget_create", "budget", b.ID))
	if errs.Is(errs.Exists, err) {
		return nil, errs.InvalidFields(op, map[string]string{"year": "funds.err.budget_exists"})
	}
	return b, err
}

// Budgets lists the budgets of a year with their lines.
func (s *Service) Budgets(ctx context.Context, a auth.Actor, year int) ([]*Budget, error) {
	if err := a.RequireAny("funds.Budgets", auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	return s.Store.Budgets(ctx, year)
}

// Budget returns one budget with its lines and adjustments.
func (s *Service) Budget(ctx context.Context, a auth.Actor, id string) (*Budget, []*Adjustment, error) {
	if err := a.RequireAny("funds.Budget", auth.PermFundsView, auth.PermFundsManage); err != nil {
		return nil, nil, err
	}
	b, err := s.Store.BudgetByID(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	adj, err := s.Store.Adjustments(ctx, id)
	return b, adj, err
}

// Adjust changes a line's amount by delta fen (either way), with a
// reason and the approver's name.
func (s *Service) Adjust(ctx context.Context, a auth.Actor, lineID string, delta int64, reason, approvedBy string) (*Adjustment, error) {
	const op = "funds.Adjust"
	if err := a.Require(op, auth.PermFundsManage); err != nil {
		return nil, err
	}
	reason, approvedBy = strings.TrimSpace(reason), strings.TrimSpace(approvedBy)
	f := map[string]string{}
	if delta == 0 || delta > MaxFen || delta < -MaxFen {
		f["delta"] = "funds.err.amount"
	}
	if reason == "" || !form.TextOK(reason, 500) {
		f["reason"] = "err.required"
	}
	if approvedBy == "" || !form.TextOK(approvedBy, 100) {
		f["approved_by"] = "err.required"
	}
	if _, err := s.Store.LineByID(ctx, lineID); err != nil {
		if errs.Is(errs.NotFound, err) {
			f["line_id"] = "funds.err.unknown_line"
		} else {
			return nil, err
		}
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	adj := &Adjustment{ID: id.New(), LineID: lineID, At: s.now(), Kind: AdjChange, DeltaFen: delta, Reason: reason, ApprovedBy: approvedBy, ByID: a.UserID, ByName: a.Name}
	return adj, s.Store.Adjust(ctx, adj, a.Entry("funds.adjust", "budget_line", lineID))
}

// ExpenseInput is a spending request.
type ExpenseInput struct {
	Kind       string // KindGeneral when empty
	LineID     string
	AmountFen  int64
	Purpose    string
	Payee      string
	PersonID   string
	StayID     string
	CampaignID string
	Voucher    string
	// DonationID pays the expense from a restricted donation, which must
	// have been given for the expense's line and have enough left.
	DonationID string
	// A hospital's bill (KindMedical): the green-channel referral and the
	// share claimed from 医疗救助 (at most the bill).
	HealthReferralID string
	MedicalAidFen    int64
}

// Request files a spending request on a budget line; a hard-capped line
// refuses one larger than what it has left.
func (s *Service) Request(ctx context.Context, a auth.Actor, in ExpenseInput) (*Expense, error) {
	return s.request(ctx, a, in, true)
}

func (s *Service) request(ctx context.Context, a auth.Actor, in ExpenseInput, capped bool) (*Expense, error) {
	const op = "funds.Request"
	if err := a.RequireAny(op, auth.PermFundsRequest, auth.PermFundsManage); err != nil {
		return nil, err
	}
	in.Purpose, in.Payee, in.Voucher = strings.TrimSpace(in.Purpose), strings.TrimSpace(in.Payee), strings.TrimSpace(in.Voucher)
	if in.Kind == "" {
		in.Kind = KindGeneral
	}
	f := map[string]string{}
	if in.AmountFen <= 0 || in.AmountFen > MaxFen {
		f["amount"] = "funds.err.amount"
	}
	if in.Purpose == "" || !form.TextOK(in.Purpose, 200) {
		f["purpose"] = "err.required"
	}
	if !form.TextOK(in.Payee, 100) {
		f["payee"] = "err.too_long"
	}
	if !form.TextOK(in.Voucher, 50) {
		f["voucher"] = "err.too_long"
	}
	if !slices.Contains(Kinds, in.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if in.HealthReferralID != "" {
		in.Kind = KindMedical
	}
	if in.MedicalAidFen < 0 || in.MedicalAidFen > MaxFen || in.MedicalAidFen > 0 && in.HealthReferralID == "" {
		f["medical_aid"] = "funds.err.amount"
	} else if in.MedicalAidFen > in.AmountFen && f["amount"] == "" {
		f["medical_aid"] = "funds.err.aid_above_bill"
	}
	var line *Line
	if in.LineID == "" {
		f["line_id"] = "funds.err.unknown_line"
	} else if l, err := s.Store.LineByID(ctx, in.LineID); errs.Is(errs.NotFound, err) {
		f["line_id"] = "funds.err.unknown_line"
	} else if err != nil {
		return nil, err
	} else {
		line = l
	}
	if capped && line != nil && f["amount"] == "" && line.HardCap && in.AmountFen > line.Left() {
		f["amount"] = "funds.err.over_cap"
	}
	if in.DonationID != "" {
		switch rf, err := s.Store.RestrictedByID(ctx, in.DonationID); {
		case errs.Is(errs.NotFound, err):
			f["donation_id"] = "funds.err.restricted_unknown"
		case err != nil:
			return nil, err
		case line != nil && rf.Purpose != line.Code:
			f["donation_id"] = "funds.err.restricted_purpose"
		case f["amount"] == "" && in.AmountFen > rf.Left():
			f["donation_id"] = "funds.err.restricted_left"
		}
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	x := &Expense{ID: id.New(), Ref: intake.NewRef("ZC"), Kind: in.Kind, LineID: line.ID, AmountFen: in.AmountFen, Purpose: in.Purpose, Payee: in.Payee,
		PersonID: in.PersonID, StayID: in.StayID, CampaignID: in.CampaignID, Voucher: in.Voucher, State: StateRequested,
		RequestedAt: s.now(), RequestedID: a.UserID, RequestedBy: a.Name, LineCode: line.Code, Year: line.Year,
		DonationID: in.DonationID, HealthReferralID: in.HealthReferralID, MedicalAidFen: in.MedicalAidFen}
	err := s.Store.AddExpenses(ctx, []*Expense{x}, []audit.Entry{a.Entry("funds.request", "expense", x.ID)})
	if errs.Is(errs.Invalid, err) { // a person, stay, campaign or referral that does not exist
		field := "person_id"
		if in.HealthReferralID != "" {
			field = "health_referral_id"
		}
		return nil, errs.InvalidFields(op, map[string]string{field: "err.not_found"})
	}
	return x, err
}

// TravelInput is a travel voucher (乘车凭证) or local transit cash given at
// exit: it becomes a request on the travel line.
type TravelInput struct {
	DepartmentID string // the institution whose budget pays (the staff's)
	At           time.Time
	PersonID     string
	StayID       string
	Mode         string // "ticket" or "cash"
	Route        string
	TicketNo     string
	CostFen      int64
}

// RequestTravel files the request for a voucher given at exit, on the
// travel line of the year's budget of the staff member's institution (or
// of the only budget that year).
func (s *Service) RequestTravel(ctx context.Context, a auth.Actor, in TravelInput) (*Expense, error) {
	const op = "funds.RequestTravel"
	year := in.At.In(CST).Year()
	bs, err := s.Store.Budgets(ctx, year)
	if err != nil {
		return nil, err
	}
	var line *Line
	for _, b := range bs {
		if b.DepartmentID != in.DepartmentID && len(bs) > 1 {
			continue
		}
		for _, l := range b.Lines {
			if l.Code == LineTravel {
				line = l
			}
		}
	}
	if line == nil {
		return nil, errs.E(errs.NotFound, op, "funds.err.no_travel_line")
	}
	kind, purpose := KindTicket, strings.TrimSpace(in.Route)
	if in.Mode == "cash" {
		kind = KindCash
	}
	if purpose == "" {
		purpose = "—"
	}
	// The ticket is in the person's hand already: the request is filed
	// even when the line has too little left, and the payment (or an
	// adjustment first) settles it.
	return s.request(ctx, a, ExpenseInput{Kind: kind, LineID: line.ID, AmountFen: in.CostFen, Purpose: purpose, PersonID: in.PersonID, StayID: in.StayID, Voucher: in.TicketNo}, false)
}

// FileVouchers files the vouchers of past exits at once, each as of its
// exit's time, on the travel line of that year's budget: a history
// entered after the fact (the demo's two years, a paper register typed
// in). Vouchers of years without a budget are left out; it returns how
// many were filed.
func (s *Service) FileVouchers(ctx context.Context, a auth.Actor, ins []TravelInput) (int, error) {
	const op = "funds.FileVouchers"
	if err := a.RequireAny(op, auth.PermFundsRequest, auth.PermFundsManage); err != nil {
		return 0, err
	}
	travel := map[int]*Line{}
	var xs []*Expense
	var es []audit.Entry
	for _, in := range ins {
		year := in.At.In(CST).Year()
		l, ok := travel[year]
		if !ok {
			bs, err := s.Store.Budgets(ctx, year)
			if err != nil {
				return 0, err
			}
			for _, b := range bs {
				for _, bl := range b.Lines {
					if bl.Code == LineTravel && (l == nil || b.DepartmentID == in.DepartmentID) {
						l = bl
					}
				}
			}
			travel[year] = l
		}
		if l == nil || in.CostFen <= 0 || in.CostFen > MaxFen {
			continue
		}
		kind, purpose := KindTicket, strings.TrimSpace(in.Route)
		if in.Mode == "cash" {
			kind = KindCash
		}
		if purpose == "" || !form.TextOK(purpose, 200) {
			purpose = "—"
		}
		x := &Expense{ID: id.New(), Ref: intake.NewRef("ZC"), Kind: kind, LineID: l.ID, AmountFen: in.CostFen, Purpose: purpose, PersonID: in.PersonID,
			StayID: in.StayID, Voucher: strings.TrimSpace(in.TicketNo), State: StateRequested, RequestedAt: in.At.UTC(), RequestedID: a.UserID, RequestedBy: a.Name,
			LineCode: l.Code, Year: year}
		e := a.Entry("funds.request", "expense", x.ID)
		e.At = x.RequestedAt
		xs, es = append(xs, x), append(es, e)
	}
	if len(xs) == 0 {
		return 0, nil
	}
	return len(xs), s.Store.AddExpenses(ctx, xs, es)
}

// Approve approves a request: never the requester's own, and above the
// threshold only with funds.approve_large.
func (s *Service) Approve(ctx context.Context, a auth.Actor, expenseID string) (*Expense, error) {
	xs, err := s.decide(ctx, a, []string{expenseID}, true, "")
	if err != nil {
		return nil, err
	}
	return xs[0], nil
}

// ApproveMany approves several requests at once (a week's vouchers), all
// or none: one that may not be approved refuses the set.
func (s *Service) ApproveMany(ctx context.Context, a auth.Actor, expenseIDs []string) ([]*Expense, error) {
	return s.decide(ctx, a, expenseIDs, true, "")
}

// Refuse refuses a request with a reason.
func (s *Service) Refuse(ctx context.Context, a auth.Actor, expenseID, reason string) (*Expense, error) {
	xs, err := s.decide(ctx, a, []string{expenseID}, false, reason)
	if err != nil {
		return nil, err
	}
	return xs[0], nil
}

func (s *Service) decide(ctx context.Context, a auth.Actor, ids []string, approve bool, reason string) ([]*Expense, error) {
	const op = "funds.Decide"
	if err := a.RequireAny(op, auth.PermFundsApprove, auth.PermFundsApproveLarge); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if !approve && (reason == "" || !form.TextOK(reason, 500)) {
		if _, err := s.Store.ExpenseByID(ctx, ids[0]); err != nil {
			return nil, err
		}
		return nil, errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	}
	if len(ids) == 0 {
		return nil, errs.InvalidFields(op, map[string]string{"id": "funds.err.none_chosen"})
	}
	now := s.now()
	xs := make([]*Expense, len(ids))
	es := make([]audit.Entry, len(ids))
	for i, eid := range ids {
		x, err := s.Store.ExpenseByID(ctx, eid)
		if err != nil {
			return nil, err
		}
		switch {
		case x.State != StateRequested:
			return nil, errs.E(errs.Conflict, op, "funds.err.state")
		case x.RequestedID == a.UserID:
			return nil, errs.E(errs.Conflict, op, "funds.err.own_request")
		case x.AmountFen > s.Threshold() && !a.Can(auth.PermFundsApproveLarge):
			return nil, errs.E(errs.Conflict, op, "funds.err.above_threshold")
		}
		x.State, x.DecidedAt, x.DecidedID, x.DecidedBy, x.Refusal = StateApproved, now, a.UserID, a.Name, reason
		action := "funds.approve"
		if !approve {
			x.State, action = StateRefused, "funds.refuse"
		}
		xs[i], es[i] = x, a.Entry(action, "expense", x.ID)
	}
	return xs, s.Store.DecideExpenses(ctx, xs, es)
}

// Pay pays an approved expense: by finance, never by whoever requested or
// approved it. The ledger gets the payment.
func (s *Service) Pay(ctx context.Context, a auth.Actor, expenseID string) (*Expense, error) {
	xs, err := s.PayMany(ctx, a, []string{expenseID})
	if err != nil {
		return nil, err
	}
	return xs[0], nil
}

// PayMany pays several approved expenses at once, all or none.
func (s *Service) PayMany(ctx context.Context, a auth.Actor, expenseIDs []string) ([]*Expense, error) {
	const op = "funds.Pay"
	if err := a.Require(op, auth.PermFundsManage); err != nil {
		return nil, err
	}
	if len(expenseIDs) == 0 {
		return nil, errs.InvalidFields(op, map[string]string{"id": "funds.err.none_chosen"})
	}
	now := s.now()
	xs := make([]*Expense, len(expenseIDs))
	ens := make([]*Entry, len(expenseIDs))
	es := make([]audit.Entry, len(expenseIDs))
	for i, eid := range expenseIDs {
		x, err := s.Store.ExpenseByID(ctx, eid)
		if err != nil {
			return nil, err
		}
		switch {
		case x.State == StateRequested:
			return nil, errs.E(errs.Conflict, op, "funds.err.unapproved")
		case x.State != StateApproved:
			return nil, errs.E(errs.Conflict, op, "funds.err.state")
		case x.RequestedID == a.UserID || x.DecidedID == a.UserID:
			return nil, errs.E(errs.Conflict, op, "funds.err.same_person")
		}
		x.State, x.PaidAt, x.PaidID, x.PaidBy = StatePaid, now, a.UserID, a.Name
		xs[i] = x
		ens[i] = &Entry{ID: id.New(), At: now, LineID: x.LineID, ExpenseID: x.ID, Kind: EntryPayment, AmountFen: x.AmountFen, PersonID: x.PersonID,
			Note: x.Ref, ByID: a.UserID, ByName: a.Name}
		es[i] = a.Entry("funds.pay", "expense", x.ID)
	}
	return xs, s.Store.PayExpenses(ctx, xs, ens, es)
}

// Refund records money coming back on a paid expense (a returned ticket,
// an overpayment): a new, negative ledger entry; nothing is changed.
func (s *Service) Refund(ctx context.Context, a auth.Actor, expenseID string, amount int64, reason string) (*Entry, error) {
	const op = "funds.Refund"
	if err := a.Require(op, auth.PermFundsManage); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	f := map[string]string{}
	if amount <= 0 || amount > MaxFen {
		f["amount"] = "funds.err.amount"
	}
	if reason == "" || !form.TextOK(reason, 500) {
		f["reason"] = "err.required"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	x, err := s.Store.ExpenseByID(ctx, expenseID)
	if err != nil {
		return nil, err
	}
	if x.State != StatePaid {
		return nil, errs.E(errs.Conflict, op, "funds.err.state")
	}
	en := &Entry{ID: id.New(), At: s.now(), LineID: x.LineID, ExpenseID: x.ID, Kind: EntryRefund, AmountFen: -amount, PersonID: x.PersonID,
		Note: reason, ByID: a.UserID, ByName: a.Name}
	return en, s.Store.Refund(ctx, x, en, a.Entry("funds.refund", "expense", x.ID))
}

// Reclassify corrects the line a paid expense was booked to: never an
// overwrite of the ledger, two new entries (out of the old line, into the
// new one, of the amount paid less refunds). Both lines belong to the
// same budget.
func (s *Service) Reclassify(ctx context.Context, a auth.Actor, expenseID, lineID, reason string) (*Expense, error) {
	const op = "funds.Reclassify"
	if err := a.Require(op, auth.PermFundsManage); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	x, err := s.Store.ExpenseByID(ctx, expenseID)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	if reason == "" || !form.TextOK(reason, 500) {
		f["reason"] = "err.required"
	}
	old, err := s.Store.LineByID(ctx, x.LineID)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.LineByID(ctx, lineID)
	switch {
	case errs.Is(errs.NotFound, err) || err == nil && (l.BudgetID != old.BudgetID || l.ID == old.ID):
		f["line_id"] = "funds.err.unknown_line"
	case err != nil:
		return nil, err
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	if x.State != StatePaid || x.AmountFen-x.RefundedFen <= 0 {
		return nil, errs.E(errs.Conflict, op, "funds.err.state")
	}
	if x.DonationID != "" { // a restricted donation pays only its own line
		return nil, errs.InvalidFields(op, map[string]string{"line_id": "funds.err.restricted_purpose"})
	}
	now, net := s.now(), x.AmountFen-x.RefundedFen
	out := &Entry{ID: id.New(), At: now, LineID: old.ID, ExpenseID: x.ID, Kind: EntryCorrection, AmountFen: -net, PersonID: x.PersonID, Note: reason, ByID: a.UserID, ByName: a.Name}
	in := &Entry{ID: id.New(), At: now, LineID: l.ID, ExpenseID: x.ID, Kind: EntryCorrection, AmountFen: net, PersonID: x.PersonID, Note: reason, ByID: a.UserID, ByName: a.Name}
	if err := s.Store.Reclassify(ctx, x, out, in, a.Entry("funds.reclassify", "expense", x.ID)); err != nil {
		return nil, err
	}
	x.LineID, x.LineCode = l.ID, l.Code
	return x, nil
}

// Expense returns one expense; reading one spent on a person is audited.
func (s *Service) Expense(ctx context.Context, a auth.Actor, expenseID string) (*Expense, error) {
	const op = "funds.Expense"
	if err := a.RequireAny(op, auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	x, err := s.Store.ExpenseByID(ctx, expenseID)
	if err != nil {
		return nil, err
	}
	if !a.Can(auth.PermFundsView) && !a.Can(auth.PermFundsManage) && x.RequestedID != a.UserID && !a.Can(auth.PermCasesView) {
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if x.PersonID != "" {
		e := a.Entry("funds.person_view", "person", x.PersonID)
		e.Detail = "expense " + x.ID
		if err := s.Audit.AppendAudit(ctx, e); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// Expenses lists expenses. Staff who only request see their own; a list
// that names people is audited once per person shown.
func (s *Service) Expenses(ctx context.Context, a auth.Actor, f ExpenseFilter) ([]*Expense, error) {
	const op = "funds.Expenses"
	if err := a.RequireAny(op, auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	xs, err := s.Store.Expenses(ctx, f)
	if err != nil {
		return nil, err
	}
	if !a.Can(auth.PermFundsView) && !a.Can(auth.PermFundsManage) {
		xs = slices.DeleteFunc(xs, func(x *Expense) bool { return x.RequestedID != a.UserID })
	}
	return xs, s.auditPeople(ctx, a, xs)
}

// PersonExpenses lists what was spent on one person (the person's
// record); every read is audited.
func (s *Service) PersonExpenses(ctx context.Context, a auth.Actor, personID string) ([]*Expense, error) {
	const op = "funds.PersonExpenses"
	if err := a.RequireAny(op, auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	xs, err := s.Store.Expenses(ctx, ExpenseFilter{PersonID: personID})
	if err != nil {
		return nil, err
	}
	e := a.Entry("funds.person_view", "person", personID)
	e.Detail = "payments"
	return xs, s.Audit.AppendAudit(ctx, e)
}

func (s *Service) auditPeople(ctx context.Context, a auth.Actor, xs []*Expense) error {
	seen := map[string]bool{}
	for _, x := range xs {
		if x.PersonID == "" || seen[x.PersonID] {
			continue
		}
		seen[x.PersonID] = true
		e := a.Entry("funds.person_view", "person", x.PersonID)
		e.Detail = "payments_list"
		if err := s.Audit.AppendAudit(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

// Ledger lists a budget's ledger entries, oldest first.
func (s *Service) Ledger(ctx context.Context, a auth.Actor, budgetID string) ([]*Entry, error) {
	if err := a.RequireAny("funds.Ledger", auth.PermFundsView, auth.PermFundsManage); err != nil {
		return nil, err
	}
	return s.Store.Ledger(ctx, budgetID)
}

// Reconciled reports whether every line of a budget says it spent what its
// ledger entries add up to.
func (s *Service) Reconciled(ctx context.Context, a auth.Actor, budgetID string) (bool, error) {
	if err := a.RequireAny("funds.Reconciled", auth.PermFundsView, auth.PermFundsManage); err != nil {
		return false, err
	}
	t, err := s.Store.LineTotals(ctx, budgetID)
	if err != nil {
		return false, err
	}
	for _, v := range t {
		if v[0] != v[1] {
			return false, nil
		}
	}
	return true, nil
}

// Attach adds a photo of an invoice or voucher to an expense: by whoever
// requested it or by finance, in any state. The photo is cleaned (no
// metadata, re-encoded) like every upload.
func (s *Service) Attach(ctx context.Context, a auth.Actor, expenseID string, data []byte) (*Attachment, error) {
	const op = "funds.Attach"
	if err := a.RequireAny(op, auth.PermFundsRequest, auth.PermFundsManage); err != nil {
		return nil, err
	}
	x, err := s.Store.ExpenseByID(ctx, expenseID)
	if err != nil {
		return nil, err
	}
	if !a.Can(auth.PermFundsManage) && x.RequestedID != a.UserID {
		return nil, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if len(data) == 0 {
		return nil, errs.InvalidFields(op, map[string]string{"photo": "err.required"})
	}
	clean, err := photo.Clean(ctx, data)
	if err != nil {
		return nil, errs.InvalidFields(op, map[string]string{"photo": intake.PhotoError(err)})
	}
	now := s.now()
	at := &Attachment{ID: id.New(), ExpenseID: x.ID, At: now, ByID: a.UserID, ByName: a.Name}
	at.Name = "invoices/" + now.Format("200601") + "/" + strings.ToLower(at.ID) + ".jpg"
	if err := s.Files.Put(ctx, at.Name, clean); err != nil {
		return nil, errs.Wrap(errs.Unavailable, op, err)
	}
	return at, s.Store.AddAttachment(ctx, at, a.Entry("funds.attach", "expense", x.ID))
}

// Attachments lists an expense's attachments (names only).
func (s *Service) Attachments(ctx context.Context, a auth.Actor, expenseID string) ([]*Attachment, error) {
	if err := a.RequireAny("funds.Attachments", auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	return s.Store.Attachments(ctx, expenseID)
}

// AttachmentFile returns one attachment's photo, to whoever may read the
// expense (Expense audits a read of a person's payment).
func (s *Service) AttachmentFile(ctx context.Context, a auth.Actor, expenseID, attachmentID string) ([]byte, error) {
	if _, err := s.Expense(ctx, a, expenseID); err != nil {
		return nil, err
	}
	as, err := s.Store.Attachments(ctx, expenseID)
	if err != nil {
		return nil, err
	}
	for _, at := range as {
		if at.ID == attachmentID {
			return s.Files.Get(ctx, at.Name)
		}
	}
	return nil, errs.E(errs.NotFound, "funds.AttachmentFile", "err.not_found")
}

// RestrictedFunds lists the money donations restricted to a purpose, with
// what is left of each.
func (s *Service) RestrictedFunds(ctx context.Context, a auth.Actor) ([]*Restricted, error) {
	if err := a.RequireAny("funds.RestrictedFunds", auth.PermFundsView, auth.PermFundsManage, auth.PermFundsRequest); err != nil {
		return nil, err
	}
	return s.Store.RestrictedFunds(ctx)
}
