package firesafety

import (
	"context"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/duties"
)

// Alert kinds.
const (
	AlertScrapped     = "scrapped"      // an extinguisher past scrapping
	AlertScrapSoon    = "scrap_due"     // scrapping within DueDays
	AlertServiceLate  = "service_late"  // service day passed
	AlertServiceDue   = "service_due"   // service within DueDays
	AlertSpares       = "spares_short"  // sprinkler spares below the minimum
	AlertNightGap     = "night_gap"     // a night gap longer than the rule
	AlertMissed       = "cp_missed"     // a round missed a checkpoint
	AlertOutOfSeq     = "out_of_seq"    // a round scanned out of order
	AlertHazard       = "hazard_late"   // a hazard past its deadline
	AlertCertExpiring = "cert_expiring" // an operator's certificate
	AlertCertExpired  = "cert_expired"
	AlertShiftShort   = "shift_short" // a control-room shift with too few certified operators
	AlertMicroShort   = "micro_short" // the micro fire station below its number
	AlertUntrained    = "untrained"   // a new staff member not trained before starting
	AlertTrainingOld  = "training_old"
	AlertDrillOld     = "drill_old"
	AlertDutyOverdue  = "duty_overdue"
)

// Alert is one thing that needs attention.
type Alert struct {
	Kind    string
	Subject string // what it is about, in words
	Day     string
	At, To  time.Time
	N       int
	Ref     string // the record's id, for a link
}

// DutyRow is a duty due or overdue, with its state now.
type DutyRow struct {
	duties.Duty
	State duties.State
}

// HazardRow is a hazard with its state.
type HazardRow struct {
	*Hazard
	State string
}

// PersonRow is a person with their certificate's validity and last training.
type PersonRow struct {
	*Person
	Validity  string
	TrainedOn string
}

// ShiftRow is a control-room shift of the roster ahead with its certified
// operators.
type ShiftRow struct {
	On, Slot  string
	Names     []string
	Certified int
	Short     bool
}

// Overview is the fire-safety page.
type Overview struct {
	Today       string
	Settings    Settings
	Duties      []DutyRow
	Alerts      []Alert
	Items       []Item
	Due         []Item // equipment due within DueDays (or past it)
	Tonight     Coverage
	LastNight   Coverage
	Rounds      []*Round // the last three days'
	Checkpoints []*Checkpoint
	Hazards     []HazardRow // open ones first, then closed of the last 90 days
	OpenHazards int
	People      []PersonRow
	Micro       int
	Roster      []ShiftRow
	Trainings   []*Training
	Drills      []*Drill
	Inspections []*Inspection
	Tests       []*Test
	LastTrain   string
	LastDrill   string
	Checked     int // items checked this month
}

// DutiesToday lists the area's active duties due by the end of today
// (CST), with their states.
func (s *Service) dutiesToday(ctx context.Context, now time.Time) ([]DutyRow, error) {
	if s.Duties == nil {
		return nil, nil
	}
	end := atHour(Day(now), 24)
	ds, err := s.Duties.DutiesDue(ctx, Area, end)
	if err != nil {
		return nil, err
	}
	var out []DutyRow
	for _, d := range ds {
		out = append(out, DutyRow{Duty: *d, State: d.State(now)})
	}
	return out, nil
}

