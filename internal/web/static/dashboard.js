// The statistics dashboard: draws each chart section's figures with
// ECharts. Every section already holds its figures as a table and a
// one-line summary (what a screen reader and a browser without script
// read); the chart is drawn from the JSON beside them. The heat map asks
// /stats/heat for hexagons and draws them on the city map.
(function () {
  "use strict";
  // The colours of the series, also used by the HTML legends (app.css
  // .sw-0 … .sw-5).
  var palette = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed", "#0891b2"];

  function draw(sec) {
    var spec;
    try { spec = JSON.parse(sec.querySelector("script[type='application/json']").textContent); } catch (e) { return; }
    var el = sec.querySelector(".chart");
    if (!el || !window.echarts || !spec || !spec.x) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    var opt = {
      color: palette,
      animation: false,
      aria: { enabled: true, label: { description: spec.summary || "" } },
      textStyle: { fontFamily: "inherit" }
    };
    if (spec.type === "pie") {
      opt.series = [{
        type: "pie", radius: ["38%", "68%"], center: ["50%", "52%"],
        label: { show: el.clientWidth >= 420, formatter: "{b}\n{d}%", fontSize: 11 },
        data: spec.x.map(function (name, i) { return { name: name, value: spec.series[0].data[i] }; })
      }];
    } else {
      opt.grid = { left: 8, right: 12, top: 16, bottom: 8, containLabel: true };
      opt.xAxis = { type: "category", data: spec.x, axisLabel: { hideOverlap: true, fontSize: 11 } };
      opt.yAxis = { type: "value", minInterval: 1, axisLabel: { fontSize: 11 } };
      if (spec.percent) { opt.yAxis.max = 100; opt.yAxis.axisLabel.formatter = "{value}%"; }
      opt.series = spec.series.map(function (s) {
        var c = palette[(s.color || 0) % palette.length];
        var o = { type: spec.type || "line", name: s.name, data: s.data, showSymbol: spec.x.length <= 31, itemStyle: { color: c }, lineStyle: { color: c } };
        if (s.dashed) { o.lineStyle.type = "dashed"; o.showSymbol = false; }
        if (spec.stack) { o.stack = "all"; }
        return o;
      });
    }
    chart.setOption(opt);
    el.dataset.drawn = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("[data-chart]").forEach(draw);

  // ---- the heat map ----
  var mapEl = document.getElementById("heat-map");
  var form = document.getElementById("heat-form");
  if (!mapEl || !form || !window.HavenMap) { return; }
  var hm = HavenMap.create(mapEl, { zoom: 12 });
  if (!hm) { return; }
  var layer = L.layerGroup().addTo(hm.map);
  var note = document.getElementById("heat-note");
  var shades = ["#fde68a", "#fdba74", "#f97316", "#dc2626", "#7f1d1d"];
  function shade(n, max) {
    var i = Math.min(shades.length - 1, Math.floor(Math.sqrt(n / max) * shades.length));
    return shades[i];
  }
  function load() {
    var q = new URLSearchParams(new FormData(form));
    fetch(form.dataset.src + "?" + q.toString(), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw j; } return j; }); })
      .then(function (j) {
        layer.clearLayers();
        var hexes = j.hexes || [], max = hexes.reduce(function (m, h) { return Math.max(m, h.n); }, 1), pts = [];
        hexes.forEach(function (h) {
          var ring = h.corners.map(function (c) { return hm.toLatLng(c[0], c[1]); });
          L.polygon(ring, { color: shade(h.n, max), weight: 1, fillOpacity: 0.55, className: "heat-hex" })
            .bindPopup(document.createTextNode(h.label))
            .addTo(layer);
          pts.push([h.lat, h.lng]);
        });
        if (pts.length > 1) { hm.fit(pts, { padding: [16, 16], maxZoom: 14 }); } else if (pts.length === 1) { hm.view(pts[0][0], pts[0][1], 14); }
        mapEl.dataset.hexes = String(hexes.length);
        note.textContent = j.summary || "";
        var list = document.getElementById("heat-top");
        list.textContent = "";
        (j.top || []).forEach(function (t) {
          var li = document.createElement("li");
          li.textContent = t;
          list.appendChild(li);
        });
      }, function (e) {
        note.textContent = (e && e.error && e.error.message) || form.dataset.failed;
      });
  }
  form.addEventListener("change", load);
  form.addEventListener("submit", function (e) { e.preventDefault(); load(); });
  load();
})();
