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
  var csrf = root.dataset.csrf;
  var params = new URLSearchParams(location.search);
  var filter = { district: params.get("district") || "", service: params.get("service") || "", channel: params.get("channel") || "" };
  function t(k) { return T[k] || k; }
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
  var mapEl = document.getElementById("board-map");
  if (typeof L !== "undefined" && mapEl) {
    map = L.map(mapEl, { preferCanvas: false }).setView([35.303, 113.926], 12);
    if (root.dataset.tiles) {
      // Without tiles (offline, blocked provider) markers still show on a blank map.
      L.tileLayer(root.dataset.tiles, { maxZoom: 19 }).addTo(map);
    }
    (board.hotspots || []).forEach(function (h) {
      L.circleMarker([h.lat, h.lng], { radius: 5, color: "#6b7280", weight: 1, fillOpacity: 0.4 })
        .bindTooltip(text(h.name + " · " + t("hotspot_kind." + h.kind))).addTo(map);
    });
    (board.points || []).forEach(function (p) {
      var m = L.circleMarker([p.lat, p.lng], { radius: 6, color: p.open ? "#1b6e3a" : "#9ca3af", weight: 2, fillOpacity: p.open ? 0.5 : 0.1 })
        .bindTooltip(text(p.name + (p.open ? " · " + t("points.open_now") : " · " + t("points.closed_now")))).addTo(map);
      var e = m.getElement();
      if (e) { e.dataset.point = p.id; }
    });
    (board.stations || []).forEach(function (p) {
      var m = L.marker([p.lat, p.lng], { icon: L.divIcon({ className: "station-pin", html: "站", iconSize: [20, 20] }) })
        .bindTooltip(text(t("dispatch.station") + " · " + p.name)).addTo(map);
      var e = m.getElement();
      if (e) { e.dataset.station = p.id; }
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
    if (!visible(i) || (!i.lat && !i.lng)) {
      if (m) { map.removeLayer(m); delete layers.incidents[i.id]; }
      return;
    }
    if (!m) {
      m = L.circleMarker([i.lat, i.lng], { radius: 9, weight: 2 }).addTo(map);
      m.on("click", function () { openIncident(i.id); });
      layers.incidents[i.id] = m;
    }
    m.setLatLng([i.lat, i.lng]);
    m.setStyle({ color: color(i), fillColor: color(i), fillOpacity: 0.5 });
    m.bindTooltip(text(i.ref + " " + t("svc." + i.service_code)));
    m.getElement && m.getElement() && m.getElement().setAttribute("data-incident", i.id);
  }
  function drawTeamMarker(x) {
    if (!map) { return; }
    var m = layers.teams[x.id];
    if (!x.lat && !x.lng) { return; }
    var c = x.status === "available" ? "#16a34a" : x.status === "busy" ? "#d97706" : "#9ca3af";
    if (!m) {
      m = L.marker([x.lat, x.lng], { icon: L.divIcon({ className: "team-pin", html: "", iconSize: [14, 14] }) }).addTo(map);
      layers.teams[x.id] = m;
    }
    m.setLatLng([x.lat, x.lng]);
    m.bindTooltip(text(x.name + " · " + t("team_status." + x.status)));
    var el = m.getElement();
    if (el) { el.style.background = c; el.dataset.team = x.id; el.dataset.status = x.status; }
  }

  // ---- lists ----
  var columns = document.getElementById("columns");
  var order = ["accepted", "dispatched", "in_progress", "replied", "closed"];
  function visible(i) {
    if (i.state === "merged") { return false; }
    if (filter.district && i.district !== filter.district) { return false; }
    if (filter.service && i.service_code !== filter.service) { return false; }
    if (filter.channel && (i.channels || []).indexOf(filter.channel) < 0) { return false; }
    return true;
  }
  function age(i) {
    var mins = Math.max(0, Math.floor((Date.now() - skew - Date.parse(i.opened_at)) / 60000));
    return mins < 60 ? mins + " " + t("dispatch.min") : Math.floor(mins / 60) + " " + t("dispatch.hour") + " " + (mins % 60) + " " + t("dispatch.min");
  }
  function timer(i) {
    var s = slaOf(i);
    if (!s) { return ""; }
    var left = Math.round((Date.parse(i.due_at) - (Date.now() - skew)) / 60000);
    return left >= 0 ? t("dispatch.due_in") + " " + left + " " + t("dispatch.min") : t("dispatch.overdue") + " " + (-left) + " " + t("dispatch.min");
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
        .filter(function (i) { return i.state === st && visible(i); })
        .sort(function (a, b) { return Date.parse(a.due_at) - Date.parse(b.due_at); });
      var col = el("div", "column");
      col.dataset.state = st;
      var h = el("h2", "", t("state." + st) + " (" + list.length + ")");
      col.appendChild(h);
      list.forEach(function (i) {
        var card = el("button", "inc-card sla-" + (slaOf(i) || "none"));
        card.type = "button";
        card.dataset.incident = i.id;
        card.dataset.state = i.state;
        card.dataset.ref = i.ref;
        card.appendChild(el("strong", "", i.ref));
        card.appendChild(el("span", "kind", t("svc." + i.service_code)));
        card.appendChild(el("span", "where", i.address || (i.lat.toFixed(4) + ", " + i.lng.toFixed(4))));
        card.appendChild(el("span", "age", age(i) + (i.signal_count > 1 ? " · " + i.signal_count + " " + t("dispatch.signals") : "")));
        if (i.team_name) { card.appendChild(el("span", "team", t("dispatch.team") + ": " + i.team_name)); }
        if (i.outcome) { card.appendChild(el("span", "outcome", t("outcome." + i.outcome))); }
        if (i.escalation > 0) { card.appendChild(el("span", "esc", t("dispatch.escalated") + " ×" + i.escalation)); }
        var tm = timer(i);
        if (tm) { card.appendChild(el("span", "timer", tm)); }
        card.addEventListener("click", function () { openIncident(i.id); });
        col.appendChild(card);
      });
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
  function openIncident(id) {
    var i = incidents[id];
    if (!i) { return; }
    current = id;
    document.getElementById("d-title").textContent = i.ref + " · " + t("svc." + i.service_code) + " · " + t("state." + i.state);
    document.getElementById("d-where").textContent = (i.address || "") + (i.team_name ? " · " + t("dispatch.team") + ": " + i.team_name : "");
    document.getElementById("d-link").href = "/incidents/" + i.id;
    document.getElementById("d-error").hidden = true;
    var actions = document.getElementById("d-actions");
    actions.hidden = !canAssign || i.state === "closed";
    var ul = document.getElementById("d-suggest");
    ul.textContent = "";
    if (canAssign && i.state !== "closed") {
      fetch("/dispatch/incidents/" + id + "/suggest", { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          if (!j.candidates || !j.candidates.length) { ul.appendChild(el("li", "", t("dispatch.no_team"))); return; }
          j.candidates.forEach(function (c) {
            var li = el("li");
            li.appendChild(el("span", "", c.name + " · " + (c.distance_m / 1000).toFixed(1) + " km · " + Math.ceil(c.eta_ns / 6e10) + " " + t("dispatch.min")));
            var b = el("button", "primary", i.team_id ? t("dispatch.reassign") : t("dispatch.assign"));
            b.type = "button";
            b.dataset.team = c.team_id;
            b.addEventListener("click", function () {
              post("/dispatch/incidents/" + id + "/assign", { team: c.team_id, version: incidents[id].version })
                .then(function () { dlg.close(); }, showError);
            });
            li.appendChild(b);
            ul.appendChild(li);
          });
        });
    }
    renderNearby(i);
    renderSignals(i);
    if (typeof dlg.showModal === "function") { dlg.showModal(); } else { dlg.setAttribute("open", ""); }
  }
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
    if (!canAssign || !open_(i) || (!i.lat && !i.lng)) { return; }
    var near = Object.keys(incidents).map(function (k) { return incidents[k]; })
      .filter(function (o) { return o.id !== i.id && open_(o) && (o.lat || o.lng) && metres(i, o) <= 2000; })
      .sort(function (a, b) { return metres(i, a) - metres(i, b); }).slice(0, 5);
    near.forEach(function (o) {
      var li = el("li");
      li.appendChild(el("span", "", o.ref + " · " + t("svc." + o.service_code) + " · " + Math.round(metres(i, o)) + " m"));
      var b = el("button", "", t("dispatch.merge_into"));
      b.type = "button";
      b.dataset.into = o.id;
      b.addEventListener("click", function () {
        post("/dispatch/incidents/" + i.id + "/merge", { into: o.id })
          .then(function (j) { dlg.close(); toast(t("dispatch.merged") + ": " + i.ref + " → " + o.ref, j.op); }, showError);
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
            post("/dispatch/incidents/" + i.id + "/split", { signal_id: sg.id })
              .then(function (r) { dlg.close(); toast(t("dispatch.split_done") + ": " + r.ref, r.op); }, showError);
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
    post("/dispatch/incidents/" + current + "/escalate", { reason: document.getElementById("d-reason").value })
      .then(function () { document.getElementById("d-reason").value = ""; dlg.close(); }, showError);
  });
  document.getElementById("d-note").addEventListener("submit", function (e) {
    e.preventDefault();
    post("/dispatch/incidents/" + current + "/notes", { text: document.getElementById("d-text").value })
      .then(function () { document.getElementById("d-text").value = ""; dlg.close(); }, showError);
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
      if (i) { incidents[i.id] = i; render(); }
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
  render();
  connect();
  setInterval(render, 30000); // timers move on
  root.dataset.ready = "1";
})();
