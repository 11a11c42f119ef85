package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// The photo retention finds a person by a photo in any of the rows that
// name one (admission form, belongings, notice, encounter, family's
// report), and no one whose photos are already cleared, who left after the
// cutoff or who is in care.
func TestPhotosDueForRetention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
		cutoff := now.AddDate(-1, 0, 0)
		long, recent := now.AddDate(-2, 0, 0), now.AddDate(0, 0, -10)
		insert := func(table string, cols []string, rows ...[]any) {
			t.Helper()
			if err := store.BulkInsertForTest(ctx, db, table, cols, len(rows), func(i int) []any { return rows[i] }); err != nil {
				t.Fatal(err)
			}
		}
		people := []string{"p-form", "p-belonging", "p-notice", "p-encounter", "p-report", "p-cleared", "p-recent", "p-care"}
		var persons [][]any
		for i, p := range people {
			persons = append(persons, []any{p, "R" + string(rune('A'+i)), long, long})
		}
		insert("persons", []string{"id", "ref", "created_at", "updated_at"}, persons...)
		insert("encounters", []string{"id", "at", "outcome", "recorded_by", "updated_at", "photo"},
			[]any{"e-1", long, "taken_in", "x", long, "encounters/e1.jpg"})
		stay := func(id, person, state, form string, exited time.Time, encounter any) []any {
			return []any{id, "S-" + id, person, state, exited.AddDate(0, 0, -3), exited.AddDate(0, 0, -3), "x", "walk_in", form, exited, long, encounter}
		}
		photo, cleared, none := `{"photo":"stays/a.jpg","story":"x"}`, `{"photo":"","story":""}`, `{"story":"x"}`
		insert("stays", []string{"id", "ref", "person_id", "state", "arrived_at", "entered_at", "entered_by", "source", "form", "exited_at", "updated_at", "encounter_id"},
			stay("s-form", "p-form", "closed", photo, long, nil),
			stay("s-belonging", "p-belonging", "closed", none, long, nil),
			stay("s-notice", "p-notice", "closed", none, long, nil),
			stay("s-encounter", "p-encounter", "closed", none, long, "e-1"),
			stay("s-report", "p-report", "closed", cleared, long, nil),
			stay("s-cleared", "p-cleared", "closed", cleared, long, nil),
			stay("s-recent-old", "p-recent", "closed", photo, long, nil),
			stay("s-recent", "p-recent", "closed", none, recent, nil),
			stay("s-care-old", "p-care", "closed", photo, long, nil),
			[]any{"s-care", "S-s-care", "p-care", "open", recent, recent, "x", "walk_in", none, time.Time{}, recent, nil},
		)
		insert("belongings", []string{"id", "stay_id", "item", "qty", "signed_in_by", "signed_in_at", "photo"},
			[]any{"b-1", "s-belonging", "手机", 1, "x", long, "belongings/b1.jpg"},
			[]any{"b-2", "s-cleared", "包", 1, "x", long, ""})
		insert("notices", []string{"id", "ref", "person_id", "state", "sex", "found_on", "published_at", "expires_at", "updated_at", "by_name", "photo"},
			[]any{"n-1", "N-1", "p-notice", "expired", "male", "2024-11-01", long, long, long, "x", "notices/n1.jpg"},
			[]any{"n-2", "N-2", "p-cleared", "expired", "male", "2024-11-01", long, long, long, "x", ""})
		insert("missing_reports", []string{"id", "ref", "source", "status", "created_at", "updated_at", "person_id", "photo"},
			[]any{"m-1", "M-1", "family", "found", long, long, "p-report", "reports/m1.jpg"},
			[]any{"m-2", "M-2", "family", "found", long, long, "p-care", "reports/m2.jpg"})

		got, err := db.DueForRetention(ctx, datarights.RetainPhotos, time.Time{}, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"p-belonging", "p-encounter", "p-form", "p-notice", "p-report"}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("due for photo retention: %v, want %v", got, want)
		}
		// A later night looks only at stays that ended since the last run:
		// the same people when the mark is before they left, no one when
		// it is after, for every kind of person data.
		for _, kind := range []string{datarights.RetainPhotos, datarights.RetainIdentity} {
			all, err := db.DueForRetention(ctx, kind, time.Time{}, cutoff)
			if err != nil || len(all) == 0 {
				t.Fatalf("%s on a first run: %v %v", kind, all, err)
			}
			if got, err := db.DueForRetention(ctx, kind, long.AddDate(0, 0, -1), cutoff); err != nil || !reflect.DeepEqual(got, all) {
				t.Errorf("%s since before they left: %v %v, want %v", kind, got, err, all)
			}
			if got, err := db.DueForRetention(ctx, kind, long.AddDate(0, 0, 1), cutoff); err != nil || len(got) != 0 {
				t.Errorf("%s since after they left: %v %v, want none", kind, got, err)
			}
		}
	})
}
