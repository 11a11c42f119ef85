package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/stats"
)

// Campaign reports (DESIGN.md §3.11): every indicator of the catalogue
// over a campaign's window (or a period chosen on the page) and a
// department, per department and in total, with the daily curve; as a
// page, an XLSX workbook and an A4 print. The statistics API gives the
// same figures as JSON to the bureau's own tools.

// campaignReportData is what the campaign report page shows.
type campaignReportData struct {
	Campaign              *campaigns.Campaign
	Report                *stats.Report // nil when the query was refused
	Departments           []stats.Department
	Page, XLSX, PrintHref string // the report's three forms, with the page's query
	Print                 bool
}

// campaignReportQuery reads the report's query: the campaign's window
// unless the page chose a period.
func (s *Server) campaignReportQuery(r *http.Request, c *campaigns.Campaign) (stats.Query, error) {
	from, to := c.Window()
	return stats.ParseQuery(r.URL.Query().Get, stats.Period{From: from, To: to}, s.Now())
}

// campaignReportOf finds the campaign and counts its report; on a
// refused query the error is Invalid and the report nil.
func (s *Server) campaignReportOf(r *http.Request) (*campaigns.Campaign, *stats.Report, error) {
	a := info(r).actor
	if err := s.Stats.Authorize(a); err != nil {
		return nil, nil, err
	}
	c, err := s.Campaigns.ByID(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	q, err := s.campaignReportQuery(r, c)
	if err != nil {
		return c, nil, err
	}
	rep, err := s.Stats.Report(r.Context(), a, c.Name, q.Scope)
	return c, rep, err
}

func (s *Server) campaignReport(w http.ResponseWriter, r *http.Request) { s.showReport(w, r, false) }
func (s *Server) campaignReportPrint(w http.ResponseWriter, r *http.Request) {
	s.showReport(w, r, true)
}

func (s *Server) showReport(w http.ResponseWriter, r *http.Request, print bool) {
	c, rep, err := s.campaignReportOf(r)
	if err != nil && (c == nil || !errs.Is(errs.Invalid, err)) {
		s.fail(w, r, err)
		return
	}
	depts, derr := s.Stats.Departments(r.Context(), info(r).actor)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	base, q := "/campaigns/"+url.PathEscape(c.ID)+"/report", reportQuery(r)
	if q != "" {
		q = "?" + q
	}
	d := campaignReportData{Campaign: c, Report: rep, Departments: depts, Page: base + q, XLSX: base + ".xlsx" + q, PrintHref: base + "/print" + q, Print: print}
	page, title := "stats_report", "title.campaign_report"
	if print {
		page, title = "stats_report_print", "title.campaign_report_print"
	}
	v := s.newView(r, title, d)
	from, to := c.Window()
	v.Form.Set("from", from)
	v.Form.Set("to", to)
	for _, f := range []string{"from", "to", "department"} {
		if x := r.URL.Query().Get(f); x != "" || f == "department" {
			v.Form.Set(f, x)
		}
	}
	code := http.StatusOK
	if err != nil { // a period or department refused: the form again, nothing counted
		v.Errors, v.Message, code = errs.FieldsOf(err), "err.form", http.StatusBadRequest
	}
	s.render(w, r, code, page, v)
}

// reportQuery keeps the page's own parameters for its links.
func reportQuery(r *http.Request) string {
	q := url.Values{}
	for _, f := range []string{"from", "to", "department"} {
		if v := r.URL.Query().Get(f); v != "" {
			q.Set(f, v)
		}
	}
	return q.Encode()
}

func (s *Server) campaignReportXLSX(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.campaignReportOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := info(r).lang
	b, err := rep.XLSX(s.statNames(lang))
	if err != nil {
		s.fail(w, r, errs.Wrap(errs.Internal, "web.campaignReportXLSX", err))
		return
	}
	name := "campaign-" + rep.Scope.Period.From + "-" + rep.Scope.Period.To + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"; filename*=UTF-8''`+url.PathEscape(c.Name+" "+rep.Scope.Period.From+"—"+rep.Scope.Period.To+".xlsx"))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// statNames puts report keys in lang's words.
func (s *Server) statNames(lang string) stats.Names {
	return stats.Names{
		T:          func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) },
		Department: func(d stats.Department) string { return statDeptName(s.Catalog, lang, d) },
		Group:      func(grouped, value string) string { return statGroup(s.Catalog, lang, grouped, value) },
	}
}

// statDeptName names a department in lang ("" is the records of none).
func statDeptName(cat *i18n.Catalog, lang string, d stats.Department) string {
	switch {
	case d.ID == "":
		return cat.T(lang, "stat.department_none")
	case lang == "en" && d.NameEn != "":
		return d.NameEn
	}
	return d.Name
}

// statGroup names a breakdown value: a channel, a kind of help, an exit,
// or an item (named by the catalogue of supplies itself).
func statGroup(cat *i18n.Catalog, lang, grouped, value string) string {
	if value == "" {
		return cat.T(lang, "stat.group.none")
	}
	var key string
	switch grouped {
	case "channel":
		key = "channel." + value
	case "exit":
		key = "exit." + value
	case "publicity":
		key = "publicity.kind_" + value
	case "kind":
		if svc, ok := intake.ServiceByCode(value); ok {
			return svc.Name(lang)
		}
	}
	if key != "" && cat.Has(key) {
		return cat.T(lang, key)
	}
	return value
}

