package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/stats"
)

// The statistics dashboard (DESIGN.md §3.11): the leader's home page and
// /stats for the station's staff and dispatchers. Every chart is a
// section with a title, a one-line summary, the chart (drawn by
// static/dashboard.js from the JSON beside it) and the same figures as a
// table, so that a screen reader, a printout and a phone without script
// read what the chart shows.

// chart is one chart section.
type chart struct {
	ID      string        `json:"-"`
	Title   string        `json:"-"`
	Summary string        `json:"summary"`
	Type    string        `json:"type"` // line, bar, pie
	Percent bool          `json:"percent,omitempty"`
	X       []string      `json:"x"`
	Series  []chartSeries `json:"series"`
	Empty   bool          `json:"-"`
}

type chartSeries struct {
	Name   string  `json:"name"`
	Data   []int64 `json:"data"`
	Color  int     `json:"color"` // index into dashboard.js's palette (and app.css's .sw-N)
	Dashed bool    `json:"dashed,omitempty"`
}

// legendItem is one entry of a chart's HTML legend.
type legendItem struct {
	Name   string
	Color  int
	Dashed bool
}

// Legend lists the series, or a pie's slices.
func (c chart) Legend() []legendItem {
	var out []legendItem
	if c.Type == "pie" {
		for i, x := range c.X {
			out = append(out, legendItem{Name: x, Color: i % paletteSize})
		}
		return out
	}
	for _, s := range c.Series {
		out = append(out, legendItem{Name: s.Name, Color: s.Color, Dashed: s.Dashed})
	}
	return out
}

// paletteSize is how many colours dashboard.js and app.css share.
const paletteSize = 6

// JSON is the chart for dashboard.js.
func (c chart) JSON() template.JS {
	b, _ := json.Marshal(c)
	return template.JS(b)
}

// Rows is the chart as table rows: one per x value.
func (c chart) Rows() [][]string {
	out := make([][]string, len(c.X))
	for i, x := range c.X {
		row := []string{x}
		for _, s := range c.Series {
			row = append(row, strconv.FormatInt(s.Data[i], 10))
		}
		out[i] = row
	}
	return out
}

// tile is a headline figure as the page shows it.
type tile struct {
	Key, Name, Value, Unit string
	Change                 string // "比去年同期 +12%", empty when last year had none
	Up                     bool
	Href                   string // the records behind the number, for roles that may see them
}

type dashboardData struct {
	Heading     string
	Action      string // where the period form goes: / for the leader, /stats
	PeriodText  string
	Departments []stats.Department
	Tiles       []tile
	Charts      []chart
	Campaign    *stats.Campaign
	Services    []intake.ServiceType
	Failed      bool // the query was refused: the form with its errors only
	// On the leader's home page: budget lines at 80 % and 100 %, and the
	// spending waiting for the leader's approval.
	fundsWork
	// Overdue fire hazards rise to the leader (firesafety.OverdueHazards).
	FireHazards []firesafety.HazardRow
}

// defaultPeriod is the last twelve months: from the first of the month a
// year before this one, to today.
func defaultPeriod(now time.Time) stats.Period {
	l := now.In(stats.CST)
	first := time.Date(l.Year(), l.Month()-11, 1, 0, 0, 0, 0, stats.CST)
	return stats.Period{From: first.Format(time.DateOnly), To: l.Format(time.DateOnly)}
}

func (s *Server) statsPage(w http.ResponseWriter, r *http.Request) { s.dashboard(w, r, "/stats") }

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, action string) {
	ri := info(r)
	a := ri.actor
	now := s.Now()
	def := defaultPeriod(now)
	q, err := stats.ParseQuery(r.URL.Query().Get, def, now)
	depts, derr := s.Stats.Departments(r.Context(), a)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	d := dashboardData{Heading: "title.dashboard", Action: action, Departments: depts}
	var dash *stats.Dashboard
	if err == nil {
		var running *stats.Campaign
		c, cerr := s.Campaigns.Following(r.Context(), q.Period.From, q.Period.To)
		if cerr != nil {
			s.fail(w, r, cerr)
			return
		}
		if c != nil {
			from, to := c.Window()
			running = &stats.Campaign{Name: c.Name, From: from, To: to}
		}
		dash, err = s.Stats.Dashboard(r.Context(), a, q.Scope, running)
	}
	if action == "/" {
		var ferr error
		if d.fundsWork, ferr = s.fundsWorkOf(r); ferr != nil {
			s.fail(w, r, ferr)
			return
		}
		if d.FireHazards, ferr = s.fireLeaderHazards(r); ferr != nil {
			s.fail(w, r, ferr)
			return
		}
	}
	v := s.newView(r, "title.dashboard", &d)
	v.Form.Set("from", q.Period.From)
	v.Form.Set("to", q.Period.To)
	for _, f := range []string{"from", "to", "department"} {
		if x := r.URL.Query().Get(f); x != "" || f == "department" {
			v.Form.Set(f, x)
		}
	}
	if err != nil {
		if !errs.Is(errs.Invalid, err) {
			s.fail(w, r, err)
			return
		}
		d.Failed = true
		v.Errors, v.Message = errs.FieldsOf(err), "err.form"
		s.render(w, r, http.StatusBadRequest, "dashboard", v)
		return
	}
	d.Campaign, d.Services = dash.Campaign, intake.Services
	t := func(key string, args ...any) string { return s.Catalog.T(ri.lang, key, args...) }
	p, ly := dash.Scope.Period, dash.LastYear
	d.PeriodText = t("dash.period", fullDate(ri.lang, p.From), fullDate(ri.lang, p.To), fullDate(ri.lang, ly.From), fullDate(ri.lang, ly.To))
	v.Form.Set("from", p.From)
	v.Form.Set("to", p.To)
	for _, tl := range dash.Tiles {
		x := tile{Key: tl.Indicator.Key, Name: t(tl.Indicator.Name()), Value: tl.Indicator.Unit.Format(tl.Value), Unit: t("stat.unit." + string(tl.Indicator.Unit))}
		if tl.LastYear > 0 {
			ch := float64(tl.Value-tl.LastYear) / float64(tl.LastYear) * 100
			sign := "+"
			if ch < 0 {
				sign = "−"
				ch = -ch
			}
			x.Change, x.Up = t("dash.vs_last_year", sign+strconv.FormatFloat(ch, 'f', 0, 64)+"%"), tl.Value >= tl.LastYear
		}
		x.Href = drillDown(a, tl.Indicator.Key, dash.Scope)
		d.Tiles = append(d.Tiles, x)
	}
	d.Charts = dashboardCharts(dash, t, ri.lang, s)
	s.render(w, r, http.StatusOK, "dashboard", v)
}

