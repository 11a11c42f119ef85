package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
)

// registry is the demo city's hotspot registry (重点点位): the places
// signals come from, plus others patrols visit.
var registry = []struct {
	name string
	kind dispatch.HotspotKind
	risk string
	lat  float64
	lng  float64
}{
	{"新乡火车站南广场", "railway_station", "夜间候车室外常有露宿人员", 35.3056, 113.8624},
	{"新乡汽车客运总站", "bus_station", "滞留旅客，注意未成年人", 35.2946, 113.8843},
	{"新乡东站出站口", "railway_station", "高铁晚点滞留", 35.2846, 113.9758},
	{"人民公园东门", "park", "长椅露宿", 35.3076, 113.8866},
	{"平原路地下通道", "underpass", "冬季避寒聚集", 35.2990, 113.8830},
	{"卫河胜利桥下", "bridge", "汛期危险，劝离", 35.3128, 113.8755},
	{"市第一人民医院门诊楼前", "hospital", "病患家属滞留", 35.3020, 113.8920},
	{"宝龙广场西侧", "square", "乞讨", 35.2888, 113.8989},
	{"牧野湖公园北门", "park", "", 35.3260, 113.9052},
	{"新中大道涵洞", "culvert", "雨天积水", 35.2930, 113.9065},
	{"人民路工商银行ATM", "atm", "夜间ATM间避寒", 35.3012, 113.8790},
	{"金穗大道在建工地", "building_site", "务工人员滞留", 35.2801, 113.9302},
}

