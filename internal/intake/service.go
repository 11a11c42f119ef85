package intake

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/photo"
	"github.com/havenrescue/haven/internal/secret"
)

// Input is a signal as a channel adapter parsed it, before validation.
type Input struct {
	Channel     Channel
	ExternalID  string
	ServiceCode string
	Description string
	Lat, Lng    *float64
	Address     string
	Phone       string
	Reporter    string
	Attributes  map[string]string
	ReportedAt  time.Time // zero: now
	Photo       []byte    // raw upload, cleaned before storing
}

// Bounds is the area the city covers; signals outside are refused.
type Bounds struct{ MinLat, MinLng, MaxLat, MaxLng float64 }

// XinxiangBounds covers 新乡's districts and counties.
var XinxiangBounds = Bounds{MinLat: 34.85, MinLng: 113.35, MaxLat: 35.85, MaxLng: 114.75}

// Contains reports whether p lies in the bounds.
func (b Bounds) Contains(lat, lng float64) bool {
	return lat >= b.MinLat && lat <= b.MaxLat && lng >= b.MinLng && lng <= b.MaxLng
}

// Geocoder places a typed address on the map from the city's gazetteer
// (geo.Live).
type Geocoder interface {
	Geocode(ctx context.Context, text string) (geo.Match, bool)
	Search(ctx context.Context, q string, n int) []geo.Match
}

// PhotoStore keeps cleaned photos (files.Store).
type PhotoStore = files.Store

// Service is the intake capability.
type Service struct {
	Store  Store
	Audit  audit.Store
	Keys   *secret.Keyring
	Photos PhotoStore
	Now    func() time.Time
	Merge  MergeRule
	Bounds Bounds
	Known  []KnownMatcher
	// Geocoder places reports that carry only a typed address; without
	// one they are unlocated until a dispatcher places them.
	Geocoder Geocoder
	// Changed, if set, is told about every new or changed incident (the
	// live board subscribes here).
	Changed func(inc *Incident)

	rulesMu   sync.Mutex
	rules     []*Rule
	rulesTime time.Time
}

const phoneContext = "signals.phone"

// Limits on what a sender may send.
const (
	MaxDescription = 2000 // characters
	MaxAddress     = 200
	MaxExternalID  = 64
	MaxReporter    = 50
)

var (
	phonePattern   = regexp.MustCompile(`^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|110|120|119|12345)$`)
	externalIDChar = regexp.MustCompile(`^[\x21-\x7E]+$`)
)

func (s *Service) now() time.Time { return s.Now().UTC() }

// checkChannel is the permission check of Submit: who may send on which
// channel.
func checkChannel(a auth.Actor, ch Channel) error {
	const op = "intake.Submit"
	switch ch {
	case ChannelPublic:
		return nil
	case ChannelOpen311:
		if a.Role == auth.RolePartner && slices.Contains(a.Scopes, "open311") {
			return nil
		}
	case Channel12345, Channel110, ChannelCity:
		if a.Role == auth.RolePartner && slices.Contains(a.Scopes, "intake.write") {
			return nil
		}
	case ChannelHotline:
		return a.Require(op, auth.PermSignalsEnter)
	case ChannelPatrol:
		return a.Require(op, auth.PermSignalsPatrol)
	case ChannelPoint:
		return a.RequireAny(op, auth.PermPointDesk, auth.PermPointsManage)
	default:
		return errs.InvalidFields(op, map[string]string{"channel": "err.invalid_choice"})
	}
	return errs.E(errs.Forbidden, op, "err.forbidden")
}

