package stats

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strings"
)

// The catalogue. Each indicator's definition in words is its
// "stat.<key>.def" string; the choices a definition makes are written
// here, next to the entry, and the store's query for the key
// (internal/store/stats.go) follows them. Tests at the edges of each
// choice are in internal/store/stats_test.go.
//
// Choices shared by several indicators:
//   - A record belongs to the day (China time) of the instant named in
//     its definition: a patrol to the day it started, an encounter to
//     when it happened, a stay to its arrival (or its exit, for exit
//     counts), a handout to when it was booked.
//   - A record's department: a patrol's own department; an encounter's
//     patrol's department, or its team's when it was recorded without a
//     patrol; a help signal's incident's department; a handout from a
//     patrol vehicle belongs to the vehicle's team's department. Records
//     of the station as a whole (stays, notices, reunions, rescue
//     points, handouts from the store or a point, volunteers, donations)
//     belong to the relief station's department (the department of kind
//     "station"; the first by id if there are several).
//   - Person-times (人次) count each event; people (人) count distinct
//     person records, so a person helped twice in a period counts twice
//     in person-times and once in people.
//   - An encounter is one row whose later corrections change it in place
//     (its version goes up): it is counted once, as it reads now.
var catalogue = []Indicator{
	// Help signals received (求助信号): every signal, by the channel it
	// came through (ByGroup: the channel), at its receipt. Duplicates the
	// intake merged into one incident are still signals received.
	{Key: "signals", Unit: UnitTimes, Additive: true, Grouped: "channel", Scan: "signals"},
	// The same signals by the kind of help asked (ByGroup: service code).
	{Key: "signals_by_kind", Unit: UnitTimes, Additive: true, Grouped: "kind", Scan: "signals"},
	// Incidents closed (事件办结): incidents in state closed (not merged
	// into another), at their closing.
	{Key: "incidents_closed", Unit: UnitTimes, Additive: true},
	// Incidents closed within the deadline: closed at or before due_at,
	// the on-scene deadline the intake set (closed exactly at the
	// deadline is within it).
	{Key: "incidents_closed_in_sla", Unit: UnitTimes, Additive: true},
	// Patrols (上街巡查): patrols started in the period, counted on the
	// day they started; a patrol not yet started (planned) is not a
	// patrol. A patrol that runs past midnight counts once, on its first
	// day.
	{Key: "patrols", Unit: UnitTimes, Additive: true, Daily: true},
	// Night patrols (夜巡): patrols classified as night when they started
	// (dispatch.NightWindow, 20:00–06:00 China time by default: starting
	// at 20:00 is night, starting at 06:00 is not). The class is the one
	// stored with the patrol, so a later change of the window does not
	// rewrite history; a patrol starting at 19:30 that runs past midnight
	// is a day patrol.
	{Key: "night_patrols", Unit: UnitTimes, Additive: true, Daily: true},
	// Staff turn-outs (出动人次): the staff count entered when each
	// patrol started, summed (members × patrols).
	{Key: "staff_turnouts", Unit: UnitPersonTimes, Additive: true},
	// Vehicle trips (出动车次): the vehicle trips entered with each patrol.
	{Key: "vehicle_trips", Unit: UnitTrips, Additive: true},
	// Outreach aid (站外救助人次): street encounters whose outcome is
	// aid given on the street, the person staying out. Refusals are not
	// outreach aid, even when supplies were left with the person (they
	// count in "refusals"); a person helped on three nights counts three
	// times.
	{Key: "outreach_aid", Unit: UnitPersonTimes, Additive: true, Daily: true},
	// People persuaded into the station (劝导入站人次): encounters whose
	// outcome is taken to the station.
	{Key: "persuaded_in", Unit: UnitPersonTimes, Additive: true},
	// Refusals (拒绝救助人次): encounters whose outcome is help refused.
	{Key: "refusals", Unit: UnitPersonTimes, Additive: true},
	// People rescued (救助人次): stays that arrived in the period, help
	// not refused (不予救助 is not help). A person's second stay counts
	// again.
	{Key: "rescued", Unit: UnitPersonTimes, Additive: true, Daily: true},
	// People rescued, distinct (救助人数): the people with at least one
	// such stay in the period.
	{Key: "rescued_people", Unit: UnitPeople},
	// Items handed out (发放物资件数): booked handouts of catalogue items,
	// in their own units (件, 床, 双 … all counted as pieces), by item
	// (ByGroup: the item's name), on the day they were booked. Each
	// handout counts once: a handout booked from an encounter is the
	// stock movement, not also the encounter's line; an encounter
	// corrected to fewer items returns the difference to the vehicle, and
	// that return is taken off the handout's own day (the handout was
	// partly reversed), not the day of the correction. Lines not booked
	// (not in the catalogue, part units) count when staff book them.
	{Key: "items_handed_out", Unit: UnitItems, Additive: true, Daily: true, Grouped: "item"},
	// Rescue points open (开放救助点): the points whose desk logged
	// anything in the period (a point is counted once however often it
	// logged).
	{Key: "points_open", Unit: UnitPoints},
	// Person-visits at points (救助点服务人次): the people the points'
	// desks logged (guided in, a lead passed …), summed.
	{Key: "point_visits", Unit: UnitPersonTimes, Additive: true},
	// Escorted home (护送返乡人次): stays that ended with an escort, at
	// their exit.
	{Key: "escorted", Unit: UnitPersonTimes, Additive: true},
	// Returned home (返乡人次): stays that ended with a ticket home.
	{Key: "returned_home", Unit: UnitPersonTimes, Additive: true},
	// Exits by kind (离站去向): stays that ended in the period, by how.
	{Key: "exits", Unit: UnitPersonTimes, Additive: true, Grouped: "exit"},
	// Reunions through family search (寻亲成功): missing-person reports
	// confirmed found in the period, each once, on the day it was first
	// confirmed (found again later is not a second reunion).
	{Key: "reunions", Unit: UnitTimes, Additive: true},
	// Notices within 24 h (24 小时内发布寻亲公告): stays that arrived in
	// the period whose 寻亲 notice was published no later than 24 hours
	// after arrival (exactly 24 h is in time).
	{Key: "notices_24h", Unit: UnitTimes, Additive: true},
	// Average length of stay (平均在站天数): the stays that ended in the
	// period, from arrival to exit, in hundredths of a day, rounded half
	// up. Stays still open are not counted (their length is not known).
	{Key: "stay_avg", Unit: UnitCentidays, reduce: mean},
	// Median length of stay (在站天数中位数): of the same stays; with an
	// even number, the mean of the middle two.
	{Key: "stay_median", Unit: UnitCentidays, reduce: median},
	// Volunteer hours (志愿服务时长): the minutes credited for attended
	// volunteer shifts, on the day the shift started.
	{Key: "volunteer_minutes", Unit: UnitMinutes, Additive: true},
	// Money donated (捐款): donations received, in fen.
	{Key: "donations_money", Unit: UnitFen, Additive: true},
	// Donations in kind (捐赠物资): pieces received as donations into
	// stock, by item.
	{Key: "donations_in_kind", Unit: UnitItems, Additive: true, Grouped: "item"},
	// The publicity work log (宣传, portal.LogEntry) is kept by date, not
	// by instant: an entry belongs to the day it names (China time), so
	// to every period that contains that day, whenever it was written
	// down. Entries are counted as they read now.
	//
	// Publicity activities (宣传活动): log entries of kind activity (at a
	// station, community, school, railway station).
	{Key: "publicity_activities", Unit: UnitTimes, Additive: true},
	// Media reports (媒体报道): log entries of kind media (a newspaper
	// page, a WeChat post, a TV report).
	{Key: "media_reports", Unit: UnitTimes, Additive: true},
	// Materials handed out (发放宣传资料): leaflets and help cards, the
	// numbers entered with every log entry summed (an activity may hand
	// out materials too), by the entry's kind.
	{Key: "publicity_materials", Unit: UnitCopies, Additive: true, Grouped: "publicity"},
	// Audience reached (宣传受众人次): the people reached entered with
	// every log entry, summed, by the entry's kind. A person reached at
	// two activities counts twice.
	{Key: "publicity_audience", Unit: UnitPersonTimes, Additive: true, Grouped: "publicity"},
	// Event visitors (活动到场人次): registrations for a public event
	// (such as the 6·19 open day) checked in on the day, at their check-in,
	// by event (its title). Registered but not checked in is not a visit.
	{Key: "event_visitors", Unit: UnitPersonTimes, Additive: true, Grouped: "event"},
}

