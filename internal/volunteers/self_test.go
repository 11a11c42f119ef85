package volunteers_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
)

// A volunteer signs up and withdraws through their own link: only shifts
// that have not started and have a place; a replaced link stops working;
// the page never shows who else signed up.
func TestSelfSignUpThroughTheLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
		svc := service(t, db, func() time.Time { return now })
		coord := auth.Actor{UserID: "c", Name: "周洋", Role: auth.RoleVolunteer}
		me, err := svc.AddVolunteer(ctx, coord, volunteers.VolunteerInput{Name: "张一", Phone: "13903730001"})
		if err != nil {
			t.Fatal(err)
		}
		other, _ := svc.AddVolunteer(ctx, coord, volunteers.VolunteerInput{Name: "李二", Phone: "13903730002"})
		shift := func(title string, in time.Duration, places int) *volunteers.Shift {
			sh, err := svc.AddShift(ctx, coord, volunteers.Shift{Title: title, Kind: "event", StartsAt: now.Add(in), EndsAt: now.Add(in + 3*time.Hour), Places: places})
			if err != nil {
				t.Fatal(err)
			}
			return sh
		}
		tonight, full, started := shift("夜间送温暖", 10*time.Hour, 2), shift("满员班次", 12*time.Hour, 1), shift("进行中", -time.Hour, 5)
		if err := svc.SignUp(ctx, coord, full.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.SignUp(ctx, coord, tonight.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.IssueLink(ctx, auth.Actor{Name: "p", Role: auth.RolePatrol}, me.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a patrol member issued a link: %v", err)
		}
		link, err := svc.IssueLink(ctx, coord, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		view, err := svc.Self(ctx, link)
		if err != nil {
			t.Fatal(err)
		}
		if view.Name != "张一" || len(view.Shifts) != 1 || view.Shifts[0].ID != tonight.ID || view.Shifts[0].Free != 1 || len(view.Shifts[0].Signups) != 0 {
			t.Fatalf("the volunteer's page: %+v", view)
		}
		if err := svc.SelfSignUp(ctx, link, tonight.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.SelfSignUp(ctx, link, tonight.ID); errs.MessageOf(err) != "err.signed_up" {
			t.Fatalf("twice: %v", err)
		}
		if err := svc.SelfSignUp(ctx, link, full.ID); errs.MessageOf(err) != "err.shift_full" {
			t.Fatalf("a full shift: %v", err)
		}
		if err := svc.SelfSignUp(ctx, link, started.ID); errs.MessageOf(err) != "err.shift_started" {
			t.Fatalf("a shift under way: %v", err)
		}
		if view, _ = svc.Self(ctx, link); len(view.Shifts) != 1 || !view.Shifts[0].Mine || view.Shifts[0].Free != 0 {
			t.Fatalf("after signing up: %+v", view.Shifts)
		}
		if err := svc.SelfWithdraw(ctx, link, tonight.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.SelfWithdraw(ctx, link, tonight.ID); !errs.Is(errs.NotFound, err) {
			t.Fatalf("withdrawing twice: %v", err)
		}
		// A new link replaces the old; a made-up one is not found.
		fresh, err := svc.IssueLink(ctx, coord, me.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{link, "", "../../etc/passwd", fresh[:31] + "!"} {
			if _, err := svc.Self(ctx, bad); errs.MessageOf(err) != "err.volunteer_link" {
				t.Errorf("link %q: %v", bad, err)
			}
		}
		if err := svc.SelfSignUp(ctx, fresh, tonight.ID); err != nil {
			t.Fatalf("the new link: %v", err)
		}
	})
}
