package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/errs"
)

// ---- the canteen's food safety (DESIGN.md §3.7) ----

type canteenAlert struct {
	canteen.Alert
	Text string
}

type canteenDuty struct {
	canteen.DutyRow
	Text string
}

type canteenPage struct {
	O         *canteen.Overview
	Alerts    []canteenAlert
	Duties    []canteenDuty
	CanManage bool
	Dishes    []int // the dish rows of the meal form
	MealKinds []string
	Storages  []string
	Methods   []string
	Symptoms  []string
	Month     string
	Now       string // the time fields' default, CST
	Measures  []string
	Kinds     []string     // purchase photo kinds
	Days      []canteenDay // the meals by day: today first, open; the week's other days folded
	Newer     string       // the meal history's links: the page of days before Newer ("" for none: today's page)
	Older     string
	History   bool   // showing an older week
	HistTo    string // its last day
}

// canteenDay is a day's meals on the canteen page.
type canteenDay struct {
	Day   string
	Today bool
	Meals []*canteen.Meal
}

// mealDays groups meals (newest first) by day.
func mealDays(meals []*canteen.Meal, today string) []canteenDay {
	var out []canteenDay
	for _, m := range meals {
		if len(out) == 0 || out[len(out)-1].Day != m.Day {
			out = append(out, canteenDay{Day: m.Day, Today: m.Day == today})
		}
		out[len(out)-1].Meals = append(out[len(out)-1].Meals, m)
	}
	return out
}

func (s *Server) canteenPage(w http.ResponseWriter, r *http.Request) {
	s.showCanteen(w, r, http.StatusOK, nil, "")
}

// canteenFields are every form field of the page, kept when a form is refused.
var canteenFields = []string{"form", "day", "kind", "served", "note", "sampled_at", "sampler", "reviewer", "unit_id", "temp_c", "at",
	"handler_id", "method", "mg_l", "minutes", "seconds", "items", "received_on", "supplier_id", "item", "spec", "quantity", "batch",
	"produced_on", "shelf_days", "storage", "receive_temp", "inspector", "accepted", "reject_reason", "override", "name", "licence_no",
	"licence_expires", "contact", "phone", "handler_name", "cert_no", "cert_expires", "unit_name", "unit_kind", "for_samples", "dish_id", "grams", "sealed",
	"pest_day", "area", "findings", "company", "pest_by", "purchase_id", "file_kind"}

func (s *Server) showCanteen(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	o, err := s.Canteen.Overview(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := canteenPage{O: o, CanManage: ri.actor.Can(auth.PermCanteenManage), MealKinds: canteen.MealKinds, Storages: canteen.Storages,
		Methods: canteen.Methods, Symptoms: canteen.Symptoms, Month: o.Today[:7], Now: s.Now().In(chinaTime).Format("2006-01-02T15:04")}
	for i := range 6 {
		d.Dishes = append(d.Dishes, i)
	}
	d.Measures, d.Kinds = canteen.PestMeasures, canteen.PhotoKinds
	meals := o.Meals
	if before := r.URL.Query().Get("before"); before != "" {
		var from string
		if meals, from, d.HistTo, err = s.Canteen.MealHistory(r.Context(), ri.actor, before); err != nil {
			s.fail(w, r, err)
			return
		}
		d.History, d.Older = true, from
		if newer := dayAfter(from, 2*7); newer <= dayAfter(o.Today, -6) {
			d.Newer = newer // else the newer page is today's: /canteen
		}
	} else if len(meals) > 0 {
		d.Older = dayAfter(o.Today, -6)
	}
	d.Days = mealDays(meals, o.Today)
	for _, a := range o.Alerts {
		d.Alerts = append(d.Alerts, canteenAlert{Alert: a, Text: s.canteenAlertText(ri.lang, a)})
	}
	for _, du := range o.Duties {
		d.Duties = append(d.Duties, canteenDuty{DutyRow: du, Text: s.canteenDutyText(ri.lang, du)})
	}
	v := s.newView(r, "title.canteen", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, canteenFields...)
		for i := range canteen.MaxDishes {
			v.keep(r, "dish."+strconv.Itoa(i)+".name", "dish."+strconv.Itoa(i)+".grams", "dish."+strconv.Itoa(i)+".sealed")
		}
		for _, sy := range r.Form["symptoms"] {
			v.Form.Add("symptoms", sy)
		}
		for _, m := range r.Form["measures"] {
			v.Form.Add("measures", m)
		}
	}
	v.Notice = map[string]string{"saved": "canteen.saved", "discarded": "canteen.discarded", "deleted": "canteen.deleted", "attached": "canteen.attached"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "canteen", v)
}

