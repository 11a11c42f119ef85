// Package points is the registry of rescue points (救助点, DESIGN.md §3.3):
// the relief station, the city's temporary points at welfare-lottery
// outlets, warming shelters for 寒冬送温暖 and cooling points for
// 夏季送清凉, community service points; their hours, seasons, capacity,
// liaison and services; and "the nearest help point open now" for the
// public.
package points

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
)

// Kinds of point.
const (
	KindStation   = "station"   // 救助管理站
	KindLottery   = "lottery"   // 福彩救助点 at a welfare-lottery outlet
	KindWarming   = "warming"   // 避寒点 (寒冬送温暖)
	KindCooling   = "cooling"   // 避暑点 (夏季送清凉)
	KindCommunity = "community" // 社区服务点
)

// Kinds lists the kinds in display order.
var Kinds = []string{KindStation, KindLottery, KindWarming, KindCooling, KindCommunity}

// Services a point may offer.
var Services = []string{"water", "food", "clothing", "rest", "call", "first_aid", "charging", "toilet"}

// Point is one help point.
type Point struct {
	ID           string
	Name         string
	Kind         string
	Address      string
	Lat, Lng     float64
	HoursText    string
	Hours        Hours
	Capacity     int // people it can shelter at once; 0 for a point that only hands out and calls
	Liaison      string
	LiaisonPhone string // staff only; the public calls the station's hotline
	Services     []string
	Season       Season
	Active       bool // switched on by hand
	ByCampaign   bool // also switched on while a campaign that activates its kind runs (寒冬送温暖: warming, 夏季送清凉: cooling)
	Directions   string
	Version      int
	UpdatedAt    time.Time
}

// On reports whether the point is switched on: by hand, or by a running
// campaign that activates its kind (activated, from Service.Activated).
func (p *Point) On(activated map[string]bool) bool {
	return p.Active || (p.ByCampaign && activated[p.Kind])
}

// OpenAt reports whether the point is open at t: switched on, in season
// and within its hours.
func (p *Point) OpenAt(t time.Time, activated map[string]bool) bool {
	return p.On(activated) && p.Season.In(t) && p.Hours.OpenAt(t)
}

// Store keeps points.
type Store interface {
	AddPoint(ctx context.Context, p *Point, e audit.Entry) error
	UpdatePoint(ctx context.Context, p *Point, e audit.Entry) error // version-checked
	PointByID(ctx context.Context, id string) (*Point, error)
	Points(ctx context.Context) ([]*Point, error)
	AddPointLog(ctx context.Context, l *LogEntry, e audit.Entry) error
	PointLog(ctx context.Context, pointID string, limit int) ([]*LogEntry, error) // newest first
}

// Service is the rescue-point registry.
type Service struct {
	Store Store
	Now   func() time.Time
	// Activated, if set, tells which kinds of point running campaigns
	// switch on at a time (campaigns.Service.ActivatedKinds).
	Activated func(ctx context.Context, t time.Time) (map[string]bool, error)
	// Signals, if set, takes the leads a point passes to the dispatcher
	// (intake.Service).
	Signals interface {
		Submit(ctx context.Context, a auth.Actor, in intake.Input) (*intake.Result, error)
	}
}

func (s *Service) activated(ctx context.Context, t time.Time) (map[string]bool, error) {
	if s.Activated == nil {
		return nil, nil
	}
	return s.Activated(ctx, t)
}

// Input is a point as staff enter it.
type Input struct {
	Name, Kind, Address   string
	Lat, Lng              float64
	Hours                 string
	Capacity              int
	Liaison, LiaisonPhone string
	Services              []string
	SeasonFrom, SeasonTo  string
	Active                bool
	ByCampaign            bool
	Directions            string
}

