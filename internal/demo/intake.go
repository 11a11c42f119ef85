package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/intake"
)

// Key is a demo API key printed at start.
type Key struct {
	Name, Key, Scopes, Use string
}

type hotspot struct {
	name, district string
	lat, lng       float64
}

// Hotspots of the demo city where signals come from.
var hotspots = []hotspot{
	{"新乡火车站南广场", "卫滨区", 35.3056, 113.8624},
	{"新乡汽车客运总站", "红旗区", 35.2946, 113.8843},
	{"新乡东站出站口", "红旗区", 35.2846, 113.9758},
	{"人民公园东门", "卫滨区", 35.3076, 113.8866},
	{"平原路地下通道", "红旗区", 35.2990, 113.8830},
	{"卫河胜利桥下", "牧野区", 35.3128, 113.8755},
	{"市第一人民医院门诊楼前", "卫滨区", 35.3020, 113.8920},
	{"宝龙广场西侧", "红旗区", 35.2888, 113.8989},
	{"牧野湖公园北门", "牧野区", 35.3260, 113.9052},
	{"新中大道涵洞", "红旗区", 35.2930, 113.9065},
}

var rules = []struct {
	name, district string
	poly           string
	codes          []string
	prio           int
}{
	{"未成年人专线", "", "", []string{"minor_alone"}, 5},
	{"卫滨区街面救助", "卫滨区", "35.290,113.820; 35.290,113.880; 35.330,113.880; 35.330,113.820", nil, 20},
	{"红旗区街面救助", "红旗区", "35.260,113.880; 35.260,114.000; 35.300,114.000; 35.300,113.880", nil, 20},
	{"牧野区街面救助", "牧野区", "35.300,113.880; 35.300,113.960; 35.350,113.960; 35.350,113.880", nil, 20},
	{"全市兜底", "", "", nil, 100},
}

// Deps are the services the intake demo uses.
type Deps struct {
	Auth     *auth.Service
	Intake   *intake.Service
	Partners *intake.Partners
	Now      func() time.Time
}

// SeedIntake adds the routing catalogue, partner API keys and a month of
// help signals across 新乡's hotspots from every channel. apiKey, when not
// empty, is the key of every demo partner and of the Open311 test client.
func SeedIntake(ctx context.Context, d Deps, apiKey string) ([]Key, error) {
	admin := auth.CLIActor()
	depts, err := d.Auth.Store.ListDepartments(ctx)
	if err != nil {
		return nil, err
	}
	station := ""
	for _, dp := range depts {
		if dp.Kind == "station" {
			station = dp.ID
		}
	}
	routing := admin
	routing.Role = auth.RoleDispatcher
	for _, r := range rules {
		poly, _ := intake.ParsePolygon(r.poly)
		if _, err := d.Intake.CreateRule(ctx, routing, intake.Rule{Name: r.name, DepartmentID: station, District: r.district, Polygon: poly, ServiceCodes: r.codes, Priority: r.prio}); err != nil {
			return nil, fmt.Errorf("demo routing rule %s: %w", r.name, err)
		}
	}
	var keys []Key
	partnerKey := map[intake.Channel]string{}
	keyActor := map[intake.Channel]auth.Actor{}
	var openKey string
	if apiKey != "" {
		full, k, err := d.Auth.CreateAPIKeyWithValue(ctx, admin, "演示对接(全部平台)", []string{"intake.read", "intake.write", "open311"}, "", apiKey)
		if err != nil {
			return nil, fmt.Errorf("HAVEN_DEMO_API_KEY: %w", err)
		}
		for _, ch := range intake.PartnerChannels {
			partnerKey[ch] = k.ID
			keyActor[ch] = auth.Actor{UserID: k.ID, Name: k.Name, Username: "apikey:" + k.Name, Role: auth.RolePartner, Scopes: k.Scopes}
		}
		openKey = full
		keys = append(keys, Key{Name: "12345 / 110 / 数字城管 / Open311", Key: full, Scopes: "intake.read intake.write open311", Use: "all demo partners"})
	} else {
		keyNames := map[intake.Channel]string{intake.Channel12345: "12345热线", intake.Channel110: "110指挥中心", intake.ChannelCity: "数字城管"}
		for _, ch := range intake.PartnerChannels {
			full, k, err := d.Auth.CreateAPIKey(ctx, admin, "演示-"+keyNames[ch], []string{"intake.read", "intake.write"}, "")
			if err != nil {
				return nil, err
			}
			partnerKey[ch] = k.ID
			keyActor[ch] = auth.Actor{UserID: k.ID, Name: k.Name, Username: "apikey:" + k.Name, Role: auth.RolePartner, Scopes: k.Scopes}
			keys = append(keys, Key{Name: string(ch), Key: full, Scopes: "intake.read intake.write", Use: "POST /api/v1/partners/" + string(ch) + "/workorders"})
		}
		full, _, err := d.Auth.CreateAPIKey(ctx, admin, "演示-Open311客户端", []string{"open311"}, "")
		if err != nil {
			return nil, err
		}
		openKey = full
		keys = append(keys, Key{Name: "open311", Key: full, Scopes: "open311", Use: "POST /open311/v2/requests.json (api_key=…)"})
	}
	ps, err := d.Partners.Store.ListPartners(ctx)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if _, err := d.Partners.Update(ctx, admin, p.Code, intake.PartnerEdit{APIKeyID: partnerKey[p.Code], Mapping: p.Mapping}); err != nil {
			return nil, fmt.Errorf("demo partner %s: %w", p.Code, err)
		}
	}
	_ = openKey
	if err := seedSignals(ctx, d, keyActor); err != nil {
		return nil, err
	}
	if err := seedAddressOnly(ctx, d); err != nil {
		return nil, err
	}
	return keys, nil
}

