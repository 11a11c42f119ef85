package store_test

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// largeTables grow with history; a page must reach them through an index.
// The short names are the aliases the page queries give them.
var largeTables = map[string]bool{"persons": true, "stays": true, "incidents": true, "signals": true, "events": true, "audit_log": true,
	"missing_reports": true, "case_tasks": true, "match_candidates": true, "person_names": true, "encounters": true, "patrols": true,
	"p": true, "s": true, "i": true, "tn": true, "td": true, "tr": true, "tu": true, "tp": true,
	"duties": true, "duty_runs": true, "canteen_readings": true, "canteen_meals": true, "canteen_dishes": true, "canteen_samples": true,
	"canteen_purchases": true, "canteen_disinfections": true, "canteen_checks": true, "rd": true, "ml": true, "ds": true, "sm": true, "pu": true,
	"canteen_pest": true, "canteen_purchase_files": true, "canteen_issues": true, "canteen_selfchecks": true, "canteen_selfcheck_answers": true,
	"iss": true, "sc": true, "an": true,
	"assistance_referrals": true, "ar": true, "stay_duties_done": true, "sdd": true, "hk": true}

var (
	sqliteScan = regexp.MustCompile(`^SCAN (\w+)$`) // no index at all
	// an index walked from end to end: reads every row as a plain scan
	// does, unless a LIMIT stops it early (ORDER BY … LIMIT)
	sqliteWalk = regexp.MustCompile(`^SCAN (\w+) USING (?:COVERING )?INDEX \w+$`)
	pgSeqScan  = regexp.MustCompile(`Seq Scan on (\w+)(?: (\w+))?`) // table and alias
)