func check(in Input, p *Point) map[string]string {
	f := map[string]string{}
	for field, v := range map[string]*string{"name": &in.Name, "address": &in.Address, "liaison": &in.Liaison, "directions": &in.Directions} {
		*v = strings.TrimSpace(*v)
		if !form.TextOK(*v, 200) {
			f[field] = "err.too_long"
		}
	}
	if in.Name == "" {
		f["name"] = "err.required"
	}
	if in.Address == "" {
		f["address"] = "err.required"
	}
	if !slices.Contains(Kinds, in.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if !intake.XinxiangBounds.Contains(in.Lat, in.Lng) {
		f["lat"] = "err.outside_city"
	}
	h, err := ParseHours(in.Hours)
	if err != nil {
		f["hours"] = err.(*HoursError).Key
	}
	season, err := ParseSeason(in.SeasonFrom, in.SeasonTo)
	if err != nil {
		f["season_from"] = "err.season"
	}
	if in.Capacity < 0 || in.Capacity > 10000 {
		f["capacity"] = "err.capacity"
	}
	for _, s := range in.Services {
		if !slices.Contains(Services, s) {
			f["services"] = "err.invalid_choice"
		}
	}
	phone := auth.NormalizePhone(in.LiaisonPhone)
	if phone != "" && !auth.ValidPhone(phone) {
		f["liaison_phone"] = "err.phone"
	}
	*p = Point{ID: p.ID, Version: p.Version, Name: in.Name, Kind: in.Kind, Address: in.Address, Lat: in.Lat, Lng: in.Lng,
		HoursText: h.String(), Hours: h, Capacity: in.Capacity, Liaison: in.Liaison, LiaisonPhone: phone, Services: in.Services,
		Season: season, Active: in.Active, ByCampaign: in.ByCampaign, Directions: in.Directions}
	return f
}

// Create adds a point.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (*Point, error) {
	const op = "points.Create"
	if err := a.Require(op, auth.PermPointsManage); err != nil {
		return nil, err
	}
	p := &Point{ID: id.New(), Version: 1}
	if f := check(in, p); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	p.UpdatedAt = s.Now().UTC()
	return p, s.Store.AddPoint(ctx, p, a.Entry("point.create", "point", p.ID))
}

// Update changes a point (version-checked).
func (s *Service) Update(ctx context.Context, a auth.Actor, pointID string, in Input, version int) (*Point, error) {
	const op = "points.Update"
	if err := a.Require(op, auth.PermPointsManage); err != nil {
		return nil, err
	}
	p, err := s.Store.PointByID(ctx, pointID)
	if err != nil {
		return nil, err
	}
	if p.Version != version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	if f := check(in, p); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	p.UpdatedAt = s.Now().UTC()
	if err := s.Store.UpdatePoint(ctx, p, a.Entry("point.update", "point", p.ID)); err != nil {
		return nil, err
	}
	p.Version++
	return p, nil
}

// Point returns one point for staff.
func (s *Service) Point(ctx context.Context, a auth.Actor, pointID string) (*Point, error) {
	if err := a.Require("points.Point", auth.PermPointsManage); err != nil {
		return nil, err
	}
	return s.Store.PointByID(ctx, pointID)
}

// All lists every point for staff.
func (s *Service) All(ctx context.Context, a auth.Actor) ([]*Point, error) {
	if err := a.Require("points.All", auth.PermPointsManage); err != nil {
		return nil, err
	}
	return s.Store.Points(ctx)
}

// Found is a point as the public finder shows it.
type Found struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	Address    string   `json:"address"`
	Lat        float64  `json:"lat"`
	Lng        float64  `json:"lng"`
	Hours      string   `json:"hours"`
	Services   []string `json:"services"`
	Capacity   int      `json:"capacity"`
	Directions string   `json:"directions,omitempty"`
	OpenNow    bool     `json:"open_now"`
	InSeason   bool     `json:"in_season"`
	DistanceM  float64  `json:"distance_m,omitempty"`
}

