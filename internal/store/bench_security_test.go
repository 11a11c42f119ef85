package store_test

// Benchmarks of the write paths added by the security hardening (issue
// 14), each at two table sizes, so that a cost growing with history
// rather than with the work shows as a ratio between them:
//
//	HAVEN_TEST_POSTGRES_URL=... go test -run '^$' \
//	  -bench 'RateWindow|Files|LoginThrottle|Retention' -benchmem -count 3 ./internal/store/

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

var benchSizes = []struct {
	name string
	n    int
}{{"size=1e3", 1_000}, {"size=1e5", 100_000}}

// benchNow is the benchmarks' clock: the fills are placed around it.
var benchNow = time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)

// eachSize runs ops on a fresh database of each kind for each size,
// after fill has put n rows of history in it (untimed).
func eachSize(b *testing.B, fill func(b *testing.B, db *store.DB, n int), ops func(b *testing.B, db *store.DB, n int)) {
	names := []string{"sqlite"}
	if os.Getenv(storetest.PostgresEnv) != "" {
		names = append(names, "postgres")
	}
	for _, name := range names {
		b.Run(name, func(b *testing.B) {
			for _, s := range benchSizes {
				b.Run(s.name, func(b *testing.B) {
					var db *store.DB
					if name == "sqlite" {
						db = storetest.OpenSQLite(b)
					} else {
						db = storetest.OpenPostgres(b)
					}
					start := time.Now()
					fill(b, db, s.n)
					b.Logf("%s: filled %d rows in %s", name, s.n, time.Since(start).Round(time.Millisecond))
					ops(b, db, s.n)
				})
			}
		})
	}
}

func bulk(b *testing.B, db *store.DB, table string, cols []string, n int, row func(i int) []any) {
	b.Helper()
	if err := store.BulkInsertForTest(context.Background(), db, table, cols, n, row); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRateWindow measures the shared rate limiter with n counters
// in the table (half in the current window, half in the previous one,
// which the sweep keeps): the upsert per limited request, the limiter's
// Allow, and a sweep that finds nothing old.
func BenchmarkRateWindow(b *testing.B) {
	const window = time.Hour
	cur := benchNow.Truncate(window)
	key := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
	fill := func(b *testing.B, db *store.DB, n int) {
		bulk(b, db, "rate_windows", []string{"limiter", "key", "window_start", "count"}, n, func(i int) []any {
			return []any{"api", key(i / 2), cur.Add(-time.Duration(i%2) * window), 1 + i%7}
		})
	}
	eachSize(b, fill, func(b *testing.B, db *store.DB, n int) {
		ctx := context.Background()
		keys := n / 2 // keys with a counter in the current window
		b.Run("CountRequest", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := db.CountRequest(ctx, "api", key(i%keys), cur); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("Allow", func(b *testing.B) {
			l := &store.RateLimiter{DB: db, Name: "api", Limit: 1 << 30, Window: window, Now: func() time.Time { return benchNow }}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if ok, _, err := l.Allow(ctx, key(i%keys)); !ok || err != nil {
					b.Fatal(ok, err)
				}
				i++
			}
		})
		b.Run("Sweep", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if m, err := db.SweepRateWindows(ctx, cur.Add(-window)); m != 0 || err != nil {
					b.Fatal(m, err)
				}
			}
		})
	})
}

