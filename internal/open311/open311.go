// Package open311 is Haven's Open311 GeoReport v2 server: help signals in
// as service requests, status and outcome out, in JSON and XML.
package open311

import (
	"encoding/json"
	"encoding/xml"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/intake"
)

// Handler serves /open311/v2/.
type Handler struct {
	Intake       *intake.Service
	Auth         *auth.Service
	Jurisdiction string // accepted jurisdiction_id, e.g. "xinxiang.gov.cn"
	// Translate turns an error key into a message in lang.
	Translate func(lang, key string) string
	Now       func() time.Time
	// IP returns the client address of a request.
	IP func(r *http.Request) string
	// Checked returns the actor of an api_key the web layer has already
	// authenticated (for its rate limit), so it is checked once.
	Checked func(r *http.Request) (auth.Actor, bool)
	// Upload returns the file sent in a multipart POST's field.
	Upload func(r *http.Request, field string) []byte
	// BaseURL is the server's public URL, for discovery ("" takes the
	// request's host); Contact says whom to ask for a key.
	BaseURL, Contact string
}

// MaxPageSize is the largest page_size; it is also the page size when
// none is asked for.
const MaxPageSize = 1000

// Error is the spec's error element.
type Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

type errorList struct {
	XMLName xml.Name `xml:"errors"`
	Errors  []Error
}

// Service is one entry of GET services.
type Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

type serviceList struct {
	XMLName  xml.Name `xml:"services"`
	Services []Service
}

// Definition is GET services/{code}.
type Definition struct {
	XMLName     xml.Name    `json:"-" xml:"service_definition"`
	ServiceCode string      `json:"service_code" xml:"service_code"`
	Attributes  []Attribute `json:"attributes" xml:"attributes>attribute"`
}

// Attribute is one question of a service definition.
type Attribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription string  `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []Value `json:"values,omitempty" xml:"values>value,omitempty"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

// Request is one service request as GET requests returns it.
type Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       *string  `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       *string  `json:"description" xml:"description"`
	AgencyResponsible *string  `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     *string  `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   *string  `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  *string  `json:"expected_datetime" xml:"expected_datetime"`
	Address           *string  `json:"address" xml:"address"`
	AddressID         *string  `json:"address_id" xml:"address_id"`
	Zipcode           *string  `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat"`
	Long              *float64 `json:"long" xml:"long"`
	MediaURL          *string  `json:"media_url" xml:"media_url"`
}

type requestList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []Request
}

// Created is the response element of POST requests.
type Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        *string  `json:"account_id" xml:"account_id"`
}

type createdList struct {
	XMLName  xml.Name `xml:"service_requests"`
	Requests []Created
}

// split reads "requests.json" into ("requests", "json").
func split(file string) (name, format string, ok bool) {
	name, format, ok = strings.Cut(file, ".")
	if !ok || (format != "json" && format != "xml") {
		return "", "", false
	}
	return name, format, true
}

func lang(r *http.Request) string {
	if l := r.URL.Query().Get("locale"); strings.HasPrefix(strings.ToLower(l), "en") {
		return "en"
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en") {
		return "en"
	}
	return "zh-CN"
}

func write(w http.ResponseWriter, format string, code int, jsonV, xmlV any) {
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(code)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		_ = enc.Encode(xmlV)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(jsonV)
}

func (h *Handler) fail(w http.ResponseWriter, format string, code int, descs ...string) {
	WriteErrors(w, format, code, descs...)
}

// WriteErrors answers an error in the spec's shape and in format ("xml"
// or anything else for JSON): a JSON array of {code, description}, or
// <errors><error><code/><description/></error></errors>.
func WriteErrors(w http.ResponseWriter, format string, code int, descs ...string) {
	if format != "xml" {
		format = "json"
	}
	list := make([]Error, len(descs))
	for i, d := range descs {
		list[i] = Error{Code: code, Description: d}
	}
	write(w, format, code, list, errorList{Errors: list})
}

// FormatOf is the format a request path asks for: "xml" for a .xml
// resource, else "json". Errors raised before the handler runs (a rate
// limit) answer in it too.
func FormatOf(path string) string {
	if strings.HasSuffix(strings.ToLower(path), ".xml") {
		return "xml"
	}
	return "json"
}

