package canteen

import (
	"context"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/duties"
)

// Alert kinds.
const (
	AlertLicenceExpiring = "licence_expiring"
	AlertLicenceExpired  = "licence_expired"
	AlertCertExpiring    = "cert_expiring"
	AlertCertExpired     = "cert_expired"
	AlertReading         = "reading_out"      // a cold unit out of range
	AlertNoSample        = "dish_no_sample"   // a served dish without a sample
	AlertDiscardDue      = "sample_discard"   // samples kept past their time: discard them
	AlertCheckMissing    = "check_missing"    // an active handler not checked today
	AlertDisinfection    = "disinfection_low" // a disinfection below its minimum
	AlertServedOver      = "served_over"      // more served than people in care
	AlertDutyOverdue     = "duty_overdue"     // a duty past due
	AlertExpiredStock    = "expired_stock"    // accepted goods past their expiry
)

// Alert is one thing that needs attention. Subject names it (a supplier,
// a dish, a unit), Day and At when it applies, N a figure.
type Alert struct {
	Kind    string
	Subject string
	Day     string
	At      time.Time
	N       float64
	Ref     string // the record's id, for a button
}

// DutyRow is a duty due today or overdue, with its state now.
type DutyRow struct {
	duties.Duty
	State duties.State
}

// HandlerRow is a handler with their certificate's validity and today's check.
type HandlerRow struct {
	*Handler
	Validity string
	Check    *Check
}

// Overview is the canteen page: today's duties and alerts, and what the
// canteen worker records on a phone.
type Overview struct {
	Today      string
	Duties     []DutyRow
	Alerts     []Alert
	Suppliers  []*Supplier
	Units      []*ColdUnit
	Readings   []*Reading // the last two days
	Meals      []*Meal    // the last seven days, newest first
	Kept       []*Sample  // samples not yet discarded
	Handlers   []HandlerRow
	Disinfects []*Disinfection            // the last two days
	Purchases  []*Purchase                // the last seven days
	Photos     map[string][]*PurchaseFile // the purchases' photos, by purchase
	Pests      []*Pest                    // the pest control log of the last three months
	Stock      []Batch                    // on hand
	Settings   Settings
}

// window of the lists and the alerts read.
const (
	readingDays = 2
	mealDays    = 7
)

// Overview reads the canteen page for those who may see it (the safety
// officer and the leader). Handlers' certificates and checks are health
// data: the read is audited.
func (s *Service) Overview(ctx context.Context, a auth.Actor) (*Overview, error) {
	const op = "canteen.Overview"
	if err := a.RequireAny(op, auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	now := s.now()
	set := s.set()
	o := &Overview{Today: Day(now), Settings: set}
	var err error
	if o.Duties, err = s.DutiesToday(ctx, a); err != nil {
		return nil, err
	}
	if o.Suppliers, err = s.Store.Suppliers(ctx); err != nil {
		return nil, err
	}
	if o.Units, err = s.Store.ColdUnits(ctx); err != nil {
		return nil, err
	}
	if o.Readings, err = s.Store.Readings(ctx, now.Add(-readingDays*24*time.Hour)); err != nil {
		return nil, err
	}
	from := dayPlus(o.Today, -mealDays+1)
	if o.Meals, err = s.Store.Meals(ctx, from, o.Today); err != nil {
		return nil, err
	}
	if o.Kept, err = s.Store.SamplesKept(ctx); err != nil {
		return nil, err
	}
	hs, err := s.Store.Handlers(ctx)
	if err != nil {
		return nil, err
	}
	checks, err := s.Store.MorningChecks(ctx, o.Today)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		row := HandlerRow{Handler: h, Validity: set.ValidityOn(h.CertExpires, o.Today)}
		if i := slices.IndexFunc(checks, func(c *Check) bool { return c.HandlerID == h.ID }); i >= 0 {
			row.Check = checks[i]
		}
		o.Handlers = append(o.Handlers, row)
	}
	if o.Disinfects, err = s.Store.Disinfections(ctx, now.Add(-readingDays*24*time.Hour)); err != nil {
		return nil, err
	}
	if o.Purchases, err = s.Store.Purchases(ctx, from, o.Today); err != nil {
		return nil, err
	}
	if s.More != nil {
		ids := make([]string, len(o.Purchases))
		for i, p := range o.Purchases {
			ids[i] = p.ID
		}
		fs, err := s.More.PurchaseFiles(ctx, ids)
		if err != nil {
			return nil, err
		}
		o.Photos = map[string][]*PurchaseFile{}
		for _, f := range fs {
			o.Photos[f.PurchaseID] = append(o.Photos[f.PurchaseID], f)
		}
		if o.Pests, err = s.More.PestLog(ctx, dayPlus(o.Today, -92), o.Today); err != nil {
			return nil, err
		}
		on, err := s.More.OnHand(ctx)
		if err != nil {
			return nil, err
		}
		o.Stock = batches(on, o.Today)
	}
	o.Alerts = s.alerts(o, now)
	if s.Audit != nil && len(hs) > 0 {
		if err := s.Audit.AppendAudit(ctx, a.Entry("canteen.view", "canteen_handler", "")); err != nil {
			return nil, err
		}
	}
	return o, nil
}

