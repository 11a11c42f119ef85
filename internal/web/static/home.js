// Home page map: the city's departments and help places. The map still
// shows its markers, and the city's roads, when tiles cannot load.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var hm = window.HavenMap && HavenMap.create(el);
  if (!hm) { return; }
  var places = [];
  try { places = JSON.parse(document.getElementById("places").textContent || "[]") || []; } catch (e) { places = []; }
  var points = [];
  places.forEach(function (p) {
    hm.marker(p.lat, p.lng, { title: p.name, alt: p.name }).bindPopup(document.createTextNode(p.name));
    points.push([p.lat, p.lng]);
  });
  hm.fit(points, { padding: [24, 24] });
  el.dataset.markers = String(points.length);
})();
