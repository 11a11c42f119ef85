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
  // The pin and the form hold WGS-84; the map may draw in GCJ-02.
  if (window.HavenMap) { el.hidden = false; } // hidden in the page until there is a map to draw
  var hint = document.getElementById("where-hint"); // "tap the map or use your location": only true with this script
  if (hint) { hint.hidden = false; }
  var hm = window.HavenMap && HavenMap.create(el, lat.value ? { lat: parseFloat(lat.value), lng: parseFloat(lng.value), zoom: 16 } : {});
  function show(la, ln) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    if (text) { text.textContent = lat.value + ", " + lng.value; }
    if (!hm) { return; }
    if (marker) { marker.setLatLng(hm.toLatLng(la, ln)); } else { marker = hm.marker(la, ln); }
    el.dataset.pinned = "1";
  }
  if (hm) {
    if (lat.value) { show(parseFloat(lat.value), parseFloat(lng.value)); }
    hm.map.on("click", function (e) { var p = hm.fromLatLng(e.latlng); show(p.lat, p.lng); });
  }
  var btn = document.getElementById("locate");
  if (btn) {
    btn.hidden = !navigator.geolocation; // hidden in the page: without this script it does nothing
    btn.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        show(pos.coords.latitude, pos.coords.longitude);
        if (hm) { hm.view(pos.coords.latitude, pos.coords.longitude, 16); }
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
