package store_test

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// cst parses "2006-01-02 15:04:05" in China time.
func cst(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04:05", s, stats.CST)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// insert adds rows (each in the order of cols) to table.
func insert(t *testing.T, db *store.DB, table string, cols []string, rows ...[]any) {
	t.Helper()
	if err := store.BulkInsertForTest(context.Background(), db, table, cols, len(rows), func(i int) []any { return rows[i] }); err != nil {
		t.Fatalf("%s: %v", table, err)
	}
}

// statFixture is a small hand-built November 2024 at the edges of each
// indicator's definition: records on the first and last instants of the
// month and just outside it, a patrol running past midnight, a planned
// patrol never started, a person helped twice, a refusal, a corrected
// encounter, a handout partly reversed after the month, a notice exactly
// 24 hours after arrival and one a second later.
func statFixture(t *testing.T, db *store.DB) {
	c := func(s string) time.Time { return cst(t, s) }
	created := c("2024-10-01 00:00:00")
	insert(t, db, "departments", []string{"id", "name", "kind", "created_at"},
		[]any{"st", "救助站", "station", created}, []any{"po", "公安", "police", created}, []any{"ci", "城管", "city_management", created})
	insert(t, db, "teams", []string{"id", "name", "kind", "department_id", "updated_at"},
		[]any{"t1", "一队", "civil", "st", created}, []any{"t2", "二组", "police", "po", created})
	pcols := []string{"id", "team_id", "department_id", "kind", "started_at", "ended_at", "night", "staff_count", "vehicle_trips", "created_by", "updated_at"}
	insert(t, db, "patrols", pcols,
		[]any{"p1", "t1", "st", "planned", c("2024-11-01 00:00:00"), c("2024-11-01 02:00:00"), 1, 3, 1, "x", created}, // the first instant
		[]any{"p2", "t1", "st", "planned", c("2024-11-30 23:59:00"), c("2024-12-01 02:00:00"), 1, 2, 0, "x", created}, // runs past the month's end
		[]any{"p3", "t2", "po", "adhoc", c("2024-10-31 23:30:00"), c("2024-11-01 01:00:00"), 1, 4, 1, "x", created},   // began before the month
		[]any{"p4", "t1", "st", "planned", c("2024-12-01 00:00:00"), nil, 1, 2, 1, "x", created},                      // the first instant after
		[]any{"p5", "t2", "po", "adhoc", c("2024-11-10 19:30:00"), c("2024-11-11 00:30:00"), 0, 5, 2, "x", created},   // past midnight, a day patrol
		[]any{"p6", "t1", "st", "planned", nil, nil, 0, 6, 1, "x", created})                                           // planned, never started
	ecols := []string{"id", "patrol_id", "team_id", "at", "outcome", "recorded_by", "version", "updated_at"}
	insert(t, db, "encounters", ecols,
		[]any{"e1", "p1", "t1", c("2024-11-01 00:30:00"), "outreach", "x", 1, created},
		[]any{"e2", nil, "t2", c("2024-11-05 12:00:00"), "outreach", "x", 1, created},    // no patrol: the team's department
		[]any{"e3", "p5", "t2", c("2024-11-10 21:00:00"), "outreach", "x", 2, created},   // corrected once: one row, version 2
		[]any{"e4", "p1", "t1", c("2024-11-01 01:00:00"), "refused", "x", 1, created},    // supplies left, but refused
		[]any{"e5", "p1", "t1", c("2024-11-01 01:10:00"), "to_station", "x", 1, created}, //
		[]any{"e6", nil, "t1", c("2024-11-30 23:59:59"), "outreach", "x", 1, created},    // the last second
		[]any{"e7", "p4", "t1", c("2024-12-01 00:00:00"), "outreach", "x", 1, created},   // the first instant after
		[]any{"e9", "p1", "t1", c("2024-11-02 01:00:00"), "outreach", "x", 1, created})   // the person of e1 again
	insert(t, db, "supply_items", []string{"id", "code", "name", "unit"}, []any{"coat", "COAT", "棉大衣", "件"}, []any{"noodles", "NOODLES", "方便面", "桶"})
	insert(t, db, "stock_locations", []string{"id", "kind", "name", "team_id"},
		[]any{"van1", "vehicle", "一车", "t1"}, []any{"van2", "vehicle", "二车", "t2"}, []any{"store", "store", "仓库", nil})
	mcols := []string{"id", "at", "kind", "item_id", "location_id", "qty", "person_key", "by_name"}
	insert(t, db, "stock_movements", mcols,
		[]any{"m1", c("2024-11-01 01:00:00"), "handout", "coat", "van1", -2, "encounter:e1", "x"},
		[]any{"m2", c("2024-12-03 09:00:00"), "return", "coat", "van1", 1, "encounter:e1", "x"}, // e1 corrected to one coat, after the month
		[]any{"m3", c("2024-11-15 10:00:00"), "handout", "noodles", "store", -3, "person-x", "x"},
		[]any{"m4", c("2024-12-01 00:00:00"), "handout", "noodles", "van1", -1, "encounter:e7", "x"},
		[]any{"m5", c("2024-11-02 10:00:00"), "receipt", "coat", "store", 10, "", "x"},
		[]any{"m6", c("2024-11-03 10:00:00"), "donation", "noodles", "store", 20, "", "x"},
		[]any{"m7", c("2024-11-20 10:00:00"), "handout", "coat", "van2", -1, "encounter:e3:settled", "x"})
	insert(t, db, "persons", []string{"id", "ref", "created_at", "updated_at"},
		[]any{"a", "P-A", created, created}, []any{"b", "P-B", created, created}, []any{"c", "P-C", created, created})
	scols := []string{"id", "ref", "person_id", "state", "arrived_at", "entered_at", "entered_by", "source", "exit_kind", "exited_at", "updated_at"}
	insert(t, db, "stays", scols,
		[]any{"s1", "S-1", "a", "closed", c("2024-11-02 10:00:00"), c("2024-11-02 10:00:00"), "x", "walk_in", "return_home", c("2024-11-04 10:00:00"), created},
		[]any{"s2", "S-2", "a", "closed", c("2024-11-20 10:00:00"), c("2024-11-20 10:00:00"), "x", "walk_in", "escorted", c("2024-11-21 16:00:00"), created},
		[]any{"s3", "S-3", "b", "refused", c("2024-11-05 10:00:00"), c("2024-11-05 10:00:00"), "x", "walk_in", "", c("2024-11-05 10:00:00"), created},
		[]any{"s4", "S-4", "c", "open", c("2024-11-30 23:00:00"), c("2024-11-30 23:00:00"), "x", "patrol", "", nil, created},
		[]any{"s5", "S-5", "b", "closed", c("2024-10-25 00:00:00"), c("2024-10-25 00:00:00"), "x", "police", "family", c("2024-11-01 00:00:00"), created})
	insert(t, db, "case_tasks", []string{"stay_id", "rule", "done_at", "done_by"},
		[]any{"s1", "notice_24h", c("2024-11-03 10:00:00"), "x"}, // exactly 24 h: in time
		[]any{"s2", "notice_24h", c("2024-11-21 10:00:01"), "x"}) // a second late
	insert(t, db, "rescue_points", []string{"id", "name", "kind", "address", "lat", "lng", "hours", "updated_at"},
		[]any{"pt1", "甲点", "warming", "路", 35.3, 113.9, "24h", created}, []any{"pt2", "乙点", "lottery", "路", 35.3, 113.9, "24h", created})
	insert(t, db, "point_log", []string{"id", "point_id", "at", "kind", "people", "by_name"},
		[]any{"l1", "pt1", c("2024-11-03 10:00:00"), "guided", 2, "x"}, []any{"l2", "pt1", c("2024-11-04 10:00:00"), "note", 0, "x"},
		[]any{"l3", "pt2", c("2024-11-05 10:00:00"), "guided", 1, "x"}, []any{"l4", "pt2", c("2024-12-02 10:00:00"), "guided", 4, "x"})
	insert(t, db, "missing_reports", []string{"id", "ref", "source", "status", "created_at", "updated_at"},
		[]any{"r1", "X-1", "family", "found", created, created}, []any{"r2", "X-2", "family", "found", created, created})
	insert(t, db, "report_updates", []string{"id", "report_id", "at", "kind"},
		[]any{"u1", "r1", c("2024-11-10 10:00:00"), "found"}, []any{"u2", "r2", c("2024-10-30 10:00:00"), "found"}, []any{"u3", "r1", c("2024-11-09 10:00:00"), "note"},
		[]any{"u4", "r1", c("2024-11-20 10:00:00"), "found"}, []any{"u5", "r2", c("2024-11-21 10:00:00"), "found"}) // found again: not a second reunion
	insert(t, db, "incidents", []string{"id", "ref", "service_code", "state", "department_id", "opened_at", "last_signal_at", "due_at", "closed_at", "updated_at"},
		[]any{"i1", "SJ-1", "begging", "closed", "st", c("2024-11-03 09:00:00"), c("2024-11-03 09:10:00"), c("2024-11-03 10:00:00"), c("2024-11-03 10:00:00"), created},
		[]any{"i2", "SJ-2", "minor_alone", "closed", "po", c("2024-11-04 09:00:00"), c("2024-11-04 09:00:00"), c("2024-11-04 10:00:00"), c("2024-11-04 10:00:01"), created},
		[]any{"i3", "SJ-3", "begging", "merged", "st", c("2024-11-04 09:00:00"), c("2024-11-04 09:00:00"), c("2024-11-04 10:00:00"), c("2024-11-04 09:30:00"), created})
	insert(t, db, "signals", []string{"id", "ref", "channel", "external_id", "incident_id", "service_code", "reported_at", "received_at"},
		[]any{"g1", "QZ-1", "hotline", "1", "i1", "begging", c("2024-11-03 09:00:00"), c("2024-11-03 09:00:00")},
		[]any{"g2", "QZ-2", "110", "2", "i1", "begging", c("2024-11-03 09:10:00"), c("2024-11-03 09:10:00")},
		[]any{"g3", "QZ-3", "hotline", "3", "i2", "minor_alone", c("2024-11-04 09:00:00"), c("2024-11-04 09:00:00")},
		[]any{"g4", "QZ-4", "hotline", "4", "i2", "minor_alone", c("2024-12-01 00:00:00"), c("2024-12-01 00:00:00")})
	insert(t, db, "volunteers", []string{"id", "name", "created_at"}, []any{"v1", "甲", created}, []any{"v2", "乙", created})
	insert(t, db, "vol_shifts", []string{"id", "title", "kind", "starts_at", "ends_at", "places", "created_by"},
		[]any{"f1", "夜巡", "patrol", c("2024-11-08 20:00:00"), c("2024-11-08 23:00:00"), 5, "x"},
		[]any{"f2", "夜巡", "patrol", c("2024-12-08 20:00:00"), c("2024-12-08 23:00:00"), 5, "x"})
	insert(t, db, "vol_signups", []string{"shift_id", "volunteer_id", "signed_at", "attended", "minutes"},
		[]any{"f1", "v1", created, 1, 120}, []any{"f1", "v2", created, 0, 60}, []any{"f2", "v1", created, 1, 90})
	insert(t, db, "money_donations", []string{"id", "at", "donor", "amount_fen", "by_name"},
		[]any{"d1", c("2024-11-09 10:00:00"), "甲", 50000, "x"}, []any{"d2", c("2024-11-30 23:59:00"), "乙", 1000, "x"}, []any{"d3", c("2024-12-01 00:00:00"), "丙", 5, "x"})
	// The publicity log is kept by date: the first and last days of the
	// month are in it, the days either side are not; pl6 was written down
	// in December about a day in November, and counts in November.
	insert(t, db, "publicity_log", []string{"id", "kind", "on_date", "place", "title", "materials", "audience", "created_by", "created_at"},
		[]any{"pl1", "activity", "2024-11-01", "火车站", "宣传", 100, 300, "x", created},
		[]any{"pl2", "media", "2024-11-30", "新乡日报", "报道", 0, 0, "x", created},
		[]any{"pl3", "activity", "2024-10-31", "社区", "宣传", 50, 80, "x", created},
		[]any{"pl4", "materials", "2024-12-01", "学校", "发放", 1000, 200, "x", created},
		[]any{"pl5", "materials", "2024-11-15", "汽车站", "发放", 500, 120, "x", created},
		[]any{"pl6", "activity", "2024-11-15", "学校", "宣传", 20, 40, "x", c("2024-12-03 09:00:00")})
	insert(t, db, "portal_events", []string{"id", "title", "place", "starts_at", "ends_at", "capacity", "created_by", "created_at"},
		[]any{"ev1", "开放日", "救助站", c("2024-10-31 09:00:00"), c("2024-11-01 12:00:00"), 100, "x", created},
		[]any{"ev2", "社区宣传日", "社区", c("2024-11-30 09:00:00"), c("2024-12-01 12:00:00"), 100, "x", created})
	// Checked in at the month's first instant and its last second; not
	// r2 (registered, never came), r3 and r5 (either side of the month).
	insert(t, db, "event_registrations", []string{"id", "event_id", "ref", "name", "phone_sealed", "created_at", "checked_in_at"},
		[]any{"r1", "ev1", "KF-1", "甲", "x", created, c("2024-11-01 00:00:00")},
		[]any{"r2", "ev1", "KF-2", "乙", "x", created, nil},
		[]any{"r3", "ev1", "KF-3", "丙", "x", created, c("2024-10-31 23:59:59")},
		[]any{"r4", "ev2", "KF-4", "丁", "x", created, c("2024-11-30 23:59:59")},
		[]any{"r5", "ev2", "KF-5", "戊", "x", created, c("2024-12-01 00:00:00")})
}

func TestStatIndicatorsAtTheirEdges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		statFixture(t, db)
		ctx := context.Background()
		nov := stats.Period{From: "2024-11-01", To: "2024-11-30"}
		total := func(n int64) []stats.Row { return []stats.Row{{N: n}} }
		dept := func(kv ...any) []stats.Row {
			var out []stats.Row
			for i := 0; i < len(kv); i += 2 {
				out = append(out, stats.Row{DepartmentID: kv[i].(string), N: int64(kv[i+1].(int))})
			}
			return out
		}
		group := func(kv ...any) []stats.Row {
			var out []stats.Row
			for i := 0; i < len(kv); i += 2 {
				out = append(out, stats.Row{Group: kv[i].(string), N: int64(kv[i+1].(int))})
			}
			return out
		}
		day := func(kv ...any) []stats.Row {
			var out []stats.Row
			for i := 0; i < len(kv); i += 2 {
				out = append(out, stats.Row{Day: kv[i].(string), N: int64(kv[i+1].(int))})
			}
			return out
		}
		for _, c := range []struct {
			key  string
			by   stats.By
			dept string
			want []stats.Row
		}{
			// p1 at the first instant, p2 late on the last day (running past
			// it), p5 from 19:30 past midnight; not p3 (October), p4
			// (December), p6 (never started).
			{"patrols", stats.ByTotal, "", total(3)},
			{"patrols", stats.ByDepartment, "", dept("po", 1, "st", 2)},
			{"patrols", stats.ByDay, "", day("2024-11-01", 1, "2024-11-10", 1, "2024-11-30", 1)},
			{"patrols", stats.ByTotal, "po", total(1)},
			{"night_patrols", stats.ByTotal, "", total(2)}, // p5 started at 19:30: a day patrol though it ran past midnight
			{"staff_turnouts", stats.ByTotal, "", total(3 + 2 + 5)},
			{"staff_turnouts", stats.ByDepartment, "", dept("po", 5, "st", 5)},
			{"vehicle_trips", stats.ByTotal, "", total(1 + 0 + 2)},
			// e1, e2, e3 (corrected: once), e6 (last second), e9 (the same
			// person again: person-times); not e4 (refused), e5, e7.
			{"outreach_aid", stats.ByTotal, "", total(5)},
			{"outreach_aid", stats.ByDepartment, "", dept("po", 2, "st", 3)},
			{"outreach_aid", stats.ByTotal, "st", total(3)},
			{"refusals", stats.ByTotal, "", total(1)},
			{"persuaded_in", stats.ByTotal, "", total(1)},
			// m1 less its return (after the month, taken off m1's day), m3
			// from the store (the station's), m7 from the police van.
			{"items_handed_out", stats.ByTotal, "", total(1 + 3 + 1)},
			{"items_handed_out", stats.ByGroup, "", group("方便面", 3, "棉大衣", 2)},
			{"items_handed_out", stats.ByDay, "", day("2024-11-01", 1, "2024-11-15", 3, "2024-11-20", 1)},
			{"items_handed_out", stats.ByDepartment, "", dept("po", 1, "st", 4)},
			{"donations_in_kind", stats.ByGroup, "", group("方便面", 20)},
			// s1, s2 (person a twice), s4 (arrived 23:00 on the last day); not
			// s3 (refused) or s5 (October).
			{"rescued", stats.ByTotal, "", total(3)},
			{"rescued_people", stats.ByTotal, "", total(2)},
			{"rescued", stats.ByTotal, "po", total(0)},
			{"rescued", stats.ByDepartment, "", dept("st", 3)},
			{"exits", stats.ByGroup, "", group("escorted", 1, "family", 1, "return_home", 1)},
			{"escorted", stats.ByTotal, "", total(1)},
			{"returned_home", stats.ByTotal, "", total(1)},
			// (2 d + 1.25 d + 7 d) / 3 = 3.4167 d; median 2 d.
			{"stay_avg", stats.ByTotal, "", total(342)},
			{"stay_median", stats.ByTotal, "", total(200)},
			{"notices_24h", stats.ByTotal, "", total(1)},
			{"points_open", stats.ByTotal, "", total(2)},
			{"point_visits", stats.ByTotal, "", total(3)},
			{"reunions", stats.ByTotal, "", total(1)},
			{"signals", stats.ByGroup, "", group("110", 1, "hotline", 2)},
			{"signals_by_kind", stats.ByGroup, "", group("begging", 2, "minor_alone", 1)},
			{"signals", stats.ByDepartment, "", dept("po", 1, "st", 2)},
			{"incidents_closed", stats.ByTotal, "", total(2)},
			{"incidents_closed_in_sla", stats.ByTotal, "", total(1)}, // closed exactly at the deadline; not a second after
			{"volunteer_minutes", stats.ByTotal, "", total(120)},
			{"donations_money", stats.ByTotal, "", total(51000)},
			// pl1 (the first day), pl6 (written in December); not pl3.
			{"publicity_activities", stats.ByTotal, "", total(2)},
			{"publicity_activities", stats.ByDay, "", day("2024-11-01", 1, "2024-11-15", 1)},
			{"publicity_activities", stats.ByDepartment, "", dept("st", 2)},
			{"publicity_activities", stats.ByTotal, "po", total(0)},
			{"media_reports", stats.ByTotal, "", total(1)}, // pl2, the last day
			{"media_reports", stats.ByDay, "", day("2024-11-30", 1)},
			{"publicity_materials", stats.ByTotal, "", total(100 + 500 + 20)},
			{"publicity_materials", stats.ByGroup, "", group("activity", 120, "materials", 500, "media", 0)},
			{"publicity_audience", stats.ByTotal, "", total(300 + 120 + 40)},
			{"publicity_audience", stats.ByGroup, "", group("activity", 340, "materials", 120, "media", 0)},
			{"event_visitors", stats.ByTotal, "", total(2)},
			{"event_visitors", stats.ByGroup, "", group("开放日", 1, "社区宣传日", 1)},
			{"event_visitors", stats.ByDay, "", day("2024-11-01", 1, "2024-11-30", 1)},
		} {
			in, ok := stats.Lookup(c.key)
			if !ok {
				t.Fatalf("no indicator %s", c.key)
			}
			got, err := in.Count(ctx, db, stats.Query{Scope: stats.Scope{Period: nov, DepartmentID: c.dept}, By: c.by})
			if err != nil {
				t.Fatalf("%s: %v", c.key, err)
			}
			if !reflect.DeepEqual(c.want, got) {
				t.Errorf("%s by %d in %q = %+v, want %+v", c.key, c.by, c.dept, got, c.want)
			}
		}
	})
}