// seedAddressOnly files two public reports without a phone location, as
// many are: one whose address the gazetteer places (约在：人民公园附近), one
// it cannot (位置待定), for the dispatcher to place and assign by hand.
func seedAddressOnly(ctx context.Context, d Deps) error {
	now := d.Now().UTC()
	for _, in := range []intake.Input{
		{ServiceCode: "distress", Address: "人民公园东门附近", Description: "有人躺在长椅上，叫了几声没有反应", ReportedAt: now.Add(-20 * time.Minute)},
		{ServiceCode: "distress", Address: "城东一个小区门口", Description: "一位老人在门口坐了一天，说不清家在哪里", ReportedAt: now.Add(-35 * time.Minute)},
	} {
		in.Channel = intake.ChannelPublic
		if _, err := d.Intake.Submit(ctx, auth.Actor{IP: "local"}, in); err != nil {
			return fmt.Errorf("demo address-only report: %w", err)
		}
	}
	return nil
}

// What the demo's signals are about, say, end with and come by.
var (
	signalKinds = []string{"rough_sleeping", "begging", "distress", "rough_sleeping", "weather_exposure", "mental_illness", "injured", "minor_alone", "rough_sleeping", "begging"}
	signalTexts = []string{"一名中年男子在此露宿,衣着单薄", "老人在路边乞讨,精神状态差", "外地务工人员钱包被盗,无法返乡", "两人在桥洞下过夜",
		"寒潮中有人躺在地上", "一名女子言行异常,自言自语", "有人腿部受伤,行走困难", "一个十岁左右的孩子独自在车站徘徊", "长期在此露宿的老人", "残疾人在此乞讨"}
	signalOutcomes = []intake.Outcome{intake.OutcomeToStation, intake.OutcomeHelped, intake.OutcomeRefused, intake.OutcomeHelped, intake.OutcomeNotFound,
		intake.OutcomeHospital, intake.OutcomeToStation, intake.OutcomeAlreadyKnown, intake.OutcomePolice}
	signalChannels = []intake.Channel{intake.Channel12345, intake.ChannelPublic, intake.Channel110, intake.ChannelHotline, intake.ChannelCity, intake.ChannelPatrol, intake.ChannelOpen311}
)

// seedSignals files a month of signals, oldest first, and closes most of
// the older incidents with an outcome, as the station would have.
func seedSignals(ctx context.Context, d Deps, keyActor map[intake.Channel]auth.Actor) error {
	now := d.Now().UTC()
	dispatcher := auth.Actor{UserID: "demo-dispatcher", Name: "dispatcher", Role: auth.RoleDispatcher, IP: "local"}
	patrol := auth.Actor{UserID: "demo-patrol", Name: "patrol", Role: auth.RolePatrol, IP: "local"}
	kinds, texts, outcomes, channels := signalKinds, signalTexts, signalOutcomes, signalChannels
	var opened []*intake.Incident
	n := 0
	for day := 28; day >= 0; day-- {
		perDay := 3 + (day*7)%3
		for k := 0; k < perDay; k++ {
			n++
			// Signals come in pairs from different channels about the
			// same person: the second merges into the first (并单).
			pair := (n + 1) / 2
			h := hotspots[(pair*3+day)%len(hotspots)]
			kind := kinds[(pair+day)%len(kinds)]
			ch := channels[n%len(channels)]
			at := now.Add(-time.Duration(day)*24*time.Hour - time.Duration(10+(k/2)*3)*time.Hour + time.Duration(k%2)*12*time.Minute)
			if at.After(now) {
				at = now.Add(-time.Duration(k+1) * 10 * time.Minute)
			}
			lat, lng := h.lat+float64(k%3)*0.0004, h.lng
			in := intake.Input{Channel: ch, ServiceCode: kind, Description: texts[(pair+day)%len(texts)], Lat: &lat, Lng: &lng, Address: h.name, ReportedAt: at}
			var res *intake.Result
			var err error
			switch ch {
			case intake.Channel12345, intake.Channel110, intake.ChannelCity:
				res, err = d.Partners.ReceiveWorkOrder(ctx, keyActor[ch], ch, workOrder(ch, n, kind, in))
			case intake.ChannelHotline:
				in.Reporter, in.Phone = "市民", "1393730"+fmt.Sprintf("%04d", n)
				res, err = d.Intake.Submit(ctx, dispatcher, in)
			case intake.ChannelPatrol:
				res, err = d.Intake.Submit(ctx, patrol, in)
			case intake.ChannelOpen311:
				a := keyActor[intake.Channel12345]
				a.Scopes = []string{"open311"}
				in.ExternalID = fmt.Sprintf("o311-%d", n)
				res, err = d.Intake.Submit(ctx, a, in)
				if err != nil {
					// Without a shared demo key the 12345 key lacks the
					// open311 scope; file it from the public page instead.
					in.Channel = intake.ChannelPublic
					res, err = d.Intake.Submit(ctx, auth.Actor{IP: "local"}, in)
				}
			default:
				in.Phone = "1583730" + fmt.Sprintf("%04d", n)
				res, err = d.Intake.Submit(ctx, auth.Actor{IP: "local"}, in)
			}
			if err != nil {
				return fmt.Errorf("demo signal %d (%s): %w", n, ch, err)
			}
			if !res.Merged {
				opened = append(opened, res.Incident)
			}
		}
		if err := advance(ctx, d, dispatcher, opened, outcomes, now, true); err != nil {
			return err
		}
	}
	// What is still open at the end stays at various steps, so the board
	// has work.
	return advance(ctx, d, dispatcher, opened, outcomes, now, false)
}