// Validate checks an input and returns field problems as translation keys.
func (s *Service) Validate(in *Input) map[string]string {
	f := map[string]string{}
	svc, ok := ServiceByCode(in.ServiceCode)
	if in.ServiceCode == "" {
		f["service_code"] = "err.required"
	} else if !ok {
		f["service_code"] = "err.unknown_service"
	}
	checkText := func(field, v string, max int) {
		switch {
		case !utf8.ValidString(v):
			f[field] = "err.invalid_utf8"
		case utf8.RuneCountInString(v) > max:
			f[field] = "err.too_long"
		case strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }):
			f[field] = "err.control_chars"
		}
	}
	checkText("description", in.Description, MaxDescription)
	checkText("address", in.Address, MaxAddress)
	checkText("reporter", in.Reporter, MaxReporter)
	if (in.Lat == nil) != (in.Lng == nil) {
		f["lat"] = "err.location_pair"
	} else if in.Lat != nil {
		lat, lng := *in.Lat, *in.Lng
		switch {
		case lat < -90 || lat > 90 || lng < -180 || lng > 180 || lat != lat || lng != lng:
			f["lat"] = "err.coordinates"
		case !s.Bounds.Contains(lat, lng):
			f["lat"] = "err.outside_city"
		}
	} else if strings.TrimSpace(in.Address) == "" {
		f["lat"] = "err.location_required"
	}
	if in.Phone != "" && !phonePattern.MatchString(auth.NormalizePhone(in.Phone)) {
		f["phone"] = "err.phone_format"
	}
	if len(in.ExternalID) > MaxExternalID || (in.ExternalID != "" && !externalIDChar.MatchString(in.ExternalID)) {
		f["external_id"] = "err.external_id"
	}
	if !in.ReportedAt.IsZero() && in.ReportedAt.After(s.now().Add(10*time.Minute)) {
		f["reported_at"] = "err.future_time"
	}
	if ok {
		for _, a := range svc.Attributes {
			v, given := in.Attributes[a.Code]
			if a.Required && (!given || v == "") {
				f["attribute["+a.Code+"]"] = "err.required"
				continue
			}
			if !given || v == "" {
				continue
			}
			switch a.Datatype {
			case "number":
				if n, err := strconv.ParseFloat(v, 64); err != nil || n < 0 || n > 1e6 {
					f["attribute["+a.Code+"]"] = "err.number"
				}
			case "singlevaluelist":
				if !slices.ContainsFunc(a.Values, func(x AttrValue) bool { return x.Key == v }) {
					f["attribute["+a.Code+"]"] = "err.invalid_choice"
				}
			case "multivaluelist":
				for _, k := range strings.Split(v, MultiValueSep) {
					if !slices.ContainsFunc(a.Values, func(x AttrValue) bool { return x.Key == k }) {
						f["attribute["+a.Code+"]"] = "err.invalid_choice"
					}
				}
			default:
				checkText("attribute["+a.Code+"]", v, 200)
			}
		}
		// Attributes outside the definition (a sender's own reference,
		// FixMyStreet's uprn or fixmystreet_id) are kept for staff as they
		// came, bounded; they never refuse the report.
		extra := 0
		for k, v := range in.Attributes {
			switch {
			case k == "partner_category" || slices.ContainsFunc(svc.Attributes, func(a Attribute) bool { return a.Code == k }):
			case k == AttrMediaURL:
				if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(v) > MaxMediaURL {
					f["media_url"] = "err.media_url"
				}
			case !extraAttrKey.MatchString(k):
				f["attribute["+k+"]"] = "err.unknown_attribute"
			default:
				extra++
				checkText("attribute["+k+"]", v, MaxExtraValue)
			}
		}
		if extra > MaxExtraAttributes {
			f["attributes"] = "err.too_many_attributes"
		}
	}
	return f
}

// Signal attributes beyond a service's own questions.
const (
	// AttrMediaURL keeps the address of a photo the sender holds (Open311
	// media_url); no attribute code can take this name.
	AttrMediaURL       = "@media_url"
	MaxMediaURL        = 500
	MaxExtraAttributes = 20
	MaxExtraValue      = 500
	// MultiValueSep joins the keys of a multivaluelist answer.
	MultiValueSep = ","
)

// extraAttrKey is what an attribute outside the definition may be called.
var extraAttrKey = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// keepExtras bounds the attributes outside the service's definition so
// that they never refuse a report: each value made valid text without
// control characters and cut to MaxExtraValue runes, and at most
// MaxExtraAttributes of them kept (by name).
func keepExtras(in *Input) {
	svc, _ := ServiceByCode(in.ServiceCode)
	var extra []string
	for k, v := range in.Attributes {
		if k == AttrMediaURL || k == "partner_category" || !extraAttrKey.MatchString(k) ||
			slices.ContainsFunc(svc.Attributes, func(a Attribute) bool { return a.Code == k }) {
			continue
		}
		v = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				return -1
			}
			return r
		}, strings.ToValidUTF8(v, ""))
		if r := []rune(v); len(r) > MaxExtraValue {
			v = string(r[:MaxExtraValue])
		}
		in.Attributes[k] = v
		extra = append(extra, k)
	}
	slices.Sort(extra)
	for _, k := range extra[min(len(extra), MaxExtraAttributes):] {
		delete(in.Attributes, k)
	}
}

