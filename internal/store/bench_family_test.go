package store_test

// Family search at two sizes (issue 16): what one admission, report or
// edit costs the request, and what matching it costs the node that
// matches, with 10^3 and 10^5 people on file:
//
//	HAVEN_TEST_POSTGRES_URL=... go test -run '^$' -bench FamilyMatch \
//	  -benchtime 20x -count 3 -timeout 60m ./internal/store/

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/tracing"
)

// familyWorld is the synthetic population the fill draws from: people
// with the damage a station's records have (tracing.Synth).
func familyWorld(seed uint64) *tracing.Synth { return tracing.NewSynth(seed) }

func sexOf(b byte) cases.Sex {
	switch b {
	case 'M':
		return cases.Male
	case 'F':
		return cases.Female
	}
	return cases.SexUnknown
}

// regionText is a region code written out, as a native place is typed.
func regionText(code string) string { return idcard.RegionOf(code).String() }

// fillFamily puts n people on file, each with one stay (one in 200 still
// in care, unidentified), and n/100 open reports.
func fillFamily(b *testing.B, db *store.DB, n int) {
	s := familyWorld(16)
	type drawn struct{ rep, care *tracing.Record }
	people := make([]drawn, n)
	for i := range people {
		people[i].rep, people[i].care = s.Pair(i, []string{"", tracing.CaseHomophone, tracing.CaseNoName}[i%3])
	}
	at := func(i int) time.Time { return benchNow.Add(-time.Duration(n-i) * 7 * time.Minute) }
	bulk(b, db, "persons", []string{"id", "ref", "name", "sex", "age_min", "age_max", "height_cm", "native_place", "marks", "created_at", "updated_at"}, n,
		func(i int) []any {
			c := people[i].care
			name := ""
			if len(c.Names) > 0 {
				name = c.Names[0]
			}
			return []any{fmt.Sprintf("p%07d", i), fmt.Sprintf("RY-B%07d", i), name, string(sexOf(c.Sex)), c.AgeMin, c.AgeMax, c.HeightCm,
				regionText(c.Region), c.Features, at(i), at(i)}
		})
	bulk(b, db, "stays", []string{"id", "ref", "person_id", "state", "arrived_at", "entered_at", "entered_by", "source", "unidentified", "form",
		"exit_kind", "exited_at", "updated_at"}, n,
		func(i int) []any {
			form, _ := json.Marshal(cases.Form{Reason: "流浪", Security: "passed", Story: "新乡火车站广场"})
			if i%200 == 0 {
				return []any{fmt.Sprintf("s%07d", i), fmt.Sprintf("JZ-B%07d", i), fmt.Sprintf("p%07d", i), "open", at(i), at(i), "bench", "patrol", 1,
					string(form), "", nil, at(i)}
			}
			return []any{fmt.Sprintf("s%07d", i), fmt.Sprintf("JZ-B%07d", i), fmt.Sprintf("p%07d", i), "closed", at(i), at(i), "bench", "patrol", 1,
				string(form), "self", at(i).Add(48 * time.Hour), at(i)}
		})
	bulk(b, db, "missing_reports", []string{"id", "ref", "source", "status", "name", "sex", "birth_date", "height_cm", "native_place", "lost_on",
		"description", "created_at", "updated_at"}, n/100,
		func(i int) []any {
			r := people[i*100+50].rep // a report of someone on file
			return []any{fmt.Sprintf("r%07d", i), fmt.Sprintf("XR-B%07d", i), family.SourceFamily, family.StatusOpen, r.Names[0], string(sexOf(r.Sex)),
				r.Birth.Format("2006-01-02"), r.HeightCm, regionText(r.Region), r.Seen.Format("2006-01-02"), r.Features, at(i), at(i)}
		})
}

// familySite is one database with its services, filled to a size.
type familySite struct {
	db    *store.DB
	cases *cases.Service
	fam   *family.Service
	name  string        // "1e3", "1e5"
	edit  *cases.Person // an unidentified person in care, edited in turn
	req   time.Duration // summed over a sub-benchmark
	match time.Duration
}