// Message is an error text for an API client: English, which every
// client library and integrator reads, followed by the Chinese text when
// the client asked for Chinese (locale=zh-CN or Accept-Language: zh).
func Message(r *http.Request, tr func(lang, key string) string, key string) string {
	en := tr("en", key)
	if askedChinese(r) {
		if zh := tr("zh-CN", key); zh != "" && zh != en {
			return en + " / " + zh
		}
	}
	return en
}

func askedChinese(r *http.Request) bool {
	if l := r.URL.Query().Get("locale"); l != "" {
		return strings.HasPrefix(strings.ToLower(l), "zh")
	}
	return strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "zh")
}

func (h *Handler) msg(r *http.Request, key string) string { return Message(r, h.Translate, key) }

// failErr answers an error of the services: 503 with Retry-After when the
// database is unavailable (the request may be sent again and should be),
// 500 otherwise. A client must never take an outage for a final answer.
func (h *Handler) failErr(w http.ResponseWriter, r *http.Request, format string, err error) {
	if errs.Is(errs.Unavailable, err) {
		w.Header().Set("Retry-After", strconv.Itoa(int(errs.RetryAfter.Seconds())))
		h.fail(w, format, http.StatusServiceUnavailable, h.msg(r, "err.unavailable"))
		return
	}
	h.fail(w, format, http.StatusInternalServerError, h.msg(r, "err.internal"))
}

// authenticate checks an api_key for the open311 scope. Only a key that is
// unknown, revoked or without the scope is refused with 403; a key that
// cannot be checked now gets 503.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, format, key string) (auth.Actor, bool) {
	if h.Checked != nil {
		if a, ok := h.Checked(r); ok && contains(a.Scopes, "open311") {
			return a, true
		}
	}
	a, err := h.Auth.AuthenticateAPIKey(r.Context(), key, h.IP(r))
	if err != nil && !errs.Is(errs.Unauthorized, err) {
		h.failErr(w, r, format, err)
		return auth.Actor{}, false
	}
	if err != nil || !contains(a.Scopes, "open311") {
		h.fail(w, format, http.StatusForbidden, "api_key is invalid, revoked or lacks the open311 scope")
		return auth.Actor{}, false
	}
	return a, true
}

// checkJurisdiction accepts a missing jurisdiction_id or Haven's own.
func (h *Handler) checkJurisdiction(w http.ResponseWriter, format, j string) bool {
	if j != "" && !strings.EqualFold(j, h.Jurisdiction) {
		h.fail(w, format, http.StatusNotFound, "jurisdiction_id not found: this endpoint serves "+h.Jurisdiction)
		return false
	}
	return true
}

// Root serves GET /open311/v2/{file}: services.{fmt} and requests.{fmt}.
func (h *Handler) Root(w http.ResponseWriter, r *http.Request) {
	name, format, ok := split(r.PathValue("file"))
	if !ok {
		h.fail(w, FormatOf(r.URL.Path), http.StatusNotFound, "unknown resource; use services, requests, servicerequestupdates or discovery, each .json or .xml")
		return
	}
	if !h.checkJurisdiction(w, format, r.URL.Query().Get("jurisdiction_id")) {
		return
	}
	switch name {
	case "services":
		h.services(w, r, format)
	case "requests":
		h.listRequests(w, r, format)
	case "servicerequestupdates":
		h.updates(w, r, format)
	case "discovery":
		h.discovery(w, r, format)
	default:
		h.fail(w, format, http.StatusNotFound, "unknown resource "+name)
	}
}

func (h *Handler) services(w http.ResponseWriter, r *http.Request, format string) {
	l := lang(r)
	list := make([]Service, 0, len(intake.Services))
	for _, s := range intake.Services {
		desc := s.DescZh
		if l == "en" {
			desc = s.DescEn
		}
		group := "街面救助"
		if l == "en" {
			group = "Street outreach"
		}
		list = append(list, Service{ServiceCode: s.Code, ServiceName: s.Name(l), Description: desc, Metadata: len(s.Attributes) > 0,
			Type: "realtime", Keywords: s.Keywords, Group: group})
	}
	write(w, format, http.StatusOK, list, serviceList{Services: list})
}