func dayPlus(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// alerts derives the alerts from what the overview read.
func (s *Service) alerts(o *Overview, now time.Time) []Alert {
	set := o.Settings
	var out []Alert
	for _, sp := range o.Suppliers {
		switch set.ValidityOn(sp.LicenceExpires, o.Today) {
		case Expired:
			out = append(out, Alert{Kind: AlertLicenceExpired, Subject: sp.Name, Day: sp.LicenceExpires})
		case Expiring:
			out = append(out, Alert{Kind: AlertLicenceExpiring, Subject: sp.Name, Day: sp.LicenceExpires})
		}
	}
	for _, h := range o.Handlers {
		if !h.Active {
			continue
		}
		switch h.Validity {
		case Expired:
			out = append(out, Alert{Kind: AlertCertExpired, Subject: h.Name, Day: h.CertExpires})
		case Expiring:
			out = append(out, Alert{Kind: AlertCertExpiring, Subject: h.Name, Day: h.CertExpires})
		}
		if h.Check == nil {
			out = append(out, Alert{Kind: AlertCheckMissing, Subject: h.Name, Day: o.Today})
		}
	}
	for _, r := range o.Readings {
		if r.OutOfRange {
			out = append(out, Alert{Kind: AlertReading, Subject: r.UnitName, At: r.At, N: r.TempC})
		}
	}
	for _, m := range o.Meals {
		for _, d := range m.Dishes {
			if d.Sample == nil {
				out = append(out, Alert{Kind: AlertNoSample, Subject: d.Name, Day: m.Day, Ref: d.ID})
			}
		}
		if m.Kind != Outreach && m.Served > m.InCare {
			out = append(out, Alert{Kind: AlertServedOver, Subject: m.Kind, Day: m.Day, N: float64(m.Served - m.InCare)})
		}
	}
	due := 0
	for _, sm := range o.Kept {
		if !now.Before(sm.DiscardAfter) {
			due++
		}
	}
	if due > 0 {
		out = append(out, Alert{Kind: AlertDiscardDue, N: float64(due)})
	}
	for _, d := range o.Disinfects {
		if d.Below {
			out = append(out, Alert{Kind: AlertDisinfection, Subject: d.Method, At: d.At})
		}
	}
	for _, b := range o.Stock {
		if b.Expired {
			out = append(out, Alert{Kind: AlertExpiredStock, Subject: b.Item, Day: b.ExpiresOn, Ref: b.ID})
		}
	}
	for _, p := range o.Purchases { // goods whose quantity is not counted as stock
		if p.Accepted && p.QtyMilli == 0 && p.ExpiresOn != "" && p.ExpiresOn < o.Today {
			out = append(out, Alert{Kind: AlertExpiredStock, Subject: p.Item, Day: p.ExpiresOn})
		}
	}
	return out
}

// DutiesToday lists the canteen's duties due by the end of today (CST),
// overdue ones first: what the safety officer's home shows.
func (s *Service) DutiesToday(ctx context.Context, a auth.Actor) ([]DutyRow, error) {
	if err := a.RequireAny("canteen.DutiesToday", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	if s.Duties == nil {
		return nil, nil
	}
	now := s.now()
	c := now.In(CST)
	end := time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, CST).AddDate(0, 0, 1)
	ds, err := s.Duties.DutiesDue(ctx, Area, end)
	if err != nil {
		return nil, err
	}
	out := make([]DutyRow, len(ds))
	for i, d := range ds {
		out[i] = DutyRow{Duty: *d, State: d.State(now)}
	}
	return out, nil
}

// Register is a month's records for print: the 留样记录表 (meals with
// their samples) or the purchase register.
type Register struct {
	Month     string // "2006-01"
	Year, Mon int
	Meals     []*Meal
	Purchases []*Purchase
	Units     map[string]string          // cold unit names by id
	Photos    map[string][]*PurchaseFile // the purchases' certificate and invoice photos, by purchase
}

// Register reads month's register for print.
func (s *Service) Register(ctx context.Context, a auth.Actor, month string) (*Register, error) {
	if err := a.RequireAny("canteen.Register", auth.PermCanteenView, auth.PermCanteenManage); err != nil {
		return nil, err
	}
	t, err := time.ParseInLocation("2006-01", month, CST)
	if err != nil {
		t, _ = time.ParseInLocation("2006-01", Day(s.now())[:7], CST)
	}
	r := &Register{Month: t.Format("2006-01"), Year: t.Year(), Mon: int(t.Month()), Units: map[string]string{}}
	from, to := t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly)
	if r.Meals, err = s.Store.Meals(ctx, from, to); err != nil {
		return nil, err
	}
	slices.Reverse(r.Meals) // oldest first on paper
	if r.Purchases, err = s.Store.Purchases(ctx, from, to); err != nil {
		return nil, err
	}
	slices.Reverse(r.Purchases)
	r.Photos = map[string][]*PurchaseFile{}
	if s.More != nil && len(r.Purchases) > 0 {
		ids := make([]string, len(r.Purchases))
		for i, p := range r.Purchases {
			ids[i] = p.ID
		}
		fs, err := s.More.PurchaseFiles(ctx, ids)
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			r.Photos[f.PurchaseID] = append(r.Photos[f.PurchaseID], f)
		}
	}
	us, err := s.Store.ColdUnits(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		r.Units[u.ID] = u.Name
	}
	return r, nil
}
