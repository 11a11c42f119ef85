package thanks_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
)

func TestConsentCheck(t *testing.T) {
	for _, c := range []struct {
		in        thanks.Consent
		field     string
		wantMode  string
		wantName  string
		wantError string
	}{
		{thanks.Consent{}, "", thanks.None, "", ""},
		{thanks.Consent{Mode: thanks.None, Name: "张先生"}, "", thanks.None, "", ""}, // no name unless named
		{thanks.Consent{Mode: thanks.Anonymous, Name: "张先生"}, "", thanks.Anonymous, "", ""},
		{thanks.Consent{Mode: thanks.Named, Name: "  张先生 "}, "", thanks.Named, "张先生", ""},
		{thanks.Consent{Mode: thanks.Named, Name: "  "}, "thanks_name", "", "", "thanks.err_name"},
		{thanks.Consent{Mode: thanks.Named, Name: strings.Repeat("爱", 41)}, "thanks_name", "", "", "thanks.err_name_long"},
		{thanks.Consent{Mode: thanks.Named, Name: strings.Repeat("爱", 40)}, "", thanks.Named, strings.Repeat("爱", 40), ""},
		{thanks.Consent{Mode: thanks.Named, Name: "张\n先生"}, "thanks_name", "", "", "thanks.err_name_chars"},
		{thanks.Consent{Mode: thanks.Named, Name: "\xff"}, "thanks_name", "", "", "thanks.err_name_long"},
		{thanks.Consent{Mode: "public"}, "thanks", "", "", "err.invalid_choice"},
	} {
		got := c.in
		f := got.Check()
		if c.wantError != "" {
			if f[c.field] != c.wantError {
				t.Errorf("%+v: %v, want %s %s", c.in, f, c.field, c.wantError)
			}
			continue
		}
		if f != nil || got.Mode != c.wantMode || got.Name != c.wantName {
			t.Errorf("%+v: %+v %v", c.in, got, f)
		}
	}
}