// Definition serves GET /open311/v2/services/{file}.
func (h *Handler) Definition(w http.ResponseWriter, r *http.Request) {
	code, format, ok := split(r.PathValue("file"))
	if !ok {
		h.fail(w, FormatOf(r.URL.Path), http.StatusNotFound, "use services/{service_code}.json or .xml")
		return
	}
	if !h.checkJurisdiction(w, format, r.URL.Query().Get("jurisdiction_id")) {
		return
	}
	s, ok := intake.ServiceByCode(code)
	if !ok {
		h.fail(w, format, http.StatusNotFound, "service_code "+code+" not found")
		return
	}
	l := lang(r)
	d := Definition{ServiceCode: s.Code, Attributes: []Attribute{}}
	for i, a := range s.Attributes {
		desc := a.DescZh
		if l == "en" {
			desc = a.DescEn
		}
		at := Attribute{Variable: true, Code: a.Code, Datatype: a.Datatype, Required: a.Required, DatatypeDescription: desc, Order: i + 1, Description: desc}
		for _, v := range a.Values {
			name := v.NameZh
			if l == "en" {
				name = v.NameEn
			}
			at.Values = append(at.Values, Value{Key: v.Key, Name: name})
		}
		d.Attributes = append(d.Attributes, at)
	}
	write(w, format, http.StatusOK, d, d)
}

// Request serves GET /open311/v2/requests/{file}.
func (h *Handler) Request(w http.ResponseWriter, r *http.Request) {
	v, _, format, full, ok := h.lookup(w, r, "requests", "service_request_id")
	if !ok {
		return
	}
	list := []Request{h.request(v, lang(r), full)}
	write(w, format, http.StatusOK, list, requestList{Requests: list})
}

// lookup reads the request that GET {path}/{file} names by what (its
// service_request_id, or the token its POST returned), in the format
// the file's extension asks for. A request of a sensitive kind exists
// only for a keyed partner (full). ok false: the answer has been written.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request, path, what string) (v *intake.SignalView, ref, format string, full, ok bool) {
	ref, format, ok = split(r.PathValue("file"))
	if !ok {
		h.fail(w, FormatOf(r.URL.Path), http.StatusNotFound, "use "+path+"/{"+what+"}.json or .xml")
		return nil, "", "", false, false
	}
	if !h.checkJurisdiction(w, format, r.URL.Query().Get("jurisdiction_id")) {
		return nil, "", "", false, false
	}
	if full, ok = h.optionalKey(w, r, format, requestKey(r)); !ok {
		return nil, "", "", false, false
	}
	v, err := h.Intake.Status(r.Context(), ref)
	if err == nil && v.Sensitive && !full {
		// Requests about children and other sensitive kinds are shown
		// to keyed partners only; to anyone else they do not exist.
		err = errs.E(errs.NotFound, "open311.lookup", "")
	}
	if errs.Is(errs.NotFound, err) {
		h.fail(w, format, http.StatusNotFound, what+" "+ref+" not found")
		return nil, "", "", false, false
	}
	if err != nil {
		h.failErr(w, r, format, err)
		return nil, "", "", false, false
	}
	return v, ref, format, full, true
}

// requestKey is a GET's api_key: the query's, or the X-API-Key header.
func requestKey(r *http.Request) string {
	return firstOf(r.URL.Query().Get("api_key"), strings.TrimSpace(r.Header.Get("X-API-Key")))
}

// optionalKey checks an api_key if one is given: a valid key with the
// open311 scope sees descriptions and exact places; anyone else sees
// status only.
func (h *Handler) optionalKey(w http.ResponseWriter, r *http.Request, format, key string) (full, ok bool) {
	if key == "" {
		return false, true
	}
	if _, ok := h.authenticate(w, r, format, key); !ok {
		return false, false
	}
	return true, true
}

var dateLayouts = []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"}

