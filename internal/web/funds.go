package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/funds"
)

// ---- funds (DESIGN.md §3.9) ----

type fundsData struct {
	Year      int
	Years     []int
	Budgets   []*funds.Budget
	Depts     map[string]*auth.Department
	Lines     []*funds.Line // this year's lines, for the request form
	Codes     []string
	ToApprove []*funds.Expense
	ToPay     []*funds.Expense
	Recent    []*funds.Expense
	Campaigns []*campaigns.Campaign
	Threshold int64
	Alerts    []funds.LineAlert
	Reconcile map[string]bool // budget id → ledger and lines agree
	// Restricted are the money donations given for a purpose.
	Restricted []*funds.Restricted
}

var expenseFields = []string{"line_id", "amount", "purpose", "payee", "person_id", "stay_id", "campaign_id", "voucher", "donation_id", "health_referral_id", "medical_aid"}
var budgetFields = []string{"department_id", "year", "approved_by"}

func (s *Server) fundsYear(r *http.Request) int {
	if y, err := strconv.Atoi(r.URL.Query().Get("year")); err == nil && y >= 2000 && y <= 2100 {
		return y
	}
	return s.Now().In(funds.CST).Year()
}

func (s *Server) fundsPage(w http.ResponseWriter, r *http.Request) {
	s.showFunds(w, r, http.StatusOK, nil, "")
}

