package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// seedPages adds n people in care (with tasks), n closed stays, n open and
// n closed incidents and n review candidates.
func seedPages(t *testing.T, h *harness, n int, seq *int) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	disp := auth.Actor{UserID: "seed", Name: "seed", Role: auth.RoleDispatcher}
	var last *cases.Person
	for i := 0; i < n; i++ {
		*seq++
		k := *seq
		p := &cases.Person{ID: id.New(), Ref: fmt.Sprintf("PG%06d", k), Name: fmt.Sprintf("测试%d", k), Aliases: "老王", Sex: cases.Sex("male"),
			AgeMin: 20 + k%50, AgeMax: 30 + k%50, CreatedAt: now}
		at := now.Add(-time.Duration(k%200) * time.Hour)
		closed := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("SG%06da", k), PersonID: p.ID, State: cases.StayClosed, ArrivedAt: at.Add(-30 * 24 * time.Hour),
			EnteredAt: at.Add(-30 * 24 * time.Hour), EnteredBy: "seed", Source: "walk_in", Unidentified: true, ExitedAt: at.Add(-20 * 24 * time.Hour), Version: 1, UpdatedAt: at}
		if err := h.db.Admit(ctx, p, nil, closed, nil, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		open := &cases.Stay{ID: id.New(), Ref: fmt.Sprintf("SG%06db", k), PersonID: p.ID, State: cases.StayOpen, ArrivedAt: at, EnteredAt: at,
			EnteredBy: "seed", Source: "walk_in", Unidentified: k%2 == 0, Version: 1, UpdatedAt: at}
		if err := h.db.Admit(ctx, p, nil, open, nil, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		if err := h.db.DoTask(ctx, &cases.Task{StayID: open.ID, Rule: cases.RuleNotice, DoneAt: at.Add(time.Hour), DoneBy: "seed"}, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		if last != nil {
			c := &family.Candidate{ID: id.New(), PersonID: p.ID, OtherID: last.ID, Score: 5, Probability: 0.5 + float64(k%40)/100, Label: "probable",
				State: family.Proposed, CreatedAt: now, UpdatedAt: now}
			if err := h.db.SaveCandidates(ctx, []*family.Candidate{c}, nil); err != nil {
				t.Fatal(err)
			}
		}
		last = p
		for j := 0; j < 2; j++ {
			lat, lng := 35.20+float64(k%90)*0.002, 113.80+float64(j)*0.05+float64(k/90)*0.002
			res, err := h.intake.Submit(ctx, auth.Actor{IP: "local"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: &lat, Lng: &lng})
			if err != nil {
				t.Fatal(err)
			}
			if j == 1 {
				if _, err := h.intake.Update(ctx, disp, res.Incident.ID, intake.StatusUpdate{Version: res.Incident.Version, State: intake.StateClosed,
					Outcome: intake.OutcomeHelped}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// statements renders path for c and returns how many statements the
// store ran for it.
func statements(t *testing.T, h *harness, c *client, path string) int64 {
	t.Helper()
	var n atomic.Int64
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	h.web.ServeHTTP(rec, req.WithContext(store.CountStatements(req.Context(), &n)))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, rec.Code, rec.Body.String())
	}
	if n.Load() == 0 {
		t.Fatalf("GET %s: no statement counted", path)
	}
	return n.Load()
}

// Each main page runs as many statements with ten times the records: no
// query per row, and lists are paged (issue 16).
func TestPageQueriesDoNotGrowWithData(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		staff, dispatcher := h.login("staff"), h.login("dispatcher")
		pages := []struct {
			c    *client
			path string
		}{
			{staff, "/station"}, {staff, "/people"}, {staff, "/people?in=1"}, {staff, "/people?q=" + "老王"},
			{staff, "/family/review"}, {dispatcher, "/dispatch"}, {dispatcher, "/incidents"}, {dispatcher, "/incidents?state=closed"},
			{dispatcher, "/incidents?state=all&channel=public"},
		}
		seq := 0
		seedPages(t, h, 6, &seq)
		// Each page is counted on its second view: /station counts the
		// year's KPIs on its first and keeps them for a minute
		// (cases.DefaultKPIMaxAge; the cases tests check that cache).
		before := map[string]int64{}
		for _, p := range pages {
			statements(t, h, p.c, p.path)
			before[p.path] = statements(t, h, p.c, p.path)
		}
		seedPages(t, h, 60, &seq)
		for _, p := range pages {
			statements(t, h, p.c, p.path)
			if got := statements(t, h, p.c, p.path); got != before[p.path] {
				t.Errorf("GET %s: %d statements with 6 records of each kind, %d with 66", p.path, before[p.path], got)
			}
		}
		// 66 people in care: a full first page, the rest on the second.
		_, first := staff.do("GET", "/station", nil, false)
		_, second := staff.do("GET", "/station?page=2", nil, false)
		if n := strings.Count(first, "<tr data-person="); n != cases.DashboardPageSize || !strings.Contains(first, `href="/station?page=2"`) {
			t.Errorf("first page: %d rows, link to the next: %v", n, strings.Contains(first, `href="/station?page=2"`))
		}
		if n := strings.Count(second, "<tr data-person="); n != 66-cases.DashboardPageSize || strings.Contains(second, `rel="next"`) {
			t.Errorf("second page: %d rows", n)
		}
	})
}