func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, intake.ChinaTime); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseListQuery reads GET requests' filters.
func ParseListQuery(q url.Values, now time.Time) (intake.SignalFilter, []string) {
	var problems []string
	f := intake.SignalFilter{Limit: 1000}
	if ids := q.Get("service_request_id"); ids != "" {
		for _, id := range strings.Split(ids, ",") {
			if id = intake.NormalizeRef(id); id != "" {
				f.Refs = append(f.Refs, id)
			}
		}
		if len(f.Refs) > 100 {
			problems = append(problems, "service_request_id: at most 100 ids")
		}
		return f, problems // the spec: other filters are ignored
	}
	for _, c := range commaList(q.Get("service_code")) {
		if _, ok := intake.ServiceByCode(c); !ok {
			problems = append(problems, "service_code "+c+" is not a service of this endpoint")
		}
		f.ServiceCodes = append(f.ServiceCodes, c)
	}
	if s := q.Get("start_date"); s != "" {
		t, ok := parseDate(s)
		if !ok {
			problems = append(problems, "start_date: use ISO 8601, e.g. 2026-11-28T08:00:00+08:00")
		}
		f.Since = t
	}
	if s := q.Get("end_date"); s != "" {
		t, ok := parseDate(s)
		if !ok {
			problems = append(problems, "end_date: use ISO 8601, e.g. 2026-11-28T20:00:00+08:00")
		}
		f.Until = t
	}
	if f.Since.IsZero() {
		f.Since = now.AddDate(0, 0, -90)
	}
	if !f.Until.IsZero() && f.Until.Before(f.Since) {
		problems = append(problems, "end_date is before start_date")
	}
	open, closed := false, false
	for _, st := range commaList(q.Get("status")) {
		switch strings.ToLower(st) {
		case "open":
			open = true
		case "closed":
			closed = true
		default:
			problems = append(problems, "status: use open, closed or open,closed")
		}
	}
	if open != closed {
		f.Status = map[bool]string{true: "open", false: "closed"}[open]
	}
	return f, problems
}

// commaList splits a GeoReport list parameter ("open,closed"), dropping
// blanks.
func commaList(v string) []string {
	var out []string
	for _, x := range strings.Split(v, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Page is the part of a list one answer holds (page_size, page).
type Page struct {
	Size, Number int
}

// ParsePage reads page_size (1..MaxPageSize, default MaxPageSize) and page
// (from 1).
func ParsePage(q url.Values) (Page, []string) {
	p := Page{Size: MaxPageSize, Number: 1}
	var problems []string
	if v := q.Get("page_size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			problems = append(problems, "page_size: a whole number from 1 to "+strconv.Itoa(MaxPageSize))
		}
		p.Size = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			problems = append(problems, "page: a whole number from 1")
		}
		p.Number = n
	}
	return p, problems
}

// writeList answers one page of the signals f selects: each as item
// makes it, in JSON or in XML wrapped by wrap, and the page announced in
// the headers. Problems with the query answer 400 instead.
func writeList[T any](h *Handler, w http.ResponseWriter, r *http.Request, format string, problems []string, f intake.SignalFilter, p Page,
	item func(*intake.SignalView) T, wrap func([]T) any) {
	if len(problems) > 0 {
		h.fail(w, format, http.StatusBadRequest, problems...)
		return
	}
	list, cut, err := h.listPage(r, f, p)
	if err != nil {
		h.failErr(w, r, format, err)
		return
	}
	out := make([]T, 0, len(list))
	for _, v := range list {
		out = append(out, item(v))
	}
	announcePage(w, r, p, cut)
	write(w, format, http.StatusOK, out, wrap(out))
}

// listPage reads one page of signals; more says whether the list goes on.
func (h *Handler) listPage(r *http.Request, f intake.SignalFilter, p Page) (list []*intake.SignalView, more bool, err error) {
	f.Limit, f.Offset = p.Size+1, (p.Number-1)*p.Size
	list, err = h.Intake.Store.ListSignals(r.Context(), f)
	if err != nil {
		return nil, false, err
	}
	if len(list) > p.Size {
		return list[:p.Size], true, nil
	}
	return list, false, nil
}

