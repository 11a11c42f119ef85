package firesafety

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/duties"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/photo"
)

// Area is fire safety's duty area in the duty engine.
const Area = "fire"

// Duty kinds of fire safety.
const (
	DutyNightPatrol = "night_patrol"    // every NightGapHours at night
	DutyDayPatrol   = "day_patrol"      // daily
	DutyCheck       = "equipment_check" // monthly equipment check
	DutyInspection  = "inspection"      // 防火检查
	DutyTraining    = "training"
	DutyDrill       = "drill"
	DutyTest        = "full_test" // yearly, by a qualified company
)

// Service is the station's fire safety.
type Service struct {
	Store    Store
	Duties   duties.Store
	Files    files.Store // scan photos and test reports
	Now      func() time.Time
	Settings Settings // zero: Defaults
}

func (s *Service) set() Settings { return s.Settings.WithDefaults() }

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

func (s *Service) today() string { return Day(s.now()) }

// Set is the settings in force.
func (s *Service) Set() Settings { return s.set() }

// ---- duties ----

// periodic duties counted from their last completion.
func (s *Service) periodic() []struct {
	kind   string
	months int
} {
	set := s.set()
	return []struct {
		kind   string
		months int
	}{{DutyCheck, set.CheckMonths}, {DutyInspection, set.InspectMonths}, {DutyTraining, set.TrainMonths}, {DutyDrill, set.DrillMonths},
		{DutyTest, set.TestMonths}}
}

func atHour(day string, hh int) time.Time {
	t, _ := parseDay(day)
	return t.Add(time.Duration(hh) * time.Hour).UTC()
}

