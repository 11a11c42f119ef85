package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/open311"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/thanks"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages lists every page template; each is parsed with base.html. A
// missing or broken one stops start-up.
var pages = []string{
	"login", "home", "password", "error", "report", "status", "signal_new", "incidents", "incident",
	"admin_partners", "admin_deliveries", "admin_routing", "dispatch", "patrol", "admin_teams", "admin_team", "admin_hotspots",
	"station", "people", "person_new", "person", "stay_exit", "stay_form", "referrals", "referral",
	"family_report", "family_progress", "notices", "notices_print", "notice", "family", "family_report_view", "family_review",
	"family_candidate", "family_import", "help_points", "admin_points", "admin_point", "supplies", "supply_location", "volunteers",
	"point_desk", "campaigns", "volunteer_link", "volunteer_self", "plan", "stats_report", "stats_report_print", "dashboard",
	"funds", "funds_budget", "funds_report", "funds_expense", "funds_voucher", "assistance", "assistance_new", "assistance_referral",
	"canteen", "canteen_samples_print", "canteen_purchases_print", "canteen_checks", "canteen_stock", "canteen_records_print",
	"fire", "fire_item", "fire_labels", "fire_patrol", "fire_checkpoint", "fire_register_print", "fire_patrols_print", "fire_inspections_print", "fire_hazards_print",
	"admin_users", "admin_user_new", "admin_user", "admin_departments", "admin_apikeys", "admin_audit", "data_requests",
	"monthly_report", "outcomes",
	"front", "news", "article", "event", "event_done", "volunteer_apply", "publicity", "publicity_article", "publicity_event", "volunteer_apps", "give",
	"give_thanks", "thanks_staff", "volunteer_invite", "volunteer_join",
}

// chinaTime is the zone pages show times in (China has no daylight saving).
var chinaTime = time.FixedZone("CST", 8*3600)

// dateText is t's day in China ("2006-01-02"), empty for the zero time:
// pages' and workbooks' dates.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02")
}

// datetimeText is t to the minute in China, empty for the zero time.
func datetimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

// templates holds one template set a language: partials.html parsed
// once, and for each page its "content" (and "head") under names of its
// own ("content/incident") and "page/incident", base.html calling them.
// A set per page, each with its own copy of base and partials, held 74 MB
// of parse trees that every garbage collection walked.
type templates struct {
	byLang map[string]*template.Template
}

// defineRE finds the names a template file defines.
var defineRE = regexp.MustCompile(`\{\{-?\s*define\s+"([^"]+)"`)

