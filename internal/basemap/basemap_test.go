package basemap

import (
	"os"
	"slices"
	"strings"
	"testing"
)

func TestResolveProviders(t *testing.T) {
	for _, c := range []struct {
		name    string
		in      Settings
		coords  string
		origins []string
		layers  int
		inURL   string // in the first layer's URL
	}{
		{"default is OSM", Settings{}, WGS84, []string{"https://tile.openstreetmap.org"}, 1, "tile.openstreetmap.org/{z}/{x}/{y}.png"},
		{"tianditu base and labels", Settings{Provider: "tianditu", TiandituKey: "abc123"}, WGS84, []string{"https://*.tianditu.gov.cn"}, 2, "LAYER=vec&"},
		{"gaode draws GCJ-02", Settings{Provider: "Gaode"}, GCJ02, []string{"https://*.is.autonavi.com"}, 1, "style=8"},
		{"none has no tiles", Settings{Provider: "none"}, WGS84, nil, 0, ""},
		{"a tile URL alone is custom", Settings{URL: "http://10.0.0.5:8081/tiles/{z}/{x}/{y}.png"}, WGS84, []string{"http://10.0.0.5:8081"}, 1, "10.0.0.5"},
		{"custom GCJ-02 with subdomains", Settings{Provider: "custom", URL: "https://rt{s}.map.example.cn/t?x={x}&y={y}&z={z}", Coords: "GCJ02"}, GCJ02, []string{"https://*.map.example.cn"}, 1, "rt{s}"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := Resolve(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if s.Coords != c.coords {
				t.Errorf("coords %s, want %s", s.Coords, c.coords)
			}
			if o := s.Origins(); !slices.Equal(o, c.origins) {
				t.Errorf("origins %v, want %v", o, c.origins)
			}
			l := s.Layers("zh-CN")
			if len(l) != c.layers {
				t.Fatalf("%d layers, want %d", len(l), c.layers)
			}
			if c.layers > 0 && !strings.Contains(l[0].URL, c.inURL) {
				t.Errorf("layer %s lacks %s", l[0].URL, c.inURL)
			}
			for _, x := range l {
				if strings.Contains(x.URL, "{s}") && x.Subdomains == "" {
					t.Errorf("%s has {s} but no subdomains", x.URL)
				}
			}
		})
	}
}

// 天地图's labels follow the page's language; its key is in every URL.
func TestTiandituLabelsAndKey(t *testing.T) {
	s, err := Resolve(Settings{Provider: Tianditu, TiandituKey: "k&y"})
	if err != nil {
		t.Fatal(err)
	}
	zh, en := s.Layers("zh-CN"), s.Layers("en")
	if !strings.Contains(zh[1].URL, "/cva_w/") || !strings.Contains(en[1].URL, "/eva_w/") || !strings.Contains(en[0].URL, "/vec_w/") {
		t.Errorf("layers zh %v en %v", zh, en)
	}
	for _, l := range append(zh, en...) {
		if !strings.HasSuffix(l.URL, "&tk=k%26y") || l.Subdomains != "01234567" {
			t.Errorf("layer %+v", l)
		}
	}
	if s.AttributionKey() != "map.attribution_tianditu" {
		t.Errorf("attribution key %q", s.AttributionKey())
	}
}

func TestResolveRefuses(t *testing.T) {
	for _, c := range []struct {
		in   Settings
		want string
	}{
		{Settings{Provider: "google"}, "want one of osm, tianditu, gaode, none, custom"},
		{Settings{Provider: "tianditu"}, "--tianditu-key"},
		{Settings{Provider: "custom"}, "{z}, {x} and {y}"},
		{Settings{Provider: "custom", URL: "https://t.example.cn/{z}/{x}.png"}, "{z}, {x} and {y}"},
		{Settings{Provider: "custom", URL: "/tiles/{z}/{x}/{y}.png"}, "absolute"},
		{Settings{Provider: "custom", URL: "https://t.example.cn/{z}/{x}/{y}.png", Coords: "bd09"}, "wgs84 or gcj02"},
		{Settings{Provider: "osm", URL: "https://t.example.cn/{z}/{x}/{y}.png"}, "only used with --map-tiles custom"},
	} {
		_, err := Resolve(c.in)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.in, err, c.want)
		}
	}
}

func TestCustomAttribution(t *testing.T) {
	s, err := Resolve(Settings{URL: "https://t.example.cn/{z}/{x}/{-y}.png", Attribution: " © 某市测绘院 "})
	if err != nil {
		t.Fatal(err)
	}
	if s.AttributionKey() != "" || s.Attribution() != "© 某市测绘院" {
		t.Errorf("key %q text %q", s.AttributionKey(), s.Attribution())
	}
}

// The roads file shipped with the web pages is valid, covers 新乡 and
// opens the maps in the city.
func TestShippedRoads(t *testing.T) {
	b, err := os.ReadFile("../web/static/map/roads.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRoads(b)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Centre()
	if r.Lines < 10 || c[0] < 35.25 || c[0] > 35.35 || c[1] < 113.85 || c[1] > 113.97 {
		t.Errorf("%d lines, centre %v", r.Lines, c)
	}
}

func TestParseRoadsRefuses(t *testing.T) {
	line := func(geom string) string {
		return `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"人民路"},"geometry":` + geom + `}]}`
	}
	for _, c := range []struct{ in, want string }{
		{`[]`, "not GeoJSON"},
		{`{"type":"Feature"}`, "FeatureCollection"},
		{`{"type":"FeatureCollection","features":[]}`, "at least one line"},
		{line(`{"type":"Point","coordinates":[113.9,35.3]}`), `geometry "Point"`},
		{line(`{"type":"LineString","coordinates":[[113.9,35.3]]}`), "at least two points"},
		{line(`{"type":"LineString","coordinates":[[35.3,113.9],[35.31,113.9]]}`), "not a [longitude, latitude] pair"},
		{line(`{"type":"LineString","coordinates":"x"}`), "coordinates"},
		{`{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kind":"rail"},"geometry":{"type":"LineString","coordinates":[[113.9,35.3],[113.91,35.3]]}}]}`, `kind "rail"`},
		{strings.Repeat(" ", MaxRoadsSize+1), "keep it under"},
	} {
		_, err := ParseRoads([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%.80s: error %v, want %q", c.in, err, c.want)
		}
	}
	r, err := ParseRoads([]byte(line(`{"type":"MultiLineString","coordinates":[[[113.9,35.3],[113.91,35.3]],[[113.8,35.2],[113.8,35.25]]]}`)))
	if err != nil || r.Lines != 2 || r.West != 113.8 || r.North != 35.3 {
		t.Errorf("multi-line: %+v %v", r, err)
	}
}

// A roads file is read from the operator's disk; no input makes the
// parser panic.
func FuzzParseRoads(f *testing.F) {
	b, _ := os.ReadFile("../web/static/map/roads.json")
	f.Add(b)
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"geometry":{"type":"MultiLineString","coordinates":[[[1,2]]]}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := ParseRoads(b); err == nil && (r.Lines == 0 || r.South > r.North || r.West > r.East) {
			t.Fatalf("accepted %q as %+v", b, r)
		}
	})
}
