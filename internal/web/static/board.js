// Dispatch board: incidents by state with SLA timers, a map of incidents,
// teams and hotspots, kept live by server-sent events. The page gets the
// board's state with the HTML; the stream then sends every change after
// that state's event id, and on reconnecting the browser sends the last id
// it saw (Last-Event-ID), so no change is missed.
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var board = JSON.parse(document.getElementById("board-data").textContent);
  var T = JSON.parse(document.getElementById("board-text").textContent);
  var canAssign = root.dataset.assign === "true";
  var canPlace = root.dataset.place === "true";
  var csrf = root.dataset.csrf;
  var params = new URLSearchParams(location.search);
  var filter = { district: params.get("district") || "", service: params.get("service") || "", channel: params.get("channel") || "" };
  function t(k) { return T[k] || k; }
  // dur says how long ms is, as the pages do (i18n Catalog.Duration):
  // "45 分钟", "11 小时 28 分", "2 天 3 小时".
  function dur(ms) {
    var mins = Math.floor(Math.abs(ms) / 60000);
    function f(k) {
      var s = t(k);
      for (var i = 1; i < arguments.length; i++) { s = s.replace("%d", arguments[i]); }
      return s;
    }
    if (mins < 60) { return f("duration.minutes", mins); }
    if (mins < 1440) { return mins % 60 ? f("duration.hours_minutes", Math.floor(mins / 60), mins % 60) : f("duration.hours", mins / 60); }
    var d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60);
    return h ? f("duration.days_hours", d, h) : f("duration.days", d);
  }
  // An incident without a place (位置待定) is never drawn; one placed from
  // its typed address is drawn as approximate.
  function located(i) { return i.precision !== "none" && (i.lat || i.lng); }
  function approximate(i) { return ["place", "crossing", "street", "district"].indexOf(i.precision) >= 0; }
  function locText(i) {
    if (!located(i)) { return t("location.none"); }
    return approximate(i) ? t("location.approx").replace("%s", i.place) : "";
  }
  // Map labels are text: Leaflet would read a string as HTML, and names
  // (teams, points, hotspots) are typed by people.
  function text(s) { var e = document.createElement("span"); e.textContent = s; return e; }

  var incidents = {}; // id -> incident
  var teams = {};
  (board.incidents || []).forEach(function (i) { incidents[i.id] = i; });
  (board.teams || []).forEach(function (x) { teams[x.id] = x; });
  var skew = Date.now() - Date.parse(board.now); // server clock vs ours

  // ---- map ----
  var map = null, layers = { incidents: {}, teams: {} };
  // Points are WGS-84; at() turns one into where this map draws it.
  var mapEl = document.getElementById("board-map");
  var hm = window.HavenMap && mapEl && HavenMap.create(mapEl);
  var at = hm ? hm.toLatLng : null;
  if (hm) {
    map = hm.map;
    (board.hotspots || []).forEach(function (h) {
      L.circleMarker(at(h.lat, h.lng), { radius: 5, color: "#6b7280", weight: 1, fillOpacity: 0.4 })
        .bindTooltip(text(h.name + " · " + t("hotspot_kind." + h.kind))).addTo(map);
    });
    (board.points || []).forEach(function (p) {
      var m = L.circleMarker(at(p.lat, p.lng), { radius: 6, color: p.open ? "#1b6e3a" : "#9ca3af", weight: 2, fillOpacity: p.open ? 0.5 : 0.1 })
        .bindTooltip(text(p.name + (p.open ? " · " + t("points.open_now") : " · " + t("points.closed_now")))).addTo(map);
      var e = m.getElement();
      if (e) { e.dataset.point = p.id; }
    });
    (board.stations || []).forEach(function (p) {
      var m = L.marker(at(p.lat, p.lng), { icon: L.divIcon({ className: "station-pin", html: "", iconSize: [20, 20] }) })
        .bindTooltip(text(t("dispatch.station") + " · " + p.name)).addTo(map);
      var e = m.getElement();
      if (e) { e.textContent = t("dispatch.station_pin"); e.dataset.station = p.id; }
    });
  }
  function slaOf(i) {
    if (i.state !== "accepted" && i.state !== "dispatched") { return ""; }
    var left = Date.parse(i.due_at) - (Date.now() - skew);
    if (left < 0) { return "red"; }
    if (left <= 10 * 60 * 1000) { return "amber"; }
    return "ok";
  }
  function color(i) {
    if (i.state === "closed") { return "#16a34a"; }
    var s = slaOf(i);
    return s === "red" ? "#dc2626" : s === "amber" ? "#d97706" : "#2563eb";
  }
  function drawIncidentMarker(i) {
    if (!map) { return; }
    var m = layers.incidents[i.id];
    if (!visible(i) || !located(i) || !shownClosed(i)) {
      if (m) { map.removeLayer(m); delete layers.incidents[i.id]; }
      return;
    }
    if (!m) {
      m = L.circleMarker(at(i.lat, i.lng), { radius: 9, weight: 2 }).addTo(map);
      m.on("click", function () { openIncident(i.id); });
      layers.incidents[i.id] = m;
    }
    m.setLatLng(at(i.lat, i.lng));
    m.setStyle({ color: color(i), fillColor: color(i), fillOpacity: approximate(i) ? 0.15 : 0.5, dashArray: approximate(i) ? "4 3" : null });
    m.bindTooltip(text(i.ref + " " + t("svc." + i.service_code)));
    m.getElement && m.getElement() && m.getElement().setAttribute("data-incident", i.id);
  }
  function drawTeamMarker(x) {
    if (!map) { return; }
    var m = layers.teams[x.id];
    if (!x.lat && !x.lng) { return; }
    var c = x.status === "available" ? "#16a34a" : x.status === "busy" ? "#d97706" : "#9ca3af";
    if (!m) {
      m = L.marker(at(x.lat, x.lng), { icon: L.divIcon({ className: "team-pin", html: "", iconSize: [14, 14] }) }).addTo(map);
      layers.teams[x.id] = m;
    }
    m.setLatLng(at(x.lat, x.lng));
    m.bindTooltip(text(x.name + " · " + t("team_status." + x.status)));
    var el = m.getElement();
    if (el) { el.style.background = c; el.dataset.team = x.id; el.dataset.status = x.status; }
  }

  // ---- lists ----
  var columns = document.getElementById("columns");
  // The closed column shows the latest few (the rest are on the incident
  // list) and counts today's.
  var closedToday = board.closed_today || 0, closedShown = board.closed_shown || 10, shownClosedIDs = {};
  function shownClosed(i) { return i.state !== "closed" || !!shownClosedIDs[i.id]; }
  var order = ["accepted", "dispatched", "in_progress", "replied", "closed"];
  function visible(i) {
    if (i.state === "merged") { return false; }
    if (filter.district && i.district !== filter.district) { return false; }
    if (filter.service && i.service_code !== filter.service) { return false; }
    if (filter.channel && (i.channels || []).indexOf(filter.channel) < 0) { return false; }
    return true;
  }
  function age(i) { return dur(Math.max(0, Date.now() - skew - Date.parse(i.opened_at))); }
  function timer(i) {
    var s = slaOf(i);
    if (!s) { return ""; }
    var left = Date.parse(i.due_at) - (Date.now() - skew);
    return left >= 0 ? t("dispatch.due_in") + " " + dur(left) : t("dispatch.overdue") + " " + dur(-left);
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function render() {
    columns.textContent = "";
    order.forEach(function (st) {
      var list = Object.keys(incidents).map(function (k) { return incidents[k]; })
        .filter(function (i) { return i.state === st && visible(i); });
      var col = el("div", "board-column");
      col.dataset.state = st;
      if (st === "closed") {
        list = list.sort(function (a, b) { return Date.parse(b.closed_at || 0) - Date.parse(a.closed_at || 0); }).slice(0, closedShown);
        shownClosedIDs = {};
        list.forEach(function (i) { shownClosedIDs[i.id] = true; });
        col.appendChild(el("h2", "", t("state.closed")));
        var sum = el("p", "board-closed-sum", t("dispatch.closed_today").replace("{n}", closedToday).replace("{m}", list.length));
        sum.id = "closed-summary";
        col.appendChild(sum);
      } else {
        list = list.sort(function (a, b) { return Date.parse(a.due_at) - Date.parse(b.due_at); });
        col.appendChild(el("h2", "", t("state." + st) + " (" + list.length + ")"));
      }
      list.forEach(function (i) {
        var card = el("button", "inc-card sla-" + (slaOf(i) || "none"));
        card.type = "button";
        card.dataset.incident = i.id;
        card.dataset.state = i.state;
        card.dataset.ref = i.ref;
        card.appendChild(el("strong", "", i.ref));
        card.appendChild(el("span", "kind", t("svc." + i.service_code)));
        card.appendChild(el("span", "where", i.address || (located(i) ? i.lat.toFixed(4) + ", " + i.lng.toFixed(4) : "")));
        var lt = locText(i);
        if (lt) { card.appendChild(el("span", "loc" + (located(i) ? "" : " loc-none"), lt)); }
        card.appendChild(el("span", "age", age(i) + (i.signal_count > 1 ? " · " + i.signal_count + " " + t("dispatch.signals") : "")));
        if (i.team_name) { card.appendChild(el("span", "team", t("dispatch.team") + t("punct.colon") + i.team_name)); }
        if (i.outcome) { card.appendChild(el("span", "outcome", t("outcome." + i.outcome))); }
        if (i.escalation > 0) { card.appendChild(el("span", "esc", t("dispatch.escalated") + " ×" + i.escalation)); }
        var tm = timer(i);
        if (tm) { card.appendChild(el("span", "timer", tm)); }
        card.addEventListener("click", function () { openIncident(i.id); });
        col.appendChild(card);
      });
      if (st === "closed") {
        var all = el("a", "board-closed-all", t("dispatch.closed_all"));
        all.href = "/incidents?state=closed";
        all.id = "closed-all";
        col.appendChild(all);
      }
      columns.appendChild(col);
    });
    Object.keys(incidents).forEach(function (k) { drawIncidentMarker(incidents[k]); });
    renderTeams();
    renderCoverage();
  }
  var teamList = document.getElementById("team-list");
  function onShift(x) {
    var now = Date.now() - skew;
    return (x.shifts || []).some(function (s) { return Date.parse(s.from) <= now && now < Date.parse(s.until); });
  }
  function renderTeams() {
    teamList.textContent = "";
    Object.keys(teams).map(function (k) { return teams[k]; }).sort(function (a, b) { return a.name < b.name ? -1 : 1; })
      .forEach(function (x) {
        var shift = onShift(x);
        var row = el("span", "team-chip st-" + x.status, x.name + " · " + t("team_status." + x.status) + (shift ? " · " + t("dispatch.on_shift") : ""));
        row.dataset.team = x.id;
        row.dataset.status = x.status;
        row.dataset.onShift = shift ? "1" : "0";
        teamList.appendChild(row);
        drawTeamMarker(x);
      });
  }
  var coverage = board.coverage || [];
  function renderCoverage() {
    var p = document.getElementById("coverage");
    var total = (board.hotspots || []).length;
    var covered = coverage.reduce(function (n, c) { return Math.max(n, c.covered); }, 0);
    p.textContent = t("dispatch.coverage").replace("{n}", covered).replace("{m}", total);
  }

  // ---- one incident ----
  var dlg = document.getElementById("incident-dialog");
  var current = null;
  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, { method: "POST", headers: { "X-CSRF-Token": csrf, "Accept": "application/json" }, body: body, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw j; } return j; }); });
  }
  function showError(e) {
    var p = document.getElementById("d-error");
    p.hidden = false;
    var msg = (e && e.error && e.error.message) || t("dispatch.failed");
    var fields = (e && e.error && e.error.fields) || {};
    Object.keys(fields).forEach(function (k) { msg += " " + fields[k]; });
    p.textContent = msg;
  }
  function getJSON(url) {
    return fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw j; } return j; }); });
  }
  // opened counts the dialog's openings: an answer that arrives after the
  // dispatcher has opened the dialog again (the live event can be faster
  // than the answer) must not close what they are now looking at.
  var opened = 0;
  function closer() {
    var at = opened;
    return function () { if (opened === at) { dlg.close(); } };
  }
  function assign(id, team) {
    var done = closer();
    return post("/dispatch/incidents/" + id + "/assign", { team: team, version: incidents[id].version })
      .then(done, showError);
  }
  function km(m) { return (m / 1000).toFixed(1) + " km"; }
  function eta(ns) { return t("dispatch.eta").replace("{d}", dur(Math.ceil(ns / 6e10) * 60000)); }
  function openIncident(id) {
    var i = incidents[id];
    if (!i) { return; }
    current = id;
    opened++;
    document.getElementById("d-title").textContent = i.ref + " · " + t("svc." + i.service_code) + " · " + t("state." + i.state);
    document.getElementById("d-where").textContent = (i.address || "") + (i.team_name ? " · " + t("dispatch.team") + t("punct.colon") + i.team_name : "");
    var loc = document.getElementById("d-loc");
    loc.textContent = locText(i);
    loc.hidden = !loc.textContent;
    loc.className = "board-loc" + (located(i) ? "" : " loc-none");
    document.getElementById("d-link").href = "/incidents/" + i.id;
    document.getElementById("d-error").hidden = true;
    var actions = document.getElementById("d-actions");
    actions.hidden = !canAssign || i.state === "closed";
    var ul = document.getElementById("d-suggest");
    ul.textContent = "";
    if (canAssign && i.state !== "closed") {
      renderSuggestions(i, ul);
      renderPicker(i);
    }
    renderPlace(i);
    renderNearby(i);
    renderSignals(i);
    if (typeof dlg.showModal === "function") { if (!dlg.open) { dlg.showModal(); } } else { dlg.setAttribute("open", ""); }
  }
  // The nearest available teams, when the incident has a place.
  function renderSuggestions(i, ul) {
    if (!located(i)) { ul.appendChild(el("li", "board-hint", t("dispatch.unlocated"))); return; }
    getJSON("/dispatch/incidents/" + i.id + "/suggest").then(function (j) {
      if (current !== i.id) { return; }
      if (!j.candidates || !j.candidates.length) { ul.appendChild(el("li", "board-hint", t("dispatch.no_team"))); return; }
      j.candidates.forEach(function (c) {
        var li = el("li");
        li.appendChild(el("span", "", c.name + " · " + km(c.distance_m) + " · " + eta(c.eta_ns)));
        var b = el("button", "primary", i.team_id ? t("dispatch.reassign") : t("dispatch.assign"));
        b.type = "button";
        b.dataset.team = c.team_id;
        b.addEventListener("click", function () { assign(i.id, c.team_id); });
        li.appendChild(b);
        ul.appendChild(li);
      });
    }, showError);
  }
  // Any available team, chosen by hand: with its distance when known.
  function renderPicker(i) {
    var sel = document.getElementById("d-team");
    var btn = document.getElementById("d-pick-assign");
    btn.textContent = i.team_id ? t("dispatch.reassign") : t("dispatch.assign");
    sel.textContent = "";
    btn.disabled = true;
    getJSON("/dispatch/incidents/" + i.id + "/teams").then(function (j) {
      if (current !== i.id) { return; }
      var teams = j.teams || [];
      if (!teams.length) {
        var none = el("option", "", t("dispatch.pick_none"));
        none.value = "";
        sel.appendChild(none);
        return;
      }
      teams.forEach(function (c) {
        var o = el("option", "", c.name + " · " + (c.known ? km(c.distance_m) + " · " + eta(c.eta_ns) : t("dispatch.distance_unknown")));
        o.value = c.team_id;
        sel.appendChild(o);
      });
      btn.disabled = false;
    }, showError);
  }
  document.getElementById("d-pick").addEventListener("submit", function (e) {
    e.preventDefault();
    var team = document.getElementById("d-team").value;
    if (current && team) { assign(current, team); }
  });

  // ---- placing an incident's pin ----
  var placing = null; // the incident whose pin the next map click places
  function renderPlace(i) {
    var box = document.getElementById("d-place");
    box.hidden = !canPlace || i.state === "merged";
    document.getElementById("d-place-results").textContent = "";
    document.getElementById("d-place-q").value = "";
  }
  // fromMap turns a point clicked on the map into WGS-84 (map.js shifts
  // what it draws when the tile provider needs another datum).
  function fromMap(ll) { return hm.fromLatLng(ll); }
  function place(id, p, name) {
    var i = incidents[id];
    return post("/dispatch/incidents/" + id + "/place", { lat: p.lat.toFixed(6), lng: p.lng.toFixed(6), name: name || "", version: i.version })
      .then(function (j) {
        // The live event follows; meanwhile the board shows the new place.
        i.lat = j.lat; i.lng = j.lng; i.version = j.version; i.precision = "placed"; i.place = name || "";
        render();
        toast(t("dispatch.placed") + t("punct.colon") + i.ref);
        openIncident(id);
      });
  }
  function stopPlacing() {
    placing = null;
    if (mapEl) { mapEl.classList.remove("board-placing"); }
  }
  document.getElementById("d-place-map").addEventListener("click", function () {
    if (!map || !current) { return; }
    placing = current;
    dlg.close();
    mapEl.classList.add("board-placing");
    mapEl.scrollIntoView({ block: "nearest" });
    toast(t("dispatch.place_pin_hint"));
    var b = el("button", "link", t("dispatch.cancel"));
    b.type = "button";
    b.id = "place-cancel";
    b.addEventListener("click", function () { stopPlacing(); toastEl.hidden = true; });
    toastEl.appendChild(b);
  });
  if (map) {
    map.on("click", function (e) {
      if (!placing) { return; }
      var id = placing;
      stopPlacing();
      place(id, fromMap(e.latlng), "").then(null, function (err) { openIncident(id); showError(err); });
    });
  }
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && placing) { stopPlacing(); toastEl.hidden = true; }
  });
  document.getElementById("d-place-search").addEventListener("submit", function (e) {
    e.preventDefault();
    var id = current;
    var ul = document.getElementById("d-place-results");
    ul.textContent = "";
    getJSON("/dispatch/places.json?q=" + encodeURIComponent(document.getElementById("d-place-q").value)).then(function (j) {
      if (current !== id) { return; }
      if (!j.places || !j.places.length) { ul.appendChild(el("li", "board-hint", t("dispatch.place_none"))); return; }
      j.places.forEach(function (p) {
        var li = el("li");
        li.appendChild(el("span", "", p.name));
        var b = el("button", "", t("dispatch.place_here"));
        b.type = "button";
        b.dataset.place = p.name;
        b.addEventListener("click", function () { place(id, p, p.name).then(null, showError); });
        li.appendChild(b);
        ul.appendChild(li);
      });
    }, showError);
  });
  function open_(i) { return i.state !== "closed" && i.state !== "merged" && i.state !== "replied"; }
  function metres(a, b) {
    var r = 6371000, rad = Math.PI / 180;
    var dLat = (b.lat - a.lat) * rad, dLng = (b.lng - a.lng) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) * Math.sin(dLng / 2);
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  // Open incidents within 2 km: candidates for merging (并单).
  function renderNearby(i) {
    var box = document.getElementById("d-merge");
    var ul = document.getElementById("d-nearby");
    ul.textContent = "";
    box.hidden = true;
    if (!canAssign || !open_(i) || !located(i)) { return; }
    var near = Object.keys(incidents).map(function (k) { return incidents[k]; })
      .filter(function (o) { return o.id !== i.id && open_(o) && located(o) && metres(i, o) <= 2000; })
      .sort(function (a, b) { return metres(i, a) - metres(i, b); }).slice(0, 5);
    near.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("span", "", o.ref + " · " + t("svc." + o.service_code) + " · " + Math.round(metres(i, o)) + " m"));
      var b = el("button", "", t("dispatch.merge_into"));
      b.type = "button";
      b.dataset.into = o.id;
      b.addEventListener("click", function () {
        var done = closer();
        post("/dispatch/incidents/" + i.id + "/merge", { into: o.id })
          .then(function (j) { done(); toast(t("dispatch.merged") + t("punct.colon") + i.ref + " → " + o.ref, j.op); }, showError);
      });
      li.appendChild(b);
      ul.appendChild(li);
    });
    box.hidden = near.length === 0;
  }
  // An incident made of several signals can be split (拆单).
  function renderSignals(i) {
    var box = document.getElementById("d-split");
    var ul = document.getElementById("d-signals");
    ul.textContent = "";
    box.hidden = true;
    if (!canAssign || !open_(i) || i.signal_count < 2) { return; }
    fetch("/dispatch/incidents/" + i.id + "/signals", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (j) {
        if (current !== i.id) { return; }
        (j.signals || []).forEach(function (sg) {
          var li = el("li");
          li.appendChild(el("span", "", sg.ref + " · " + t("channel." + sg.channel) + " · " + (sg.description || sg.address || "")));
          var b = el("button", "", t("dispatch.split"));
          b.type = "button";
          b.dataset.signal = sg.id;
          b.addEventListener("click", function () {
            var done = closer();
            post("/dispatch/incidents/" + i.id + "/split", { signal_id: sg.id })
              .then(function (r) { done(); toast(t("dispatch.split_done") + t("punct.colon") + r.ref, r.op); }, showError);
          });
          li.appendChild(b);
          ul.appendChild(li);
        });
        box.hidden = false;
      });
  }
  // A short notice with an undo button after a merge or split.
  var toastEl = document.getElementById("board-toast");
  function toast(text, op) {
    toastEl.textContent = "";
    toastEl.appendChild(el("span", "", text));
    if (op) {
      var b = el("button", "link", t("dispatch.undo"));
      b.type = "button";
      b.id = "undo-op";
      b.addEventListener("click", function () {
        post("/dispatch/ops/" + op + "/undo", {}).then(function () { toast(t("dispatch.undone")); },
          function (e) { toast((e && e.error && e.error.message) || t("dispatch.failed")); });
      });
      toastEl.appendChild(b);
    }
    toastEl.hidden = false;
  }
  document.getElementById("d-escalate").addEventListener("submit", function (e) {
    e.preventDefault();
    var done = closer();
    post("/dispatch/incidents/" + current + "/escalate", { reason: document.getElementById("d-reason").value })
      .then(function () { document.getElementById("d-reason").value = ""; done(); }, showError);
  });
  document.getElementById("d-note").addEventListener("submit", function (e) {
    e.preventDefault();
    var done = closer();
    post("/dispatch/incidents/" + current + "/notes", { text: document.getElementById("d-text").value })
      .then(function () { document.getElementById("d-text").value = ""; done(); }, showError);
  });

  // ---- live ----
  var status = document.getElementById("live-status");
  var lastID = board.last_event || 0;
  var es = null;
  function connect() {
    // The first connection resumes from the snapshot's event id; the
    // browser itself sends Last-Event-ID on its reconnects.
    es = new EventSource("/dispatch/events?after=" + lastID);
    es.onopen = function () { status.textContent = status.dataset.labelOn; status.className = "live on"; };
    es.onerror = function () { status.textContent = status.dataset.labelOff; status.className = "live off"; };
    es.addEventListener("incident", function (e) {
      lastID = +e.lastEventId || lastID;
      var i = JSON.parse(e.data);
      if (i) {
        var was = incidents[i.id];
        if (i.state === "closed" && (!was || was.state !== "closed")) { closedToday++; }
        if (was && was.state === "closed" && i.state !== "closed") { closedToday = Math.max(0, closedToday - 1); }
        incidents[i.id] = i;
        render();
      }
    });
    es.addEventListener("team", function (e) {
      lastID = +e.lastEventId || lastID;
      var x = JSON.parse(e.data);
      if (x) { teams[x.id] = x; renderTeams(); }
    });
    es.addEventListener("patrol", function (e) {
      lastID = +e.lastEventId || lastID;
      var p = JSON.parse(e.data);
      if (p) {
        var found = false;
        coverage.forEach(function (c) { if (c.department_id === p.department_id) { c.covered = p.covered; found = true; } });
        if (!found) { coverage.push({ department_id: p.department_id, covered: p.covered, total: p.total }); }
        renderCoverage();
      }
    });
    es.addEventListener("encounter", function (e) { lastID = +e.lastEventId || lastID; });
    es.addEventListener("reset", function () { es.close(); location.reload(); });
  }
  // The filters are one row on a wide screen and fold away on a phone.
  var filterBox = document.getElementById("board-filter-box");
  if (filterBox && window.matchMedia && window.matchMedia("(min-width: 700px)").matches) { filterBox.open = true; }
  render();
  connect();
  setInterval(render, 30000); // timers move on
  root.dataset.ready = "1";
})();
