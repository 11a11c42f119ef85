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
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Area is the canteen's duty area in the duty engine.
const Area = "canteen"

// Duty kinds of the canteen.
const (
	DutyMorningCheck = "morning_check" // 晨检, daily
	DutyTempLog      = "temp_log"      // each cold unit, twice a day (subject: the unit)
	DutyDisinfection = "disinfection"  // tableware, daily
	DutySelfDaily    = "self_daily"    // 日管控
	DutySelfWeekly   = "self_weekly"   // 周排查
	DutySelfMonthly  = "self_monthly"  // 月调度
)

// Service is the canteen's food safety.
type Service struct {
	Store    Store
	More     MoreStore // pest control, self-checks, purchase photos, stock
	Files    files.Store
	Duties   duties.Store
	Audit    audit.Store // refused discards are written here
	Now      func() time.Time
	Settings Settings // zero: Defaults
}

func (s *Service) set() Settings { return s.Settings.withDefaults() }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

func (s *Service) done(ctx context.Context, kind, subject string, at time.Time, by, record string) {
	if s.Duties == nil {
		return
	}
	// A duty not set up, or a completion that does not count, changes
	// nothing; the record itself is stored either way.
	_, _ = duties.Completer{Store: s.Duties}.Done(ctx, Area, kind, subject, at, by, record)
}

// plan is a canteen duty's schedule: every period, first due at the given
// CST time of day.
type plan struct {
	kind  string
	every duties.Period
	hh    int
	soon  time.Duration
}

var plans = []plan{
	{DutyMorningCheck, duties.Every(1, duties.Day), 8, 3 * time.Hour},
	{DutyDisinfection, duties.Every(1, duties.Day), 20, 12 * time.Hour},
	// A self-check list may be done any time in its period: the day from
	// midnight, the week, the month (its shortest).
	{DutySelfDaily, duties.Every(1, duties.Day), 18, 18 * time.Hour},
	{DutySelfWeekly, duties.Every(7, duties.Day), 18, 6*24*time.Hour + 18*time.Hour},
	{DutySelfMonthly, duties.Every(1, duties.Month), 18, 27 * 24 * time.Hour},
}

// firstDue is the first time at hh:00 CST after now.
func firstDue(now time.Time, hh int) time.Time {
	c := now.In(CST)
	t := time.Date(c.Year(), c.Month(), c.Day(), hh, 0, 0, 0, CST)
	if !t.After(now) {
		t = t.AddDate(0, 0, 1)
	}
	return t.UTC()
}

// EnsureDuties sets up the canteen's recurring duties and each cold
// unit's temperature log; duties set up before are left as they are.
func (s *Service) EnsureDuties(ctx context.Context) error {
	if s.Duties == nil {
		return nil
	}
	now := s.now()
	for _, p := range plans {
		if _, err := s.Duties.EnsureDuty(ctx, duties.Duty{Area: Area, Kind: p.kind, Title: "canteen.duty." + p.kind, Every: p.every,
			Soon: p.soon, NextDue: firstDue(now, p.hh), Active: true}); err != nil {
			return err
		}
	}
	if _, err := s.Duties.EnsureDuty(ctx, duties.Duty{Area: Area, Kind: DutyPest, Title: "canteen.duty." + DutyPest,
		Every: duties.Every(s.set().PestEveryMonths, duties.Month), Soon: 7 * 24 * time.Hour, NextDue: firstDue(now, 18), Active: true}); err != nil {
		return err
	}
	units, err := s.Store.ColdUnits(ctx)
	if err != nil {
		return err
	}
	for _, u := range units {
		if err := s.ensureTempDuty(ctx, u, now); err != nil {
			return err
		}
	}
	return nil
}

// ensureTempDuty: readings by hand at 09:00 and 21:00.
func (s *Service) ensureTempDuty(ctx context.Context, u *ColdUnit, now time.Time) error {
	next := firstDue(now, 9)
	if n := firstDue(now, 21); n.Before(next) {
		next = n
	}
	_, err := s.Duties.EnsureDuty(ctx, duties.Duty{Area: Area, Kind: DutyTempLog, Subject: u.ID, Title: u.Name, Every: duties.Every(12, duties.Hour),
		Soon: 3 * time.Hour, NextDue: next, Active: true})
	return err
}