// Overview reads the fire-safety page for those who may see it.
func (s *Service) Overview(ctx context.Context, a auth.Actor) (*Overview, error) {
	const op = "fire.Overview"
	if err := a.RequireAny(op, auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	set, now := s.set(), s.now()
	today := Day(now)
	o := &Overview{Today: today, Settings: set}
	var err error
	if o.Duties, err = s.dutiesToday(ctx, now); err != nil {
		return nil, err
	}
	for _, d := range o.Duties {
		if d.State == duties.Overdue {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertDutyOverdue, Subject: d.Kind, At: d.NextDue})
		}
	}
	// The register.
	eq, err := s.Store.Equipment(ctx)
	if err != nil {
		return nil, err
	}
	month := today[:7]
	for _, e := range eq {
		it := s.item(e, today)
		o.Items = append(o.Items, it)
		if len(e.LastCheckedOn) >= 7 && e.LastCheckedOn[:7] == month {
			o.Checked++
		}
		if it.Standing == StandOK {
			continue
		}
		o.Due = append(o.Due, it)
		kind := map[string]string{StandScrapped: AlertScrapped, StandScrapSoon: AlertScrapSoon, StandOverdue: AlertServiceLate,
			StandDue: AlertServiceDue, StandShort: AlertSpares}[it.Standing]
		al := Alert{Kind: kind, Subject: e.Code + " " + e.Name + "（" + e.Location + "）", Ref: e.ID, Day: it.NextService}
		switch it.Standing {
		case StandScrapped, StandScrapSoon:
			al.Day = it.ScrapOn
		case StandShort:
			al.N, al.Day = set.SpareShort(e.Installed, e.Spares), ""
		}
		o.Alerts = append(o.Alerts, al)
	}
	slices.SortStableFunc(o.Due, func(x, y Item) int { return rank(x.Standing) - rank(y.Standing) })
	// Patrols.
	if o.Checkpoints, err = s.Store.Checkpoints(ctx); err != nil {
		return nil, err
	}
	scans, err := s.Store.Scans(ctx, now.Add(-72*time.Hour), now)
	if err != nil {
		return nil, err
	}
	night, isNight := set.NightOf(now)
	if !isNight {
		night = today // tonight is still to come
	}
	o.Tonight = set.NightCoverage(night, scans, now)
	o.LastNight = set.NightCoverage(addDays(night, -1), scans, now)
	for _, c := range []Coverage{o.LastNight, o.Tonight} {
		for _, g := range c.Gaps {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertNightGap, Day: c.Day, At: g.From, To: g.To})
		}
	}
	o.Rounds = set.Rounds(scans, o.Checkpoints, now)
	for _, r := range o.Rounds {
		for _, c := range r.Missed {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertMissed, Subject: c.Name, At: r.Start})
		}
		if r.OutOfSeq > 0 {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertOutOfSeq, At: r.Start, N: r.OutOfSeq})
		}
	}
	// Hazards.
	hs, err := s.Store.Hazards(ctx, addDays(today, -90))
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		row := HazardRow{Hazard: h, State: set.HazardState(h, today)}
		o.Hazards = append(o.Hazards, row)
		if !h.Closed() {
			o.OpenHazards++
		}
		if row.State == HazardOverdue {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertHazard, Subject: h.Location + "：" + h.Description, Day: h.Deadline, Ref: h.ID})
		}
	}
	slices.SortStableFunc(o.Hazards, func(x, y HazardRow) int { return hazardRank(x.State) - hazardRank(y.State) })
	// People, training, drills, roster.
	since := addDays(today, -400)
	if o.Trainings, err = s.Store.Trainings(ctx, since); err != nil {
		return nil, err
	}
	if o.Drills, err = s.Store.Drills(ctx, since); err != nil {
		return nil, err
	}
	if len(o.Trainings) > 0 {
		o.LastTrain = o.Trainings[0].On
	}
	if len(o.Drills) > 0 {
		o.LastDrill = o.Drills[0].On
	}
	for _, x := range []struct {
		last, kind string
		months     int
	}{{o.LastTrain, AlertTrainingOld, set.TrainMonths}, {o.LastDrill, AlertDrillOld, set.DrillMonths}} {
		if t, ok := parseDay(x.last); !ok || t.AddDate(0, x.months, 0).Format(time.DateOnly) < today {
			o.Alerts = append(o.Alerts, Alert{Kind: x.kind, Day: x.last})
		}
	}
	ps, err := s.Store.FirePeople(ctx)
	if err != nil {
		return nil, err
	}
	names := map[string]*Person{}
	for _, p := range ps {
		names[p.ID] = p
		if !p.Active {
			continue
		}
		row := PersonRow{Person: p, Validity: Valid}
		if p.Operator {
			row.Validity = set.ValidityOn(p.CertExpires, today)
			if row.Validity != Valid {
				o.Alerts = append(o.Alerts, Alert{Kind: map[string]string{Expiring: AlertCertExpiring, Expired: AlertCertExpired}[row.Validity],
					Subject: p.Name, Day: p.CertExpires})
			}
		}
		for _, t := range o.Trainings { // newest first
			if slices.Contains(t.Attendees, p.ID) {
				row.TrainedOn = t.On
				break
			}
		}
		if p.StartsOn != "" && p.StartsOn <= addDays(today, 14) && (row.TrainedOn == "" || row.TrainedOn > p.StartsOn) {
			o.Alerts = append(o.Alerts, Alert{Kind: AlertUntrained, Subject: p.Name, Day: p.StartsOn})
		}
		if p.Micro {
			o.Micro++
		}
		o.People = append(o.People, row)
	}
	if o.Micro < set.MicroMin {
		o.Alerts = append(o.Alerts, Alert{Kind: AlertMicroShort, N: o.Micro})
	}
	shifts, err := s.Store.ControlShifts(ctx, today, addDays(today, set.RosterDays-1))
	if err != nil {
		return nil, err
	}
	for i := range set.RosterDays {
		day := addDays(today, i)
		for _, slot := range Slots {
			row := ShiftRow{On: day, Slot: slot}
			for _, sh := range shifts {
				if sh.On != day || sh.Slot != slot {
					continue
				}
				for _, x := range sh.People {
					if p := names[x]; p != nil {
						row.Names = append(row.Names, p.Name)
						if p.Operator && set.ValidityOn(p.CertExpires, day) != Expired {
							row.Certified++
						}
					}
				}
			}
			row.Short = row.Certified < set.ControlRoomMin
			if row.Short {
				o.Alerts = append(o.Alerts, Alert{Kind: AlertShiftShort, Day: day, Subject: slot, N: row.Certified})
			}
			o.Roster = append(o.Roster, row)
		}
	}
	if o.Inspections, err = s.Store.Inspections(ctx, addDays(today, -366), today); err != nil {
		return nil, err
	}
	if o.Tests, err = s.Store.FireTests(ctx); err != nil {
		return nil, err
	}
	slices.SortStableFunc(o.Alerts, func(x, y Alert) int { return alertRank(x.Kind) - alertRank(y.Kind) })
	return o, nil
}

