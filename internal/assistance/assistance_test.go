package assistance

import (
	"testing"
)

// The screening's verdicts, at the edges of each programme's rule.
func TestEligible(t *testing.T) {
	r := Defaults // 低保 650.00 a month, 临时救助 up to 10 months of it
	for _, c := range []struct {
		prog string
		s    Screening
		want bool
	}{
		{Dibao, Screening{IncomePerPersonFen: 649_99, AssetsWithinLimits: true}, true},
		{Dibao, Screening{IncomePerPersonFen: 650_00, AssetsWithinLimits: true}, false}, // below the standard, not at it
		{Dibao, Screening{IncomePerPersonFen: 0}, false},                                // assets over the limits
		{Tekun, Screening{NoWorkCapacity: true, NoIncome: true, NoSupporter: true}, true},
		{Tekun, Screening{NoWorkCapacity: true, NoIncome: true}, false},
		{Temporary, Screening{SuddenHardship: true, RequestedFen: 6500_00}, true},
		{Temporary, Screening{SuddenHardship: true, RequestedFen: 6500_01}, false},
		{Temporary, Screening{RequestedFen: 100_00}, false},
		{Medical, Screening{MedicalCostFen: 1}, true},
		{"other", Screening{MedicalCostFen: 1}, false},
	} {
		if got := c.s.Eligible(c.prog, r); got != c.want {
			t.Errorf("%s %+v: %v, want %v", c.prog, c.s, got, c.want)
		}
	}
}

func TestParseRules(t *testing.T) {
	r, err := ParseRules([]byte(`{"temp_aid_months": 6, "dibao_monthly_fen": 72000}`))
	if err != nil || r.TempAidCapFen() != 6*720_00 || r.AnswerWorkingDays != Defaults.AnswerWorkingDays {
		t.Errorf("%+v %v", r, err)
	}
	for _, bad := range []string{`{"temp_aid_months": 0}`, `{"dibao_monthly_fen": -1}`, `{"answer_days": 3}`, `[]`, `{"enrol_days": "x"}`} {
		if _, err := ParseRules([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// The rules file is outside input: whatever it holds, a rule set either
// is refused or is valid.
func FuzzParseRules(f *testing.F) {
	f.Add([]byte(`{"answer_working_days": 10, "temp_aid_months": 10, "dibao_monthly_fen": 65000, "enrol_days": 30}`))
	f.Add([]byte(`{"temp_aid_months": 9223372036854775807}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRules(b)
		if err != nil {
			return
		}
		if r.Validate() != nil || r.TempAidCapFen() <= 0 {
			t.Fatalf("accepted an invalid rule set %+v from %q", r, b)
		}
	})
}
