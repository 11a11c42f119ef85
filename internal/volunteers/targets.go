package volunteers

import (
	"context"
	"slices"

	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/points"
)

// A shift for a patrol, a rescue point or a campaign is tied to that
// record by its id, so the team's roster, the point's desk and the
// campaign's counts can find the volunteers who served them. Events and
// station work name what they are in words.

// Target is a record a shift can serve.
type Target struct {
	Kind string // "patrol", "point", "campaign"
	ID   string
	Name string
}

// LinkedKinds are the shift kinds whose Ref is a record id, in display
// order.
var LinkedKinds = []string{"patrol", "point", "campaign"}

// Linked reports whether a shift kind names its record by id.
func Linked(kind string) bool { return slices.Contains(LinkedKinds, kind) }

// findTarget finds the target of a kind with an id.
func findTarget(ts []Target, kind, ref string) (Target, bool) {
	i := slices.IndexFunc(ts, func(t Target) bool { return t.Kind == kind && t.ID == ref })
	if i < 0 {
		return Target{}, false
	}
	return ts[i], true
}

// Registries is where shift targets are found (the store serves all
// three).
type Registries interface {
	ListTeams(ctx context.Context) ([]*dispatch.Team, error)
	Points(ctx context.Context) ([]*points.Point, error)
	Campaigns(ctx context.Context) ([]*campaigns.Campaign, error)
}

// Targets lists what shifts can serve: patrol teams, rescue points and
// campaigns, by kind.
func (s *Service) Targets(ctx context.Context) ([]Target, error) {
	if s.Registries == nil {
		return nil, nil
	}
	teams, err := s.Registries.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	pts, err := s.Registries.Points(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := s.Registries.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	var out []Target
	for _, t := range teams {
		out = append(out, Target{Kind: "patrol", ID: t.ID, Name: t.Name})
	}
	for _, p := range pts {
		out = append(out, Target{Kind: "point", ID: p.ID, Name: p.Name})
	}
	for _, c := range cs {
		out = append(out, Target{Kind: "campaign", ID: c.ID, Name: c.Name})
	}
	return out, nil
}

// target finds a shift's target; ok is false when the kind takes an id
// and none matches.
func (s *Service) target(ctx context.Context, kind, ref string) (Target, bool, error) {
	if !Linked(kind) || s.Registries == nil {
		return Target{Kind: kind, Name: ref}, true, nil
	}
	ts, err := s.Targets(ctx)
	if err != nil {
		return Target{}, false, err
	}
	t, ok := findTarget(ts, kind, ref)
	return t, ok, nil
}
