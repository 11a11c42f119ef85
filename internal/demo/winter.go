package demo

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/supplies"
)

// The winter campaign of the seed article (DESIGN.md §3.11): "2024 年 11 月
// 至 2025 年 3 月，市区'寒冬送温暖'专项救助工作中，站外救助 85 人次，上街巡查
// 294 次，夜巡 145 次，出动 809 人次，发放物资 220 件". The demo makes its
// raw records — the campaign, its patrols, their street encounters and
// the supplies handed out in them — through the services, each on a
// clock set to the moment the record was made, so that the campaign's
// report counts these figures from them. Its window is the 民政部 notice's:
// 1 November 2024 to 15 March 2025.
const (
	WinterFrom      = "2024-11-01"
	WinterTo        = "2025-03-15"
	WinterOutreach  = 85  // 站外救助人次
	WinterPatrols   = 294 // 上街巡查
	WinterNight     = 145 // 夜巡
	WinterTurnouts  = 809 // 出动人次
	WinterItems     = 220 // 发放物资件数
	WinterName      = "2024—2025年度寒冬送温暖专项救助行动"
	winterDays      = 135 // 1 November to 15 March
	winterRefusals  = 21  // refused help; 20 of them took something
	winterToStation = 38
)

// WinterDeps are the services the winter history is made through; each is
// copied onto the history's clock.
type WinterDeps struct {
	Dispatch  *dispatch.Service
	Supplies  *supplies.Service
	Campaigns *campaigns.Service
}

// winterPatrol is one patrol of the plan.
type winterPatrol struct {
	team       *dispatch.Team
	start, end time.Time
	night      bool
	staff      int
	trips      int
}

