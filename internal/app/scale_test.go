package app

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var (
	scaleRef  = regexp.MustCompile(`^[A-Z]{2}-[2-9A-HJ-NP-Z]{8}$`)
	scalePair = regexp.MustCompile(`(XR-[2-9A-Z]{8}) ↔ (RY-[2-9A-Z]{8})`)
)

// TestScaleDataSet runs 'haven scale' at a small size on each database and
// reads what it wrote through the services, as the pages do: people open
// with their stays, exits and sealed ID numbers, the people in care are
// listed, incidents load with as many signals as they count, every record
// has its audit row and a well-formed reference, and family search
// proposes the people the planted reports describe.
func TestScaleDataSet(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			ctx := context.Background()
			data := t.TempDir()
			env := map[string]string{"HAVEN_DEMO_PASSWORD": "scale password 1", "HAVEN_ENCRYPTION_KEY_FILE": filepath.Join(data, "keys")}
			cfg := config.Default()
			cfg.DataDir = data
			if db == "postgres" {
				dsn, _ := storetest.PostgresSchema(t)
				env["HAVEN_DATABASE_URL"], cfg.DatabaseURL = dsn, dsn
			}
			cfg.EncryptionKeyFile = env["HAVEN_ENCRYPTION_KEY_FILE"]
			var out, errb syncBuf
			if err := Run(ctx, []string{"scale", "--data", data, "--people", "2000", "--signals", "10000", "--reports", "300"}, envFrom(env), &out, &errb); err != nil {
				t.Fatalf("%v\n%s", err, errb.String())
			}
			if !strings.Contains(out.String(), "Added 2000 people (") || !strings.Contains(out.String(), "10000 signals in ") || !strings.Contains(out.String(), "300 missing-person reports") {
				t.Fatalf("scale said:\n%s", out.String())
			}
			pairs := scalePair.FindAllStringSubmatch(out.String(), -1)
			if len(pairs) == 0 {
				t.Fatalf("no planted report ↔ person pair printed:\n%s", out.String())
			}

			e, err := open(ctx, cfg, &syncBuf{})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			staff := auth.Actor{Name: "staff", Role: auth.RoleStaff}
			dispatcher := auth.Actor{Name: "dispatcher", Role: auth.RoleDispatcher}

			// People in care: the demo's 14 and one in 200 of the scale set.
			inCare, err := e.cases.Store.ListPeople(ctx, cases.PersonFilter{InStation: true, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(inCare) < 14+10 {
				t.Errorf("%d people in care, want at least 24", len(inCare))
			}
			// Every tenth person of the scale set (entered in the past, not
			// today as the demo's), those in care and those planted.
			all, err := e.cases.Store.ListPeople(ctx, cases.PersonFilter{Limit: 5000})
			if err != nil {
				t.Fatal(err)
			}
			var people []*cases.Person
			for i, p := range all {
				if p.CreatedAt.Before(time.Now().Add(-24*time.Hour)) && i%10 == 0 {
					people = append(people, p)
				}
			}
			if len(people) < 150 {
				t.Fatalf("%d of %d people were entered in the past", len(people), len(all))
			}
			people = append(people, inCare[:20]...)
			for _, p := range people {
				if !scaleRef.MatchString(p.Ref) || !strings.HasPrefix(p.Ref, "RY-") {
					t.Fatalf("person reference %q", p.Ref)
				}
				v, err := e.cases.View(ctx, staff, p.ID)
				if err != nil {
					t.Fatalf("open %s: %v", p.Ref, err)
				}
				if len(v.Stays) == 0 {
					t.Fatalf("%s has no stay", p.Ref)
				}
				// Admission's duplicate check finds them by name.
				if p.Name != "" {
					named, err := e.cases.Store.PeopleNamed(ctx, p.Name)
					if err != nil || !slices.ContainsFunc(named, func(x *cases.Person) bool { return x.ID == p.ID }) {
						t.Fatalf("%s is not found by the name %q (%v)", p.Ref, p.Name, err)
					}
				}
				if (v.Person.IDSealed != "") != (v.IDNumber != "") {
					t.Fatalf("%s: ID number shown %q", p.Ref, v.IDNumber)
				}
				if p.IDSealed != "" {
					id, err := e.keys.Open(cases.IDContext, p.IDSealed)
					if err != nil || len(id) != 18 || id[6:14] != p.IDBirth {
						t.Fatalf("%s: sealed ID number %q (%v) does not open to one born %s", p.Ref, id, err, p.IDBirth)
					}
				}
				open := 0
				for _, sv := range v.Stays {
					st := sv.Stay
					if !scaleRef.MatchString(st.Ref) || st.PersonID != p.ID {
						t.Fatalf("%s: stay %q of %s", p.Ref, st.Ref, st.PersonID)
					}
					switch st.State {
					case cases.StayOpen:
						open++
					case cases.StayClosed:
						if st.ExitKind == "" || !st.ExitedAt.After(st.ArrivedAt) || st.ExitedBy == "" || st.Version != 2 {
							t.Fatalf("%s: closed stay %s: exit %q at %v after %v by %q, version %d", p.Ref, st.Ref, st.ExitKind, st.ExitedAt, st.ArrivedAt, st.ExitedBy, st.Version)
						}
						items, err := e.cases.Store.Belongings(ctx, st.ID)
						if err != nil {
							t.Fatal(err)
						}
						for _, b := range items {
							if !b.Returned || b.ReturnedQty != b.Qty {
								t.Fatalf("%s: belonging %s kept after the exit", st.Ref, b.Item)
							}
						}
					}
				}
				if open > 1 {
					t.Fatalf("%s has %d open stays", p.Ref, open)
				}
				log, err := e.db.ListAudit(ctx, audit.Filter{RecordID: p.ID})
				if err != nil {
					t.Fatal(err)
				}
				admitted := false
				for _, a := range log {
					admitted = admitted || a.Action == "stay.admit" || a.Action == "stay.refuse"
				}
				if !admitted {
					var acts []string
					for _, a := range log {
						acts = append(acts, a.Action)
					}
					t.Fatalf("%s (created %v, merged into %q): no stay.admit in the audit log: %v", p.Ref, p.CreatedAt, p.MergedInto, acts)
				}
			}

			// Incidents load with their signals; closed ones have an outcome.
			incs, err := e.intake.Store.ListIncidents(ctx, intake.IncidentFilter{Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			closed, err := e.intake.Store.ListIncidents(ctx, intake.IncidentFilter{States: []intake.State{intake.StateClosed}, Limit: 200})
			if err != nil {
				t.Fatal(err)
			}
			if len(closed) < 100 {
				t.Fatalf("%d closed incidents", len(closed))
			}
			merged := 0
			for _, inc := range append(incs, closed...) {
				d, err := e.intake.Incident(ctx, dispatcher, inc.ID)
				if err != nil {
					t.Fatalf("incident %s: %v", inc.Ref, err)
				}
				if !scaleRef.MatchString(inc.Ref) || len(d.Signals) != inc.SignalCount || len(d.Signals) == 0 {
					t.Fatalf("incident %s counts %d signals, has %d", inc.Ref, inc.SignalCount, len(d.Signals))
				}
				if len(d.Signals) > 1 {
					merged++
				}
				for _, s := range d.Signals {
					if !scaleRef.MatchString(s.Ref) || s.IncidentID != inc.ID || s.ReportedAt.After(inc.LastSignalAt) {
						t.Fatalf("incident %s: signal %s", inc.Ref, s.Ref)
					}
				}
				if inc.State == intake.StateClosed && (inc.Outcome == "" || inc.ClosedAt.Before(inc.LastSignalAt)) {
					t.Fatalf("incident %s closed without an outcome (%q) or before its last signal", inc.Ref, inc.Outcome)
				}
			}
			if merged == 0 {
				t.Error("no incident holds more than one signal: nothing was merged")
			}

			// Family search proposes the person each planted report describes.
			if err := e.family.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
			for _, pr := range pairs {
				rep, err := e.family.Store.ReportByRef(ctx, pr[1])
				if err != nil {
					t.Fatalf("report %s: %v", pr[1], err)
				}
				cs, err := e.family.Store.Candidates(ctx, []string{family.Proposed}, "", rep.ID)
				if err != nil {
					t.Fatal(err)
				}
				found := false
				for _, c := range cs {
					p, err := e.cases.Store.PersonByID(ctx, c.PersonID)
					if err != nil {
						t.Fatal(err)
					}
					found = found || p.Ref == pr[2]
				}
				if !found {
					t.Errorf("family search does not propose %s for report %s (%d candidates)", pr[2], pr[1], len(cs))
				}
			}
		})
	}
}
