package demo

import (
	"context"
	"fmt"
	"github.com/havenrescue/haven/internal/funds"
	"time"

	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
)

// SeedVolunteers adds two charities and a volunteer team, their
// volunteers, shifts on night patrols, at the railway-station shelter and
// on the next 6·19 open day (some signed up, past ones attended), and a
// money donation for the winter campaign.
func SeedVolunteers(ctx context.Context, vs *volunteers.Service, now time.Time) error {
	coord := as("volunteer")
	orgs := map[string]*volunteers.Organisation{}
	for _, o := range []volunteers.Organisation{
		{Name: "新乡市慈善总会", Kind: "charity", Contact: "刘会长", Phone: "0373-2021234", Agreement: "寒冬送温暖物资捐赠协议", AgreedTo: fmt.Sprintf("%d-03-31", now.Year()+1)},
		{Name: "牧野区爱心志愿者协会", Kind: "charity", Contact: "陈秘书长", Phone: "13903735501", Agreement: "街面巡查志愿服务协议", AgreedTo: fmt.Sprintf("%d-12-31", now.Year())},
		{Name: "新乡学院青年志愿服务队", Kind: "volunteer_team", Contact: "团委王老师", Phone: "13903735502"},
	} {
		x, err := vs.AddOrganisation(ctx, coord, o)
		if err != nil {
			return fmt.Errorf("demo organisation: %v", err)
		}
		orgs[o.Name] = x
	}
	var ids []string
	for i, v := range []volunteers.VolunteerInput{
		{Name: "陈建华", OrgID: orgs["牧野区爱心志愿者协会"].ID, Skills: []string{"driving", "dialect"}, Availability: "周五、周六夜间"},
		{Name: "李秀英", OrgID: orgs["牧野区爱心志愿者协会"].ID, Skills: []string{"medical"}, Availability: "周末白天"},
		{Name: "王小龙", OrgID: orgs["新乡学院青年志愿服务队"].ID, Skills: []string{"photo"}, Availability: "寒暑假"},
		{Name: "张海燕", OrgID: orgs["新乡学院青年志愿服务队"].ID, Skills: []string{"psychology"}, Availability: "每周三晚"},
		{Name: "赵德胜", OrgID: orgs["新乡市慈善总会"].ID, Skills: []string{"cooking", "haircut"}, Availability: "每月第一个周六"},
	} {
		v.Phone = fmt.Sprintf("1390373%04d", 6000+i)
		x, err := vs.AddVolunteer(ctx, coord, v)
		if err != nil {
			return fmt.Errorf("demo volunteer: %v", err)
		}
		ids = append(ids, x.ID)
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	openDay := time.Date(now.Year(), 6, 19, 9, 0, 0, 0, day.Location())
	if openDay.Before(now) {
		openDay = openDay.AddDate(1, 0, 0)
	}
	targets, err := vs.Targets(ctx)
	if err != nil {
		return err
	}
	ref := map[string]string{}
	for _, t := range targets {
		ref[t.Name] = t.ID
	}
	shifts := []volunteers.Shift{
		{Title: "夜间街面巡查（随一车）", Kind: "patrol", Ref: ref["救助站巡查1队"], StartsAt: day.AddDate(0, 0, -3).Add(20 * time.Hour), EndsAt: day.AddDate(0, 0, -2).Add(time.Hour), Places: 2},
		{Title: "夜间街面巡查（随一车）", Kind: "patrol", Ref: ref["救助站巡查1队"], StartsAt: day.Add(20 * time.Hour), EndsAt: day.AddDate(0, 0, 1).Add(time.Hour), Places: 2},
		{Title: "火车站避寒点值守", Kind: "point", Ref: ref["火车站避寒点"], StartsAt: day.AddDate(0, 0, 1).Add(18 * time.Hour), EndsAt: day.AddDate(0, 0, 1).Add(22 * time.Hour), Places: 3},
		{Title: "6·19 救助管理机构开放日接待", Kind: "event", Ref: "6·19 开放日", StartsAt: openDay, EndsAt: openDay.Add(3 * time.Hour), Places: 10},
	}
	for i, sh := range shifts {
		x, err := vs.AddShift(ctx, coord, sh)
		if err != nil {
			return fmt.Errorf("demo shift: %v", err)
		}
		for j := 0; j < 2 && j < sh.Places; j++ {
			if err := vs.SignUp(ctx, coord, x.ID, ids[(i+j)%len(ids)]); err != nil {
				return err
			}
			if i == 0 {
				if err := vs.Attend(ctx, coord, x.ID, ids[(i+j)%len(ids)], 0); err != nil {
					return err
				}
			}
		}
	}
	_, err = vs.AddDonation(ctx, coord, volunteers.Donation{Donor: "新乡市慈善总会", OrgID: orgs["新乡市慈善总会"].ID, AmountFen: 5000000,
		Purpose: "寒冬送温暖：棉衣棉被采购", ReceiptNo: "XXCS-2026-118", PurposeCode: funds.LineClothing,
		Thanks: thanks.Consent{Mode: thanks.Named, Name: "新乡市慈善总会"}})
	return err
}
