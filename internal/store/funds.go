package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/funds"
)

// CreateBudget implements funds.Store.
func (db *DB) CreateBudget(ctx context.Context, b *funds.Budget, adj []*funds.Adjustment, e audit.Entry) error {
	return db.tx(ctx, "store.CreateBudget", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO budgets (id, department_id, year, created_at, created_by) VALUES (?, ?, ?, ?, ?)`,
			b.ID, b.DepartmentID, b.Year, db.d.t(b.CreatedAt), b.CreatedBy); err != nil {
			return err
		}
		for _, l := range b.Lines {
			if _, err := db.exec(ctx, tx, `INSERT INTO budget_lines (id, budget_id, code, grp, amount_fen, spent_fen, hard_cap) VALUES (?, ?, ?, ?, ?, 0, ?)`,
				l.ID, b.ID, l.Code, l.Group, l.AmountFen, boolInt(l.HardCap)); err != nil {
				return err
			}
		}
		for _, a := range adj {
			if err := db.insertAdjustment(ctx, tx, a); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

func (db *DB) insertAdjustment(ctx context.Context, tx *sql.Tx, a *funds.Adjustment) error {
	_, err := db.exec(ctx, tx, `INSERT INTO budget_adjustments (id, line_id, at, kind, delta_fen, reason, approved_by, by_id, by_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.LineID, db.d.t(a.At), a.Kind, a.DeltaFen, a.Reason, a.ApprovedBy, a.ByID, a.ByName)
	return err
}

const lineCols = `l.id, l.budget_id, l.code, l.grp, l.amount_fen, l.spent_fen, l.hard_cap, b.year`

func scanLine(r rowScanner) (*funds.Line, error) {
	var l funds.Line
	var hard int
	err := r.Scan(&l.ID, &l.BudgetID, &l.Code, &l.Group, &l.AmountFen, &l.SpentFen, &hard, &l.Year)
	l.HardCap = hard == 1
	return &l, err
}

// Budgets implements funds.Store: a year's budgets with their lines in
// budget order.
func (db *DB) Budgets(ctx context.Context, year int) ([]*funds.Budget, error) {
	const op = "store.Budgets"
	bs, err := list(ctx, db, db.r, op, `SELECT id, department_id, year, created_at, created_by FROM budgets WHERE year = ? ORDER BY created_at`,
		scanBudget, year)
	if err != nil {
		return nil, err
	}
	lines, err := list(ctx, db, db.r, op, `SELECT `+lineCols+` FROM budget_lines l JOIN budgets b ON b.id = l.budget_id WHERE b.year = ?`, scanLine, year)
	if err != nil {
		return nil, err
	}
	attachLines(bs, lines)
	return bs, nil
}

func scanBudget(r rowScanner) (*funds.Budget, error) {
	var b funds.Budget
	err := r.Scan(&b.ID, &b.DepartmentID, &b.Year, scanTime{&b.CreatedAt}, &b.CreatedBy)
	return &b, err
}

func attachLines(bs []*funds.Budget, lines []*funds.Line) {
	byID := map[string]*funds.Budget{}
	for _, b := range bs {
		byID[b.ID] = b
	}
	for _, c := range funds.LineCodes { // budget order, whatever the database returns
		for _, l := range lines {
			if l.Code == c && byID[l.BudgetID] != nil {
				byID[l.BudgetID].Lines = append(byID[l.BudgetID].Lines, l)
			}
		}
	}
}

// BudgetByID implements funds.Store.
func (db *DB) BudgetByID(ctx context.Context, id string) (*funds.Budget, error) {
	const op = "store.BudgetByID"
	b, err := scanBudget(db.r.QueryRowContext(ctx, db.d.q(`SELECT id, department_id, year, created_at, created_by FROM budgets WHERE id = ?`), id))
	if err != nil {
		return nil, translate(op, err)
	}
	lines, err := list(ctx, db, db.r, op, `SELECT `+lineCols+` FROM budget_lines l JOIN budgets b ON b.id = l.budget_id WHERE b.id = ?`, scanLine, id)
	if err != nil {
		return nil, err
	}
	attachLines([]*funds.Budget{b}, lines)
	return b, nil
}

// LineByID implements funds.Store.
func (db *DB) LineByID(ctx context.Context, id string) (*funds.Line, error) {
	l, err := scanLine(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+lineCols+` FROM budget_lines l JOIN budgets b ON b.id = l.budget_id WHERE l.id = ?`), id))
	return l, translate("store.LineByID", err)
}

