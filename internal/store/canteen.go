package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/errs"
)

// insertAudited runs one insert and its audit entry in a transaction.
func (db *DB) insertAudited(ctx context.Context, op string, e audit.Entry, query string, args ...any) error {
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, query, args...); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

func notFound(op string, err error) error {
	if err == sql.ErrNoRows {
		return errs.E(errs.NotFound, op, "err.not_found")
	}
	return translate(op, err)
}

// ---- suppliers ----

const supplierCols = `id, name, licence_no, licence_expires, contact, phone, created_at`

func scanSupplier(r rowScanner) (*canteen.Supplier, error) {
	var s canteen.Supplier
	err := r.Scan(&s.ID, &s.Name, &s.LicenceNo, &s.LicenceExpires, &s.Contact, &s.Phone, scanTime{&s.CreatedAt})
	return &s, err
}

// AddSupplier implements canteen.Store.
func (db *DB) AddSupplier(ctx context.Context, s *canteen.Supplier, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddSupplier", e, `INSERT INTO canteen_suppliers (`+supplierCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.Name, s.LicenceNo, s.LicenceExpires, s.Contact, s.Phone, db.d.t(s.CreatedAt))
}

// Suppliers implements canteen.Store.
func (db *DB) Suppliers(ctx context.Context) ([]*canteen.Supplier, error) {
	return list(ctx, db, db.r, "store.Suppliers", `SELECT `+supplierCols+` FROM canteen_suppliers ORDER BY name`, scanSupplier)
}

// SupplierByID implements canteen.Store.
func (db *DB) SupplierByID(ctx context.Context, id string) (*canteen.Supplier, error) {
	s, err := scanSupplier(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+supplierCols+` FROM canteen_suppliers WHERE id = ?`), id))
	if err != nil {
		return nil, notFound("store.SupplierByID", err)
	}
	return s, nil
}

// ---- purchases ----

const purchaseCols = `pu.id, pu.received_on, pu.supplier_id, su.name, pu.item, pu.spec, pu.quantity, pu.batch, pu.produced_on, pu.shelf_days,
	pu.expires_on, pu.storage, pu.receive_temp, pu.inspector, pu.accepted, pu.reject_reason, pu.override, pu.retain_until, pu.created_by, pu.created_at,
	pu.qty_milli, pu.qty_unit, pu.issued_milli`

func scanPurchase(r rowScanner) (*canteen.Purchase, error) {
	var p canteen.Purchase
	var temp sql.NullFloat64
	var accepted int
	err := r.Scan(&p.ID, &p.ReceivedOn, &p.SupplierID, &p.SupplierName, &p.Item, &p.Spec, &p.Quantity, &p.Batch, &p.ProducedOn, &p.ShelfDays,
		&p.ExpiresOn, &p.Storage, &temp, &p.Inspector, &accepted, &p.RejectReason, &p.Override, &p.RetainUntil, &p.CreatedBy, scanTime{&p.CreatedAt},
		&p.QtyMilli, &p.QtyUnit, &p.IssuedMilli)
	if temp.Valid {
		p.ReceiveTemp = &temp.Float64
	}
	p.Accepted = accepted == 1
	return &p, err
}

