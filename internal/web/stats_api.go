package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/stats"
)

// The monthly statistics report and the outcome measures for other
// systems (scope statistics.read), beside the catalogue's figures and
// campaign reports (stats.go).

// apiStation is the station a statistics API request is about: the
// department named (which must be a station), or the first station.
func (s *Server) apiStation(r *http.Request) (stats.Department, error) {
	const op = "web.apiStation"
	ds, err := s.Stats.Departments(r.Context(), info(r).actor)
	if err != nil {
		return stats.Department{}, err
	}
	want := strings.TrimSpace(r.URL.Query().Get("department"))
	for _, d := range ds {
		if d.Kind == "station" && (want == "" || d.ID == want) {
			return d, nil
		}
	}
	return stats.Department{}, errs.InvalidFields(op, map[string]string{"department": "err.unknown_department"})
}

type apiMonthlyVersion struct {
	Version     int       `json:"version"`
	SubmittedAt time.Time `json:"submitted_at"`
	SubmittedBy string    `json:"submitted_by"`
	Note        string    `json:"note,omitempty"`
}

// apiStatsMonthly answers a month's report: the latest submitted version
// (what the station filed), or the figures from the records now when
// none was submitted yet; with the list of versions.
func (s *Server) apiStatsMonthly(w http.ResponseWriter, r *http.Request) {
	st, err := s.apiStation(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	month := strings.TrimSpace(r.URL.Query().Get("month"))
	if month == "" {
		month = stats.LastMonth(s.Now())
	}
	v, err := s.Monthly.View(r.Context(), info(r).actor, st.ID, month, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := map[string]any{"month": v.Month, "department": st.ID, "due_on": v.DueOn, "submitted": false, "figures": v.Live}
	versions := []apiMonthlyVersion{}
	for _, x := range v.Versions {
		versions = append(versions, apiMonthlyVersion{Version: x.Version, SubmittedAt: x.SubmittedAt.UTC(), SubmittedBy: x.SubmittedBy, Note: x.Note})
	}
	out["versions"] = versions
	if l := v.Latest(); l != nil {
		out["submitted"], out["version"], out["figures"], out["changed_since"] = true, l.Version, l.Figures, v.Changed
	}
	writeJSON(w, http.StatusOK, out)
}

type apiMeasure struct {
	Key      string     `json:"key"`
	Unit     stats.Unit `json:"unit"`
	Better   string     `json:"better"`
	Value    int64      `json:"value"`
	LastYear int64      `json:"last_year"`
	Target   *int64     `json:"target,omitempty"`
	Met      *bool      `json:"met,omitempty"`
}

type apiBand struct {
	Key      string `json:"key"`
	N        int64  `json:"n"`
	LastYear int64  `json:"last_year"`
}

// apiStatsOutcomes answers the outcome measures over a period (default:
// this year so far), each with last year's value and its target.
func (s *Server) apiStatsOutcomes(w http.ResponseWriter, r *http.Request) {
	now := s.Now()
	l := now.In(stats.CST)
	def := stats.Period{From: time.Date(l.Year(), 1, 1, 0, 0, 0, 0, stats.CST).Format(time.DateOnly), To: l.Format(time.DateOnly)}
	q, err := stats.ParseQuery(r.URL.Query().Get, def, now)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rep, err := s.Outcomes.Report(r.Context(), info(r).actor, q.Period, q.DepartmentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	measures := []apiMeasure{}
	for _, m := range rep.Measures {
		x := apiMeasure{Key: m.Key, Unit: m.Unit, Better: m.Better, Value: m.Value, LastYear: m.LastYear}
		if m.HasTarget && m.Target != nil {
			t, met := m.Target.Target, m.Met
			x.Target, x.Met = &t, &met
		}
		measures = append(measures, x)
	}
	bands := func(bs []stats.Band) []apiBand {
		out := []apiBand{}
		for _, b := range bs {
			out = append(out, apiBand{Key: b.Key, N: b.N, LastYear: b.LastYear})
		}
		return out
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"period":          apiPeriod{rep.Period.From, rep.Period.To},
		"last_year":       apiPeriod{rep.LastYear.From, rep.LastYear.To},
		"measures":        measures,
		"length_of_stay":  bands(rep.LOS),
		"returns":         bands(rep.Returns),
		"first_or_repeat": bands(rep.FirstTime),
	})
}