// sparkline is the points of an SVG polyline drawing values in a box of
// w × h (the largest value at the top).
func sparkline(values []int64, max int64, w, h float64) string {
	if len(values) == 0 {
		return ""
	}
	var b strings.Builder
	step := w
	if len(values) > 1 {
		step = w / float64(len(values)-1)
	}
	for i, v := range values {
		y := h
		if max > 0 {
			y = h - float64(v)/float64(max)*h
		}
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(float64(i)*step, 'f', 1, 64) + "," + strconv.FormatFloat(y, 'f', 1, 64))
	}
	return b.String()
}

// ---- the statistics API ----

// apiIndicator is one indicator of the catalogue as the API lists it.
type apiIndicator struct {
	Key        string            `json:"key"`
	Name       map[string]string `json:"name"`
	Definition map[string]string `json:"definition"`
	Unit       stats.Unit        `json:"unit"`
	Additive   bool              `json:"additive"`
	Grouped    string            `json:"grouped,omitempty"`
}

func (s *Server) apiStatsIndicators(w http.ResponseWriter, r *http.Request) {
	ins, err := s.Stats.Indicators(info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiIndicator, 0, len(ins))
	for _, in := range ins {
		x := apiIndicator{Key: in.Key, Unit: in.Unit, Additive: in.Additive, Grouped: in.Grouped, Name: map[string]string{}, Definition: map[string]string{}}
		for _, l := range i18n.Languages {
			x.Name[l], x.Definition[l] = s.Catalog.T(l, in.Name()), s.Catalog.T(l, in.Def())
		}
		out = append(out, x)
	}
	writeJSON(w, http.StatusOK, map[string]any{"indicators": out})
}

// apiRow is one count of a figure: its day, department or group, and
// its value in the indicator's unit (integers: see the unit).
type apiRow struct {
	Day        string `json:"day,omitempty"`
	Department string `json:"department,omitempty"`
	Group      string `json:"group,omitempty"`
	Value      int64  `json:"value"`
}

type apiFigure struct {
	Key   string     `json:"key"`
	Unit  stats.Unit `json:"unit"`
	Total int64      `json:"total"`
	Rows  []apiRow   `json:"rows,omitempty"`
}

type apiPeriod struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// thisMonth is the default period of the API: the current month so far.
func thisMonth(now time.Time) stats.Period {
	l := now.In(stats.CST)
	return stats.Period{From: time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, stats.CST).Format(time.DateOnly), To: l.Format(time.DateOnly)}
}

func (s *Server) apiStatsFigures(w http.ResponseWriter, r *http.Request) {
	q, err := stats.ParseQuery(r.URL.Query().Get, thisMonth(s.Now()), s.Now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys, err := stats.ParseKeys(r.URL.Query().Get("keys"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fs, err := s.Stats.Figures(r.Context(), info(r).actor, keys, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]apiFigure, 0, len(fs))
	for _, f := range fs {
		x := apiFigure{Key: f.Indicator.Key, Unit: f.Indicator.Unit, Total: f.Total}
		if q.By != stats.ByTotal {
			for _, row := range f.Rows {
				x.Rows = append(x.Rows, apiRow{Day: row.Day, Department: row.DepartmentID, Group: row.Group, Value: row.N})
			}
		}
		out = append(out, x)
	}
	by := ""
	for k, v := range stats.Bys {
		if v == q.By {
			by = k
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"period": apiPeriod{q.Period.From, q.Period.To}, "department": q.DepartmentID, "by": by, "figures": out})
}

func (s *Server) apiStatsCampaign(w http.ResponseWriter, r *http.Request) {
	c, rep, err := s.campaignReportOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type line struct {
		Key          string           `json:"key"`
		Unit         stats.Unit       `json:"unit"`
		Total        int64            `json:"total"`
		ByDepartment map[string]int64 `json:"by_department"`
	}
	type dept struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		NameEn string `json:"name_en,omitempty"`
	}
	var lines []line
	for _, l := range rep.Lines {
		lines = append(lines, line{Key: l.Indicator.Key, Unit: l.Indicator.Unit, Total: l.Total, ByDepartment: l.ByDepartment})
	}
	var depts []dept
	for _, d := range rep.Departments {
		depts = append(depts, dept{ID: d.ID, Name: d.Name, NameEn: d.NameEn})
	}
	series := map[string][]int64{}
	for _, cv := range rep.Curves {
		series[cv.Indicator.Key] = cv.Values
	}
	breakdowns := map[string][]apiRow{}
	for _, b := range rep.Breakdowns {
		rows := []apiRow{}
		for _, g := range b.Rows {
			rows = append(rows, apiRow{Group: g.Group, Value: g.N})
		}
		breakdowns[b.Indicator.Key] = rows
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"campaign":    map[string]string{"id": c.ID, "kind": c.Kind, "name": c.Name, "starts_on": c.StartsOn, "ends_on": c.EndsOn},
		"period":      apiPeriod{rep.Scope.Period.From, rep.Scope.Period.To},
		"department":  rep.Scope.DepartmentID,
		"departments": depts,
		"lines":       lines,
		"daily":       map[string]any{"days": rep.Days, "series": series},
		"breakdowns":  breakdowns,
	})
}