// BenchmarkFiles measures the file store with n small (1 KB) files in
// the table: Put and Get of a 200 KB photo (about a cleaned 2048 px
// JPEG), and Delete of one.
func BenchmarkFiles(b *testing.B) {
	small := make([]byte, 1024)
	_, _ = rand.Read(small)
	sum := sha256.Sum256(small)
	photo := func() []byte {
		p := make([]byte, 200<<10)
		_, _ = rand.Read(p) // a JPEG does not compress either
		return p
	}
	const photos = 16
	fill := func(b *testing.B, db *store.DB, n int) {
		bulk(b, db, "files", []string{"name", "content_type", "size", "sha256", "created_at", "data"}, n, func(i int) []any {
			return []any{fmt.Sprintf("fill/%07d.jpg", i), "image/jpeg", len(small), hex.EncodeToString(sum[:]), benchNow, small}
		})
		for i := range photos {
			if err := db.Files().Put(context.Background(), fmt.Sprintf("photo/%02d.jpg", i), photo()); err != nil {
				b.Fatal(err)
			}
		}
	}
	eachSize(b, fill, func(b *testing.B, db *store.DB, n int) {
		ctx := context.Background()
		f := db.Files()
		data := photo()
		b.Run("Put", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := f.Put(ctx, fmt.Sprintf("put/%08d.jpg", i), data); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("Get", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := f.Get(ctx, fmt.Sprintf("photo/%02d.jpg", i%photos)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("Delete", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				name := fmt.Sprintf("del/%08d.jpg", i)
				if err := f.Put(ctx, name, data); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if err := f.Delete(ctx, name); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

// BenchmarkLoginThrottle measures the store side of sign-in throttling
// with n failure counters (a third per scope) and n known sign-in
// addresses in the tables: recording a failure under its three keys (with
// its audit row), the check before the password (known address, then the
// wait), and the nightly clean-up finding nothing to delete.
func BenchmarkLoginThrottle(b *testing.B) {
	account := func(i int) string { return fmt.Sprintf("user%06d", i) }
	address := func(i int) string { return fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255) }
	scopes := []string{auth.ScopeAccountAddress, auth.ScopeAddress, auth.ScopeAccount}
	fill := func(b *testing.B, db *store.DB, n int) {
		bulk(b, db, "login_throttle", []string{"scope", "account", "address", "failures", "last_failure_at", "blocked_until"}, n, func(i int) []any {
			j := i / 3
			acc, addr := account(j), address(j)
			switch scopes[i%3] {
			case auth.ScopeAddress:
				acc = ""
			case auth.ScopeAccount:
				addr = ""
			}
			return []any{scopes[i%3], acc, addr, 1 + i%4, benchNow.Add(-time.Hour), time.Time{}}
		})
		bulk(b, db, "login_known", []string{"account", "address", "last_login_at"}, n, func(i int) []any {
			return []any{account(i), address(i + 1), benchNow.Add(-24 * time.Hour)}
		})
	}
	svc := &auth.Service{}
	keys := func(i int) []auth.ThrottleKey {
		return []auth.ThrottleKey{
			{Scope: auth.ScopeAccountAddress, Account: account(i), Address: address(i)},
			{Scope: auth.ScopeAddress, Address: address(i)},
			{Scope: auth.ScopeAccount, Account: account(i)},
		}
	}
	eachSize(b, fill, func(b *testing.B, db *store.DB, n int) {
		ctx := context.Background()
		people := n / 3
		b.Run("RecordFailure", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				f := auth.LoginFailure{Keys: keys(i % people), At: benchNow, Forget: auth.ThrottleForget, Backoff: svc.Backoff,
					AddressShare: auth.DefaultLoginFreeFailures}
				e := audit.Entry{ActorName: account(i % people), Action: audit.ActionLoginFailed, RecordType: "user", IP: address(i % people)}
				if _, err := db.RecordLoginFailure(ctx, f, e); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("Check", func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				j := i % people
				known, err := db.KnownLoginAddress(ctx, account(j), address(j), benchNow.Add(-auth.KnownAddressFor))
				if err != nil {
					b.Fatal(err)
				}
				k := keys(j)
				if known {
					k = k[:2]
				}
				if _, err := db.LoginBlockedUntil(ctx, k, benchNow); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
		b.Run("Sweep", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m, err := db.DeleteLoginThrottleBefore(ctx, benchNow.Add(-auth.ThrottleForget), benchNow.Add(-auth.KnownAddressFor))
				if m != 0 || err != nil {
					b.Fatal(m, err)
				}
			}
		})
	})
}

// BenchmarkRetention measures the nightly retention dry run with n people
// of history (half already anonymised, half who left recently and are not
// due) and the same 10 people due in every kind at both sizes: the work is
// the same, only the history differs.
func BenchmarkRetention(b *testing.B) {
	const due = 10
	fill := func(b *testing.B, db *store.DB, n int) {
		total := n + due
		// i < due: left 31 years ago, photo and health findings kept: due
		// in every kind. Even i: left 40 years ago, already anonymised.
		// Odd i: left 30 days ago with a photo and findings: not due.
		left := func(i int) time.Time {
			switch {
			case i < due:
				return benchNow.AddDate(-31, 0, 0)
			case i%2 == 0:
				return benchNow.AddDate(-40, 0, 0)
			}
			return benchNow.AddDate(0, 0, -30)
		}
		bulk(b, db, "persons", []string{"id", "ref", "name", "created_at", "updated_at", "anonymised_at"}, total, func(i int) []any {
			name, anon := "张三", time.Time{}
			if i >= due && i%2 == 0 {
				name, anon = datarights.Placeholder, benchNow.AddDate(-2, 0, 0)
			}
			return []any{fmt.Sprintf("p%07d", i), fmt.Sprintf("R%07d", i), name, left(i).AddDate(0, 0, -7), left(i), anon}
		})
		bulk(b, db, "stays", []string{"id", "ref", "person_id", "state", "arrived_at", "entered_at", "entered_by", "source",
			"form", "exit_kind", "exited_at", "updated_at"}, total, func(i int) []any {
			form := `{"photo":"stays/` + fmt.Sprintf("s%07d", i) + `.jpg","story":"x"}`
			if i >= due && i%2 == 0 {
				form = `{"photo":"","story":""}`
			}
			return []any{fmt.Sprintf("s%07d", i), fmt.Sprintf("S%07d", i), fmt.Sprintf("p%07d", i), "closed", left(i).AddDate(0, 0, -7),
				left(i).AddDate(0, 0, -7), "bench", "walk_in", form, "home", left(i), left(i)}
		})
		bulk(b, db, "health_checks", []string{"id", "person_id", "stay_id", "at", "kind", "data", "by_name"}, total, func(i int) []any {
			data := `{"bp":"120/80"}`
			if i >= due && i%2 == 0 {
				data = `{}`
			}
			return []any{fmt.Sprintf("h%07d", i), fmt.Sprintf("p%07d", i), fmt.Sprintf("s%07d", i), left(i).AddDate(0, 0, -7), "admission", data, "nurse"}
		})
	}
	eachSize(b, fill, func(b *testing.B, db *store.DB, n int) {
		ctx := context.Background()
		svc := &datarights.Service{Store: db, Now: func() time.Time { return benchNow }, Retention: datarights.DefaultRetention}
		b.Run("Plan", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				plan, err := svc.Plan(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range plan {
					if d.Kind != datarights.RetainSignalPhone && d.Count != due {
						b.Fatalf("%s: %d due, want %d", d.Kind, d.Count, due)
					}
				}
			}
		})
		// A later night (after Plan, which sets no mark): each kind's last
		// run stopped a day before the due people left, so only what
		// finished since is looked at.
		b.Run("PlanNightly", func(b *testing.B) {
			for _, kind := range []string{datarights.RetainPhotos, datarights.RetainIdentity, datarights.RetainHealth} {
				if err := db.SetRetentionMark(ctx, kind, benchNow.AddDate(-31, 0, -1)); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				plan, err := svc.Plan(ctx)
				if err != nil {
					b.Fatal(err)
				}
				for _, d := range plan {
					if d.Kind != datarights.RetainSignalPhone && d.Count != due {
						b.Fatalf("%s: %d due, want %d", d.Kind, d.Count, due)
					}
				}
			}
		})
		r := datarights.DefaultRetention
		for _, k := range []struct {
			kind   string
			cutoff time.Time
		}{
			{datarights.RetainPhotos, benchNow.AddDate(0, 0, -r.PhotoDays)},
			{datarights.RetainIdentity, benchNow.AddDate(0, 0, -r.IdentityDays)},
			{datarights.RetainHealth, benchNow.AddDate(-r.HealthYears, 0, 0)},
		} {
			for _, since := range []time.Time{{}, benchNow.AddDate(-31, 0, -1)} {
				name := k.kind + "/all"
				if !since.IsZero() {
					name = k.kind + "/since"
				}
				b.Run(name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						ids, err := db.DueForRetention(ctx, k.kind, since, k.cutoff)
						if err != nil || len(ids) != due {
							b.Fatal(len(ids), err)
						}
					}
				})
			}
		}
	})
}