// TestStatCatalogueHasQueries: every indicator of the catalogue counts
// on an empty database, grouped every way, and the store has no query
// the catalogue does not name.
func TestStatCatalogueHasQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var keys []string
		for _, in := range stats.Catalogue() {
			keys = append(keys, in.Key)
			for _, by := range []stats.By{stats.ByTotal, stats.ByDay, stats.ByDepartment, stats.ByGroup} {
				rows, err := in.Count(ctx, db, stats.Query{Scope: stats.Scope{Period: stats.Period{From: "2025-01-01", To: "2025-01-31"}, DepartmentID: "x"}, By: by})
				if err != nil {
					t.Fatalf("%s by %d: %v", in.Key, by, err)
				}
				if by == stats.ByTotal && (len(rows) != 1 || rows[0].N != 0) {
					t.Errorf("%s total on nothing = %v", in.Key, rows)
				}
			}
		}
		got := db.StatKeys()
		slices.Sort(got)
		slices.Sort(keys)
		if !slices.Equal(keys, got) {
			t.Errorf("store queries %v, catalogue %v", got, keys)
		}
	})
}

// TestStatReportPerDepartment: a report's per-department counts add up
// to its totals for additive indicators, and a role without stats.view
// is refused.
func TestStatReportPerDepartment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		statFixture(t, db)
		ctx := context.Background()
		s := &stats.Service{Source: db, Now: time.Now}
		sc := stats.Scope{Period: stats.Period{From: "2024-11-01", To: "2024-11-30"}}
		rep, err := s.Report(ctx, auth.Actor{Role: auth.RoleLeader}, "冬", sc)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range rep.Lines {
			var sum int64
			for _, n := range l.ByDepartment {
				sum += n
			}
			if l.Indicator.Additive && sum != l.Total {
				t.Errorf("%s: departments sum to %d, total %d", l.Indicator.Key, sum, l.Total)
			}
		}
		if l, _ := rep.Line("patrols"); l.Total != 3 || l.ByDepartment["st"] != 2 {
			t.Errorf("patrols line = %+v", l)
		}
		var ids []string
		for _, d := range rep.Departments {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, []string{"po", "st"}) { // the city department has no records
			t.Errorf("report columns = %v", ids)
		}
		if len(rep.Days) != 30 || len(rep.Curves) == 0 || len(rep.Curves[0].Values) != 30 {
			t.Errorf("daily curve: %d days, %d curves", len(rep.Days), len(rep.Curves))
		}
		if _, err := s.Report(ctx, auth.Actor{Role: auth.RoleMedical}, "", sc); err == nil {
			t.Error("a role without stats.view read a report")
		}
		if _, err := s.Report(ctx, auth.Actor{Role: auth.RoleLeader}, "", stats.Scope{Period: sc.Period, DepartmentID: "nope"}); err == nil {
			t.Error("a report for an unknown department")
		}
	})
}

