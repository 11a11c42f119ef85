package web

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/volunteers"
)

// ---- the public front page (DESIGN.md §3.12) ----

type frontData struct {
	Campaigns []*campaigns.Campaign
	Shelters  []points.Found // points a running campaign switched on, open ones first
	Notices   []*family.PublicNotice
	News      []*portal.Article
	Events    []*portal.Event
}

// front is the site root for visitors who are not signed in: who the
// station helps, the hotline, the two actions, campaigns, notices, news.
// It is plain HTML and CSS: no script, no map, no picture.
func (s *Server) front(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	d := &frontData{}
	now := s.Now()
	if s.Campaigns != nil {
		cs, err := s.Campaigns.Running(ctx, now)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Campaigns = cs
		kinds := map[string]bool{}
		for _, c := range cs {
			for _, k := range c.Activates() {
				kinds[k] = true
			}
		}
		if len(kinds) > 0 && s.Points != nil {
			open, err := s.Points.Find(ctx, points.Query{}) // open ones first
			if err != nil {
				s.fail(w, r, err)
				return
			}
			for _, p := range open {
				if kinds[p.Kind] && len(d.Shelters) < 5 {
					d.Shelters = append(d.Shelters, p)
				}
			}
		}
	}
	if s.Family != nil {
		ns, err := s.Family.PublicNotices(ctx, family.NoticeFilter{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, n := range ns {
			if !n.Reunited && len(d.Notices) < 3 {
				d.Notices = append(d.Notices, n)
			}
		}
	}
	if s.Portal != nil {
		news, err := s.Portal.Published(ctx, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.News = news[:min(3, len(news))]
		if d.Events, err = s.Portal.Events(ctx, info(r).actor, false); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := s.newView(r, "title.front", d)
	s.render(w, r, http.StatusOK, "front", v)
}

// ---- news ----

type newsData struct {
	Articles   []*portal.Article
	Categories []string
	Category   string
}

func (s *Server) newsPage(w http.ResponseWriter, r *http.Request) {
	cat := r.URL.Query().Get("category")
	if cat != "" && !slices.Contains(portal.Categories, cat) {
		cat = ""
	}
	list, err := s.Portal.Published(r.Context(), cat)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "news", s.newView(r, "title.news", &newsData{Articles: list, Categories: portal.Categories, Category: cat}))
}

type articleData struct {
	Article *portal.Article
	HTML    template.HTML
	URL     string // the article's full address, for Open Graph
	Image   string // the first picture's full address, if any
	Preview bool   // staff reading a draft
}

func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	ar, err := s.Portal.PublicArticle(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := s.baseURL(r)
	d := &articleData{Article: ar, HTML: portal.Render(ar.Body), URL: base + "/news/" + ar.Slug}
	if i := strings.Index(ar.Body, "](/news/images/"); i >= 0 {
		rest := ar.Body[i+2:]
		if j := strings.IndexByte(rest, ')'); j > 0 {
			d.Image = base + rest[:j]
		}
	}
	v := s.newView(r, "title.news", d)
	s.render(w, r, http.StatusOK, "article", v)
}

func (s *Server) newsImage(w http.ResponseWriter, r *http.Request) {
	b, err := s.Portal.Image(r.Context(), r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(b)
}

func (s *Server) newsFeed(w http.ResponseWriter, r *http.Request) {
	list, err := s.Portal.Published(r.Context(), "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := info(r).lang
	base := s.baseURL(r)
	station := s.Catalog.T(lang, "app.name")
	if s.Family != nil {
		station = s.Family.Station.Name
	}
	f := atomFeed{Title: s.Catalog.T(lang, "title.news") + " · " + station, ID: base + "/news", Author: station,
		Updated: s.Now().UTC().Format(time.RFC3339),
		Links:   []atomLink{{Href: base + "/news.atom", Rel: "self", Type: "application/atom+xml"}, {Href: base + "/news", Rel: "alternate", Type: "text/html"}}}
	for _, a := range list {
		f.Entries = append(f.Entries, atomEntry{Title: a.Title, ID: base + "/news/" + a.Slug, Updated: a.PublishAt.UTC().Format(time.RFC3339),
			Link: atomLink{Href: base + "/news/" + a.Slug}, Summary: a.Summary})
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

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
	URLs    []sitemapURL `xml:"url"`
}

// sitemapXML lists the public pages for search engines: the front page,
// the public forms, published articles and notices of people not yet
// reunited (withdrawn articles and reunited notices are left out).
func (s *Server) sitemapXML(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	base := s.baseURL(r)
	m := sitemap{}
	for _, p := range []string{"/", "/report", "/help-points", "/notices", "/family/report", "/news", "/volunteer", "/give", "/give/thanks"} {
		m.URLs = append(m.URLs, sitemapURL{Loc: base + p})
	}
	if s.Portal != nil {
		list, err := s.Portal.Published(ctx, "")
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, a := range list {
			m.URLs = append(m.URLs, sitemapURL{Loc: base + "/news/" + a.Slug, LastMod: a.PublishAt.UTC().Format(time.DateOnly)})
		}
		evs, err := s.Portal.Events(ctx, info(r).actor, false)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, e := range evs {
			m.URLs = append(m.URLs, sitemapURL{Loc: base + "/events/" + e.ID})
		}
	}
	if s.Family != nil {
		ns, err := s.Family.PublicNotices(ctx, family.NoticeFilter{})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, n := range ns {
			if !n.Reunited {
				m.URLs = append(m.URLs, sitemapURL{Loc: base + "/notices/" + n.Ref, LastMod: n.Updated.UTC().Format(time.DateOnly)})
			}
		}
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(m); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = buf.WriteTo(w)
}

// robotsTXT lets search engines read the public pages and keeps them out
// of the staff's pages and the forms' answers.
func (s *Server) robotsTXT(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var b strings.Builder
	b.WriteString("User-agent: *\n")
	for _, p := range []string{"/login", "/status", "/family/progress", "/v/", "/volunteer/join/", "/api/", "/open311/", "/static/", "/notices/print"} {
		b.WriteString("Disallow: " + p + "\n")
	}
	b.WriteString("Sitemap: " + s.baseURL(r) + "/sitemap.xml\n")
	_, _ = w.Write([]byte(b.String()))
}

// ---- events ----

type eventData struct {
	Event        *portal.Event
	Now          time.Time
	Registration *portal.Registration // the confirmation
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) {
	s.showEvent(w, r, http.StatusOK, nil, "")
}

func (s *Server) showEvent(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ev, err := s.Portal.Event(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.event", &eventData{Event: ev, Now: s.Now()})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "name", "phone")
	}
	s.render(w, r, code, "event", v)
}

func (s *Server) eventRegister(w http.ResponseWriter, r *http.Request) {
	reg, err := s.Portal.Register(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("name"), r.FormValue("phone"))
	if err != nil {
		s.refused(w, r, err, s.showEvent)
		return
	}
	ev, err := s.Portal.Event(r.Context(), reg.EventID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "event_done", s.newView(r, "title.event_done", &eventData{Event: ev, Registration: reg, Now: s.Now()}))
}

// ---- volunteering and giving ----

type volunteerApplyData struct {
	Skills []string
	Done   *volunteers.Application
}

func (s *Server) volunteerApplyPage(w http.ResponseWriter, r *http.Request) {
	s.showVolunteerApply(w, r, http.StatusOK, nil, "")
}

func (s *Server) showVolunteerApply(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	v := s.newView(r, "title.volunteer_apply", &volunteerApplyData{Skills: volunteers.Skills})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "name", "phone", "availability", "consent")
		v.Form["skills"] = r.Form["skills"]
	}
	s.render(w, r, code, "volunteer_apply", v)
}

func (s *Server) volunteerApplySubmit(w http.ResponseWriter, r *http.Request) {
	ap, err := s.Volunteers.Apply(r.Context(), info(r).actor, volunteers.ApplicationInput{Name: r.FormValue("name"), Phone: r.FormValue("phone"),
		Availability: r.FormValue("availability"), Skills: r.Form["skills"], Consent: r.FormValue("consent") == "1"})
	if err != nil {
		s.refused(w, r, err, s.showVolunteerApply)
		return
	}
	s.render(w, r, http.StatusOK, "volunteer_apply", s.newView(r, "title.volunteer_apply", &volunteerApplyData{Done: ap}))
}

type giveData struct {
	Needed  []string // items low in stock, by name
	Account string
	Thanks  *thanksData // the latest donors who consent to be thanked
}

// givePage says how to give: in kind (what is low in stock now, without
// quantities) and in money (the official account); and thanks the latest
// donors who consented (all of the last year's on /give/thanks).
func (s *Server) givePage(w http.ResponseWriter, r *http.Request) {
	d := &giveData{Account: s.DonationAccount, Thanks: &thanksData{}}
	var err error
	if s.Supplies != nil {
		if d.Needed, err = s.Supplies.Needed(r.Context()); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if s.Thanks != nil {
		if d.Thanks.Lines, err = s.Thanks.Public(r.Context(), giveThanksShown+1); err != nil {
			s.fail(w, r, err)
			return
		}
		if len(d.Thanks.Lines) > giveThanksShown {
			d.Thanks.Lines, d.Thanks.More = d.Thanks.Lines[:giveThanksShown], true
		}
	}
	s.render(w, r, http.StatusOK, "give", s.newView(r, "title.give", d))
}

// ---- staff: publicity ----

type publicityData struct {
	Articles   []*portal.Article
	Events     []*portal.Event
	Log        []*portal.LogEntry
	Totals     portal.LogTotals
	Categories []string
	LogKinds   []string
	Now        time.Time
}

func (s *Server) publicityPage(w http.ResponseWriter, r *http.Request) {
	s.showPublicity(w, r, http.StatusOK, nil, "")
}

func (s *Server) showPublicity(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ctx, a := r.Context(), info(r).actor
	d := &publicityData{Categories: portal.Categories, LogKinds: portal.LogKinds, Now: s.Now()}
	var err error
	if d.Articles, err = s.Portal.All(ctx, a); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Log, err = s.Portal.Log(ctx, a); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Totals = portal.Totals(d.Log)
	if a.Can("publicity.write") {
		if d.Events, err = s.Portal.Events(ctx, a, true); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	v := s.newView(r, "title.publicity", d)
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "form", "category", "title", "summary", "body", "consent", "publish_at", "place", "programme", "starts_at", "ends_at",
			"capacity", "kind", "on_date", "link", "materials", "audience")
	}
	v.Notice = map[string]string{"saved": "portal.notice_saved", "event": "portal.notice_event", "log": "portal.notice_log"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "publicity", v)
}

// cstTime reads a datetime-local field (China time); zero when empty.
func cstTime(v string) (time.Time, bool) {
	if strings.TrimSpace(v) == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, chinaTime)
	return t, err == nil
}

func (s *Server) articleInput(r *http.Request) (portal.ArticleInput, map[string]string) {
	in := portal.ArticleInput{Category: r.FormValue("category"), Title: r.FormValue("title"), Summary: r.FormValue("summary"),
		Body: r.FormValue("body"), Consent: r.FormValue("consent") == "1", Image: uploaded(r, "image")}
	var ok bool
	if in.PublishAt, ok = cstTime(r.FormValue("publish_at")); !ok {
		return in, map[string]string{"publish_at": "err.date"}
	}
	return in, nil
}

func (s *Server) articleCreate(w http.ResponseWriter, r *http.Request) {
	in, bad := s.articleInput(r)
	if bad != nil {
		s.showPublicity(w, r, http.StatusUnprocessableEntity, bad, "err.form")
		return
	}
	ar, err := s.Portal.Save(r.Context(), info(r).actor, "", 0, in)
	if err != nil {
		s.refused(w, r, err, s.showPublicity)
		return
	}
	http.Redirect(w, r, "/publicity/articles/"+ar.ID+"?notice=saved", http.StatusSeeOther)
}

type publicityArticleData struct {
	Article    *portal.Article
	HTML       template.HTML
	Categories []string
	Now        time.Time
}

func (s *Server) articleStaffPage(w http.ResponseWriter, r *http.Request) {
	s.showArticle(w, r, http.StatusOK, nil, "")
}

func (s *Server) showArticle(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ar, err := s.Portal.Article(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.publicity_article", &publicityArticleData{Article: ar, HTML: portal.Render(ar.Body), Categories: portal.Categories, Now: s.Now()})
	v.Errors, v.Message = fields, msg
	v.Form.Set("category", ar.Category)
	v.Form.Set("title", ar.Title)
	v.Form.Set("summary", ar.Summary)
	v.Form.Set("body", ar.Body)
	if ar.Consent {
		v.Form.Set("consent", "1")
	}
	if !ar.PublishAt.IsZero() {
		v.Form.Set("publish_at", ar.PublishAt.In(chinaTime).Format("2006-01-02T15:04"))
	}
	if r.Method == http.MethodPost {
		v.keep(r, "category", "title", "summary", "body", "consent", "publish_at", "reason")
	}
	v.Notice = map[string]string{"saved": "portal.notice_saved", "submitted": "portal.notice_submitted", "approved": "portal.notice_approved",
		"returned": "portal.notice_returned", "withdrawn": "portal.notice_withdrawn"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "publicity_article", v)
}

func (s *Server) articleUpdate(w http.ResponseWriter, r *http.Request) {
	in, bad := s.articleInput(r)
	if bad != nil {
		s.showArticle(w, r, http.StatusUnprocessableEntity, bad, "err.form")
		return
	}
	version, _ := strconv.Atoi(r.FormValue("version"))
	ar, err := s.Portal.Save(r.Context(), info(r).actor, r.PathValue("id"), version, in)
	if err != nil {
		s.refused(w, r, err, s.showArticle)
		return
	}
	http.Redirect(w, r, "/publicity/articles/"+ar.ID+"?notice=saved", http.StatusSeeOther)
}

// articleStep is a change of an article's state: submit, approve,
// return, withdraw.
func (s *Server) articleStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, a, articleID := r.Context(), info(r).actor, r.PathValue("id")
		version, _ := strconv.Atoi(r.FormValue("version"))
		var err error
		switch step {
		case "submitted":
			_, err = s.Portal.Submit(ctx, a, articleID, version)
		case "approved":
			_, err = s.Portal.Approve(ctx, a, articleID, version)
		case "returned":
			_, err = s.Portal.Return(ctx, a, articleID, version)
		case "withdrawn":
			_, err = s.Portal.Withdraw(ctx, a, articleID, version, r.FormValue("reason"))
		}
		if err != nil {
			s.refused(w, r, err, s.showArticle)
			return
		}
		http.Redirect(w, r, "/publicity/articles/"+articleID+"?notice="+step, http.StatusSeeOther)
	}
}

func (s *Server) eventCreate(w http.ResponseWriter, r *http.Request) {
	in := portal.EventInput{Title: r.FormValue("title"), Programme: r.FormValue("programme"), Place: r.FormValue("place")}
	f := map[string]string{}
	var ok bool
	if in.StartsAt, ok = cstTime(r.FormValue("starts_at")); !ok {
		f["starts_at"] = "err.date"
	}
	if in.EndsAt, ok = cstTime(r.FormValue("ends_at")); !ok {
		f["ends_at"] = "err.date"
	}
	var err error
	if in.Capacity, err = strconv.Atoi(strings.TrimSpace(r.FormValue("capacity"))); err != nil {
		f["capacity"] = "portal.err_capacity"
	}
	if len(f) > 0 {
		s.showPublicity(w, r, http.StatusUnprocessableEntity, f, "err.form")
		return
	}
	ev, err := s.Portal.AddEvent(r.Context(), info(r).actor, in)
	if err != nil {
		s.refused(w, r, err, s.showPublicity)
		return
	}
	http.Redirect(w, r, "/publicity/events/"+ev.ID+"?notice=event", http.StatusSeeOther)
}

type publicityEventData struct {
	Event         *portal.Event
	Registrations []*portal.Registration
	Checked       *portal.Registration
}

func (s *Server) eventStaffPage(w http.ResponseWriter, r *http.Request) {
	s.showEventStaff(w, r, http.StatusOK, nil, "")
}

func (s *Server) showEventStaff(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ctx, a := r.Context(), info(r).actor
	regs, err := s.Portal.Registrations(ctx, a, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.Portal.Event(ctx, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.publicity_event", &publicityEventData{Event: ev, Registrations: regs})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "ref")
	}
	v.Notice = map[string]string{"event": "portal.notice_event", "checked": "portal.notice_checked"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "publicity_event", v)
}

func (s *Server) eventCheckIn(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Portal.CheckIn(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("ref")); err != nil {
		if errs.Is(errs.NotFound, err) {
			s.showEventStaff(w, r, http.StatusUnprocessableEntity, map[string]string{"ref": "portal.err_no_ref"}, "err.form")
			return
		}
		s.refused(w, r, err, s.showEventStaff)
		return
	}
	http.Redirect(w, r, "/publicity/events/"+r.PathValue("id")+"?notice=checked", http.StatusSeeOther)
}

func (s *Server) publicityLogCreate(w http.ResponseWriter, r *http.Request) {
	f := map[string]string{}
	num := func(k string) int {
		v := strings.TrimSpace(r.FormValue(k))
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			f[k] = "err.invalid"
		}
		return n
	}
	l := portal.LogEntry{Kind: r.FormValue("kind"), OnDate: r.FormValue("on_date"), Place: r.FormValue("place"), Title: r.FormValue("title"),
		Link: r.FormValue("link"), Materials: num("materials"), Audience: num("audience")}
	if len(f) > 0 {
		s.showPublicity(w, r, http.StatusUnprocessableEntity, f, "err.form")
		return
	}
	if _, err := s.Portal.AddLog(r.Context(), info(r).actor, l); err != nil {
		s.refused(w, r, err, s.showPublicity)
		return
	}
	http.Redirect(w, r, "/publicity?notice=log#log", http.StatusSeeOther)
}

// ---- the volunteer coordinator: applications ----

type applicationsData struct {
	Applications []*volunteers.Application
}

func (s *Server) applicationsPage(w http.ResponseWriter, r *http.Request) {
	s.showApplications(w, r, http.StatusOK, nil, "")
}

func (s *Server) showApplications(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	list, err := s.Volunteers.Applications(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.applications", &applicationsData{Applications: list})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		v.keep(r, "reason")
		v.Form.Set("for", r.PathValue("id"))
	}
	v.Notice = map[string]string{"accepted": "volunteer_app.notice_accepted", "declined": "volunteer_app.notice_declined"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "volunteer_apps", v)
}

func (s *Server) applicationDecide(accept bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if accept {
			_, inv, err := s.Volunteers.Accept(r.Context(), info(r).actor, r.PathValue("id"))
			if err != nil {
				s.refused(w, r, err, s.showApplications)
				return
			}
			s.showInvite(w, r, inv, true)
			return
		}
		if err := s.Volunteers.Decline(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("reason")); err != nil {
			s.refused(w, r, err, s.showApplications)
			return
		}
		http.Redirect(w, r, "/volunteers/applications?notice=declined", http.StatusSeeOther)
	}
}

// applicationLink gives an accepted applicant who has not joined yet a
// new sign-up link; the earlier one stops working.
func (s *Server) applicationLink(w http.ResponseWriter, r *http.Request) {
	inv, err := s.Volunteers.NewJoinLink(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.refused(w, r, err, s.showApplications)
		return
	}
	s.showInvite(w, r, inv, false)
}
