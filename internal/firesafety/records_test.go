package firesafety_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
)

// TestTrainingAndDrill: a training and a drill are checked field by
// field, need someone to have attended (a training's others count, a
// drill's volunteers do not), store every field, and reset their duty
// from the day they were held.
func TestTrainingAndDrill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		p, err := f.svc.AddPerson(ctx, safety, firesafety.PersonInput{Name: "赵一", Micro: true})
		if err != nil {
			t.Fatal(err)
		}
		ok := firesafety.TrainingInput{On: "2026-11-30", Topic: "灭火器使用", Trainer: "消防大队", Others: "3", Attendees: []string{p.ID}}
		for _, c := range []struct {
			name       string
			edit       func(in *firesafety.TrainingInput)
			field, key string
		}{
			{"a day ahead", func(in *firesafety.TrainingInput) { in.On = "2026-12-02" }, "on", "err.date_future"},
			{"no day", func(in *firesafety.TrainingInput) { in.On = "" }, "on", "err.required"},
			{"no topic", func(in *firesafety.TrainingInput) { in.Topic = " " }, "topic", "err.required"},
			{"a long topic", func(in *firesafety.TrainingInput) { in.Topic = strings.Repeat("火", 101) }, "topic", "err.too_long"},
			{"no trainer", func(in *firesafety.TrainingInput) { in.Trainer = "" }, "trainer", "err.required"},
			{"others not a number", func(in *firesafety.TrainingInput) { in.Others = "三" }, "others", "fire.err_count"},
			{"nobody", func(in *firesafety.TrainingInput) { in.Others, in.Attendees = "", nil }, "attendees", "fire.err_no_attendees"},
			{"an unknown person", func(in *firesafety.TrainingInput) { in.Others, in.Attendees = "", []string{"nobody"} }, "attendees", "err.invalid_choice"},
		} {
			in := ok
			c.edit(&in)
			_, err := f.svc.RecordTraining(ctx, safety, in)
			if got := errs.FieldsOf(err)[c.field]; !errs.Is(errs.Invalid, err) || got != c.key {
				t.Errorf("training, %s: %q, want %q (%v)", c.name, got, c.key, err)
			}
		}
		if _, err := f.svc.RecordTraining(ctx, staff, ok); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff recorded a training: %v", err)
		}
		if ts, _ := db.Trainings(ctx, ""); len(ts) != 0 {
			t.Fatalf("refused trainings stored: %d", len(ts))
		}
		// Others alone count as attendance for a training.
		if _, err := f.svc.RecordTraining(ctx, safety, firesafety.TrainingInput{On: "2026-11-20", Topic: "疏散", Trainer: "站长", Others: "12"}); err != nil {
			t.Fatalf("a training of others only: %v", err)
		}
		tr, err := f.svc.RecordTraining(ctx, safety, ok)
		if err != nil {
			t.Fatal(err)
		}
		ts, _ := db.Trainings(ctx, "")
		if len(ts) != 2 || ts[0].ID != tr.ID || ts[0].On != "2026-11-30" || ts[0].Topic != "灭火器使用" || ts[0].Trainer != "消防大队" || ts[0].Others != 3 ||
			!slices.Equal(ts[0].Attendees, []string{p.ID}) || ts[0].By != safety.Name || ts[0].At.IsZero() {
			t.Fatalf("trainings stored: %+v", ts)
		}
		if d, _ := db.DutyByKey(ctx, firesafety.Area, firesafety.DutyTraining, ""); firesafety.Day(d.LastDone) != "2026-11-30" || d.LastBy != safety.Name {
			t.Errorf("the training duty: %+v", d)
		}

		okd := firesafety.DrillInput{On: "2026-11-29", Scenario: "夜间宿舍疏散", Volunteers: "4", VolunteerNames: "李、王", Evaluation: "三分钟内全部撤离",
			Attendees: []string{p.ID}}
		for _, c := range []struct {
			name       string
			edit       func(in *firesafety.DrillInput)
			field, key string
		}{
			{"a day ahead", func(in *firesafety.DrillInput) { in.On = "2026-12-09" }, "on", "err.date_future"},
			{"a garbled day", func(in *firesafety.DrillInput) { in.On = "11/29" }, "on", "err.date_format"},
			{"no scenario", func(in *firesafety.DrillInput) { in.Scenario = "" }, "scenario", "err.required"},
			{"no evaluation", func(in *firesafety.DrillInput) { in.Evaluation = "" }, "evaluation", "err.required"},
			{"long names", func(in *firesafety.DrillInput) { in.VolunteerNames = strings.Repeat("名", 301) }, "volunteer_names", "err.too_long"},
			{"volunteers below zero", func(in *firesafety.DrillInput) { in.Volunteers = "-1" }, "volunteers", "fire.err_count"},
			{"volunteers only", func(in *firesafety.DrillInput) { in.Attendees = nil }, "attendees", "fire.err_no_attendees"},
			{"an unknown person", func(in *firesafety.DrillInput) { in.Attendees = []string{"nobody"} }, "attendees", "err.invalid_choice"},
		} {
			in := okd
			c.edit(&in)
			_, err := f.svc.RecordDrill(ctx, safety, in)
			if got := errs.FieldsOf(err)[c.field]; !errs.Is(errs.Invalid, err) || got != c.key {
				t.Errorf("drill, %s: %q, want %q (%v)", c.name, got, c.key, err)
			}
		}
		if _, err := f.svc.RecordDrill(ctx, staff, okd); !errs.Is(errs.Forbidden, err) {
			t.Errorf("staff recorded a drill: %v", err)
		}
		if ds, _ := db.Drills(ctx, ""); len(ds) != 0 {
			t.Fatalf("refused drills stored: %d", len(ds))
		}
		dr, err := f.svc.RecordDrill(ctx, safety, okd)
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := db.Drills(ctx, "")
		if len(ds) != 1 || ds[0].ID != dr.ID || ds[0].On != "2026-11-29" || ds[0].Scenario != "夜间宿舍疏散" || ds[0].Volunteers != 4 ||
			ds[0].VolunteerNames != "李、王" || ds[0].Evaluation != "三分钟内全部撤离" || !slices.Equal(ds[0].Attendees, []string{p.ID}) ||
			ds[0].By != safety.Name || ds[0].At.IsZero() {
			t.Fatalf("drills stored: %+v", ds)
		}
		if d, _ := db.DutyByKey(ctx, firesafety.Area, firesafety.DutyDrill, ""); firesafety.Day(d.LastDone) != "2026-11-29" || d.LastBy != safety.Name {
			t.Errorf("the drill duty: %+v", d)
		}
	})
}
