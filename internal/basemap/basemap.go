// Package basemap describes what lies under every map in Haven: the tile
// provider chosen at start-up (its URL templates, coordinate system and
// attribution) and the city's roads, a small GeoJSON file drawn when no
// tiles load (a provider of "none", or tiles blocked or offline).
//
// Haven stores and exchanges every point in WGS-84. 天地图 draws in
// CGCS2000, which differs from WGS-84 by centimetres, so its tiles take
// WGS-84 points as they are; 高德 (AutoNavi) draws in GCJ-02, so the
// browser shifts every point it draws and shifts clicks back (map.js).
package basemap

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// Providers of map tiles.
const (
	OSM      = "osm"      // tile.openstreetmap.org, WGS-84
	Tianditu = "tianditu" // 天地图, CGCS2000 ≈ WGS-84, needs a key
	Gaode    = "gaode"    // 高德地图 (AutoNavi), GCJ-02
	None     = "none"     // no tiles: the roads file only
	Custom   = "custom"   // a tile URL template of your own
)

// Providers lists the provider names a setting may take.
var Providers = []string{OSM, Tianditu, Gaode, None, Custom}

// Coordinate systems of tiles.
const (
	WGS84 = "wgs84"
	GCJ02 = "gcj02"
)

// Settings are the map settings as configured (flags or environment).
type Settings struct {
	Provider    string // one of Providers; empty: custom when URL is set, else osm
	URL         string // custom: tile URL template with {z}, {x} and {y} ({s} for subdomains)
	Coords      string // custom: the tiles' coordinate system, wgs84 (default) or gcj02
	Attribution string // custom: the attribution the tiles' licence asks for
	TiandituKey string // tianditu: a browser key from console.tianditu.gov.cn
}

// Layer is one tile layer, drawn in order (a base and its labels).
type Layer struct {
	URL        string `json:"url"`
	Subdomains string `json:"subdomains,omitempty"`
	MaxZoom    int    `json:"maxZoom"`
}

// Source is a checked tile provider.
type Source struct {
	Provider    string
	Coords      string
	attribution string // custom only; the others' are in the catalogue
	url, key    string
}

// Resolve checks settings and returns the provider they name.
func Resolve(s Settings) (Source, error) {
	p := strings.ToLower(strings.TrimSpace(s.Provider))
	if p == "" {
		p = OSM
		if s.URL != "" {
			p = Custom
		}
	}
	src := Source{Provider: p, Coords: WGS84}
	switch p {
	case OSM, None:
	case Gaode:
		src.Coords = GCJ02
	case Tianditu:
		key := strings.TrimSpace(s.TiandituKey)
		if key == "" {
			return Source{}, fmt.Errorf("天地图 tiles need a key: set --tianditu-key (HAVEN_TIANDITU_KEY) to a browser key from console.tianditu.gov.cn")
		}
		src.key = key
	case Custom:
		if err := checkTemplate(s.URL); err != nil {
			return Source{}, fmt.Errorf("--tile-url %q: %v", s.URL, err)
		}
		src.url, src.attribution = s.URL, strings.TrimSpace(s.Attribution)
		switch c := strings.ToLower(strings.TrimSpace(s.Coords)); c {
		case "", WGS84:
		case GCJ02:
			src.Coords = GCJ02
		default:
			return Source{}, fmt.Errorf("--tile-coords %q: want wgs84 or gcj02", s.Coords)
		}
	default:
		return Source{}, fmt.Errorf("--map-tiles %q: want one of %s", s.Provider, strings.Join(Providers, ", "))
	}
	if p != Custom && s.URL != "" {
		return Source{}, fmt.Errorf("--tile-url is only used with --map-tiles custom (it is %s)", p)
	}
	return src, nil
}

// checkTemplate accepts an absolute http(s) URL template with the tile
// coordinates in it.
func checkTemplate(t string) error {
	for _, v := range []string{"{z}", "{x}"} {
		if !strings.Contains(t, v) {
			return fmt.Errorf("want a template with {z}, {x} and {y}, e.g. https://tiles.example.cn/{z}/{x}/{y}.png")
		}
	}
	if !strings.Contains(t, "{y}") && !strings.Contains(t, "{-y}") {
		return fmt.Errorf("want a template with {z}, {x} and {y}, e.g. https://tiles.example.cn/{z}/{x}/{y}.png")
	}
	if origin(t) == "" {
		return fmt.Errorf("want an absolute http:// or https:// URL")
	}
	return nil
}

// Layers are the tile layers for a page in language lang, base first.
func (s Source) Layers(lang string) []Layer {
	switch s.Provider {
	case OSM:
		return []Layer{{URL: "https://tile.openstreetmap.org/{z}/{x}/{y}.png", MaxZoom: 19}}
	case Tianditu:
		// Web-Mercator ("_w") vector base and its labels, in the page's
		// language (cva Chinese, eva English).
		labels := "cva"
		if lang == "en" {
			labels = "eva"
		}
		return []Layer{tianditu("vec", s.key), tianditu(labels, s.key)}
	case Gaode:
		return []Layer{{URL: "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}", Subdomains: "1234", MaxZoom: 18}}
	case Custom:
		l := Layer{URL: s.url, MaxZoom: 19}
		if strings.Contains(s.url, "{s}") {
			l.Subdomains = "abc"
		}
		return []Layer{l}
	}
	return nil
}

func tianditu(layer, key string) Layer {
	return Layer{URL: "https://t{s}.tianditu.gov.cn/" + layer + "_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + layer +
		"&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + url.QueryEscape(key),
		Subdomains: "01234567", MaxZoom: 18}
}

// AttributionKey is the catalogue key of a built-in provider's
// attribution; for a custom provider it is empty and Attribution holds
// the configured text.
func (s Source) AttributionKey() string {
	switch s.Provider {
	case OSM, Tianditu, Gaode:
		return "map.attribution_" + s.Provider
	}
	return ""
}

// Attribution is a custom provider's configured attribution.
func (s Source) Attribution() string { return s.attribution }

// Origins are the sources the Content-Security-Policy must allow images
// from, e.g. https://*.tianditu.gov.cn.
func (s Source) Origins() []string {
	var out []string
	for _, l := range s.Layers("") {
		if o := origin(l.URL); o != "" && !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// origin turns a tile URL template into a CSP source: a {s} subdomain
// becomes a wildcard label, e.g. https://t{s}.tianditu.gov.cn/… ->
// https://*.tianditu.gov.cn.
func origin(tmpl string) string {
	u, err := url.Parse(strings.ReplaceAll(tmpl, "{s}", "x-sub"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	host := u.Host
	if i := strings.Index(host, "x-sub"); i >= 0 {
		// The label holding the subdomain becomes "*".
		end := strings.IndexByte(host[i:], '.')
		start := strings.LastIndexByte(host[:i], '.') + 1
		if end < 0 {
			return ""
		}
		host = host[:start] + "*" + host[i+end:]
	}
	return u.Scheme + "://" + host
}