// Extras returns the signal's attributes outside its service's
// definition, sorted by name, for staff.
func (s *Signal) Extras() [][2]string {
	svc, _ := ServiceByCode(s.ServiceCode)
	var out [][2]string
	for k, v := range s.Attributes {
		if k == AttrMediaURL || k == "partner_category" || slices.ContainsFunc(svc.Attributes, func(a Attribute) bool { return a.Code == k }) {
			continue
		}
		out = append(out, [2]string{k, v})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// MediaURL is the address of the sender's photo, "" if none was given.
func (s *Signal) MediaURL() string { return s.Attributes[AttrMediaURL] }

// PhotoError maps a photo problem to a translation key.
func PhotoError(err error) string {
	switch err {
	case photo.ErrHEIC:
		return "err.photo_heic"
	case photo.ErrTooLarge:
		return "err.photo_large"
	case photo.ErrUnsupported:
		return "err.photo_format"
	case photo.ErrDimensions:
		return "err.photo_pixels"
	case photo.ErrDecodeSize:
		return "err.photo_decode"
	case photo.ErrBusy:
		return "err.photo_busy"
	}
	return "err.photo_not_image"
}

// Submit validates a signal, stores it durably and files it into an
// incident. A retried delivery with the same (channel, external id)
// returns the first result and creates nothing.
//
// Errors: Invalid with fields, Forbidden, Unavailable.
func (s *Service) Submit(ctx context.Context, a auth.Actor, in Input) (*Result, error) {
	const op = "intake.Submit"
	if err := checkChannel(a, in.Channel); err != nil {
		return nil, err
	}
	in.ExternalID = strings.TrimSpace(in.ExternalID)
	in.Description = strings.TrimSpace(in.Description)
	in.Address = strings.TrimSpace(in.Address)
	in.Reporter = strings.TrimSpace(in.Reporter)
	keepExtras(&in)
	if f := s.Validate(&in); len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	// A retry of a delivery with a photo costs one read, not a photo
	// re-encode and an orphan file. Without a photo the group commit finds
	// retries itself, for the whole batch at once.
	if in.ExternalID != "" && len(in.Photo) > 0 {
		if v, err := s.Store.SignalByExternal(ctx, in.Channel, in.ExternalID); err == nil {
			inc, err := s.Store.IncidentByID(ctx, v.IncidentID)
			if err != nil {
				return nil, err
			}
			sig := v.Signal
			return &Result{Signal: &sig, Incident: inc, Duplicate: true}, nil
		}
	}
	now := s.now()
	sig := &Signal{
		ID: id.New(), Ref: NewRef("HV"), Channel: in.Channel, ExternalID: in.ExternalID, ServiceCode: in.ServiceCode,
		Description: in.Description, Address: in.Address, Reporter: in.Reporter, Attributes: in.Attributes,
		ReportedAt: in.ReportedAt.UTC(), ReceivedAt: now, ReceivedBy: a.UserID,
	}
	if sig.ExternalID == "" {
		sig.ExternalID = sig.ID
	}
	if sig.ReportedAt.IsZero() {
		sig.ReportedAt = now
	}
	if in.Lat != nil {
		sig.Lat, sig.Lng = *in.Lat, *in.Lng
	}
	if in.Phone != "" {
		sealed, err := s.Keys.Seal(phoneContext, auth.NormalizePhone(in.Phone))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, op, err)
		}
		sig.PhoneSealed = sealed
	}
	if len(in.Photo) > 0 {
		clean, err := photo.Clean(ctx, in.Photo)
		if err != nil {
			return nil, errs.InvalidFields(op, map[string]string{"photo": PhotoError(err)})
		}
		sig.Photo = "signals/" + now.Format("200601") + "/" + strings.ToLower(sig.ID) + ".jpg"
		// The file is durable before the row that names it is committed.
		if err := s.Photos.Put(ctx, sig.Photo, clean); err != nil {
			return nil, errs.Wrap(errs.Unavailable, op, err)
		}
	}
	svc, _ := ServiceByCode(sig.ServiceCode)
	inc := &Incident{
		ID: id.New(), Ref: NewRef("SJ"), ServiceCode: sig.ServiceCode, State: StateAccepted,
		Address: sig.Address, OpenedAt: minTime(sig.ReportedAt, now), LastSignalAt: sig.ReportedAt, DueAt: sig.ReportedAt.Add(svc.SLA),
		SignalCount: 1, Version: 1, UpdatedAt: now,
	}
	s.locate(ctx, inc, sig)
	if err := s.route(ctx, inc); err != nil {
		return nil, err
	}
	// The "already known" hint of an incident the signal opens is stored
	// with it in the same commit (no second write and fsync): the store
	// looks it up there, for RecentIncidents, only when the signal does
	// open one; other matchers are asked here, before filing.
	known := s.markKnown(ctx, inc)
	e := audit.Entry{ActorID: a.UserID, ActorName: actorName(a, in.Channel), Action: "signal.create", RecordType: "signal", RecordID: sig.ID, IP: a.IP, Detail: string(in.Channel)}
	res, err := s.Store.SubmitSignal(ctx, &Submission{Signal: sig, Merge: s.mergeRule(), Now: now, NewIncident: inc, Audit: e, Known: known})
	if err != nil {
		return nil, err
	}
	if !res.Duplicate && s.Changed != nil {
		s.Changed(res.Incident)
	}
	return res, nil
}

