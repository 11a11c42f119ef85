package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/volunteers"
)

var _ assistance.Store = (*store.DB)(nil)

// admitForTest puts one person in care, arrived at arrived.
func admitForTest(t *testing.T, db *store.DB, name string, arrived time.Time, unidentified bool) (*cases.Person, *cases.Stay) {
	t.Helper()
	p := &cases.Person{ID: id.New(), Ref: "RY-" + id.New(), Name: name, Sex: cases.Sex("male"), Mental: cases.MentalStates[0], CreatedAt: arrived,
		Identified: !unidentified, IDRegion: "河南省新乡市延津县"}
	st := &cases.Stay{ID: id.New(), Ref: "ZZ-" + id.New(), PersonID: p.ID, State: cases.StayOpen, ArrivedAt: arrived, EnteredAt: arrived,
		EnteredBy: "test", Source: "walk_in", Unidentified: unidentified, Version: 1, UpdatedAt: arrived}
	if err := db.Admit(context.Background(), p, nil, st, nil, audit.Entry{}); err != nil {
		t.Fatal(err)
	}
	return p, st
}

func countReferrals(t *testing.T, db *store.DB, personID string) int {
	t.Helper()
	rs, err := db.AssistanceReferrals(context.Background(), assistance.Filter{PersonID: personID})
	if err != nil {
		t.Fatal(err)
	}
	return len(rs)
}