// Adjustments implements funds.Store.
func (db *DB) Adjustments(ctx context.Context, budgetID string) ([]*funds.Adjustment, error) {
	return list(ctx, db, db.r, "store.Adjustments", `SELECT a.id, a.line_id, a.at, a.kind, a.delta_fen, a.reason, a.approved_by, a.by_id, a.by_name
		FROM budget_adjustments a JOIN budget_lines l ON l.id = a.line_id WHERE l.budget_id = ? ORDER BY a.at, a.id`,
		func(r rowScanner) (*funds.Adjustment, error) {
			var a funds.Adjustment
			err := r.Scan(&a.ID, &a.LineID, scanTime{&a.At}, &a.Kind, &a.DeltaFen, &a.Reason, &a.ApprovedBy, &a.ByID, &a.ByName)
			return &a, err
		}, budgetID)
}

// Adjust implements funds.Store: the guarded UPDATE keeps the amount at
// or above zero and, on a hard-capped line, at or above what was spent.
func (db *DB) Adjust(ctx context.Context, a *funds.Adjustment, e audit.Entry) error {
	const op = "store.Adjust"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE budget_lines SET amount_fen = amount_fen + ? WHERE id = ? AND amount_fen + ? >= 0
			AND (hard_cap = 0 OR amount_fen + ? >= spent_fen)`, a.DeltaFen, a.LineID, a.DeltaFen, a.DeltaFen)
		if err := mustAffect(r, err); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.Conflict, op, "funds.err.below_spent")
			}
			return err
		}
		if err := db.insertAdjustment(ctx, tx, a); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// AddExpenses implements funds.Store.
func (db *DB) AddExpenses(ctx context.Context, xs []*funds.Expense, es []audit.Entry) error {
	return db.tx(ctx, "store.AddExpenses", func(tx *sql.Tx) error {
		for i, x := range xs {
			if _, err := db.exec(ctx, tx, `INSERT INTO expenses (id, ref, kind, line_id, amount_fen, purpose, payee, person_id, stay_id, campaign_id, voucher,
					state, requested_at, requested_id, requested_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				x.ID, x.Ref, x.Kind, x.LineID, x.AmountFen, x.Purpose, x.Payee, nullString(x.PersonID), nullString(x.StayID), nullString(x.CampaignID),
				x.Voucher, x.State, db.d.t(x.RequestedAt), x.RequestedID, x.RequestedBy); err != nil {
				return err
			}
			if x.DonationID != "" || x.HealthReferralID != "" || x.MedicalAidFen != 0 {
				if _, err := db.exec(ctx, tx, `INSERT INTO expense_links (expense_id, donation_id, health_referral_id, medical_aid_fen) VALUES (?, ?, ?, ?)`,
					x.ID, nullString(x.DonationID), nullString(x.HealthReferralID), x.MedicalAidFen); err != nil {
					return err
				}
			}
			if err := db.appendAudit(ctx, tx, es[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

const expenseCols = `x.id, x.ref, x.kind, x.line_id, x.amount_fen, x.purpose, x.payee, x.person_id, x.stay_id, x.campaign_id, x.voucher, x.state,
	x.requested_at, x.requested_id, x.requested_by, x.decided_at, x.decided_id, x.decided_by, x.refusal, x.paid_at, x.paid_id, x.paid_by,
	x.refunded_fen, k.donation_id, k.health_referral_id, COALESCE(k.medical_aid_fen, 0), l.code, b.year, p.ref, p.name`

const expenseFrom = ` FROM expenses x JOIN budget_lines l ON l.id = x.line_id JOIN budgets b ON b.id = l.budget_id
	LEFT JOIN persons p ON p.id = x.person_id LEFT JOIN expense_links k ON k.expense_id = x.id`

func scanExpense(r rowScanner) (*funds.Expense, error) {
	var x funds.Expense
	var person, stay, campaign, pref, pname, donation, hospital sql.NullString
	err := r.Scan(&x.ID, &x.Ref, &x.Kind, &x.LineID, &x.AmountFen, &x.Purpose, &x.Payee, &person, &stay, &campaign, &x.Voucher, &x.State,
		scanTime{&x.RequestedAt}, &x.RequestedID, &x.RequestedBy, scanTime{&x.DecidedAt}, &x.DecidedID, &x.DecidedBy, &x.Refusal,
		scanTime{&x.PaidAt}, &x.PaidID, &x.PaidBy, &x.RefundedFen, &donation, &hospital, &x.MedicalAidFen, &x.LineCode, &x.Year, &pref, &pname)
	x.DonationID, x.HealthReferralID = donation.String, hospital.String
	x.PersonID, x.StayID, x.CampaignID, x.PersonRef, x.PersonName = person.String, stay.String, campaign.String, pref.String, pname.String
	return &x, err
}

// ExpenseByID implements funds.Store.
func (db *DB) ExpenseByID(ctx context.Context, id string) (*funds.Expense, error) {
	x, err := scanExpense(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+expenseCols+expenseFrom+` WHERE x.id = ?`), id))
	return x, translate("store.ExpenseByID", err)
}

// Expenses implements funds.Store: newest first.
func (db *DB) Expenses(ctx context.Context, f funds.ExpenseFilter) ([]*funds.Expense, error) {
	var w filter
	w.in("x.state", f.States)
	if f.BudgetID != "" {
		w.add("l.budget_id = ?", f.BudgetID)
	}
	if f.LineID != "" {
		w.add("x.line_id = ?", f.LineID)
	}
	if f.PersonID != "" {
		w.add("x.person_id = ?", f.PersonID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return list(ctx, db, db.r, "store.Expenses", `SELECT `+expenseCols+expenseFrom+w.sql()+` ORDER BY x.requested_at DESC, x.id DESC LIMIT ?`,
		scanExpense, append(w.args, limit)...)
}

// DecideExpenses implements funds.Store: all or nothing.
func (db *DB) DecideExpenses(ctx context.Context, xs []*funds.Expense, es []audit.Entry) error {
	const op = "store.DecideExpenses"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		for i, x := range xs {
			r, err := db.exec(ctx, tx, `UPDATE expenses SET state = ?, decided_at = ?, decided_id = ?, decided_by = ?, refusal = ? WHERE id = ? AND state = ?`,
				x.State, db.d.t(x.DecidedAt), x.DecidedID, x.DecidedBy, x.Refusal, x.ID, funds.StateRequested)
			if err := mustAffect(r, err); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return errs.E(errs.Conflict, op, "funds.err.state")
				}
				return err
			}
			if err := db.appendAudit(ctx, tx, es[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// PayExpenses implements funds.Store, all or nothing. The guarded
// UPDATEs are what make two payments racing for the last of a
// hard-capped line safe: PostgreSQL re-checks the condition on the row it
// waited for, SQLite has one writer. Each expense is moved first, so that
// one expense is never paid twice either.
func (db *DB) PayExpenses(ctx context.Context, xs []*funds.Expense, ens []*funds.Entry, es []audit.Entry) error {
	const op = "store.PayExpenses"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		for i, x := range xs {
			en := ens[i]
			r, err := db.exec(ctx, tx, `UPDATE expenses SET state = ?, paid_at = ?, paid_id = ?, paid_by = ? WHERE id = ? AND state = ?`,
				funds.StatePaid, db.d.t(x.PaidAt), x.PaidID, x.PaidBy, x.ID, funds.StateApproved)
			if err := mustAffect(r, err); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return errs.E(errs.Conflict, op, "funds.err.state")
				}
				return err
			}
			r, err = db.exec(ctx, tx, `UPDATE budget_lines SET spent_fen = spent_fen + ? WHERE id = ? AND (hard_cap = 0 OR spent_fen + ? <= amount_fen)`,
				en.AmountFen, en.LineID, en.AmountFen)
			if err := mustAffect(r, err); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return errs.E(errs.Conflict, op, "funds.err.over_cap")
				}
				return err
			}
			if x.DonationID != "" {
				// The guard and the table's CHECK keep a restricted
				// donation to its purpose and its amount.
				r, err = db.exec(ctx, tx, `UPDATE restricted_funds SET spent_fen = spent_fen + ? WHERE donation_id = ?
					AND purpose = (SELECT code FROM budget_lines WHERE id = ?) AND spent_fen + ? <= amount_fen`,
					en.AmountFen, x.DonationID, en.LineID, en.AmountFen)
				if err := mustAffect(r, err); err != nil {
					if errors.Is(err, sql.ErrNoRows) {
						return errs.E(errs.Conflict, op, "funds.err.restricted")
					}
					return err
				}
			}
			if err := db.insertEntry(ctx, tx, en); err != nil {
				return err
			}
			if err := db.appendAudit(ctx, tx, es[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// RestrictedFunds implements funds.Store.
func (db *DB) RestrictedFunds(ctx context.Context) ([]*funds.Restricted, error) {
	return list(ctx, db, db.r, "store.RestrictedFunds", `SELECT `+restrictedCols+restrictedFrom+` ORDER BY d.at DESC, d.id DESC LIMIT 500`, scanRestricted)
}

// RestrictedByID implements funds.Store.
func (db *DB) RestrictedByID(ctx context.Context, donationID string) (*funds.Restricted, error) {
	rf, err := scanRestricted(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+restrictedCols+restrictedFrom+` WHERE f.donation_id = ?`), donationID))
	return rf, translate("store.RestrictedByID", err)
}

const restrictedCols = `f.donation_id, d.at, d.donor, f.purpose, f.amount_fen, f.spent_fen`
const restrictedFrom = ` FROM restricted_funds f JOIN money_donations d ON d.id = f.donation_id`

func scanRestricted(r rowScanner) (*funds.Restricted, error) {
	var rf funds.Restricted
	err := r.Scan(&rf.DonationID, scanTime{&rf.At}, &rf.Donor, &rf.Purpose, &rf.AmountFen, &rf.SpentFen)
	return &rf, err
}

// Refund implements funds.Store.
func (db *DB) Refund(ctx context.Context, x *funds.Expense, en *funds.Entry, e audit.Entry) error {
	const op = "store.Refund"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE expenses SET refunded_fen = refunded_fen + ? WHERE id = ? AND state = ? AND refunded_fen + ? <= amount_fen`,
			-en.AmountFen, x.ID, funds.StatePaid, -en.AmountFen)
		if err := mustAffect(r, err); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.InvalidFields(op, map[string]string{"amount": "funds.err.refund_too_much"})
			}
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE budget_lines SET spent_fen = spent_fen + ? WHERE id = ?`, en.AmountFen, en.LineID); err != nil {
			return err
		}
		// money back on an expense a restricted donation paid goes back to the donation
		if _, err := db.exec(ctx, tx, `UPDATE restricted_funds SET spent_fen = spent_fen + ?
			WHERE donation_id = (SELECT donation_id FROM expense_links WHERE expense_id = ?)`, en.AmountFen, x.ID); err != nil {
			return err
		}
		if err := db.insertEntry(ctx, tx, en); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Reclassify implements funds.Store.
func (db *DB) Reclassify(ctx context.Context, x *funds.Expense, out, in *funds.Entry, e audit.Entry) error {
	const op = "store.Reclassify"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		r, err := db.exec(ctx, tx, `UPDATE expenses SET line_id = ? WHERE id = ? AND line_id = ? AND state = ? AND refunded_fen = ?`,
			in.LineID, x.ID, out.LineID, funds.StatePaid, x.RefundedFen)
		if err := mustAffect(r, err); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.Conflict, op, "funds.err.state")
			}
			return err
		}
		if _, err := db.exec(ctx, tx, `UPDATE budget_lines SET spent_fen = spent_fen + ? WHERE id = ?`, out.AmountFen, out.LineID); err != nil {
			return err
		}
		r, err = db.exec(ctx, tx, `UPDATE budget_lines SET spent_fen = spent_fen + ? WHERE id = ? AND (hard_cap = 0 OR spent_fen + ? <= amount_fen)`,
			in.AmountFen, in.LineID, in.AmountFen)
		if err := mustAffect(r, err); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return errs.E(errs.Conflict, op, "funds.err.over_cap")
			}
			return err
		}
		for _, en := range []*funds.Entry{out, in} {
			if err := db.insertEntry(ctx, tx, en); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// AddAttachment implements funds.Store.
func (db *DB) AddAttachment(ctx context.Context, at *funds.Attachment, e audit.Entry) error {
	return db.tx(ctx, "store.AddAttachment", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO expense_files (id, expense_id, name, at, by_id, by_name) VALUES (?, ?, ?, ?, ?, ?)`,
			at.ID, at.ExpenseID, at.Name, db.d.t(at.At), at.ByID, at.ByName); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Attachments implements funds.Store.
func (db *DB) Attachments(ctx context.Context, expenseID string) ([]*funds.Attachment, error) {
	return list(ctx, db, db.r, "store.Attachments", `SELECT id, expense_id, name, at, by_id, by_name FROM expense_files WHERE expense_id = ? ORDER BY at, id`,
		func(r rowScanner) (*funds.Attachment, error) {
			var at funds.Attachment
			err := r.Scan(&at.ID, &at.ExpenseID, &at.Name, scanTime{&at.At}, &at.ByID, &at.ByName)
			return &at, err
		}, expenseID)
}

func (db *DB) insertEntry(ctx context.Context, tx *sql.Tx, en *funds.Entry) error {
	_, err := db.exec(ctx, tx, `INSERT INTO ledger (id, at, line_id, expense_id, kind, amount_fen, person_id, note, by_id, by_name)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, en.ID, db.d.t(en.At), en.LineID, nullString(en.ExpenseID), en.Kind, en.AmountFen,
		nullString(en.PersonID), en.Note, en.ByID, en.ByName)
	return err
}

// Ledger implements funds.Store.
func (db *DB) Ledger(ctx context.Context, budgetID string) ([]*funds.Entry, error) {
	return list(ctx, db, db.r, "store.Ledger", `SELECT g.id, g.at, g.line_id, g.expense_id, g.kind, g.amount_fen, g.person_id, g.note, g.by_id, g.by_name,
		l.code, x.ref FROM ledger g JOIN budget_lines l ON l.id = g.line_id LEFT JOIN expenses x ON x.id = g.expense_id
		WHERE l.budget_id = ? ORDER BY g.at, g.id`,
		func(r rowScanner) (*funds.Entry, error) {
			var en funds.Entry
			var exp, person, ref sql.NullString
			err := r.Scan(&en.ID, scanTime{&en.At}, &en.LineID, &exp, &en.Kind, &en.AmountFen, &person, &en.Note, &en.ByID, &en.ByName, &en.LineCode, &ref)
			en.ExpenseID, en.PersonID, en.ExpenseRef = exp.String, person.String, ref.String
			return &en, err
		}, budgetID)
}

// LineTotals implements funds.Store: per line of a budget, what the line
// says was spent and the sum of its ledger entries, for reconciliation.
func (db *DB) LineTotals(ctx context.Context, budgetID string) (map[string][2]int64, error) {
	rows, err := db.r.QueryContext(ctx, db.d.q(`SELECT l.id, l.spent_fen, COALESCE((SELECT SUM(g.amount_fen) FROM ledger g WHERE g.line_id = l.id), 0)
		FROM budget_lines l WHERE l.budget_id = ?`), budgetID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][2]int64{}
	for rows.Next() {
		var id string
		var spent, sum int64
		if err := rows.Scan(&id, &spent, &sum); err != nil {
			return nil, err
		}
		out[id] = [2]int64{spent, sum}
	}
	return out, rows.Err()
}