// locate places a new incident: where its signal says, else where the
// gazetteer finds the typed address (approximately), else nowhere
// (unlocated, 位置待定) — never at 0,0 on a map.
func (s *Service) locate(ctx context.Context, inc *Incident, sig *Signal) {
	inc.Lat, inc.Lng, inc.Precision, inc.Place = 0, 0, PrecisionNone, ""
	if sig.HasLocation() {
		inc.Lat, inc.Lng, inc.Precision = sig.Lat, sig.Lng, PrecisionExact
		return
	}
	if s.Geocoder == nil {
		return
	}
	for _, text := range []string{sig.Address, sig.Description} {
		if m, ok := s.Geocoder.Geocode(ctx, text); ok && s.Bounds.Contains(m.Lat, m.Lng) {
			inc.Lat, inc.Lng, inc.Precision, inc.Place = m.Lat, m.Lng, Precision(m.Precision), m.Name
			return
		}
	}
}

// route picks the incident's department from the routing catalogue by its
// place: its point, or for a district-only place the district's name.
func (s *Service) route(ctx context.Context, inc *Incident) error {
	rules, err := s.routingRules(ctx)
	if err != nil {
		return err
	}
	at := &Signal{ServiceCode: inc.ServiceCode}
	district := ""
	switch {
	case inc.Precision == PrecisionDistrict:
		district = inc.Place
	case inc.Located():
		at.Lat, at.Lng = inc.Lat, inc.Lng
	}
	if r := Route(rules, at, district); r != nil {
		inc.RuleID, inc.DepartmentID, inc.District = r.ID, r.DepartmentID, r.District
	}
	return nil
}

// minTime: an incident opens when the first report says it happened (a
// work order accepted by 12345 an hour ago opened an hour ago), never later
// than now.
func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func actorName(a auth.Actor, ch Channel) string {
	if a.Name != "" {
		return a.Name
	}
	return "public"
}

func (s *Service) mergeRule() MergeRule {
	if s.Merge.RadiusM <= 0 || s.Merge.Window <= 0 {
		return DefaultMergeRule
	}
	r := s.Merge
	r.RadiusM = math.Min(r.RadiusM, MaxMergeRadiusM)
	return r
}

// routingRules caches the routing catalogue for a few seconds: it is read
// on every signal and changes rarely.
func (s *Service) routingRules(ctx context.Context) ([]*Rule, error) {
	s.rulesMu.Lock()
	defer s.rulesMu.Unlock()
	// rulesTime, not rules, says whether they were read: a city with no
	// rules yet has an empty list, which must not be read for every signal.
	if !s.rulesTime.IsZero() && time.Since(s.rulesTime) < 10*time.Second {
		return s.rules, nil
	}
	rules, err := s.Store.ListRules(ctx)
	if err != nil {
		return nil, err
	}
	s.rules, s.rulesTime = rules, time.Now()
	return rules, nil
}

func (s *Service) invalidateRules() {
	s.rulesMu.Lock()
	s.rules, s.rulesTime = nil, time.Time{}
	s.rulesMu.Unlock()
}

// markKnown asks the matchers who a new incident probably concerns, and
// sets its hint. The first matcher that the store can run inside the
// commit (RecentIncidents) is returned instead, for the store to run only
// if the signal opens the incident. A failure never fails the signal: it
// is a hint.
func (s *Service) markKnown(ctx context.Context, inc *Incident) *KnownLookup {
	for _, m := range s.Known {
		if r, ok := m.(RecentIncidents); ok {
			if l := r.Lookup(); l.Applies(inc) {
				return l
			}
			continue
		}
		k, err := m.Known(ctx, inc)
		if err != nil || k == nil {
			continue
		}
		inc.Known = k
		return nil
	}
	return nil
}

// RecentIncidents is the "already known" matcher that exists before people
// records do: an incident at about the same place in the last 30 days
// whose outcome says someone is known there.
type RecentIncidents struct {
	Store   Store
	RadiusM float64
	Days    int
	Now     func() time.Time
}

// Lookup is the lookup the store runs for an incident a signal opens,
// inside the commit that files it (Submission.Known).
func (r RecentIncidents) Lookup() *KnownLookup {
	radius, days := r.RadiusM, r.Days
	if radius <= 0 {
		radius = 300
	}
	if days <= 0 {
		days = 30
	}
	now := r.Now().UTC()
	return &KnownLookup{RadiusM: radius, Since: now.AddDate(0, 0, -days), Now: now}
}

// Known implements KnownMatcher.
func (r RecentIncidents) Known(ctx context.Context, inc *Incident) (*KnownMatch, error) {
	l := r.Lookup()
	if !l.Applies(inc) {
		return nil, nil
	}
	list, err := r.Store.KnownIncidentsNear(ctx, Point{inc.Lat, inc.Lng}, l.RadiusM, l.Since)
	if err != nil {
		return nil, err
	}
	return l.Pick(inc, list), nil
}