// Query is a public search.
type Query struct {
	From     *intake.Point // where the person is; nil: no distance
	OpenOnly bool
	Text     string // in the name or address
	Limit    int
}

// Find lists the points the public may see (switched on by hand or by a
// running campaign; out-of-season
// ones only when not asking for open ones), nearest first when a place is
// given, open ones before closed.
func (s *Service) Find(ctx context.Context, q Query) ([]Found, error) {
	all, err := s.Store.Points(ctx)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	act, err := s.activated(ctx, now)
	if err != nil {
		return nil, err
	}
	var out []Found
	for _, p := range all {
		if !p.On(act) {
			continue
		}
		f := Found{ID: p.ID, Name: p.Name, Kind: p.Kind, Address: p.Address, Lat: p.Lat, Lng: p.Lng, Hours: p.HoursText, Services: p.Services,
			Capacity: p.Capacity, Directions: p.Directions, OpenNow: p.OpenAt(now, act), InSeason: p.Season.In(now)}
		if q.OpenOnly && !f.OpenNow {
			continue
		}
		if t := strings.TrimSpace(q.Text); t != "" && !strings.Contains(p.Name+" "+p.Address, t) {
			continue
		}
		if q.From != nil {
			f.DistanceM = math.Round(intake.Distance(*q.From, intake.Point{Lat: p.Lat, Lng: p.Lng}))
		}
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].OpenNow != out[j].OpenNow {
			return out[i].OpenNow
		}
		if q.From != nil {
			return out[i].DistanceM < out[j].DistanceM
		}
		return out[i].Name < out[j].Name
	})
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

// places are landmarks and districts of 新乡 a person may type instead of
// sharing their location (no online geocoder is used): the centre of each.
var places = []struct {
	names []string
	at    intake.Point
}{
	{[]string{"火车站", "新乡站", "railway station"}, intake.Point{Lat: 35.2969, Lng: 113.9174}},
	{[]string{"新乡东站", "东站", "高铁站"}, intake.Point{Lat: 35.2802, Lng: 114.0081}},
	{[]string{"汽车站", "客运总站"}, intake.Point{Lat: 35.2933, Lng: 113.9090}},
	{[]string{"人民公园"}, intake.Point{Lat: 35.3060, Lng: 113.9195}},
	{[]string{"平原路", "人民路"}, intake.Point{Lat: 35.3040, Lng: 113.9270}},
	{[]string{"红旗区"}, intake.Point{Lat: 35.3030, Lng: 113.8750}},
	{[]string{"卫滨区"}, intake.Point{Lat: 35.3020, Lng: 113.8660}},
	{[]string{"牧野区"}, intake.Point{Lat: 35.3150, Lng: 113.9090}},
	{[]string{"凤泉区"}, intake.Point{Lat: 35.3840, Lng: 113.9060}},
	{[]string{"新乡县"}, intake.Point{Lat: 35.1910, Lng: 113.8050}},
	{[]string{"获嘉"}, intake.Point{Lat: 35.2610, Lng: 113.6570}},
	{[]string{"原阳"}, intake.Point{Lat: 35.0650, Lng: 113.9400}},
	{[]string{"延津"}, intake.Point{Lat: 35.1410, Lng: 114.2050}},
	{[]string{"封丘"}, intake.Point{Lat: 35.0410, Lng: 114.4190}},
	{[]string{"长垣"}, intake.Point{Lat: 35.2010, Lng: 114.6690}},
	{[]string{"卫辉"}, intake.Point{Lat: 35.3980, Lng: 114.0650}},
	{[]string{"辉县"}, intake.Point{Lat: 35.4620, Lng: 113.8060}},
}

// Locate finds a typed place among 新乡's landmarks and districts.
func Locate(text string) (intake.Point, bool) {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return intake.Point{}, false
	}
	for _, p := range places {
		for _, n := range p.names {
			if strings.Contains(text, n) {
				return p.at, true
			}
		}
	}
	return intake.Point{}, false
}
