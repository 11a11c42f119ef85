// Package campaigns is the seasonal campaigns (专项行动, DESIGN.md §3.11)
// as far as rescue points and supplies need them: a campaign — 寒冬送温暖,
// 夏季送清凉, the 6·19 open day — is started and ended by hand; while it
// runs it switches on the points of the kinds it activates (warming
// shelters in winter, cooling points in summer) and its per-campaign
// rations count handouts from its start.
package campaigns

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/points"
)

// Kinds of campaign.
const (
	Winter  = "winter"   // 寒冬送温暖
	Summer  = "summer"   // 夏季送清凉
	OpenDay = "open_day" // 6·19 开放日
	Special = "special"  // any other 专项行动
)

// Kinds lists the kinds in display order.
var Kinds = []string{Winter, Summer, OpenDay, Special}

// activates says which kinds of rescue point a running campaign switches
// on.
var activates = map[string][]string{
	Winter: {points.KindWarming},
	Summer: {points.KindCooling},
}

// Campaign is one campaign.
type Campaign struct {
	ID               string
	Kind             string
	Name             string
	StartsOn, EndsOn string // planned dates, YYYY-MM-DD (China time)
	StartedAt        time.Time
	EndedAt          time.Time // zero while running
	StartedBy        string
	Note             string
}

// cst is China Standard Time, the calendar campaign dates are in.
var cst = time.FixedZone("CST", 8*3600)

// States of a campaign at a time.
const (
	StatePlanned = "planned" // started ahead of its first day
	StateRunning = "running"
	StateOver    = "over" // ended by hand or past its last day
)

// StateAt is the campaign's state at t: it runs from when it was started
// (and not before its first day) until it is ended by hand or its last
// day is over.
func (c *Campaign) StateAt(t time.Time) string {
	day := t.In(cst).Format(time.DateOnly)
	switch {
	case (!c.EndedAt.IsZero() && !t.Before(c.EndedAt)) || day > c.EndsOn:
		return StateOver
	case t.Before(c.StartedAt) || day < c.StartsOn:
		return StatePlanned
	}
	return StateRunning
}

// RunningAt reports whether the campaign runs at t.
func (c *Campaign) RunningAt(t time.Time) bool { return c.StateAt(t) == StateRunning }

// Activates lists the kinds of point the campaign switches on.
func (c *Campaign) Activates() []string { return activates[c.Kind] }

// Store keeps campaigns.
type Store interface {
	AddCampaign(ctx context.Context, c *Campaign, e audit.Entry) error
	EndCampaign(ctx context.Context, id string, at time.Time, e audit.Entry) error // NotFound, or Conflict when already ended
	Campaigns(ctx context.Context) ([]*Campaign, error)                            // newest first
	// AddCampaignUnlessRunning adds c unless a campaign of c.Kind is not
	// over at c.StartedAt (StateAt), checked and added in one transaction
	// that concurrent calls wait for. It returns the campaign of that kind
	// (c, or the one found) and whether c was added.
	AddCampaignUnlessRunning(ctx context.Context, c *Campaign, e audit.Entry) (*Campaign, bool, error)
}

// Service is campaigns.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Input is a campaign as staff start it.
type Input struct {
	Kind, Name, StartsOn, EndsOn, Note string
}

// Start starts a campaign now. Its planned dates are checked: the last day
// not before the first, the whole at most a year, the first at most a
// month back.
func (s *Service) Start(ctx context.Context, a auth.Actor, in Input) (*Campaign, error) {
	const op = "campaigns.Start"
	if err := a.Require(op, auth.PermCampaignsManage); err != nil {
		return nil, err
	}
	c, err := s.build(op, a, in)
	if err != nil {
		return nil, err
	}
	e := a.Entry("campaign.start", "campaign", c.ID)
	e.Detail = c.Kind
	return c, s.Store.AddCampaign(ctx, c, e)
}

// StartUnlessRunning starts a campaign of in.Kind now, checked as Start
// checks it, unless one of that kind runs or is planned (not over): the
// start by a weather alert (DESIGN.md §3.11), which the same warning
// posted twice must not repeat. It needs no permission: the alert starts
// it, and a is who posted the alert, named in the audit. It returns the
// campaign of that kind that runs afterwards and whether this call
// started it.
func (s *Service) StartUnlessRunning(ctx context.Context, a auth.Actor, in Input) (*Campaign, bool, error) {
	c, err := s.build("campaigns.StartUnlessRunning", a, in)
	if err != nil {
		return nil, false, err
	}
	e := a.Entry("campaign.start", "campaign", c.ID)
	e.Detail = c.Kind + ",weather_alert"
	return s.Store.AddCampaignUnlessRunning(ctx, c, e)
}