// Every query of the main pages reaches the large tables through an
// index: no plan scans one of them whole (issue 16).
func TestPagesUseIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Second)
		seedStation(t, db, 30, now, now, rand.New(rand.NewPCG(16, 2)))
		seedIncidents(t, db, now)
		// family candidates between the seeded people
		ppl, err := db.ListPeople(ctx, cases.PersonFilter{Limit: 10})
		if err != nil || len(ppl) < 2 {
			t.Fatalf("people: %d %v", len(ppl), err)
		}
		if err := db.SaveCandidates(ctx, []*family.Candidate{{ID: id.New(), PersonID: ppl[0].ID, OtherID: ppl[1].ID, Score: 3, Probability: 0.7,
			Label: "probable", State: family.Proposed, CreatedAt: now, UpdatedAt: now}}, nil); err != nil {
			t.Fatal(err)
		}

		var stmts []store.Statement
		rctx := store.RecordStatements(ctx, func(s store.Statement) { stmts = append(stmts, s) })
		pages := map[string]func(ctx context.Context) error{
			"/station": func(ctx context.Context) error {
				q := cases.Defaults.FigureQuery(now, now.AddDate(0, -11, 0), now.Add(time.Minute))
				if _, err := db.StationFigures(ctx, q); err != nil {
					return err
				}
				open, err := db.OpenStaysPage(ctx, 51, 0)
				if err != nil || len(open) == 0 {
					return err
				}
				if _, err := db.PeopleByIDs(ctx, []string{open[0].PersonID}); err != nil {
					return err
				}
				if _, err = db.Tasks(ctx, []string{open[0].ID}); err != nil {
					return err
				}
				// the linked duties and the referrals waiting for an answer
				if _, err := db.StayDuties(ctx, assistance.DutyQuery{ExtensionArrivedBefore: now.AddDate(0, 0, -9),
					HukouArrivedBefore: now.AddDate(0, -3, 1), Limit: 50}); err != nil {
					return err
				}
				_, err = db.UnansweredReferrals(ctx, now.Add(24*time.Hour), 20)
				return err
			},
			"/people": func(ctx context.Context) error {
				for _, f := range []cases.PersonFilter{{Limit: 200}, {InStation: true, Limit: 200}, {Unidentified: true, Limit: 200}} {
					if _, err := db.ListPeople(ctx, f); err != nil {
						return err
					}
				}
				return nil
			},
			"admission duplicates": func(ctx context.Context) error {
				_, err := db.PeopleNamed(ctx, "人3")
				return err
			},
			"/dispatch": func(ctx context.Context) error {
				if _, err := db.BoardIncidents(ctx, dispatch.BoardFilter{ClosedLast: 20}); err != nil {
					return err
				}
				if _, err := db.BoardIncidents(ctx, dispatch.BoardFilter{Channel: "public", ServiceCode: "begging"}); err != nil {
					return err
				}
				_, err := db.CountClosed(ctx, dispatch.BoardFilter{}, now.Add(-24*time.Hour))
				return err
			},
			"/incidents": func(ctx context.Context) error {
				open := []intake.State{intake.StateAccepted, intake.StateDispatched, intake.StateInProgress, intake.StateReplied}
				for _, f := range []intake.IncidentFilter{{States: open, Limit: 101}, {States: []intake.State{intake.StateClosed}, Limit: 101, Offset: 100},
					{States: open, Channel: intake.ChannelPublic, Limit: 101}} {
					if _, err := db.ListIncidents(ctx, f); err != nil {
						return err
					}
				}
				return nil
			},
			"/stats heat map and people in care": func(ctx context.Context) error {
				day := now.In(stats.CST).Format(time.DateOnly)
				p := stats.Period{From: now.In(stats.CST).AddDate(0, -1, 0).Format(time.DateOnly), To: day}
				for _, layer := range []string{stats.LayerSignals, stats.LayerEncounters} {
					if _, err := db.HeatGrid(ctx, stats.HeatQuery{Scope: stats.Scope{Period: p}, Layer: layer}); err != nil {
						return err
					}
				}
				_, err := db.Occupancy(ctx, p)
				return err
			},
			"a person's candidates": func(ctx context.Context) error {
				cs, err := db.Candidates(ctx, []string{family.Proposed}, ppl[1].ID, "")
				if err == nil && len(cs) != 1 {
					t.Fatalf("%d candidates from the other side", len(cs))
				}
				return err
			},
			"family search's build, a page": func(ctx context.Context) error {
				subjects, last, err := db.SubjectsAfter(ctx, "", 7)
				if err == nil && (last == "" || len(subjects) == 0) {
					t.Fatalf("the first page of subjects: %d, last %q", len(subjects), last)
				}
				return err
			},
			"/canteen": func(ctx context.Context) error {
				day := now.Format(time.DateOnly)
				if _, err := db.DutiesDue(ctx, "canteen", now); err != nil {
					return err
				}
				if _, err := db.Readings(ctx, now.AddDate(0, 0, -2)); err != nil {
					return err
				}
				if _, err := db.Meals(ctx, day, day); err != nil {
					return err
				}
				if _, err := db.SamplesKept(ctx); err != nil {
					return err
				}
				if _, err := db.Purchases(ctx, day, day); err != nil {
					return err
				}
				if _, err := db.Disinfections(ctx, now.AddDate(0, 0, -2)); err != nil {
					return err
				}
				if _, err := db.MorningChecks(ctx, day); err != nil {
					return err
				}
				if _, err := db.PestLog(ctx, now.AddDate(0, -3, 0).Format(time.DateOnly), day); err != nil {
					return err
				}
				if _, err := db.PurchaseFiles(ctx, []string{"a", "b"}); err != nil {
					return err
				}
				if _, err := db.OnHand(ctx); err != nil {
					return err
				}
				_, err := db.InCareOn(ctx, day)
				return err
			},
			"/canteen/stock and /canteen/checks": func(ctx context.Context) error {
				if _, err := db.OnHand(ctx); err != nil {
					return err
				}
				if _, err := db.Issues(ctx, now.AddDate(0, 0, -7)); err != nil {
					return err
				}
				if _, err := db.CheckItems(ctx, "daily", true); err != nil {
					return err
				}
				_, err := db.SelfChecks(ctx, "daily", now.AddDate(0, 0, -31).Format(time.DateOnly), "")
				return err
			},
			"/family/review": func(ctx context.Context) error {
				cs, err := db.CandidatesPage(ctx, []string{family.Proposed}, 51, 0)
				if err != nil || len(cs) == 0 {
					t.Fatalf("candidates: %d %v", len(cs), err)
				}
				ids := []string{cs[0].PersonID, cs[0].OtherID}
				if _, err := db.PeopleByIDs(ctx, ids); err != nil {
					return err
				}
				if _, err := db.StaysOf(ctx, ids); err != nil {
					return err
				}
				_, err = db.ReportsByIDs(ctx, []string{"x"})
				return err
			},
		}
		for page, run := range pages {
			stmts = stmts[:0]
			if err := run(rctx); err != nil {
				t.Fatalf("%s: %v", page, err)
			}
			if len(stmts) == 0 {
				t.Fatalf("%s: no statement recorded", page)
			}
			for _, st := range stmts {
				plan, err := store.ExplainForTest(ctx, db, st)
				if err != nil {
					t.Fatalf("%s: explain %s: %v", page, st.Query, err)
				}
				for _, line := range plan {
					var table string
					if m := sqliteScan.FindStringSubmatch(line); db.Dialect() == "sqlite" && m != nil {
						table = m[1]
					} else if m := sqliteWalk.FindStringSubmatch(line); db.Dialect() == "sqlite" && m != nil && !strings.Contains(strings.ToUpper(st.Query), "LIMIT") {
						table = m[1]
					} else if m := pgSeqScan.FindStringSubmatch(line); db.Dialect() == "postgres" && m != nil {
						table = m[1]
					}
					if largeTables[table] {
						t.Errorf("%s scans %s whole:\n%s\n%s", page, table, oneLineSQL(st.Query), strings.Join(plan, "\n"))
					}
				}
			}
		}
	})
}

func oneLineSQL(q string) string { return strings.Join(strings.Fields(q), " ") }

// seedIncidents files a few help signals through the intake service and
// closes some of them.
func seedIncidents(t *testing.T, db *store.DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now)
	if err != nil {
		t.Fatal(err)
	}
	photos, err := files.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := &intake.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: func() time.Time { return now },
		Bounds: intake.XinxiangBounds, Merge: intake.DefaultMergeRule, Geocoder: &geo.Live{Base: geo.Xinxiang(), Places: db.GazetteerPlaces}}
	disp := auth.Actor{UserID: "u-disp", Name: "张丽", Role: auth.RoleDispatcher}
	for k := 0; k < 12; k++ {
		lat, lng := 35.20+float64(k)*0.01, 113.85
		res, err := svc.Submit(ctx, auth.Actor{IP: "local"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging", Lat: &lat, Lng: &lng})
		if err != nil {
			t.Fatal(err)
		}
		if k%2 == 0 {
			if _, err := svc.Update(ctx, disp, res.Incident.ID, intake.StatusUpdate{Version: res.Incident.Version, State: intake.StateClosed,
				Outcome: intake.OutcomeHelped}); err != nil {
				t.Fatal(err)
			}
		}
	}
}