// announcePage says in the headers which page this is and, when the list
// goes on, where the next page is (Link rel="next", X-Open311-More), so a
// list cut at its page size is never taken for the whole.
func announcePage(w http.ResponseWriter, r *http.Request, p Page, more bool) {
	w.Header().Set("X-Open311-Page", strconv.Itoa(p.Number))
	w.Header().Set("X-Open311-Page-Size", strconv.Itoa(p.Size))
	if !more {
		w.Header().Set("X-Open311-More", "false")
		return
	}
	q := r.URL.Query()
	q.Set("page", strconv.Itoa(p.Number+1))
	q.Set("page_size", strconv.Itoa(p.Size))
	q.Del("api_key") // never echo a key into a link
	w.Header().Set("X-Open311-More", "true")
	w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
}

func (h *Handler) listRequests(w http.ResponseWriter, r *http.Request, format string) {
	full, ok := h.optionalKey(w, r, format, requestKey(r))
	if !ok {
		return
	}
	f, problems := ParseListQuery(r.URL.Query(), h.Now())
	p, more := ParsePage(r.URL.Query())
	f.HideSensitive = !full
	if len(f.Refs) > 0 { // an id list is answered whole
		p = Page{Size: MaxPageSize, Number: 1}
	}
	l := lang(r)
	writeList(h, w, r, format, append(problems, more...), f, p, func(v *intake.SignalView) Request { return h.request(v, l, full) },
		func(out []Request) any { return requestList{Requests: out} })
}

func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func ts(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(intake.ChinaTime).Format(time.RFC3339)
	return &s
}

// notes are what a request's notes say of it, else its outcome's words.
func (h *Handler) notes(v *intake.SignalView, l string) string {
	if v.StatusNotes == "" && v.Outcome != "" {
		return h.Translate(l, "outcome."+string(v.Outcome))
	}
	return v.StatusNotes
}

func (h *Handler) request(v *intake.SignalView, l string, full bool) Request {
	svc, _ := intake.ServiceByCode(v.ServiceCode)
	rq := Request{
		ServiceRequestID: v.Ref, Status: v.State.Open311Status(), StatusNotes: str(h.notes(v, l)), ServiceName: svc.Name(l),
		ServiceCode: v.ServiceCode, AgencyResponsible: str(v.Department), RequestedDatetime: *ts(v.ReportedAt),
		UpdatedDatetime: ts(v.UpdatedAt), ExpectedDatetime: ts(v.ExpectedAt()),
	}
	if v.HasLocation() {
		lat, lng := v.Lat, v.Lng
		if !full { // about 100 m: enough to see the area, not to find the person
			lat, lng = math.Round(lat*1000)/1000, math.Round(lng*1000)/1000
		}
		rq.Lat, rq.Long = &lat, &lng
	}
	if full {
		rq.Description = str(v.Description)
		rq.Address = str(v.Address)
		rq.MediaURL = str(v.MediaURL())
	}
	return rq
}

// attrKey reads attribute[code] and, for a multivaluelist, attribute[code][].
var attrKey = regexp.MustCompile(`^attribute\[([a-z0-9_]{1,40})\](\[\])?$`)

// ParsePost reads a POST requests form into an intake input. Problems are
// returned as Open311 error descriptions.
func ParsePost(form url.Values) (intake.Input, []string) {
	var problems []string
	in := intake.Input{Channel: intake.ChannelOpen311, Attributes: map[string]string{}}
	in.ServiceCode = form.Get("service_code")
	if in.ServiceCode == "" {
		problems = append(problems, "service_code is required")
	}
	latS, lngS := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	if latS != "" || lngS != "" {
		lat, err1 := strconv.ParseFloat(latS, 64)
		lng, err2 := strconv.ParseFloat(lngS, 64)
		if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lng) || math.IsInf(lat, 0) || math.IsInf(lng, 0) {
			problems = append(problems, "lat and long must both be decimal degrees (WGS-84)")
		} else {
			in.Lat, in.Lng = &lat, &lng
		}
	}
	in.Address = form.Get("address_string")
	if in.Lat == nil && strings.TrimSpace(in.Address) == "" && len(problems) == 0 {
		problems = append(problems, "a location is required: lat and long, or address_string")
	}
	in.Description = form.Get("description")
	in.Phone = form.Get("phone")
	in.Reporter = reporterName(form.Get("first_name"), form.Get("last_name"))
	if u := strings.TrimSpace(form.Get("media_url")); u != "" {
		in.Attributes[intake.AttrMediaURL] = u
	}
	svc, _ := intake.ServiceByCode(in.ServiceCode)
	values := map[string][]string{}
	for k, vs := range form {
		m := attrKey.FindStringSubmatch(k)
		if m == nil {
			if strings.HasPrefix(k, "attribute[") {
				problems = append(problems, "malformed attribute name "+k)
			}
			continue
		}
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				values[m[1]] = append(values[m[1]], v)
			}
		}
	}
	for code, vs := range values {
		if len(vs) == 0 {
			continue
		}
		if len(vs) > 1 {
			// Repeated answers are a multivaluelist's; a question of the
			// definition that takes one answer refuses them. Attributes
			// outside the definition keep every value.
			i := slices.IndexFunc(svc.Attributes, func(a intake.Attribute) bool { return a.Code == code })
			if i >= 0 && svc.Attributes[i].Datatype != "multivaluelist" {
				problems = append(problems, "attribute["+code+"] takes one value")
				continue
			}
			slices.Sort(vs)
			vs = slices.Compact(vs)
		}
		in.Attributes[code] = strings.Join(vs, intake.MultiValueSep)
	}
	return in, problems
}