// A referral is sent only with the person's consent and a receiving
// office; 临时救助 is capped at N × the monthly 低保 standard per event,
// exactly at the cap allowed, one fen above refused; answers move it on
// and are refused once it is decided.
func TestAssistanceReferrals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 9, 28, 10, 0, 0, 0, cases.CST) // a Monday
		svc := &assistance.Service{Store: db, Audit: db, Now: func() time.Time { return now }, Rules: assistance.Defaults, Calendar: cases.Defaults}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		p, st := admitForTest(t, db, "王大力", now.AddDate(0, 0, -3), false)

		for _, in := range []assistance.Input{
			{PersonID: p.ID, Programme: assistance.Tekun, Office: "延津县民政局"},
			{PersonID: p.ID, Programme: assistance.Tekun, Consent: true, Office: "  "},
		} {
			_, err := svc.Refer(ctx, staff, in)
			if f := errs.FieldsOf(err); f["consent"] == "" && f["office"] == "" {
				t.Errorf("%+v: %v, want refused for consent or office", in, err)
			}
		}
		cap := assistance.Defaults.TempAidCapFen() // 10 × 650.00
		if cap != 6500_00 {
			t.Fatalf("cap %d", cap)
		}
		temp := func(fen int64) assistance.Input {
			return assistance.Input{PersonID: p.ID, StayID: st.ID, Programme: assistance.Temporary, Consent: true, Office: "卫滨区民政局", Region: p.IDRegion,
				Screening: assistance.Screening{SuddenHardship: true, Hardship: "钱包被盗", RequestedFen: fen}}
		}
		if _, err := svc.Refer(ctx, staff, temp(cap+1)); errs.FieldsOf(err)["requested"] != "assistance.err.temp_cap" {
			t.Errorf("one fen above the cap: %v", err)
		}
		if n := countReferrals(t, db, p.ID); n != 0 {
			t.Fatalf("%d referrals stored by refused input", n)
		}
		r, err := svc.Refer(ctx, staff, temp(cap))
		if err != nil || !r.Eligible {
			t.Fatalf("exactly at the cap: %+v %v", r, err)
		}
		got, err := db.AssistanceReferralByID(ctx, r.ID)
		if err != nil || got.Region != "河南省新乡市延津县" || got.Screening.RequestedFen != cap || got.State != assistance.Sent || !got.DueAt.Equal(r.DueAt) {
			t.Fatalf("stored: %+v %v", got, err)
		}
		// the office answers: accepted, then approved at the cap; a
		// second answer is refused
		if _, err := svc.Answer(ctx, staff, r.ID, assistance.AnswerInput{Kind: assistance.AnswerAccept, By: "李科长"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Answer(ctx, staff, r.ID, assistance.AnswerInput{Kind: assistance.AnswerApprove, AmountFen: cap + 1, StartOn: "2026-10-08"}); errs.FieldsOf(err)["amount"] == "" {
			t.Errorf("approving above the cap: %v", err)
		}
		if _, err := svc.Answer(ctx, staff, r.ID, assistance.AnswerInput{Kind: assistance.AnswerApprove, AmountFen: 3000_00, StartOn: "2026-10-08"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Answer(ctx, staff, r.ID, assistance.AnswerInput{Kind: assistance.AnswerRefuse, Reason: "x"}); !errs.Is(errs.Conflict, err) {
			t.Errorf("answering a decided referral: %v", err)
		}
		got, _ = db.AssistanceReferralByID(ctx, r.ID)
		if got.State != assistance.Approved || got.AmountFen != 3000_00 || got.StartOn != "2026-10-08" || got.AnsweredAt.IsZero() || got.AnsweredBy != "" {
			t.Errorf("approved: %+v", got)
		}
		// reads of a person's referrals are audited
		fin := auth.Actor{UserID: "f", Name: "孙静", Role: auth.RoleFinance}
		if _, err := svc.PersonReferrals(ctx, fin, p.ID); err != nil {
			t.Fatal(err)
		}
		es, err := db.ListAudit(ctx, audit.Filter{Action: "assistance.person_view", RecordID: p.ID})
		if err != nil || len(es) != 1 || es[0].ActorName != "孙静" {
			t.Errorf("audit of the read: %+v %v", es, err)
		}
		if _, err := svc.PersonReferrals(ctx, auth.Actor{UserID: "v", Role: auth.RoleVolunteer}, p.ID); !errs.Is(errs.Forbidden, err) {
			t.Errorf("a volunteer coordinator reads referrals: %v", err)
		}
	})
}

// A referral sent the day before a holiday week is due after that many
// working days with the holidays skipped, and is a reminder (overdue) on
// the dashboard only after that.
func TestAssistanceReminderAcrossHoliday(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		cal := cases.Defaults
		// 国庆: 1–7 October 2026 off (Thursday to Wednesday), Saturday 10
		// October worked in lieu.
		cal.Holidays = []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}
		cal.Workdays = []string{"2026-10-10"}
		rules := assistance.Defaults
		rules.AnswerWorkingDays = 3
		now := time.Date(2026, 9, 30, 15, 0, 0, 0, cases.CST) // Wednesday
		svc := &assistance.Service{Store: db, Audit: db, Now: func() time.Time { return now }, Rules: rules, Calendar: cal}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		p, _ := admitForTest(t, db, "刘福", now.AddDate(0, 0, -2), false)
		r, err := svc.Refer(ctx, staff, assistance.Input{PersonID: p.ID, Programme: assistance.Tekun, Consent: true, Office: "牧野区民政局",
			Screening: assistance.Screening{NoWorkCapacity: true, NoIncome: true, NoSupporter: true}})
		if err != nil {
			t.Fatal(err)
		}
		// working days after 30 Sept: Thu 8 Oct (1), Fri 9 Oct (2), Sat 10 Oct in lieu (3): due at the end of 10 October
		want := time.Date(2026, 10, 11, 0, 0, 0, 0, cases.CST)
		if !r.DueAt.Equal(want) {
			t.Fatalf("due %v, want %v", r.DueAt.In(cases.CST), want)
		}
		for _, c := range []struct {
			at    time.Time
			state string
			shown bool
		}{
			{time.Date(2026, 10, 7, 12, 0, 0, 0, cases.CST), "open", false}, // the holidays do not count
			{time.Date(2026, 10, 10, 9, 0, 0, 0, cases.CST), "due_soon", true},
			{time.Date(2026, 10, 11, 0, 0, 0, 0, cases.CST), "due_soon", true}, // the deadline itself is not late
			{time.Date(2026, 10, 11, 0, 0, 1, 0, cases.CST), "overdue", true},
		} {
			now = c.at
			rs, err := svc.Reminders(ctx, staff, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) == 1 != c.shown || c.shown && rs[0].Reminder != c.state {
				t.Errorf("at %v: reminders %d %+v, want shown=%v %s", c.at, len(rs), rs, c.shown, c.state)
			}
			if s := r.ReminderState(c.at); s != c.state {
				t.Errorf("at %v: state %s, want %s", c.at, s, c.state)
			}
		}
		// an answer ends the reminder
		if _, err := svc.Answer(ctx, staff, r.ID, assistance.AnswerInput{Kind: assistance.AnswerAccept}); err != nil {
			t.Fatal(err)
		}
		if rs, _ := svc.Reminders(ctx, staff, 10); len(rs) != 0 {
			t.Errorf("reminders after the answer: %+v", rs)
		}
	})
}

