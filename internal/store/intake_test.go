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