// AddPurchase implements canteen.Store.
func (db *DB) AddPurchase(ctx context.Context, p *canteen.Purchase, e audit.Entry) error {
	var temp any
	if p.ReceiveTemp != nil {
		temp = *p.ReceiveTemp
	}
	return db.insertAudited(ctx, "store.AddPurchase", e, `INSERT INTO canteen_purchases (id, received_on, supplier_id, item, spec, quantity, batch,
		produced_on, shelf_days, expires_on, storage, receive_temp, inspector, accepted, reject_reason, override, retain_until, created_by, created_at,
		qty_milli, qty_unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ReceivedOn, p.SupplierID, p.Item, p.Spec, p.Quantity, p.Batch, p.ProducedOn, p.ShelfDays, p.ExpiresOn, p.Storage, temp,
		p.Inspector, boolInt(p.Accepted), p.RejectReason, p.Override, p.RetainUntil, p.CreatedBy, db.d.t(p.CreatedAt), p.QtyMilli, p.QtyUnit)
}

// Purchases implements canteen.Store: canteen_purchases_received.
func (db *DB) Purchases(ctx context.Context, from, to string) ([]*canteen.Purchase, error) {
	return list(ctx, db, db.r, "store.Purchases", `SELECT `+purchaseCols+` FROM canteen_purchases pu
		JOIN canteen_suppliers su ON su.id = pu.supplier_id WHERE pu.received_on >= ? AND pu.received_on <= ?
		ORDER BY pu.received_on DESC, pu.created_at DESC`, scanPurchase, from, to)
}

// PurchaseByID implements canteen.Store.
func (db *DB) PurchaseByID(ctx context.Context, id string) (*canteen.Purchase, error) {
	p, err := scanPurchase(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+purchaseCols+` FROM canteen_purchases pu
		JOIN canteen_suppliers su ON su.id = pu.supplier_id WHERE pu.id = ?`), id))
	if err != nil {
		return nil, notFound("store.PurchaseByID", err)
	}
	return p, nil
}

// DeletePurchase implements canteen.Store.
func (db *DB) DeletePurchase(ctx context.Context, id string, e audit.Entry) error {
	return db.tx(ctx, "store.DeletePurchase", func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM canteen_issues WHERE purchase_id = ?`, `DELETE FROM canteen_purchase_files WHERE purchase_id = ?`} {
			if _, err := db.exec(ctx, tx, q, id); err != nil {
				return err
			}
		}
		if err := mustAffect(db.exec(ctx, tx, `DELETE FROM canteen_purchases WHERE id = ?`, id)); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// ---- cold units and readings ----

// AddColdUnit implements canteen.Store.
func (db *DB) AddColdUnit(ctx context.Context, u *canteen.ColdUnit, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddColdUnit", e, `INSERT INTO canteen_units (id, name, kind, for_samples) VALUES (?, ?, ?, ?)`,
		u.ID, u.Name, u.Kind, boolInt(u.ForSamples))
}

// ColdUnits implements canteen.Store.
func (db *DB) ColdUnits(ctx context.Context) ([]*canteen.ColdUnit, error) {
	return list(ctx, db, db.r, "store.ColdUnits", `SELECT id, name, kind, for_samples FROM canteen_units ORDER BY for_samples DESC, name`,
		func(r rowScanner) (*canteen.ColdUnit, error) {
			var u canteen.ColdUnit
			var fs int
			err := r.Scan(&u.ID, &u.Name, &u.Kind, &fs)
			u.ForSamples = fs == 1
			return &u, err
		})
}

// AddReading implements canteen.Store.
func (db *DB) AddReading(ctx context.Context, r *canteen.Reading, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddReading", e, `INSERT INTO canteen_readings (id, unit_id, at, temp_c, source, by_name, out_of_range)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.ID, r.UnitID, db.d.t(r.At), r.TempC, r.Source, r.By, boolInt(r.OutOfRange))
}

// Readings implements canteen.Store: canteen_readings_at.
func (db *DB) Readings(ctx context.Context, since time.Time) ([]*canteen.Reading, error) {
	return list(ctx, db, db.r, "store.Readings", `SELECT rd.id, rd.unit_id, un.name, rd.at, rd.temp_c, rd.source, rd.by_name, rd.out_of_range
		FROM canteen_readings rd JOIN canteen_units un ON un.id = rd.unit_id WHERE rd.at >= ? ORDER BY rd.at DESC`,
		func(rs rowScanner) (*canteen.Reading, error) {
			var r canteen.Reading
			var out int
			err := rs.Scan(&r.ID, &r.UnitID, &r.UnitName, scanTime{&r.At}, &r.TempC, &r.Source, &r.By, &out)
			r.OutOfRange = out == 1
			return &r, err
		}, db.d.t(since))
}

// ---- meals, dishes, samples ----

const sampleCols = `sm.id, sm.dish_id, sm.grams, sm.sealed, sm.sampled_at, sm.sampler, sm.reviewer, sm.unit_id, sm.discard_after,
	sm.discarded_at, sm.discarded_by`

func scanSample(r rowScanner, extra ...any) (*canteen.Sample, error) {
	var s canteen.Sample
	var sealed int
	dest := append([]any{&s.ID, &s.DishID, &s.Grams, &sealed, scanTime{&s.SampledAt}, &s.Sampler, &s.Reviewer, &s.UnitID,
		scanTime{&s.DiscardAfter}, scanTime{&s.DiscardedAt}, &s.DiscardedBy}, extra...)
	err := r.Scan(dest...)
	s.Sealed = sealed == 1
	return &s, err
}

