package store

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/errs"
)

// ---- pest control ----

// AddPest implements canteen.MoreStore.
func (db *DB) AddPest(ctx context.Context, p *canteen.Pest, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddPest", e, `INSERT INTO canteen_pest (id, day, area, measures, findings, company, by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Day, p.Area, strings.Join(p.Measures, ","), p.Findings, p.Company, p.By, db.d.t(p.CreatedAt))
}

// PestLog implements canteen.MoreStore: canteen_pest_day.
func (db *DB) PestLog(ctx context.Context, from, to string) ([]*canteen.Pest, error) {
	return list(ctx, db, db.r, "store.PestLog", `SELECT id, day, area, measures, findings, company, by_name, created_at FROM canteen_pest
		WHERE day >= ? AND day <= ? ORDER BY day DESC, created_at DESC`, func(r rowScanner) (*canteen.Pest, error) {
		var p canteen.Pest
		var measures string
		err := r.Scan(&p.ID, &p.Day, &p.Area, &measures, &p.Findings, &p.Company, &p.By, scanTime{&p.CreatedAt})
		if measures != "" {
			p.Measures = strings.Split(measures, ",")
		}
		return &p, err
	}, from, to)
}

// ---- self-check lists ----

// AddCheckItem implements canteen.MoreStore.
func (db *DB) AddCheckItem(ctx context.Context, it *canteen.CheckItem, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddCheckItem", e, `INSERT INTO canteen_check_items (id, list, seq, text, replaces, active, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, it.ID, it.List, it.Seq, it.Text, it.Replaces, boolInt(it.Active), db.d.t(it.CreatedAt))
}