func init() {
	for i := range catalogue {
		in := &catalogue[i]
		key, reduce := in.Key, in.reduce
		if reduce == nil {
			in.Count = func(ctx context.Context, src Source, q Query) ([]Row, error) {
				return src.StatCount(ctx, key, q)
			}
			continue
		}
		in.Count = func(ctx context.Context, src Source, q Query) ([]Row, error) {
			vals, err := src.StatValues(ctx, key, q)
			if err != nil {
				return nil, err
			}
			return reduceRows(vals, q.By, reduce), nil
		}
	}
}

// Catalogue lists the indicators in display order.
func Catalogue() []Indicator { return slices.Clone(catalogue) }

// Lookup finds an indicator by key.
func Lookup(key string) (Indicator, bool) {
	i := slices.IndexFunc(catalogue, func(in Indicator) bool { return in.Key == key })
	if i < 0 {
		return Indicator{}, false
	}
	return catalogue[i], true
}

// CampaignKeys are the campaign's standard counters (DESIGN.md §3.11), the
// figures a campaign report leads with, in the order the bureau prints
// them.
var CampaignKeys = []string{"outreach_aid", "patrols", "night_patrols", "staff_turnouts", "items_handed_out",
	"vehicle_trips", "persuaded_in", "rescued", "rescued_people", "points_open", "escorted", "returned_home", "reunions"}