func (db *DB) insertSample(ctx context.Context, tx *sql.Tx, s *canteen.Sample) error {
	_, err := db.exec(ctx, tx, `INSERT INTO canteen_samples (id, dish_id, grams, sealed, sampled_at, sampler, reviewer, unit_id, discard_after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.DishID, s.Grams, boolInt(s.Sealed), db.d.t(s.SampledAt), s.Sampler, s.Reviewer, s.UnitID,
		db.d.t(s.DiscardAfter))
	return err
}

// AddMeal implements canteen.Store.
func (db *DB) AddMeal(ctx context.Context, m *canteen.Meal, e audit.Entry) error {
	return db.tx(ctx, "store.AddMeal", func(tx *sql.Tx) error {
		if _, err := db.exec(ctx, tx, `INSERT INTO canteen_meals (id, day, kind, served, in_care, note, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.Day, m.Kind, m.Served, m.InCare, m.Note, m.CreatedBy, db.d.t(m.CreatedAt)); err != nil {
			return err
		}
		for i, d := range m.Dishes {
			if _, err := db.exec(ctx, tx, `INSERT INTO canteen_dishes (id, meal_id, seq, name) VALUES (?, ?, ?, ?)`, d.ID, m.ID, i, d.Name); err != nil {
				return err
			}
			if d.Sample != nil {
				if err := db.insertSample(ctx, tx, d.Sample); err != nil {
					return err
				}
			}
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// Meals implements canteen.Store: the days' meals (canteen_meals_day),
// then their dishes and samples in one query.
func (db *DB) Meals(ctx context.Context, from, to string) ([]*canteen.Meal, error) {
	const op = "store.Meals"
	meals, err := list(ctx, db, db.r, op, `SELECT id, day, kind, served, in_care, note, created_by, created_at FROM canteen_meals
		WHERE day >= ? AND day <= ? ORDER BY day DESC, created_at DESC`, func(r rowScanner) (*canteen.Meal, error) {
		var m canteen.Meal
		err := r.Scan(&m.ID, &m.Day, &m.Kind, &m.Served, &m.InCare, &m.Note, &m.CreatedBy, scanTime{&m.CreatedAt})
		return &m, err
	}, from, to)
	if err != nil || len(meals) == 0 {
		return meals, err
	}
	byID := make(map[string]*canteen.Meal, len(meals))
	for _, m := range meals {
		byID[m.ID] = m
	}
	type row struct {
		dish canteen.Dish
		s    *canteen.Sample
	}
	rows, err := list(ctx, db, db.r, op, `SELECT ds.id, ds.meal_id, ds.name, sm.id, sm.dish_id, sm.grams, sm.sealed, sm.sampled_at, sm.sampler,
		sm.reviewer, sm.unit_id, sm.discard_after, sm.discarded_at, sm.discarded_by
		FROM canteen_meals ml JOIN canteen_dishes ds ON ds.meal_id = ml.id LEFT JOIN canteen_samples sm ON sm.dish_id = ds.id
		WHERE ml.day >= ? AND ml.day <= ? ORDER BY ds.meal_id, ds.seq`, func(r rowScanner) (row, error) {
		var x row
		var sid, sdish, sampler, reviewer, unit, by sql.NullString
		var grams, sealed sql.NullInt64
		var at, after, discarded time.Time
		err := r.Scan(&x.dish.ID, &x.dish.MealID, &x.dish.Name, &sid, &sdish, &grams, &sealed, scanTime{&at}, &sampler, &reviewer, &unit,
			scanTime{&after}, scanTime{&discarded}, &by)
		if sid.Valid {
			x.s = &canteen.Sample{ID: sid.String, DishID: sdish.String, Grams: int(grams.Int64), Sealed: sealed.Int64 == 1, SampledAt: at,
				Sampler: sampler.String, Reviewer: reviewer.String, UnitID: unit.String, DiscardAfter: after, DiscardedAt: discarded, DiscardedBy: by.String}
		}
		return x, err
	}, from, to)
	if err != nil {
		return nil, err
	}
	for _, x := range rows {
		m := byID[x.dish.MealID]
		d := x.dish
		d.Sample = x.s
		if d.Sample != nil {
			d.Sample.DishName, d.Sample.MealDay, d.Sample.MealKind = d.Name, m.Day, m.Kind
		}
		m.Dishes = append(m.Dishes, &d)
	}
	return meals, nil
}

// DishByID implements canteen.Store.
func (db *DB) DishByID(ctx context.Context, id string) (*canteen.Dish, error) {
	const op = "store.DishByID"
	var d canteen.Dish
	if err := db.r.QueryRowContext(ctx, db.d.q(`SELECT id, meal_id, name FROM canteen_dishes WHERE id = ?`), id).Scan(&d.ID, &d.MealID, &d.Name); err != nil {
		return nil, notFound(op, err)
	}
	s, err := scanSample(db.r.QueryRowContext(ctx, db.d.q(`SELECT `+sampleCols+` FROM canteen_samples sm WHERE sm.dish_id = ?`), id))
	switch {
	case err == nil:
		d.Sample = s
	case err != sql.ErrNoRows:
		return nil, translate(op, err)
	}
	return &d, nil
}

// AddSample implements canteen.Store.
func (db *DB) AddSample(ctx context.Context, s *canteen.Sample, e audit.Entry) error {
	return db.tx(ctx, "store.AddSample", func(tx *sql.Tx) error {
		if err := db.insertSample(ctx, tx, s); err != nil {
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

const sampleFrom = ` FROM canteen_samples sm JOIN canteen_dishes ds ON ds.id = sm.dish_id JOIN canteen_meals ml ON ml.id = ds.meal_id`

// SampleByID implements canteen.Store.
func (db *DB) SampleByID(ctx context.Context, id string) (*canteen.Sample, error) {
	var s *canteen.Sample
	var err error
	row := db.r.QueryRowContext(ctx, db.d.q(`SELECT `+sampleCols+`, ds.name, ml.day, ml.kind`+sampleFrom+` WHERE sm.id = ?`), id)
	var name, day, kind string
	if s, err = scanSample(row, &name, &day, &kind); err != nil {
		return nil, notFound("store.SampleByID", err)
	}
	s.DishName, s.MealDay, s.MealKind = name, day, kind
	return s, nil
}

// DiscardSample implements canteen.Store.
func (db *DB) DiscardSample(ctx context.Context, id string, at time.Time, by string, e audit.Entry) error {
	const op = "store.DiscardSample"
	return db.tx(ctx, op, func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE canteen_samples SET discarded_at = ?, discarded_by = ? WHERE id = ? AND discarded_at IS NULL`,
			db.d.t(at), by, id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = errs.E(errs.Conflict, op, "canteen.err_discarded")
			}
			return err
		}
		return db.appendAudit(ctx, tx, e)
	})
}

// DiscardSamplesDue implements canteen.Store: canteen_samples_kept.
func (db *DB) DiscardSamplesDue(ctx context.Context, at time.Time, by string, e audit.Entry) (int, error) {
	var n int64
	err := db.tx(ctx, "store.DiscardSamplesDue", func(tx *sql.Tx) error {
		res, err := db.exec(ctx, tx, `UPDATE canteen_samples SET discarded_at = ?, discarded_by = ? WHERE discarded_at IS NULL AND discard_after <= ?`,
			db.d.t(at), by, db.d.t(at))
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		e.Detail = strconv.FormatInt(n, 10)
		return db.appendAudit(ctx, tx, e)
	})
	return int(n), err
}

// SamplesKept implements canteen.Store: the partial index
// canteen_samples_kept holds the kept samples only (a few days' worth; the
// limit is a guard, far above three meals of a dozen dishes for a week).
func (db *DB) SamplesKept(ctx context.Context) ([]*canteen.Sample, error) {
	return list(ctx, db, db.r, "store.SamplesKept", `SELECT `+sampleCols+`, ds.name, ml.day, ml.kind`+sampleFrom+`
		WHERE sm.discarded_at IS NULL ORDER BY sm.discard_after LIMIT 1000`, func(r rowScanner) (*canteen.Sample, error) {
		var name, day, kind string
		s, err := scanSample(r, &name, &day, &kind)
		s.DishName, s.MealDay, s.MealKind = name, day, kind
		return s, err
	})
}

// ---- handlers and checks ----

// AddHandler implements canteen.Store.
func (db *DB) AddHandler(ctx context.Context, h *canteen.Handler, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddHandler", e, `INSERT INTO canteen_handlers (id, name, cert_no, cert_expires, active) VALUES (?, ?, ?, ?, ?)`,
		h.ID, h.Name, h.CertNo, h.CertExpires, boolInt(h.Active))
}

func scanHandler(r rowScanner) (*canteen.Handler, error) {
	var h canteen.Handler
	var active int
	err := r.Scan(&h.ID, &h.Name, &h.CertNo, &h.CertExpires, &active)
	h.Active = active == 1
	return &h, err
}

// Handlers implements canteen.Store.
func (db *DB) Handlers(ctx context.Context) ([]*canteen.Handler, error) {
	return list(ctx, db, db.r, "store.Handlers", `SELECT id, name, cert_no, cert_expires, active FROM canteen_handlers ORDER BY name`, scanHandler)
}

// HandlerByID implements canteen.Store.
func (db *DB) HandlerByID(ctx context.Context, id string) (*canteen.Handler, error) {
	h, err := scanHandler(db.r.QueryRowContext(ctx, db.d.q(`SELECT id, name, cert_no, cert_expires, active FROM canteen_handlers WHERE id = ?`), id))
	if err != nil {
		return nil, notFound("store.HandlerByID", err)
	}
	return h, nil
}

// SaveMorningCheck implements canteen.Store.
func (db *DB) SaveMorningCheck(ctx context.Context, c *canteen.Check, e audit.Entry) error {
	return db.insertAudited(ctx, "store.SaveMorningCheck", e, `INSERT INTO canteen_checks (id, handler_id, day, symptoms, fit, checked_by, at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, handler_id) DO UPDATE SET symptoms = excluded.symptoms, fit = excluded.fit,
		checked_by = excluded.checked_by, at = excluded.at`, c.ID, c.HandlerID, c.Day, strings.Join(c.Symptoms, ","), boolInt(c.Fit), c.CheckedBy, db.d.t(c.At))
}

// MorningChecks implements canteen.Store.
func (db *DB) MorningChecks(ctx context.Context, day string) ([]*canteen.Check, error) {
	return list(ctx, db, db.r, "store.MorningChecks", `SELECT id, handler_id, day, symptoms, fit, checked_by, at FROM canteen_checks WHERE day = ?`,
		func(r rowScanner) (*canteen.Check, error) {
			var c canteen.Check
			var symptoms string
			var fit int
			err := r.Scan(&c.ID, &c.HandlerID, &c.Day, &symptoms, &fit, &c.CheckedBy, scanTime{&c.At})
			if symptoms != "" {
				c.Symptoms = strings.Split(symptoms, ",")
			}
			c.Fit = fit == 1
			return &c, err
		}, day)
}

// ---- disinfection ----

// AddDisinfection implements canteen.Store.
func (db *DB) AddDisinfection(ctx context.Context, d *canteen.Disinfection, e audit.Entry) error {
	return db.insertAudited(ctx, "store.AddDisinfection", e, `INSERT INTO canteen_disinfections (id, at, method, temp_c, mg_l, seconds, items, by_name, below)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, db.d.t(d.At), d.Method, d.TempC, d.MgL, d.Seconds, d.Items, d.By, boolInt(d.Below))
}

// Disinfections implements canteen.Store: canteen_disinfections_at.
func (db *DB) Disinfections(ctx context.Context, since time.Time) ([]*canteen.Disinfection, error) {
	return list(ctx, db, db.r, "store.Disinfections", `SELECT id, at, method, temp_c, mg_l, seconds, items, by_name, below FROM canteen_disinfections
		WHERE at >= ? ORDER BY at DESC`, func(r rowScanner) (*canteen.Disinfection, error) {
		var d canteen.Disinfection
		var below int
		err := r.Scan(&d.ID, scanTime{&d.At}, &d.Method, &d.TempC, &d.MgL, &d.Seconds, &d.Items, &d.By, &below)
		d.Below = below == 1
		return &d, err
	}, db.d.t(since))
}

// InCareOn implements canteen.Store: stays admitted before the day's end
// and open, or closed on or after its start: the open stays (stays_state)
// and those that left since (stays_exited), never the whole history.
func (db *DB) InCareOn(ctx context.Context, day string) (int, error) {
	start, err := time.ParseInLocation(time.DateOnly, day, canteen.CST)
	if err != nil {
		return 0, errs.E(errs.Invalid, "store.InCareOn", "err.date_format")
	}
	var n int
	end := db.d.t(start.AddDate(0, 0, 1))
	err = db.r.QueryRowContext(ctx, db.d.q(`SELECT (SELECT COUNT(*) FROM stays WHERE state = 'open' AND arrived_at < ?)
		+ (SELECT COUNT(*) FROM stays WHERE exited_at >= ? AND arrived_at < ? AND state = 'closed')`), end, db.d.t(start), end).Scan(&n)
	return n, translate("store.InCareOn", err)
}

var _ canteen.Store = (*DB)(nil)