// parsePages parses base.html, partials.html and every page into set.
func parsePages(set *template.Template) (*template.Template, error) {
	read := func(name string) (string, error) {
		b, err := fs.ReadFile(templateFS, "templates/"+name)
		return string(b), err
	}
	base, err := read("base.html")
	if err != nil {
		return nil, err
	}
	const headSlot, contentSlot = `{{block "head" .}}{{end}}`, `{{template "content" .}}`
	if strings.Count(base, headSlot) != 1 || strings.Count(base, contentSlot) != 1 {
		return nil, fmt.Errorf("template base: want one %s and one %s", headSlot, contentSlot)
	}
	defined := map[string]string{} // template name → the file that defines it
	add := func(file, text string) error {
		for _, m := range defineRE.FindAllStringSubmatch(text, -1) {
			if other, ok := defined[m[1]]; ok {
				return fmt.Errorf("template %s: %q is defined in %s too", file, m[1], other)
			}
			defined[m[1]] = file
		}
		if _, err := set.New(file).Parse(text); err != nil {
			return fmt.Errorf("template %s: %v", file, err)
		}
		return nil
	}
	partials, err := read("partials.html")
	if err != nil {
		return nil, err
	}
	if err := add("partials.html", partials); err != nil {
		return nil, err
	}
	for _, p := range pages {
		text, err := read(p + ".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %v", p, err)
		}
		if n := strings.Count(text, `{{define "content"}}`); n != 1 {
			return nil, fmt.Errorf("template %s: want one {{define \"content\"}}, found %d", p, n)
		}
		head := ""
		if strings.Contains(text, `{{define "head"}}`) {
			head = `{{template "head/` + p + `" .}}`
		}
		text = strings.Replace(text, `{{define "content"}}`, `{{define "content/`+p+`"}}`, 1)
		text = strings.Replace(text, `{{define "head"}}`, `{{define "head/`+p+`"}}`, 1)
		if err := add(p+".html", text); err != nil {
			return nil, err
		}
		page := strings.Replace(strings.Replace(base, headSlot, head, 1), contentSlot, `{{template "content/`+p+`" .}}`, 1)
		if err := add("page/"+p, page); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func parseTemplates(cat *i18n.Catalog, st *staticFiles, maps map[string]mapConfig) (*templates, error) {
	ts := &templates{byLang: map[string]*template.Template{}}
	for _, lang := range i18n.Languages {
		lang := lang
		funcs := template.FuncMap{
			"t": func(key string, args ...any) string { return cat.T(lang, key, args...) },
			"static": func(p string) (string, error) {
				return st.url(p)
			},
			"mask":     secret.Mask,
			"datetime": datetimeText,
			"roleName": func(r auth.Role) string { return cat.T(lang, "role."+string(r)) },
			"roleNames": func(rs []auth.Role) string {
				names := make([]string, len(rs))
				for i, r := range rs {
					names[i] = cat.T(lang, "role."+string(r))
				}
				return strings.Join(names, cat.T(lang, "list.sep"))
			},
			"permNames": func(ps []auth.Permission) string {
				names := make([]string, len(ps))
				for i, p := range ps {
					names[i] = cat.T(lang, "list.quote", cat.T(lang, "perm."+string(p)))
				}
				return strings.Join(names, cat.T(lang, "list.or"))
			},
			"openHours": func(text string) string { return hoursText(lang, text) },
			"yearMonth": func(ym string) string { return yearMonthText(cat, lang, ym) },
			"gaveText":  func(l *thanks.Line) string { return gaveText(cat, lang, l) },

			// Codes and values put in words, phone numbers people can tap.
			"deliveryError": func(msg string) string { return deliveryErrorText(cat, lang, msg) },
			"recipient":     func(key string) string { return recipientText(cat, lang, key) },
			"value":         func(v family.Value) string { return valueText(cat, lang, v) },
			"tel":           telLink,
			"tlink":         func(key string, args ...any) template.HTML { return messageHTML(cat, lang, key, args...) },
			"svcName": func(code string) string {
				if svc, ok := intake.ServiceByCode(code); ok {
					return svc.Name(lang)
				}
				return code
			},
			"overdue":   func(i *intake.Incident, now time.Time) bool { return i.Overdue(now) },
			"duration":  func(d time.Duration) string { return cat.Duration(lang, d) },
			"coord":     func(f float64) string { return strconv.FormatFloat(f, 'f', 5, 64) },
			"list":      func(v ...string) []string { return v },
			"hasPrefix": strings.HasPrefix,
			"has":       func(list []string, v any) bool { return slices.Contains(list, fmt.Sprint(v)) },
			"yuan":      yuan,
			"qty":       qty,
			"vitals":    func(d health.CheckData) string { return vitals(cat, lang, d) },
			"roomBed":   func(room, bed string) string { return roomBed(cat, lang, room, bed) },
			"hours":     func(minutes int) float64 { return float64(minutes) / 60 },
			"statValue": func(u stats.Unit, n int64) string { return u.Format(n) },
			"statGroup": func(grouped, value string) string { return statGroup(cat, lang, grouped, value) },
			"statDept":  func(d stats.Department) string { return statDeptName(cat, lang, d) },
			"spark":     func(c stats.Curve) string { return sparkline(c.Values, c.Max, 300, 40) },
			"pct":       func(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" },
			"inc":       func(i int) int { return i + 1 },
			"pair":      func(a, b any) []any { return []any{a, b} }, // two values for a sub-template
			"celsius":   tempText,
			"milli":     canteen.FormatMilli,
			"date":      dateText,
			"ageOf": func(p *cases.Person) string {
				min, max, ok := p.AgeAt(time.Now())
				switch {
				case !ok:
					return "?"
				case min == max:
					return strconv.Itoa(min) + cat.T(lang, "person.years")
				}
				return strconv.Itoa(min) + "–" + strconv.Itoa(max) + cat.T(lang, "person.years")
			},
			"boardText": func() map[string]string { return scriptText(cat, lang) },
			"mapConfig": func() mapConfig { return maps[lang] },
			"deptName": func(d *auth.Department) string {
				if lang == "en" && d.NameEn != "" {
					return d.NameEn
				}
				return d.Name
			},
		}
		set, err := parsePages(template.New("").Funcs(funcs))
		if err != nil {
			return nil, err
		}
		ts.byLang[lang] = set
	}
	return ts, nil
}

// view is the data every page gets.
type view struct {
	Lang      string
	OtherLang string
	Title     string // translation key
	User      *auth.User
	CSRF      string
	Path      string
	Message   string            // translation key of a page-level message
	Notice    string            // translation key of a success message
	Errors    map[string]string // field -> translation key
	Form      url.Values
	Data      any
	Version   string
	Hotline   string // the station's 24 h number, for every page's footer
	actor     auth.Actor
}

// Can reports whether the signed-in user has a permission (for showing
// links; the services decide what is allowed).
func (v *view) Can(p string) bool { return v.actor.Can(auth.Permission(p)) }

// menuItem is a link of the top navigation and of the home page's list.
type menuItem struct {
	Href, Key string // the page and the translation key of its name
	Current   bool   // the page shown, or one under it
}

// Menu lists the pages the signed-in user's role opens, in navigation
// order (for showing links; the services decide what is allowed).
func (v *view) Menu() []menuItem {
	if v.User == nil {
		return nil
	}
	can := func(ps ...auth.Permission) bool { return slices.ContainsFunc(ps, v.actor.Can) }
	var items []menuItem
	add := func(ok bool, href, key string) {
		if ok {
			current := v.Path == href || href != "/" && strings.HasPrefix(v.Path, strings.TrimSuffix(href, "/")+"/")
			items = append(items, menuItem{Href: href, Key: key, Current: current})
		}
	}
	add(true, "/", "nav.home")
	add(can(auth.PermIncidentsView), "/incidents", "nav.incidents")
	add(can(auth.PermCasesView), "/station", "nav.station")
	add(can(auth.PermCasesView), "/people", "nav.people")
	add(can(auth.PermFamilyView), "/family", "nav.family")
	add(can(auth.PermHealthView, auth.PermReferralsHospital), "/referrals", "nav.referrals")
	add(can(auth.PermDispatchBoard), "/dispatch", "nav.dispatch")
	add(can(auth.PermPlanView), "/dispatch/plan", "nav.plan")
	add(can(auth.PermPatrolWork), "/patrol/", "nav.patrol")
	add(can(auth.PermSuppliesManage, auth.PermSuppliesHandout), "/supplies", "nav.supplies")
	add(can(auth.PermCanteenView, auth.PermCanteenManage), "/canteen", "nav.canteen")
	add(can(auth.PermFireView, auth.PermFireManage), "/fire", "nav.fire")
	add(can(auth.PermVolunteersManage), "/volunteers", "nav.volunteers")
	add(can(auth.PermVolunteersManage), "/volunteers/applications", "nav.applications")
	add(can(auth.PermPublicityWrite, auth.PermPublicityApprove), "/publicity", "nav.publicity")
	add(can(auth.PermFundsRequest, auth.PermFundsManage, auth.PermFundsView), "/funds", "funds.nav")
	add(can(auth.PermAssistanceRefer, auth.PermAssistanceView), "/assistance", "assistance.nav")
	add(can(auth.PermPointsManage), "/admin/points", "nav.points")
	add(can(auth.PermPointDesk) && v.User.PointID != "", "/points/"+v.User.PointID+"/desk", "nav.point_desk")
	add(can(auth.PermCampaignsManage, auth.PermCampaignsView, auth.PermPointsManage), "/campaigns", "nav.campaigns")
	add(can(auth.PermStatsView) && v.User.Role != auth.RoleLeader, "/stats", "nav.stats") // the leader's home is the dashboard
	add(can(auth.PermTeamsManage), "/admin/teams", "nav.teams")
	add(can(auth.PermTeamsManage), "/admin/hotspots", "nav.hotspots")
	add(can(auth.PermPartnersManage), "/admin/partners", "nav.partners")
	add(can(auth.PermRoutingManage), "/admin/routing", "nav.routing")
	add(can(auth.PermUsersView), "/admin/users", "nav.users")
	add(can(auth.PermDeptManage), "/admin/departments", "nav.departments")
	add(can(auth.PermAPIKeysManage), "/admin/apikeys", "nav.apikeys")
	add(can(auth.PermAuditRead), "/admin/audit", "nav.audit")
	add(can(auth.PermDataRequest, auth.PermDataApprove), "/admin/data-requests", "nav.data_requests")
	// A page under another's path (/dispatch/plan under /dispatch) is the
	// current one alone: the longest match wins.
	best := -1
	for i, it := range items {
		if it.Current && (best < 0 || len(it.Href) > len(items[best].Href)) {
			best = i
		}
	}
	for i := range items {
		items[i].Current = i == best
	}
	return items
}

// Val returns a submitted form value, so forms keep the user's input.
func (v *view) Val(name string) string { return v.Form.Get(name) }

// keep copies the submitted values of fields into the form, so that a page
// shown again (with errors, or a filter) keeps what the user entered.
func (v *view) keep(r *http.Request, fields ...string) {
	for _, f := range fields {
		v.Form.Set(f, r.FormValue(f))
	}
}

// Err returns the error key for a field.
func (v *view) Err(name string) string { return v.Errors[name] }

func (s *Server) newView(r *http.Request, title string, data any) *view {
	ri := info(r)
	other := "en"
	if ri.lang == "en" {
		other = "zh-CN"
	}
	return &view{Lang: ri.lang, OtherLang: other, Title: title, User: ri.user, CSRF: ri.csrf, Path: r.URL.Path,
		Data: data, Form: url.Values{}, Version: s.Version, Hotline: s.hotline(), actor: ri.actor}
}

// render writes a page with status code.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, page string, v *view) {
	set := s.tmpl.byLang[v.Lang]
	if set == nil {
		set = s.tmpl.byLang[i18n.Default]
	}
	var buf bytes.Buffer
	if err := set.ExecuteTemplate(&buf, "page/"+page, v); err != nil {
		s.Logger.Error("template", "request_id", info(r).id, "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = buf.WriteTo(w)
}

func statusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Exists, errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthorized:
		return http.StatusUnauthorized
	case errs.Unavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func defaultMessage(k errs.Kind) string {
	switch k {
	case errs.Invalid:
		return "err.invalid"
	case errs.NotFound:
		return "err.not_found"
	case errs.Exists, errs.Conflict:
		return "err.conflict"
	case errs.Forbidden:
		return "err.forbidden"
	case errs.Unauthorized:
		return "err.login_required"
	case errs.Unavailable:
		return "err.unavailable"
	}
	return "err.internal"
}

// fail answers with an error page (or JSON on the API) in the user's
// language. Internal details are logged with the request id, never shown.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.failStatus(w, r, statusOf(errs.KindOf(err)), err)
}

// failStatus is fail with a status code of its own (e.g. 413).
func (s *Server) failStatus(w http.ResponseWriter, r *http.Request, code int, err error) {
	ri := info(r)
	k := errs.KindOf(err)
	msg := errs.MessageOf(err)
	if msg == "" || !s.Catalog.Has(msg) {
		msg = defaultMessage(k)
	}
	if code >= 500 {
		s.Logger.Error("request failed", "request_id", ri.id, "route", ri.pattern, "err", err)
	}
	if code == http.StatusServiceUnavailable {
		// The database or another dependency is down: the same request
		// may succeed later, and partners' systems retry on this header.
		w.Header().Set("Retry-After", strconv.Itoa(int(errs.RetryAfter.Seconds())))
	}
	if strings.HasPrefix(r.URL.Path, "/open311/") {
		// Open311 clients parse the spec's error list, in the URL's format.
		open311.WriteErrors(w, open311.FormatOf(r.URL.Path), code, open311.Message(r, s.open311.Translate, msg))
		return
	}
	if ri.api || wantsJSON(r) {
		fields := map[string]string{}
		for f, key := range errs.FieldsOf(err) {
			fields[f] = s.Catalog.T(ri.lang, key)
		}
		writeJSON(w, code, map[string]any{"error": map[string]any{
			"code": k.String(), "message": s.Catalog.T(ri.lang, msg), "fields": fields,
		}, "request_id": ri.id})
		return
	}
	v := s.newView(r, "title.error", nil)
	v.Message = msg
	d := errorData{Code: code, RequestID: ri.id}
	var denied *auth.Denied
	if code == http.StatusForbidden && ri.user != nil && errors.As(err, &denied) {
		// Say why the page is closed, whom it is for and whom to ask,
		// instead of a bare "not allowed".
		d.Denied = &deniedView{Needs: denied.Needs, Roles: auth.RolesWith(denied.Needs...), Action: r.Method != http.MethodGet}
		v.Title, v.Message = "title.forbidden", ""
	}
	v.Data = d
	s.render(w, r, code, "error", v)
}

// errorData is what the error page shows.
type errorData struct {
	Code      int
	RequestID string
	Denied    *deniedView // a 403 for lack of a permission
}

// deniedView explains a refusal: the permissions the page or action
// needs (any one of them), the roles that have one, and whether it was a
// page (GET) or an action.
type deniedView struct {
	Needs  []auth.Permission
	Roles  []auth.Role
	Action bool
}

// shower shows a form page again with field errors or a message.
type shower func(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string)

// refused answers a change a service refused: the page again with the
// field errors (422) or the conflict's message (409); other errors fail.
func (s *Server) refused(w http.ResponseWriter, r *http.Request, err error, show shower) {
	switch {
	case errs.Is(errs.Invalid, err):
		show(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err), "err.form")
	case errs.Is(errs.Conflict, err):
		show(w, r, http.StatusConflict, map[string]string{}, errs.MessageOf(err))
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, errs.E(errs.NotFound, "web", "err.not_found"))
}

// writeJSON is the one JSON encoder of the web layer.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// staticFiles serves the embedded static folder with content-hashed URLs.
type staticFiles struct {
	files map[string][]byte
	gz    map[string][]byte // gzip-compressed copies of the files that shrink
	hash  map[string]string
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{files: map[string][]byte{}, gz: map[string][]byte{}, hash: map[string]string{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		st.put(strings.TrimPrefix(p, "static/"), b)
		return nil
	})
	return st, err
}

// put adds or replaces a static file.
func (st *staticFiles) put(p string, b []byte) {
	sum := sha256.Sum256(b)
	st.files[p] = b
	st.hash[p] = hex.EncodeToString(sum[:])[:12]
	delete(st.gz, p)
	if compressible[path.Ext(p)] {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(b)
		if zw.Close() == nil && buf.Len() < len(b)*9/10 {
			st.gz[p] = buf.Bytes()
		}
	}
}

// compressible are the static files' extensions worth compressing once at
// start-up: text. Images are compressed already.
var compressible = map[string]bool{".js": true, ".css": true, ".svg": true, ".json": true, ".txt": true, ".ico": true}

// acceptsGzip reports whether a request's Accept-Encoding allows gzip
// (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for _, h := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(h, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

func (st *staticFiles) url(p string) (string, error) {
	h, ok := st.hash[p]
	if !ok {
		return "", fmt.Errorf("static file %q does not exist", p)
	}
	return "/static/" + p + "?v=" + h, nil
}

func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(path.Clean(r.URL.Path), "/static/")
	b, ok := s.static.files[p]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if ct := mime.TypeByExtension(path.Ext(p)); ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	if r.URL.Query().Get("v") == s.static.hash[p] {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "no-cache")
	}
	w.Header().Set("Vary", "Accept-Encoding")
	if z, ok := s.static.gz[p]; ok && acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("ETag", `"`+s.static.hash[p]+`-gz"`)
		b = z
	} else {
		w.Header().Set("ETag", `"`+s.static.hash[p]+`"`)
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// favicon answers /favicon.ico, which browsers and feed readers ask for
// on their own; pages name the SVG icon (base.html).
func (s *Server) favicon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "image/x-icon")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("ETag", `"`+s.static.hash["favicon.ico"]+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(s.static.files["favicon.ico"]))
}