// groupKey is the key a row is grouped under for q.By.
func groupKey(r Row, by By) string {
	switch by {
	case ByDay:
		return r.Day
	case ByDepartment:
		return r.DepartmentID
	case ByGroup:
		return r.Group
	case ByCube:
		return r.Day + "\x00" + r.DepartmentID + "\x00" + r.Group
	}
	return ""
}

// reduceRows reduces per-record values to one row per group.
func reduceRows(vals []Row, by By, reduce func([]int64) int64) []Row {
	groups := map[string][]int64{}
	var keys []string
	for _, v := range vals {
		k := groupKey(v, by)
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], v.N)
	}
	sort.Strings(keys)
	if by == ByTotal {
		return []Row{{N: reduce(groups[""])}}
	}
	out := make([]Row, 0, len(keys))
	for _, k := range keys {
		out = append(out, rowAt(by, k, reduce(groups[k])))
	}
	return out
}

// rowAt is the row of by's key k (groupKey's inverse) with n.
func rowAt(by By, k string, n int64) Row {
	r := Row{N: n}
	switch by {
	case ByDay:
		r.Day = k
	case ByDepartment:
		r.DepartmentID = k
	case ByGroup:
		r.Group = k
	case ByCube:
		parts := strings.SplitN(k, "\x00", 3)
		r.Day, r.DepartmentID, r.Group = parts[0], parts[1], parts[2]
	}
	return r
}

// Rollup sums the ByCube rows of an additive indicator into the rows of
// by, as the store would count them (in key order; ByTotal: one row).
func Rollup(cube []Row, by By) []Row {
	sums := map[string]int64{}
	for _, r := range cube {
		sums[groupKey(r, by)] += r.N
	}
	if by == ByTotal {
		return []Row{{N: sums[""]}}
	}
	keys := slices.Sorted(maps.Keys(sums))
	out := make([]Row, 0, len(keys))
	for _, k := range keys {
		out = append(out, rowAt(by, k, sums[k]))
	}
	return out
}

// secondsPerCentiday is a hundredth of a day in seconds.
const secondsPerCentiday = 864

// mean is the mean of lengths in seconds, in centidays rounded half up; 0
// for none.
func mean(secs []int64) int64 {
	if len(secs) == 0 {
		return 0
	}
	var sum int64
	for _, s := range secs {
		sum += s
	}
	d := int64(len(secs)) * secondsPerCentiday
	return (2*sum + d) / (2 * d)
}

// median is the median of lengths in seconds, in centidays rounded half
// up; with an even count, the mean of the middle two. 0 for none.
func median(secs []int64) int64 {
	if len(secs) == 0 {
		return 0
	}
	s := slices.Clone(secs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return (2*s[n/2] + secondsPerCentiday) / (2 * secondsPerCentiday)
	}
	sum := s[n/2-1] + s[n/2] // twice the median
	return (sum + secondsPerCentiday) / (2 * secondsPerCentiday)
}