// TestStatCubeEqualsQueries: a report counts each additive indicator in
// one scan (ByCube) and sums it every way; the sums equal the store's
// own grouped counts, on the fixture and on an empty month.
func TestStatCubeEqualsQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		statFixture(t, db)
		ctx := context.Background()
		for _, p := range []stats.Period{{From: "2024-11-01", To: "2024-11-30"}, {From: "2024-10-01", To: "2024-12-31"}, {From: "2023-01-01", To: "2023-01-31"}} {
			for _, dept := range []string{"", "st", "po"} {
				sc := stats.Scope{Period: p, DepartmentID: dept}
				for _, in := range stats.Catalogue() {
					if !in.Additive {
						continue
					}
					cube, err := in.Count(ctx, db, stats.Query{Scope: sc, By: stats.ByCube})
					if err != nil {
						t.Fatal(err)
					}
					if in.Scan != "" { // counted with the others of its scan in one query
						var keys []string
						for _, o := range stats.Catalogue() {
							if o.Scan == in.Scan {
								keys = append(keys, o.Key)
							}
						}
						cubes, err := db.StatCubes(ctx, keys, stats.Query{Scope: sc, By: stats.ByCube})
						if err != nil {
							t.Fatal(err)
						}
						shared := cubes[slices.Index(keys, in.Key)]
						if len(shared) != len(cube) || (len(cube) > 0 && !reflect.DeepEqual(shared, cube)) {
							t.Errorf("%s over %v in %q: shared scan %+v, own %+v", in.Key, p, dept, shared, cube)
						}
					}
					for _, by := range []stats.By{stats.ByTotal, stats.ByDay, stats.ByDepartment, stats.ByGroup} {
						want, err := in.Count(ctx, db, stats.Query{Scope: sc, By: by})
						if err != nil {
							t.Fatal(err)
						}
						got := stats.Rollup(cube, by)
						if len(got) != len(want) || (len(got) > 0 && !reflect.DeepEqual(got, want)) {
							t.Errorf("%s by %d over %v in %q: rolled up %+v, counted %+v", in.Key, by, p, dept, got, want)
						}
					}
				}
			}
		}
	})
}

