package store_test

import (
	"context"
	"testing"

	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The fire-safety migration goes down and up again on both databases.
func TestFireMigrationRedo(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		if err := store.RedoMigrationForTest(context.Background(), db, 35); err != nil {
			t.Fatal(err)
		}
	})
}