// The public thanks lists only donors who consent, by the name they
// chose or anonymously, without amounts or quantities; a withdrawn
// consent takes the gift off at once; a gift over a year old is no
// longer listed.
func TestPublicThanksOnlyConsentingDonors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var now atomic.Int64
		now.Store(time.Date(2025, 11, 20, 2, 0, 0, 0, time.UTC).UnixNano())
		clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
		vs := &volunteers.Service{Store: db, Now: clock}
		ss := &supplies.Service{Store: db, Audit: db, Now: clock}
		ts := &thanks.Service{Store: db, Now: clock}
		coord := auth.Actor{UserID: "c", Name: "周洋", Role: auth.RoleVolunteer}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		money := func(donor string, fen int64, c thanks.Consent) *volunteers.Donation {
			t.Helper()
			now.Add(int64(time.Minute)) // one after another
			d, err := vs.AddDonation(ctx, coord, volunteers.Donation{Donor: donor, AmountFen: fen, Thanks: c})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		coat, err := ss.AddItem(ctx, staff, supplies.Item{Code: "COAT", Name: "棉大衣", Unit: "件"})
		if err != nil {
			t.Fatal(err)
		}
		gloves, _ := ss.AddItem(ctx, staff, supplies.Item{Code: "GLOVES", Name: "手套", Unit: "双"})
		shelf, err := ss.AddLocation(ctx, staff, supplies.Location{Kind: supplies.LocStore, Name: "站内仓库"})
		if err != nil {
			t.Fatal(err)
		}
		goods := func(item *supplies.Item, donor string, qty int, c thanks.Consent) *supplies.Movement {
			t.Helper()
			now.Add(int64(time.Minute))
			ms, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Donation, ItemID: item.ID, LocationID: shelf.ID, Qty: qty, Donor: donor, Thanks: c})
			if err != nil {
				t.Fatal(err)
			}
			return ms[0]
		}
		old := money("去年的捐赠人", 100_00, thanks.Consent{Mode: thanks.Named, Name: "去年的捐赠人"})
		now.Add(int64(thanks.Window + time.Hour))
		named := money("张建国", 5000_00, thanks.Consent{Mode: thanks.Named, Name: "张先生"})
		money("李秀英", 1234_56, thanks.Consent{Mode: thanks.Anonymous})
		refused := money("王不公开", 888_00, thanks.Consent{})
		goods(coat, "新乡市慈善总会", 120, thanks.Consent{Mode: thanks.Named, Name: "新乡市慈善总会"})
		goods(gloves, "新乡市慈善总会", 300, thanks.Consent{Mode: thanks.Named, Name: "新乡市慈善总会"})
		goods(coat, "赵默默", 7, thanks.Consent{})
		receipt, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Receipt, ItemID: coat.ID, LocationID: shelf.ID, Qty: 5})
		if err != nil {
			t.Fatal(err)
		}

		lines, err := ts.Public(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lines {
			got = append(got, l.Name+"|"+l.Month+"|"+strings.Join(l.Items, ",")+"|"+map[bool]string{true: "money"}[l.Money])
		}
		// Newest first: the charity's two gifts of the month make one
		// line; the anonymous donor is a line without a name; the donor
		// who did not consent and last year's donor are not there.
		want := []string{"新乡市慈善总会|2026-11|手套,棉大衣|", "|2026-11||money", "张先生|2026-11||money"}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("public thanks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for _, l := range lines {
			for _, never := range []string{"王不公开", "赵默默", "李秀英", "张建国", "去年的捐赠人"} {
				if strings.Contains(l.Name, never) {
					t.Errorf("a donor is thanked without consent, or by the recorded name: %+v", l)
				}
			}
		}
		if short, _ := ts.Public(ctx, 2); len(short) != 2 {
			t.Errorf("a limit of 2 gave %d lines", len(short))
		}

		// The coordinator sees every gift of the year with its consent.
		gifts, err := ts.Gifts(ctx, coord)
		if err != nil {
			t.Fatal(err)
		}
		modes := map[string]string{}
		for _, g := range gifts {
			modes[g.Donor+"|"+g.Kind] = g.Consent.Mode + ":" + g.Consent.Name
			if g.ID == old.ID {
				t.Error("last year's gift is in the year's list")
			}
		}
		if len(gifts) != 6 || modes["王不公开|money"] != "none:" || modes["李秀英|money"] != "anonymous:" || modes["张建国|money"] != "named:张先生" ||
			modes["赵默默|in_kind"] != "none:" {
			t.Errorf("gifts %v", modes)
		}
		if _, err := ts.Gifts(ctx, auth.Actor{Role: auth.RolePatrol}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a patrol member read the donors: %v", err)
		}

		// Withdrawn: gone at once. Given later: shown.
		if err := ts.Set(ctx, coord, thanks.Money, named.ID, thanks.Consent{Mode: thanks.None}); err != nil {
			t.Fatal(err)
		}
		if err := ts.Set(ctx, coord, thanks.Money, refused.ID, thanks.Consent{Mode: thanks.Named, Name: "王女士"}); err != nil {
			t.Fatal(err)
		}
		lines, _ = ts.Public(ctx, 0)
		var names []string
		for _, l := range lines {
			names = append(names, l.Name)
		}
		if strings.Contains(strings.Join(names, ","), "张先生") || !strings.Contains(strings.Join(names, ","), "王女士") {
			t.Errorf("after the changes: %q", names)
		}

		// Bad changes: refused, nothing changed.
		for _, c := range []struct {
			a          auth.Actor
			kind, id   string
			consent    thanks.Consent
			kindOfFail errs.Kind
		}{
			{auth.Actor{Name: "p", Role: auth.RolePatrol}, thanks.Money, refused.ID, thanks.Consent{}, errs.Forbidden},
			{coord, thanks.Money, refused.ID, thanks.Consent{Mode: thanks.Named}, errs.Invalid},
			{coord, thanks.Money, "no-such-donation", thanks.Consent{}, errs.NotFound},
			{coord, thanks.InKind, receipt[0].ID, thanks.Consent{Mode: thanks.Anonymous}, errs.NotFound}, // a receipt is not a gift
			{coord, thanks.InKind, named.ID, thanks.Consent{Mode: thanks.Anonymous}, errs.NotFound},      // a money donation's id as goods
			{coord, "stock", refused.ID, thanks.Consent{}, errs.NotFound},
		} {
			if err := ts.Set(ctx, c.a, c.kind, c.id, c.consent); !errs.Is(c.kindOfFail, err) {
				t.Errorf("%s %s %+v: %v", c.kind, c.id, c.consent, err)
			}
		}
		if l, _ := ts.Public(ctx, 0); len(l) != len(lines) {
			t.Errorf("a refused change changed the list: %d lines, was %d", len(l), len(lines))
		}
		// Recording a donation with a bad consent stores nothing.
		if _, err := vs.AddDonation(ctx, coord, volunteers.Donation{Donor: "x", AmountFen: 1_00, Thanks: thanks.Consent{Mode: thanks.Named}}); errs.FieldsOf(err)["thanks_name"] != "thanks.err_name" {
			t.Errorf("a named thanks without a name: %v", err)
		}
		if _, err := ss.Record(ctx, staff, supplies.MoveInput{Kind: supplies.Donation, ItemID: coat.ID, LocationID: shelf.ID, Qty: 1, Donor: "x",
			Thanks: thanks.Consent{Mode: "loud"}}); errs.FieldsOf(err)["thanks"] != "err.invalid_choice" {
			t.Errorf("an unknown mode: %v", err)
		}
		if ds, _ := vs.Store.Donations(ctx); len(ds) != 4 {
			t.Errorf("%d donations, want 4", len(ds))
		}
	})
}
