package cases

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/havenrescue/haven/internal/duties"
)

// CST is China Standard Time, the calendar the rules count in.
var CST = time.FixedZone("CST", 8*3600)

// Statutory rules.
const (
	RuleNotice       = "notice_24h"       // 寻亲 notice published for an unidentified person
	RuleDNA          = "dna_request"      // police DNA / fingerprint / face collection requested
	RuleAdultReview  = "adult_review"     // adults ≥ 16 without mental or intellectual disability reviewed
	RuleNoticeUpdate = "notice_update"    // the notice updated after a month
	RulePlacement    = "placement_review" // a long stay raised for placement (托养)
)

// RuleNames lists the rules in the order a dashboard shows them.
var RuleNames = []string{RuleNotice, RuleDNA, RuleAdultReview, RuleNoticeUpdate, RulePlacement}

// Rules is the configurable rule set; Defaults are the 规程's.
type Rules struct {
	NoticeHours        int      `json:"notice_hours"`
	DNAWorkingDays     int      `json:"dna_working_days"`
	ReviewDays         int      `json:"review_days"`
	ReviewMinAge       int      `json:"review_min_age"`
	NoticeUpdateMonths int      `json:"notice_update_months"`
	PlacementDays      int      `json:"placement_days"`
	DueSoonHours       int      `json:"due_soon_hours"`
	Holidays           []string `json:"holidays"` // YYYY-MM-DD public holidays on weekdays
	Workdays           []string `json:"workdays"` // YYYY-MM-DD weekend days worked in lieu (调休)
}

// Defaults are the statutory defaults.
var Defaults = Rules{NoticeHours: 24, DNAWorkingDays: 7, ReviewDays: 10, ReviewMinAge: 16, NoticeUpdateMonths: 1, PlacementDays: 90, DueSoonHours: 12}

// LoadRules reads a rule set from a JSON file; fields it leaves out keep
// their defaults.
func LoadRules(path string) (Rules, error) {
	r := Defaults
	if path == "" {
		return r, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return r, err
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("%s: %v", path, err)
	}
	return r, r.Validate()
}

// Validate checks the numbers and dates of a rule set.
func (r Rules) Validate() error {
	if r.NoticeHours < 1 || r.DNAWorkingDays < 1 || r.ReviewDays < 1 || r.ReviewMinAge < 1 || r.NoticeUpdateMonths < 1 || r.PlacementDays < 1 || r.DueSoonHours < 0 {
		return fmt.Errorf("case rules: every period must be at least 1")
	}
	for _, d := range append(append([]string{}, r.Holidays...), r.Workdays...) {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			return fmt.Errorf("case rules: %q is not a YYYY-MM-DD date", d)
		}
	}
	return nil
}

func (r Rules) workingDay(d time.Time) bool {
	s := d.Format("2006-01-02")
	for _, w := range r.Workdays {
		if w == s {
			return true
		}
	}
	if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		return false
	}
	for _, h := range r.Holidays {
		if h == s {
			return false
		}
	}
	return true
}

// AfterWorkingDays returns the end (midnight CST) of the n-th working day
// after the day of t: a person arriving on a Friday has the following
// Monday as working day 1.
func (r Rules) AfterWorkingDays(t time.Time, n int) time.Time {
	l := t.In(CST)
	d := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, CST)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if r.workingDay(d) {
			n--
		}
	}
	return d.AddDate(0, 0, 1)
}

// Deadline states: those of the duty engine (internal/duties).
const (
	DeadlineDone     = duties.Done
	DeadlineDoneLate = duties.DoneLate
	DeadlineOpen     = duties.Open
	DeadlineDueSoon  = duties.DueSoon
	DeadlineOverdue  = duties.Overdue
	DeadlineNotNeed  = "not_needed" // the person was identified before it fell due
)

// Deadline is one statutory deadline of a stay.
type Deadline struct {
	Rule   string
	DueAt  time.Time
	DoneAt time.Time
	Status string
}

// Late reports whether the deadline needs attention now.
func (d Deadline) Late() bool { return d.Status == DeadlineOverdue }

