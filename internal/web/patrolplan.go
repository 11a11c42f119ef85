package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/patrolplan"
)

// ---- tonight's patrol plan (DESIGN.md §3.11) ----

type planRow struct {
	patrolplan.Row
	Rank      int
	Factors   string // the factors in words
	Breakdown string // how the score was made, in figures
}

type planPage struct {
	Plan     *patrolplan.Plan
	Rows     []planRow
	Weather  string // tonight's forecast in words; "" when none
	Warning  string // tonight's warning in words; "" when none
	CanEnter bool
	Warnings []string
	Levels   []string
	FirstDay string // the nights a forecast may be entered for
	LastDay  string
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	s.showPlan(w, r, http.StatusOK, nil, "")
}

func (s *Server) showPlan(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	p, err := s.Plan.Plan(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := planPage{Plan: p, CanEnter: ri.actor.Can(auth.PermWeatherEnter), Warnings: patrolplan.Warnings, Levels: patrolplan.Levels,
		FirstDay: p.Night, LastDay: nightPlus(p.Night, patrolplan.AheadNights)}
	if p.Forecast != nil {
		d.Weather = s.weatherWords(ri.lang, p.Forecast)
		d.Warning = s.warningWords(ri.lang, p.Forecast)
	}
	for i, row := range p.Rows {
		d.Rows = append(d.Rows, planRow{Row: row, Rank: i + 1, Factors: s.planFactors(ri.lang, p, row), Breakdown: s.Catalog.T(ri.lang, "plan.breakdown",
			row.Score.PeoplePts, patrolplan.Multiplier(row.Score.WeatherX), row.Score.VisitPts, row.Score.Total)})
	}
	v := s.newView(r, "title.plan", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "night", "min_c", "max_c", "warning", "level")
	} else {
		v.Form.Set("night", p.Night)
	}
	q := r.URL.Query()
	v.Notice = map[string]string{"saved": "notice.forecast_saved", "started": "notice.forecast_campaign_started",
		"running": "notice.forecast_campaign_running"}[q.Get("notice")]
	s.render(w, r, code, "plan", v)
}

