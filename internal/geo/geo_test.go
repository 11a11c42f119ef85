package geo

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// near reports whether a match lies within m metres of p.
func near(m Match, p Point, metres float64) bool {
	return Distance(Point{m.Lat, m.Lng}, p) <= metres
}

func entry(t *testing.T, g *Gazetteer, name string) Entry {
	t.Helper()
	for _, e := range g.Entries() {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no entry %s", name)
	return Entry{}
}

func TestGeocode(t *testing.T) {
	g := Xinxiang()
	park := entry(t, g, "人民公园").Points[0]
	for _, c := range []struct {
		text, name string
		prec       Precision
	}{
		{"人民公园东门附近有人躺着", "人民公园", PrecisionPlace},
		{"新乡站出站口", "新乡火车站", PrecisionPlace},
		{"新乡东站北广场", "新乡东站", PrecisionPlace}, // not 新乡站
		{"ＨＥ河南师范大学 北门", "河南师范大学", PrecisionPlace},
		{"人民路上，人民公园门口", "人民公园", PrecisionPlace}, // a place beats the road it is on
		{"人民路与和平路交叉口", "人民路与和平路交叉口", PrecisionCrossing},
		{"平原路和新中大道路口西南角", "平原路与新中大道交叉口", PrecisionCrossing},
		{"人民东路88号", "人民东路", PrecisionStreet},
		{"金穗大道东段", "金穗大道东段", PrecisionStreet},
		{"平原路205号", "平原路", PrecisionStreet},
		{"人民路平原路", "人民路", PrecisionStreet}, // parallel roads do not cross: the first
		{"红旗区某小区门口", "红旗区", PrecisionDistrict},
		{"新乡县人民路120号", "新乡县", PrecisionDistrict}, // the county's 人民路, not the city's
		{"卫辉市比干大道", "卫辉市", PrecisionDistrict},
	} {
		m, ok := g.Geocode(c.text)
		if !ok || m.Name != c.name || m.Precision != c.prec {
			t.Errorf("Geocode(%q) = %+v, %v; want %s (%s)", c.text, m, ok, c.name, c.prec)
		}
	}
	if m, _ := g.Geocode("人民公园东门附近"); !near(m, park, 1) {
		t.Errorf("人民公园 at %+v, the gazetteer says %+v", m, park)
	}
	for _, text := range []string{"", "   ", "城东一个小区门口", "天桥下", "有人躺在地上", "人", "路"} {
		if m, ok := g.Geocode(text); ok {
			t.Errorf("Geocode(%q) = %+v, want no match", text, m)
		}
	}
}

func TestGeocodeRoadParts(t *testing.T) {
	g := Xinxiang()
	road := entry(t, g, "人民路").Points
	west, _ := g.Geocode("人民西路")
	east, _ := g.Geocode("人民东路")
	mid, _ := g.Geocode("人民路")
	if !(west.Lng < mid.Lng && mid.Lng < east.Lng) {
		t.Fatalf("人民西路 %v, 人民路 %v, 人民东路 %v: want west to east", west.Lng, mid.Lng, east.Lng)
	}
	for _, m := range []Match{west, east, mid} {
		if _, d := nearestOnLine(road, Point{m.Lat, m.Lng}); d > 1 {
			t.Errorf("%s is %.0f m off the road", m.Name, d)
		}
	}
	south, _ := g.Geocode("胜利南街")
	north, _ := g.Geocode("胜利北街")
	if south.Lat >= north.Lat {
		t.Errorf("胜利南街 %v is not south of 胜利北街 %v", south.Lat, north.Lat)
	}
	// A road named with its district is placed where it runs through it.
	hq := entry(t, g, "卫滨区").Points[0]
	inDistrict, _ := g.Geocode("卫滨区人民路")
	if Distance(Point{inDistrict.Lat, inDistrict.Lng}, hq) >= Distance(Point{mid.Lat, mid.Lng}, hq) {
		t.Errorf("卫滨区人民路 %+v is no nearer 卫滨区 than the middle of 人民路 %+v", inDistrict, mid)
	}
}

func TestLaterEntriesWin(t *testing.T) {
	gate := Entry{Kind: KindPlace, Name: "人民公园东门", Points: []Point{{35.3076, 113.8866}}}
	g := New(append(Xinxiang().Entries(), gate))
	m, ok := g.Geocode("人民公园东门附近有人躺着")
	if !ok || m.Name != "人民公园东门" || m.Lat != 35.3076 {
		t.Fatalf("got %+v, want the database's 人民公园东门", m)
	}
	// The same spelling from the database moves a gazetteer place.
	moved := Entry{Kind: KindPlace, Name: "人民公园", Points: []Point{{35.31, 113.89}}}
	if m, _ := New(append(Xinxiang().Entries(), moved)).Geocode("人民公园"); m.Lat != 35.31 {
		t.Fatalf("got %+v, want the later 人民公园", m)
	}
	// A one-character name would match nearly anything: ignored.
	if _, ok := New([]Entry{{Kind: KindPlace, Name: "桥", Points: []Point{{35.3, 113.9}}}}).Geocode("天桥下"); ok {
		t.Fatal("a one-character name matched")
	}
}

func TestSearch(t *testing.T) {
	g := Xinxiang()
	got := g.Search("人民", 10)
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	for _, want := range []string{"人民公园", "人民路", "新乡市人民政府"} {
		if !strings.Contains(strings.Join(names, ","), want) {
			t.Errorf("Search(人民) = %v, want %s among them", names, want)
		}
	}
	if len(g.Search("人民", 2)) != 2 {
		t.Error("Search ignores its limit")
	}
	if r := g.Search("人民路与和平路交叉口", 5); len(r) == 0 || r[0].Precision != PrecisionCrossing {
		t.Errorf("Search of a crossing: %+v", r)
	}
	if r := g.Search("", 5); r != nil {
		t.Errorf("empty search: %+v", r)
	}
}

func TestParse(t *testing.T) {
	g, err := Parse(strings.NewReader("# a city\n\nplace\t东门广场\t广场东门|东广场\t35.1,113.2\r\nroad\t长江路\t-\t35.1,113.1 35.1,113.3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 2 {
		t.Fatalf("%d entries", g.Len())
	}
	if m, ok := g.Geocode("东广场长椅"); !ok || m.Name != "东门广场" {
		t.Fatalf("alias: %+v", m)
	}
	for _, bad := range []string{
		"",                                        // no entries
		"place\t东门广场\t-\n",                        // three fields
		"square\t东门广场\t-\t35.1,113.2\n",           // unknown kind
		"place\t\t-\t35.1,113.2\n",                // no name
		"place\t门\t-\t35.1,113.2\n",               // too short to match safely
		"place\t东门广场\t-\t113.2,35.1x\n",           // not a number
		"place\t东门广场\t-\t95,113.2\n",              // latitude out of range
		"place\t东门广场\t-\t0,0\n",                   // the unknown point
		"place\t东门广场\t-\t35.1,113.2 35.2,113.3\n", // a place has one point
		"road\t长江路\t-\t\n",                        // no points
		"place\t东门广场\t东|-\t35.1,113.2\n",          // a one-character alias
	} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
	if _, err := Load("no/such/file.tsv"); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	if g, err := Load(""); err != nil || g != Xinxiang() {
		t.Errorf("Load(\"\") = %v, %v; want the embedded gazetteer", g, err)
	}
}

// The shipped gazetteer lies in 新乡 and names what a dispatcher types.
func TestXinxiangGazetteer(t *testing.T) {
	g := Xinxiang()
	for _, e := range g.Entries() {
		for _, p := range e.Points {
			if p.Lat < 34.85 || p.Lat > 35.85 || p.Lng < 113.35 || p.Lng > 114.75 {
				t.Errorf("%s at %+v lies outside 新乡", e.Name, p)
			}
		}
	}
	for _, name := range []string{"人民路", "平原路", "胜利路", "金穗大道", "新中大道", "健康路", "建设路", "新二街", "劳动街", "自由路",
		"和平路", "解放大道", "新飞大道", "华兰大道", "宏力大道", "卫滨区", "红旗区", "牧野区", "凤泉区", "新乡火车站", "新乡东站",
		"新乡汽车客运总站", "人民公园", "新乡市人民政府", "河南师范大学", "新乡医学院", "新乡市第一人民医院"} {
		if _, ok := g.Geocode(name); !ok {
			t.Errorf("%s is not in the gazetteer", name)
		}
	}
}

func TestLive(t *testing.T) {
	calls := 0
	var fail error
	l := &Live{Base: Xinxiang(), TTL: time.Hour, Places: func(context.Context) ([]Entry, error) {
		calls++
		return []Entry{{Kind: KindPlace, Name: "平原路地下通道", Points: []Point{{35.2990, 113.8830}}}}, fail
	}}
	ctx := context.Background()
	if m, _ := l.Geocode(ctx, "平原路地下通道里"); m.Name != "平原路地下通道" || m.Precision != PrecisionPlace {
		t.Fatalf("a database place: %+v", m)
	}
	l.Search(ctx, "平原", 3)
	if calls != 1 {
		t.Fatalf("places read %d times within the TTL", calls)
	}
	// A failing read keeps the last good places.
	l.TTL, fail = time.Nanosecond, errors.New("database down")
	time.Sleep(time.Millisecond)
	if m, _ := l.Geocode(ctx, "平原路地下通道里"); m.Name != "平原路地下通道" {
		t.Fatalf("after a failed read: %+v", m)
	}
	// Without places at all, the base serves.
	if m, _ := (&Live{Base: Xinxiang()}).Geocode(ctx, "人民公园"); m.Name != "人民公园" {
		t.Fatalf("base only: %+v", m)
	}
}

func TestNearestPlace(t *testing.T) {
	g := Xinxiang()
	park := entry(t, g, "人民公园").Points[0]
	if name, ok := g.NearestPlace(Point{park.Lat + 0.001, park.Lng}, 500); !ok || name != "人民公园" {
		t.Fatalf("110 m north of 人民公园: %q %v", name, ok)
	}
	if _, ok := g.NearestPlace(Point{36.5, 115.5}, 500); ok {
		t.Fatal("a place named far outside the city")
	}
}