// The linked duties: a stay beyond 10 days needs its extension, an
// unidentified person beyond 3 months 落户 and then enrolment, which a
// 特困 referral fulfils.
func TestStayDuties(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 6, 15, 10, 0, 0, 0, cases.CST)
		svc := &assistance.Service{Store: db, Audit: db, Now: func() time.Time { return now }, Rules: assistance.Defaults, Calendar: cases.Defaults}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		_, short := admitForTest(t, db, "短住", now.AddDate(0, 0, -5), false)
		_, ten := admitForTest(t, db, "十一天", now.AddDate(0, 0, -11), false)
		lost, long := admitForTest(t, db, "无名氏", now.AddDate(0, -4, 0), true)
		kinds := func() map[string][]string {
			ds, err := svc.StayDuties(ctx, staff, 50)
			if err != nil {
				t.Fatal(err)
			}
			m := map[string][]string{}
			for _, d := range ds {
				m[d.StayID] = append(m[d.StayID], d.Kind+":"+d.State)
			}
			return m
		}
		m := kinds()
		if len(m[short.ID]) != 0 || len(m[ten.ID]) != 1 || m[ten.ID][0] != "extension:overdue" || len(m[long.ID]) != 2 {
			t.Fatalf("duties: %v", m)
		}
		if err := svc.DoStayDuty(ctx, staff, long.ID, assistance.DutyHukou, "卫滨区派出所"); err != nil {
			t.Fatal(err)
		}
		if err := svc.DoStayDuty(ctx, staff, long.ID, assistance.DutyHukou, ""); !errs.Is(errs.Conflict, err) {
			t.Errorf("done twice: %v", err)
		}
		if err := svc.DoStayDuty(ctx, auth.Actor{UserID: "f", Role: auth.RoleFinance}, ten.ID, assistance.DutyExtension, ""); !errs.Is(errs.Forbidden, err) {
			t.Errorf("finance marks a duty: %v", err)
		}
		now = now.AddDate(0, 0, 30) // enrolment due 30 days after 落户
		m = kinds()
		if got := m[long.ID]; len(got) != 2 || got[0] != "extension:overdue" || got[1] != "enrolment:due_soon" {
			t.Fatalf("after 落户: %v", got)
		}
		if _, err := svc.Refer(ctx, staff, assistance.Input{PersonID: lost.ID, StayID: long.ID, Programme: assistance.Tekun, Consent: true, Office: "卫滨区民政局"}); err != nil {
			t.Fatal(err)
		}
		if got := kinds()[long.ID]; len(got) != 1 || got[0] != "extension:overdue" {
			t.Errorf("after the 特困 referral: %v", got)
		}
	})
}

