package funds

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/auth"
)

// ReportLine is one line of budget against actual.
type ReportLine struct {
	Line     *Line
	Months   [12]int64 // paid less refunded, by month (China time)
	YTD      int64     // through the report's month
	Approved int64     // approved, not yet paid: committed
}

// Report is a budget against actual, through a month.
type Report struct {
	Budget  *Budget
	Through int // 1–12: the month year to date runs through
	Lines   []ReportLine
	Months  [12]int64
	YTD     int64
	Amount  int64
}

// Report computes budget against actual for a budget from its ledger:
// per line and month, and year to date through the current month (the
// whole year once it is over).
func (s *Service) Report(ctx context.Context, a auth.Actor, budgetID string) (*Report, error) {
	if err := a.RequireAny("funds.Report", auth.PermFundsView, auth.PermFundsManage); err != nil {
		return nil, err
	}
	b, err := s.Store.BudgetByID(ctx, budgetID)
	if err != nil {
		return nil, err
	}
	entries, err := s.Store.Ledger(ctx, budgetID)
	if err != nil {
		return nil, err
	}
	open, err := s.Store.Expenses(ctx, ExpenseFilter{BudgetID: budgetID, States: []string{StateApproved}})
	if err != nil {
		return nil, err
	}
	return buildReport(b, entries, open, s.now()), nil
}

func buildReport(b *Budget, entries []*Entry, open []*Expense, now time.Time) *Report {
	r := &Report{Budget: b, Through: 12}
	if n := now.In(CST); n.Year() == b.Year {
		r.Through = int(n.Month())
	} else if n.Year() < b.Year {
		r.Through = 0
	}
	idx := map[string]int{}
	for i, l := range b.Lines {
		idx[l.ID] = i
		r.Lines = append(r.Lines, ReportLine{Line: l})
		r.Amount += l.AmountFen
	}
	for _, e := range entries {
		i, ok := idx[e.LineID]
		if !ok {
			continue
		}
		at := e.At.In(CST)
		if at.Year() != b.Year {
			continue // a refund booked in the next year counts there
		}
		m := int(at.Month()) - 1
		r.Lines[i].Months[m] += e.AmountFen
		r.Months[m] += e.AmountFen
		if m < r.Through {
			r.Lines[i].YTD += e.AmountFen
			r.YTD += e.AmountFen
		}
	}
	for _, x := range open {
		if i, ok := idx[x.LineID]; ok {
			r.Lines[i].Approved += x.AmountFen
		}
	}
	return r
}

// LineAlert is a line at 80 % or 100 % of its amount.
type LineAlert struct {
	Budget *Budget
	Line   *Line
	Level  string // Alert80 or Alert100
}

// Alerts lists this year's lines at 80 % and 100 %, for the finance and
// leader home pages; nil for anyone else.
func (s *Service) Alerts(ctx context.Context, a auth.Actor) ([]LineAlert, error) {
	if !a.Can(auth.PermFundsView) && !a.Can(auth.PermFundsManage) {
		return nil, nil
	}
	bs, err := s.Store.Budgets(ctx, s.now().In(CST).Year())
	if err != nil {
		return nil, err
	}
	var out []LineAlert
	for _, b := range bs {
		for _, l := range b.Lines {
			if lv := l.Alert(); lv != AlertNone {
				out = append(out, LineAlert{Budget: b, Line: l, Level: lv})
			}
		}
	}
	return out, nil
}

// Queue counts the requests waiting for a: to approve (funds.approve,
// within a's limit) and to pay (funds.manage). Counts only: nothing
// personal is read, nothing is audited.
func (s *Service) Queue(ctx context.Context, a auth.Actor) (toApprove, toPay int, err error) {
	canApprove := a.Can(auth.PermFundsApprove) || a.Can(auth.PermFundsApproveLarge)
	if !canApprove && !a.Can(auth.PermFundsManage) {
		return 0, 0, nil
	}
	xs, err := s.Store.Expenses(ctx, ExpenseFilter{States: []string{StateRequested, StateApproved}})
	if err != nil {
		return 0, 0, err
	}
	for _, x := range xs {
		switch {
		case x.State == StateRequested && canApprove && x.RequestedID != a.UserID && (x.AmountFen <= s.Threshold() || a.Can(auth.PermFundsApproveLarge)):
			toApprove++
		case x.State == StateApproved && a.Can(auth.PermFundsManage) && x.RequestedID != a.UserID && x.DecidedID != a.UserID:
			toPay++
		}
	}
	return toApprove, toPay, nil
}