// tooMany answers a rate-limited request in the shape its client expects.
func (s *Server) tooMany(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	msg := s.Catalog.T(ri.lang, "err.rate_limited")
	if strings.HasPrefix(r.URL.Path, "/open311/") {
		open311.WriteErrors(w, open311.FormatOf(r.URL.Path), http.StatusTooManyRequests, open311.Message(r, s.open311.Translate, "err.rate_limited"))
		return
	}
	if ri.api {
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": map[string]any{"code": "rate_limited", "message": msg}, "request_id": ri.id})
		return
	}
	v := s.newView(r, "title.error", errorData{Code: http.StatusTooManyRequests, RequestID: ri.id})
	v.Message = "err.rate_limited"
	s.render(w, r, http.StatusTooManyRequests, "error", v)
}

// wantsJSON reports whether a browser request came from a page's script
// (fetch with Accept: application/json), which gets errors as JSON too.
func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("Accept"), "application/json")
}

// scriptText is the part of the catalog that the board and patrol scripts
// show, handed to them as JSON: states, channels, outcomes, team statuses,
// person states, the dispatch.* and patrol.* texts and the service names.
func scriptText(cat *i18n.Catalog, lang string) map[string]string {
	out := map[string]string{}
	for _, k := range cat.Keys() {
		for _, p := range []string{"state.", "channel.", "outcome.", "team_status.", "encounter_outcome.", "person_state.", "dispatch.", "patrol.", "hotspot_kind.", "points.open_now", "points.closed_now", "location.", "duration.", "punct."} {
			if strings.HasPrefix(k, p) {
				out[k] = cat.T(lang, k)
			}
		}
	}
	for _, svc := range intake.Services {
		out["svc."+svc.Code] = svc.Name(lang)
	}
	return out
}

// roomBed says where a person sleeps: "203 室 4 床", "203 室", "4 床".
func roomBed(cat *i18n.Catalog, lang, room, bed string) string {
	room, bed = strings.TrimSpace(room), strings.TrimSpace(bed)
	switch {
	case room != "" && bed != "":
		return cat.T(lang, "stay.room_bed", room, bed)
	case room != "":
		return cat.T(lang, "stay.room_only", room)
	case bed != "":
		return cat.T(lang, "stay.bed_only", bed)
	}
	return ""
}