// SeedWinter2024 adds the 2024–25 winter campaign and its history. It
// needs the teams (SeedDispatch) and the supply catalogue and vehicles
// (SeedSupplies).
func SeedWinter2024(ctx context.Context, d WinterDeps) error {
	var clock time.Time
	now := func() time.Time { return clock }
	cs := &campaigns.Service{Store: d.Campaigns.Store, Now: now}
	ss := &supplies.Service{Store: d.Supplies.Store, Audit: d.Supplies.Audit, Now: now, Campaigns: cs.RunningIDs}
	ds := &dispatch.Service{Store: d.Dispatch.Store, Audit: d.Dispatch.Audit, Intake: d.Dispatch.Intake, Keys: d.Dispatch.Keys, Now: now,
		Night: d.Dispatch.Night, SpeedKmh: d.Dispatch.SpeedKmh, HandedOut: ss.BookEncounter}
	staff, dispatcher, patrol := as("staff"), as("dispatcher"), as("patrol")
	day0 := time.Date(2024, 11, 1, 0, 0, 0, 0, dispatch.DefaultNight.Loc)
	at := func(day int, h, m int) time.Time {
		return day0.AddDate(0, 0, day).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}

	clock = at(-1, 9, 0)
	camp, err := cs.Start(ctx, staff, campaigns.Input{Kind: campaigns.Winter, Name: WinterName, StartsOn: WinterFrom, EndsOn: WinterTo,
		Note: "市区重点点位夜间巡查；避寒点随行动开放；棉被每人每季一床"})
	if err != nil {
		return fmt.Errorf("winter campaign: %v", err)
	}

	teams, err := ds.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	byName := map[string]*dispatch.Team{}
	for _, t := range teams {
		byName[t.Name] = t
	}
	civil1, civil2, vols := byName["救助站巡查1队"], byName["救助站巡查2队"], byName["爱心志愿者1队"]
	police, city := byName["公安巡逻1组"], byName["城管执法1中队"]
	if civil1 == nil || civil2 == nil || vols == nil || police == nil || city == nil {
		return fmt.Errorf("winter history: the demo teams are missing")
	}

	// The plan. Every night of the window a night patrol of a station
	// team (135), on ten cold-wave nights a second one with the police
	// (145 in all); every day a day patrol (135) and on fourteen holiday
	// days (元旦, 春节, 元宵) a second one with city management (149): 294.
	r := rand.New(rand.NewPCG(2024, 1101))
	var plan []winterPatrol
	coldWaves := []int{21, 22, 40, 41, 42, 61, 62, 63, 96, 97} // 22–23 Nov, 11–13 Dec, 1–3 Jan, 5–6 Feb
	holidays := []int{61, 88, 89, 90, 91, 92, 93, 94, 95, 96, 102, 103, 104, 105}
	for day := range winterDays {
		// Night: mostly between 20:00 and 23:30; a few start after
		// midnight, on the next calendar day (not after the window's end).
		team := []*dispatch.Team{civil1, civil2, civil1, civil2, vols}[day%5]
		start := at(day, 20, 0).Add(time.Duration(r.IntN(210)) * time.Minute)
		if day%9 == 4 && day < winterDays-1 {
			start = at(day+1, 0, 30).Add(time.Duration(r.IntN(60)) * time.Minute)
		}
		if day == 0 {
			start = at(0, 20, 0) // exactly 20:00: a night patrol
		}
		plan = append(plan, winterPatrol{team: team, start: start, end: start.Add(time.Duration(100+r.IntN(80)) * time.Minute), night: true})
		if slices.Contains(coldWaves, day) {
			s := at(day, 21, 0).Add(time.Duration(r.IntN(90)) * time.Minute)
			plan = append(plan, winterPatrol{team: police, start: s, end: s.Add(2 * time.Hour), night: true})
		}
		// Day: between 08:00 and 16:00; one starts at 06:00 exactly (a
		// day patrol) and one at 19:30 runs past midnight (a day patrol
		// too: the class is by the start).
		dteam := []*dispatch.Team{civil2, civil1, civil1, civil2}[day%4]
		dstart := at(day, 8, 0).Add(time.Duration(r.IntN(480)) * time.Minute)
		dend := dstart.Add(time.Duration(90+r.IntN(90)) * time.Minute)
		switch day {
		case 10:
			dstart, dend = at(day, 6, 0), at(day, 8, 0)
		case 30:
			dstart, dend = at(day, 19, 30), at(day+1, 0, 40)
		}
		plan = append(plan, winterPatrol{team: dteam, start: dstart, end: dend})
		if slices.Contains(holidays, day) {
			s := at(day, 9, 0).Add(time.Duration(r.IntN(300)) * time.Minute)
			plan = append(plan, winterPatrol{team: city, start: s, end: s.Add(90 * time.Minute)})
		}
	}
	// Turn-outs: two on every patrol, three on 101 and four on 60 (809).
	order := r.Perm(len(plan))
	for i, k := range order {
		p := &plan[k]
		switch {
		case i < 60:
			p.staff = 4
		case i < 161:
			p.staff = 3
		default:
			p.staff = 2
		}
		p.trips = 1
		if p.team == vols {
			p.trips = 0 // on foot
		} else if p.staff == 4 {
			p.trips = 2
		}
	}
	slices.SortStableFunc(plan, func(a, b winterPatrol) int { return a.start.Compare(b.start) })

	// Encounters on the station teams' patrols (their vehicles carry the
	// supplies): 85 outreach aid, each with a coat and instant noodles
	// (ten also gloves: 180 items); 21 refusals, 20 of whom took noodles
	// and bread (40 items): 220. Some people came in, some were sent to
	// hospital or not found. The first outreach was written with a quilt
	// too and corrected the next morning: the quilt went back to the van.
	var supplied []int // plan indexes of station-vehicle patrols, all of whose encounters fall in the window
	for i, p := range plan {
		if (p.team == civil1 || p.team == civil2) && p.start.Before(at(winterDays-1, 12, 0)) {
			supplied = append(supplied, i)
		}
	}
	type enc struct {
		outcome dispatch.Outcome
		lines   []dispatch.Supply
	}
	coat, noodles := dispatch.Supply{Item: "棉大衣", Qty: 1, Unit: "件"}, dispatch.Supply{Item: "方便面", Qty: 1, Unit: "桶"}
	gloves, bread := dispatch.Supply{Item: "手套", Qty: 1, Unit: "双"}, dispatch.Supply{Item: "面包", Qty: 1, Unit: "个"}
	var encs []enc
	for i := range WinterOutreach {
		e := enc{outcome: dispatch.OutcomeOutreach, lines: []dispatch.Supply{coat, noodles}}
		if i < 10 {
			e.lines = append(e.lines, gloves)
		}
		encs = append(encs, e)
	}
	for i := range winterRefusals {
		e := enc{outcome: dispatch.OutcomeRefused}
		if i > 0 {
			e.lines = []dispatch.Supply{noodles, bread}
		}
		encs = append(encs, e)
	}
	for range winterToStation {
		encs = append(encs, enc{outcome: dispatch.OutcomeToStation})
	}
	for _, o := range []dispatch.Outcome{dispatch.OutcomeHospital, dispatch.OutcomeHospital, dispatch.OutcomeHospital, dispatch.OutcomeNotFound,
		dispatch.OutcomeNotFound, dispatch.OutcomeNotFound, dispatch.OutcomeNotFound, dispatch.OutcomeKnown} {
		encs = append(encs, enc{outcome: o})
	}
	r.Shuffle(len(encs), func(i, j int) { encs[i], encs[j] = encs[j], encs[i] })
	// Spread them over the supplied patrols, at most two a patrol.
	onPatrol := map[int][]enc{}
	for i, e := range encs {
		k := supplied[(i*len(supplied)/len(encs)+r.IntN(2))%len(supplied)]
		if len(onPatrol[k]) >= 2 {
			k = supplied[(slices.Index(supplied, k)+1)%len(supplied)]
		}
		onPatrol[k] = append(onPatrol[k], e)
	}

	// Stock for it: bought before the campaign into the store and loaded
	// onto each vehicle as much as its encounters hand out, so the
	// vehicles' stock today is what it was.
	items, err := ss.Store.Items(ctx)
	if err != nil {
		return err
	}
	locs, err := ss.Store.Locations(ctx)
	if err != nil {
		return err
	}
	itemID := map[string]string{}
	for _, it := range items {
		itemID[it.Name] = it.ID
	}
	var storeID string
	vanOf := map[string]string{}
	for _, l := range locs {
		switch {
		case l.Kind == supplies.LocStore && storeID == "":
			storeID = l.ID
		case l.Kind == supplies.LocVehicle:
			vanOf[l.TeamID] = l.ID
		}
	}
	need := map[string]map[string]int{} // van -> item -> qty
	first := true
	for k := range plan { // in time order: the first outreach is the corrected one
		es := onPatrol[k]
		if len(es) == 0 {
			continue
		}
		van := vanOf[plan[k].team.ID]
		if van == "" {
			return fmt.Errorf("winter history: no vehicle for %s", plan[k].team.Name)
		}
		for _, e := range es {
			for _, l := range e.lines {
				if need[van] == nil {
					need[van] = map[string]int{}
				}
				need[van][l.Item]++
			}
			if e.outcome == dispatch.OutcomeOutreach && first {
				need[van]["棉被"]++ // the corrected one
				first = false
			}
		}
	}
	clock = at(-1, 10, 0)
	total := map[string]int{}
	for _, m := range need {
		for it, n := range m {
			total[it] += n
		}
	}
	for _, it := range slices.Sorted(maps.Keys(total)) {
		if _, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: itemID[it], LocationID: storeID, Qty: total[it], Reason: "2024 年冬季采购"}); err != nil {
			return fmt.Errorf("winter receipt: %v", err)
		}
	}
	for _, van := range slices.Sorted(maps.Keys(need)) {
		for _, it := range slices.Sorted(maps.Keys(need[van])) {
			if _, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.TransferOut, ItemID: itemID[it], LocationID: storeID, ToID: van, Qty: need[van][it]}); err != nil {
				return fmt.Errorf("winter transfer: %v", err)
			}
		}
	}

	// The patrols and their encounters, in time order.
	corrected := false
	for k, p := range plan {
		clock = p.start
		pt, _, err := ds.StartPatrol(ctx, dispatcher, dispatch.PatrolInput{ID: id.New(), TeamID: p.team.ID, Kind: "planned", StartedAt: p.start,
			StaffCount: p.staff, VehicleTrips: p.trips})
		if err != nil {
			return fmt.Errorf("winter patrol: %v", err)
		}
		if pt.Night != p.night {
			return fmt.Errorf("winter patrol at %s: night %v, planned %v", p.start, pt.Night, p.night)
		}
		for j, e := range onPatrol[k] {
			when := p.start.Add(time.Duration(30+j*35) * time.Minute)
			clock = when.Add(2 * time.Minute)
			in := dispatch.EncounterInput{ID: id.New(), PatrolID: pt.ID, TeamID: p.team.ID, At: when, Outcome: e.outcome, Supplies: e.lines,
				Description: []string{"中年男性，衣着单薄", "老年人，睡在长椅上", "外地务工人员，滞留车站", "女性，神志清楚"}[r.IntN(4)], States: []string{"cold"}}
			if e.outcome == dispatch.OutcomeOutreach && !corrected {
				in.Supplies = append(slices.Clone(e.lines), dispatch.Supply{Item: "棉被", Qty: 1, Unit: "床"})
			}
			en, _, err := ds.RecordEncounter(ctx, patrol, in)
			if err != nil {
				return fmt.Errorf("winter encounter: %v", err)
			}
			if e.outcome == dispatch.OutcomeOutreach && !corrected {
				corrected = true
				clock = when.Add(10 * time.Hour)
				in.Supplies, in.BaseVersion, in.Notes = e.lines, en.Version, "更正：棉被未发放，已放回车上"
				if _, _, err := ds.RecordEncounter(ctx, patrol, in); err != nil {
					return fmt.Errorf("winter correction: %v", err)
				}
			}
		}
		clock = p.end
		if _, err := ds.EndPatrol(ctx, dispatcher, pt.ID, p.end, 0, ""); err != nil {
			return fmt.Errorf("winter patrol end: %v", err)
		}
	}
	clock = at(winterDays-1, 18, 0)
	return cs.End(ctx, staff, camp.ID)
}
