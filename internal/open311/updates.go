package open311

import (
	"encoding/xml"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/intake"
)

// Update is one entry of GET servicerequestupdates (the extension
// FixMyStreet reads to follow a council's progress): the latest state of
// a request's incident, once it moved on after the request came in.
type Update struct {
	XMLName          xml.Name `json:"-" xml:"request_update"`
	UpdateID         string   `json:"update_id" xml:"update_id"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Status           string   `json:"status" xml:"status"`
	UpdatedDatetime  string   `json:"updated_datetime" xml:"updated_datetime"`
	Description      string   `json:"description" xml:"description"`
	MediaURL         string   `json:"media_url" xml:"media_url"`
	// ExternalStatusCode is Haven's own step (dispatched, in_progress…).
	ExternalStatusCode string `json:"external_status_code" xml:"external_status_code"`
}

type updateList struct {
	XMLName xml.Name `xml:"service_request_updates"`
	Updates []Update
}

// UpdateStatus is the FixMyStreet status of a Haven state: OPEN, the
// extension's IN_PROGRESS once a team is sent, CLOSED.
func UpdateStatus(s intake.State) string {
	switch {
	case s.Open311Status() == "closed":
		return "CLOSED"
	case s == intake.StateDispatched || s == intake.StateInProgress || s == intake.StateReplied:
		return "IN_PROGRESS"
	}
	return "OPEN"
}

// updates serves GET servicerequestupdates.{fmt}: start_date and
// end_date bound the update time (default: the last 24 hours), page and
// page_size page it. Anyone may read it (status and notes, as GET
// requests shows them); requests of a sensitive kind only with a key.
func (h *Handler) updates(w http.ResponseWriter, r *http.Request, format string) {
	q := r.URL.Query()
	full, ok := h.optionalKey(w, r, format, requestKey(r))
	if !ok {
		return
	}
	now := h.Now()
	f := intake.SignalFilter{Updated: true, HideSensitive: !full, UpdatedSince: now.Add(-24 * time.Hour)}
	var problems []string
	if v := q.Get("start_date"); v != "" {
		t, ok := parseDate(v)
		if !ok {
			problems = append(problems, "start_date: use ISO 8601, e.g. 2026-11-28T08:00:00Z")
		}
		f.UpdatedSince = t
	}
	if v := q.Get("end_date"); v != "" {
		t, ok := parseDate(v)
		if !ok {
			problems = append(problems, "end_date: use ISO 8601, e.g. 2026-11-28T20:00:00Z")
		}
		f.UpdatedUntil = t
	}
	if !f.UpdatedUntil.IsZero() && f.UpdatedUntil.Before(f.UpdatedSince) {
		problems = append(problems, "end_date is before start_date")
	}
	p, more := ParsePage(q)
	l := lang(r)
	writeList(h, w, r, format, append(problems, more...), f, p, func(v *intake.SignalView) Update { return h.update(v, l) },
		func(out []Update) any { return updateList{Updates: out} })
}

// update is a request's latest state as an update: its notes, else its
// outcome's or its step's words.
func (h *Handler) update(v *intake.SignalView, l string) Update {
	notes := h.notes(v, l)
	if notes == "" {
		notes = h.Translate(l, "state."+string(v.State))
	}
	return Update{UpdateID: updateID(v), ServiceRequestID: v.Ref, Status: UpdateStatus(v.State), UpdatedDatetime: *ts(v.UpdatedAt),
		Description: notes, ExternalStatusCode: string(v.State)}
}

// updateID names what a request's update says (its step, outcome and
// notes): a change that says something new gets a new id, while a change
// that leaves them as they were (another report joining the incident, its
// pin moved) repeats the id, so a client that keeps the ids it has seen
// (FixMyStreet does) posts no comment twice.
func updateID(v *intake.SignalView) string {
	h := fnv.New64a()
	h.Write([]byte(string(v.State) + "\x00" + string(v.Outcome) + "\x00" + v.StatusNotes))
	return v.Ref + "-" + strconv.FormatUint(h.Sum64()%(1<<40), 36)
}

// Token is the answer of GET tokens/{token}: Haven assigns ids at once,
// so the token of a POST is its service_request_id.
type Token struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token" xml:"token"`
}

type tokenList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []Token
}

// Token serves GET /open311/v2/tokens/{file}.
func (h *Handler) Token(w http.ResponseWriter, r *http.Request) {
	v, tok, format, _, ok := h.lookup(w, r, "tokens", "token")
	if !ok {
		return
	}
	list := []Token{{ServiceRequestID: v.Ref, Token: tok}}
	write(w, format, http.StatusOK, list, tokenList{Requests: list})
}

// Discovery is the Open311 service discovery document.
type Discovery struct {
	XMLName    xml.Name   `json:"-" xml:"discovery"`
	Changeset  string     `json:"changeset" xml:"changeset"`
	Contact    string     `json:"contact" xml:"contact"`
	KeyService string     `json:"key_service" xml:"key_service"`
	Endpoints  []Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// Endpoint is one API of a discovery document.
type Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// Changeset is when this endpoint's behaviour last changed (issue 22:
// multipart, extensions, updates).
const Changeset = "2026-12-02T00:00:00Z"

func (h *Handler) discovery(w http.ResponseWriter, r *http.Request, format string) {
	base := strings.TrimSuffix(h.BaseURL, "/")
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	d := Discovery{Changeset: Changeset, Contact: h.Contact, KeyService: h.Contact,
		Endpoints: []Endpoint{{Specification: "http://wiki.open311.org/GeoReport_v2", URL: base + "/open311/v2", Changeset: Changeset,
			Type: "production", Formats: []string{"text/xml", "application/json"}}}}
	write(w, format, http.StatusOK, d, d)
}
