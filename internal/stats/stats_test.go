package stats

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

var now = time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC) // 12:00 on 2 December in China

func TestParsePeriod(t *testing.T) {
	for _, c := range []struct {
		from, to string
		field    string // the refused field, "" when accepted
		msg      string
	}{
		{"2024-11-01", "2025-03-15", "", ""},
		{"2026-12-02", "2026-12-02", "", ""},                      // today, one day
		{"2026-12-02", "2027-03-15", "", ""},                      // a running campaign's planned end
		{"2026-12-03", "2026-12-04", "from", "err.period_future"}, // tomorrow
		{"2025-03-15", "2024-11-01", "to", "err.period_reversed"},
		{"2025-03-15", "2025-03-14", "to", "err.period_reversed"},
		{"2025-02-30", "2025-03-01", "from", "err.invalid_date"},
		{"", "2025-03-01", "from", "err.invalid_date"},
		{"2025-01-01", "2025/03/01", "to", "err.invalid_date"},
		{"2000-01-01", "2026-12-01", "to", "err.period_too_long"},
	} {
		p, err := ParsePeriod(c.from, c.to, now)
		if c.field == "" {
			if err != nil || p.From != c.from || p.To != c.to {
				t.Errorf("%s – %s: %v %v", c.from, c.to, p, err)
			}
			continue
		}
		if errs.FieldsOf(err)[c.field] != c.msg {
			t.Errorf("%s – %s: %v, want %s: %s", c.from, c.to, err, c.field, c.msg)
		}
	}
	// The period's instants: from midnight China time, the last day whole.
	p := Period{From: "2024-11-01", To: "2024-11-30"}
	if !p.Since().Equal(time.Date(2024, 10, 31, 16, 0, 0, 0, time.UTC)) || !p.Until().Equal(time.Date(2024, 11, 30, 16, 0, 0, 0, time.UTC)) || len(p.Days()) != 30 {
		t.Errorf("period %v: since %v until %v, %d days", p, p.Since(), p.Until(), len(p.Days()))
	}
}

func TestParseQuery(t *testing.T) {
	get := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	def := Period{From: "2024-11-01", To: "2025-03-15"}
	q, err := ParseQuery(get(nil), def, now)
	if err != nil || q.Period != def || q.By != ByTotal {
		t.Errorf("defaults: %+v %v", q, err)
	}
	q, err = ParseQuery(get(map[string]string{"from": "2025-01-01", "to": "2025-01-31", "department": "d1", "by": "day"}), def, now)
	if err != nil || q.Period.From != "2025-01-01" || q.DepartmentID != "d1" || q.By != ByDay {
		t.Errorf("given: %+v %v", q, err)
	}
	for _, m := range []map[string]string{{"by": "week"}, {"department": "a b"}, {"department": strings.Repeat("x", 65)}, {"from": "2025-01-01"}} {
		if _, err := ParseQuery(get(m), def, now); !errs.Is(errs.Invalid, err) {
			t.Errorf("%v: %v", m, err)
		}
	}
}

// FuzzParseQuery: whatever a URL carries, the parser returns a valid
// query (a period not reversed, not starting in the future, at most ten
// years) or an Invalid error naming fields, and never panics.
func FuzzParseQuery(f *testing.F) {
	f.Add("2024-11-01", "2025-03-15", "", "day")
	f.Add("2025-03-15", "2024-11-01", "dept", "department")
	f.Add("2099-01-01", "2099-01-02", "\x00", "group")
	f.Add("", "", "", "")
	f.Add("2024-02-29", "2024-02-29", "0", "total")
	f.Fuzz(func(t *testing.T, from, to, dept, by string) {
		m := map[string]string{"from": from, "to": to, "department": dept, "by": by}
		q, err := ParseQuery(func(k string) string { return m[k] }, Period{From: "2026-12-01", To: "2026-12-02"}, now)
		if err != nil {
			if !errs.Is(errs.Invalid, err) || len(errs.FieldsOf(err)) == 0 {
				t.Fatalf("%q %q %q %q: %v", from, to, dept, by, err)
			}
			return
		}
		if _, err := ParsePeriod(q.Period.From, q.Period.To, now); err != nil {
			t.Fatalf("accepted a period ParsePeriod refuses: %v", q.Period)
		}
		if q.Period.To < q.Period.From || q.Period.From > "2026-12-02" || len(q.Period.Days()) > MaxPeriodDays+1 {
			t.Fatalf("accepted %v", q.Period)
		}
		if !utf8.ValidString(q.DepartmentID) || len(q.DepartmentID) > 64 {
			t.Fatalf("department %q", q.DepartmentID)
		}
	})
}

func TestParseKeys(t *testing.T) {
	keys, err := ParseKeys(" patrols, night_patrols ,,")
	if err != nil || len(keys) != 2 || keys[1] != "night_patrols" {
		t.Errorf("%v %v", keys, err)
	}
	if _, err := ParseKeys("patrols,nope"); errs.FieldsOf(err)["keys"] != "err.unknown_indicator" {
		t.Errorf("unknown key: %v", err)
	}
}

