package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/photo"
	"github.com/havenrescue/haven/internal/tracing"
)

// ---- family search (寻亲, DESIGN.md §3.6) ----

var reportFormFields = []string{"name", "aliases", "sex", "birth_date", "age_min", "age_max", "height_cm", "id_number", "native_place", "dialect",
	"lost_on", "lost_place", "features", "description", "contact_name", "contact_relation", "contact_phone", "private", "source", "external_id"}

type reportFormData struct {
	Staff   bool
	Sexes   []cases.Sex
	Sources []string
	Action  string
	Station family.Station
}

// reportInput reads the report form (multipart, with an optional photo).
func reportInput(r *http.Request) (family.ReportInput, map[string]string) {
	in := family.ReportInput{Name: r.FormValue("name"), Aliases: r.FormValue("aliases"), Sex: cases.Sex(r.FormValue("sex")),
		BirthDate: r.FormValue("birth_date"), AgeMin: atoi(r.FormValue("age_min")), AgeMax: atoi(r.FormValue("age_max")),
		HeightCm: atoi(r.FormValue("height_cm")), IDNumber: r.FormValue("id_number"), NativePlace: r.FormValue("native_place"),
		Dialect: r.FormValue("dialect"), LostOn: r.FormValue("lost_on"), LostPlace: r.FormValue("lost_place"), Features: r.FormValue("features"),
		Description: r.FormValue("description"),
		ContactName: r.FormValue("contact_name"), ContactRelation: r.FormValue("contact_relation"), ContactPhone: r.FormValue("contact_phone"),
		Private: r.FormValue("private") == "1", Source: r.FormValue("source"), ExternalID: r.FormValue("external_id")}
	fields := map[string]string{}
	for _, f := range []string{"age_min", "age_max", "height_cm"} {
		if v := strings.TrimSpace(r.FormValue(f)); v != "" {
			if _, err := strconv.Atoi(v); err != nil {
				fields[f] = "err.whole_number"
			}
		}
	}
	in.Photo = uploaded(r, "photo")
	return in, fields
}

func (s *Server) familyReportPage(w http.ResponseWriter, r *http.Request) {
	s.showReportForm(w, r, http.StatusOK, false, nil, "")
}

func (s *Server) showReportForm(w http.ResponseWriter, r *http.Request, code int, staff bool, fields map[string]string, msg string) {
	d := reportFormData{Staff: staff, Sexes: cases.Sexes, Sources: []string{family.SourceStaff, family.SourceStation}, Action: "/family/report",
		Station: s.Family.Station}
	title := "title.family_report"
	if staff {
		d.Action, title = "/family/reports", "title.family_report_new"
	}
	v := s.newView(r, title, d)
	if fields != nil || msg != "" {
		v.Errors, v.Message = fields, msg
		v.keep(r, reportFormFields...)
		if hasUpload(r, "photo") && fields["photo"] == "" {
			v.Errors["photo"] = "err.photo_again"
		}
	}
	s.render(w, r, code, "family_report", v)
}

// familyReportSubmit files a family's report from the public form.
func (s *Server) familyReportSubmit(w http.ResponseWriter, r *http.Request) {
	s.submitReport(w, r, false)
}

func (s *Server) familyReportCreate(w http.ResponseWriter, r *http.Request) {
	s.submitReport(w, r, true)
}