// SeedDispatch adds teams for each department (the demo patrol member is
// in the station's first team), the hotspot registry, a season of day and
// night patrols with tracks and hotspot visits, and encounters with
// outcomes on the month's incidents, leaving some open incidents assigned.
func SeedDispatch(ctx context.Context, d *dispatch.Service, a *auth.Service, now time.Time) error {
	admin := as("dispatcher")
	depts, err := a.Store.ListDepartments(ctx)
	if err != nil {
		return err
	}
	users, err := a.Store.ListUsers(ctx)
	if err != nil {
		return err
	}
	var patrolUser *auth.User
	for _, u := range users {
		if u.Role == auth.RolePatrol {
			patrolUser = u
		}
	}
	kindOf := map[string]dispatch.TeamKind{"station": dispatch.KindCivil, "police": dispatch.KindPolice, "city_management": dispatch.KindUrban}
	names := map[dispatch.TeamKind]string{dispatch.KindCivil: "救助站巡查%d队", dispatch.KindPolice: "公安巡逻%d组", dispatch.KindUrban: "城管执法%d中队", dispatch.KindVolunteer: "志愿者%d队"}
	r := rand.New(rand.NewPCG(7, 11))
	var teams []*dispatch.Team
	for _, dp := range depts {
		k, ok := kindOf[dp.Kind]
		if !ok {
			continue
		}
		for n := 1; n <= 2; n++ {
			t := dispatch.Team{Name: fmt.Sprintf(names[k], n), Kind: k, DepartmentID: dp.ID, Status: dispatch.StatusAvailable,
				Lat: 35.285 + r.Float64()*0.04, Lng: 113.86 + r.Float64()*0.08, Vehicles: fmt.Sprintf("豫G·%05d", 10000+r.IntN(89999))}
			if k == dispatch.KindCivil && n == 1 && patrolUser != nil {
				t.Members = []string{patrolUser.ID}
			}
			if n == 2 && k != dispatch.KindCivil {
				t.Status = dispatch.StatusOffDuty
			}
			tm, err := d.CreateTeam(ctx, admin, t)
			if err != nil {
				return fmt.Errorf("team %s: %v", t.Name, err)
			}
			teams = append(teams, tm)
		}
		if k == dispatch.KindCivil { // the station's volunteers patrol with it
			tm, err := d.CreateTeam(ctx, admin, dispatch.Team{Name: "爱心志愿者1队", Kind: dispatch.KindVolunteer, DepartmentID: dp.ID,
				Status: dispatch.StatusAvailable, Lat: 35.300, Lng: 113.890})
			if err != nil {
				return err
			}
			teams = append(teams, tm)
		}
	}
	// Rosters: a week of day shifts (08:00–20:00) and night shifts
	// (20:00–08:00) for the teams on duty, starting yesterday.
	cst := dispatch.DefaultNight.Loc
	for i, tm := range teams {
		if tm.Status == dispatch.StatusOffDuty {
			continue
		}
		for day := -1; day < 7; day++ {
			date := now.In(cst).AddDate(0, 0, day).Format("2006-01-02")
			from, to, note := "08:00", "20:00", "日间巡查"
			if i%2 == 1 {
				from, to, note = "20:00", "08:00", "夜巡"
			}
			start, end, _ := dispatch.ShiftTimes(date, from, to, cst)
			if _, err := d.AddShift(ctx, admin, dispatch.Shift{TeamID: tm.ID, StartsAt: start, EndsAt: end, Note: note}); err != nil {
				return fmt.Errorf("roster of %s: %v", tm.Name, err)
			}
		}
	}
	var hs []*dispatch.Hotspot
	for _, h := range registry {
		x, err := d.CreateHotspot(ctx, admin, dispatch.Hotspot{Name: h.name, Kind: h.kind, RiskNotes: h.risk, Lat: h.lat, Lng: h.lng})
		if err != nil {
			return err
		}
		hs = append(hs, x)
	}
	// Patrols: each of the last 30 days a day patrol and a night patrol of
	// a team, passing 3–6 hotspots; the night patrols of the last night too.
	patroller := as("dispatcher")
	for day := 30; day >= 0; day-- {
		for _, night := range []bool{false, true} {
			t := teams[r.IntN(len(teams))]
			base := now.AddDate(0, 0, -day).Truncate(24 * time.Hour) // 08:00 in 新乡
			start := base.Add(time.Duration(1+r.IntN(4)) * time.Hour)
			if night {
				start = base.Add(time.Duration(13+r.IntN(2)) * time.Hour) // 21:00–22:59
			}
			if start.After(now.Add(-30 * time.Minute)) {
				continue
			}
			p, _, err := d.StartPatrol(ctx, patroller, dispatch.PatrolInput{ID: id.New(), TeamID: t.ID, Kind: "planned", StartedAt: start,
				StaffCount: 2 + r.IntN(4), VehicleTrips: 1 + r.IntN(2)})
			if err != nil {
				return fmt.Errorf("patrol: %v", err)
			}
			var pts []dispatch.TrackPoint
			at := start
			stops := r.Perm(len(hs))[:3+r.IntN(4)]
			prev := intake.Point{Lat: t.Lat, Lng: t.Lng}
			for _, i := range stops {
				h := hs[i]
				// drive there in a few fixes, at about 20 km/h
				for s := 1; s <= 4; s++ {
					f := float64(s) / 4
					q := intake.Point{Lat: prev.Lat + (h.Lat-prev.Lat)*f, Lng: prev.Lng + (h.Lng-prev.Lng)*f}
					step := intake.Distance(prev, intake.Point{Lat: h.Lat, Lng: h.Lng}) / 4
					at = at.Add(time.Duration(math.Max(60, step/5.5)) * time.Second)
					pts = append(pts, dispatch.TrackPoint{Lat: q.Lat, Lng: q.Lng, At: at.UnixMilli()})
				}
				prev = intake.Point{Lat: h.Lat, Lng: h.Lng}
				at = at.Add(10 * time.Minute)
			}
			if at.After(now) {
				continue
			}
			if _, err := d.AddTrack(ctx, patroller, p.ID, pts); err != nil {
				return fmt.Errorf("track: %v", err)
			}
			if day > 0 || !night {
				end := at.Add(15 * time.Minute) // back at base; never after now (a patrol of this morning)
				if end.After(now) {
					end = now
				}
				if _, err := d.EndPatrol(ctx, patroller, p.ID, end, 0, ""); err != nil {
					return fmt.Errorf("end patrol: %v", err)
				}
			}
		}
	}
	// Encounters on open incidents older than two hours; a few of today's
	// open incidents are assigned to the nearest team and left on the board.
	board, err := d.BoardOf(ctx, as("dispatcher"), dispatch.BoardFilter{}, 0)
	if err != nil {
		return err
	}
	outcomes := []dispatch.Outcome{dispatch.OutcomeOutreach, dispatch.OutcomeToStation, dispatch.OutcomeRefused, dispatch.OutcomeOutreach, dispatch.OutcomeHospital, dispatch.OutcomeNotFound}
	assigned := 0
	for i, inc := range board.Incidents {
		if inc.State == "closed" || inc.Precision != string(intake.PrecisionExact) {
			continue // the address-only reports are left for the visitor to place and send by hand
		}
		if now.Sub(inc.OpenedAt) > 2*time.Hour && i%3 == 0 {
			o := outcomes[r.IntN(len(outcomes))]
			in := dispatch.EncounterInput{ID: id.New(), IncidentID: inc.ID, At: now.Add(-time.Duration(r.IntN(90)) * time.Minute), Lat: inc.Lat, Lng: inc.Lng,
				Description: "中年男性，衣着单薄", States: []string{"cold"}, Outcome: o}
			if o == dispatch.OutcomeOutreach || o == dispatch.OutcomeRefused {
				in.Supplies = []dispatch.Supply{{Item: "棉大衣", Qty: 1, Unit: "件"}, {Item: "方便面", Qty: 2, Unit: "桶"}}
			}
			if _, _, err := d.RecordEncounter(ctx, patroller, in); err != nil {
				return fmt.Errorf("encounter: %v", err)
			}
			continue
		}
		if assigned < 3 && now.Sub(inc.OpenedAt) < 6*time.Hour {
			c, err := d.Suggest(ctx, admin, inc.ID, 1)
			if err != nil || len(c) == 0 || (patrolUser != nil && c[0].TeamID == teams[0].ID) {
				continue // the demo patrol member's team stays free for the visitor to assign
			}
			if _, err := d.Assign(ctx, admin, inc.ID, c[0].TeamID, inc.Version); err == nil {
				assigned++
			}
		}
	}
	return nil
}