// alertOrder puts what needs acting on today first.
var alertOrder = []string{AlertHazard, AlertDutyOverdue, AlertNightGap, AlertScrapped, AlertServiceLate, AlertShiftShort, AlertCertExpired,
	AlertUntrained, AlertMissed, AlertOutOfSeq, AlertMicroShort, AlertSpares, AlertTrainingOld, AlertDrillOld, AlertScrapSoon, AlertServiceDue,
	AlertCertExpiring}

func alertRank(kind string) int { return slices.Index(alertOrder, kind) }

func rank(standing string) int {
	return slices.Index([]string{StandScrapped, StandOverdue, StandScrapSoon, StandDue, StandShort, StandOK}, standing)
}

func hazardRank(state string) int {
	return slices.Index([]string{HazardOverdue, HazardNeedPlan, HazardOpen, HazardClosed, HazardFixed}, state)
}

// OverdueHazards lists the hazards past their deadline, for the leader's
// home (they rise to the leader).
func (s *Service) OverdueHazards(ctx context.Context, a auth.Actor) ([]HazardRow, error) {
	if err := a.RequireAny("fire.OverdueHazards", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	set, today := s.set(), s.today()
	hs, err := s.Store.Hazards(ctx, today)
	if err != nil {
		return nil, err
	}
	var out []HazardRow
	for _, h := range hs {
		if st := set.HazardState(h, today); st == HazardOverdue {
			out = append(out, HazardRow{Hazard: h, State: st})
		}
	}
	return out, nil
}

// Hazard reads one hazard with its state.
func (s *Service) Hazard(ctx context.Context, a auth.Actor, id string) (*HazardRow, error) {
	if err := a.RequireAny("fire.Hazard", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	h, err := s.Store.HazardByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return &HazardRow{Hazard: h, State: s.set().HazardState(h, s.today())}, nil
}

// PatrolLog is a month's patrols for the A4 print.
type PatrolLog struct {
	Month  string
	Rounds []*Round
	Nights []Coverage
}

// MonthRange reads "2006-01" (empty or bad: this month) as its first and
// last day.
func (s *Service) MonthRange(month string) (string, string, string) {
	t, err := time.ParseInLocation("2006-01", month, CST)
	if err != nil {
		t, _ = time.ParseInLocation("2006-01", s.today()[:7], CST)
	}
	return t.Format("2006-01"), t.Format(time.DateOnly), t.AddDate(0, 1, -1).Format(time.DateOnly)
}

// Patrols reads a month's patrol log: rounds oldest first, each night's
// coverage.
func (s *Service) Patrols(ctx context.Context, a auth.Actor, month string) (*PatrolLog, error) {
	if err := a.RequireAny("fire.Patrols", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	set, now := s.set(), s.now()
	m, first, last := s.MonthRange(month)
	from, _ := set.Night(addDays(first, -1))
	_, to := set.Night(last)
	scans, err := s.Store.Scans(ctx, from, to)
	if err != nil {
		return nil, err
	}
	cps, err := s.Store.Checkpoints(ctx)
	if err != nil {
		return nil, err
	}
	l := &PatrolLog{Month: m, Rounds: set.Rounds(scans, cps, now)}
	slices.Reverse(l.Rounds)
	for d := first; d <= last && d <= Day(now); d = addDays(d, 1) {
		if from, _ := set.Night(d); from.After(now) {
			break
		}
		l.Nights = append(l.Nights, set.NightCoverage(d, scans, now))
	}
	return l, nil
}

// InspectionRecord is a year's inspections with the hazards they found.
type InspectionRecord struct {
	Year        string
	Inspections []*Inspection
	Hazards     map[string][]HazardRow // by inspection
}

// Inspections reads a year's inspection record (year "" or bad: this year).
func (s *Service) Inspections(ctx context.Context, a auth.Actor, year string) (*InspectionRecord, error) {
	if err := a.RequireAny("fire.Inspections", auth.PermFireView, auth.PermFireManage); err != nil {
		return nil, err
	}
	if t, err := time.Parse("2006", year); err != nil || t.Year() < 2000 {
		year = s.today()[:4]
	}
	r := &InspectionRecord{Year: year, Hazards: map[string][]HazardRow{}}
	var err error
	if r.Inspections, err = s.Store.Inspections(ctx, year+"-01-01", year+"-12-31"); err != nil {
		return nil, err
	}
	hs, err := s.Store.Hazards(ctx, year+"-01-01")
	if err != nil {
		return nil, err
	}
	set, today := s.set(), s.today()
	for _, h := range hs {
		if h.Source == SourceInspection {
			r.Hazards[h.SourceID] = append(r.Hazards[h.SourceID], HazardRow{Hazard: h, State: set.HazardState(h, today)})
		}
	}
	return r, nil
}