// build checks a campaign as staff start it and makes it.
func (s *Service) build(op string, a auth.Actor, in Input) (*Campaign, error) {
	now := s.Now().UTC()
	in.Name, in.Note = strings.TrimSpace(in.Name), strings.TrimSpace(in.Note)
	f := map[string]string{}
	if !slices.Contains(Kinds, in.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if in.Name == "" {
		f["name"] = "err.required"
	} else if !utf8.ValidString(in.Name) || utf8.RuneCountInString(in.Name) > 100 {
		f["name"] = "err.too_long"
	}
	if !utf8.ValidString(in.Note) || utf8.RuneCountInString(in.Note) > 500 {
		f["note"] = "err.too_long"
	}
	if in.StartsOn == "" {
		in.StartsOn = now.In(cst).Format(time.DateOnly)
	}
	from, err1 := time.ParseInLocation(time.DateOnly, in.StartsOn, cst)
	to, err2 := time.ParseInLocation(time.DateOnly, in.EndsOn, cst)
	switch {
	case err1 != nil:
		f["starts_on"] = "err.date"
	case err2 != nil:
		f["ends_on"] = "err.date"
	case to.Before(from):
		f["ends_on"] = "err.campaign_dates"
	case to.Sub(from) > 366*24*time.Hour:
		f["ends_on"] = "err.campaign_long"
	case now.Sub(from) > 31*24*time.Hour:
		f["starts_on"] = "err.campaign_dates"
	case to.Format(time.DateOnly) < now.In(cst).Format(time.DateOnly):
		f["ends_on"] = "err.campaign_dates" // ends before today
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	return &Campaign{ID: id.New(), Kind: in.Kind, Name: in.Name, StartsOn: in.StartsOn, EndsOn: in.EndsOn, StartedAt: now, StartedBy: a.Name, Note: in.Note}, nil
}

// End ends a running campaign now.
func (s *Service) End(ctx context.Context, a auth.Actor, campaignID string) error {
	const op = "campaigns.End"
	if err := a.Require(op, auth.PermCampaignsManage); err != nil {
		return err
	}
	return s.Store.EndCampaign(ctx, campaignID, s.Now().UTC(), a.Entry("campaign.end", "campaign", campaignID))
}

// All lists campaigns, newest first, for staff and for the volunteer
// coordinator who staffs them.
func (s *Service) All(ctx context.Context, a auth.Actor) ([]*Campaign, error) {
	if err := a.RequireAny("campaigns.All", auth.PermCampaignsManage, auth.PermPointsManage, auth.PermCampaignsView); err != nil {
		return nil, err
	}
	return s.Store.Campaigns(ctx)
}

// Running lists the campaigns running at t. It needs no actor: the public
// help-point finder and rationing ask it.
func (s *Service) Running(ctx context.Context, t time.Time) ([]*Campaign, error) {
	all, err := s.Store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	var out []*Campaign
	for _, c := range all {
		if c.RunningAt(t) {
			out = append(out, c)
		}
	}
	return out, nil
}

// ActivatedKinds is the set of point kinds running campaigns switch on at
// t (points.Service.Activated).
func (s *Service) ActivatedKinds(ctx context.Context, t time.Time) (map[string]bool, error) {
	run, err := s.Running(ctx, t)
	if err != nil {
		return nil, err
	}
	kinds := map[string]bool{}
	for _, c := range run {
		for _, k := range c.Activates() {
			kinds[k] = true
		}
	}
	return kinds, nil
}

// RunningIDs lists the ids of the campaigns running at t
// (supplies.Service.Campaigns: per-campaign rations).
func (s *Service) RunningIDs(ctx context.Context, t time.Time) ([]string, error) {
	run, err := s.Running(ctx, t)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(run))
	for i, c := range run {
		ids[i] = c.ID
	}
	return ids, nil
}

// ByID finds one campaign, for its report: for the roles that see the
// list and for those that read statistics (auth.PermStatsView).
func (s *Service) ByID(ctx context.Context, a auth.Actor, campaignID string) (*Campaign, error) {
	const op = "campaigns.ByID"
	if !a.Can(auth.PermStatsView) && !slices.Contains(a.Scopes, auth.ScopeStatisticsRead) {
		if err := a.RequireAny(op, auth.PermCampaignsManage, auth.PermPointsManage, auth.PermCampaignsView, auth.PermStatsView); err != nil {
			return nil, err
		}
	}
	all, err := s.Store.Campaigns(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.ID == campaignID {
			return c, nil
		}
	}
	return nil, errs.E(errs.NotFound, op, "err.not_found")
}

// Window is the campaign's days: from its first planned day to its last,
// or to the day it was ended by hand when that came first.
func (c *Campaign) Window() (from, to string) {
	from, to = c.StartsOn, c.EndsOn
	if !c.EndedAt.IsZero() {
		if d := c.EndedAt.In(cst).Format(time.DateOnly); d < to {
			to = d
		}
	}
	if to < from {
		to = from
	}
	return from, to
}

// Following is the campaign a dashboard of the period [from, to]
// (YYYY-MM-DD) follows: the one whose window holds the period's last day
// (the latest started, if several), else the latest whose window overlaps
// the period; nil when none does. Campaign names are public (banners), so
// it needs no actor.
func (s *Service) Following(ctx context.Context, from, to string) (*Campaign, error) {
	all, err := s.Store.Campaigns(ctx) // newest first
	if err != nil {
		return nil, err
	}
	var overlap *Campaign
	for _, c := range all {
		a, b := c.Window()
		if a <= to && from <= b {
			if a <= to && to <= b {
				return c, nil
			}
			if overlap == nil {
				overlap = c
			}
		}
	}
	return overlap, nil
}