// EnsureDuties sets up fire safety's duties; those set up before stay as
// they are. A new installation owes each periodic duty from tomorrow.
func (s *Service) EnsureDuties(ctx context.Context) error {
	if s.Duties == nil {
		return nil
	}
	set, now := s.set(), s.now()
	night, _ := s.set().NightOf(now)
	from, _ := set.Night(night)
	gap := time.Duration(set.NightGapHours) * time.Hour
	day := atHour(s.today(), 18)
	if !day.After(now) {
		day = day.AddDate(0, 0, 1)
	}
	ds := []duties.Duty{
		{Kind: DutyNightPatrol, Every: duties.Every(set.NightGapHours, duties.Hour), Soon: 30 * time.Minute, NextDue: from.Add(gap)},
		{Kind: DutyDayPatrol, Every: duties.Every(1, duties.Day), Soon: 10 * time.Hour, NextDue: day},
	}
	for _, p := range s.periodic() {
		ds = append(ds, duties.Duty{Kind: p.kind, Every: duties.Every(p.months, duties.Month), Soon: 7 * 24 * time.Hour, NextDue: day})
	}
	for _, d := range ds {
		d.Area, d.Title, d.Active = Area, "fire.duty."+d.Kind, true
		if _, err := s.Duties.EnsureDuty(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// resetDuty records a periodic duty done on day: its next occurrence is
// one period after that day, whenever it was due (training held early
// still counts from the day it was held). An older record than the last
// one changes nothing.
func (s *Service) resetDuty(ctx context.Context, kind, day, by string) {
	if s.Duties == nil {
		return
	}
	d, err := s.Duties.DutyByKey(ctx, Area, kind, "")
	if err != nil {
		return
	}
	done := atHour(day, 12)
	if !d.LastDone.IsZero() && !done.After(d.LastDone) {
		return
	}
	next := *d
	next.LastDone, next.LastBy = done, by
	next.NextDue = d.Every.After(atHour(day, 18))
	run := duties.Run{DutyID: d.ID, DueAt: d.NextDue, DoneAt: done, DoneBy: by, State: duties.StateAt(d.NextDue, done, d.Soon, done)}
	_ = s.Duties.SaveRun(ctx, next, d.NextDue, run)
}

// patrolled completes the patrol duty a scan at at fulfils. The night
// duty recurs every NightGapHours while the night lasts; its next
// occurrence after the night's end is the next night's first.
func (s *Service) patrolled(ctx context.Context, at time.Time, night bool, by, record string) {
	if s.Duties == nil {
		return
	}
	if !night {
		_, _ = duties.Completer{Store: s.Duties}.Done(ctx, Area, DutyDayPatrol, "", at, by, record)
		return
	}
	d, err := s.Duties.DutyByKey(ctx, Area, DutyNightPatrol, "")
	if err != nil {
		return
	}
	set := s.set()
	next, run, ok := duties.Complete(*d, at, by, record)
	if !ok {
		// A scan earlier than the occurrence's window (a second round
		// soon after the first) moves nothing.
		return
	}
	// The rule is at most NightGapHours after this scan.
	next.NextDue = at.Add(time.Duration(set.NightGapHours) * time.Hour)
	day, _ := set.NightOf(at)
	if _, end := set.Night(day); next.NextDue.After(end) {
		from, _ := set.Night(Day(end))
		next.NextDue = from.Add(time.Duration(set.NightGapHours) * time.Hour)
	}
	_ = s.Duties.SaveRun(ctx, next, d.NextDue, run)
}

// CheckRoundDone records the monthly equipment check as done today.
func (s *Service) CheckRoundDone(ctx context.Context, a auth.Actor) error {
	if err := a.Require("fire.CheckRoundDone", auth.PermFireManage); err != nil {
		return err
	}
	s.resetDuty(ctx, DutyCheck, s.today(), a.Name)
	return nil
}

// ---- input helpers ----

// count reads a whole number from min to max.
func count(f form.Fields, name, v string, min, max int, required bool) int {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f[name] = "err.required"
		}
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		f[name] = "fire.err_count"
		return 0
	}
	return n
}

// yuan reads an amount in yuan ("1200", "1,200.50") as fen.
func yuan(f form.Fields, name, v string) int64 {
	v = strings.NewReplacer(",", "", "，", "", "¥", "", "￥", "", "元", "").Replace(strings.TrimSpace(v))
	if v == "" {
		return 0
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || x < 0 || x > 1e9 || x != x {
		f[name] = "fire.err_amount"
		return 0
	}
	return int64(math.Round(x * 100))
}

func (s *Service) putPhoto(ctx context.Context, f form.Fields, field, folder string, data []byte) string {
	if len(data) == 0 || s.Files == nil {
		return ""
	}
	clean, err := photo.Clean(ctx, data)
	if err != nil {
		f[field] = intake.PhotoError(err)
		return ""
	}
	name := folder + "/" + s.now().Format("200601") + "/" + strings.ToLower(id.New()) + ".jpg"
	if err := s.Files.Put(ctx, name, clean); err != nil {
		f[field] = "err.photo_busy"
		return ""
	}
	return name
}

// ---- the register ----

// EquipmentInput is an item as typed.
type EquipmentInput struct {
	Kind, Name, Location, ExtType, ManufacturedOn, InstalledOn, LastServiceOn, Installed, Spares, Note string
}

// AddEquipment registers an item. An extinguisher needs its type and
// manufacture day, not after it was installed; sprinklers their counts.
func (s *Service) AddEquipment(ctx context.Context, a auth.Actor, in EquipmentInput) (*Equipment, error) {
	const op = "fire.AddEquipment"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	today := s.today()
	f := form.Fields{}
	e := &Equipment{ID: id.New(), Kind: f.Choice("kind", in.Kind, Kinds), Name: f.Text("name", in.Name, true, 60),
		Location: f.Text("location", in.Location, true, 80), InstalledOn: f.Day("installed_on", in.InstalledOn, today, false),
		Note: f.Text("note", in.Note, false, 200), CreatedAt: s.now()}
	switch e.Kind {
	case KindExtinguisher:
		e.ExtType = f.Choice("ext_type", in.ExtType, ExtTypes)
		e.ManufacturedOn = f.Day("manufactured_on", in.ManufacturedOn, today, true)
		e.LastServiceOn = f.Day("last_service_on", in.LastServiceOn, today, false)
		if e.ManufacturedOn != "" && e.InstalledOn != "" && e.ManufacturedOn > e.InstalledOn {
			f["manufactured_on"] = "fire.err_made_after_installed"
		}
		if e.ManufacturedOn != "" && e.LastServiceOn != "" && e.LastServiceOn < e.ManufacturedOn {
			f["last_service_on"] = "fire.err_service_before_made"
		}
	case KindSprinkler:
		e.Installed = count(f, "installed", in.Installed, 1, 100000, true)
		e.Spares = count(f, "spares", in.Spares, 0, 100000, true)
		e.ManufacturedOn = f.Day("manufactured_on", in.ManufacturedOn, today, false)
	default:
		e.ManufacturedOn = f.Day("manufactured_on", in.ManufacturedOn, today, false)
		if e.ManufacturedOn != "" && e.InstalledOn != "" && e.ManufacturedOn > e.InstalledOn {
			f["manufactured_on"] = "fire.err_made_after_installed"
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	items, err := s.Store.Equipment(ctx)
	if err != nil {
		return nil, err
	}
	e.Code = fmt.Sprintf("F%03d", len(items)+1)
	return e, s.Store.AddEquipment(ctx, e, a.Entry("fire.equipment.add", "fire_equipment", e.ID))
}

// Item is an item with its standing and dates on a day.
type Item struct {
	*Equipment
	Standing    string
	NextService string
	ScrapOn     string
	SpareNeed   int
}

func (s *Service) item(e *Equipment, today string) Item {
	set := s.set()
	it := Item{Equipment: e, Standing: set.Standing(e, today)}
	if e.Kind == KindExtinguisher {
		it.NextService, it.ScrapOn = set.NextService(e.ExtType, e.ManufacturedOn, e.LastServiceOn), set.ScrapOn(e.ExtType, e.ManufacturedOn)
	}
	if e.Kind == KindSprinkler {
		it.SpareNeed = set.SpareNeed(e.Installed)
	}
	return it
}

// ItemPage is an item's page: the item and its log.
type ItemPage struct {
	Item
	Events []*Event
	Today  string
}

// EquipmentItem reads an item and its log.
func (s *Service) EquipmentItem(ctx context.Context, a auth.Actor, id string) (*ItemPage, error) {
	if err := a.RequireAny("fire.EquipmentItem", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	e, err := s.Store.EquipmentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	evs, err := s.Store.EquipmentEvents(ctx, id)
	if err != nil {
		return nil, err
	}
	return &ItemPage{Item: s.item(e, s.today()), Events: evs, Today: s.today()}, nil
}

// EventKinds lists the events of an item's log.
var EventKinds = []string{EventCheck, EventService, EventReplacement, EventSpares}

// EventInput is an entry of an item's log as typed.
type EventInput struct {
	Kind, On, Count, Note string
	OK                    bool
}

// RecordEvent logs a check, a service, a replacement of sprinkler heads
// from the spares or spares received.
func (s *Service) RecordEvent(ctx context.Context, a auth.Actor, equipmentID string, in EventInput) (*Event, error) {
	const op = "fire.RecordEvent"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	e, err := s.Store.EquipmentByID(ctx, equipmentID)
	if err != nil {
		return nil, err
	}
	f := form.Fields{}
	ev := &Event{ID: id.New(), EquipmentID: e.ID, Kind: f.Choice("event", in.Kind, EventKinds), On: f.Day("on", in.On, s.today(), true),
		OK: in.OK, Note: f.Text("note", in.Note, false, 200), By: a.Name, At: s.now()}
	switch ev.Kind {
	case EventService:
		if e.Kind != KindExtinguisher {
			f["event"] = "err.invalid_choice"
		}
		if ev.On != "" && ev.On < e.ManufacturedOn {
			f["on"] = "fire.err_service_before_made"
		}
		ev.OK = true
	case EventReplacement, EventSpares:
		if e.Kind != KindSprinkler {
			f["event"] = "err.invalid_choice"
		}
		ev.Count = count(f, "count", in.Count, 1, 100000, true)
		if ev.Kind == EventReplacement && ev.Count > e.Spares {
			f["count"] = "fire.err_spares_left"
		}
		if ev.Kind == EventReplacement && ev.Note == "" {
			f["note"] = "err.required"
		}
		ev.OK = true
	case EventCheck:
		if !ev.OK && ev.Note == "" {
			f["note"] = "fire.err_problem_note"
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddEquipmentEvent(ctx, ev, a.Entry("fire.equipment."+ev.Kind, "fire_equipment", e.ID)); err != nil {
		if errs.Is(errs.Conflict, err) {
			return nil, errs.InvalidFields(op, map[string]string{"count": "fire.err_spares_left"})
		}
		return nil, err
	}
	if ev.Kind == EventCheck && !ev.OK {
		h := &Hazard{ID: id.New(), FoundOn: ev.On, Source: SourceOther, SourceID: e.ID, Location: e.Location, Description: e.Name + "：" + ev.Note,
			CreatedAt: s.now()}
		if err := s.Store.AddHazard(ctx, h, a.Entry("fire.hazard.add", "fire_hazard", h.ID)); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

// TestInput is the yearly full test as typed, with its report's photo.
type TestInput struct {
	On, Company, CertNo, Note string
	Passed                    bool
	Report                    []byte
}

// AddTest records the yearly full test by a qualified company; its
// report's photo is required and cleaned like every upload.
func (s *Service) AddTest(ctx context.Context, a auth.Actor, in TestInput) (*Test, error) {
	const op = "fire.AddTest"
	if err := a.Require(op, auth.PermFireManage); err != nil {
		return nil, err
	}
	f := form.Fields{}
	t := &Test{ID: id.New(), On: f.Day("test_on", in.On, s.today(), true), Company: f.Text("company", in.Company, true, 80),
		CertNo: f.Text("cert_no", in.CertNo, true, 40), Passed: in.Passed, Note: f.Text("test_note", in.Note, false, 200), By: a.Name, At: s.now()}
	if len(in.Report) == 0 {
		f["report"] = "err.required"
	}
	if len(f) == 0 {
		t.Report = s.putPhoto(ctx, f, "report", "fire-tests", in.Report)
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	if err := s.Store.AddFireTest(ctx, t, a.Entry("fire.test.add", "fire_test", t.ID)); err != nil {
		return nil, err
	}
	s.resetDuty(ctx, DutyTest, t.On, a.Name)
	return t, nil
}

// TestReport is a test's report photo.
func (s *Service) TestReport(ctx context.Context, a auth.Actor, testID string) ([]byte, error) {
	if err := a.RequireAny("fire.TestReport", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	ts, err := s.Store.FireTests(ctx)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID == testID && t.Report != "" {
			return s.Files.Get(ctx, t.Report)
		}
	}
	return nil, errs.E(errs.NotFound, "fire.TestReport", "err.not_found")
}
