package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/volunteers"
)

// AssistanceDeps are the services SeedAssistance uses.
type AssistanceDeps struct {
	Auth       *auth.Service
	Assistance *assistance.Service
	Funds      *funds.Service
	Cases      *cases.Service
	Health     *health.Service
	Volunteers *volunteers.Service
}

// SeedAssistance adds the social-assistance side of the demo: a donation
// for the canteen (restricted to food) part of which paid the Spring
// Festival meals; referrals of people in care to 低保, 特困, 临时救助 and
// 医疗救助 in every state, one of them past its answer deadline; the
// hospital bills of two green-channel referrals with the share claimed
// from 医疗救助; and the linked duties of two long stays marked done. It
// runs after SeedVolunteers, SeedSpending and SeedCases.
func SeedAssistance(ctx context.Context, d AssistanceDeps, now time.Time) error {
	staff, err := demoActor(ctx, d.Auth, "staff")
	if err != nil {
		return err
	}
	fin, err := demoActor(ctx, d.Auth, "finance")
	if err != nil {
		return err
	}
	cashier, err := demoActor(ctx, d.Auth, "cashier")
	if err != nil {
		return err
	}
	// A donation restricted to food, part of it spent on food.
	don, err := d.Volunteers.AddDonation(ctx, as("volunteer"), volunteers.Donation{Donor: "牧野区爱心志愿者协会", AmountFen: 8_000_00,
		Purpose: "受助人员春节加餐", ReceiptNo: "MYAX-2026-007", PurposeCode: funds.LineFood})
	if err != nil {
		return fmt.Errorf("demo donation: %v", err)
	}
	bs, err := d.Funds.Store.Budgets(ctx, now.In(funds.CST).Year())
	if err != nil || len(bs) == 0 {
		return err
	}
	line := map[string]*funds.Line{}
	for _, l := range bs[0].Lines {
		line[l.Code] = l
	}
	pay := func(in funds.ExpenseInput) error {
		x, err := d.Funds.Request(ctx, staff, in)
		if err != nil {
			return fmt.Errorf("demo %s: %v", in.Purpose, err)
		}
		if _, err := d.Funds.Approve(ctx, fin, x.ID); err != nil {
			return err
		}
		_, err = d.Funds.Pay(ctx, cashier, x.ID)
		return err
	}
	if err := pay(funds.ExpenseInput{LineID: line[funds.LineFood].ID, AmountFen: 2_460_00, Purpose: "春节加餐（饺子、肉菜）", Payee: "新乡市惠民副食品店",
		DonationID: don.ID}); err != nil {
		return err
	}
	// The hospital bills of two green-channel referrals.
	refs, err := d.Health.Referrals(ctx, auth.Actor{Name: "demo", Role: auth.RoleMedical}, true)
	if err != nil {
		return err
	}
	for i, r := range refs {
		if i == 2 {
			break
		}
		bill, aid := []int64{3_860_50, 1_240_00}[i], []int64{2_700_00, 860_00}[i]
		if err := pay(funds.ExpenseInput{LineID: line[funds.LineMedical].ID, AmountFen: bill, Purpose: "绿色通道住院费用（医院账单）", Payee: r.Hospital.Name,
			PersonID: r.PersonID, StayID: r.StayID, HealthReferralID: r.ID, MedicalAidFen: aid}); err != nil {
			return err
		}
	}
	// Referrals of people in care.
	stays, err := d.Cases.Store.OpenStaysPage(ctx, 50, 0)
	if err != nil {
		return err
	}
	if len(stays) < 5 {
		return nil
	}
	at := func(t time.Time) *assistance.Service {
		c := *d.Assistance
		c.Now = func() time.Time { return t }
		return &c
	}
	day := 24 * time.Hour
	referrals := []struct {
		ago    time.Duration
		in     assistance.Input
		answer []assistance.AnswerInput
	}{
		{2 * day, assistance.Input{Programme: assistance.Tekun, Office: "卫滨区民政局",
			Screening: assistance.Screening{NoWorkCapacity: true, NoIncome: true, NoSupporter: true}}, nil},
		// sent three weeks ago and never answered: past its deadline
		{21 * day, assistance.Input{Programme: assistance.Dibao, Office: "延津县东屯镇人民政府",
			Screening: assistance.Screening{IncomePerPersonFen: 310_00, HouseholdSize: 2, AssetsWithinLimits: true}}, nil},
		{9 * day, assistance.Input{Programme: assistance.Temporary, Office: "红旗区民政局",
			Screening: assistance.Screening{SuddenHardship: true, Hardship: "务工途中钱物被盗，无力返乡", RequestedFen: 1_500_00}},
			[]assistance.AnswerInput{{Kind: assistance.AnswerAccept, By: "红旗区社会救助中心"}}},
		{30 * day, assistance.Input{Programme: assistance.Medical, Office: "新乡市医疗保障局",
			Screening: assistance.Screening{MedicalCostFen: 12_400_00}},
			[]assistance.AnswerInput{{Kind: assistance.AnswerAccept}, {Kind: assistance.AnswerApprove, AmountFen: 8_680_00,
				StartOn: now.In(cases.CST).AddDate(0, 0, -10).Format("2006-01-02"), By: "市医保局救助科"}}},
		{40 * day, assistance.Input{Programme: assistance.Dibao, Office: "获嘉县民政局",
			Screening: assistance.Screening{IncomePerPersonFen: 900_00, HouseholdSize: 3}},
			[]assistance.AnswerInput{{Kind: assistance.AnswerRefuse, Reason: "家庭人均收入高于当地低保标准", By: "获嘉县民政局"}}},
	}
	for i, rf := range referrals {
		st := stays[i]
		ps, err := d.Cases.Store.PeopleByIDs(ctx, []string{st.PersonID})
		if err != nil || len(ps) == 0 {
			return err
		}
		p := ps[0]
		in := rf.in
		in.PersonID, in.StayID, in.Consent, in.Region = p.ID, st.ID, true, p.IDRegion
		if in.Region == "" {
			in.Region = p.Hukou
		}
		sent := now.Add(-rf.ago)
		r, err := at(sent).Refer(ctx, staff, in)
		if err != nil {
			return fmt.Errorf("demo referral %d: %v", i, err)
		}
		for j, a := range rf.answer {
			if _, err := at(sent.Add(time.Duration(3+2*j)*day)).Answer(ctx, staff, r.ID, a); err != nil {
				return fmt.Errorf("demo referral %d answer: %v", i, err)
			}
		}
	}
	// Linked duties: the longest stays' extensions filed, and for an
	// unidentified person in care past 3 months, 落户 done.
	for _, st := range stays[:2] {
		if now.Sub(st.ArrivedAt) > 12*day {
			if err := at(st.ArrivedAt.Add(9*day)).DoStayDuty(ctx, staff, st.ID, assistance.DutyExtension, "新民救〔延〕号报备"); err != nil {
				return err
			}
		}
	}
	for _, st := range stays {
		if st.Unidentified && now.Sub(st.ArrivedAt) > 100*day {
			return at(st.ArrivedAt.Add(95*day)).DoStayDuty(ctx, staff, st.ID, assistance.DutyHukou, "集体户落户（卫滨区派出所）")
		}
	}
	return nil
}
