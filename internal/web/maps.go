package web

import (
	"fmt"

	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/i18n"
)

// roadsFile is the static path of the roads drawn when no tiles load.
const roadsFile = "map/roads.json"

// mapConfig is what static/map.js needs to set up every map of a page
// (the "map-scripts" template puts it in the page as JSON).
type mapConfig struct {
	Provider    string          `json:"provider"`
	Layers      []basemap.Layer `json:"layers"`
	Coords      string          `json:"coords"` // wgs84 or gcj02: how the tiles draw
	Attribution string          `json:"attribution"`
	Roads       string          `json:"roads"` // URL of the roads file
	RoadsNote   string          `json:"roadsAttribution"`
	TilesFailed string          `json:"tilesFailed"` // shown when the tiles cannot load
	Centre      [2]float64      `json:"center"`      // where a map opens: the middle of the roads
}

// mapConfigs builds the map configuration of each language, after
// putting a replacement roads file (Deps.Roads) among the static files.
func mapConfigs(d Deps, st *staticFiles) (map[string]mapConfig, error) {
	if len(d.Roads) > 0 {
		st.put(roadsFile, d.Roads)
	}
	roads, err := basemap.ParseRoads(st.files[roadsFile])
	if err != nil {
		return nil, fmt.Errorf("roads file: %v", err)
	}
	url, err := st.url(roadsFile)
	if err != nil {
		return nil, err
	}
	out := map[string]mapConfig{}
	for _, lang := range i18n.Languages {
		c := mapConfig{Provider: d.Map.Provider, Layers: d.Map.Layers(lang), Coords: d.Map.Coords, Attribution: d.Map.Attribution(),
			Roads: url, RoadsNote: d.Catalog.T(lang, "map.attribution_roads"), TilesFailed: d.Catalog.T(lang, "map.tiles_failed"),
			Centre: roads.Centre()}
		if k := d.Map.AttributionKey(); k != "" {
			c.Attribution = d.Catalog.T(lang, k)
		}
		if c.Provider == "" {
			c.Provider, c.Coords = basemap.None, basemap.WGS84
		}
		out[lang] = c
	}
	return out, nil
}
