package health_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

func TestUrgentTriggers(t *testing.T) {
	for _, tc := range []struct {
		d    health.CheckData
		want int
	}{
		{health.CheckData{TempC: 36.8, Pulse: 80, BPSys: 120, SpO2: 98}, 0},
		{health.CheckData{TempC: 39.5}, 1},
		{health.CheckData{TempC: 34.9}, 1}, // hypothermia: the winter's first danger
		{health.CheckData{SpO2: 91, Pulse: 131}, 2},
		{health.CheckData{Mental: "suicidal"}, 1},
		{health.CheckData{Infectious: map[string]string{"tb": "suspected"}}, 1},
		{health.CheckData{Infectious: map[string]string{"tb": "negative"}}, 0},
	} {
		if got := health.Urgent(tc.d); len(got) != tc.want {
			t.Errorf("Urgent(%+v) = %v", tc.d, got)
		}
	}
}

func TestParseTimes(t *testing.T) {
	if got, ok := health.ParseTimes("20:00，08:00 8:00"); !ok || len(got) != 2 || got[0] != "08:00" || got[1] != "20:00" {
		t.Fatalf("%v %v", got, ok)
	}
	for _, bad := range []string{"25:00", "8", "08:0", "x:00"} {
		if _, ok := health.ParseTimes(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestGreenChannel(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		keys, _ := secret.LoadOrCreate(filepath.Join(t.TempDir(), "keys"), now)
		photos, _ := files.Open(t.TempDir())
		cs := &cases.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: clock, Rules: cases.Defaults}
		hs := &health.Service{Store: db, Audit: db, Now: clock}
		var hospitals []*auth.Department
		for _, n := range []string{"新乡市精神病医院", "新乡市第二人民医院"} {
			d := &auth.Department{ID: id.New(), Name: n, Kind: "hospital", CreatedAt: now}
			if err := db.CreateDepartment(ctx, d, audit.Entry{}); err != nil {
				t.Fatal(err)
			}
			hospitals = append(hospitals, d)
		}
		station := &auth.Department{ID: id.New(), Name: "救助站", Kind: "station", CreatedAt: now}
		_ = db.CreateDepartment(ctx, station, audit.Entry{})
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		doctor := auth.Actor{UserID: "m", Name: "刘芳", Role: auth.RoleMedical, DepartmentID: station.ID}
		psych := auth.Actor{UserID: "h1", Name: "精神科", Role: auth.RoleHospital, DepartmentID: hospitals[0].ID}
		general := auth.Actor{UserID: "h2", Name: "二院", Role: auth.RoleHospital, DepartmentID: hospitals[1].ID}
		ad, err := cs.Admit(ctx, staff, cases.AdmitInput{Source: "patrol", Form: cases.Form{Reason: "冻伤", Security: "passed"},
			Person: cases.PersonInput{AgeMin: 40, AgeMax: 50}})
		if err != nil {
			t.Fatal(err)
		}
		pid := ad.Person.ID
		if _, err := hs.RecordCheck(ctx, staff, pid, ad.Stay.ID, health.CheckIntake, health.CheckData{TempC: 36}); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff recorded a health check: %v", err)
		}
		if _, err := hs.RecordCheck(ctx, doctor, pid, ad.Stay.ID, health.CheckIntake, health.CheckData{TempC: 360}); errs.FieldsOf(err)["temp_c"] != "err.vital_range" {
			t.Fatalf("360 °C: %v", err)
		}
		c, err := hs.RecordCheck(ctx, doctor, pid, ad.Stay.ID, health.CheckIntake, health.CheckData{TempC: 34.5, Mental: "confused", Injuries: "双足冻伤"})
		if err != nil || !c.Urgent {
			t.Fatalf("hypothermia check: %+v %v", c, err)
		}
		if _, err := hs.AddMedication(ctx, doctor, pid, "奥氮平", "5mg", "20:00", ""); err != nil {
			t.Fatal(err)
		}
		cue, err := hs.Cue(ctx, staff, pid)
		if err != nil || len(cue.MedicationTimes) != 1 || cue.MedicationTimes[0] != "20:00" || !cue.Urgent {
			t.Fatalf("staff's cue: %+v %v", cue, err)
		}
		if _, err := hs.RecordOf(ctx, staff, pid); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("staff opened the health record: %v", err)
		}

		if _, err := hs.Refer(ctx, doctor, pid, ad.Stay.ID, station.ID, "x", true); errs.FieldsOf(err)["hospital_id"] != "err.not_hospital" {
			t.Fatalf("referral to the station: %v", err)
		}
		r, err := hs.Refer(ctx, doctor, pid, ad.Stay.ID, hospitals[1].ID, "低体温，双足冻伤", true)
		if err != nil {
			t.Fatal(err)
		}
		// The other hospital sees nothing of it.
		if list, _ := hs.Referrals(ctx, psych, true); len(list) != 0 {
			t.Fatalf("the psychiatric hospital sees %d referrals", len(list))
		}
		if _, err := hs.Referral(ctx, psych, r.ID); !errs.Is(errs.NotFound, err) {
			t.Fatalf("another hospital opened the referral: %v", err)
		}
		if _, err := hs.Advance(ctx, psych, r.ID, health.Admitted, "", 1); !errs.Is(errs.NotFound, err) && !errs.Is(errs.Forbidden, err) {
			t.Fatalf("another hospital admitted: %v", err)
		}
		list, err := hs.Referrals(ctx, general, false)
		if err != nil || len(list) != 1 || list[0].Person.IDSealed != "" {
			t.Fatalf("the general hospital's list: %v %v", list, err)
		}
		if _, err := hs.Advance(ctx, general, r.ID, health.Discharged, "好转", 1); errs.MessageOf(err) != "err.referral_step" {
			t.Fatalf("discharge before admission: %v", err)
		}
		r, err = hs.Advance(ctx, doctor, r.ID, health.Transferred, "120送达", 1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hs.Advance(ctx, doctor, r.ID, health.Admitted, "", r.Version); !errs.Is(errs.Forbidden, err) {
			t.Fatalf("the station admitted at the hospital: %v", err)
		}
		r, err = hs.Advance(ctx, general, r.ID, health.Admitted, "收入急诊科", r.Version)
		if err != nil {
			t.Fatal(err)
		}
		if err := hs.AddNote(ctx, general, r.ID, "复温治疗，生命体征平稳"); err != nil {
			t.Fatal(err)
		}
		if _, err := hs.Advance(ctx, general, r.ID, health.Discharged, "", r.Version); errs.FieldsOf(err)["text"] != "err.discharge_note" {
			t.Fatalf("discharge without a note: %v", err)
		}
		if _, err := hs.Advance(ctx, general, r.ID, health.Discharged, "出院，返回救助站，继续口服药物", r.Version); err != nil {
			t.Fatal(err)
		}
		rec, err := hs.RecordOf(ctx, doctor, pid)
		if err != nil || len(rec.Referrals) != 1 || rec.Referrals[0].State != health.Discharged || len(rec.Referrals[0].Notes) != 4 || len(rec.Checks) != 1 {
			t.Fatalf("record: %+v %v", rec, err)
		}
	})
}

func FuzzParseTimes(f *testing.F) {
	f.Add("08:00, 20:00")
	f.Add("8:00，12:30、23:59")
	f.Fuzz(func(t *testing.T, s string) {
		ts, ok := health.ParseTimes(s)
		if !ok {
			return
		}
		for i, x := range ts {
			if len(x) != 5 || x[2] != ':' || (i > 0 && ts[i-1] >= x) {
				t.Fatalf("ParseTimes(%q) = %v", s, ts)
			}
		}
	})
}
