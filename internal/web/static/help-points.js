// Help-point finder: the phone's location fills the form and asks again;
// the list the server sent is put on the map. Without this script (or
// without map tiles) the list and the typed place still work.
(function () {
  "use strict";
  var form = document.getElementById("find-form");
  var lat = document.getElementById("lat");
  var lng = document.getElementById("lng");
  var place = document.getElementById("place");
  var btn = document.getElementById("locate");
  var status = document.getElementById("locate-status");
  if (place && form) {
    // A typed place replaces an earlier location.
    form.addEventListener("submit", function () {
      if (document.activeElement === place || place.value !== place.defaultValue) { lat.value = ""; lng.value = ""; }
    });
  }
  if (btn) {
    btn.hidden = !navigator.geolocation; // hidden in the page: without this script it does nothing
    btn.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        lat.value = pos.coords.latitude.toFixed(6);
        lng.value = pos.coords.longitude.toFixed(6);
        place.value = "";
        form.submit();
      }, function () {
        if (status) { status.textContent = btn.dataset.denied; }
      }, { enableHighAccuracy: true, timeout: 10000 });
    });
  }
  var el = document.getElementById("points-map");
  if (el && window.HavenMap) { el.hidden = false; } // hidden in the page until there is a map to draw
  var hm = window.HavenMap && HavenMap.create(el);
  if (!hm) { return; }
  var items = document.querySelectorAll("#points [data-point]");
  var points = [];
  items.forEach(function (li) {
    var p = [parseFloat(li.dataset.lat), parseFloat(li.dataset.lng)];
    var m = hm.circle(p[0], p[1], { radius: 8, weight: 2, color: li.dataset.open === "true" ? "#1b6e3a" : "#888" });
    // Names are text: an admin-typed tag must not become markup.
    var name = document.createElement("span");
    name.textContent = li.dataset.name;
    m.bindPopup(name);
    points.push(p);
  });
  if (lat.value && lng.value) {
    var me = [parseFloat(lat.value), parseFloat(lng.value)];
    hm.circle(me[0], me[1], { radius: 5, color: "#1849a9" });
    points.push(me);
  }
  hm.fit(points, { padding: [20, 20], maxZoom: 15 });
  el.dataset.ready = "1";
})();
