package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/stats"
)

// The monthly statistics report (/stats/monthly) and the outcome
// measures (/stats/outcomes). The figures come from internal/stats; this
// file only puts them in words.

// monthlyRow is a breakdown row in words.
type monthlyRow struct {
	Label string
	N     int64
	Share string
}

// monthlyTable is a breakdown in words.
type monthlyTable struct {
	Key      string
	Rows     []monthlyRow
	Total    int64
	Additive bool
}

type monthlyData struct {
	View     *stats.MonthlyView
	Month    string // as asked, YYYY-MM
	MonthTxt string // in words
	Station  *auth.Department
	Stations []*auth.Department // the leader picks one
	Tables   []monthlyTable
	Shown    *stats.MonthlyFigures
	Query    string // month, version and station of the figures shown
	Print    bool   // the A4 sheet only
}

func (d *monthlyData) XLSXURL() string  { return "/stats/monthly/xlsx?" + d.Query }
func (d *monthlyData) PrintURL() string { return "/stats/monthly/print?" + d.Query }

// stationFor picks the station a monthly report is for: the station a
// staff member works at, else the one asked for (dept), else the first.
func (s *Server) stationFor(r *http.Request) (*auth.Department, []*auth.Department, error) {
	ri := info(r)
	depts, err := s.Auth.ListDepartments(r.Context(), ri.actor)
	if err != nil {
		return nil, nil, err
	}
	var stations []*auth.Department
	var own, asked *auth.Department
	for _, d := range depts {
		if d.Kind == "station" {
			stations = append(stations, d)
		}
		if d.ID == ri.actor.DepartmentID {
			own = d
		}
		if d.ID == r.FormValue("dept") && d.Kind == "station" {
			asked = d
		}
	}
	switch {
	case ri.actor.Can(auth.PermMonthlySubmit) && own != nil:
		return own, nil, nil // staff report for their own station
	case asked != nil:
		return asked, stations, nil
	case r.FormValue("dept") != "":
		return nil, nil, errs.InvalidFields("web.stationFor", map[string]string{"dept": "err.unknown_department"})
	case len(stations) > 0:
		return stations[0], stations, nil
	case own != nil:
		return own, nil, nil
	}
	return nil, nil, errs.E(errs.NotFound, "web.stationFor", "err.not_found")
}

func (s *Server) monthlyPage(w http.ResponseWriter, r *http.Request) {
	s.showMonthly(w, r, http.StatusOK, nil, "")
}

// monthlyFigures opens the month asked for (month, version, dept).
func (s *Server) monthlyFigures(r *http.Request) (*monthlyData, error) {
	ri := info(r)
	if err := ri.actor.RequireAny("web.monthly", auth.PermMonthlyView, auth.PermMonthlySubmit); err != nil {
		return nil, err
	}
	st, stations, err := s.stationFor(r)
	if err != nil {
		return nil, err
	}
	month := r.FormValue("month")
	if month == "" {
		month = stats.LastMonth(s.Now())
	}
	d := &monthlyData{Month: month, Station: st, Stations: stations}
	version, _ := strconv.Atoi(r.FormValue("version"))
	d.View, err = s.Monthly.View(r.Context(), ri.actor, st.ID, month, max(version, 0))
	if err != nil {
		return d, err
	}
	t := func(key string, args ...any) string { return s.Catalog.T(ri.lang, key, args...) }
	d.Shown = d.View.Figures()
	d.MonthTxt = stats.MonthWords(t, d.View.Month)
	q := url.Values{"month": {d.View.Month}, "dept": {st.ID}}
	if d.View.Shown != nil {
		q.Set("version", strconv.Itoa(d.View.Shown.Version))
	}
	d.Query = q.Encode()
	for _, tb := range d.Shown.Tables {
		mt := monthlyTable{Key: tb.Key, Total: tb.Total, Additive: tb.Key != stats.MonthlySpecial.Key}
		for _, c := range tb.Rows {
			mt.Rows = append(mt.Rows, monthlyRow{Label: stats.RowLabel(t, tb.Key, c.Group), N: c.N,
				Share: stats.SharePercent(stats.Share(c.N, d.Shown.Helped))})
		}
		d.Tables = append(d.Tables, mt)
	}
	return d, nil
}

func (s *Server) showMonthly(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	d, err := s.monthlyFigures(r)
	if err != nil && !errs.Is(errs.Invalid, err) {
		s.fail(w, r, err)
		return
	}
	if d == nil {
		d = &monthlyData{}
	}
	v := s.newView(r, "title.monthly", d)
	v.keep(r, "month")
	if v.Val("month") == "" {
		v.Form.Set("month", stats.LastMonth(s.Now()))
	}
	if err != nil { // a month not over, or not a month: said, nothing shown
		code, fields, msg = http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form"
		d.View = nil
	}
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "note")
	}
	v.Notice = map[string]string{"submitted": "monthly.saved"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "monthly_report", v)
}