// RetireCheckItem implements canteen.MoreStore.
func (db *DB) RetireCheckItem(ctx context.Context, id string, e audit.Entry) error {
	const op = "store.RetireCheckItem"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := mustAffect(db.exec(ctx, tx, `UPDATE canteen_check_items SET active = 0 WHERE id = ? AND active = 1`, id)); err != nil {
			return notFound(op, err)
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// CheckItems implements canteen.MoreStore: canteen_check_items_list.
func (db *DB) CheckItems(ctx context.Context, list_ string, all bool) ([]*canteen.CheckItem, error) {
	q := `SELECT id, list, seq, text, replaces, active, created_at FROM canteen_check_items WHERE list = ?`
	if !all {
		q += ` AND active = 1`
	}
	return list(ctx, db, db.r, "store.CheckItems", q+` ORDER BY seq, created_at`, func(r rowScanner) (*canteen.CheckItem, error) {
		var it canteen.CheckItem
		var active int
		err := r.Scan(&it.ID, &it.List, &it.Seq, &it.Text, &it.Replaces, &active, scanTime{&it.CreatedAt})
		it.Active = active == 1
		return &it, err
	}, list_)
}

// AddSelfCheck implements canteen.MoreStore; the unique index on (list,
// period) refuses a second completion of a period (errs.Exists).
func (db *DB) AddSelfCheck(ctx context.Context, c *canteen.SelfCheck, e audit.Entry) error {
	return db.tx(ctx, "store.AddSelfCheck", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO canteen_selfchecks (id, list, period, at, by_name, problems) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, c.List, c.Period, db.d.t(c.At), c.By, c.Problems); err != nil {
			return err
		}
		for i, a := range c.Answers {
			if _, err := db.exec(ctx, tx, `INSERT INTO canteen_selfcheck_answers (check_id, seq, item_id, ok, note) VALUES (?, ?, ?, ?, ?)`,
				c.ID, i, a.ItemID, boolInt(a.OK), a.Note); err != nil {
				return err
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// SelfChecks implements canteen.MoreStore: canteen_selfchecks_period, then
// the answers of those completions in one query.
func (db *DB) SelfChecks(ctx context.Context, list_, from, to string) ([]*canteen.SelfCheck, error) {
	const op = "store.SelfChecks"
	where, args := `sc.list = ? AND sc.period >= ?`, []any{list_, from}
	if to != "" {
		where += ` AND sc.period <= ?`
		args = append(args, to)
	}
	cs, err := list(ctx, db, db.r, op, `SELECT id, list, period, at, by_name, problems FROM canteen_selfchecks sc WHERE `+where+`
		ORDER BY period DESC`, func(r rowScanner) (*canteen.SelfCheck, error) {
		var c canteen.SelfCheck
		err := r.Scan(&c.ID, &c.List, &c.Period, scanTime{&c.At}, &c.By, &c.Problems)
		return &c, err
	}, args...)
	if err != nil || len(cs) == 0 {
		return cs, err
	}
	byID := make(map[string]*canteen.SelfCheck, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
	}
	type row struct {
		check string
		a     canteen.Answer
	}
	rows, err := list(ctx, db, db.r, op, `SELECT an.check_id, an.item_id, it.text, an.ok, an.note FROM canteen_selfchecks sc
		JOIN canteen_selfcheck_answers an ON an.check_id = sc.id JOIN canteen_check_items it ON it.id = an.item_id
		WHERE `+where+` ORDER BY an.check_id, an.seq`, func(r rowScanner) (row, error) {
		var x row
		var ok int
		err := r.Scan(&x.check, &x.a.ItemID, &x.a.Text, &ok, &x.a.Note)
		x.a.OK = ok == 1
		return x, err
	}, args...)
	if err != nil {
		return nil, err
	}
	for _, x := range rows {
		if c := byID[x.check]; c != nil {
			c.Answers = append(c.Answers, x.a)
		}
	}
	return cs, nil
}

// ---- purchase photos ----

// AddPurchaseFile implements canteen.MoreStore.
func (db *DB) AddPurchaseFile(ctx context.Context, f *canteen.PurchaseFile, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddPurchaseFile", e, `INSERT INTO canteen_purchase_files (id, purchase_id, kind, name, at, by_name)
		VALUES (?, ?, ?, ?, ?, ?)`, f.ID, f.PurchaseID, f.Kind, f.Name, db.d.t(f.At), f.By)
}

// PurchaseFiles implements canteen.MoreStore: canteen_purchase_files_purchase.
func (db *DB) PurchaseFiles(ctx context.Context, purchaseIDs []string) ([]*canteen.PurchaseFile, error) {
	if len(purchaseIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(purchaseIDs))
	for i, id := range purchaseIDs {
		args[i] = id
	}
	return list(ctx, db, db.r, "store.PurchaseFiles", `SELECT id, purchase_id, kind, name, at, by_name FROM canteen_purchase_files
		WHERE purchase_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")+`) ORDER BY purchase_id, at, id`,
		func(r rowScanner) (*canteen.PurchaseFile, error) {
			var f canteen.PurchaseFile
			err := r.Scan(&f.ID, &f.PurchaseID, &f.Kind, &f.Name, scanTime{&f.At}, &f.By)
			return &f, err
		}, args...)
}

// ---- stock ----

// OnHand implements canteen.MoreStore: the partial index
// canteen_purchases_on_hand holds the batches not used up only, in the
// order of (item, expires_on); those without an expiry go last here.
func (db *DB) OnHand(ctx context.Context) ([]*canteen.Purchase, error) {
	ps, err := list(ctx, db, db.r, "store.OnHand", `SELECT `+purchaseCols+` FROM canteen_purchases pu
		JOIN canteen_suppliers su ON su.id = pu.supplier_id WHERE pu.accepted = 1 AND pu.qty_milli > pu.issued_milli
		ORDER BY pu.item, pu.expires_on, pu.received_on, pu.created_at LIMIT 2000`, scanPurchase)
	slices.SortStableFunc(ps, func(a, b *canteen.Purchase) int {
		if c := strings.Compare(a.Item, b.Item); c != 0 {
			return c
		}
		return cmpBool(a.ExpiresOn == "", b.ExpiresOn == "")
	})
	return ps, err
}

// cmpBool orders false before true.
func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// AddIssue implements canteen.MoreStore: the batch's issued amount grows
// only while it stays within what was received.
func (db *DB) AddIssue(ctx context.Context, is *canteen.Issue, e audit.Entry) error {
	const op = "store.AddIssue"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if err := mustAffect(db.exec(ctx, tx, `UPDATE canteen_purchases SET issued_milli = issued_milli + ?
			WHERE id = ? AND accepted = 1 AND qty_milli - issued_milli >= ?`, is.Milli, is.PurchaseID, is.Milli)); err != nil {
			if err == sql.ErrNoRows {
				return errs.E(errs.Conflict, op, "canteen.err_amount_left")
			}
			return err
		}
		if _, err := db.exec(ctx, tx, `INSERT INTO canteen_issues (id, purchase_id, kind, qty_milli, at, by_name, note, out_of_order)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, is.ID, is.PurchaseID, is.Kind, is.Milli, db.d.t(is.At), is.By, is.Note, boolInt(is.OutOfOrder)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Issues implements canteen.MoreStore: canteen_issues_at.
func (db *DB) Issues(ctx context.Context, since time.Time) ([]*canteen.Issue, error) {
	return list(ctx, db, db.r, "store.Issues", `SELECT iss.id, iss.purchase_id, iss.kind, iss.qty_milli, iss.at, iss.by_name, iss.note,
		iss.out_of_order, pu.item, pu.qty_unit, pu.batch FROM canteen_issues iss JOIN canteen_purchases pu ON pu.id = iss.purchase_id
		WHERE iss.at >= ? ORDER BY iss.at DESC`, func(r rowScanner) (*canteen.Issue, error) {
		var is canteen.Issue
		var ooo int
		err := r.Scan(&is.ID, &is.PurchaseID, &is.Kind, &is.Milli, scanTime{&is.At}, &is.By, &is.Note, &ooo, &is.Item, &is.Unit, &is.Batch)
		is.OutOfOrder = ooo == 1
		return &is, err
	}, db.d.t(since))
}

var _ canteen.MoreStore = (*DB)(nil)