func newFamilySite(b *testing.B, db *store.DB, n int, name string) *familySite {
	ctx := context.Background()
	start := time.Now()
	fillFamily(b, db, n)
	filled := time.Since(start)
	keys, err := secret.LoadOrCreate(filepath.Join(b.TempDir(), "keys"), benchNow)
	if err != nil {
		b.Fatal(err)
	}
	clock := func() time.Time { return benchNow }
	x := &familySite{db: db, name: name}
	x.cases = &cases.Service{Store: db, Audit: db, Keys: keys, Photos: db.Files(), Now: clock, Rules: cases.Defaults}
	x.fam = &family.Service{Store: db, Cases: x.cases, Audit: db, Keys: keys, Photos: db.Files(), Now: clock, Domain: "bench.example"}
	start = time.Now()
	if err := x.fam.CatchUp(ctx); err != nil { // the start-up build
		b.Fatal(err)
	}
	b.Logf("%d people: filled in %s; start-up (load, index, match everything, save) %s", n, filled.Round(time.Millisecond),
		time.Since(start).Round(time.Millisecond))
	if x.edit, err = db.PersonByID(ctx, "p0000200"); err != nil { // in care, unidentified
		b.Fatal(err)
	}
	return x
}

// BenchmarkFamilyMatch measures one admission, one report and one edit
// with 10^3 and 10^5 people on file, the two sizes taking turns within
// each iteration so that a busy machine slows both alike: the request
// (req-ms: the service call a POST makes, which commits the change and
// its event) and the matching that follows on the lease holder (match-ms:
// family.Service.CatchUp reading the event, replacing the record in the
// index, searching again what it touches, saving the proposals). The
// start-up build of each size is logged.
func BenchmarkFamilyMatch(b *testing.B) {
	names := []string{"sqlite"}
	if os.Getenv(storetest.PostgresEnv) != "" {
		names = append(names, "postgres")
	}
	for _, dialect := range names {
		b.Run(dialect, func(b *testing.B) {
			var sites []*familySite
			for _, size := range []struct {
				name string
				n    int
			}{{"1e3", 1_000}, {"1e5", 100_000}} {
				db := storetest.OpenSQLite(b)
				if dialect == "postgres" {
					db = storetest.OpenPostgres(b)
				}
				sites = append(sites, newFamilySite(b, db, size.n, size.name))
			}
			ctx := context.Background()
			staff := auth.Actor{UserID: "bench", Name: "bench", Role: auth.RoleStaff}
			s := familyWorld(2026)
			for _, op := range []struct {
				name string
				do   func(x *familySite, i int) error
			}{
				{"Admission", func(x *familySite, i int) error {
					_, c := s.Pair(i, tracing.CaseHomophone)
					in := cases.PersonInput{Sex: sexOf(c.Sex), AgeMin: c.AgeMin, AgeMax: c.AgeMax, HeightCm: c.HeightCm, NativePlace: regionText(c.Region),
						Marks: c.Features}
					if len(c.Names) > 0 {
						in.Name = c.Names[0]
					}
					_, err := x.cases.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", ArrivedAt: benchNow, NewPerson: true, Person: in,
						Form: cases.Form{Reason: "流浪", Security: "passed", Story: "人民路与平原路口"}})
					return err
				}},
				{"Report", func(x *familySite, i int) error {
					r, _ := s.Pair(i, "")
					_, err := x.fam.File(ctx, auth.Actor{}, family.ReportInput{Name: r.Names[0], Sex: sexOf(r.Sex), BirthDate: r.Birth.Format("2006-01-02"),
						HeightCm: r.HeightCm, NativePlace: regionText(r.Region), LostOn: r.Seen.Format("2006-01-02"), Description: r.Features,
						ContactPhone: "13900001111"})
					return err
				}},
				{"Edit", func(x *familySite, i int) error {
					p := x.edit
					in := cases.PersonInput{Name: p.Name, Sex: p.Sex, AgeMin: p.AgeMin, AgeMax: p.AgeMax, HeightCm: 150 + i%30, NativePlace: p.NativePlace,
						Marks: p.Marks}
					var err error
					x.edit, err = x.cases.UpdatePerson(ctx, staff, p.ID, in, p.Version)
					return err
				}},
			} {
				b.Run(op.name, func(b *testing.B) {
					for _, x := range sites {
						x.req, x.match = 0, 0
					}
					i := 0
					for b.Loop() {
						for _, x := range sites {
							t0 := time.Now()
							if err := op.do(x, i); err != nil {
								b.Fatal(err)
							}
							t1 := time.Now()
							if err := x.fam.CatchUp(ctx); err != nil {
								b.Fatal(err)
							}
							x.req, x.match = x.req+t1.Sub(t0), x.match+time.Since(t1)
						}
						i++
					}
					ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(i) / 1000 }
					for _, x := range sites {
						b.ReportMetric(ms(x.req), "req-ms@"+x.name)
						b.ReportMetric(ms(x.match), "match-ms@"+x.name)
					}
					b.ReportMetric(float64(sites[1].req)/float64(sites[0].req), "req-ratio")
				})
			}
		})
	}
}