// AdultReviewApplies reports whether the 10-day review applies: 16 or
// over at arrival (exactly 16 on the day counts) without a mental or
// intellectual disability.
func (r Rules) AdultReviewApplies(p *Person, arrived time.Time) bool {
	if p.Mental == MentalIllness || p.Mental == MentalIntellectual {
		return false
	}
	min, _, ok := p.AgeAt(arrived)
	return ok && min >= r.ReviewMinAge
}

// Deadlines returns the statutory deadlines of a stay at now, given the
// tasks done. Closed stays show how each deadline ended.
func (r Rules) Deadlines(st *Stay, p *Person, done map[string]*Task, now time.Time) []Deadline {
	var out []Deadline
	add := func(rule string, due time.Time, neededNow bool) {
		d := Deadline{Rule: rule, DueAt: due}
		end := now
		if st.State != StayOpen && !st.ExitedAt.IsZero() {
			end = st.ExitedAt
		}
		switch t := done[rule]; {
		case t != nil:
			d.DoneAt = t.DoneAt
			d.Status = DeadlineDone
			if t.DoneAt.After(due) {
				d.Status = DeadlineDoneLate
			}
		case !neededNow:
			d.Status = DeadlineNotNeed
		case st.State != StayOpen && !end.After(due):
			d.Status = DeadlineNotNeed // left before it fell due
		case end.After(due):
			d.Status = DeadlineOverdue
		case !due.After(end.Add(time.Duration(r.DueSoonHours) * time.Hour)):
			d.Status = DeadlineDueSoon
		default:
			d.Status = DeadlineOpen
		}
		out = append(out, d)
	}
	a := st.ArrivedAt
	if st.Unidentified {
		add(RuleNotice, a.Add(time.Duration(r.NoticeHours)*time.Hour), !p.Identified)
		add(RuleDNA, r.AfterWorkingDays(a, r.DNAWorkingDays), !p.Identified)
	}
	if r.AdultReviewApplies(p, a) {
		add(RuleAdultReview, a.Add(time.Duration(r.ReviewDays)*24*time.Hour), true)
	}
	if st.Unidentified {
		add(RuleNoticeUpdate, a.In(CST).AddDate(0, r.NoticeUpdateMonths, 0), !p.Identified)
	}
	add(RulePlacement, a.Add(time.Duration(r.PlacementDays)*24*time.Hour), true)
	return out
}

// KPIs are the shares the province asks for, over stays that arrived in
// a period.
type KPIs struct {
	Stays             int // stays that arrived (refusals not counted)
	EnteredInDay      int // entered within 24 hours of arrival
	Unidentified      int
	NoticeInTime      int // unidentified with the notice published within its deadline
	DNAInTime         int // unidentified with DNA requested within its deadline
	NoticeDueOrLate   int // unidentified whose notice deadline has passed (denominator)
	DNADueOrLate      int
	EnteredInDayShare float64
	NoticeShare       float64
	DNAShare          float64
}

// ComputeKPIs counts over stays (with their people and tasks) at now.
// A notice or DNA share counts only stays whose deadline has passed or
// whose task is done, so that a stay admitted an hour ago is not a miss.
func (r Rules) ComputeKPIs(stays []*Stay, people map[string]*Person, tasks map[string]map[string]*Task, now time.Time) KPIs {
	var k KPIs
	for _, st := range stays {
		if st.State == StayRefused {
			continue
		}
		k.Stays++
		if st.EnteredAt.Sub(st.ArrivedAt) <= 24*time.Hour {
			k.EnteredInDay++
		}
		if !st.Unidentified {
			continue
		}
		k.Unidentified++
		p := people[st.PersonID]
		if p == nil {
			continue
		}
		for _, d := range r.Deadlines(st, p, tasks[st.ID], now) {
			counted := d.Status == DeadlineDone || d.Status == DeadlineDoneLate || d.Status == DeadlineOverdue
			switch d.Rule {
			case RuleNotice:
				if counted {
					k.NoticeDueOrLate++
					if d.Status == DeadlineDone {
						k.NoticeInTime++
					}
				}
			case RuleDNA:
				if counted {
					k.DNADueOrLate++
					if d.Status == DeadlineDone {
						k.DNAInTime++
					}
				}
			}
		}
	}
	k.Shares()
	return k
}
