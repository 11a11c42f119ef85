package patrolplan

import (
	"context"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
)

// Defaults of the settings.
const (
	DefaultNights     = 14       // encounters of the last 14 nights
	DefaultAlertLevel = "yellow" // a yellow warning or worse needs a night patrol
)

// Service is tonight's patrol plan.
type Service struct {
	Store Store
	Now   func() time.Time
	// Nights is the window of encounters the plan looks at (default 14).
	Nights int
	// AlertLevel is the lowest warning level (one of Levels) that makes a
	// night patrol required; default yellow.
	AlertLevel string
	// Campaigns, when set, is started by an alert: a cold wave at or above
	// AlertLevel starts 寒冬送温暖, a heat warning 夏季送清凉, unless one of
	// that kind runs already. Nil: warnings start nothing.
	Campaigns *campaigns.Service
}

func (s *Service) nights() int {
	if s.Nights <= 0 {
		return DefaultNights
	}
	return s.Nights
}

func (s *Service) alertRank() int {
	if r := LevelRank(s.AlertLevel); r > 0 {
		return r
	}
	return LevelRank(DefaultAlertLevel)
}

// Alerting reports whether f's warning is at or above the alert level.
func (s *Service) Alerting(f *Forecast) bool {
	return f != nil && f.Warning != "" && LevelRank(f.Level) >= s.alertRank()
}

// Tonight names the night in progress or coming (NightOf now).
func (s *Service) Tonight() string { return NightOf(s.Now()) }

// Saved is what saving a forecast did.
type Saved struct {
	Forecast *Forecast
	Alert    bool                // its warning needs a night patrol
	Campaign *campaigns.Campaign // the matching campaign running now, when the alert has one
	Started  bool                // this forecast started Campaign
}

// campaignOf names the campaign a warning starts.
var campaignOf = map[string]struct{ kind, name string }{
	ColdWave: {campaigns.Winter, "寒冬送温暖专项救助行动"},
	Heat:     {campaigns.Summer, "夏季送清凉专项救助行动"},
}

// SaveForecast stores a night's forecast (replacing the night's earlier
// one) for staff with weather.enter or a partner key with the
// weather.write scope. Nights from tonight to a week ahead are taken;
// bad input is refused with its fields and nothing is stored. A warning
// at or above the alert level starts the matching campaign when none of
// its kind runs; the same warning posted again starts nothing.
func (s *Service) SaveForecast(ctx context.Context, a auth.Actor, in Input) (*Saved, error) {
	const op = "patrolplan.SaveForecast"
	source := SourceStaff
	if a.Role == auth.RolePartner {
		if !slices.Contains(a.Scopes, auth.ScopeWeatherWrite) {
			return nil, errs.E(errs.Forbidden, op, "err.forbidden")
		}
		source = SourcePartner
	} else if err := a.Require(op, auth.PermWeatherEnter); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	if f := in.Validate(NightOf(now)); f != nil {
		return nil, errs.InvalidFields(op, f)
	}
	fc := &Forecast{Night: in.Night, MinC: in.MinC, MaxC: in.MaxC, Warning: in.Warning, Level: in.Level,
		Source: source, EnteredBy: a.Name, UpdatedAt: now}
	e := a.Entry("weather.forecast", "forecast", fc.Night)
	e.Detail = "none"
	if fc.Warning != "" {
		e.Detail = fc.Warning + ":" + fc.Level
	}
	if err := s.Store.SaveForecast(ctx, fc, e); err != nil {
		return nil, err
	}
	out := &Saved{Forecast: fc, Alert: s.Alerting(fc)}
	if out.Alert && s.Campaigns != nil {
		c := campaignOf[fc.Warning]
		starts := now.In(cst).Format(time.DateOnly)
		camp, started, err := s.Campaigns.StartUnlessRunning(ctx, a, campaigns.Input{Kind: c.kind, Name: c.name,
			StartsOn: starts, EndsOn: seasonEnd(c.kind, now)})
		if err != nil {
			return out, err
		}
		out.Campaign, out.Started = camp, started
	}
	return out, nil
}

// seasonEnd is the last day of the campaign a warning starts at now: the
// end of March for a winter campaign begun from October to March, the end
// of September for a summer one begun from May to September, otherwise
// (an unseasonal cold wave or heat) thirty days on.
func seasonEnd(kind string, now time.Time) string {
	t := now.In(cst)
	y, m := t.Year(), t.Month()
	switch {
	case kind == campaigns.Winter && m >= time.October:
		return time.Date(y+1, time.March, 31, 0, 0, 0, 0, cst).Format(time.DateOnly)
	case kind == campaigns.Winter && m <= time.March:
		return time.Date(y, time.March, 31, 0, 0, 0, 0, cst).Format(time.DateOnly)
	case kind == campaigns.Summer && m >= time.May && m <= time.September:
		return time.Date(y, time.September, 30, 0, 0, 0, 0, cst).Format(time.DateOnly)
	}
	return t.AddDate(0, 0, 30).Format(time.DateOnly)
}

// Forecast is the forecast of a night, nil when none was entered, for
// whoever sees the plan or the dispatch board.
func (s *Service) Forecast(ctx context.Context, a auth.Actor, night string) (*Forecast, error) {
	if err := a.RequireAny("patrolplan.Forecast", auth.PermPlanView, auth.PermDispatchBoard); err != nil {
		return nil, err
	}
	f, err := s.Store.Forecast(ctx, night)
	if isNotFound(err) {
		return nil, nil
	}
	return f, err
}

// Tonight's plan: every active hotspot, scored (ScoreOf) and ordered. It
// reads the encounters of the window only (the index on their time) and
// one latest visit per hotspot, never the whole history.
func (s *Service) Plan(ctx context.Context, a auth.Actor) (*Plan, error) {
	if err := a.Require("patrolplan.Plan", auth.PermPlanView); err != nil {
		return nil, err
	}
	now := s.Now().UTC()
	p := &Plan{Night: NightOf(now), Nights: s.nights()}
	f, err := s.Store.Forecast(ctx, p.Night)
	switch {
	case err == nil:
		p.Forecast = f
	case !isNotFound(err):
		return nil, err
	}
	p.Alert = s.Alerting(p.Forecast)
	hs, err := s.Store.ListHotspots(ctx, true)
	if err != nil {
		return nil, err
	}
	seen, err := s.Store.Sightings(ctx, nightStart(addNights(p.Night, -p.Nights)))
	if err != nil {
		return nil, err
	}
	visits, err := s.Store.LastVisits(ctx)
	if err != nil {
		return nil, err
	}
	exp := Gather(hs, seen)
	p.Rows = make([]Row, len(hs))
	for i, h := range hs {
		p.Rows[i] = Row{Hotspot: h, Exposure: exp[h.ID], LastVisit: visits[h.ID]}
		p.Rows[i].Score = ScoreOf(p.Rows[i].Exposure, p.Forecast, p.Rows[i].LastVisit, now, p.Nights)
	}
	Order(p.Rows)
	return p, nil
}
