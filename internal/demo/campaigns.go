package demo

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/points"
)

// SeedCampaigns starts the campaign of the season the demo runs in — 寒冬送温暖
// from November to March, 夏季送清凉 from June to September — begun two
// weeks ago; in spring and autumn none runs.
func SeedCampaigns(ctx context.Context, cs *campaigns.Service, now time.Time) error {
	staff := as("staff")
	cst := now.In(points.CST)
	in := campaigns.Input{StartsOn: cst.AddDate(0, 0, -14).Format(time.DateOnly), EndsOn: cst.AddDate(0, 0, 100).Format(time.DateOnly)}
	switch cst.Month() {
	case time.November, time.December, time.January, time.February, time.March:
		in.Kind, in.Name, in.Note = campaigns.Winter, "寒冬送温暖专项救助行动", "避寒点随行动开放；棉被每人每季一床"
	case time.June, time.July, time.August, time.September:
		in.Kind, in.Name, in.Note = campaigns.Summer, "夏季送清凉专项救助行动", "避暑点随行动开放"
	default:
		return nil
	}
	_, err := cs.Start(ctx, staff, in)
	return err
}

// SeedLiaison adds the liaison officer of the 人民路 福彩 point, bound to
// it, and a few lines of its duty log.
func SeedLiaison(ctx context.Context, s *auth.Service, ps *points.Service, password string) (Account, error) {
	staff := as("staff")
	all, err := ps.All(ctx, staff)
	if err != nil {
		return Account{}, err
	}
	var point *points.Point
	for _, p := range all {
		if p.Name == "福彩救助点（人民路）" {
			point = p
		}
	}
	depts, err := s.Store.ListDepartments(ctx)
	if err != nil {
		return Account{}, err
	}
	var dept *auth.Department
	for _, d := range depts {
		if d.Kind == "station" {
			dept = d
		}
	}
	if point == nil || dept == nil {
		return Account{}, nil
	}
	if password == "" {
		password = RandomPassword()
	}
	a := auth.CLIActor()
	u, err := s.CreateUser(ctx, a, auth.NewUser{Username: "liaison", DisplayName: "孙丽", Role: auth.RoleLiaison, DepartmentID: dept.ID,
		PointID: point.ID, Phone: "13903731001", Password: password})
	if err != nil {
		return Account{}, err
	}
	me := auth.ActorFor(u, "")
	for _, l := range []points.LogInput{{Kind: points.LogGuided, People: 1, Note: "外地务工人员钱包被盗，指引至救助站"},
		{Kind: points.LogNote, Note: "门口暖风机已检修"}, {Kind: points.LogGuided, People: 2, Note: "两位老人，站车接走"}} {
		if _, err := ps.Log(ctx, me, point.ID, l); err != nil {
			return Account{}, err
		}
	}
	return Account{Username: u.Username, Password: password, Role: u.Role, Name: u.DisplayName, Department: dept.Name}, nil
}