// Post serves POST /open311/v2/{file} (requests.json or requests.xml).
func (h *Handler) Post(w http.ResponseWriter, r *http.Request) {
	name, format, ok := split(r.PathValue("file"))
	if !ok || name != "requests" {
		h.fail(w, FormatOf(r.URL.Path), http.StatusNotFound, "POST requests.json or requests.xml")
		return
	}
	if err := r.ParseForm(); err != nil {
		h.fail(w, format, http.StatusBadRequest, "the body must be application/x-www-form-urlencoded (at most 1 MiB) or multipart/form-data (with media, at most 12 MiB)")
		return
	}
	if !h.checkJurisdiction(w, format, r.PostForm.Get("jurisdiction_id")) {
		return
	}
	key := r.PostForm.Get("api_key")
	if key == "" {
		key = firstOf(r.URL.Query().Get("api_key"), strings.TrimSpace(r.Header.Get("X-API-Key")))
	}
	if key == "" {
		h.fail(w, format, http.StatusForbidden, "api_key is required to create service requests")
		return
	}
	a, ok := h.authenticate(w, r, format, key)
	if !ok {
		return
	}
	in, problems := ParsePost(r.PostForm)
	if len(problems) > 0 {
		h.fail(w, format, http.StatusBadRequest, problems...)
		return
	}
	in.ExternalID = r.Header.Get("Idempotency-Key")
	if h.Upload != nil {
		in.Photo = h.Upload(r, "media")
	}
	l := lang(r)
	res, err := h.Intake.Submit(r.Context(), a, in)
	if fields := errs.FieldsOf(err); len(fields) > 0 {
		var descs []string
		for f, k := range fields {
			descs = append(descs, openField(f)+": "+h.msg(r, k))
		}
		slices.Sort(descs)
		h.fail(w, format, http.StatusBadRequest, descs...)
		return
	}
	if errs.Is(errs.Forbidden, err) {
		h.fail(w, format, http.StatusForbidden, h.msg(r, "err.forbidden"))
		return
	}
	if err != nil {
		h.failErr(w, r, format, err)
		return
	}
	svc, _ := intake.ServiceByCode(res.Signal.ServiceCode)
	notice := h.Translate(l, "open311.notice")
	if svc.Urgent {
		notice = h.Translate(l, "open311.notice_urgent")
	}
	list := []Created{{ServiceRequestID: res.Signal.Ref, ServiceNotice: notice}}
	write(w, format, http.StatusCreated, list, createdList{Requests: list})
}

// openField names Haven's field as the Open311 client sent it.
func openField(f string) string {
	switch f {
	case "lat":
		return "lat/long"
	case "address":
		return "address_string"
	case "reporter":
		return "first_name/last_name"
	case "photo":
		return "media"
	}
	return f
}

// reporterName joins first_name and last_name as people write the name:
// family name first without a space in Chinese (李秀英), "Jane Doe"
// otherwise.
func reporterName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	han := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) })
	}
	if han(first) || han(last) {
		return last + first
	}
	return strings.TrimSpace(first + " " + last)
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