// advance moves incidents along the 12345 loop. With onlyOld it closes
// those more than two days old (run after each seeded day, so that later
// signals at the same place find them and get the "already known" hint).
func advance(ctx context.Context, d Deps, dispatcher auth.Actor, opened []*intake.Incident, outcomes []intake.Outcome, now time.Time, onlyOld bool) error {
	for i, inc := range opened {
		cur, err := d.Intake.Store.IncidentByID(ctx, inc.ID)
		if err != nil || !cur.State.Open() {
			continue
		}
		age := now.Sub(cur.OpenedAt)
		if onlyOld && age < 48*time.Hour {
			continue
		}
		steps := []intake.State{intake.StateDispatched, intake.StateInProgress, intake.StateReplied, intake.StateClosed}
		switch {
		case age < 6*time.Hour:
			steps = steps[:i%2]
		case age < 48*time.Hour:
			steps = steps[:1+i%3]
		}
		for _, st := range steps {
			if st == cur.State {
				continue
			}
			u := intake.StatusUpdate{Version: cur.Version, State: st}
			if st == intake.StateReplied || st == intake.StateClosed {
				u.Outcome = outcomes[i%len(outcomes)]
				u.StatusNotes = "巡查队已到场处置。"
			}
			cur, err = d.Intake.Update(ctx, dispatcher, cur.ID, u)
			if err != nil {
				return fmt.Errorf("demo incident %s: %w", inc.Ref, err)
			}
		}
	}
	return nil
}

// workOrder writes a signal in a partner's own JSON format, so the demo
// exercises the field mappings.
func workOrder(ch intake.Channel, n int, kind string, in intake.Input) []byte {
	cat := map[string]string{"rough_sleeping": "露宿街头", "begging": "流浪乞讨", "distress": "临时遇困", "minor_alone": "未成年人",
		"mental_illness": "精神异常", "injured": "伤病", "weather_exposure": "寒潮高温"}[kind]
	local := in.ReportedAt.In(intake.ChinaTime)
	var v any
	switch ch {
	case intake.Channel12345:
		v = map[string]any{"order_no": fmt.Sprintf("XX12345-%s-%04d", local.Format("20060102"), n), "category": cat, "content": in.Description,
			"location": map[string]any{"lat": *in.Lat, "lng": *in.Lng}, "address": in.Address,
			"caller": map[string]any{"phone": "1303730" + fmt.Sprintf("%04d", n), "name": "市民"}, "accept_time": local.Format("2006-01-02 15:04:05")}
	case intake.Channel110:
		v = map[string]any{"jjdbh": fmt.Sprintf("410700%s%05d", local.Format("20060102"), n), "ajlx": "求助-" + map[string]string{"begging": "流浪乞讨", "minor_alone": "走失儿童", "mental_illness": "精神病人", "injured": "伤病"}[kind],
			"bjnr": in.Description, "wd": *in.Lat, "jd": *in.Lng, "fadz": in.Address, "bjrdh": "1353730" + fmt.Sprintf("%04d", n), "bjrxm": "报警人", "bjsj": local.Format("20060102150405")}
	default:
		glat, glng := intake.WGS84ToGCJ02(*in.Lat, *in.Lng)
		v = map[string]any{"case": map[string]any{"id": fmt.Sprintf("SZCG%s%04d", local.Format("060102"), n), "subtype": "街面秩序-露宿", "desc": in.Description,
			"point": []float64{glng, glat}, "addr": in.Address, "report_time": local.Format("2006-01-02 15:04:05")}}
	}
	b, _ := json.Marshal(v)
	return b
}
