// Report form: put a pin on the map by tapping, or use the phone's
// location. The chosen point goes into the hidden lat/lng fields; the form
// still works without this script (an address is enough).
(function () {
  "use strict";
  var el = document.getElementById("pick-map");
  var lat = document.getElementById("lat");
  var lng = document.getElementById("lng");
  var text = document.getElementById("pin-text");
  var status = document.getElementById("locate-status");
  if (!el || !lat || !lng) { return; }
  var marker = null;
  var map = null;
  function show(la, ln) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    if (text) { text.textContent = lat.value + ", " + lng.value; }
    if (!map) { return; }
    if (marker) { marker.setLatLng([la, ln]); } else { marker = L.marker([la, ln]).addTo(map); }
    el.dataset.pinned = "1";
  }
  if (typeof L !== "undefined") {
    var start = lat.value ? [parseFloat(lat.value), parseFloat(lng.value)] : [parseFloat(el.dataset.lat), parseFloat(el.dataset.lng)];
    map = L.map(el).setView(start, lat.value ? 16 : 12);
    if (el.dataset.tiles) {
      L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    }
    if (lat.value) { show(parseFloat(lat.value), parseFloat(lng.value)); }
    map.on("click", function (e) { show(e.latlng.lat, e.latlng.lng); });
  }
  var btn = document.getElementById("locate");
  if (btn) {
    if (!navigator.geolocation) { btn.hidden = true; }
    btn.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        show(pos.coords.latitude, pos.coords.longitude);
        if (map) { map.setView([pos.coords.latitude, pos.coords.longitude], 16); }
        if (status) { status.textContent = status.dataset.ok; }
      }, function () {
        if (status) { status.textContent = status.dataset.denied; }
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
  // Stop double submits; the server also files a repeated key only once.
  var form = document.getElementById("report-form");
  if (form) {
    form.addEventListener("submit", function () {
      var b = document.getElementById("report-submit");
      if (b) { setTimeout(function () { b.disabled = true; }, 0); }
    });
  }
})();
