package web

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/supplies"
)

// ---- the dispatcher's board (DESIGN.md §3.2) ----

type boardPage struct {
	Board    *dispatch.Board // handed to board.js as JSON
	Services []intake.ServiceType
	Channels []intake.Channel
	Assign   bool
	Place    bool        // may place an incident's pin
	Night    *nightAlert // tonight's warning needs a night patrol (今夜须夜巡)
}

func (s *Server) boardFilter(r *http.Request) dispatch.BoardFilter {
	q := r.URL.Query()
	return dispatch.BoardFilter{District: q.Get("district"), ServiceCode: q.Get("service"), Channel: q.Get("channel")}
}

func (s *Server) board(r *http.Request) (*dispatch.Board, error) {
	last, err := s.Hub.Store.LastEventID(r.Context()) // read first: a client resuming from it misses nothing
	if err != nil {
		return nil, err
	}
	b, err := s.Dispatch.BoardOf(r.Context(), info(r).actor, s.boardFilter(r), last)
	if err != nil {
		return nil, err
	}
	// Relief stations and other rescue points with a known place.
	depts, err := s.Auth.ListDepartments(r.Context(), info(r).actor)
	if err != nil {
		return nil, err
	}
	for _, d := range depts {
		if d.Kind == "station" && (d.Lat != 0 || d.Lng != 0) {
			name := d.Name
			if info(r).lang == "en" && d.NameEn != "" {
				name = d.NameEn
			}
			b.Stations = append(b.Stations, dispatch.BoardPlace{ID: d.ID, Name: name, Kind: d.Kind, Lat: d.Lat, Lng: d.Lng})
		}
	}
	// The help points a team can bring someone to, and whether they are
	// open now.
	ps, err := s.Points.Find(r.Context(), points.Query{})
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		b.Points = append(b.Points, dispatch.BoardPlace{ID: p.ID, Name: p.Name, Kind: p.Kind, Lat: p.Lat, Lng: p.Lng, Open: p.OpenNow})
	}
	return b, nil
}

func (s *Server) dispatchPage(w http.ResponseWriter, r *http.Request) {
	b, err := s.board(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	night, err := s.boardNightAlert(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.dispatch", boardPage{Board: b, Services: intake.Services, Channels: intake.Channels,
		Assign: info(r).actor.Can(auth.PermDispatchAssign), Place: info(r).actor.Can(auth.PermIncidentsManage), Night: night})
	v.keep(r, "district", "service", "channel")
	s.render(w, r, http.StatusOK, "dispatch", v)
}

func (s *Server) dispatchBoardJSON(w http.ResponseWriter, r *http.Request) {
	b, err := s.board(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, b)
}

// dispatchEvents is the live stream (server-sent events). A client that
// reconnects sends Last-Event-ID and first gets what it missed.
func (s *Server) dispatchEvents(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.events", auth.PermDispatchBoard); err != nil {
		s.fail(w, r, err)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		s.fail(w, r, errs.E(errs.Internal, "web.events", "err.internal"))
		return
	}
	var after int64
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		after, _ = strconv.ParseInt(v, 10, 64)
	} else if v := r.URL.Query().Get("after"); v != "" {
		after, _ = strconv.ParseInt(v, 10, 64)
	}
	sub := s.Hub.Subscribe() // before the backfill, so nothing falls between
	defer sub.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sent := after
	if after > 0 {
		back, reset, err := s.Hub.Backfill(r.Context(), after)
		if err != nil || reset {
			fmt.Fprint(w, "event: reset\ndata: {}\n\n")
			fl.Flush()
			return
		}
		for _, m := range back {
			writeEvent(w, m)
			sent = m.ID
		}
	}
	fmt.Fprint(w, "retry: 2000\n: connected\n\n")
	fl.Flush()
	ping := time.NewTicker(20 * time.Second)
	defer ping.Stop()
	rc := http.NewResponseController(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
		case m, ok := <-sub.C:
			if !ok {
				return // shutting down: the client resumes elsewhere
			}
			if m.ID > sent {
				writeEvent(w, m)
				sent = m.ID
			}
		}
		// A stream that fell behind reads what it missed from the log.
		more, reset, err := sub.CatchUp(r.Context(), sent)
		if err != nil || reset {
			fmt.Fprint(w, "event: reset\ndata: {}\n\n")
			fl.Flush()
			return
		}
		for _, m := range more {
			writeEvent(w, m)
			sent = m.ID
		}
		_ = rc.SetWriteDeadline(time.Now().Add(30 * time.Second))
		fl.Flush()
	}
}