// drillDown is the list of records behind a tile, for a role that may
// open them; others see the count only.
func drillDown(a auth.Actor, key string, sc stats.Scope) string {
	switch key {
	case "signals":
		if a.Can(auth.PermIncidentsView) {
			return "/incidents?state=all"
		}
	case "rescued", "rescued_people", "returned_home":
		if a.Can(auth.PermCasesView) {
			return "/people"
		}
	case "reunions":
		if a.Can(auth.PermFamilyView) {
			return "/family"
		}
	}
	return ""
}

// monthLabel reads YYYY-MM as "2026年3月" or "Mar 2026".
func monthLabel(lang, ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	if lang == "en" {
		return t.Format("Jan 2006")
	}
	return fmt.Sprintf("%d年%d月", t.Year(), int(t.Month()))
}

// fullDate reads YYYY-MM-DD as "2026年3月5日" or "5 Mar 2026".
func fullDate(lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "en" {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// dayLabel reads YYYY-MM-DD as "3月5日" or "5 Mar".
func dayLabel(lang, day string) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	if lang == "en" {
		return t.Format("2 Jan")
	}
	return fmt.Sprintf("%d月%d日", int(t.Month()), t.Day())
}

func dashboardCharts(d *stats.Dashboard, t func(string, ...any) string, lang string, s *Server) []chart {
	var out []chart
	// Monthly trends.
	tr := chart{ID: "trend", Title: t("dash.trend"), Type: "line"}
	for _, m := range d.Months {
		tr.X = append(tr.X, monthLabel(lang, m))
	}
	var parts []string
	for i, ms := range d.Trends {
		tr.Series = append(tr.Series, chartSeries{Name: t(ms.Indicator.Name()), Data: ms.Values, Color: i % paletteSize})
		var sum int64
		for _, v := range ms.Values {
			sum += v
		}
		parts = append(parts, t(ms.Indicator.Name())+" "+strconv.FormatInt(sum, 10))
	}
	tr.Summary = t("dash.trend_summary", len(d.Months), strings.Join(parts, t("list.sep")))
	out = append(out, tr)

	// A campaign's progress against the same days a year before.
	if d.Campaign != nil && len(d.CampaignDays) > 0 {
		pc := chart{ID: "campaign", Title: t("dash.campaign", d.Campaign.Name), Type: "line"}
		for _, day := range d.CampaignDays {
			pc.X = append(pc.X, dayLabel(lang, day))
		}
		parts = nil
		for i, p := range d.Progress {
			name := t(p.Indicator.Name())
			pc.Series = append(pc.Series, chartSeries{Name: name, Data: p.This, Color: i % paletteSize},
				chartSeries{Name: t("dash.last_year_of", name), Data: p.Prior, Color: i % paletteSize, Dashed: true})
			last := len(p.This) - 1
			parts = append(parts, t("dash.campaign_part", name, p.This[last], p.Prior[last]))
		}
		pc.Summary = t("dash.campaign_summary", len(d.CampaignDays), strings.Join(parts, t("list.sep")))
		out = append(out, pc)
	}

	// People in care, day by day (the end of each week when the period
	// is longer than three months).
	oc := chart{ID: "in_care", Title: t("dash.in_care"), Type: "line"}
	step := 1
	if len(d.Days) > 92 {
		step = 7
	}
	var peak int64
	peakDay := ""
	for i := len(d.Days) - 1; i >= 0; i -= step {
		oc.X = append([]string{dayLabel(lang, d.Days[i])}, oc.X...)
	}
	vals := make([]int64, 0, len(oc.X))
	for i := len(d.Days) - 1; i >= 0; i -= step {
		vals = append([]int64{d.InCare[i]}, vals...)
	}
	for i, v := range d.InCare {
		if v > peak || peakDay == "" {
			peak, peakDay = v, d.Days[i]
		}
	}
	oc.Series = []chartSeries{{Name: t("dash.in_care_series"), Data: vals}}
	if n := len(d.InCare); n > 0 {
		oc.Summary = t("dash.in_care_summary", d.InCare[n-1], peak, dayLabel(lang, peakDay))
	}
	out = append(out, oc)

	// The statutory deadlines, month by month: entered within a day,
	// notice within 24 hours, DNA within 7 working days (shares of the
	// stays whose deadline has come).
	if d.Overall != nil {
		dc := chart{ID: "deadlines", Title: t("dash.deadlines"), Type: "bar", Percent: true}
		for _, m := range d.Months {
			dc.X = append(dc.X, monthLabel(lang, m))
		}
		pct := func(f float64) int64 { return int64(f*100 + 0.5) }
		var entered, notice, dna []int64
		for _, k := range d.Compliance {
			k.Shares()
			entered, notice, dna = append(entered, pct(k.EnteredInDayShare)), append(notice, pct(k.NoticeShare)), append(dna, pct(k.DNAShare))
		}
		dc.Series = []chartSeries{{Name: t("kpi.entered_in_day"), Data: entered, Color: 0}, {Name: t("kpi.notice_24h"), Data: notice, Color: 1},
			{Name: t("kpi.dna_in_time"), Data: dna, Color: 2}}
		o := *d.Overall
		o.Shares()
		dc.Summary = t("dash.deadlines_summary", pct(o.EnteredInDayShare), o.EnteredInDay, o.Stays, pct(o.NoticeShare), o.NoticeInTime, o.NoticeDueOrLate,
			pct(o.DNAShare), o.DNAInTime, o.DNADueOrLate)
		out = append(out, dc)
	}

	// Help signals by channel.
	cm := chart{ID: "channels", Title: t("dash.channels"), Type: "pie"}
	var total int64
	var data []int64
	for _, r := range d.Channels {
		cm.X = append(cm.X, statGroup(s.Catalog, lang, "channel", r.Group))
		data = append(data, r.N)
		total += r.N
	}
	cm.Series = []chartSeries{{Name: t("stat.signals"), Data: data}}
	if total > 0 {
		cm.Summary = t("dash.channels_summary", total, cm.X[0], strconv.FormatFloat(float64(data[0])/float64(total)*100, 'f', 0, 64)+"%")
	} else {
		cm.Summary, cm.Empty = t("dash.no_signals"), true
	}
	out = append(out, cm)
	return out
}

// statsHeat answers the heat map's hexagons as JSON: each with a label,
// and the ten hottest told in words.
func (s *Server) statsHeat(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	now := s.Now()
	q, err := stats.ParseQuery(r.URL.Query().Get, defaultPeriod(now), now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hq := stats.HeatQuery{Scope: q.Scope, Layer: r.URL.Query().Get("layer"), ServiceCode: r.URL.Query().Get("kind")}
	f := map[string]string{}
	if hq.Layer == "" {
		hq.Layer = stats.LayerSignals
	}
	if hq.Layer != stats.LayerSignals && hq.Layer != stats.LayerEncounters {
		f["layer"] = "err.invalid_choice"
	}
	if _, ok := intake.ServiceByCode(hq.ServiceCode); hq.ServiceCode != "" && (!ok || hq.Layer != stats.LayerSignals) {
		f["kind"] = "err.invalid_choice"
	}
	if len(f) > 0 {
		s.fail(w, r, errs.InvalidFields("web.statsHeat", f))
		return
	}
	hexes, err := s.Stats.Heat(r.Context(), ri.actor, hq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	t := func(key string, args ...any) string { return s.Catalog.T(ri.lang, key, args...) }
	type hexOut struct {
		stats.Hex
		Label string `json:"label"`
	}
	out := make([]hexOut, 0, len(hexes))
	var top []string
	var total int64
	g := s.Gazetteer
	if g == nil {
		g = geo.Xinxiang()
	}
	for i, h := range hexes {
		where := t("dash.heat_here")
		if name, ok := g.NearestPlace(geo.Point{Lat: h.Lat, Lng: h.Lng}, 600); ok {
			where = t("dash.heat_near", name)
		} else if name, ok := g.NearestPlace(geo.Point{Lat: h.Lat, Lng: h.Lng}, 3000); ok {
			where = t("dash.heat_around", name)
		}
		label := t("dash.heat_label", where, h.N)
		out = append(out, hexOut{Hex: h, Label: label})
		if i < 10 {
			top = append(top, label)
		}
		total += h.N
	}
	summary := t("dash.heat_none")
	if len(hexes) > 0 {
		summary = t("dash.heat_summary", total, len(hexes))
	}
	writeJSON(w, http.StatusOK, map[string]any{"hexes": out, "top": top, "summary": summary})
}
