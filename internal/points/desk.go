package points

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
)

// A point's desk is what its liaison officer (救助点联络员) does there: log
// the people guided on to the station, hand out supplies (package
// supplies, from the point's stock) and pass a lead to the dispatcher.
// A liaison account is bound to one point and acts for no other; station
// staff act for every point.

// Kinds of log line.
const (
	LogGuided = "guided" // people guided or taken on to the station
	LogLead   = "lead"   // a lead passed to the dispatcher as a help signal
	LogNote   = "note"   // anything else worth the station knowing
)

// LogEntry is one line of a point's log. It holds no personal data: a
// count of people and a note, like a paper duty book.
type LogEntry struct {
	ID        string
	PointID   string
	At        time.Time
	Kind      string
	People    int
	Note      string
	SignalRef string // the help signal a lead became
	ByName    string
}

// CanDesk reports whether a may act at the point's desk: its own liaison,
// or staff who manage every point.
func CanDesk(a auth.Actor, pointID string) bool {
	return a.Can(auth.PermPointsManage) || (a.Can(auth.PermPointDesk) && a.PointID != "" && a.PointID == pointID)
}

func requireDesk(op string, a auth.Actor, pointID string) error {
	if err := a.RequireAny(op, auth.PermPointDesk, auth.PermPointsManage); err != nil {
		return err
	}
	if !CanDesk(a, pointID) {
		return errs.E(errs.Forbidden, op, "err.forbidden")
	}
	return nil
}

// Desk is a point and its recent log, for its desk page.
type Desk struct {
	Point  *Point
	OpenOn bool // switched on now (by hand or by a campaign)
	Open   bool // open now
	Log    []*LogEntry
}

// Desk returns the point's desk.
func (s *Service) Desk(ctx context.Context, a auth.Actor, pointID string) (*Desk, error) {
	if err := requireDesk("points.Desk", a, pointID); err != nil {
		return nil, err
	}
	p, err := s.Store.PointByID(ctx, pointID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	act, err := s.activated(ctx, now)
	if err != nil {
		return nil, err
	}
	log, err := s.Store.PointLog(ctx, pointID, 100)
	if err != nil {
		return nil, err
	}
	return &Desk{Point: p, OpenOn: p.On(act), Open: p.OpenAt(now, act), Log: log}, nil
}

// LogInput is a log line as the liaison writes it.
type LogInput struct {
	Kind   string // LogGuided or LogNote
	People int
	Note   string
}

// Log writes a line in the point's log.
func (s *Service) Log(ctx context.Context, a auth.Actor, pointID string, in LogInput) (*LogEntry, error) {
	const op = "points.Log"
	if err := requireDesk(op, a, pointID); err != nil {
		return nil, err
	}
	if _, err := s.Store.PointByID(ctx, pointID); err != nil {
		return nil, err
	}
	in.Note = strings.TrimSpace(in.Note)
	f := map[string]string{}
	if !slices.Contains([]string{LogGuided, LogNote}, in.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if in.Kind == LogGuided && (in.People < 1 || in.People > 100) {
		f["people"] = "err.people"
	}
	if in.Kind == LogNote && in.Note == "" {
		f["note"] = "err.required"
	}
	if !form.TextOK(in.Note, 500) {
		f["note"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	if in.Kind == LogNote {
		in.People = 0
	}
	l := &LogEntry{ID: id.New(), PointID: pointID, At: s.Now().UTC(), Kind: in.Kind, People: in.People, Note: in.Note, ByName: a.Name}
	return l, s.Store.AddPointLog(ctx, l, a.Entry("point.log_"+in.Kind, "point", pointID))
}

// LeadInput is a lead the liaison passes on: what kind of help, what they
// saw, and where if not at the point itself.
type LeadInput struct {
	ServiceCode string
	Description string
	Address     string // empty: at the point
	People      int
}

// PassLead passes a lead to the dispatcher: it becomes a help signal on
// the point channel, placed at the point, and a line in the point's log
// holds its reference.
func (s *Service) PassLead(ctx context.Context, a auth.Actor, pointID string, in LeadInput) (*intake.Result, error) {
	const op = "points.PassLead"
	if err := requireDesk(op, a, pointID); err != nil {
		return nil, err
	}
	if s.Signals == nil {
		return nil, errs.E(errs.Unavailable, op, "err.unavailable")
	}
	p, err := s.Store.PointByID(ctx, pointID)
	if err != nil {
		return nil, err
	}
	if in.People < 0 || in.People > 100 {
		return nil, errs.InvalidFields(op, map[string]string{"people": "err.people"})
	}
	addr := strings.TrimSpace(in.Address)
	if addr == "" {
		addr = p.Address
	}
	lat, lng := p.Lat, p.Lng
	res, err := s.Signals.Submit(ctx, a, intake.Input{Channel: intake.ChannelPoint, ServiceCode: in.ServiceCode, Description: in.Description,
		Lat: &lat, Lng: &lng, Address: addr, Reporter: p.Name})
	if err != nil {
		return nil, err
	}
	l := &LogEntry{ID: id.New(), PointID: pointID, At: s.Now().UTC(), Kind: LogLead, People: in.People, Note: strings.TrimSpace(in.Description),
		SignalRef: res.Signal.Ref, ByName: a.Name}
	if r := []rune(l.Note); len(r) > 500 { // the signal keeps the whole description
		l.Note = string(r[:500])
	}
	return res, s.Store.AddPointLog(ctx, l, a.Entry("point.log_lead", "point", pointID))
}
