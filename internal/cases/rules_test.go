package cases

import (
	"os"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, CST)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAfterWorkingDays(t *testing.T) {
	r := Defaults
	r.Holidays = []string{"2026-10-01", "2026-10-02", "2026-10-05"}
	r.Workdays = []string{"2026-10-10"} // a Saturday worked in lieu
	tests := []struct{ arrived, due string }{
		{"2026-11-23 10:00", "2026-12-03 00:00"}, // Monday: Tue … next Tue is day 7, due at its end
		{"2026-11-27 23:59", "2026-12-09 00:00"}, // Friday night: Mon is day 1
		{"2026-11-28 00:00", "2026-12-09 00:00"}, // Saturday: the same
		{"2026-11-29 12:00", "2026-12-09 00:00"}, // Sunday
		{"2026-09-30 09:00", "2026-10-14 00:00"}, // National Day: 10-01, 02, 05 off; Sat 10-10 worked (day 5); day 7 is Tue 10-13
	}
	for _, tc := range tests {
		if got := r.AfterWorkingDays(at(tc.arrived), 7); !got.Equal(at(tc.due)) {
			t.Errorf("7 working days after %s: %s, want %s", tc.arrived, got.In(CST).Format("2006-01-02 15:04"), tc.due)
		}
	}
}

func TestDeadlineBoundaries(t *testing.T) {
	r := Defaults
	arrived := at("2026-11-02 09:00") // a Monday
	unknown := &Person{Mental: MentalUnknown}
	adult := &Person{BirthDate: "1980-05-01", Mental: MentalNormal, Identified: true}
	sixteenToday := &Person{BirthDate: "2010-11-02", Mental: MentalNormal, Identified: true}
	sixteenTomorrow := &Person{BirthDate: "2010-11-03", Mental: MentalNormal, Identified: true}
	ill := &Person{BirthDate: "1980-05-01", Mental: MentalIllness, Identified: true}
	open := func(unidentified bool) *Stay {
		return &Stay{State: StayOpen, ArrivedAt: arrived, Unidentified: unidentified}
	}
	status := func(p *Person, st *Stay, done map[string]*Task, now time.Time, rule string) string {
		for _, d := range r.Deadlines(st, p, done, now) {
			if d.Rule == rule {
				return d.Status
			}
		}
		return "absent"
	}
	tests := []struct {
		name string
		p    *Person
		st   *Stay
		done map[string]*Task
		now  string
		rule string
		want string
	}{
		{"notice: 12 h 1 min before", unknown, open(true), nil, "2026-11-02 20:59", RuleNotice, DeadlineOpen},
		{"notice: 12 h before is due soon", unknown, open(true), nil, "2026-11-02 21:00", RuleNotice, DeadlineDueSoon},
		{"notice: exactly 24 h", unknown, open(true), nil, "2026-11-03 09:00", RuleNotice, DeadlineDueSoon},
		{"notice: 24 h and a minute", unknown, open(true), nil, "2026-11-03 09:01", RuleNotice, DeadlineOverdue},
		{"notice: done in time", unknown, open(true), map[string]*Task{RuleNotice: {DoneAt: at("2026-11-03 08:00")}}, "2026-11-05 09:00", RuleNotice, DeadlineDone},
		{"notice: done late", unknown, open(true), map[string]*Task{RuleNotice: {DoneAt: at("2026-11-03 10:00")}}, "2026-11-05 09:00", RuleNotice, DeadlineDoneLate},
		{"notice: identified people need none", adult, open(false), nil, "2026-11-05 09:00", RuleNotice, "absent"},
		{"notice: identified since", &Person{Identified: true}, open(true), nil, "2026-11-05 09:00", RuleNotice, DeadlineNotNeed},
		{"DNA: last minute of the 7th working day", unknown, open(true), nil, "2026-11-11 23:59", RuleDNA, DeadlineDueSoon},
		{"DNA: the 8th working day", unknown, open(true), nil, "2026-11-12 00:01", RuleDNA, DeadlineOverdue},
		{"review: exactly 10 days", adult, open(false), nil, "2026-11-12 09:00", RuleAdultReview, DeadlineDueSoon},
		{"review: 10 days and a minute", adult, open(false), nil, "2026-11-12 09:01", RuleAdultReview, DeadlineOverdue},
		{"review: 16 on the day of arrival", sixteenToday, open(false), nil, "2026-11-03 09:00", RuleAdultReview, DeadlineOpen},
		{"review: 16 the day after arrival", sixteenTomorrow, open(false), nil, "2026-11-03 09:00", RuleAdultReview, "absent"},
		{"review: not for a mental illness", ill, open(false), nil, "2026-11-03 09:00", RuleAdultReview, "absent"},
		{"review: estimated 16–20", &Person{AgeMin: 16, AgeMax: 20}, open(false), nil, "2026-11-03 09:00", RuleAdultReview, DeadlineOpen},
		{"review: estimated 15–20", &Person{AgeMin: 15, AgeMax: 20}, open(false), nil, "2026-11-03 09:00", RuleAdultReview, "absent"},
		{"notice update: a month", unknown, open(true), nil, "2026-12-02 09:01", RuleNoticeUpdate, DeadlineOverdue},
		{"notice update: a day before", unknown, open(true), nil, "2026-12-01 09:00", RuleNoticeUpdate, DeadlineOpen},
		{"placement: 90 days", adult, open(false), nil, "2027-01-31 09:01", RulePlacement, DeadlineOverdue},
		{"left before it fell due", unknown, &Stay{State: StayClosed, ArrivedAt: arrived, Unidentified: true, ExitedAt: at("2026-11-02 15:00")}, nil,
			"2026-11-20 09:00", RuleNotice, DeadlineNotNeed},
		{"left after it fell due", unknown, &Stay{State: StayClosed, ArrivedAt: arrived, Unidentified: true, ExitedAt: at("2026-11-04 15:00")}, nil,
			"2026-11-20 09:00", RuleNotice, DeadlineOverdue},
	}
	for _, tc := range tests {
		if got := status(tc.p, tc.st, tc.done, at(tc.now), tc.rule); got != tc.want {
			t.Errorf("%s: %s", tc.name, got)
		}
	}
}

