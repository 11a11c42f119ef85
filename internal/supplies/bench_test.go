package supplies_test

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
)

// benchDBs opens a fresh database of each kind on every call (a
// parallel benchmark's body runs more than once).
var benchDBs = map[string]func(testing.TB) *store.DB{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres}

// BenchmarkHandout measures one rationed handout as a patrol records it:
// the catalogue read, the guarded stock update, the ration ledger row,
// the movement and its audit row in one transaction.
func BenchmarkHandout(b *testing.B) {
	for name, open := range benchDBs {
		if name == "postgres" && os.Getenv(storetest.PostgresEnv) == "" {
			continue
		}
		for _, par := range []bool{false, true} {
			label := name
			if par {
				label += "/parallel"
			}
			b.Run(label, func(b *testing.B) {
				f := setup(b, open(b))
				ctx := context.Background()
				if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 9999}); err != nil {
					b.Fatal(err)
				}
				var n atomic.Int64
				give := func() {
					i := n.Add(1)
					if i%9000 == 0 { // keep the van stocked
						if _, err := f.svc.Record(ctx, f.staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 9999}); err != nil {
							b.Fatal(err)
						}
					}
					if _, err := f.svc.Record(ctx, f.patrol, supplies.MoveInput{Kind: supplies.Handout, ItemID: f.coat.ID, LocationID: f.van.ID, Qty: 1,
						PersonKey: fmt.Sprintf("bench:%s:%d", label, i)}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportAllocs()
				b.ResetTimer() // a fresh database and its migrations are not the handout's cost
				if par {
					b.RunParallel(func(pb *testing.PB) {
						for pb.Next() {
							give()
						}
					})
					return
				}
				for b.Loop() {
					give()
				}
			})
		}
	}
}