// TestStatIndexesMigrateDownAndUp: migration 00027 rolls back (help
// signals keep their index on receipt) and applies again.
func TestStatIndexesMigrateDownAndUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		statFixture(t, db)
		if err := store.RedoMigrationForTest(context.Background(), db, 27); err != nil {
			t.Fatal(err)
		}
		in, _ := stats.Lookup("signals")
		rows, err := in.Count(context.Background(), db, stats.Query{Scope: stats.Scope{Period: stats.Period{From: "2024-11-01", To: "2024-11-30"}}})
		if err != nil || rows[0].N != 3 {
			t.Errorf("signals after the redo: %v %v", rows, err)
		}
	})
}

// TestStatPublicityByPeriod: the publicity log's entries and the event
// check-ins fall into the period of their day, and into no other.
func TestStatPublicityByPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		statFixture(t, db)
		ctx := context.Background()
		for _, c := range []struct {
			from, to, key string
			want          int64
		}{
			{"2024-10-01", "2024-10-31", "publicity_activities", 1}, // pl3
			{"2024-10-01", "2024-10-31", "publicity_materials", 50},
			{"2024-10-01", "2024-10-31", "event_visitors", 1}, // r3, the month's last second
			{"2024-12-01", "2024-12-31", "publicity_activities", 0},
			{"2024-12-01", "2024-12-31", "publicity_materials", 1000}, // pl4
			{"2024-12-01", "2024-12-31", "publicity_audience", 200},
			{"2024-12-01", "2024-12-31", "event_visitors", 1}, // r5, the month's first instant
			{"2024-11-15", "2024-11-15", "publicity_activities", 1},
			{"2024-11-15", "2024-11-15", "publicity_materials", 520},
			{"2024-11-16", "2024-11-29", "publicity_audience", 0},
			{"2024-10-01", "2024-12-31", "media_reports", 1},
			{"2024-10-01", "2024-12-31", "event_visitors", 4}, // every check-in; never r2
		} {
			in, _ := stats.Lookup(c.key)
			got, err := in.Count(ctx, db, stats.Query{Scope: stats.Scope{Period: stats.Period{From: c.from, To: c.to}}, By: stats.ByTotal})
			if err != nil {
				t.Fatalf("%s: %v", c.key, err)
			}
			if len(got) != 1 || got[0].N != c.want {
				t.Errorf("%s from %s to %s = %+v, want %d", c.key, c.from, c.to, got, c.want)
			}
		}
	})
}