// KnownLookup finds the "already known" hint of a new incident: the
// nearest incident within RadiusM opened since Since whose outcome says
// someone is known there.
type KnownLookup struct {
	RadiusM float64
	Since   time.Time
	Now     time.Time
}

// Applies reports whether inc has a place precise enough to look for.
func (l *KnownLookup) Applies(inc *Incident) bool {
	return inc.Located() && inc.Precision != PrecisionStreet && inc.Precision != PrecisionDistrict // a road or a district is no "same place"
}

// Pick chooses the hint among the incidents KnownIncidentsNear listed.
func (l *KnownLookup) Pick(inc *Incident, list []*Incident) *KnownMatch {
	var best *KnownMatch
	for _, o := range list {
		if o.ID == inc.ID || o.State == StateMerged {
			continue
		}
		switch o.Outcome {
		case OutcomeHelped, OutcomeRefused, OutcomeAlreadyKnown, OutcomeToStation:
		default:
			continue
		}
		d := Distance(Point{inc.Lat, inc.Lng}, Point{o.Lat, o.Lng})
		if best == nil || d < best.DistanceM {
			best = &KnownMatch{Kind: "incident", ID: o.ID, Ref: o.Ref, DistanceM: float64(int(d)), DaysAgo: int(l.Now.Sub(o.OpenedAt).Hours() / 24), Outcome: o.Outcome}
		}
	}
	return best
}

// NewRef returns a reference number such as HV-7K3M9QPX: short enough to
// read over the phone, random so that nobody can guess another's.
func NewRef(prefix string) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	// 32 letters: the low five bits of a random byte pick one uniformly.
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	for i, v := range b {
		b[i] = alphabet[v&31]
	}
	return prefix + "-" + string(b[:])
}

// NormalizeRef uppercases a reference typed by a person and fixes common
// look-alikes.
func NormalizeRef(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.NewReplacer("O", "0", "I", "1", " ", "").Replace(s)
}

// StatusUpdate is a dispatcher's change of an incident.
type StatusUpdate struct {
	Version     int
	State       State
	Outcome     Outcome
	StatusNotes string
}

// Delivery is one outbound notification to a partner (transactional
// outbox): created with the change, sent by the webhook worker.
type Delivery struct {
	ID          string
	Partner     Channel
	SignalID    string
	Event       string
	Body        []byte
	Attempts    int
	NextAt      time.Time
	LastError   string
	CreatedAt   time.Time
	DeliveredAt time.Time
	DeadAt      time.Time
}

