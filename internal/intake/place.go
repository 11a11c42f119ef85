package intake

import (
	"context"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/geo"
)

// Placement is a dispatcher putting an incident's pin on the map: a click
// on the map, or a place chosen from the gazetteer (Name then says which).
type Placement struct {
	Lat, Lng float64
	Name     string
	Version  int // the incident's version the dispatcher saw
}

// MaxPlaceName bounds a place name typed or chosen by a dispatcher.
const MaxPlaceName = 100

// Place puts an incident's pin where a dispatcher says. The place counts
// as exact from then on, so the nearest teams can be suggested; an
// incident that was unlocated or only approximately placed is routed
// again by its new place. The move is audited and noted in the
// incident's history. Errors: Forbidden, NotFound, Invalid (location,
// name), Conflict (changed meanwhile, or merged away).
func (s *Service) Place(ctx context.Context, a auth.Actor, incidentID string, p Placement) (*Incident, error) {
	const op = "intake.Place"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	p.Name = strings.TrimSpace(p.Name)
	f := map[string]string{}
	switch {
	case !geo.ValidPoint(p.Lat, p.Lng):
		f["location"] = "err.coordinates"
	case !s.Bounds.Contains(p.Lat, p.Lng):
		f["location"] = "err.outside_city"
	}
	if !utf8.ValidString(p.Name) || utf8.RuneCountInString(p.Name) > MaxPlaceName || strings.ContainsFunc(p.Name, unicode.IsControl) {
		f["name"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	inc, err := s.Store.IncidentByID(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if inc.State == StateMerged {
		return nil, errs.E(errs.Conflict, op, "err.incident_closed")
	}
	if p.Version != inc.Version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	was := inc.Precision
	inc.Lat, inc.Lng, inc.Precision, inc.Place = p.Lat, p.Lng, PrecisionPlaced, p.Name
	if was == PrecisionNone || was.Approximate() {
		if err := s.route(ctx, inc); err != nil {
			return nil, err
		}
	}
	inc.UpdatedAt = s.now()
	e := a.Entry("incident.locate", "incident", inc.ID)
	e.Detail = "precision:" + string(was) + ">" + string(PrecisionPlaced)
	if err := s.Store.PlaceIncident(ctx, inc, placeNote(p), e); err != nil {
		return nil, err
	}
	inc.Version++
	if s.Changed != nil {
		s.Changed(inc)
	}
	return inc, nil
}

// placeNote is the history line of a placement: the place's name and
// where the pin went.
func placeNote(p Placement) string {
	c := strconv.FormatFloat(p.Lat, 'f', 5, 64) + ", " + strconv.FormatFloat(p.Lng, 'f', 5, 64)
	if p.Name == "" {
		return c
	}
	return p.Name + " " + c
}

// SearchPlaces lists up to n places of the city's gazetteer (and the
// hotspots, rescue points and departments) for a dispatcher placing a pin.
func (s *Service) SearchPlaces(ctx context.Context, a auth.Actor, q string, n int) ([]geo.Match, error) {
	if err := a.Require("intake.SearchPlaces", auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	q = strings.TrimSpace(q)
	if s.Geocoder == nil || q == "" || !utf8.ValidString(q) || utf8.RuneCountInString(q) > MaxPlaceName {
		return []geo.Match{}, nil
	}
	var out []geo.Match
	for _, m := range s.Geocoder.Search(ctx, q, n) {
		if s.Bounds.Contains(m.Lat, m.Lng) {
			out = append(out, m)
		}
	}
	if out == nil {
		out = []geo.Match{}
	}
	return out, nil
}
