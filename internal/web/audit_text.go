package web

import (
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// auditRow is one line of the audit log as a reader sees it: every code
// through the catalogue, every record by its label, no ids.
type auditRow struct {
	At     time.Time
	Actor  string
	Action string // the action, translated
	Code   string // the action's code (what the filter takes)
	Kind   string // the sort of record, translated
	Record string // the record's label ("RY-…", a username); "" when it has none
	Link   string // the record's history in the log (a link every reader of the log may open)
	IP     string
	Detail string
}

// detailWords are the catalogue prefixes that name the codes an action's
// detail holds ("state:accepted>dispatched", a channel, a rule); the
// words every detail may hold are under "audit.word.".
var detailWords = map[string][]string{
	"signal.create":    {"channel."},
	"incident.update":  {"state.", "outcome."},
	"encounter.create": {"outcome."},
	"encounter.update": {"outcome."},
	"report.status":    {"report.update_"},
	"stay.task":        {"rule."},
	"stay.exit":        {"exit."},
	"campaign.start":   {"campaigns.kind_"},
	"weather.forecast": {"plan.warning_", "plan.level_"},
	"outcome.target":   {"outcome.measure."},
	"donation.thanks":  {"thanks.mode_"},
}

// auditRows labels entries for lang; labels come from BrowseAudit.
func (s *Server) auditRows(lang string, es []audit.Entry, labels map[string]string) []auditRow {
	out := make([]auditRow, len(es))
	for i, e := range es {
		r := auditRow{At: e.At, Actor: s.auditActor(lang, e), Action: s.auditAction(lang, e.Action, e.RecordType), Code: e.Action,
			Kind: s.auditKind(lang, e.RecordType), Record: labels[e.RecordID], IP: e.IP, Detail: s.auditDetail(lang, e, labels)}
		if e.IP == "local" { // the server's own command line
			r.IP = s.Catalog.T(lang, "audit.ip_local")
		}
		switch {
		case r.Record != "":
		case e.RecordType == "partner" && s.Catalog.Has("channel."+e.RecordID):
			r.Record = s.Catalog.T(lang, "channel."+e.RecordID)
		case !audit.IsID(e.RecordID):
			r.Record = e.RecordID // a code already (a key's number)
		}
		if audit.IsID(e.RecordID) {
			r.Link = "/admin/audit?" + url.Values{"record_id": {e.RecordID}}.Encode()
		}
		out[i] = r
	}
	return out
}

func (s *Server) auditAction(lang, action, recordType string) string {
	if k := "audit.act." + action; s.Catalog.Has(k) {
		return s.Catalog.T(lang, k)
	}
	return s.Catalog.T(lang, "audit.act_other", s.auditKind(lang, recordType))
}

func (s *Server) auditKind(lang, recordType string) string {
	if recordType == "" {
		return ""
	}
	if k := "audit.kind." + recordType; s.Catalog.Has(k) {
		return s.Catalog.T(lang, k)
	}
	return s.Catalog.T(lang, "audit.kind_other")
}

// auditActor names who acted: a username as it is, a partner system's
// key or a volunteer by name, the system's own jobs in words.
func (s *Server) auditActor(lang string, e audit.Entry) string {
	name := e.ActorName
	if e.ActorID != "" && !strings.Contains(name, ":") {
		return name // a user
	}
	if kind, who, ok := strings.Cut(name, ":"); ok && s.Catalog.Has("audit.actor_"+kind) {
		return s.Catalog.T(lang, "audit.actor_"+kind, who)
	}
	if name == "" {
		name = "public"
	}
	if k := "audit.actor." + name; s.Catalog.Has(k) {
		return s.Catalog.T(lang, k)
	}
	return name
}

var detailToken = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[a-z][a-z0-9_]*`)

// auditDetail puts an entry's detail in words: the ids it names by their
// labels, its codes through the catalogue ("state:accepted>dispatched"
// reads 状态：已受理→已派单). A word the catalogue does not know stays.
func (s *Server) auditDetail(lang string, e audit.Entry, labels map[string]string) string {
	if e.Detail == "" {
		return ""
	}
	prefixes := append([]string{"audit.word."}, detailWords[e.Action]...)
	for _, p := range prefixes {
		if s.Catalog.Has(p + e.Detail) { // one code: a channel ("110"), a rule
			return s.Catalog.T(lang, p+e.Detail)
		}
	}
	d := detailToken.ReplaceAllStringFunc(e.Detail, func(w string) string {
		if audit.IsID(w) {
			return labels[w]
		}
		for _, p := range prefixes {
			if s.Catalog.Has(p + w) {
				return s.Catalog.T(lang, p+w)
			}
		}
		return w
	})
	if lang == "zh-CN" {
		return strings.NewReplacer(":", "：", ">", "→", ",", "，").Replace(d)
	}
	return strings.NewReplacer(":", ": ", ">", " → ", ",", ", ").Replace(d)
}

// auditActions are the actions the filter offers, by the sort of record
// they act on: every action the catalogue names.
func (s *Server) auditActions(lang string) []auditGroup {
	var out []auditGroup
	for _, k := range s.Catalog.Keys() {
		code, ok := strings.CutPrefix(k, "audit.act.")
		if !ok {
			continue
		}
		domain, _, _ := strings.Cut(code, ".")
		if len(out) == 0 || out[len(out)-1].Domain != domain {
			out = append(out, auditGroup{Domain: domain, Prefix: domain + "."})
		}
		g := &out[len(out)-1]
		g.Actions = append(g.Actions, auditOption{Code: code, Text: s.Catalog.T(lang, k)})
	}
	return out
}

type auditGroup struct {
	Domain  string // "person"
	Prefix  string // "person.": the filter value for every action of the group
	Actions []auditOption
}

type auditOption struct{ Code, Text string }