// Notice is the body of a status notification to a partner.
type Notice struct {
	Event       string    `json:"event"`
	PartnerID   string    `json:"partner_order_id"`
	Ref         string    `json:"haven_ref"`
	IncidentRef string    `json:"incident_ref"`
	State       State     `json:"state"`
	StateName   string    `json:"state_name"`
	Open311     string    `json:"status"`
	Outcome     Outcome   `json:"outcome,omitempty"`
	OutcomeName string    `json:"outcome_name,omitempty"`
	StatusNotes string    `json:"status_notes"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// StateNames are the Chinese names partner platforms expect.
var StateNames = map[State]string{StateAccepted: "受理", StateDispatched: "派单", StateInProgress: "办理", StateReplied: "回复", StateClosed: "办结", StateMerged: "并单"}

// OutcomeNames are the Chinese names of outcomes for partners.
var OutcomeNames = map[Outcome]string{OutcomeHelped: "已现场救助", OutcomeToStation: "已护送至救助站", OutcomeRefused: "本人拒绝救助",
	OutcomeNotFound: "现场未找到", OutcomeAlreadyKnown: "已在救助中", OutcomePolice: "已移交公安", OutcomeHospital: "已送医"}

// Notices builds the outbox rows for an incident change: one for each
// signal that came from a partner platform.
func Notices(inc *Incident, signals []*Signal, now time.Time) []*Delivery {
	var out []*Delivery
	for _, sg := range signals {
		if !slices.Contains(PartnerChannels, sg.Channel) {
			continue
		}
		n := Notice{Event: "incident.updated", PartnerID: sg.ExternalID, Ref: sg.Ref, IncidentRef: inc.Ref, State: inc.State,
			StateName: StateNames[inc.State], Open311: inc.State.Open311Status(), Outcome: inc.Outcome, OutcomeName: OutcomeNames[inc.Outcome],
			StatusNotes: inc.StatusNotes, UpdatedAt: now}
		body, _ := json.Marshal(n)
		out = append(out, &Delivery{ID: id.New(), Partner: sg.Channel, SignalID: sg.ID, Event: n.Event, Body: body, NextAt: now, CreatedAt: now})
	}
	return out
}

// Update changes an incident's state, outcome and notes, and queues the
// news for every partner that reported it. Errors: Forbidden, NotFound,
// Invalid, Conflict (someone else changed it first).
func (s *Service) Update(ctx context.Context, a auth.Actor, incidentID string, u StatusUpdate) (*Incident, error) {
	const op = "intake.Update"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	return s.update(ctx, a, op, incidentID, u)
}

// CloseFromStreet closes an incident with the outcome a patrol recorded
// in an encounter; the outcome goes back to every sender as Update's does.
// Errors: Conflict "err.incident_closed" when it is closed already, or
// "err.changed_meanwhile".
func (s *Service) CloseFromStreet(ctx context.Context, a auth.Actor, incidentID string, o Outcome, notes string) (*Incident, error) {
	const op = "intake.CloseFromStreet"
	if err := a.Require(op, auth.PermPatrolWork); err != nil {
		return nil, err
	}
	inc, err := s.Store.IncidentByID(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	if !inc.State.Open() {
		return nil, errs.E(errs.Conflict, op, "err.incident_closed")
	}
	return s.update(ctx, a, op, incidentID, StatusUpdate{State: StateClosed, Outcome: o, StatusNotes: notes, Version: inc.Version})
}

func (s *Service) update(ctx context.Context, a auth.Actor, op, incidentID string, u StatusUpdate) (*Incident, error) {
	inc, err := s.Store.IncidentByID(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	f := map[string]string{}
	if u.State != inc.State && !CanMove(inc.State, u.State) {
		f["state"] = "err.state_move"
	}
	if u.Outcome != "" && !slices.Contains(Outcomes, u.Outcome) {
		f["outcome"] = "err.invalid_choice"
	}
	if (u.State == StateClosed || u.State == StateReplied) && u.Outcome == "" {
		f["outcome"] = "err.outcome_required"
	}
	u.StatusNotes = strings.TrimSpace(u.StatusNotes)
	if !utf8.ValidString(u.StatusNotes) || utf8.RuneCountInString(u.StatusNotes) > 1000 {
		f["status_notes"] = "err.too_long"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	if u.Version != inc.Version {
		return nil, errs.E(errs.Conflict, op, "err.changed_meanwhile")
	}
	now := s.now()
	var changed []string
	if u.State != inc.State {
		changed = append(changed, "state:"+string(inc.State)+">"+string(u.State))
		inc.State = u.State
		if u.State == StateClosed {
			inc.ClosedAt = now
		} else {
			inc.ClosedAt = time.Time{}
		}
	}
	if u.Outcome != inc.Outcome {
		changed = append(changed, "outcome:"+string(u.Outcome))
		inc.Outcome = u.Outcome
	}
	if u.StatusNotes != inc.StatusNotes {
		changed = append(changed, "status_notes")
		inc.StatusNotes = u.StatusNotes
	}
	if len(changed) == 0 {
		return inc, nil
	}
	inc.UpdatedAt = now
	e := a.Entry("incident.update", "incident", inc.ID)
	e.Detail = strings.Join(changed, ",")
	if err := s.Store.UpdateIncident(ctx, inc, func(sigs []*Signal) []*Delivery { return Notices(inc, sigs, now) }, e); err != nil {
		return nil, err
	}
	inc.Version++
	if s.Changed != nil {
		s.Changed(inc)
	}
	return inc, nil
}

// MergeInto folds incident from into the incident whose reference a
// dispatcher typed. Errors as MergeIncidents; an unknown reference is an
// Invalid "into" field.
func (s *Service) MergeInto(ctx context.Context, a auth.Actor, from, intoRef string) (*Op, error) {
	const op = "intake.MergeInto"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	into, err := s.Store.IncidentByRef(ctx, NormalizeRef(intoRef))
	if errs.Is(errs.NotFound, err) {
		return nil, errs.InvalidFields(op, map[string]string{"into": "err.ref_unknown"})
	}
	if err != nil {
		return nil, err
	}
	return s.MergeIncidents(ctx, a, from, into.ID)
}

// MergeIncidents folds incident from into incident into: its signals move
// over and it is marked merged. Undo restores both.
func (s *Service) MergeIncidents(ctx context.Context, a auth.Actor, from, into string) (*Op, error) {
	const op = "intake.MergeIncidents"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	if from == into {
		return nil, errs.InvalidFields(op, map[string]string{"into": "err.merge_self"})
	}
	src, err := s.Store.IncidentByID(ctx, from)
	if err != nil {
		return nil, err
	}
	dst, err := s.Store.IncidentByID(ctx, into)
	if err != nil {
		return nil, errs.InvalidFields(op, map[string]string{"into": "err.not_found"})
	}
	if !src.State.Open() || !dst.State.Open() {
		return nil, errs.E(errs.Conflict, op, "err.merge_closed")
	}
	o := &Op{ID: id.New(), Kind: "merge", From: src.ID, To: dst.ID, PrevState: src.State, ActorName: a.Name, At: s.now()}
	e := a.Entry("incident.merge", "incident", dst.ID)
	e.Detail = "from " + src.Ref
	if err := s.Store.Merge(ctx, o, e); err != nil {
		return nil, err
	}
	s.notifyChanged(ctx, src.ID, dst.ID)
	return o, nil
}

// SplitSignal moves one signal out of its incident into a new incident.
func (s *Service) SplitSignal(ctx context.Context, a auth.Actor, incidentID, signalID string) (*Op, *Incident, error) {
	const op = "intake.SplitSignal"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, nil, err
	}
	inc, err := s.Store.IncidentByID(ctx, incidentID)
	if err != nil {
		return nil, nil, err
	}
	sigs, err := s.Store.SignalsOfIncident(ctx, incidentID)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(sigs, func(x *Signal) bool { return x.ID == signalID })
	if i < 0 {
		return nil, nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	if len(sigs) == 1 {
		return nil, nil, errs.E(errs.Conflict, op, "err.split_last")
	}
	sg := sigs[i]
	now := s.now()
	svc, _ := ServiceByCode(sg.ServiceCode)
	n := &Incident{ID: id.New(), Ref: NewRef("SJ"), ServiceCode: sg.ServiceCode, State: StateAccepted,
		Address: sg.Address, District: inc.District, DepartmentID: inc.DepartmentID, RuleID: inc.RuleID, OpenedAt: now,
		LastSignalAt: sg.ReportedAt, DueAt: sg.ReportedAt.Add(svc.SLA), SignalCount: 1, Version: 1, UpdatedAt: now}
	s.locate(ctx, n, sg)
	o := &Op{ID: id.New(), Kind: "split", From: inc.ID, To: n.ID, SignalIDs: []string{sg.ID}, PrevState: inc.State, ActorName: a.Name, At: now}
	e := a.Entry("incident.split", "incident", inc.ID)
	e.Detail = "signal " + sg.Ref + " to " + n.Ref
	if err := s.Store.Split(ctx, o, n, e); err != nil {
		return nil, nil, err
	}
	s.notifyChanged(ctx, inc.ID, n.ID)
	return o, n, nil
}

// Undo reverses a merge or split. Errors: NotFound, Conflict (already
// undone, or an incident involved has been closed since).
func (s *Service) Undo(ctx context.Context, a auth.Actor, opID string) (*Op, error) {
	const op = "intake.Undo"
	if err := a.Require(op, auth.PermIncidentsManage); err != nil {
		return nil, err
	}
	e := a.Entry("incident.undo", "incident_op", opID)
	o, err := s.Store.UndoOp(ctx, opID, s.now(), e)
	if err != nil {
		return nil, err
	}
	s.notifyChanged(ctx, o.From, o.To)
	return o, nil
}

func (s *Service) notifyChanged(ctx context.Context, ids ...string) {
	if s.Changed == nil {
		return
	}
	for _, i := range ids {
		if inc, err := s.Store.IncidentByID(ctx, i); err == nil {
			s.Changed(inc)
		}
	}
}

// Incidents lists incidents for staff.
func (s *Service) Incidents(ctx context.Context, a auth.Actor, f IncidentFilter) ([]*Incident, error) {
	if err := a.Require("intake.Incidents", auth.PermIncidentsView); err != nil {
		return nil, err
	}
	return s.Store.ListIncidents(ctx, f)
}

// IncidentDetail is an incident with its signals and merge history.
type IncidentDetail struct {
	*Incident
	Signals []*Signal
	Ops     []*Op
}

// Incident returns one incident with its signals. Signals' phone numbers
// stay sealed: opening one is a separate, audited step (SignalContact).
func (s *Service) Incident(ctx context.Context, a auth.Actor, incidentID string) (*IncidentDetail, error) {
	const op = "intake.Incident"
	if err := a.Require(op, auth.PermIncidentsView); err != nil {
		return nil, err
	}
	inc, err := s.Store.IncidentByID(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	sigs, err := s.Store.SignalsOfIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	ops, err := s.Store.OpsOfIncident(ctx, incidentID)
	if err != nil {
		return nil, err
	}
	return &IncidentDetail{Incident: inc, Signals: sigs, Ops: ops}, nil
}

// SignalContact opens a signal's callback phone for a dispatcher who must
// call back, and audits the read.
func (s *Service) SignalContact(ctx context.Context, a auth.Actor, ref string) (string, error) {
	const op = "intake.SignalContact"
	if err := a.Require(op, auth.PermSignalsPersonal); err != nil {
		return "", err
	}
	v, err := s.Store.SignalByRef(ctx, ref)
	if err != nil {
		return "", err
	}
	p, err := s.Keys.Open(phoneContext, v.PhoneSealed)
	if err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("signal.phone_view", "signal", v.ID)); err != nil {
		return "", errs.Wrap(errs.Internal, op, err)
	}
	return p, nil
}

// SignalPhoto returns a signal's photo for staff, audited.
func (s *Service) SignalPhoto(ctx context.Context, a auth.Actor, ref string) ([]byte, error) {
	const op = "intake.SignalPhoto"
	if err := a.Require(op, auth.PermSignalsPersonal); err != nil {
		return nil, err
	}
	v, err := s.Store.SignalByRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	if v.Photo == "" {
		return nil, errs.E(errs.NotFound, op, "err.not_found")
	}
	b, err := s.Photos.Get(ctx, v.Photo)
	if err != nil {
		return nil, errs.Wrap(errs.NotFound, op, err)
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("signal.photo_view", "signal", v.ID)); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	return b, nil
}

// Status is what anyone holding a reference number may see: no personal
// data, only where the report stands.
func (s *Service) Status(ctx context.Context, ref string) (*SignalView, error) {
	return s.Store.SignalByRef(ctx, NormalizeRef(ref))
}

// Rules lists the routing catalogue.
func (s *Service) Rules(ctx context.Context, a auth.Actor) ([]*Rule, error) {
	if err := a.Require("intake.Rules", auth.PermIncidentsView); err != nil {
		return nil, err
	}
	return s.Store.ListRules(ctx)
}

// SensitiveServices lists the service codes marked sensitive: requests of
// these kinds are shown only to API keys with the open311 scope, never to
// anonymous Open311 clients.
func (s *Service) SensitiveServices(ctx context.Context, a auth.Actor) ([]string, error) {
	if err := a.Require("intake.SensitiveServices", auth.PermIncidentsView); err != nil {
		return nil, err
	}
	return s.Store.SensitiveServices(ctx)
}

// AlwaysSensitive are the kinds that stay sensitive whatever an
// administrator ticks: requests about children alone on the street.
var AlwaysSensitive = []string{"minor_alone"}

// SetSensitiveServices makes codes, with AlwaysSensitive, the whole list
// of sensitive kinds. It
// decides what partners and the public may see, so it is an
// administrator's (partners.manage), not a dispatcher's.
func (s *Service) SetSensitiveServices(ctx context.Context, a auth.Actor, codes []string) error {
	const op = "intake.SetSensitiveServices"
	if err := a.Require(op, auth.PermPartnersManage); err != nil {
		return err
	}
	seen := map[string]bool{}
	var list []string
	for _, c := range append(slices.Clone(AlwaysSensitive), codes...) {
		if _, ok := ServiceByCode(c); !ok {
			return errs.InvalidFields(op, map[string]string{"sensitive": "err.unknown_service"})
		}
		if !seen[c] {
			seen[c] = true
			list = append(list, c)
		}
	}
	e := a.Entry("routing.sensitive", "service_settings", "")
	e.Detail = strings.Join(list, " ")
	return s.Store.SetSensitiveServices(ctx, list, e)
}

// CreateRule adds a routing rule.
func (s *Service) CreateRule(ctx context.Context, a auth.Actor, r Rule) (*Rule, error) {
	const op = "intake.CreateRule"
	if err := a.Require(op, auth.PermRoutingManage); err != nil {
		return nil, err
	}
	r.Name = strings.TrimSpace(r.Name)
	f := map[string]string{}
	if r.Name == "" {
		f["name"] = "err.required"
	}
	if r.DepartmentID == "" {
		f["department_id"] = "err.required"
	}
	if len(r.Polygon) > 0 && len(r.Polygon) < 3 {
		f["polygon"] = "err.polygon"
	}
	for _, c := range r.ServiceCodes {
		if _, ok := ServiceByCode(c); !ok {
			f["service_codes"] = "err.unknown_service"
		}
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	r.ID = id.New()
	if err := s.Store.CreateRule(ctx, &r, a.Entry("routing.create", "routing_rule", r.ID)); err != nil {
		if errs.Is(errs.Invalid, err) {
			return nil, errs.InvalidFields(op, map[string]string{"department_id": "err.invalid_choice"})
		}
		return nil, err
	}
	s.invalidateRules()
	return &r, nil
}

// ParsePolygon reads "lat,lng; lat,lng; …" as typed into the routing form.
func ParsePolygon(s string) ([]Point, bool) {
	var out []Point
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		la, ln, ok := strings.Cut(part, ",")
		if !ok {
			return nil, false
		}
		lat, err1 := strconv.ParseFloat(strings.TrimSpace(la), 64)
		lng, err2 := strconv.ParseFloat(strings.TrimSpace(ln), 64)
		if err1 != nil || err2 != nil || lat < -90 || lat > 90 || lng < -180 || lng > 180 {
			return nil, false
		}
		out = append(out, Point{lat, lng})
	}
	return out, true
}