func TestMeanAndMedian(t *testing.T) {
	day := int64(86400)
	for _, c := range []struct {
		secs         []int64
		mean, median int64
	}{
		{nil, 0, 0},
		{[]int64{day}, 100, 100},
		{[]int64{day, 2 * day, 10 * day}, 433, 200},          // 4.333 d; median 2 d
		{[]int64{day, 2 * day, 3 * day, 10 * day}, 400, 250}, // even: the mean of the middle two
		{[]int64{432}, 1, 1},                                 // half a centiday rounds up
		{[]int64{431}, 0, 0},
	} {
		if m := mean(c.secs); m != c.mean {
			t.Errorf("mean %v = %d, want %d", c.secs, m, c.mean)
		}
		if m := median(c.secs); m != c.median {
			t.Errorf("median %v = %d, want %d", c.secs, m, c.median)
		}
	}
}

func TestUnitFormat(t *testing.T) {
	for _, c := range []struct {
		u    Unit
		n    int64
		want string
	}{
		{UnitTimes, 294, "294"}, {UnitMinutes, 90, "1.5"}, {UnitMinutes, 5, "0.0"}, {UnitCentidays, 342, "3.4"},
		{UnitFen, 51000, "510.00"}, {UnitFen, 5, "0.05"}, {UnitBasisPoints, 9876, "98.7"},
	} {
		if got := c.u.Format(c.n); got != c.want {
			t.Errorf("%s %d = %q, want %q", c.u, c.n, got, c.want)
		}
	}
}

// fakeSource counts every key as 1 per department d1 and d2.
type fakeSource struct{ asked []string }

func (f *fakeSource) StatCount(_ context.Context, key string, q Query) ([]Row, error) {
	f.asked = append(f.asked, key)
	if q.By == ByDepartment {
		return []Row{{DepartmentID: "d1", N: 1}, {DepartmentID: "d2", N: 1}}, nil
	}
	return []Row{{N: 2}}, nil
}

func (f *fakeSource) StatValues(_ context.Context, key string, q Query) ([]Row, error) {
	return []Row{{DepartmentID: "d1", N: 86400}, {DepartmentID: "d2", N: 3 * 86400}}, nil
}

func (f *fakeSource) StatDepartments(context.Context) ([]Department, error) {
	return []Department{{ID: "d1", Name: "甲"}, {ID: "d2", Name: "乙"}, {ID: "d3", Name: "丙"}}, nil
}

func (f *fakeSource) Occupancy(context.Context, Period) (OccupancyCounts, error) {
	return OccupancyCounts{}, nil
}
func (f *fakeSource) HeatGrid(context.Context, HeatQuery) ([]GridCount, error) { return nil, nil }

func TestFiguresPermissionsAndDepartments(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{}
	s := &Service{Source: src, Now: func() time.Time { return now }}
	q := Query{Scope: Scope{Period: Period{From: "2025-01-01", To: "2025-01-31"}}, By: ByDepartment}
	for _, a := range []auth.Actor{{Role: auth.RoleLeader}, {Role: auth.RoleStaff}, {Role: auth.RoleDispatcher}, {Role: auth.RoleAdmin},
		{Role: auth.RolePartner, Scopes: []string{auth.ScopeStatisticsRead}}} {
		if _, err := s.Figures(ctx, a, nil, q); err != nil {
			t.Errorf("%s %v: %v", a.Role, a.Scopes, err)
		}
	}
	for _, a := range []auth.Actor{{Role: auth.RolePatrol}, {Role: auth.RoleMedical}, {Role: auth.RoleVolunteer}, {Role: auth.RoleLiaison},
		{Role: auth.RolePartner, Scopes: []string{"family.read"}}, {}} {
		if _, err := s.Figures(ctx, a, nil, q); !errs.Is(errs.Forbidden, err) && !errs.Is(errs.Unauthorized, err) {
			t.Errorf("%s %v: %v", a.Role, a.Scopes, err)
		}
	}
	leader := auth.Actor{Role: auth.RoleLeader}
	q.DepartmentID = "d9"
	src.asked = nil
	if _, err := s.Figures(ctx, leader, nil, q); errs.FieldsOf(err)["department"] != "err.unknown_department" || len(src.asked) != 0 {
		t.Errorf("unknown department: %v, asked %v", err, src.asked)
	}
	q.DepartmentID = ""
	fs, err := s.Figures(ctx, leader, []string{"patrols", "rescued_people", "stay_median"}, q)
	if err != nil {
		t.Fatal(err)
	}
	// Additive: the departments' sum; distinct people: its own total; a
	// median: of all the values.
	if fs[0].Total != 2 || fs[1].Total != 2 || fs[2].Total != 200 || fs[2].Rows[1].N != 300 {
		t.Errorf("figures %+v", fs)
	}
	if _, err := s.Figures(ctx, leader, []string{"nope"}, q); !errs.Is(errs.Invalid, err) {
		t.Errorf("unknown key: %v", err)
	}
}

func TestCatalogueIsComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, in := range Catalogue() {
		if seen[in.Key] || in.Count == nil || in.Unit == "" {
			t.Errorf("indicator %+v", in)
		}
		seen[in.Key] = true
		if (in.Unit == UnitPeople || in.reduce != nil) && in.Additive {
			t.Errorf("%s: distinct people and averages do not add up", in.Key)
		}
	}
	for _, k := range CampaignKeys {
		if !seen[k] {
			t.Errorf("campaign key %s is not in the catalogue", k)
		}
	}
}
