package volunteers_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
)

// An application accepted becomes a working volunteer through a one-time
// sign-up link: only its hash is stored, it works once and for seven
// days, a new one replaces it, and confirming gives the volunteer their
// own page.
func TestApplicationToVolunteerThroughJoinLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var now atomic.Int64
		now.Store(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC).UnixNano())
		svc := service(t, db, func() time.Time { return time.Unix(0, now.Load()).UTC() })
		coord := auth.Actor{UserID: "c", Name: "周洋", Role: auth.RoleVolunteer}
		apply := func(name, phone string) *volunteers.Application {
			t.Helper()
			ap, err := svc.Apply(ctx, auth.Actor{}, volunteers.ApplicationInput{Name: name, Phone: phone, Skills: []string{"driving"},
				Availability: "周末", Consent: true})
			if err != nil {
				t.Fatal(err)
			}
			return ap
		}
		ap := apply("王芳", "13800005555")
		if _, _, err := svc.Accept(ctx, auth.Actor{Name: "p", Role: auth.RolePatrol}, ap.ID); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("a patrol member accepted: %v", err)
		}
		v, inv, err := svc.Accept(ctx, coord, ap.ID)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Token == "" || inv.Name != "王芳" || inv.Phone != "13800005555" || !inv.ExpiresAt.Equal(time.Unix(0, now.Load()).Add(volunteers.JoinLinkTTL)) {
			t.Fatalf("invite %+v", inv)
		}
		// Only the hash is kept: the token itself finds nothing.
		if _, _, err := db.JoinLinkByHash(ctx, inv.Token); !errs.Is(errs.NotFound, err) {
			t.Errorf("the token is stored as it is: %v", err)
		}
		sum := sha256.Sum256([]byte(inv.Token))
		if l, _, err := db.JoinLinkByHash(ctx, hex.EncodeToString(sum[:])); err != nil || l.VolunteerID != v.ID {
			t.Fatalf("the link's hash: %+v %v", l, err)
		}
		view, err := svc.JoinPage(ctx, inv.Token)
		if err != nil {
			t.Fatal(err)
		}
		if view.Name != "王芳" || strings.Contains(view.Phone, "0005555") || !strings.HasSuffix(view.Phone, "5555") || view.Availability != "周末" {
			t.Errorf("the sign-up page shows %+v", view)
		}
		for _, bad := range []string{"", "short", strings.Repeat("x", 32), inv.Token + "x"} {
			if _, err := svc.JoinPage(ctx, bad); !errs.Is(errs.NotFound, err) || errs.MessageOf(err) != "volunteer_join.err_unknown" {
				t.Errorf("link %q: %v", bad, err)
			}
		}
		// Without the confirmation, or with a skill Haven does not know:
		// refused, and the link still works.
		if _, err := svc.Join(ctx, inv.Token, volunteers.JoinInput{Availability: "周日"}); errs.FieldsOf(err)["confirm"] != "volunteer_join.err_confirm" {
			t.Errorf("joined without confirming: %v", err)
		}
		if _, err := svc.Join(ctx, inv.Token, volunteers.JoinInput{Skills: []string{"juggling"}, Confirm: true}); errs.FieldsOf(err)["skills"] != "err.invalid_choice" {
			t.Errorf("an unknown skill: %v", err)
		}
		if aps, _ := svc.Applications(ctx, coord); !aps[0].JoinedAt.IsZero() {
			t.Error("joined by a refused confirmation")
		}
		// Two confirmations at once: the link is used once.
		var wg sync.WaitGroup
		var ok atomic.Int32
		personal := make([]string, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p, err := svc.Join(ctx, inv.Token, volunteers.JoinInput{Skills: []string{"driving", "medical"}, Availability: "周日白天", Confirm: true})
				if err == nil {
					ok.Add(1)
					personal[i] = p
				} else if !errs.Is(errs.Conflict, err) {
					t.Errorf("the second confirmation: %v", err)
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d confirmations went through", ok.Load())
		}
		token := personal[0] + personal[1]
		self, err := svc.Self(ctx, token)
		if err != nil || self.Name != "王芳" {
			t.Fatalf("the volunteer's own page: %+v %v", self, err)
		}
		vs, _ := svc.Volunteers(ctx, coord)
		if len(vs) != 1 || vs[0].Availability != "周日白天" || strings.Join(vs[0].Skills, ",") != "driving,medical" {
			t.Errorf("confirmed details not kept: %+v", vs[0])
		}
		if _, err := svc.JoinPage(ctx, inv.Token); !errs.Is(errs.Conflict, err) || errs.MessageOf(err) != "volunteer_join.err_used" {
			t.Errorf("a used link opens: %v", err)
		}
		if aps, _ := svc.Applications(ctx, coord); aps[0].JoinedAt.IsZero() {
			t.Error("the application does not show the join")
		}
		if _, err := svc.NewJoinLink(ctx, coord, ap.ID); !errs.Is(errs.Conflict, err) {
			t.Errorf("a new link for someone who joined: %v", err)
		}

		// A link not used for seven days expires; a new one replaces it.
		late := apply("李强", "13800006666")
		if _, err := svc.NewJoinLink(ctx, coord, late.ID); !errs.Is(errs.Conflict, err) {
			t.Errorf("a sign-up link for a pending application: %v", err)
		}
		_, old, err := svc.Accept(ctx, coord, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		now.Add(int64(volunteers.JoinLinkTTL - time.Second))
		if _, err := svc.JoinPage(ctx, old.Token); err != nil {
			t.Errorf("a link a second before it expires: %v", err)
		}
		now.Add(int64(time.Second))
		if _, err := svc.JoinPage(ctx, old.Token); errs.MessageOf(err) != "volunteer_join.err_expired" {
			t.Errorf("an expired link opens: %v", err)
		}
		if _, err := svc.Join(ctx, old.Token, volunteers.JoinInput{Confirm: true}); errs.MessageOf(err) != "volunteer_join.err_expired" {
			t.Errorf("joined through an expired link: %v", err)
		}
		if _, err := svc.NewJoinLink(ctx, auth.Actor{Name: "p", Role: auth.RolePatrol}, late.ID); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a patrol member made a link: %v", err)
		}
		fresh, err := svc.NewJoinLink(ctx, coord, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.JoinPage(ctx, fresh.Token); err != nil {
			t.Errorf("the new link: %v", err)
		}
		second, err := svc.NewJoinLink(ctx, coord, late.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.JoinPage(ctx, fresh.Token); errs.MessageOf(err) != "volunteer_join.err_used" {
			t.Errorf("a replaced link opens: %v", err)
		}
		if _, err := svc.Join(ctx, second.Token, volunteers.JoinInput{Confirm: true}); err != nil {
			t.Errorf("the newest link: %v", err)
		}
	})
}
