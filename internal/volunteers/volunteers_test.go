package volunteers_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/idcard"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
)

// service is the volunteers service on a database, with its own keys.
func service(t *testing.T, db *store.DB, now func() time.Time) *volunteers.Service {
	t.Helper()
	keys, err := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now())
	if err != nil {
		t.Fatal(err)
	}
	return &volunteers.Service{Store: db, Keys: keys, Now: now, Registries: db}
}

func TestShiftsSignUpAttendAndPrivacy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 10, 9, 0, 0, 0, time.UTC)
		svc := service(t, db, func() time.Time { return now })
		coord := auth.Actor{UserID: "c", Name: "周洋", Role: auth.RoleVolunteer}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		org, err := svc.AddOrganisation(ctx, coord, volunteers.Organisation{Name: "新乡市慈善总会", Kind: "charity", Contact: "刘会长", Phone: "0373-2021234",
			Agreement: "寒冬送温暖合作协议", AgreedTo: "2027-03-31"})
		if err != nil {
			t.Fatal(err)
		}
		idNumber := "41070219800101001"
		idNumber += string(idcard.CheckChar(idNumber))
		var vols []*volunteers.Volunteer
		for i, name := range []string{"张一", "张二", "张三", "张四", "张五", "张六"} {
			in := volunteers.VolunteerInput{Name: name, OrgID: org.ID, Phone: "1390373000" + string(rune('0'+i)), Skills: []string{"driving"}}
			if i == 0 {
				in.IDNumber = idNumber
			}
			v, err := svc.AddVolunteer(ctx, coord, in)
			if err != nil {
				t.Fatal(err)
			}
			vols = append(vols, v)
		}
		bad := idNumber[:17] + map[bool]string{true: "1", false: "2"}[idNumber[17] != '1'] // a wrong check character
		_, err = svc.AddVolunteer(ctx, coord, volunteers.VolunteerInput{Name: "错号", IDNumber: bad, Skills: []string{"juggling"}})
		if f := errs.FieldsOf(err); f["id_number"] == "" || f["skills"] != "err.invalid_choice" {
			t.Fatalf("bad volunteer: %v", err)
		}
		// The coordinator sees the ID number masked; staff in full.
		for who, want := range map[string]string{"coordinator": secret.Mask(idNumber), "staff": idNumber} {
			a := coord
			if who == "staff" {
				a = staff
			}
			list, err := svc.Volunteers(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range list {
				if v.Name == "张一" && v.IDShown != want {
					t.Errorf("%s sees %q, want %q", who, v.IDShown, want)
				}
				if who == "coordinator" && strings.Contains(v.IDShown, idNumber[6:14]) {
					t.Errorf("the coordinator sees the birth date in the ID number")
				}
			}
		}
		start := time.Date(2026, 6, 19, 8, 0, 0, 0, time.UTC)
		if _, err := svc.AddShift(ctx, coord, volunteers.Shift{Title: "6·19 开放日", Kind: "event", StartsAt: start, EndsAt: start.Add(-time.Hour), Places: 2}); errs.FieldsOf(err)["ends_at"] != "err.ends_before_start" {
			t.Fatalf("a shift ending before it starts: %v", err)
		}
		sh, err := svc.AddShift(ctx, coord, volunteers.Shift{Title: "6·19 开放日接待", Kind: "event", StartsAt: start, EndsAt: start.Add(3 * time.Hour), Places: 3})
		if err != nil {
			t.Fatal(err)
		}
		// Six volunteers race for three places: three get in.
		var wg sync.WaitGroup
		var mu sync.Mutex
		in, full := 0, 0
		for _, v := range vols {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := svc.SignUp(ctx, coord, sh.ID, v.ID)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					in++
				case errs.MessageOf(err) == "err.shift_full":
					full++
				default:
					t.Errorf("sign-up: %v", err)
				}
			}()
		}
		wg.Wait()
		if in != 3 || full != 3 {
			t.Fatalf("%d signed up, %d refused as full; want 3 and 3", in, full)
		}
		shifts, _ := svc.Shifts(ctx, coord, now)
		if len(shifts) != 1 || len(shifts[0].Signups) != 3 {
			t.Fatalf("shifts = %+v", shifts)
		}
		first := shifts[0].Signups[0].VolunteerID
		if err := svc.SignUp(ctx, coord, sh.ID, first); !errs.Is(errs.Conflict, err) {
			t.Errorf("signing up twice: %v", err)
		}
		if err := svc.Attend(ctx, coord, sh.ID, first, 0); err != nil {
			t.Fatal(err)
		}
		list, _ := svc.Volunteers(ctx, coord)
		for _, v := range list {
			if v.ID == first && v.Minutes != 180 {
				t.Errorf("hours credited: %d minutes, want 180", v.Minutes)
			}
		}
		if _, err := svc.AddDonation(ctx, coord, volunteers.Donation{Donor: "某企业", AmountFen: 0}); errs.FieldsOf(err)["amount"] != "err.amount" {
			t.Errorf("a donation of nothing: %v", err)
		}
		if _, err := svc.AddDonation(ctx, coord, volunteers.Donation{Donor: "新乡市慈善总会", OrgID: org.ID, AmountFen: 5000000, Purpose: "寒冬送温暖"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddShift(ctx, auth.Actor{Name: "p", Role: auth.RolePatrol}, volunteers.Shift{}); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a patrol member created a shift: %v", err)
		}

		// A patrol shift names its team by id: words or an unknown id are refused.
		team := &dispatch.Team{ID: id.New(), Name: "救助站巡查1队", Kind: dispatch.KindCivil, Status: dispatch.StatusAvailable, Version: 1, UpdatedAt: now}
		if err := db.CreateTeam(ctx, team, audit.Entry{ActorName: "test", Action: "team.create"}); err != nil {
			t.Fatal(err)
		}
		night := time.Date(2026, 6, 12, 12, 0, 0, 0, time.UTC)
		for _, ref := range []string{"巡查一队", "", id.New()} {
			_, err := svc.AddShift(ctx, coord, volunteers.Shift{Title: "夜巡", Kind: "patrol", Ref: ref, StartsAt: night, EndsAt: night.Add(4 * time.Hour), Places: 2})
			if errs.FieldsOf(err)["ref"] != "err.shift_ref" {
				t.Errorf("a patrol shift with ref %q: %v", ref, err)
			}
		}
		if _, err := svc.AddShift(ctx, coord, volunteers.Shift{Title: "夜巡", Kind: "patrol", Ref: team.ID, StartsAt: night, EndsAt: night.Add(4 * time.Hour), Places: 2}); err != nil {
			t.Fatal(err)
		}
		shifts, err = svc.Shifts(ctx, coord, night.Add(-time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		patrols := 0
		for _, sh := range shifts {
			if sh.Kind == "patrol" {
				patrols++
				if sh.Ref != team.ID || sh.RefName != "救助站巡查1队" {
					t.Errorf("the patrol shift serves %q (%q)", sh.Ref, sh.RefName)
				}
			}
		}
		if patrols != 1 {
			t.Fatalf("%d patrol shifts, want 1", patrols)
		}
	})
}