// dayAfter is the day n days after day (before, for a negative n).
func dayAfter(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

func tempText(c float64) string {
	return strings.Replace(strconv.FormatFloat(c, 'f', -1, 64), "-", "−", 1)
}

// canteenAlertText puts an alert in words.
func (s *Server) canteenAlertText(lang string, a canteen.Alert) string {
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	key := "canteen.alert." + a.Kind
	switch a.Kind {
	case canteen.AlertReading:
		return t(key, a.Subject, a.At.In(chinaTime).Format("01-02 15:04"), tempText(a.N))
	case canteen.AlertDiscardDue:
		return t(key, int(a.N))
	case canteen.AlertServedOver:
		return t(key, a.Day, t("canteen.meal."+a.Subject), int(a.N))
	case canteen.AlertDisinfection:
		return t(key, t("canteen.method."+a.Subject), a.At.In(chinaTime).Format("01-02 15:04"))
	}
	return t(key, a.Subject, a.Day)
}

func (s *Server) dutyTitle(lang, title string) string {
	if strings.HasPrefix(title, "canteen.duty.") {
		return s.Catalog.T(lang, title)
	}
	return s.Catalog.T(lang, "canteen.duty.temp_log", title) // a cold unit's name
}

func (s *Server) canteenDutyText(lang string, d canteen.DutyRow) string {
	return s.dutyTitle(lang, d.Title)
}

// canteenPost takes every form of the canteen page; "form" says which.
func (s *Server) canteenPost(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), info(r).actor
	v := func(k string) string { return r.FormValue(k) }
	var err error
	notice := "saved"
	switch v("form") {
	case "meal":
		in := canteen.MealInput{Day: v("day"), Kind: v("kind"), Served: v("served"), Note: v("note"), SampledAt: v("sampled_at"),
			Sampler: v("sampler"), Reviewer: v("reviewer"), UnitID: v("unit_id")}
		for i := range canteen.MaxDishes {
			p := "dish." + strconv.Itoa(i) + "."
			if _, ok := r.Form[p+"name"]; !ok {
				break
			}
			in.Dishes = append(in.Dishes, canteen.DishInput{Name: v(p + "name"), SampleInput: canteen.SampleInput{Grams: v(p + "grams"), Sealed: v(p+"sealed") != ""}})
		}
		_, err = s.Canteen.RecordMeal(ctx, a, in)
	case "sample":
		_, err = s.Canteen.AddSample(ctx, a, v("dish_id"), canteen.SampleInput{Grams: v("grams"), Sealed: v("sealed") != ""},
			v("sampled_at"), v("sampler"), v("reviewer"), v("unit_id"))
	case "discard":
		err = s.Canteen.DiscardSample(ctx, a, v("sample_id"))
		notice = "discarded"
	case "discard_due":
		_, err = s.Canteen.DiscardDue(ctx, a)
		notice = "discarded"
	case "reading":
		_, err = s.Canteen.RecordReading(ctx, a, canteen.ReadingInput{UnitID: v("unit_id"), At: v("at"), TempC: v("temp_c")})
	case "check":
		_, err = s.Canteen.RecordCheck(ctx, a, canteen.CheckInput{HandlerID: v("handler_id"), Symptoms: r.Form["symptoms"], OnDuty: v("on_duty") != ""})
	case "disinfection":
		_, err = s.Canteen.RecordDisinfection(ctx, a, canteen.DisinfectionInput{At: v("at"), Method: v("method"), TempC: v("temp_c"), MgL: v("mg_l"),
			Minutes: v("minutes"), Seconds: v("seconds"), Items: v("items")})
	case "purchase":
		_, err = s.Canteen.AddPurchase(ctx, a, canteen.PurchaseInput{ReceivedOn: v("received_on"), SupplierID: v("supplier_id"), Item: v("item"),
			Spec: v("spec"), Quantity: v("quantity"), Batch: v("batch"), ProducedOn: v("produced_on"), ShelfDays: v("shelf_days"), Storage: v("storage"),
			ReceiveTemp: v("receive_temp"), Inspector: v("inspector"), Accepted: v("accepted") != "no", RejectReason: v("reject_reason"), Override: v("override")})
	case "purchase_delete":
		err = s.Canteen.DeletePurchase(ctx, a, v("purchase_id"))
		notice = "deleted"
	case "supplier":
		_, err = s.Canteen.AddSupplier(ctx, a, canteen.SupplierInput{Name: v("name"), LicenceNo: v("licence_no"), LicenceExpires: v("licence_expires"),
			Contact: v("contact"), Phone: v("phone")})
	case "handler":
		_, err = s.Canteen.AddHandler(ctx, a, v("handler_name"), v("cert_no"), v("cert_expires"))
	case "unit":
		_, err = s.Canteen.AddColdUnit(ctx, a, v("unit_name"), v("unit_kind"), v("for_samples") != "")
	case "pest":
		_, err = s.Canteen.RecordPest(ctx, a, canteen.PestInput{Day: v("pest_day"), Area: v("area"), Findings: v("findings"), Company: v("company"),
			By: v("pest_by"), Measures: r.Form["measures"]})
	default:
		if err = a.Require("web.canteen", auth.PermCanteenManage); err == nil {
			err = errs.InvalidFields("web.canteen", map[string]string{"form": "err.invalid_choice"})
		}
	}
	if err != nil {
		s.refused(w, r, err, s.showCanteen)
		return
	}
	http.Redirect(w, r, "/canteen?notice="+notice+"#"+v("form"), http.StatusSeeOther)
}