func writeEvent(w io.Writer, m events.Message) {
	data := m.Data
	if len(data) == 0 {
		data = []byte("null")
	}
	fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", m.ID, m.Topic, data)
}

func (s *Server) dispatchSuggest(w http.ResponseWriter, r *http.Request) {
	c, err := s.Dispatch.Suggest(r.Context(), info(r).actor, r.PathValue("id"), 3)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if c == nil {
		c = []dispatch.Candidate{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"candidates": c})
}

// dispatchTeams lists every available team for the dispatcher's own
// choice, nearest first when the incident has a place.
func (s *Server) dispatchTeams(w http.ResponseWriter, r *http.Request) {
	c, err := s.Dispatch.Available(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": c})
}

// dispatchPlaces searches the city's gazetteer for the board's "set the
// location" box.
func (s *Server) dispatchPlaces(w http.ResponseWriter, r *http.Request) {
	m, err := s.Intake.SearchPlaces(r.Context(), info(r).actor, r.URL.Query().Get("q"), 8)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"places": m})
}

// dispatchPlace puts an incident's pin where the dispatcher clicked on the
// map or the place they chose.
func (s *Server) dispatchPlace(w http.ResponseWriter, r *http.Request) {
	lat, okLat := parseCoord(r.PostFormValue("lat"))
	lng, okLng := parseCoord(r.PostFormValue("lng"))
	if !okLat || !okLng {
		s.fail(w, r, errs.InvalidFields("web.dispatchPlace", map[string]string{"location": "err.coordinates"}))
		return
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	inc, err := s.Intake.Place(r.Context(), info(r).actor, r.PathValue("id"),
		intake.Placement{Lat: lat, Lng: lng, Name: r.PostFormValue("name"), Version: version})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": inc.ID, "version": inc.Version, "lat": inc.Lat, "lng": inc.Lng})
}

func (s *Server) dispatchAssign(w http.ResponseWriter, r *http.Request) {
	version, _ := strconv.Atoi(r.FormValue("version"))
	a, err := s.Dispatch.Assign(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("team"), version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"assignment": a.ID, "team": a.TeamID, "distance_m": a.DistanceM, "eta_s": a.ETA.Seconds()})
}

func (s *Server) dispatchEscalate(w http.ResponseWriter, r *http.Request) {
	if err := s.Dispatch.Escalate(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("reason")); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) dispatchNote(w http.ResponseWriter, r *http.Request) {
	n, err := s.Dispatch.AddNote(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("text"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"note": n.ID})
}

// ---- the patrol app ----

type patrolPage struct {
	Outcomes []dispatch.Outcome
	States   []string
	Items    []*supplies.Item // the catalogue: names the patrol picks so handouts book against the van
}

func (s *Server) patrolApp(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.patrol", auth.PermPatrolWork); err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := s.Supplies.Store.Items(r.Context()) // item names and units only
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.patrol", patrolPage{Outcomes: dispatch.Outcomes, States: dispatch.PersonStates, Items: items})
	s.render(w, r, http.StatusOK, "patrol", v)
}