func nightPlus(night string, n int) string {
	t, err := time.Parse(time.DateOnly, night)
	if err != nil {
		return night
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}

// planFactors puts a hotspot's factors in words: who sleeps there, when
// it was last visited, tonight's weather.
func (s *Server) planFactors(lang string, p *patrolplan.Plan, row patrolplan.Row) string {
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	var parts []string
	e := row.Exposure
	if e.People == 0 {
		parts = append(parts, t("plan.f_people_none", p.Nights))
	} else {
		people := t("plan.f_people", p.Nights, e.People)
		var of []string
		for _, x := range []struct {
			n   int
			key string
		}{{e.Elderly, "plan.f_elderly"}, {e.Minors, "plan.f_minors"}, {e.Ill, "plan.f_ill"}, {e.Refusers, "plan.f_refusers"}} {
			if x.n > 0 {
				of = append(of, t(x.key, x.n))
			}
		}
		if len(of) > 0 {
			people += t("plan.f_comma") + t("plan.f_of", strings.Join(of, t("list.sep")))
		}
		parts = append(parts, people)
	}
	switch d := row.Score.DaysAway; {
	case d < 0:
		parts = append(parts, t("plan.f_never"))
	case d == 0:
		parts = append(parts, t("plan.f_today"))
	default:
		parts = append(parts, t("plan.f_days", d))
	}
	if p.Forecast == nil {
		parts = append(parts, t("plan.f_no_forecast"))
	} else {
		parts = append(parts, s.weatherWords(lang, p.Forecast))
	}
	return strings.Join(parts, t("plan.f_sep"))
}

// weatherWords says a forecast: the low, the high on a hot day, the
// warning ("今夜最低−8 ℃，寒潮橙色预警").
func (s *Server) weatherWords(lang string, f *patrolplan.Forecast) string {
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	parts := []string{t("plan.f_low", celsius(f.MinC))}
	if f.Warning == patrolplan.Heat || f.MaxC > patrolplan.HeatAbove {
		parts = append(parts, t("plan.f_high", celsius(f.MaxC)))
	}
	if w := s.warningWords(lang, f); w != "" {
		parts = append(parts, w)
	}
	return strings.Join(parts, t("plan.f_comma"))
}

func (s *Server) warningWords(lang string, f *patrolplan.Forecast) string {
	if f.Warning == "" {
		return ""
	}
	return s.Catalog.T(lang, "plan.f_warning", s.Catalog.T(lang, "plan.warning_"+f.Warning), s.Catalog.T(lang, "plan.level_"+f.Level))
}

// celsius writes a temperature with a true minus sign (−8).
func celsius(c int) string { return strings.Replace(strconv.Itoa(c), "-", "−", 1) }

// planForecast is staff entering a night's forecast on the plan page.
func (s *Server) planForecast(w http.ResponseWriter, r *http.Request) {
	in := patrolplan.Input{Night: strings.TrimSpace(r.FormValue("night")), MinC: formTemp(r.FormValue("min_c")), MaxC: formTemp(r.FormValue("max_c")),
		Warning: r.FormValue("warning"), Level: r.FormValue("level")}
	if in.Warning == "" {
		in.Level = "" // the level list is ignored without a warning
	}
	saved, err := s.Plan.SaveForecast(r.Context(), info(r).actor, in)
	if err != nil && saved == nil {
		s.refused(w, r, err, s.showPlan)
		return
	}
	if err != nil { // stored, but the campaign could not be started
		s.Logger.Error("weather campaign", "request_id", info(r).id, "err", err)
	}
	notice := "saved"
	switch {
	case saved.Started:
		notice = "started"
	case saved.Campaign != nil:
		notice = "running"
	}
	http.Redirect(w, r, "/dispatch/plan?notice="+notice, http.StatusSeeOther)
}

// formTemp reads a temperature typed in a form: a whole number, with an
// ASCII, true or full-width minus. Anything else is out of range, so that
// the service names the field.
func formTemp(v string) int {
	v = strings.NewReplacer("−", "-", "－", "-", "＋", "+").Replace(strings.TrimSpace(v))
	n, err := strconv.Atoi(v)
	if err != nil || n < patrolplan.MinTemp-1 || n > patrolplan.MaxTemp+1 {
		return patrolplan.MaxTemp + 1
	}
	return n
}

// ---- the weather partner's API ----

// apiForecast is the body of POST /api/v1/weather/forecasts (docs/partners.md).
type apiForecast struct {
	Night   string          `json:"night"`
	MinC    json.RawMessage `json:"min_c"` // a whole number, not a string
	MaxC    json.RawMessage `json:"max_c"`
	Warning string          `json:"warning"`
	Level   string          `json:"level"`
}

// apiWarnings and apiLevels are the names a weather service may use.
var (
	apiWarnings = map[string]string{"": "", "none": "", "无": "", "cold_wave": patrolplan.ColdWave, "寒潮": patrolplan.ColdWave,
		"heat": patrolplan.Heat, "高温": patrolplan.Heat}
	apiLevels = map[string]string{"": "", "blue": "blue", "蓝色": "blue", "yellow": "yellow", "黄色": "yellow",
		"orange": "orange", "橙色": "orange", "red": "red", "红色": "red"}
)

// parseForecast reads a weather partner's post. Bad JSON, a missing or
// non-whole temperature, an unknown warning or level: Invalid with the
// field named; the service checks the rest.
func parseForecast(body []byte) (patrolplan.Input, error) {
	const op = "web.parseForecast"
	var req apiForecast
	if err := decodeStrict(body, &req); err != nil {
		return patrolplan.Input{}, errs.InvalidFields(op, map[string]string{"forecast": "err.json"})
	}
	f := map[string]string{}
	temp := func(field string, raw json.RawMessage) int {
		if len(raw) == 0 || string(raw) == "null" {
			f[field] = "err.required"
			return 0
		}
		v, err := strconv.ParseInt(string(raw), 10, 64) // "-8" in quotes, 8.5 or 1e1: not a whole number
		if err != nil || v < patrolplan.MinTemp || v > patrolplan.MaxTemp {
			f[field] = "err.temperature"
			return 0
		}
		return int(v)
	}
	in := patrolplan.Input{Night: strings.TrimSpace(req.Night), MinC: temp("min_c", req.MinC), MaxC: temp("max_c", req.MaxC)}
	if in.Night == "" {
		f["night"] = "err.required"
	}
	var ok bool
	if in.Warning, ok = apiWarnings[strings.ToLower(strings.TrimSpace(req.Warning))]; !ok {
		f["warning"] = "err.warning"
	}
	if in.Level, ok = apiLevels[strings.ToLower(strings.TrimSpace(req.Level))]; !ok {
		f["level"] = "err.warning_level"
	}
	if len(f) > 0 {
		return patrolplan.Input{}, errs.InvalidFields(op, f)
	}
	return in, nil
}

type apiForecastResult struct {
	Night    string       `json:"night"`
	MinC     int          `json:"min_c"`
	MaxC     int          `json:"max_c"`
	Warning  string       `json:"warning"` // "none", "cold_wave" or "heat"
	Level    string       `json:"level,omitempty"`
	Required bool         `json:"night_patrol_required"`
	Campaign *apiCampaign `json:"campaign,omitempty"`
}

// apiCampaign is the campaign a warning started or found running.
type apiCampaign struct {
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	StartsOn string `json:"starts_on"`
	EndsOn   string `json:"ends_on"`
	Started  bool   `json:"started"` // false: it was running already
}

// apiWeatherForecast receives a night's forecast and warning from a
// weather partner (scope weather.write): stored whole, or refused whole
// with the fields named.
func (s *Server) apiWeatherForecast(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	body, ok := s.partnerBody(w, r, "web.weather")
	if !ok {
		return
	}
	in, err := parseForecast(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	saved, err := s.Plan.SaveForecast(r.Context(), ri.actor, in)
	if err != nil && saved == nil {
		s.fail(w, r, err)
		return
	}
	if err != nil {
		s.Logger.Error("weather campaign", "request_id", ri.id, "err", err)
	}
	f := saved.Forecast
	res := apiForecastResult{Night: f.Night, MinC: f.MinC, MaxC: f.MaxC, Warning: f.Warning, Level: f.Level, Required: saved.Alert}
	if res.Warning == "" {
		res.Warning = "none"
	}
	if c := saved.Campaign; c != nil {
		res.Campaign = &apiCampaign{Kind: c.Kind, Name: c.Name, StartsOn: c.StartsOn, EndsOn: c.EndsOn, Started: saved.Started}
	}
	writeJSON(w, http.StatusCreated, res)
}

// ---- on the dispatch board ----

// nightAlert is the board's "night patrol required" item: tonight's
// warning at or above the alert level, in words; nil otherwise.
type nightAlert struct {
	Warning string
	Weather string
}

func (s *Server) boardNightAlert(r *http.Request) (*nightAlert, error) {
	if s.Plan == nil {
		return nil, nil
	}
	ri := info(r)
	f, err := s.Plan.Forecast(r.Context(), ri.actor, s.Plan.Tonight())
	if err != nil || !s.Plan.Alerting(f) {
		return nil, err
	}
	return &nightAlert{Warning: s.warningWords(ri.lang, f), Weather: s.weatherWords(ri.lang, f)}, nil
}
