// Patrol app: works without a network. Everything the member does is put
// in a queue in IndexedDB with an id made here (a UUID), and the queue is
// sent to /patrol/sync whenever the network is there. The server answers
// each entry: ok or duplicate (sent before) leave the queue; a conflict
// (someone changed the record meanwhile) is shown, never forced over.
(function () {
  "use strict";
  var app = document.getElementById("patrol-app");
  if (!app) { return; }
  var csrf = app.dataset.csrf;
  var T = JSON.parse(document.getElementById("patrol-text").textContent);
  function t(k) { return T[k] || k; }
  function $(id) { return document.getElementById(id); }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/patrol/sw.js", { scope: "/patrol/" }).catch(function () {});
  }

  // ---- IndexedDB: "queue" (entries to send) and "kv" (state, open patrol) ----
  var dbp = new Promise(function (resolve, reject) {
    var rq = indexedDB.open("haven-patrol", 1);
    rq.onupgradeneeded = function () {
      rq.result.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
      rq.result.createObjectStore("kv");
    };
    rq.onsuccess = function () { resolve(rq.result); };
    rq.onerror = function () { reject(rq.error); };
  });
  function tx(store, mode, fn) {
    return dbp.then(function (db) {
      return new Promise(function (resolve, reject) {
        var x = db.transaction(store, mode);
        var out = fn(x.objectStore(store));
        // A read answers its request's result, which is undefined when
        // nothing is stored (never the request itself).
        x.oncomplete = function () { resolve(out instanceof IDBRequest ? out.result : out); };
        x.onerror = function () { reject(x.error); };
      });
    });
  }
  function kvGet(k) { return tx("kv", "readonly", function (s) { return s.get(k); }); }
  function kvPut(k, v) { return tx("kv", "readwrite", function (s) { s.put(v, k); }); }
  function enqueue(op) { return tx("queue", "readwrite", function (s) { s.add(op); }).then(showQueue).then(sync); }
  function queued() { return tx("queue", "readonly", function (s) { return s.getAll(); }); }
  function dequeue(seqs) { return tx("queue", "readwrite", function (s) { seqs.forEach(function (q) { s.delete(q); }); }); }

  // ---- state ----
  var state = { teams: [], assignments: [], hotspots: [] };
  var patrol = null; // {id, version, team_id}
  function loadState() {
    return fetch("/patrol/state.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
      .then(function (s) { state = s; return kvPut("state", s); })
      .catch(function () { return kvGet("state").then(function (s) { if (s) { state = s; } }); })
      .then(function () { return kvGet("patrol"); })
      .then(function (p) { patrol = p && p.id ? p : null; render(); });
  }
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) { e.textContent = text; } return e; }
  var here = null;
  function dist(a, b) {
    var r = 6371000, p = Math.PI / 180;
    var x = (b.lng - a.lng) * p * Math.cos((a.lat + b.lat) * p / 2), y = (b.lat - a.lat) * p;
    return Math.sqrt(x * x + y * y) * r;
  }
  function render() {
    var sel = $("team");
    var keep = sel.value;
    sel.textContent = "";
    state.teams.forEach(function (x) { var o = el("option", x.name); o.value = x.id; sel.appendChild(o); });
    if (keep) { sel.value = keep; }
    var ul = $("assignments");
    ul.textContent = "";
    var inc = $("e-incident");
    var keepInc = inc.value;
    while (inc.options.length > 1) { inc.remove(1); }
    if (!state.assignments.length) { ul.appendChild(el("li", t("patrol.no_assignments"))); }
    state.assignments.forEach(function (a) {
      var li = el("li");
      li.dataset.incident = a.id;
      li.appendChild(el("strong", a.ref + " "));
      li.appendChild(el("span", t("svc." + a.service_code) + " · " + (a.address || (a.lat.toFixed(4) + ", " + a.lng.toFixed(4)))));
      ul.appendChild(li);
      var o = el("option", a.ref + " · " + t("svc." + a.service_code));
      o.value = a.id;
      inc.appendChild(o);
    });
    if (keepInc) { inc.value = keepInc; } else if (state.assignments.length) { inc.value = state.assignments[0].id; }
    var hs = state.hotspots.slice();
    if (here) { hs.sort(function (a, b) { return dist(here, a) - dist(here, b); }); }
    var hl = $("hotspots");
    hl.textContent = "";
    hs.slice(0, 10).forEach(function (h) {
      var li = el("li", h.name + (here ? " · " + (dist(here, h) / 1000).toFixed(1) + " km" : "") + (h.risk_notes ? " — " + h.risk_notes : ""));
      hl.appendChild(li);
    });
    $("patrol-state").textContent = patrol ? (t("patrol.running") + " " + clock(patrol.started_at)).trim() : t("patrol.none");
    $("patrol-start").hidden = !!patrol;
    $("patrol-stop").hidden = !patrol;
  }
  // clock shows a time of day in the page's language; "" when unknown.
  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d.getTime())) { return ""; }
    return d.toLocaleTimeString(document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  }
  // entryText names a queued entry the way the member recorded it.
  function entryText(e) {
    var d = e.data || {};
    var s = t("patrol.entry_" + e.op);
    if (e.op === "track") { s = s.replace("{n}", String(d.length || 0)); }
    if (e.op === "encounter" && d.outcome) { s += " · " + t("encounter_outcome." + d.outcome); }
    var when = clock(e.op === "track" && d.length ? d[d.length - 1].t : (d.at || d.started_at || d.ended_at || ""));
    return when ? s + " · " + when : s;
  }

  // ---- refused entries: kept until the member has read why ----
  function showProblems() {
    return kvGet("problems").then(function (list) {
      list = list || [];
      var box = $("sync-problems"), ul = $("sync-problem-list");
      ul.textContent = "";
      list.forEach(function (p) {
        var li = el("li");
        li.dataset.op = p.op;
        li.appendChild(el("strong", p.entry));
        li.appendChild(el("span", p.reason));
        ul.appendChild(li);
      });
      box.hidden = list.length === 0;
    });
  }
  function addProblems(more) {
    if (!more.length) { return Promise.resolve(); }
    return kvGet("problems").then(function (list) { return kvPut("problems", (list || []).concat(more)); }).then(showProblems);
  }
  $("sync-problems-ok").addEventListener("click", function () { kvPut("problems", []).then(showProblems); });

  function showQueue() {
    return queued().then(function (q) {
      var p = $("queue-status");
      p.hidden = q.length === 0;
      p.textContent = p.dataset.text.replace("{n}", q.length);
      app.dataset.queued = String(q.length);
    });
  }

  // ---- sync ----
  var syncing = false;
  function sync() {
    if (syncing || !navigator.onLine) { return Promise.resolve(); }
    syncing = true;
    return queued().then(function (q) {
      if (!q.length) { return; }
      var ops = q.map(function (e) { return { op: e.op, id: e.id, base_version: e.base_version || 0, data: e.data }; });
      return fetch("/patrol/sync", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": csrf }, body: JSON.stringify({ ops: ops }) })
        .then(function (r) { if (!r.ok) { throw r; } return r.json(); })
        .then(function (j) {
          var done = [], problems = [];
          j.results.forEach(function (res, k) {
            var e = q[k];
            if (res.status === "ok" || res.status === "duplicate") {
              done.push(e.seq);
              if (e.op === "patrol_start" && patrol && patrol.id === e.id) { patrol.version = res.version; kvPut("patrol", patrol); }
              if (e.op === "track" && patrol && patrol.id === e.id && res.version) { patrol.version = res.version; kvPut("patrol", patrol); }
            } else if (res.status === "conflict" || res.status === "invalid") {
              done.push(e.seq); // shown to the member with the reason, not retried for ever
              problems.push({ op: e.op, entry: entryText(e),
                reason: t(res.status === "conflict" ? "patrol.conflict" : "patrol.refused").replace("{reason}", res.message || "") });
            }
          });
          return dequeue(done).then(function () { return addProblems(problems); })
            .then(function () { app.dataset.synced = String(Date.now()); });
        });
    }).catch(function () {}).then(function () { syncing = false; return showQueue(); }).then(function () {
      return fetch("/patrol/state.json", { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) { if (s) { state = s; kvPut("state", s); render(); } }, function () {});
    });
  }
  function showNet() {
    var p = $("net-status");
    p.textContent = navigator.onLine ? p.dataset.labelOn : p.dataset.labelOff;
    p.className = "live " + (navigator.onLine ? "on" : "off");
  }
  function net() {
    showNet();
    if (navigator.onLine) { sync(); }
  }
  window.addEventListener("online", net);
  window.addEventListener("offline", net);
  setInterval(function () { if (navigator.onLine) { sync(); } }, 5000);

  // ---- actions ----
  var track = [];
  $("patrol-start").addEventListener("click", function () {
    var team = $("team").value;
    if (!team) { return; }
    patrol = { id: uuid(), version: 1, team_id: team, started_at: new Date().toISOString() };
    kvPut("patrol", patrol).then(render);
    enqueue({ op: "patrol_start", id: patrol.id, data: { team_id: team, kind: "adhoc", started_at: patrol.started_at,
      staff_count: +$("staff").value || 1, vehicle_trips: +$("trips").value || 0 } });
  });
  $("patrol-stop").addEventListener("click", function () {
    if (!patrol) { return; }
    var p = patrol;
    flushTrack();
    // The queue is sent in order: start, track, then the end.
    enqueue({ op: "patrol_end", id: p.id, data: { ended_at: new Date().toISOString() } });
    patrol = null;
    kvPut("patrol", null).then(render);
  });
  function flushTrack() {
    if (!patrol || !track.length) { return; }
    var pts = track; track = [];
    enqueue({ op: "track", id: patrol.id, data: pts });
  }
  if (navigator.geolocation) {
    navigator.geolocation.watchPosition(function (pos) {
      here = { lat: pos.coords.latitude, lng: pos.coords.longitude };
      if (patrol) { track.push({ lat: here.lat, lng: here.lng, t: Date.now() }); if (track.length >= 10) { flushTrack(); } }
    }, function () {}, { enableHighAccuracy: true, maximumAge: 10000 });
    setInterval(flushTrack, 60000);
  }
  // Picking a catalogue item fills in its unit.
  $("e-item").addEventListener("change", function () {
    var opts = document.querySelectorAll("#supply-items option");
    for (var i = 0; i < opts.length; i++) {
      if (opts[i].value === $("e-item").value.trim()) { $("e-unit").value = opts[i].getAttribute("data-unit"); }
    }
  });

  $("encounter-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var f = e.target;
    var outcome = (f.querySelector("input[name=outcome]:checked") || {}).value;
    if (!outcome) { $("e-error").hidden = false; return; }
    $("e-error").hidden = true;
    var states = Array.prototype.map.call(f.querySelectorAll("input[name=states]:checked"), function (c) { return c.value; });
    var supplies = [];
    if (f.item.value.trim()) { supplies.push({ item: f.item.value.trim(), qty: +f.qty.value || 1, unit: f.unit.value.trim() }); }
    var data = { incident_id: f.incident_id.value, patrol_id: patrol ? patrol.id : "", team_id: $("team").value, at: new Date().toISOString(),
      outcome: outcome, states: states, description: f.description.value, name: f.name.value, supplies: supplies, notes: f.notes.value };
    if (here) { data.lat = here.lat; data.lng = here.lng; }
    enqueue({ op: "encounter", id: uuid(), data: data }).then(function () { f.reset(); });
  });

  showNet(); // at once: no empty indicator while the phone's store opens
  loadState().then(showQueue).then(showProblems).then(net);
  app.dataset.ready = "1";
})();