// A donation given for a purpose pays only expenses of that line and
// never more than it brought; paying another purpose is refused at the
// request and, should the request have got through, at the payment.
func TestRestrictedDonations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &funds.Service{Store: db, Audit: db, Now: time.Now}
		vs := &volunteers.Service{Store: db, Now: time.Now}
		fin := auth.Actor{UserID: "f", Name: "孙静", Role: auth.RoleFinance}
		lead := auth.Actor{UserID: "l", Name: "郑国华", Role: auth.RoleLeader}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		dept := &auth.Department{ID: id.New(), Name: "救助站", Kind: "station", CreatedAt: time.Now()}
		if err := db.CreateDepartment(ctx, dept, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		b, err := svc.CreateBudget(ctx, fin, funds.BudgetInput{DepartmentID: dept.ID, Year: time.Now().In(funds.CST).Year(), ApprovedBy: "批复",
			Lines: []funds.LineInput{{Code: funds.LineFood, AmountFen: 10000_00}, {Code: funds.LineClothing, AmountFen: 10000_00}}})
		if err != nil {
			t.Fatal(err)
		}
		food, clothing := b.Lines[0], b.Lines[1]
		d, err := vs.AddDonation(ctx, staff, volunteers.Donation{Donor: "爱心企业", AmountFen: 500_00, Purpose: "冬衣", PurposeCode: funds.LineClothing})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vs.AddDonation(ctx, staff, volunteers.Donation{Donor: "x", AmountFen: 1_00, PurposeCode: "beer"}); errs.FieldsOf(err)["purpose_code"] == "" {
			t.Errorf("an unknown purpose: %v", err)
		}
		// another purpose: refused at the request
		_, err = svc.Request(ctx, staff, funds.ExpenseInput{LineID: food.ID, AmountFen: 100_00, Purpose: "午餐", DonationID: d.ID})
		if errs.FieldsOf(err)["donation_id"] != "funds.err.restricted_purpose" {
			t.Errorf("food from a clothing donation: %v", err)
		}
		// more than it brought: refused
		_, err = svc.Request(ctx, staff, funds.ExpenseInput{LineID: clothing.ID, AmountFen: 500_01, Purpose: "棉被", DonationID: d.ID})
		if errs.FieldsOf(err)["donation_id"] != "funds.err.restricted_left" {
			t.Errorf("more than the donation: %v", err)
		}
		x, err := svc.Request(ctx, staff, funds.ExpenseInput{LineID: clothing.ID, AmountFen: 300_00, Purpose: "棉被", DonationID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		y, err := svc.Request(ctx, staff, funds.ExpenseInput{LineID: clothing.ID, AmountFen: 300_00, Purpose: "棉衣", DonationID: d.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ApproveMany(ctx, lead, []string{x.ID, y.ID}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Pay(ctx, fin, x.ID); err != nil {
			t.Fatal(err)
		}
		// the second would take the donation past what it brought: the
		// payment is refused and nothing moves
		if _, err := svc.Pay(ctx, fin, y.ID); !errs.Is(errs.Conflict, err) || errs.MessageOf(err) != "funds.err.restricted" {
			t.Errorf("paying past the donation: %v", err)
		}
		rf, err := db.RestrictedByID(ctx, d.ID)
		if err != nil || rf.SpentFen != 300_00 || rf.Left() != 200_00 || rf.Purpose != funds.LineClothing {
			t.Fatalf("restricted after: %+v %v", rf, err)
		}
		if l, _ := db.LineByID(ctx, clothing.ID); l.SpentFen != 300_00 {
			t.Errorf("clothing line spent %d", l.SpentFen)
		}
		// a paid expense of a restricted donation is not moved to another line
		if _, err := svc.Reclassify(ctx, fin, x.ID, food.ID, "记错科目"); errs.FieldsOf(err)["line_id"] != "funds.err.restricted_purpose" {
			t.Errorf("reclassifying a restricted payment: %v", err)
		}
		// a refund goes back to the donation
		if _, err := svc.Refund(ctx, fin, x.ID, 50_00, "退货"); err != nil {
			t.Fatal(err)
		}
		if rf, _ := db.RestrictedByID(ctx, d.ID); rf.SpentFen != 250_00 {
			t.Errorf("after the refund: %+v", rf)
		}
		if got, _ := svc.Expense(ctx, fin, x.ID); got.DonationID != d.ID {
			t.Errorf("expense names its donation: %+v", got)
		}
		// the database holds the amount too
		if err := store.TamperLedgerForTest(ctx, db, "UPDATE restricted_funds SET spent_fen = amount_fen + 1"); err == nil {
			t.Errorf("spending past a restricted donation accepted by the database")
		}
	})
}

// A hospital's bill of a green-channel referral records the share claimed
// from 医疗救助, at most the bill.
func TestMedicalBill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		svc := &funds.Service{Store: db, Audit: db, Now: time.Now}
		fin := auth.Actor{UserID: "f", Name: "孙静", Role: auth.RoleFinance}
		staff := auth.Actor{UserID: "s", Name: "赵敏", Role: auth.RoleStaff}
		dept := &auth.Department{ID: id.New(), Name: "救助站", Kind: "station", CreatedAt: time.Now()}
		if err := db.CreateDepartment(ctx, dept, audit.Entry{}); err != nil {
			t.Fatal(err)
		}
		b, err := svc.CreateBudget(ctx, fin, funds.BudgetInput{DepartmentID: dept.ID, Year: time.Now().In(funds.CST).Year(), ApprovedBy: "批复",
			Lines: []funds.LineInput{{Code: funds.LineMedical, AmountFen: 10000_00}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Request(ctx, staff, funds.ExpenseInput{LineID: b.Lines[0].ID, AmountFen: 100_00, Purpose: "住院", HealthReferralID: "nope", MedicalAidFen: 100_01}); errs.FieldsOf(err)["medical_aid"] != "funds.err.aid_above_bill" {
			t.Errorf("a share above the bill: %v", err)
		}
		if _, err := svc.Request(ctx, staff, funds.ExpenseInput{LineID: b.Lines[0].ID, AmountFen: 100_00, Purpose: "住院", HealthReferralID: "nope", MedicalAidFen: 50_00}); errs.FieldsOf(err)["health_referral_id"] != "err.not_found" {
			t.Errorf("an unknown referral: %v", err)
		}
	})
}
