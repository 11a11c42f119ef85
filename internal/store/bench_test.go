package store_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func benchDBs(b *testing.B) map[string]*store.DB {
	dbs := map[string]*store.DB{"sqlite": storetest.OpenSQLite(b)}
	if os.Getenv(storetest.PostgresEnv) != "" {
		dbs["postgres"] = storetest.OpenPostgres(b)
	}
	return dbs
}

// BenchmarkAppendAudit measures one audit row, the cost every read of
// personal data pays.
func BenchmarkAppendAudit(b *testing.B) {
	for name, db := range benchDBs(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			e := audit.Entry{ActorID: id.New(), ActorName: "staff", Action: audit.ActionUserView, RecordType: "user", RecordID: id.New(), IP: "10.0.0.1"}
			b.ReportAllocs()
			for b.Loop() {
				if err := db.AppendAudit(ctx, e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAppendAuditParallel measures audit writes from many requests at
// once (SQLite queues them on its one writer connection).
func BenchmarkAppendAuditParallel(b *testing.B) {
	for name, db := range benchDBs(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				e := audit.Entry{ActorName: "staff", Action: audit.ActionUserView, RecordType: "user", RecordID: id.New()}
				for pb.Next() {
					if err := db.AppendAudit(ctx, e); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkSessionLookup measures the per-request session read.
func BenchmarkSessionLookup(b *testing.B) {
	for name, db := range benchDBs(b) {
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			d := &auth.Department{ID: id.New(), Name: "站", Kind: "station", CreatedAt: time.Now()}
			if err := db.CreateDepartment(ctx, d, audit.Entry{}); err != nil {
				b.Fatal(err)
			}
			u := &auth.User{ID: id.New(), Username: "bench", DisplayName: "b", Role: auth.RoleStaff, DepartmentID: d.ID, Lang: "zh-CN",
				PasswordHash: "x", PasswordChangedAt: time.Now(), CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := db.CreateUser(ctx, u, audit.Entry{}); err != nil {
				b.Fatal(err)
			}
			for i := range 1000 {
				s := &auth.Session{TokenHash: fmt.Sprint("h", i), UserID: u.ID, CreatedAt: time.Now(), LastSeenAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
				if err := db.CreateSession(ctx, s, audit.Entry{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := db.SessionByHash(ctx, fmt.Sprint("h", i%1000)); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}
