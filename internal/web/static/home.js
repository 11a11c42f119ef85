// Home page map: the city's departments and help places on Leaflet. The map
// still shows its markers when tiles cannot load (offline, blocked).
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var places = [];
  try { places = JSON.parse(document.getElementById("places").textContent || "[]") || []; } catch (e) { places = []; }
  var map = L.map(el).setView([parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)], 12);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution || "" }).addTo(map);
  }
  var bounds = [];
  places.forEach(function (p) {
    var m = L.marker([p.lat, p.lng], { title: p.name, alt: p.name }).addTo(map);
    m.bindPopup(document.createTextNode(p.name));
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24] }); }
  el.dataset.markers = String(bounds.length);
})();