// ---- input helpers ----

// number reads a number from min to max; "−", "．" and other full-width
// signs read as their ASCII twins.
func number(f form.Fields, name, v string, min, max float64, required bool) (float64, bool) {
	v = strings.NewReplacer("−", "-", "－", "-", "＋", "+", "．", ".").Replace(strings.TrimSpace(v))
	if v == "" {
		if required {
			f[name] = "err.required"
		}
		return 0, false
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n != n || n < min || n > max {
		f[name] = "canteen.err_number"
		return 0, false
	}
	return n, true
}

func (s *Service) today() string { return Day(s.now()) }

// ---- suppliers ----

// SupplierInput is a supplier as typed.
type SupplierInput struct{ Name, LicenceNo, LicenceExpires, Contact, Phone string }

// AddSupplier registers a supplier with its licence.
func (s *Service) AddSupplier(ctx context.Context, a auth.Actor, in SupplierInput) (*Supplier, error) {
	const op = "canteen.AddSupplier"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	sp := &Supplier{ID: id.New(), Name: f.Text("name", in.Name, true, 100), LicenceNo: f.Text("licence_no", in.LicenceNo, true, 40),
		Contact: f.Text("contact", in.Contact, false, 50), Phone: f.Text("phone", in.Phone, false, 30), CreatedAt: s.now()}
	sp.LicenceExpires = strings.TrimSpace(in.LicenceExpires)
	if sp.LicenceExpires == "" {
		f["licence_expires"] = "err.required"
	} else if _, ok := parseDay(sp.LicenceExpires); !ok {
		f["licence_expires"] = "err.date_format"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return sp, s.Store.AddSupplier(ctx, sp, a.Entry("canteen.supplier.add", "canteen_supplier", sp.ID))
}

// ---- purchases ----

// PurchaseInput is a delivery and its inspection as typed.
type PurchaseInput struct {
	ReceivedOn, SupplierID, Item, Spec, Quantity, Batch, ProducedOn, ShelfDays, Storage, ReceiveTemp, Inspector string
	Accepted                                                                                                    bool
	RejectReason, Override                                                                                      string
}

// Storages lists the storage classes of goods.
var Storages = []string{Ambient, Chilled, Frozen}

// AddPurchase records a delivery with its incoming inspection. A supplier
// whose licence had expired on the day is refused unless Override gives
// a reason; chilled and frozen goods need their receiving temperature,
// and goods received too warm or past their expiry cannot be accepted.
func (s *Service) AddPurchase(ctx context.Context, a auth.Actor, in PurchaseInput) (*Purchase, error) {
	const op = "canteen.AddPurchase"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	set, today := s.set(), s.today()
	f := form.Fields{}
	p := &Purchase{ID: id.New(), ReceivedOn: f.Day("received_on", in.ReceivedOn, today, true), Item: f.Text("item", in.Item, true, 100),
		Spec: f.Text("spec", in.Spec, false, 100), Quantity: f.Text("quantity", in.Quantity, true, 40), Batch: f.Text("batch", in.Batch, false, 60),
		ProducedOn: f.Day("produced_on", in.ProducedOn, today, false), Storage: f.Choice("storage", in.Storage, Storages),
		Inspector: f.Text("inspector", in.Inspector, true, 50), Accepted: in.Accepted, RejectReason: f.Text("reject_reason", in.RejectReason, false, 200),
		Override: f.Text("override", in.Override, false, 200), CreatedBy: a.Name, CreatedAt: s.now()}
	if p.ProducedOn != "" && p.ReceivedOn != "" && p.ProducedOn > p.ReceivedOn {
		f["produced_on"] = "canteen.err_produced_after"
	}
	if v := strings.TrimSpace(in.ShelfDays); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			f["shelf_days"] = "canteen.err_shelf_days"
		}
		p.ShelfDays = n
		if n > 0 && p.ProducedOn == "" {
			f["produced_on"] = "err.required"
		}
	}
	p.ExpiresOn = ExpiresOn(p.ProducedOn, p.ShelfDays)
	if p.Accepted { // stock on hand: the amount, when it reads as one
		p.QtyMilli, p.QtyUnit, _ = ParseQuantity(p.Quantity)
	}
	if p.Storage == Chilled || p.Storage == Frozen {
		if c, ok := number(f, "receive_temp", in.ReceiveTemp, MinReadingC, MaxReadingC, true); ok {
			p.ReceiveTemp = &c
			if p.Accepted && !set.ReceiveTempOK(p.Storage, c) {
				f["receive_temp"] = "canteen.err_receive_warm"
			}
		}
	}
	if p.Accepted && p.ExpiresOn != "" && p.ReceivedOn != "" && p.ExpiresOn < p.ReceivedOn {
		f["shelf_days"] = "canteen.err_received_expired"
	}
	if !p.Accepted && p.RejectReason == "" {
		f["reject_reason"] = "canteen.err_reject_reason"
	}
	sp, err := s.Store.SupplierByID(ctx, strings.TrimSpace(in.SupplierID))
	switch {
	case errs.Is(errs.NotFound, err) || strings.TrimSpace(in.SupplierID) == "":
		f["supplier_id"] = "err.invalid_choice"
	case err != nil:
		return nil, err
	default:
		p.SupplierID, p.SupplierName = sp.ID, sp.Name
		if p.ReceivedOn != "" && set.ValidityOn(sp.LicenceExpires, p.ReceivedOn) == Expired && p.Override == "" {
			f["override"] = "canteen.err_licence_expired"
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	p.RetainUntil = set.RetainUntil(p.ReceivedOn, p.ExpiresOn)
	e := a.Entry("canteen.purchase.add", "canteen_purchase", p.ID)
	if p.Override != "" {
		e.Detail = "licence_override"
	}
	return p, s.Store.AddPurchase(ctx, p, e)
}

// DeletePurchase deletes a purchase record once its retention has ended;
// before that: Conflict.
func (s *Service) DeletePurchase(ctx context.Context, a auth.Actor, pid string) error {
	const op = "canteen.DeletePurchase"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return err
	}
	p, err := s.Store.PurchaseByID(ctx, pid)
	if err != nil {
		return err
	}
	if !MayDelete(p.RetainUntil, s.today()) {
		return errs.E(errs.Conflict, op, "canteen.err_retain")
	}
	var photos []*PurchaseFile
	if s.More != nil {
		if photos, err = s.More.PurchaseFiles(ctx, []string{pid}); err != nil {
			return err
		}
	}
	if err := s.Store.DeletePurchase(ctx, pid, a.Entry("canteen.purchase.delete", "canteen_purchase", pid)); err != nil {
		return err
	}
	for _, f := range photos { // the record is gone: its photos go too
		if s.Files != nil {
			_ = s.Files.Delete(ctx, f.Name)
		}
	}
	return nil
}

// ---- cold units and temperatures ----

// AddColdUnit registers a fridge or freezer and its temperature duty.
func (s *Service) AddColdUnit(ctx context.Context, a auth.Actor, name, kind string, forSamples bool) (*ColdUnit, error) {
	const op = "canteen.AddColdUnit"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	u := &ColdUnit{ID: id.New(), Name: f.Text("unit_name", name, true, 50), Kind: f.Choice("unit_kind", kind, []string{Chilled, Frozen}), ForSamples: forSamples}
	if forSamples && u.Kind != Chilled {
		f["unit_kind"] = "canteen.err_sample_fridge"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddColdUnit(ctx, u, a.Entry("canteen.unit.add", "canteen_unit", u.ID)); err != nil {
		return nil, err
	}
	if s.Duties != nil {
		if err := s.ensureTempDuty(ctx, u, s.now()); err != nil {
			return u, err
		}
	}
	return u, nil
}

// ReadingInput is a temperature as typed or posted by a sensor.
type ReadingInput struct{ UnitID, At, TempC string }

// RecordReading stores a cold unit's temperature, by hand (canteen.manage)
// or from a sensor's API key (scope canteen.sensor). A reading outside
// MinReadingC–MaxReadingC (70 °C in a fridge) is refused; one outside the
// unit's range is stored and raises an alert.
func (s *Service) RecordReading(ctx context.Context, a auth.Actor, in ReadingInput) (*Reading, error) {
	const op = "canteen.RecordReading"
	source := "hand"
	if a.Role == auth.RolePartner {
		if !slices.Contains(a.Scopes, auth.ScopeCanteenSensor) {
			return nil, errs.E(errs.Forbidden, op, "err.forbidden")
		}
		source = "sensor"
	} else if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	now := s.now()
	r := &Reading{ID: id.New(), At: f.Time("at", in.At, now, CST), Source: source, By: a.Name}
	r.TempC, _ = number(f, "temp_c", in.TempC, MinReadingC, MaxReadingC, true)
	if f["temp_c"] == "canteen.err_number" {
		f["temp_c"] = "canteen.err_reading"
	}
	units, err := s.Store.ColdUnits(ctx)
	if err != nil {
		return nil, err
	}
	unit := strings.TrimSpace(in.UnitID) // a unit's id, or its name as registered (what a sensor is set up with)
	i := slices.IndexFunc(units, func(u *ColdUnit) bool { return u.ID == unit })
	if i < 0 && unit != "" {
		i = slices.IndexFunc(units, func(u *ColdUnit) bool { return u.Name == unit })
	}
	if i < 0 {
		f["unit_id"] = "err.invalid_choice"
	} else {
		r.UnitID, r.UnitName = units[i].ID, units[i].Name
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	r.OutOfRange = !s.set().InRange(units[i].Kind, r.TempC)
	e := a.Entry("canteen.reading.add", "canteen_unit", r.UnitID)
	if r.OutOfRange {
		e.Detail = "out_of_range"
	}
	if err := s.Store.AddReading(ctx, r, e); err != nil {
		return nil, err
	}
	s.done(ctx, DutyTempLog, r.UnitID, r.At, a.Name, r.ID)
	return r, nil
}

// ---- meals and samples ----

// SampleInput is a dish's sample as typed: empty Grams means none taken.
type SampleInput struct {
	Grams  string
	Sealed bool
}

// DishInput is a dish and its sample.
type DishInput struct {
	Name string
	SampleInput
}

// MealInput is a meal as typed. The samples of a meal are taken at one
// time, by one sampler, checked by one reviewer, into one fridge.
type MealInput struct {
	Day, Kind, Served, Note              string
	SampledAt, Sampler, Reviewer, UnitID string
	Dishes                               []DishInput
}

// MaxDishes is the most dishes a meal form takes.
const MaxDishes = 8

// sampleCommon checks what every sample of a meal shares.
func (s *Service) sampleCommon(ctx context.Context, f form.Fields, sampledAt, sampler, reviewer, unitID string, now time.Time) (*Sample, error) {
	sm := &Sample{SampledAt: f.Time("sampled_at", sampledAt, now, CST), Sampler: f.Text("sampler", sampler, true, 50),
		Reviewer: f.Text("reviewer", reviewer, true, 50), UnitID: strings.TrimSpace(unitID)}
	units, err := s.Store.ColdUnits(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(units, func(u *ColdUnit) bool { return u.ID == sm.UnitID && u.Kind == Chilled }) {
		f["unit_id"] = "canteen.err_sample_fridge"
	}
	sm.DiscardAfter = s.set().DiscardAfter(sm.SampledAt)
	return sm, nil
}

func (s *Service) sampleOf(f form.Fields, key string, in SampleInput) (int, bool) {
	g := strings.TrimSpace(in.Grams)
	if g == "" {
		return 0, false
	}
	n, err := strconv.Atoi(g)
	switch {
	case err != nil || n < 0 || n > 5000:
		f[key+"grams"] = "canteen.err_number"
	case !s.set().SampleOK(n):
		f[key+"grams"] = "canteen.err_sample_grams"
	}
	if !in.Sealed {
		f[key+"sealed"] = "canteen.err_sealed"
	}
	return n, true
}

// RecordMeal stores a meal with its dishes and their samples, all or
// nothing. A sample under the minimum, unsealed, or not in a chilled
// fridge is refused; a dish without a sample is stored and raises an
// alert until one is added.
func (s *Service) RecordMeal(ctx context.Context, a auth.Actor, in MealInput) (*Meal, error) {
	const op = "canteen.RecordMeal"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	now := s.now()
	f := form.Fields{}
	m := &Meal{ID: id.New(), Day: f.Day("day", in.Day, Day(now), true), Kind: f.Choice("kind", in.Kind, MealKinds),
		Note: f.Text("note", in.Note, false, 200), CreatedBy: a.Name, CreatedAt: now}
	if n, ok := number(f, "served", in.Served, 0, 10000, true); ok {
		if n != float64(int(n)) {
			f["served"] = "canteen.err_number"
		}
		m.Served = int(n)
	}
	var common *Sample
	named := 0
	for i, d := range in.Dishes {
		key := "dish." + strconv.Itoa(i) + "."
		name := f.Text(key+"name", d.Name, false, 60)
		if name == "" {
			if strings.TrimSpace(d.Grams) != "" {
				f[key+"name"] = "err.required"
			}
			continue
		}
		named++
		dish := &Dish{ID: id.New(), MealID: m.ID, Name: name}
		if grams, ok := s.sampleOf(f, key, d.SampleInput); ok {
			if common == nil {
				var err error
				if common, err = s.sampleCommon(ctx, f, in.SampledAt, in.Sampler, in.Reviewer, in.UnitID, now); err != nil {
					return nil, err
				}
			}
			sm := *common
			sm.ID, sm.DishID, sm.Grams, sm.Sealed = id.New(), dish.ID, grams, true
			dish.Sample = &sm
		}
		m.Dishes = append(m.Dishes, dish)
	}
	if named == 0 {
		f["dish.0.name"] = "canteen.err_no_dishes"
	}
	if len(in.Dishes) > MaxDishes {
		f["dish.0.name"] = "canteen.err_many_dishes"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	in2, err := s.Store.InCareOn(ctx, m.Day)
	if err != nil {
		return nil, err
	}
	m.InCare = in2
	return m, s.Store.AddMeal(ctx, m, a.Entry("canteen.meal.add", "canteen_meal", m.ID))
}

// AddSample adds the sample of a dish that had none.
func (s *Service) AddSample(ctx context.Context, a auth.Actor, dishID string, in SampleInput, sampledAt, sampler, reviewer, unitID string) (*Sample, error) {
	const op = "canteen.AddSample"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	d, err := s.Store.DishByID(ctx, dishID)
	if err != nil {
		return nil, err
	}
	if d.Sample != nil {
		return nil, errs.E(errs.Conflict, op, "canteen.err_sampled")
	}
	f := form.Fields{}
	sm, err := s.sampleCommon(ctx, f, sampledAt, sampler, reviewer, unitID, s.now())
	if err != nil {
		return nil, err
	}
	grams, ok := s.sampleOf(f, "", in)
	if !ok {
		f["grams"] = "err.required"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	sm.ID, sm.DishID, sm.Grams, sm.Sealed = id.New(), d.ID, grams, true
	return sm, s.Store.AddSample(ctx, sm, a.Entry("canteen.sample.add", "canteen_sample", sm.ID))
}

// DiscardSample records a sample's discard by a. Before the keeping time
// is over it is refused (Conflict) and the refusal is written to the
// audit log, so that an attempted early discard is on record.
func (s *Service) DiscardSample(ctx context.Context, a auth.Actor, sampleID string) error {
	const op = "canteen.DiscardSample"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return err
	}
	sm, err := s.Store.SampleByID(ctx, sampleID)
	if err != nil {
		return err
	}
	if !sm.DiscardedAt.IsZero() {
		return errs.E(errs.Conflict, op, "canteen.err_discarded")
	}
	now := s.now()
	if !s.set().MayDiscard(sm.SampledAt, now) {
		if s.Audit != nil {
			e := a.Entry("canteen.sample.discard_refused", "canteen_sample", sm.ID)
			e.Detail = "early"
			if err := s.Audit.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return errs.E(errs.Conflict, op, "canteen.err_discard_early")
	}
	return s.Store.DiscardSample(ctx, sm.ID, now, a.Name, a.Entry("canteen.sample.discard", "canteen_sample", sm.ID))
}

// DiscardDue records the discard of every sample whose keeping time is
// over (the "samples due for discard" alert), in one go.
func (s *Service) DiscardDue(ctx context.Context, a auth.Actor) (int, error) {
	const op = "canteen.DiscardDue"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return 0, err
	}
	return s.Store.DiscardSamplesDue(ctx, s.now(), a.Name, a.Entry("canteen.sample.discard_due", "canteen_sample", ""))
}

// ---- food handlers ----

// AddHandler registers a food handler with their health certificate.
func (s *Service) AddHandler(ctx context.Context, a auth.Actor, name, certNo, certExpires string) (*Handler, error) {
	const op = "canteen.AddHandler"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	h := &Handler{ID: id.New(), Name: f.Text("handler_name", name, true, 50), CertNo: f.Text("cert_no", certNo, true, 40), Active: true}
	h.CertExpires = strings.TrimSpace(certExpires)
	if _, ok := parseDay(h.CertExpires); !ok {
		f["cert_expires"] = "err.date_format"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return h, s.Store.AddHandler(ctx, h, a.Entry("canteen.handler.add", "canteen_handler", h.ID))
}

// CheckInput is a morning check as typed.
type CheckInput struct {
	HandlerID string
	Symptoms  []string
	OnDuty    bool // put on the day's food work
}

// RecordCheck stores today's morning check of a handler. Putting a
// handler on duty is refused when a symptom was found or the health
// certificate has expired (valid through its expiry day).
func (s *Service) RecordCheck(ctx context.Context, a auth.Actor, in CheckInput) (*Check, error) {
	const op = "canteen.RecordCheck"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	now := s.now()
	f := form.Fields{}
	c := &Check{ID: id.New(), HandlerID: strings.TrimSpace(in.HandlerID), Day: Day(now), CheckedBy: a.Name, At: now}
	for _, sy := range in.Symptoms {
		if !slices.Contains(Symptoms, sy) {
			f["symptoms"] = "err.invalid_choice"
		} else if !slices.Contains(c.Symptoms, sy) {
			c.Symptoms = append(c.Symptoms, sy)
		}
	}
	h, err := s.Store.HandlerByID(ctx, c.HandlerID)
	switch {
	case errs.Is(errs.NotFound, err):
		f["handler_id"] = "err.invalid_choice"
	case err != nil:
		return nil, err
	case in.OnDuty && s.set().ValidityOn(h.CertExpires, c.Day) == Expired:
		f["on_duty"] = "canteen.err_cert_expired"
	case in.OnDuty && len(c.Symptoms) > 0:
		f["on_duty"] = "canteen.err_excluded"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	c.Fit = in.OnDuty
	if err := s.Store.SaveMorningCheck(ctx, c, a.Entry("canteen.check", "canteen_handler", c.HandlerID)); err != nil {
		return nil, err
	}
	s.done(ctx, DutyMorningCheck, "", now, a.Name, c.ID)
	return c, nil
}

// ---- disinfection ----

// DisinfectionInput is a disinfection as typed: temperature (°C),
// concentration (mg/L) and time (minutes, seconds).
type DisinfectionInput struct{ At, Method, TempC, MgL, Minutes, Seconds, Items string }

// RecordDisinfection stores a tableware disinfection, flagged when it
// falls short of its method's minimum.
func (s *Service) RecordDisinfection(ctx context.Context, a auth.Actor, in DisinfectionInput) (*Disinfection, error) {
	const op = "canteen.RecordDisinfection"
	if err := a.Require(op, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	now := s.now()
	d := &Disinfection{ID: id.New(), At: f.Time("at", in.At, now, CST), Method: f.Choice("method", in.Method, Methods),
		Items: f.Text("items", in.Items, false, 100), By: a.Name}
	if d.Method == MethodChlorine {
		d.MgL, _ = number(f, "mg_l", in.MgL, 0, 100000, true)
	} else {
		d.TempC, _ = number(f, "temp_c", in.TempC, 0, 300, true)
	}
	mins, _ := number(f, "minutes", in.Minutes, 0, 600, false)
	secs, _ := number(f, "seconds", in.Seconds, 0, 3600, false)
	d.Seconds = int(mins*60 + secs)
	if d.Seconds <= 0 && f["minutes"] == "" && f["seconds"] == "" {
		f["minutes"] = "err.required"
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	d.Below = s.set().Below(d.Method, d.TempC, d.MgL, d.Seconds)
	e := a.Entry("canteen.disinfection", "canteen_disinfection", d.ID)
	if d.Below {
		e.Detail = "below_minimum"
	}
	if err := s.Store.AddDisinfection(ctx, d, e); err != nil {
		return nil, err
	}
	s.done(ctx, DutyDisinfection, "", d.At, a.Name, d.ID)
	return d, nil
}
