package demo

import (
	"context"
	"fmt"

	"github.com/havenrescue/haven/internal/points"
)

// SeedPoints adds the station, the city's 20 help points at
// welfare-lottery (福彩) outlets, the winter warming shelters and summer
// cooling points of the campaigns, and two community points.
func SeedPoints(ctx context.Context, ps *points.Service) error {
	staff := as("staff")
	all := []points.Input{{Name: "新乡市救助管理站", Kind: points.KindStation, Address: "新乡市牧野区新中大道北段 166 号", Lat: 35.3262, Lng: 113.9015,
		Hours: "24h", Capacity: 120, Services: []string{"water", "food", "clothing", "rest", "call", "first_aid", "charging", "toilet"}, Active: true,
		Liaison: "值班室", LiaisonPhone: "0373-5089797", Directions: "乘 12 路、35 路公交至救助站站下车"}}
	// 福彩 outlets: open in the day, in the evening in winter; water, a
	// call to the station, a place to warm up.
	outlets := []struct {
		name, address string
		lat, lng      float64
	}{
		{"人民路", "红旗区人民路 86 号福彩投注站", 35.3041, 113.9263}, {"平原路", "卫滨区平原路 205 号福彩投注站", 35.3027, 113.8846},
		{"胜利路", "红旗区胜利南街 42 号福彩投注站", 35.2968, 113.9349}, {"金穗大道", "牧野区金穗大道 311 号福彩投注站", 35.3208, 113.9124},
		{"自由路", "卫滨区自由路 18 号福彩投注站", 35.3075, 113.8711}, {"新中大道", "红旗区新中大道 502 号福彩投注站", 35.2853, 113.9012},
		{"和平大道", "牧野区和平大道 96 号福彩投注站", 35.3131, 113.8978}, {"劳动路", "卫滨区劳动中街 67 号福彩投注站", 35.2994, 113.8792},
		{"火车站", "红旗区车站路 9 号福彩投注站", 35.2979, 113.9160}, {"东站", "红旗区新飞大道东站广场福彩投注站", 35.2810, 114.0060},
		{"向阳路", "红旗区向阳路 133 号福彩投注站", 35.2921, 113.9437}, {"牧野路", "牧野区牧野路 58 号福彩投注站", 35.3347, 113.9087},
		{"宏力大道", "红旗区宏力大道 260 号福彩投注站", 35.2799, 113.9286}, {"荣校路", "牧野区荣校路 77 号福彩投注站", 35.3290, 113.8905},
		{"凤泉", "凤泉区宝山路 15 号福彩投注站", 35.3832, 113.9070}, {"新乡县", "新乡县人民路 120 号福彩投注站", 35.1915, 113.8062},
		{"卫辉", "卫辉市比干大道 88 号福彩投注站", 35.3981, 114.0648}, {"辉县", "辉县市共城大道 301 号福彩投注站", 35.4618, 113.8063},
		{"长垣", "长垣市山海大道 66 号福彩投注站", 35.2008, 114.6688}, {"获嘉", "获嘉县同盟大街 49 号福彩投注站", 35.2613, 113.6571},
	}
	// Each outlet's keeper is its liaison.
	keepers := []string{"刘桂英", "王建华", "张秀兰", "李国庆", "陈海燕", "杨德胜", "赵红梅", "黄志强", "周玉兰", "吴长林",
		"徐金花", "孙永强", "胡桂兰", "朱春生", "高艳", "林卫东", "何娟", "郭建国", "马霞", "罗福贵"}
	for i, o := range outlets {
		all = append(all, points.Input{Name: "福彩救助点（" + o.name + "）", Kind: points.KindLottery, Address: o.address, Lat: o.lat, Lng: o.lng,
			Hours: "daily 08:00-22:00", Capacity: 4, Services: []string{"water", "rest", "call", "charging"}, Active: true,
			Liaison: keepers[i], LiaisonPhone: fmt.Sprintf("1390373%04d", 1000+i)})
	}
	all = append(all,
		points.Input{Name: "火车站避寒点", Kind: points.KindWarming, Address: "红旗区车站路新乡火车站东侧候车厅", Lat: 35.2962, Lng: 113.9185,
			Hours: "daily 18:00-08:00+1", Capacity: 40, SeasonFrom: "11-15", SeasonTo: "03-15", Active: true,
			Services: []string{"water", "food", "clothing", "rest", "call", "toilet"}, Liaison: "王强", LiaisonPhone: "13903731101"},
		points.Input{Name: "人民公园避寒点", Kind: points.KindWarming, Address: "卫滨区人民公园南门管理用房", Lat: 35.3056, Lng: 113.9187,
			Hours: "daily 18:00-08:00+1", Capacity: 20, SeasonFrom: "11-15", SeasonTo: "03-15", Active: true,
			Services: []string{"water", "clothing", "rest", "call"}, Liaison: "李娟", LiaisonPhone: "13903731102"},
		points.Input{Name: "东站避寒点", Kind: points.KindWarming, Address: "新乡东站北广场临时用房", Lat: 35.2815, Lng: 114.0078,
			Hours: "daily 20:00-07:00+1", Capacity: 15, SeasonFrom: "12-01", SeasonTo: "02-28", Active: false, ByCampaign: true,
			Services: []string{"water", "rest", "call"}, Liaison: "赵磊", LiaisonPhone: "13903731103"},
		points.Input{Name: "人民公园避暑点", Kind: points.KindCooling, Address: "卫滨区人民公园南门", Lat: 35.3058, Lng: 113.9190,
			Hours: "daily 10:00-18:00", Capacity: 30, SeasonFrom: "06-01", SeasonTo: "09-15", Active: true,
			Services: []string{"water", "rest", "first_aid", "call"}},
		points.Input{Name: "平原商场避暑点", Kind: points.KindCooling, Address: "红旗区平原路平原商场一楼", Lat: 35.3029, Lng: 113.9238,
			Hours: "daily 09:00-21:00", Capacity: 20, SeasonFrom: "06-01", SeasonTo: "09-15", Active: true,
			Services: []string{"water", "rest", "call", "toilet"}},
		points.Input{Name: "胜利路社区服务点", Kind: points.KindCommunity, Address: "红旗区胜利路街道社区服务中心", Lat: 35.2950, Lng: 113.9330,
			Hours: "mon-fri 08:30-17:30; sat 09:00-12:00", Capacity: 6, Active: true, Services: []string{"water", "food", "call"}},
		points.Input{Name: "牧野社区服务点", Kind: points.KindCommunity, Address: "牧野区荣校路街道社区服务中心", Lat: 35.3300, Lng: 113.8920,
			Hours: "mon-fri 08:30-17:30", Capacity: 6, Active: true, Services: []string{"water", "call"}},
	)
	for _, in := range all {
		if _, err := ps.Create(ctx, staff, in); err != nil {
			return fmt.Errorf("demo point %s: %v", in.Name, err)
		}
	}
	return nil
}