// canteenPrint is the A4 print of a month's register: the 留样记录表
// (samples) or the purchase register (purchases).
func (s *Server) canteenPrint(page string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reg, err := s.Canteen.Register(r.Context(), info(r).actor, r.URL.Query().Get("month"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, page, s.newView(r, "title."+page, reg))
	}
}

// canteenRecordsPrint is a month's pest-control log and self-check lists on
// A4.
func (s *Server) canteenRecordsPrint(w http.ResponseWriter, r *http.Request) {
	rec, err := s.Canteen.Records(r.Context(), info(r).actor, r.URL.Query().Get("month"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "canteen_records_print", s.newView(r, "title.canteen_records_print", rec))
}

// ---- the sensor's API ----

// apiReading is the body of POST /api/v1/canteen/temperatures
// (docs/partners.md): one reading of one cold unit.
type apiReading struct {
	Unit  string          `json:"unit"`   // the cold unit's id
	TempC json.RawMessage `json:"temp_c"` // a number
	At    string          `json:"at"`     // RFC 3339; empty: now
}

// parseReading reads a sensor's post: one JSON object, known fields, a
// numeric temperature; the service checks the rest.
func parseReading(body []byte) (canteen.ReadingInput, error) {
	const op = "web.parseReading"
	var req apiReading
	if err := decodeStrict(body, &req); err != nil {
		return canteen.ReadingInput{}, errs.InvalidFields(op, map[string]string{"reading": "err.json"})
	}
	f := map[string]string{}
	in := canteen.ReadingInput{UnitID: strings.TrimSpace(req.Unit), At: strings.TrimSpace(req.At)}
	raw := strings.TrimSpace(string(req.TempC))
	if raw == "" || raw == "null" {
		f["temp_c"] = "err.required"
	} else if _, err := strconv.ParseFloat(raw, 64); err != nil {
		f["temp_c"] = "canteen.err_number" // "4" in quotes is not a number
	} else {
		in.TempC = raw
	}
	if in.UnitID == "" {
		f["unit"] = "err.required"
	}
	if in.At != "" {
		if _, err := time.Parse(time.RFC3339, in.At); err != nil {
			f["at"] = "err.date"
		}
	}
	if len(f) > 0 {
		return canteen.ReadingInput{}, errs.InvalidFields(op, f)
	}
	return in, nil
}

type apiReadingResult struct {
	ID         string  `json:"id"`
	Unit       string  `json:"unit"`
	TempC      float64 `json:"temp_c"`
	At         string  `json:"at"`
	OutOfRange bool    `json:"out_of_range"`
}

// apiCanteenReading receives a cold unit's reading from a sensor key
// (scope canteen.sensor): stored, or refused with the fields named.
func (s *Server) apiCanteenReading(w http.ResponseWriter, r *http.Request) {
	body, ok := s.partnerBody(w, r, "web.canteen_reading")
	if !ok {
		return
	}
	in, err := parseReading(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rd, err := s.Canteen.RecordReading(r.Context(), info(r).actor, in)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiReadingResult{ID: rd.ID, Unit: rd.UnitID, TempC: rd.TempC, At: rd.At.Format(time.RFC3339), OutOfRange: rd.OutOfRange})
}

// ---- on the safety officer's home ----

// canteenHome is the home page's canteen block: today's and overdue
// duties and the alerts; nil for those who do not see the canteen.
type canteenHome struct {
	Duties []canteenDuty
	Alerts []canteenAlert
}

func (s *Server) canteenHomeBlock(r *http.Request) (*canteenHome, error) {
	ri := info(r)
	if s.Canteen == nil || !ri.actor.Can(auth.PermCanteenManage) {
		return nil, nil
	}
	o, err := s.Canteen.Overview(r.Context(), ri.actor)
	if err != nil {
		return nil, err
	}
	h := &canteenHome{}
	for _, d := range o.Duties {
		h.Duties = append(h.Duties, canteenDuty{DutyRow: d, Text: s.canteenDutyText(ri.lang, d)})
	}
	for _, a := range o.Alerts {
		h.Alerts = append(h.Alerts, canteenAlert{Alert: a, Text: s.canteenAlertText(ri.lang, a)})
	}
	return h, nil
}
