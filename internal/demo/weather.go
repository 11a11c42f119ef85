package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/points"
)

// sleepers are people patrols met at hotspots on recent nights (nights
// ago, hotspot, what they saw, the outcome): who tonight's patrol plan
// weighs.
var sleepers = []struct {
	nightsAgo int
	hotspot   string
	states    []string
	outcome   dispatch.Outcome
}{
	{2, "平原路地下通道", []string{"cold", "elderly"}, dispatch.OutcomeRefused},
	{2, "平原路地下通道", []string{"cold"}, dispatch.OutcomeOutreach},
	{3, "平原路地下通道", []string{"cold", "elderly", "ill"}, dispatch.OutcomeRefused},
	{4, "人民路工商银行ATM", []string{"cold", "intoxicated"}, dispatch.OutcomeRefused},
	{6, "新乡汽车客运总站", []string{"minor"}, dispatch.OutcomeToStation},
	{9, "卫河胜利桥下", []string{"cold", "elderly"}, dispatch.OutcomeRefused},
	{9, "卫河胜利桥下", nil, dispatch.OutcomeOutreach},
}

// SeedWeather adds the people patrols met sleeping at hotspots on recent
// nights, the weather service's API key (scope weather.write), and has it
// post tonight's forecast, so that tonight's patrol plan (/dispatch/plan)
// has people and weather to weigh: in winter a yellow cold-wave warning
// (今夜须夜巡 on the board; the winter campaign runs already), in summer an
// orange heat warning, in spring and autumn a mild night. It returns the
// key.
func SeedWeather(ctx context.Context, a *auth.Service, d *dispatch.Service, plan *patrolplan.Service, now time.Time) ([]Key, error) {
	hs, err := d.Store.ListHotspots(ctx, true)
	if err != nil {
		return nil, err
	}
	at := map[string]*dispatch.Hotspot{}
	for _, h := range hs {
		at[h.Name] = h
	}
	for i, s := range sleepers {
		h := at[s.hotspot]
		if h == nil {
			continue
		}
		evening, _ := time.ParseInLocation(time.DateOnly, patrolplan.NightOf(now), points.CST)
		when := evening.AddDate(0, 0, -s.nightsAgo).Add(22*time.Hour + time.Duration(i)*7*time.Minute) // about 22:00
		if _, _, err := d.RecordEncounter(ctx, as("patrol"), dispatch.EncounterInput{ID: id.New(), At: when, Lat: h.Lat + 0.0004, Lng: h.Lng,
			Description: "露宿", States: s.states, Outcome: s.outcome}); err != nil {
			return nil, fmt.Errorf("encounter at %s: %v", h.Name, err)
		}
	}
	full, k, err := a.CreateAPIKey(ctx, auth.CLIActor(), "演示-市气象台", []string{auth.ScopeWeatherWrite}, "")
	if err != nil {
		return nil, err
	}
	service := auth.Actor{UserID: k.ID, Name: k.Name, Username: "apikey:" + k.Name, Role: auth.RolePartner, Scopes: k.Scopes, IP: "local"}
	in := patrolplan.Input{Night: patrolplan.NightOf(now), MinC: 9, MaxC: 19}
	switch now.In(points.CST).Month() {
	case time.November, time.December, time.January, time.February, time.March:
		in.MinC, in.MaxC, in.Warning, in.Level = -7, 2, patrolplan.ColdWave, "yellow"
	case time.June, time.July, time.August, time.September:
		in.MinC, in.MaxC, in.Warning, in.Level = 28, 38, patrolplan.Heat, "orange"
	}
	if _, err := plan.SaveForecast(ctx, service, in); err != nil {
		return nil, err
	}
	return []Key{{Name: "weather", Key: full, Scopes: auth.ScopeWeatherWrite, Use: "POST /api/v1/weather/forecasts"}}, nil
}