func (s *Server) showFunds(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ctx, a := r.Context(), info(r).actor
	year := s.fundsYear(r)
	d := &fundsData{Year: year, Years: []int{year - 1, year, year + 1}, Codes: funds.LineCodes, Threshold: s.Funds.Threshold(), Reconcile: map[string]bool{}}
	var err error
	if d.Budgets, err = s.Funds.Budgets(ctx, a, year); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Depts, _, err = s.departmentsByID(r); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, b := range d.Budgets {
		d.Lines = append(d.Lines, b.Lines...)
		if a.Can(auth.PermFundsView) || a.Can(auth.PermFundsManage) {
			if d.Reconcile[b.ID], err = s.Funds.Reconciled(ctx, a, b.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if d.Alerts, err = s.Funds.Alerts(ctx, a); err != nil {
		s.fail(w, r, err)
		return
	}
	xs, err := s.Funds.Expenses(ctx, a, funds.ExpenseFilter{Limit: 300})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, x := range xs {
		switch {
		case x.State == funds.StateRequested && (a.Can(auth.PermFundsApprove) || a.Can(auth.PermFundsApproveLarge)):
			d.ToApprove = append(d.ToApprove, x)
		case x.State == funds.StateApproved && a.Can(auth.PermFundsManage):
			d.ToPay = append(d.ToPay, x)
		default:
			if len(d.Recent) < 50 {
				d.Recent = append(d.Recent, x)
			}
		}
	}
	if d.Campaigns, err = s.Campaigns.Running(ctx, s.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Restricted, err = s.Funds.RestrictedFunds(ctx, a); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "funds.title", d)
	v.Errors, v.Message = fields, msg
	v.Notice = fundsNotices[r.URL.Query().Get("notice")]
	if fields != nil || msg != "" {
		v.keep(r, expenseFields...)
		v.keep(r, budgetFields...)
		for _, c := range funds.LineCodes {
			v.keep(r, "line_"+c, "cap_"+c)
		}
	} else {
		v.Form.Set("person_id", r.URL.Query().Get("person_id"))
		v.Form.Set("stay_id", r.URL.Query().Get("stay_id"))
		v.Form.Set("health_referral_id", r.URL.Query().Get("health_referral_id"))
		v.Form.Set("year", strconv.Itoa(year))
	}
	s.render(w, r, code, "funds", v)
}

var fundsNotices = map[string]string{"attached": "funds.notice.attached", "reclassified": "funds.notice.reclassified", "requested": "funds.notice.requested", "approved": "funds.notice.approved", "refused": "funds.notice.refused",
	"paid": "funds.notice.paid", "refunded": "funds.notice.refunded", "budget": "funds.notice.budget", "adjusted": "funds.notice.adjusted"}

// amountField reads an amount typed in yuan; -1 (refused by the service
// with the field's message) when it is not a valid amount.
func amountField(v string) int64 {
	fen, ok := funds.ParseYuan(v)
	if !ok {
		return -1
	}
	return fen
}

func (s *Server) fundsBudgetCreate(w http.ResponseWriter, r *http.Request) {
	in := funds.BudgetInput{DepartmentID: r.FormValue("department_id"), Year: atoi(r.FormValue("year")), ApprovedBy: r.FormValue("approved_by")}
	fields := map[string]string{}
	for _, c := range funds.LineCodes {
		v := strings.TrimSpace(r.FormValue("line_" + c))
		if v == "" {
			continue
		}
		fen, ok := funds.ParseYuan(v)
		if !ok {
			fields["line_"+c] = "funds.err.amount"
			continue
		}
		in.Lines = append(in.Lines, funds.LineInput{Code: c, AmountFen: fen, HardCap: r.FormValue("cap_"+c) == "1"})
	}
	if len(fields) > 0 {
		s.showFunds(w, r, http.StatusUnprocessableEntity, fields, "err.form")
		return
	}
	b, err := s.Funds.CreateBudget(r.Context(), info(r).actor, in)
	if err != nil {
		s.refused(w, r, err, s.showFunds)
		return
	}
	http.Redirect(w, r, "/funds/budgets/"+b.ID+"?notice=budget", http.StatusSeeOther)
}

func (s *Server) fundsExpenseCreate(w http.ResponseWriter, r *http.Request) {
	in := funds.ExpenseInput{LineID: r.FormValue("line_id"), AmountFen: amountField(r.FormValue("amount")), Purpose: r.FormValue("purpose"),
		Payee: r.FormValue("payee"), PersonID: r.FormValue("person_id"), StayID: r.FormValue("stay_id"), CampaignID: r.FormValue("campaign_id"),
		Voucher: r.FormValue("voucher"), DonationID: r.FormValue("donation_id"), HealthReferralID: r.FormValue("health_referral_id")}
	if v := strings.TrimSpace(r.FormValue("medical_aid")); v != "" {
		in.MedicalAidFen = amountField(v)
	}
	x, err := s.Funds.Request(r.Context(), info(r).actor, in)
	if err != nil {
		s.refused(w, r, err, s.showFunds)
		return
	}
	http.Redirect(w, r, "/funds/expenses/"+x.ID+"?notice=requested", http.StatusSeeOther)
}

type expenseData struct {
	X         *funds.Expense
	Files     []*funds.Attachment
	Lines     []*funds.Line // the budget's other lines, to correct a paid expense's
	Budget    *funds.Budget
	Dept      *auth.Department
	Threshold int64
	Station   string
	Printed   time.Time
}

func (s *Server) fundsExpense(w http.ResponseWriter, r *http.Request) {
	s.showExpense(w, r, http.StatusOK, nil, "")
}

func (s *Server) expenseData(r *http.Request) (*expenseData, error) {
	x, err := s.Funds.Expense(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &expenseData{X: x, Threshold: s.Funds.Threshold(), Printed: s.Now()}
	d.Files, err = s.Funds.Attachments(r.Context(), info(r).actor, x.ID)
	return d, err
}

func (s *Server) showExpense(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.expenseData(r)
	if err == nil && d.X.State == funds.StatePaid && info(r).actor.Can(auth.PermFundsManage) {
		var l *funds.Line
		if l, err = s.Funds.Store.LineByID(r.Context(), d.X.LineID); err == nil {
			var b *funds.Budget
			if b, _, err = s.Funds.Budget(r.Context(), info(r).actor, l.BudgetID); err == nil {
				for _, o := range b.Lines {
					if o.ID != l.ID {
						d.Lines = append(d.Lines, o)
					}
				}
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "funds.title_expense", d)
	v.Errors, v.Message = fields, msg
	v.Notice = fundsNotices[r.URL.Query().Get("notice")]
	if fields != nil {
		v.keep(r, "reason", "amount", "line_id")
	}
	s.render(w, r, code, "funds_expense", v)
}

// fundsVoucher is the printable travel voucher (乘车凭证) of an expense.
func (s *Server) fundsVoucher(w http.ResponseWriter, r *http.Request) {
	d, err := s.expenseData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.X.Kind != funds.KindTicket && d.X.Kind != funds.KindCash {
		s.notFound(w, r)
		return
	}
	d.Station = s.stationName()
	s.render(w, r, http.StatusOK, "funds_voucher", s.newView(r, "funds.title_voucher", d))
}

func (s *Server) fundsExpenseStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, a, id := r.Context(), info(r).actor, r.PathValue("id")
		var err error
		switch step {
		case "approved":
			_, err = s.Funds.Approve(ctx, a, id)
		case "refused":
			_, err = s.Funds.Refuse(ctx, a, id, r.FormValue("reason"))
		case "paid":
			_, err = s.Funds.Pay(ctx, a, id)
		case "refunded":
			_, err = s.Funds.Refund(ctx, a, id, amountField(r.FormValue("amount")), r.FormValue("reason"))
		case "reclassified":
			_, err = s.Funds.Reclassify(ctx, a, id, r.FormValue("line_id"), r.FormValue("reason"))
		}
		if err != nil {
			s.refused(w, r, err, s.showExpense)
			return
		}
		http.Redirect(w, r, "/funds/expenses/"+id+"?notice="+step, http.StatusSeeOther)
	}
}

// fundsBatch approves or pays the expenses ticked on the funds page (a
// week's vouchers), all or none.
func (s *Server) fundsBatch(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, a := r.Context(), info(r).actor
		_ = r.ParseForm()
		ids := r.PostForm["id"]
		var err error
		if step == "approved" {
			_, err = s.Funds.ApproveMany(ctx, a, ids)
		} else {
			_, err = s.Funds.PayMany(ctx, a, ids)
		}
		if err != nil {
			s.refused(w, r, err, s.showFunds)
			return
		}
		http.Redirect(w, r, "/funds?notice="+step+"&n="+strconv.Itoa(len(ids)), http.StatusSeeOther)
	}
}

// fundsAttach adds an invoice or voucher photo to an expense.
func (s *Server) fundsAttach(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Funds.Attach(r.Context(), info(r).actor, r.PathValue("id"), uploaded(r, "photo")); err != nil {
		s.refused(w, r, err, s.showExpense)
		return
	}
	http.Redirect(w, r, "/funds/expenses/"+r.PathValue("id")+"?notice=attached#files", http.StatusSeeOther)
}

func (s *Server) fundsAttachment(w http.ResponseWriter, r *http.Request) {
	data, err := s.Funds.AttachmentFile(r.Context(), info(r).actor, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

type budgetData struct {
	Budget      *funds.Budget
	Dept        *auth.Department
	Adjustments []*funds.Adjustment
	Ledger      []*funds.Entry
	Report      *funds.Report
	Reconciled  bool
	LineByID    map[string]*funds.Line
	Printed     time.Time
	Print       bool
}

func (s *Server) budgetData(r *http.Request) (*budgetData, error) {
	ctx, a := r.Context(), info(r).actor
	b, adj, err := s.Funds.Budget(ctx, a, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	d := &budgetData{Budget: b, Adjustments: adj, LineByID: map[string]*funds.Line{}, Printed: s.Now()}
	for _, l := range b.Lines {
		d.LineByID[l.ID] = l
	}
	if d.Ledger, err = s.Funds.Ledger(ctx, a, b.ID); err != nil {
		return nil, err
	}
	if d.Report, err = s.Funds.Report(ctx, a, b.ID); err != nil {
		return nil, err
	}
	if d.Reconciled, err = s.Funds.Reconciled(ctx, a, b.ID); err != nil {
		return nil, err
	}
	depts, _, err := s.departmentsByID(r)
	d.Dept = depts[b.DepartmentID]
	return d, err
}

func (s *Server) fundsBudget(w http.ResponseWriter, r *http.Request) {
	s.showBudget(w, r, http.StatusOK, nil, "")
}

func (s *Server) showBudget(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.budgetData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "funds.title_budget", d)
	v.Errors, v.Message = fields, msg
	v.Notice = fundsNotices[r.URL.Query().Get("notice")]
	if fields != nil || msg != "" {
		v.keep(r, "line_id", "delta", "direction", "reason", "approved_by")
	}
	s.render(w, r, code, "funds_budget", v)
}

// fundsReport is budget against actual by line and month, for print.
func (s *Server) fundsReport(w http.ResponseWriter, r *http.Request) {
	d, err := s.budgetData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Print = true
	s.render(w, r, http.StatusOK, "funds_report", s.newView(r, "funds.title_report", d))
}

func (s *Server) fundsAdjust(w http.ResponseWriter, r *http.Request) {
	delta, ok := funds.ParseYuan(r.FormValue("delta"))
	if !ok {
		delta = 0 // not an amount: refused with the field's message
	}
	if r.FormValue("direction") == "down" {
		delta = -delta
	}
	lineID := r.FormValue("line_id")
	if _, err := s.Funds.Adjust(r.Context(), info(r).actor, lineID, delta, r.FormValue("reason"), r.FormValue("approved_by")); err != nil {
		s.refused(w, r, err, s.showBudget)
		return
	}
	http.Redirect(w, r, "/funds/budgets/"+r.PathValue("id")+"?notice=adjusted#adjust", http.StatusSeeOther)
}

// stationName is the name printed on vouchers.
func (s *Server) stationName() string {
	if s.Family != nil && s.Family.Station.Name != "" {
		return s.Family.Station.Name
	}
	return ""
}