// patrolState is what the app keeps for offline use: my teams, my
// assignments, the hotspots, and the open patrol.
func (s *Server) patrolState(w http.ResponseWriter, r *http.Request) {
	a := info(r).actor
	teams, err := s.Dispatch.MyTeams(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	mine, err := s.Dispatch.MyAssignments(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hs, err := s.Dispatch.Hotspots(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ts := make([]*dispatch.BoardTeam, 0, len(teams))
	for _, t := range teams {
		ts = append(ts, dispatch.BoardTeamOf(t))
	}
	hl := make([]map[string]any, 0, len(hs))
	for _, h := range hs {
		hl = append(hl, map[string]any{"id": h.ID, "name": h.Name, "kind": h.Kind, "lat": h.Lat, "lng": h.Lng, "risk_notes": h.RiskNotes})
	}
	if mine == nil {
		mine = []*dispatch.BoardIncident{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"teams": ts, "assignments": mine, "hotspots": hl, "now": s.Now().UTC()})
}

func (s *Server) patrolSync(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.sync", auth.PermPatrolWork); err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.fail(w, r, errs.E(errs.Invalid, "web.sync", "err.body_too_large"))
		return
	}
	b, err := dispatch.ParseSync(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Dispatch.Sync(r.Context(), info(r).actor, b)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := info(r).lang
	type answer struct {
		dispatch.SyncResult
		Message string `json:"message,omitempty"`
	}
	out := make([]answer, len(res))
	for i, x := range res {
		out[i] = answer{SyncResult: x}
		if x.Status != "ok" && x.Status != "duplicate" {
			out[i].Message = s.syncMessage(lang, x)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

// syncFieldLabels names, for the patrol member, the fields a queued entry
// can be refused for.
var syncFieldLabels = map[string]string{
	"id": "patrol.field_id", "kind": "patrol.field_kind", "team": "patrol.team", "started_at": "patrol.field_started_at",
	"ended_at": "patrol.field_ended_at", "staff_count": "patrol.staff", "vehicle_trips": "patrol.trips", "track": "patrol.field_track",
	"incident": "patrol.for_incident", "outcome": "patrol.outcome", "states": "patrol.person_state", "at": "patrol.field_at",
	"location": "patrol.field_location", "name": "patrol.name", "description": "patrol.description", "supplies": "patrol.supply",
	"notes": "patrol.notes",
}

// syncMessage says in the user's language why a queued entry was refused:
// the refusal's own message, then each field's problem under the field's
// name. A refusal never goes without one.
func (s *Server) syncMessage(lang string, x dispatch.SyncResult) string {
	var parts []string
	if x.Error != "" {
		parts = append(parts, s.Catalog.T(lang, x.Error))
	}
	for _, f := range slices.Sorted(maps.Keys(x.Fields)) {
		msg := s.Catalog.T(lang, x.Fields[f])
		if label, ok := syncFieldLabels[f]; ok {
			msg = s.Catalog.T(lang, "patrol.field_error", s.Catalog.T(lang, label), msg)
		}
		parts = append(parts, msg)
	}
	if len(parts) == 0 {
		parts = append(parts, s.Catalog.T(lang, defaultMessage(errs.Invalid)))
	}
	return strings.Join(parts, " ")
}

// patrolWorker is the patrol app's service worker. Served from /patrol/
// so that it controls the app's pages.
func (s *Server) patrolWorker(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.patrol", auth.PermPatrolWork); err != nil {
		s.fail(w, r, err)
		return
	}
	b, ok := s.static.files["patrol-sw.js"]
	if !ok {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	// The worker caches the app's pages and scripts by their hashed URLs.
	body := []byte(fmt.Sprintf("const ASSETS = %s;\n", s.patrolAssets()))
	_, _ = w.Write(append(body, b...))
}

func (s *Server) patrolAssets() string {
	list := []string{"/patrol/"}
	for _, f := range []string{"app.css", "patrol.js"} {
		if u, err := s.static.url(f); err == nil {
			list = append(list, u)
		}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// ---- merge and split from the board ----

type boardSignal struct {
	ID          string    `json:"id"`
	Ref         string    `json:"ref"`
	Channel     string    `json:"channel"`
	ServiceCode string    `json:"service_code"`
	Description string    `json:"description"`
	Address     string    `json:"address"`
	ReportedAt  time.Time `json:"reported_at"`
}

// dispatchSignals lists an incident's signals for the board's split
// action: no phone numbers, names or photos.
func (s *Server) dispatchSignals(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.dispatchSignals", auth.PermIncidentsManage); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Intake.Incident(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := make([]boardSignal, 0, len(d.Signals))
	for _, sg := range d.Signals {
		out = append(out, boardSignal{ID: sg.ID, Ref: sg.Ref, Channel: string(sg.Channel), ServiceCode: sg.ServiceCode,
			Description: sg.Description, Address: sg.Address, ReportedAt: sg.ReportedAt})
	}
	writeJSON(w, http.StatusOK, map[string]any{"signals": out})
}

func (s *Server) dispatchMerge(w http.ResponseWriter, r *http.Request) {
	o, err := s.Intake.MergeIncidents(r.Context(), info(r).actor, r.PathValue("id"), r.PostFormValue("into"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"op": o.ID, "from": o.From, "into": o.To})
}

func (s *Server) dispatchSplit(w http.ResponseWriter, r *http.Request) {
	o, n, err := s.Intake.SplitSignal(r.Context(), info(r).actor, r.PathValue("id"), r.PostFormValue("signal_id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"op": o.ID, "from": o.From, "incident": n.ID, "ref": n.Ref})
}

func (s *Server) dispatchUndo(w http.ResponseWriter, r *http.Request) {
	o, err := s.Intake.Undo(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"op": o.ID, "from": o.From, "to": o.To})
}