func (s *Server) submitReport(w http.ResponseWriter, r *http.Request, staff bool) {
	ri := info(r)
	in, fields := reportInput(r)
	var rep *family.Report
	var err error
	if len(fields) == 0 {
		if staff {
			rep, err = s.Family.Enter(r.Context(), ri.actor, in)
		} else {
			rep, err = s.Family.File(r.Context(), ri.actor, in)
		}
		fields = errs.FieldsOf(err)
	}
	if len(fields) > 0 {
		s.showReportForm(w, r, http.StatusUnprocessableEntity, staff, fields, "err.form")
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if staff {
		http.Redirect(w, r, "/family/reports/"+rep.ID+"?notice=filed", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/family/progress?new=1&ref="+url.QueryEscape(rep.Ref), http.StatusSeeOther)
}

type progressData struct {
	Progress *family.Progress
	New      bool
	Station  family.Station
}

// familyProgress shows a family where its report stands, by reference.
func (s *Server) familyProgress(w http.ResponseWriter, r *http.Request) {
	ref := strings.TrimSpace(r.URL.Query().Get("ref"))
	d := &progressData{New: r.URL.Query().Get("new") == "1", Station: s.Family.Station}
	v := s.newView(r, "title.family_progress", d)
	v.Form.Set("ref", ref)
	code := http.StatusOK
	if ref != "" {
		p, err := s.Family.Progress(r.Context(), ref)
		switch {
		case err == nil:
			d.Progress = p
		case errs.Is(errs.NotFound, err):
			v.Errors = map[string]string{"ref": "err.ref_unknown"}
			code = http.StatusNotFound
		default:
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, code, "family_progress", v)
}

// ---- public notices ----

type noticesData struct {
	Notices []*family.PublicNotice
	Sexes   []cases.Sex
	Query   string // the search as a query string, for the print and feed links
	Station family.Station
	Print   bool
	Now     time.Time
	// MoreFilters opens the filters beyond the search box: one is set.
	MoreFilters bool
}

var noticeFilterFields = []string{"q", "sex", "age_min", "age_max", "accent", "region", "from", "to"}

// PrintURL and FeedURL are the print sheet and the feed of the same
// search. They are whole addresses: html/template escapes a value put
// after a "?" in an href as one query value, "=" and "&" included.
func (d *noticesData) PrintURL() string { return withQuery("/notices/print", d.Query) }
func (d *noticesData) FeedURL() string  { return withQuery("/notices.atom", d.Query) }

func withQuery(path, query string) string {
	if query == "" {
		return path
	}
	return path + "?" + query
}

func noticeFilter(q url.Values) family.NoticeFilter {
	return family.NoticeFilter{Text: strings.TrimSpace(q.Get("q")), Sex: cases.Sex(q.Get("sex")), AgeMin: atoi(q.Get("age_min")), AgeMax: atoi(q.Get("age_max")),
		Accent: strings.TrimSpace(q.Get("accent")), Region: strings.TrimSpace(q.Get("region")), From: q.Get("from"), To: q.Get("to")}
}

func (s *Server) noticesPage(w http.ResponseWriter, r *http.Request) { s.showNotices(w, r, false) }

func (s *Server) noticesPrint(w http.ResponseWriter, r *http.Request) { s.showNotices(w, r, true) }

func (s *Server) showNotices(w http.ResponseWriter, r *http.Request, print bool) {
	q := r.URL.Query()
	d := &noticesData{Sexes: []cases.Sex{cases.Male, cases.Female}, Query: q.Encode(), Station: s.Family.Station, Print: print, Now: s.Now()}
	for _, f := range noticeFilterFields[1:] {
		d.MoreFilters = d.MoreFilters || q.Get(f) != ""
	}
	page, title := "notices", "title.notices"
	if print {
		page, title = "notices_print", "title.notices_print"
	}
	v := s.newView(r, title, d)
	v.keep(r, noticeFilterFields...)
	ns, err := s.Family.PublicNotices(r.Context(), noticeFilter(q))
	code := http.StatusOK
	switch {
	case errs.Is(errs.Invalid, err):
		v.Errors, v.Message, code = errs.FieldsOf(err), "err.form", http.StatusBadRequest
	case err != nil:
		s.fail(w, r, err)
		return
	}
	d.Notices = ns
	s.render(w, r, code, page, v)
}

func (s *Server) noticePage(w http.ResponseWriter, r *http.Request) {
	n, err := s.Family.PublicNotice(r.Context(), r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "notice", s.newView(r, "title.notice", n))
}

func (s *Server) noticePhoto(w http.ResponseWriter, r *http.Request) {
	data, err := s.Family.NoticePhoto(r.Context(), r.PathValue("ref"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", photo.Kind(data))
	w.Header().Set("Cache-Control", "no-store") // taken down at once on reunion
	_, _ = w.Write(data)
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Author  string      `xml:"author>name"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

// noticeSummary is a notice in one line of the user's language, from its
// public fields only.
func (s *Server) noticeSummary(lang string, n *family.PublicNotice) (title, summary string) {
	t := func(k string, a ...any) string { return s.Catalog.T(lang, k, a...) }
	title = t("notice.entry_title", t("sex."+string(n.Sex)), n.AgeMin, n.AgeMax)
	if n.Reunited {
		title = t("notice.reunited_title") + " " + title
	}
	var parts []string
	if n.HeightCm > 0 {
		parts = append(parts, t("notice.height", n.HeightCm))
	}
	if n.Accent != "" {
		parts = append(parts, t("notice.accent")+t("punct.colon")+n.Accent)
	}
	parts = append(parts, t("notice.found", n.FoundOn, n.FoundPlace))
	if n.Features != "" {
		parts = append(parts, t("notice.features")+t("punct.colon")+n.Features)
	}
	if n.Clothing != "" {
		parts = append(parts, t("notice.clothing")+t("punct.colon")+n.Clothing)
	}
	if n.Speech != "" {
		parts = append(parts, t("notice.speech_"+n.Speech))
	}
	parts = append(parts, t("notice.contact", n.Station.Name, n.Station.Phone))
	return title, strings.Join(parts, t("punct.semicolon"))
}

// noticesFeed is the Atom feed of the public notices.
func (s *Server) noticesFeed(w http.ResponseWriter, r *http.Request) {
	ns, err := s.Family.PublicNotices(r.Context(), noticeFilter(r.URL.Query()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := info(r).lang
	base := s.baseURL(r)
	f := atomFeed{Title: s.Catalog.T(lang, "title.notices") + " · " + s.Family.Station.Name, ID: base + "/notices",
		Author: s.Family.Station.Name, Updated: s.Now().UTC().Format(time.RFC3339),
		Links: []atomLink{{Href: base + "/notices.atom", Rel: "self", Type: "application/atom+xml"}, {Href: base + "/notices", Rel: "alternate", Type: "text/html"}}}
	for _, n := range ns {
		title, sum := s.noticeSummary(lang, n)
		f.Entries = append(f.Entries, atomEntry{Title: n.Ref + " " + title, ID: base + "/notices/" + n.Ref, Updated: n.Updated.UTC().Format(time.RFC3339),
			Link: atomLink{Href: base + "/notices/" + n.Ref}, Summary: sum})
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	e := xml.NewEncoder(&buf)
	e.Indent("", "  ")
	if err := e.Encode(f); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// ---- police and partner systems: reports by API ----

// apiReport is one missing-person report as a police system sends it.
type apiReport struct {
	ExternalID      string `json:"external_id"`
	Name            string `json:"name"`
	Aliases         string `json:"aliases"`
	Sex             string `json:"sex"`
	BirthDate       string `json:"birth_date"`
	AgeMin          int    `json:"age_min"`
	AgeMax          int    `json:"age_max"`
	HeightCm        int    `json:"height_cm"`
	IDNumber        string `json:"id_number"`
	NativePlace     string `json:"native_place"`
	Dialect         string `json:"dialect"`
	LostOn          string `json:"lost_on"`
	LostPlace       string `json:"lost_place"`
	Features        string `json:"features"`
	Description     string `json:"description"`
	ContactName     string `json:"contact_name"`
	ContactRelation string `json:"contact_relation"`
	ContactPhone    string `json:"contact_phone"`
	Private         bool   `json:"do_not_match_publicly"`
}

var apiSexes = map[string]cases.Sex{"": cases.SexUnknown, "male": cases.Male, "m": cases.Male, "男": cases.Male,
	"female": cases.Female, "f": cases.Female, "女": cases.Female, "unknown": cases.SexUnknown}

// parseMissingReports reads a batch: {"reports": [...]}, strictly (an
// unknown field is an error, not silently dropped).
func parseMissingReports(body []byte) ([]family.ReportInput, error) {
	const op = "web.parseMissingReports"
	var req struct {
		Reports []apiReport `json:"reports"`
	}
	if err := decodeStrict(body, &req); err != nil {
		return nil, errs.InvalidFields(op, map[string]string{"reports": "err.json"})
	}
	out := make([]family.ReportInput, len(req.Reports))
	for i, a := range req.Reports {
		sex, ok := apiSexes[strings.ToLower(strings.TrimSpace(a.Sex))]
		if !ok {
			sex = cases.Sex(a.Sex) // refused by the service, with the field named
		}
		out[i] = family.ReportInput{ExternalID: a.ExternalID, Name: a.Name, Aliases: a.Aliases, Sex: sex, BirthDate: a.BirthDate,
			AgeMin: a.AgeMin, AgeMax: a.AgeMax, HeightCm: a.HeightCm, IDNumber: a.IDNumber, NativePlace: a.NativePlace, Dialect: a.Dialect,
			LostOn: a.LostOn, LostPlace: a.LostPlace, Features: a.Features, Description: a.Description, ContactName: a.ContactName,
			ContactRelation: a.ContactRelation, ContactPhone: a.ContactPhone, Private: a.Private}
	}
	return out, nil
}

type apiReportResult struct {
	Index      int    `json:"index"`
	ExternalID string `json:"external_id"`
	Ref        string `json:"haven_ref"`
	Status     string `json:"status"`
}

// apiMissingReports receives a batch of reports from a police system:
// all stored, or none with each refused report's fields.
func (s *Server) apiMissingReports(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	body, ok := s.partnerBody(w, r, "web.missing_reports")
	if !ok {
		return
	}
	ins, err := parseMissingReports(body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out, bad, err := s.Family.FileBatch(r.Context(), ri.actor, ins)
	if len(bad) > 0 {
		type badReport struct {
			Index      int               `json:"index"`
			ExternalID string            `json:"external_id"`
			Fields     map[string]string `json:"fields"`
		}
		list := make([]badReport, len(bad))
		for i, b := range bad {
			fs := map[string]string{}
			for f, k := range b.Fields {
				fs[f] = s.Catalog.T(ri.lang, k)
			}
			list[i] = badReport{Index: b.Index, ExternalID: b.ExternalID, Fields: fs}
		}
		writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"error": map[string]any{"code": "invalid",
			"message": s.Catalog.T(ri.lang, "err.batch_invalid"), "reports": list}, "request_id": ri.id})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res := make([]apiReportResult, len(out))
	for i, rep := range out {
		res[i] = apiReportResult{Index: i, ExternalID: rep.ExternalID, Ref: rep.Ref, Status: rep.Status}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"reports": res})
}

// ---- staff: reports, review, notices, consent, PFIF ----

type familyData struct {
	Reports  []*family.Report
	Statuses []string
	Sources  []string
	Proposed int
}

func (s *Server) familyPage(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	q := r.URL.Query()
	list, err := s.Family.Reports(r.Context(), ri.actor, family.ReportFilter{Status: q.Get("status"), Source: q.Get("source")})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	proposed, err := s.Family.Proposed(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := familyData{Reports: list, Statuses: []string{family.StatusOpen, family.StatusReview, family.StatusFound, family.StatusWithdrawn},
		Sources: family.Sources, Proposed: proposed}
	v := s.newView(r, "title.family", d)
	v.keep(r, "status", "source")
	v.Notice = familyNotices[q.Get("notice")]
	s.render(w, r, http.StatusOK, "family", v)
}

var familyNotices = map[string]string{"filed": "notice.report_filed", "withdrawn": "notice.report_withdrawn", "refreshed": "notice.matches_refreshed",
	"confirm": "notice.match_confirmed", "reject": "notice.match_rejected", "defer": "notice.match_deferred",
	"published": "notice.notice_published", "consent": "notice.consent_saved"}

func (s *Server) familyReportNewPage(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.familyReportNew", auth.PermFamilyManage); err != nil {
		s.fail(w, r, err)
		return
	}
	s.showReportForm(w, r, http.StatusOK, true, nil, "")
}

func (s *Server) familyReportView(w http.ResponseWriter, r *http.Request) {
	s.showReportView(w, r, http.StatusOK, nil, "")
}

func (s *Server) showReportView(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	v, err := s.Family.Report(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := s.newView(r, "title.family_report_view", v)
	page.Errors, page.Message = fields, msg
	page.Notice = familyNotices[r.URL.Query().Get("notice")]
	s.render(w, r, code, "family_report_view", page)
}

func (s *Server) familyReportWithdraw(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	err := s.Family.Withdraw(r.Context(), info(r).actor, id, r.FormValue("reason"), atoi(r.FormValue("version")))
	if err != nil {
		s.refused(w, r, err, func(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
			s.showReportView(w, r, code, fields, msg)
		})
		return
	}
	http.Redirect(w, r, "/family/reports/"+id+"?notice=withdrawn", http.StatusSeeOther)
}

type reviewData struct {
	Candidates []*family.CandidateView
	State      string
	States     []string
	Prev, Next string // URLs of the neighbouring pages, "" at the ends
	Model      modelInfo
}

// modelInfo is the provenance of the model the candidates are scored
// with, as the review page shows it.
type modelInfo struct {
	Revision int
	Date     string
}

func builtInModel() modelInfo {
	return modelInfo{Revision: tracing.ModelRevision, Date: tracing.DefaultModel().Provenance.Date}
}

// reviewPerPage is one page of the review queue.
const reviewPerPage = 50

func (s *Server) familyReview(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = min(max(page, 1), 10000)
	cs, err := s.Family.QueuePage(r.Context(), info(r).actor, state, "", reviewPerPage+1, (page-1)*reviewPerPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if state == "" {
		state = family.Proposed
	}
	d := reviewData{Candidates: cs, State: state, States: []string{family.Proposed, family.Deferred, family.Confirmed, family.Rejected}, Model: builtInModel()}
	pageURL := func(n int) string {
		return "/family/review?" + url.Values{"state": {state}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if len(cs) > reviewPerPage {
		d.Candidates, d.Next = cs[:reviewPerPage], pageURL(page+1)
	}
	if page > 1 {
		d.Prev = pageURL(page - 1)
	}
	v := s.newView(r, "title.family_review", d)
	v.Notice = familyNotices[r.URL.Query().Get("notice")]
	s.render(w, r, http.StatusOK, "family_review", v)
}

func (s *Server) familyCandidate(w http.ResponseWriter, r *http.Request) {
	s.showCandidate(w, r, http.StatusOK, nil, "")
}

func (s *Server) showCandidate(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	c, err := s.Family.Candidate(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.family_candidate", c)
	v.Errors, v.Message = fields, msg
	v.keep(r, "note")
	s.render(w, r, code, "family_candidate", v)
}

func (s *Server) familyDecide(w http.ResponseWriter, r *http.Request) {
	decision := r.FormValue("decision")
	c, err := s.Family.Decide(r.Context(), info(r).actor, r.PathValue("id"), decision, r.FormValue("note"))
	if err != nil && c == nil {
		s.refused(w, r, err, s.showCandidate)
		return
	}
	if err != nil {
		s.Logger.Warn("report status sync failed", "request_id", info(r).id, "err", err)
	}
	http.Redirect(w, r, "/family/review?notice="+url.QueryEscape(decision), http.StatusSeeOther)
}

func (s *Server) familyRefresh(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.familyRefresh", auth.PermFamilyManage); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Family.AskRefresh(r.Context(), info(r).actor); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/family/review?notice=refreshed", http.StatusSeeOther)
}

func (s *Server) personNotice(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	_, err := s.Family.Publish(r.Context(), info(r).actor, id, family.NoticeInput{FoundPlace: r.FormValue("found_place"),
		Features: r.FormValue("features"), Clothing: r.FormValue("clothing"), Accent: r.FormValue("accent"), ShowName: r.FormValue("show_name") == "1"})
	if err != nil {
		s.refused(w, r, err, s.showPerson)
		return
	}
	s.backToPerson(w, r, id, "published")
}

func (s *Server) personConsent(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.Family.SetConsent(r.Context(), info(r).actor, id, r.FormValue("reason"), r.FormValue("private") == "1"); err != nil {
		s.refused(w, r, err, s.showPerson)
		return
	}
	s.backToPerson(w, r, id, "consent")
}

// familyPFIF downloads the PFIF 1.4 export.
func (s *Server) familyPFIF(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Family.Export(r.Context(), info(r).actor)
	s.writePFIF(w, r, doc, err, "Content-Disposition", fmt.Sprintf(`attachment; filename="haven-pfif-%s.xml"`, s.Now().Format("20060102")))
}

// writePFIF answers with doc as XML and the header pairs given, or with
// err; the document is encoded whole before anything is sent.
func (s *Server) writePFIF(w http.ResponseWriter, r *http.Request, doc *family.PFIFDoc, err error, headers ...string) {
	var buf bytes.Buffer
	if err == nil {
		err = family.EncodePFIF(&buf, doc)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	for i := 0; i+1 < len(headers); i += 2 {
		w.Header().Set(headers[i], headers[i+1])
	}
	_, _ = buf.WriteTo(w)
}

// apiPFIF serves a peer one page of the shareable reports changed after
// its cursor, as PFIF 1.4; X-Haven-Next holds the next page's cursor and
// X-Haven-More says whether to ask again now.
func (s *Server) apiPFIF(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, s.partnerLimit, info(r).actor.UserID) {
		return
	}
	c, err := family.ParseCursor(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, next, more, err := s.Family.ExportSince(r.Context(), info(r).actor, c, family.PeerPageSize)
	s.writePFIF(w, r, doc, err, "X-Haven-Next", next.Encode(), "X-Haven-More", strconv.FormatBool(more))
}

// familyImport imports another station's PFIF file.
func (s *Server) familyImport(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.familyImport", auth.PermFamilyManage); err != nil {
		s.fail(w, r, err)
		return
	}
	data := uploaded(r, "file")
	v := s.newView(r, "title.family_import", nil)
	if len(data) == 0 {
		v.Errors, v.Message = map[string]string{"file": "err.required"}, "err.form"
		s.render(w, r, http.StatusUnprocessableEntity, "family_import", v)
		return
	}
	res, err := s.Family.Import(r.Context(), info(r).actor, data, r.FormValue("skip_bad") == "1")
	v.Data = res
	switch {
	case errs.Is(errs.Invalid, err):
		v.Message = "err.pfif_invalid"
		s.render(w, r, http.StatusUnprocessableEntity, "family_import", v)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.render(w, r, http.StatusOK, "family_import", v)
	}
}

// familyPanel is family search on a person's page.
type familyPanel struct {
	Candidates []*family.CandidateView
	Notices    []*family.Notice
	Private    bool
	Matching   bool // a change to the person waits for matching
	Now        time.Time
}

func (s *Server) familyPanelOf(r *http.Request, personID string) (*familyPanel, error) {
	a := info(r).actor
	if !a.Can(auth.PermFamilyView) {
		return nil, nil
	}
	cs, err := s.Family.Queue(r.Context(), a, "all", personID)
	if err != nil {
		return nil, err
	}
	ns, err := s.Family.Notices(r.Context(), a, personID)
	if err != nil {
		return nil, err
	}
	private, err := s.Family.Private(r.Context(), personID)
	if err != nil {
		return nil, err
	}
	matching, err := s.Family.PersonMatching(r.Context(), personID)
	return &familyPanel{Candidates: cs, Notices: ns, Private: private, Matching: matching, Now: s.Now()}, err
}

// valueText is one side's value in a match explanation: "籍贯：河南省…",
// "口音：河南话（河南省）", "男".
func valueText(cat *i18n.Catalog, lang string, v family.Value) string {
	text := v.Text
	if v.Key != "" {
		text = cat.T(lang, v.Key, v.Args...)
	}
	if v.Label == "" {
		return text
	}
	return cat.T(lang, v.Label) + cat.T(lang, "punct.colon") + text
}
