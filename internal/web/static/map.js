// Haven's maps. Every page with a map makes it with HavenMap.create, so the
// tile provider, the attribution and the base of the city's roads drawn
// when no tiles load are set up in one place (the settings come from the
// server in #map-config).
//
// Points in and out of this API are WGS-84, as phones and the server use.
// A GCJ-02 provider (高德) draws the world shifted by up to a few hundred
// metres, so toLatLng shifts each point drawn on its tiles and fromLatLng
// shifts a clicked point back.
//
//   var hm = HavenMap.create(el, {lat: 35.30, lng: 113.92, zoom: 12});
//   hm.map                      // the Leaflet map
//   hm.toLatLng(lat, lng)       // WGS-84 -> L.LatLng to draw on this map
//   hm.fromLatLng(e.latlng)     // a point of this map -> {lat, lng} in WGS-84
//   hm.marker(lat, lng, opts)   // L.marker at a WGS-84 point, on the map
//   hm.circle(lat, lng, opts)   // L.circleMarker at a WGS-84 point, on the map
//   hm.fit([[lat, lng], ...], opts)  // fit the view to WGS-84 points (two or more)
//   hm.view(lat, lng, zoom)     // centre on a WGS-84 point
//   HavenMap.of(el)             // the map made on el, or null
(function () {
  "use strict";
  var cfg = {};
  try { cfg = JSON.parse(document.getElementById("map-config").textContent) || {}; } catch (e) { cfg = {}; }

  // ---- WGS-84 <-> GCJ-02: the published formulas of the GCJ-02 offset ----
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;
  function outOfChina(lat, lng) { return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271; }
  // The offset (GCJ-02 minus WGS-84) in degrees at a WGS-84 point.
  function offset(lat, lng) {
    var x = lng - 105, y = lat - 35;
    var wave = (20 * Math.sin(6 * x * PI) + 20 * Math.sin(2 * x * PI)) * 2 / 3;
    var dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) + wave +
      (20 * Math.sin(y * PI) + 40 * Math.sin(y / 3 * PI)) * 2 / 3 + (160 * Math.sin(y / 12 * PI) + 320 * Math.sin(y * PI / 30)) * 2 / 3;
    var dLng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) + wave +
      (20 * Math.sin(x * PI) + 40 * Math.sin(x / 3 * PI)) * 2 / 3 + (150 * Math.sin(x / 12 * PI) + 300 * Math.sin(x / 30 * PI)) * 2 / 3;
    var rad = lat / 180 * PI;
    var magic = 1 - EE * Math.sin(rad) * Math.sin(rad);
    var sq = Math.sqrt(magic);
    return {
      lat: dLat * 180 / ((A * (1 - EE)) / (magic * sq) * PI),
      lng: dLng * 180 / (A / sq * Math.cos(rad) * PI)
    };
  }
  function wgs84ToGcj02(lat, lng) {
    if (outOfChina(lat, lng)) { return { lat: lat, lng: lng }; }
    var d = offset(lat, lng);
    return { lat: lat + d.lat, lng: lng + d.lng };
  }
  // The inverse has no closed form: step until the forward conversion of
  // the guess lands on the point (a few steps reach millimetres).
  function gcj02ToWgs84(lat, lng) {
    if (outOfChina(lat, lng)) { return { lat: lat, lng: lng }; }
    var w = { lat: lat, lng: lng };
    for (var i = 0; i < 10; i++) {
      var g = wgs84ToGcj02(w.lat, w.lng);
      var dLat = g.lat - lat, dLng = g.lng - lng;
      w.lat -= dLat;
      w.lng -= dLng;
      if (Math.abs(dLat) < 1e-9 && Math.abs(dLng) < 1e-9) { break; }
    }
    return w;
  }

  function esc(s) {
    return String(s || "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }

  // ---- the roads drawn when no tiles load ----
  var roadsData = null;
  function loadRoads() {
    if (!roadsData) {
      roadsData = cfg.roads ? fetch(cfg.roads, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .catch(function () { return null; }) : Promise.resolve(null);
    }
    return roadsData;
  }
  var STYLE = {
    major: { color: "#8f9aa6", weight: 3 },
    road: { color: "#a9b2bc", weight: 2 },
    river: { color: "#8fbfe6", weight: 5 }
  };
  // The point a fraction f along a line, by length.
  function along(pts, f) {
    var total = 0, i;
    for (i = 1; i < pts.length; i++) { total += pts[i - 1].distanceTo(pts[i]); }
    var left = total * f;
    for (i = 1; i < pts.length; i++) {
      var d = pts[i - 1].distanceTo(pts[i]);
      if (left <= d && d > 0) {
        var k = left / d;
        return L.latLng(pts[i - 1].lat + (pts[i].lat - pts[i - 1].lat) * k, pts[i - 1].lng + (pts[i].lng - pts[i - 1].lng) * k);
      }
      left -= d;
    }
    return pts[pts.length - 1];
  }
  // A name goes near the middle of its line, where it is farthest from the
  // names placed before (crossing roads would put theirs on one spot).
  function labelAt(pts, placed) {
    var best = null, room = -1;
    [0.5, 0.35, 0.65, 0.2, 0.8].forEach(function (f) {
      var p = along(pts, f);
      var near = placed.reduce(function (m, q) { return Math.min(m, p.distanceTo(q)); }, Infinity);
      if (room < 1200 && near > room) { best = p; room = near; }
    });
    placed.push(best);
    return best;
  }
  // Roads and the river in their own panes under the tiles: loaded tiles
  // hide them, missing tiles show them. A north-south road's name runs
  // down it, as on Chinese street maps.
  function drawRoads(hm, data) {
    var map = hm.map, en = document.documentElement.lang === "en", n = 0, placed = [];
    (data && data.features || []).forEach(function (f) {
      var g = f.geometry || {}, p = f.properties || {};
      var lines = g.type === "LineString" ? [g.coordinates] : g.type === "MultiLineString" ? g.coordinates : [];
      var kind = STYLE[p.kind] ? p.kind : "road";
      lines.forEach(function (line) {
        var pts = (line || []).map(function (c) { return hm.toLatLng(c[1], c[0]); });
        if (pts.length < 2) { return; }
        L.polyline(pts, { pane: "havenRoads", color: STYLE[kind].color, weight: STYLE[kind].weight, opacity: 1, interactive: false,
          className: "road road-" + kind }).addTo(map);
        n++;
        var name = en && p.name_en ? p.name_en : p.name;
        if (name) {
          var first = pts[0], last = pts[pts.length - 1];
          var upright = Math.abs(last.lat - first.lat) > Math.abs(last.lng - first.lng) * Math.cos(first.lat * PI / 180);
          var label = document.createElement("span");
          label.textContent = name;
          L.tooltip({ pane: "havenRoadLabels", permanent: true, direction: "center", interactive: false,
            className: "road-label road-label-" + kind + (upright ? " road-label-v" : "") })
            .setLatLng(labelAt(pts, placed)).setContent(label).addTo(map);
        }
      });
    });
    hm.el.dataset.roads = String(n);
  }
  // Names of main roads and the river show from zoom 12, all from 13
  // (hidden, not removed: Leaflet centres a name by its size).
  function showLabels(hm) {
    var z = hm.map.getZoom();
    hm.el.classList.toggle("labels-main", z >= 12);
    hm.el.classList.toggle("labels-all", z >= 13);
  }

  // ---- the tiles, and giving up on them ----
  // After this many failed tiles, with none loaded, the tiles are taken
  // away: the roads stay, and a note says why the map is plain.
  var GIVE_UP = 4;
  function addTiles(hm) {
    var map = hm.map, layers = [], loaded = 0, failed = 0, attribution = esc(cfg.attribution);
    (cfg.layers || []).forEach(function (l, i) {
      var opts = { maxZoom: l.maxZoom || 18, attribution: i === 0 ? attribution : "", referrerPolicy: "strict-origin" };
      if (l.subdomains) { opts.subdomains = l.subdomains; }
      var t = L.tileLayer(l.url, opts).addTo(map);
      t.on("tileload", function () { loaded++; });
      t.on("tileerror", function () {
        failed++;
        if (!loaded && failed >= GIVE_UP && layers.length) { giveUp(); }
      });
      layers.push(t);
    });
    function giveUp() {
      layers.forEach(function (t) { map.removeLayer(t); });
      layers = [];
      hm.el.dataset.tilesFailed = "1";
      map.attributionControl.addAttribution(esc(cfg.roadsAttribution));
      var note = L.control({ position: "topright" });
      note.onAdd = function () {
        var p = L.DomUtil.create("p", "map-note");
        p.setAttribute("role", "status");
        p.textContent = cfg.tilesFailed || "";
        return p;
      };
      note.addTo(map);
    }
    if (!layers.length) { map.attributionControl.addAttribution(esc(cfg.roadsAttribution)); }
    return layers.length;
  }

  var made = [];
  function create(el, opts) {
    if (!el || typeof L === "undefined") { return null; }
    opts = opts || {};
    var gcj = cfg.coords === "gcj02";
    var hm = { el: el };
    hm.toLatLng = function (lat, lng) {
      if (gcj) { var p = wgs84ToGcj02(lat, lng); return L.latLng(p.lat, p.lng); }
      return L.latLng(lat, lng);
    };
    hm.fromLatLng = function (ll) {
      ll = L.latLng(ll);
      return gcj ? gcj02ToWgs84(ll.lat, ll.lng) : { lat: ll.lat, lng: ll.lng };
    };
    var centre = cfg.center || [35.3, 113.9];
    var maxZoom = (cfg.layers || []).reduce(function (m, l) { return Math.max(m, l.maxZoom || 0); }, 0) || 18;
    var map = L.map(el, { maxZoom: maxZoom });
    hm.map = map;
    map.attributionControl.setPrefix("Leaflet"); // text only: no flag icon
    el.classList.add("haven-map");
    el.dataset.provider = cfg.provider || "none";
    map.createPane("havenRoads").style.zIndex = 150; // under the tiles (200)
    map.createPane("havenRoadLabels").style.zIndex = 160;
    map.getPane("havenRoadLabels").style.pointerEvents = "none";
    hm.view = function (lat, lng, zoom) { map.setView(hm.toLatLng(lat, lng), zoom === undefined ? map.getZoom() : zoom); return hm; };
    hm.view(opts.lat === undefined ? centre[0] : opts.lat, opts.lng === undefined ? centre[1] : opts.lng, opts.zoom || 12);
    hm.marker = function (lat, lng, o) { return L.marker(hm.toLatLng(lat, lng), o).addTo(map); };
    hm.circle = function (lat, lng, o) { return L.circleMarker(hm.toLatLng(lat, lng), o).addTo(map); };
    hm.fit = function (points, o) {
      if (!points || points.length < 2) { return false; }
      map.fitBounds(points.map(function (p) { return hm.toLatLng(p[0], p[1]); }), o);
      return true;
    };
    addTiles(hm);
    showLabels(hm);
    map.on("zoomend", function () { showLabels(hm); });
    loadRoads().then(function (data) { drawRoads(hm, data); });
    made.push(hm);
    return hm;
  }
  function of(el) {
    for (var i = 0; i < made.length; i++) { if (made[i].el === el) { return made[i]; } }
    return null;
  }

  window.HavenMap = { create: create, of: of, wgs84ToGcj02: wgs84ToGcj02, gcj02ToWgs84: gcj02ToWgs84 };
})();
