package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/volunteers"
)

// SeedPortal adds the public portal's demo: three published articles
// (news, policy explained, a reunion told with the family's consent),
// one waiting for the leader's approval, the next 6·19 open day with two
// registrations, an application to volunteer, and publicity log entries.
func SeedPortal(ctx context.Context, ps *portal.Service, vs *volunteers.Service, now time.Time) error {
	staff, leader := as("staff"), as("leader")
	for _, in := range []portal.ArticleInput{
		{Category: portal.CatNews, Title: "寒冬送温暖：全市避寒点已开放", Summary: "火车站、汽车站附近避寒点 24 小时开放，提供热水、热饭和棉被。",
			Body: "## 避寒点已开放\n\n入冬以来，新乡市救助管理站启动**寒冬送温暖**专项救助行动，火车站、汽车站附近的避寒点 24 小时开放。\n\n- 提供热水、热饭、棉衣棉被\n- 生病受伤的及时送医\n- 帮助联系家人、提供返乡车票\n\n发现需要帮助的人，请拨打 24 小时救助热线 0373-5089797。"},
		{Category: portal.CatPolicy, Title: "政策解读：救助是免费的、自愿的", Summary: "《城市生活无着的流浪乞讨人员救助管理办法》要点。",
			Body: "根据《城市生活无着的流浪乞讨人员救助管理办法》，救助站对受助人员**不收取任何费用**，受助人员可以随时离开。\n\n救助内容包括：提供符合食品卫生要求的食物、提供符合基本条件的住处、对在站内突发疾病的及时送医院救治、帮助与其亲属或者所在单位联系、提供返回住所地或者所在单位的乘车凭证。"},
		{Category: portal.CatReunion, Title: "走失二十年，张大爷回家了", Summary: "经人脸比对和 DNA 鉴定，张大爷与家人团聚。", Consent: true,
			Body: "在家属同意下，我们讲述张大爷的回家路。\n\n今年春天，巡查队员在火车站附近发现了张大爷。经过寻亲公告、人脸比对和 DNA 鉴定，家人终于找到了他。"},
	} {
		ar, err := ps.Save(ctx, staff, "", 0, in)
		if err != nil {
			return fmt.Errorf("demo article: %v", err)
		}
		if ar, err = ps.Submit(ctx, staff, ar.ID, ar.Version); err != nil {
			return fmt.Errorf("demo article: %v", err)
		}
		if _, err = ps.Approve(ctx, leader, ar.ID, ar.Version); err != nil {
			return fmt.Errorf("demo article: %v", err)
		}
	}
	pending, err := ps.Save(ctx, staff, "", 0, portal.ArticleInput{Category: portal.CatNotice, Title: "6·19 救助管理机构开放日邀请", Summary: "欢迎市民走进救助站。",
		Body: "6 月 19 日是救助管理机构开放日。欢迎市民报名参观救助站，了解救助工作。"})
	if err != nil {
		return fmt.Errorf("demo article: %v", err)
	}
	if _, err := ps.Submit(ctx, staff, pending.ID, pending.Version); err != nil {
		return fmt.Errorf("demo article: %v", err)
	}
	// The next 6·19 open day, 09:00–16:00 China time.
	cst := time.FixedZone("CST", 8*3600)
	day := time.Date(now.In(cst).Year(), 6, 19, 9, 0, 0, 0, cst)
	if !day.After(now) {
		day = day.AddDate(1, 0, 0)
	}
	ev, err := ps.AddEvent(ctx, staff, portal.EventInput{Title: "6·19 救助管理机构开放日", Place: "新乡市救助管理站（红旗区）", StartsAt: day, EndsAt: day.Add(7 * time.Hour),
		Capacity: 80, Programme: "09:00 签到入场\n09:30 参观生活区、医务室和食堂\n10:30 救助工作介绍与寻亲故事分享\n11:30 志愿者招募咨询"})
	if err != nil {
		return fmt.Errorf("demo event: %v", err)
	}
	for i, name := range []string{"孙丽", "周明"} {
		if _, err := ps.Register(ctx, auth.Actor{IP: "203.0.113.7"}, ev.ID, name, fmt.Sprintf("1390373%04d", 7000+i)); err != nil {
			return fmt.Errorf("demo registration: %v", err)
		}
	}
	if _, err := vs.Apply(ctx, auth.Actor{IP: "203.0.113.8"}, volunteers.ApplicationInput{Name: "吴晓光", Phone: "13903737100", Skills: []string{"driving"},
		Availability: "周末夜间", Consent: true}); err != nil {
		return fmt.Errorf("demo application: %v", err)
	}
	day1 := now.In(cst).AddDate(0, 0, -10).Format(time.DateOnly)
	day2 := now.In(cst).AddDate(0, 0, -3).Format(time.DateOnly)
	for _, l := range []portal.LogEntry{
		{Kind: portal.LogActivity, OnDate: day1, Place: "新乡火车站广场", Title: "寒冬送温暖救助政策宣传", Materials: 300, Audience: 500},
		{Kind: portal.LogMaterials, OnDate: day1, Place: "平原路社区", Title: "发放救助热线求助卡", Materials: 200},
		{Kind: portal.LogMedia, OnDate: day2, Place: "新乡日报", Title: "寻亲专版：帮他们回家", Link: "https://example.org/xinxiang-daily"},
	} {
		if _, err := ps.AddLog(ctx, staff, l); err != nil {
			return fmt.Errorf("demo publicity log: %v", err)
		}
	}
	return nil
}