func TestKPIs(t *testing.T) {
	r := Defaults
	now := at("2026-11-20 12:00")
	p := map[string]*Person{"u": {ID: "u"}, "k": {ID: "k", Identified: true}}
	stays := []*Stay{
		{ID: "1", PersonID: "u", State: StayOpen, Unidentified: true, ArrivedAt: at("2026-11-01 10:00"), EnteredAt: at("2026-11-01 11:00")},
		{ID: "2", PersonID: "u", State: StayClosed, Unidentified: true, ArrivedAt: at("2026-11-05 10:00"), EnteredAt: at("2026-11-07 10:00"), ExitedAt: at("2026-11-19 10:00")},
		{ID: "3", PersonID: "k", State: StayClosed, ArrivedAt: at("2026-11-06 10:00"), EnteredAt: at("2026-11-06 10:00"), ExitedAt: at("2026-11-07 10:00")},
		{ID: "4", PersonID: "u", State: StayOpen, Unidentified: true, ArrivedAt: at("2026-11-20 11:00"), EnteredAt: at("2026-11-20 11:00")}, // not due yet
		{ID: "5", PersonID: "u", State: StayRefused, ArrivedAt: at("2026-11-10 11:00"), EnteredAt: at("2026-11-10 11:00")},
	}
	tasks := map[string]map[string]*Task{
		"1": {RuleNotice: {DoneAt: at("2026-11-01 20:00")}, RuleDNA: {DoneAt: at("2026-11-03 09:00")}},
		"2": {RuleNotice: {DoneAt: at("2026-11-07 10:00")}},
	}
	k := r.ComputeKPIs(stays, p, tasks, now)
	if k.Stays != 4 || k.EnteredInDay != 3 || k.Unidentified != 3 || k.NoticeDueOrLate != 2 || k.NoticeInTime != 1 || k.DNADueOrLate != 2 || k.DNAInTime != 1 {
		t.Fatalf("KPIs %+v", k)
	}
	if k.NoticeShare != 0.5 || k.EnteredInDayShare != 0.75 {
		t.Fatalf("shares %+v", k)
	}
}

func TestLoadRules(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := dir + "/" + name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	r, err := LoadRules(write("ok.json", `{"placement_days": 60, "holidays": ["2027-01-01"]}`))
	if err != nil || r.PlacementDays != 60 || r.NoticeHours != 24 || len(r.Holidays) != 1 {
		t.Fatalf("override: %+v %v", r, err)
	}
	for name, body := range map[string]string{"zero.json": `{"notice_hours": 0}`, "date.json": `{"holidays": ["1 May"]}`, "json.json": `{`} {
		if _, err := LoadRules(write(name, body)); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if r, err := LoadRules(""); err != nil || r.DNAWorkingDays != 7 {
		t.Fatalf("defaults: %+v %v", r, err)
	}
}
