package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The two reads of every help signal are served by their partial indexes
// (migration 00021), not by a scan of the incidents of nine grid cells:
// the merge lookup by the open incidents' index, which carries their
// coordinates, and the "already known" hint by the index of incidents
// with an outcome that says someone is known there.
func TestIntakeLookupsUseTheirIndexes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		merge, known, err := store.ExplainIntakeLookupsForTest(context.Background(), db)
		if err != nil {
			t.Fatal(err)
		}
		// The index condition bounds the latitude too (the box), not only
		// the cells.
		if !strings.Contains(merge, "incidents_open_cell") || !(strings.Contains(merge, "lat>") || strings.Contains(merge, "(lat >=")) {
			t.Errorf("the merge lookup does not use incidents_open_cell:\n%s", merge)
		}
		if !strings.Contains(known, "incidents_known_cell") {
			t.Errorf("the known lookup does not use incidents_known_cell:\n%s", known)
		}
		t.Logf("merge lookup:\n%s", merge)
		if strings.Contains(merge, "SCAN incidents") || strings.Contains(known, "SCAN incidents") {
			t.Errorf("a lookup scans the table:\n%s\n%s", merge, known)
		}
	})
}

// The intake's committer on PostgreSQL commits without waiting for the
// WAL (its syncer's durable commit covers it): that session setting stays
// on its own connection, never on one the pool lends to other writes.
func TestPostgresIntakeLeavesThePoolDurable(t *testing.T) {
	db := storetest.OpenPostgres(t) // MaxOpen 4
	vals, err := store.PoolSettingForTest(context.Background(), db, 4, "synchronous_commit")
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vals {
		if v != "on" {
			t.Errorf("pool connection %d of 4: synchronous_commit = %s", i+1, v)
		}
	}
}