func (s *Server) monthlySubmit(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	if err := ri.actor.Require("web.monthlySubmit", auth.PermMonthlySubmit); err != nil {
		s.fail(w, r, err)
		return
	}
	st, _, err := s.stationFor(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Monthly.Submit(r.Context(), ri.actor, st.ID, r.FormValue("month"), r.FormValue("note"))
	if err != nil {
		s.refused(w, r, err, s.showMonthly)
		return
	}
	http.Redirect(w, r, "/stats/monthly?"+url.Values{"month": {rep.Month}, "version": {strconv.Itoa(rep.Version)}, "notice": {"submitted"}}.Encode(), http.StatusSeeOther)
}

func (s *Server) monthlyXLSX(w http.ResponseWriter, r *http.Request) {
	d, err := s.monthlyFigures(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ri := info(r)
	h := stats.MonthlyHeader{Station: d.Station.Name}
	if ri.lang == "en" && d.Station.NameEn != "" {
		h.Station = d.Station.NameEn
	}
	if sh := d.View.Shown; sh != nil {
		h.Version, h.SubmittedBy, h.SubmittedAt = sh.Version, sh.SubmittedBy, sh.SubmittedAt.In(chinaTime).Format("2006-01-02 15:04")
	}
	b, err := d.Shown.XLSX(func(key string, args ...any) string { return s.Catalog.T(ri.lang, key, args...) }, h)
	if err != nil {
		s.fail(w, r, errs.Wrap(errs.Internal, "web.monthlyXLSX", err))
		return
	}
	name := "monthly-" + d.View.Month
	if h.Version > 0 {
		name += "-v" + strconv.Itoa(h.Version)
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

func (s *Server) monthlyPrint(w http.ResponseWriter, r *http.Request) {
	d, err := s.monthlyFigures(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d.Print = true
	s.render(w, r, http.StatusOK, "monthly_report", s.newView(r, "title.monthly", d))
}

// ---- outcome measures ----

// outcomeRow is a measure in words.
type outcomeRow struct {
	stats.MeasureValue
	Value, LastYear, Target string
	Counts                  string // "12 / 40" behind a share
}

// bandRow is a distribution's row in words.
type bandRow struct {
	Key              string
	N, LastYear      int64
	Share, LastShare string
}

type outcomesData struct {
	Report                  *stats.OutcomeReport
	Rows                    []outcomeRow
	LOS, Returns, FirstTime []bandRow
	Station                 *auth.Department
	From                    string
	To                      string
}

func (s *Server) outcomesPage(w http.ResponseWriter, r *http.Request) {
	s.showOutcomes(w, r, http.StatusOK, nil, "")
}

// measureText puts a measure's value in words: a share as a percentage,
// a time in days.
func (s *Server) measureText(lang string, unit stats.Unit, v int64) string {
	if unit == stats.UnitBasisPoints {
		return stats.SharePercent(v)
	}
	return s.Catalog.T(lang, "outcome.days", strconv.FormatFloat(float64(v)/100, 'f', 1, 64))
}

func (s *Server) showOutcomes(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	now := s.Now()
	from, to := r.FormValue("from"), r.FormValue("to")
	if from == "" && to == "" { // this year to date
		l := now.In(chinaTime)
		from, to = time.Date(l.Year(), 1, 1, 0, 0, 0, 0, chinaTime).Format(time.DateOnly), l.Format(time.DateOnly)
	}
	d := &outcomesData{From: from, To: to}
	v := s.newView(r, "title.outcomes", d)
	v.Form.Set("from", from)
	v.Form.Set("to", to)
	p, err := stats.ParsePeriod(from, to, now)
	if err == nil {
		var st *auth.Department
		if st, _, err = s.stationFor(r); err == nil {
			d.Station = st
			d.Report, err = s.Outcomes.Report(r.Context(), ri.actor, p, st.ID)
		}
	}
	switch {
	case errs.Is(errs.Invalid, err):
		code, fields, msg = http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form"
	case err != nil:
		s.fail(w, r, err)
		return
	}
	if d.Report != nil {
		for _, m := range d.Report.Measures {
			row := outcomeRow{MeasureValue: m, Value: s.measureText(ri.lang, m.Unit, m.Value), LastYear: s.measureText(ri.lang, m.Unit, m.LastYear)}
			if m.Target != nil {
				row.Target = s.measureText(ri.lang, m.Unit, m.Target.Target)
			}
			if m.Unit == stats.UnitBasisPoints {
				row.Counts = strconv.FormatInt(m.Num, 10) + " / " + strconv.FormatInt(m.Den, 10)
			}
			d.Rows = append(d.Rows, row)
		}
		bands := func(bs []stats.Band) []bandRow {
			out := make([]bandRow, len(bs))
			for i, b := range bs {
				out[i] = bandRow{Key: b.Key, N: b.N, LastYear: b.LastYear, Share: stats.SharePercent(b.Share), LastShare: stats.SharePercent(b.LastShr)}
			}
			return out
		}
		d.LOS, d.Returns, d.FirstTime = bands(d.Report.LOS), bands(d.Report.Returns), bands(d.Report.FirstTime)
	}
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "measure", "target")
	}
	v.Notice = map[string]string{"target": "outcome.target_saved"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "outcomes", v)
}

func (s *Server) outcomeTargetSet(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Outcomes.SetTarget(r.Context(), info(r).actor, r.FormValue("measure"), r.FormValue("target")); err != nil {
		s.refused(w, r, err, s.showOutcomes)
		return
	}
	http.Redirect(w, r, "/stats/outcomes?"+url.Values{"from": {r.FormValue("from")}, "to": {r.FormValue("to")}, "notice": {"target"}}.Encode(), http.StatusSeeOther)
}
