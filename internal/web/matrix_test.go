package web_test

import (
	"context"
	"github.com/havenrescue/haven/internal/assistance"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/store/storetest"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/volunteers"
)

// who may use a route, written out here independently of the code under
// test so that a change in either shows up as a failure.
type access struct {
	kind  int
	roles []auth.Role // for kind == someRoles
}

const (
	kindAnyone = iota
	kindSignedIn
	kindRoles
	kindAPIKey
)

var (
	anyone    = access{kind: kindAnyone}
	signedIn  = access{kind: kindSignedIn}
	adminOnly = only(auth.RoleAdmin)
	apiKey    = access{kind: kindAPIKey}
	viewers   = only(auth.RoleAdmin, auth.RoleDispatcher, auth.RolePatrol, auth.RoleStaff, auth.RoleLeader)
	// statsViewers read statistics (auth.PermStatsView).
	statsViewers = only(auth.RoleAdmin, auth.RoleDispatcher, auth.RoleStaff, auth.RoleLeader)
)

func only(r ...auth.Role) access { return access{kind: kindRoles, roles: r} }

var matrix = map[string]access{
	"GET /healthz":                    anyone,
	"GET /readyz":                     anyone,
	"GET /metrics":                    anyone,
	"GET /static/":                    anyone,
	"GET /favicon.ico":                anyone,
	"GET /login":                      anyone,
	"POST /login":                     anyone,
	"POST /logout":                    signedIn,
	"POST /lang":                      anyone,
	"GET /{$}":                        anyone, // the public front page, or the signed-in user's work
	"GET /account/password":           signedIn,
	"POST /account/password":          signedIn,
	"GET /admin/users":                adminOnly,
	"GET /admin/users/new":            adminOnly,
	"POST /admin/users":               adminOnly,
	"GET /admin/users/{id}":           adminOnly,
	"POST /admin/users/{id}":          adminOnly,
	"POST /admin/users/{id}/disable":  adminOnly,
	"POST /admin/users/{id}/enable":   adminOnly,
	"POST /admin/users/{id}/password": adminOnly,
	"GET /admin/departments":          adminOnly,
	"POST /admin/departments":         adminOnly,
	"GET /admin/apikeys":              adminOnly,
	"POST /admin/apikeys":             adminOnly,
	"POST /admin/apikeys/{id}/revoke": adminOnly,
	"GET /admin/audit":                adminOnly,

	// Data rights: an administrator asks, an administrator or station
	// staff member approves (never their own), only the requester
	// downloads.
	"GET /admin/data-requests":               only(auth.RoleAdmin, auth.RoleStaff),
	"POST /admin/data-requests":              adminOnly,
	"POST /admin/data-requests/{id}/approve": only(auth.RoleAdmin, auth.RoleStaff),
	"POST /admin/data-requests/{id}/refuse":  only(auth.RoleAdmin, auth.RoleStaff),
	"GET /admin/data-requests/{id}/download": adminOnly,
	"GET /api/v1/whoami":                     apiKey,

	"GET /report":                                 anyone,
	"POST /report":                                anyone,
	"GET /status":                                 anyone,
	"GET /open311/v2/{file}":                      anyone,
	"POST /open311/v2/{file}":                     apiKey,
	"GET /open311/v2/services/{file}":             anyone,
	"GET /open311/v2/requests/{file}":             anyone,
	"GET /open311/v2/tokens/{file}":               anyone,
	"POST /api/v1/partners/{code}/workorders":     apiKey,
	"GET /api/v1/partners/{code}/workorders/{id}": apiKey,
	"GET /signals/new":                            only(auth.RoleDispatcher, auth.RolePatrol, auth.RoleStaff),
	"POST /signals/new":                           only(auth.RoleDispatcher, auth.RolePatrol, auth.RoleStaff),
	"GET /signals/{ref}/photo":                    only(auth.RoleDispatcher),
	"POST /signals/{ref}/contact":                 only(auth.RoleDispatcher),
	"GET /incidents":                              viewers,
	"GET /incidents/{id}":                         viewers,
	"POST /incidents/{id}":                        only(auth.RoleDispatcher),
	"POST /incidents/{id}/merge":                  only(auth.RoleDispatcher),
	"POST /incidents/{id}/split":                  only(auth.RoleDispatcher),
	"POST /incidents/{id}/place":                  only(auth.RoleDispatcher),
	"POST /incident-ops/{id}/undo":                only(auth.RoleDispatcher),
	"GET /admin/partners":                         adminOnly,
	"POST /admin/partners/{code}":                 adminOnly,
	"GET /admin/deliveries":                       adminOnly,
	"POST /admin/deliveries/{id}/resend":          adminOnly,
	"GET /admin/routing":                          viewers,
	"POST /admin/routing":                         only(auth.RoleAdmin, auth.RoleDispatcher),
	"POST /admin/routing/sensitive":               adminOnly,

	"GET /dispatch":                          only(auth.RoleDispatcher, auth.RoleLeader),
	"GET /dispatch/board.json":               only(auth.RoleDispatcher, auth.RoleLeader),
	"GET /dispatch/events":                   only(auth.RoleDispatcher, auth.RoleLeader),
	"GET /dispatch/incidents/{id}/suggest":   only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/assign":   only(auth.RoleDispatcher),
	"GET /dispatch/incidents/{id}/teams":     only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/place":    only(auth.RoleDispatcher),
	"GET /dispatch/places.json":              only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/escalate": only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/notes":    only(auth.RoleDispatcher),
	"GET /patrol/{$}":                        only(auth.RoleDispatcher, auth.RolePatrol),
	"GET /patrol/state.json":                 only(auth.RoleDispatcher, auth.RolePatrol),
	"POST /patrol/sync":                      only(auth.RoleDispatcher, auth.RolePatrol),
	"GET /patrol/sw.js":                      only(auth.RoleDispatcher, auth.RolePatrol),

	"GET /admin/teams":                             teamManagers,
	"POST /admin/teams":                            teamManagers,
	"GET /admin/teams/{id}":                        teamManagers,
	"POST /admin/teams/{id}":                       teamManagers,
	"POST /admin/teams/{id}/status":                teamManagers,
	"POST /admin/teams/{id}/shifts":                teamManagers,
	"POST /admin/teams/{id}/shifts/{shift}/delete": teamManagers,
	"GET /admin/hotspots":                          teamManagers,
	"POST /admin/hotspots":                         teamManagers,
	"POST /admin/hotspots/{id}/active":             teamManagers,
	"GET /dispatch/incidents/{id}/signals":         only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/merge":          only(auth.RoleDispatcher),
	"POST /dispatch/incidents/{id}/split":          only(auth.RoleDispatcher),
	"POST /dispatch/ops/{id}/undo":                 only(auth.RoleDispatcher),
}

var teamManagers = only(auth.RoleAdmin, auth.RoleDispatcher)

var (
	// Not the volunteer coordinator: an outside team that staffs shifts
	// never opens a person's file, their belongings or their cash.
	caseViewers = only(auth.RoleStaff, auth.RoleMedical, auth.RoleLeader)
	caseStaff   = only(auth.RoleStaff)
	medical     = only(auth.RoleMedical)
	referrers   = only(auth.RoleMedical, auth.RoleHospital)

	familyViewers = only(auth.RoleStaff, auth.RoleLeader)
	pointManagers = only(auth.RoleAdmin, auth.RoleStaff)
)

func init() {
	for pattern, a := range map[string]access{
		"GET /station":                  caseViewers,
		"GET /people":                   caseViewers,
		"GET /people/new":               caseStaff,
		"POST /people":                  caseStaff,
		"GET /people/{id}":              caseViewers,
		"POST /people/{id}":             caseStaff,
		"POST /people/{id}/contacts":    caseStaff,
		"POST /people/{id}/merge":       caseStaff,
		"POST /people/{id}/distinct":    caseStaff,
		"POST /person-merges/{id}/undo": caseStaff,
		"POST /people/{id}/health":      medical,
		"POST /people/{id}/medications": medical,
		"POST /medications/{id}/end":    medical,
		"POST /people/{id}/referrals":   medical,
		"POST /stays/{id}/belongings":   caseStaff,
		"POST /stays/{id}/notes":        caseStaff,
		"POST /stays/{id}/bed":          caseStaff,
		"POST /stays/{id}/tasks/{rule}": caseStaff,
		"GET /stays/{id}/photo":         caseViewers,
		"GET /stays/{id}/exit":          caseStaff,
		"POST /stays/{id}/exit":         caseStaff,
		"GET /stays/{id}/forms/{form}":  caseViewers,
		"GET /referrals":                referrers,
		"GET /referrals/{id}":           referrers,
		"POST /referrals/{id}/advance":  referrers,
		"POST /referrals/{id}/notes":    referrers,

		"GET /family/report":                 anyone,
		"POST /family/report":                anyone,
		"GET /family/progress":               anyone,
		"GET /notices":                       anyone,
		"GET /notices/print":                 anyone,
		"GET /notices.atom":                  anyone,
		"GET /notices/{ref}":                 anyone,
		"GET /notices/{ref}/photo":           anyone,
		"POST /api/v1/missing-reports":       apiKey,
		"GET /api/v1/pfif":                   apiKey,
		"GET /family":                        familyViewers,
		"GET /family/reports/new":            caseStaff,
		"POST /family/reports":               caseStaff,
		"GET /family/reports/{id}":           familyViewers,
		"POST /family/reports/{id}/withdraw": caseStaff,
		"GET /family/review":                 familyViewers,
		"POST /family/refresh":               caseStaff,
		"GET /family/candidates/{id}":        familyViewers,
		"POST /family/candidates/{id}":       caseStaff,
		"GET /family/pfif":                   caseStaff,
		"POST /family/pfif":                  caseStaff,
		"POST /people/{id}/notice":           caseStaff,
		"POST /people/{id}/consent":          caseStaff,

		// Tonight's patrol plan: counts, no names; the forecast is
		// entered by the dispatcher and station staff, or posted by the
		// weather service's key.
		"GET /dispatch/plan":             only(auth.RoleDispatcher, auth.RolePatrol, auth.RoleStaff, auth.RoleLeader),
		"POST /dispatch/plan/forecast":   only(auth.RoleDispatcher, auth.RoleStaff),
		"POST /api/v1/weather/forecasts": apiKey,

		"GET /help-points":        anyone,
		"GET /api/v1/help-points": anyone,
		"GET /admin/points":       pointManagers,
		"POST /admin/points":      pointManagers,
		"GET /admin/points/{id}":  pointManagers,
		"POST /admin/points/{id}": pointManagers,

		"GET /point":               only(auth.RoleAdmin, auth.RoleStaff, auth.RoleLiaison),
		"GET /points/{id}/desk":    only(auth.RoleAdmin, auth.RoleStaff, auth.RoleLiaison),
		"POST /points/{id}/desk":   only(auth.RoleAdmin, auth.RoleStaff, auth.RoleLiaison),
		"GET /campaigns":           only(auth.RoleAdmin, auth.RoleStaff, auth.RoleVolunteer, auth.RoleLeader), // the coordinator staffs them, the leader follows them: read only
		"POST /campaigns":          caseStaff,
		"POST /campaigns/{id}/end": caseStaff,

		// Statistics: counts for the roles that read them (stats.view); the
		// volunteer coordinator sees the campaigns, not their figures.
		"GET /stats":                            statsViewers,
		"GET /stats/heat":                       statsViewers,
		"GET /campaigns/{id}/report":            statsViewers,
		"GET /campaigns/{id}/report.xlsx":       statsViewers,
		"GET /campaigns/{id}/report/print":      statsViewers,
		"GET /api/v1/statistics/indicators":     apiKey,
		"GET /api/v1/statistics/figures":        apiKey,
		"GET /api/v1/statistics/campaigns/{id}": apiKey,
		"GET /api/v1/statistics/monthly":        apiKey,
		"GET /api/v1/statistics/outcomes":       apiKey,
		"POST /supplies/unbooked/{id}":          caseStaff,

		"GET /supplies":                               only(auth.RoleStaff, auth.RolePatrol, auth.RoleLiaison),
		"POST /supplies/movements":                    caseStaff,
		"POST /supplies/items":                        caseStaff,
		"POST /supplies/locations":                    caseStaff,
		"GET /supplies/locations/{id}":                only(auth.RoleStaff, auth.RolePatrol),
		"POST /supplies/locations/{id}/count":         caseStaff,
		"POST /supplies/locations/{id}/threshold":     caseStaff,
		"GET /funds":                                  only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /funds/budgets":                         only(auth.RoleFinance),
		"GET /funds/budgets/{id}":                     only(auth.RoleFinance, auth.RoleLeader),
		"POST /funds/budgets/{id}/adjust":             only(auth.RoleFinance),
		"GET /funds/budgets/{id}/report":              only(auth.RoleFinance, auth.RoleLeader),
		"GET /funds/budgets/{id}/report.xlsx":         only(auth.RoleFinance, auth.RoleLeader),
		"POST /funds/expenses":                        only(auth.RoleStaff, auth.RoleFinance),
		"POST /funds/batch/approve":                   only(auth.RoleFinance, auth.RoleLeader),
		"POST /funds/batch/pay":                       only(auth.RoleFinance),
		"GET /funds/expenses/{id}":                    only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"GET /funds/expenses/{id}/voucher":            only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /funds/expenses/{id}/attachments":       only(auth.RoleStaff, auth.RoleFinance),
		"GET /funds/expenses/{id}/attachments/{file}": only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /funds/expenses/{id}/approve":           only(auth.RoleFinance, auth.RoleLeader),
		"POST /funds/expenses/{id}/refuse":            only(auth.RoleFinance, auth.RoleLeader),
		"POST /funds/expenses/{id}/pay":               only(auth.RoleFinance),
		"POST /funds/expenses/{id}/refund":            only(auth.RoleFinance),
		"POST /funds/expenses/{id}/reclassify":        only(auth.RoleFinance),
		// social assistance: staff refer and record answers, finance and the leader read
		"GET /assistance":                   only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"GET /assistance/new":               only(auth.RoleStaff),
		"GET /assistance/referrals.xlsx":    only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /assistance":                  only(auth.RoleStaff),
		"GET /assistance/{id}":              only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /assistance/{id}/answer":      only(auth.RoleStaff),
		"POST /assistance/{id}/files":       only(auth.RoleStaff),
		"GET /assistance/{id}/files/{file}": only(auth.RoleStaff, auth.RoleFinance, auth.RoleLeader),
		"POST /station/duties":              only(auth.RoleStaff),
		"GET /volunteers":                   only(auth.RoleStaff, auth.RoleVolunteer),
		"POST /volunteers":                  only(auth.RoleStaff, auth.RoleVolunteer),
		"GET /v/{token}":                    anyone,
		"POST /v/{token}":                   anyone,
	} {
		matrix[pattern] = a
	}
}

// The monthly statistics report: station staff prepare and submit it,
// the leader reads it; the outcome measures: both read them, the leader
// sets their targets.
func init() {
	for pattern, a := range map[string]access{
		"GET /stats/monthly":           only(auth.RoleStaff, auth.RoleLeader),
		"POST /stats/monthly":          caseStaff,
		"GET /stats/monthly/xlsx":      only(auth.RoleStaff, auth.RoleLeader),
		"GET /stats/monthly/print":     only(auth.RoleStaff, auth.RoleLeader),
		"GET /stats/outcomes":          only(auth.RoleStaff, auth.RoleLeader),
		"POST /stats/outcomes/targets": only(auth.RoleLeader),

		// The canteen: the safety officer (and the canteen's staff, who
		// have that role) write, the leader reads.
		"GET /canteen":                              only(auth.RoleSafety, auth.RoleLeader),
		"POST /canteen":                             only(auth.RoleSafety),
		"GET /canteen/samples/print":                only(auth.RoleSafety, auth.RoleLeader),
		"GET /canteen/purchases/print":              only(auth.RoleSafety, auth.RoleLeader),
		"GET /canteen/records/print":                only(auth.RoleSafety, auth.RoleLeader),
		"POST /api/v1/canteen/temperatures":         apiKey,
		"GET /canteen/checks":                       only(auth.RoleSafety, auth.RoleLeader),
		"POST /canteen/checks":                      only(auth.RoleSafety),
		"GET /canteen/stock":                        only(auth.RoleSafety, auth.RoleLeader),
		"POST /canteen/stock":                       only(auth.RoleSafety),
		"POST /canteen/purchases/{id}/photos":       only(auth.RoleSafety),
		"GET /canteen/purchases/{id}/photos/{file}": only(auth.RoleSafety, auth.RoleLeader),
		// Fire safety: the safety officer writes, the leader reads.
		"GET /fire":                   only(auth.RoleSafety, auth.RoleLeader),
		"POST /fire":                  only(auth.RoleSafety),
		"POST /fire/tests":            only(auth.RoleSafety),
		"GET /fire/tests/{id}/report": only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/equipment/{id}":    only(auth.RoleSafety, auth.RoleLeader),
		"POST /fire/equipment/{id}":   only(auth.RoleSafety),
		"GET /fire/labels":            only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/patrol":            only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/cp/{code}":         only(auth.RoleSafety, auth.RoleLeader),
		"POST /fire/cp/{code}":        only(auth.RoleSafety),
		"GET /fire/print/register":    only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/print/patrols":     only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/print/inspections": only(auth.RoleSafety, auth.RoleLeader),
		"GET /fire/print/hazards":     only(auth.RoleSafety, auth.RoleLeader),
	} {
		matrix[pattern] = a
	}
}

// The public portal and publicity: anyone reads the news and registers
// for events; station staff write, a leader approves; the volunteer
// coordinator (and station staff) handle applications to volunteer.
func init() {
	writers := only(auth.RoleStaff)
	readers := only(auth.RoleStaff, auth.RoleLeader)
	coordinators := only(auth.RoleStaff, auth.RoleVolunteer)
	for pattern, a := range map[string]access{
		"GET /news":                                  anyone,
		"GET /news.atom":                             anyone,
		"GET /news/{slug}":                           anyone,
		"GET /news/images/{file}":                    anyone,
		"GET /sitemap.xml":                           anyone,
		"GET /robots.txt":                            anyone,
		"GET /events/{id}":                           anyone,
		"POST /events/{id}":                          anyone,
		"GET /volunteer":                             anyone,
		"GET /give":                                  anyone,
		"GET /give/thanks":                           anyone,
		"GET /volunteer/join/{token}":                anyone,
		"POST /volunteer/join/{token}":               anyone,
		"POST /volunteer":                            anyone,
		"GET /publicity":                             readers,
		"POST /publicity/articles":                   writers,
		"GET /publicity/articles/{id}":               readers,
		"POST /publicity/articles/{id}":              writers,
		"POST /publicity/articles/{id}/submit":       writers,
		"POST /publicity/articles/{id}/approve":      only(auth.RoleLeader),
		"POST /publicity/articles/{id}/return":       only(auth.RoleLeader),
		"POST /publicity/articles/{id}/withdraw":     readers,
		"POST /publicity/events":                     writers,
		"GET /publicity/events/{id}":                 writers,
		"POST /publicity/events/{id}/checkin":        writers,
		"POST /publicity/log":                        writers,
		"GET /volunteers/applications":               coordinators,
		"POST /volunteers/applications/{id}/accept":  coordinators,
		"POST /volunteers/applications/{id}/decline": coordinators,
		"POST /volunteers/applications/{id}/link":    coordinators,
		"GET /volunteers/thanks":                     coordinators,
		"POST /volunteers/thanks":                    coordinators,
	} {
		matrix[pattern] = a
	}
}

// request turns a route pattern into a concrete request.
func (f *matrixFixture) request(pattern string) (method, path string, form url.Values) {
	method, path, _ = strings.Cut(pattern, " ")
	path = strings.ReplaceAll(path, "{$}", "")
	if pattern == "GET /static/" {
		path = "/static/app.css"
	}
	if strings.HasPrefix(path, "/admin/apikeys/") {
		path = strings.ReplaceAll(path, "{id}", f.keyID)
	}
	if strings.HasPrefix(path, "/incidents/") || strings.HasPrefix(path, "/dispatch/incidents/") {
		path = strings.ReplaceAll(path, "{id}", f.incidentID)
	}
	if strings.HasPrefix(path, "/admin/teams/") {
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{id}", f.teamID), "{shift}", f.shiftID)
	}
	if strings.HasPrefix(path, "/points/") {
		path = strings.ReplaceAll(path, "{id}", f.deskPoint)
	}
	if strings.HasPrefix(path, "/admin/data-requests/") {
		id := f.decideRequest // asked by another administrator: anyone allowed may decide it
		if strings.HasSuffix(path, "/download") {
			id = f.downloadRequest // asked by the admin account and approved
		}
		path = strings.ReplaceAll(path, "{id}", id)
	}
	if strings.HasPrefix(path, "/admin/hotspots/") {
		path = strings.ReplaceAll(path, "{id}", f.hotspotID)
	}
	for prefix, id := range map[string]string{"/people/": f.personID, "/stays/": f.stayID, "/referrals/": f.referralID,
		"/person-merges/": f.mergeID, "/medications/": f.medicationID} {
		if strings.HasPrefix(path, prefix) {
			path = strings.ReplaceAll(path, "{id}", id)
		}
	}
	path = strings.ReplaceAll(strings.ReplaceAll(path, "{rule}", "notice_24h"), "{form}", "registration")
	if strings.HasPrefix(path, "/open311/") {
		path = strings.ReplaceAll(path, "{file}", "services.json")
		if strings.Contains(path, "/requests/") || strings.Contains(path, "/tokens/") {
			path = strings.ReplaceAll(path, "services.json", f.signalRef+".json")
		}
		if strings.HasPrefix(path, "/open311/v2/services/") {
			path = "/open311/v2/services/begging.json"
		}
		if method == "POST" {
			path = "/open311/v2/requests.json"
		}
	}
	if strings.HasPrefix(path, "/notices/") {
		path = strings.ReplaceAll(path, "{ref}", f.noticeRef)
	}
	for prefix, id := range map[string]string{"/family/reports/": f.reportID, "/family/candidates/": f.candidateID, "/admin/points/": f.pointID,
		"/supplies/locations/": f.stockID, "/funds/budgets/": f.budgetID, "/funds/expenses/": f.expenseID, "/assistance/": f.assistanceID} {
		if strings.HasPrefix(path, prefix) {
			path = strings.ReplaceAll(path, "{id}", id)
		}
	}
	if strings.HasPrefix(path, "/campaigns/") && strings.Contains(path, "/report") {
		path = strings.ReplaceAll(path, "{id}", f.campaignID)
	}
	if strings.HasPrefix(path, "/publicity/articles/") {
		path = strings.ReplaceAll(path, "{id}", f.articleID)
	}
	if strings.HasPrefix(path, "/publicity/events/") || strings.HasPrefix(path, "/events/") {
		path = strings.ReplaceAll(path, "{id}", f.eventID)
	}
	if strings.HasPrefix(path, "/volunteers/applications/") {
		path = strings.ReplaceAll(path, "{id}", f.applicationID)
	}
	path = strings.ReplaceAll(path, "{slug}", "no-such-article")
	path = strings.ReplaceAll(path, "{file}", "no-such-image.jpg")
	path = strings.ReplaceAll(path, "{token}", "no-such-link")
	path = strings.ReplaceAll(path, "{ref}", f.signalRef)
	path = strings.ReplaceAll(path, "{code}", "12345")
	path = strings.ReplaceAll(path, "{id}", f.targetID)
	if method == "GET" {
		return method, path, nil
	}
	switch path {
	case "/login":
		form = url.Values{"username": {"signin"}, "password": {"signin password 1"}}
	case "/lang":
		form = url.Values{"lang": {"zh-CN"}, "back": {"/"}}
	case "/account/password":
		form = url.Values{"old_password": {"x"}, "new_password": {"y"}, "confirm_password": {"z"}}
	case "/admin/users":
		f.n++
		form = url.Values{"username": {"matrix" + strings.Repeat("x", f.n)}, "display_name": {"矩阵"}, "role": {"patrol"},
			"department_id": {f.deptID}, "password": {"long enough password"}}
	case "/admin/departments":
		f.n++
		form = url.Values{"name": {"部门" + strings.Repeat("甲", f.n)}, "kind": {"other"}}
	case "/admin/apikeys":
		form = url.Values{"name": {"110"}, "scopes": {"intake.write"}}
	case "/report", "/signals/new":
		form = url.Values{"service_code": {"begging"}, "address": {"新乡火车站"}}
	case "/admin/routing":
		form = url.Values{"name": {"全市"}, "department_id": {f.deptID}}
	case "/admin/routing/sensitive":
		form = url.Values{"sensitive": {"minor_alone"}}
	case "/incidents/" + f.incidentID + "/merge":
		form = url.Values{"into": {"SJ-NOSUCH00"}}
	case "/admin/teams":
		form = url.Values{"name": {"矩阵队"}, "kind": {"civil"}}
	case "/admin/teams/" + f.teamID:
		form = url.Values{"name": {"矩阵队"}, "kind": {"civil"}, "version": {"1"}}
	case "/admin/teams/" + f.teamID + "/status":
		form = url.Values{"status": {"available"}, "version": {"1"}}
	case "/admin/teams/" + f.teamID + "/shifts":
		form = url.Values{"date": {"2026-13-01"}, "from": {"20:00"}, "to": {"08:00"}}
	case "/admin/hotspots":
		form = url.Values{"name": {"矩阵点"}, "kind": {"square"}, "lat": {"35.3"}, "lng": {"113.9"}}
	case "/admin/hotspots/" + f.hotspotID + "/active":
		form = url.Values{"active": {"1"}}
	case "/dispatch/incidents/" + f.incidentID + "/merge":
		form = url.Values{"into": {f.incidentID}}
	case "/dispatch/incidents/" + f.incidentID + "/split":
		form = url.Values{"signal_id": {"no-such-signal"}}
	case "/points/" + f.deskPoint + "/desk":
		form = url.Values{"form": {"log"}, "kind": {"guided"}, "people": {"1"}}
	case "/campaigns":
		form = url.Values{"kind": {"winter"}, "name": {""}}
	case "/publicity/articles", "/publicity/articles/" + f.articleID:
		form = url.Values{"category": {"news"}, "title": {""}, "body": {"正文"}, "version": {"999"}}
	case "/publicity/articles/" + f.articleID + "/withdraw":
		form = url.Values{"version": {"999"}, "reason": {"矩阵"}}
	case "/publicity/events":
		form = url.Values{"title": {""}, "place": {"救助站"}, "capacity": {"10"}}
	case "/publicity/events/" + f.eventID + "/checkin":
		form = url.Values{"ref": {"KF-NOSUCH00"}}
	case "/publicity/log":
		form = url.Values{"kind": {"media"}, "on_date": {"2026-13-01"}}
	case "/events/" + f.eventID, "/volunteer":
		form = url.Values{"name": {""}, "phone": {"1"}}
	case "/volunteers/applications/" + f.applicationID + "/decline":
		form = url.Values{"reason": {""}}
	case "/volunteers/thanks":
		form = url.Values{"kind": {"money"}, "gift_id": {"no-such-donation"}, "thanks": {"anonymous"}}
	case "/volunteer/join/no-such-link":
		form = url.Values{"confirm": {"1"}}
	case "/canteen":
		form = url.Values{"form": {"reading"}, "unit_id": {"no-such-unit"}, "temp_c": {"4"}}
	case "/canteen/checks":
		form = url.Values{"form": {"item"}, "list": {"daily"}, "item_text": {""}}
	case "/canteen/stock":
		form = url.Values{"purchase_id": {"no-such-batch"}, "amount": {"1"}, "issue_kind": {"issue"}}
	case "/admin/partners/12345":
		form = url.Values{"mapping": {`{"fields":{"external_id":"order_no"}}`}}
	default:
		form = url.Values{"display_name": {"目标用户"}, "role": {"staff"}, "department_id": {f.deptID}, "password": {"another long password"}}
	}
	return method, path, form
}

type matrixFixture struct {
	targetID, keyID, deptID, incidentID, signalRef string
	teamID, shiftID, hotspotID                     string
	personID, stayID, referralID, mergeID          string
	medicationID                                   string
	reportID, candidateID, noticeRef, pointID      string
	stockID, deskPoint, campaignID                 string
	budgetID, expenseID                            string
	articleID, eventID, applicationID              string
	assistanceID                                   string
	decideRequest, downloadRequest                 string
	n                                              int
}

func TestRouteRoleMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		for _, p := range h.web.Routes() {
			if _, ok := matrix[p]; !ok {
				t.Errorf("route %q is not in the access matrix: add it", p)
			}
		}
		admin := auth.CLIActor()
		depts, _ := db.ListDepartments(ctx)
		target, err := h.svc.CreateUser(ctx, admin, auth.NewUser{Username: "target", DisplayName: "目标", Role: auth.RoleStaff,
			DepartmentID: depts[0].ID, Password: "target password 1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.CreateUser(ctx, admin, auth.NewUser{Username: "signin", DisplayName: "登录", Role: auth.RolePatrol,
			DepartmentID: depts[0].ID, Password: "signin password 1"}); err != nil {
			t.Fatal(err)
		}
		key, k, err := h.svc.CreateAPIKey(ctx, admin, "12345", []string{"intake.read"}, "")
		if err != nil {
			t.Fatal(err)
		}
		lat, lng := 35.308, 113.862
		res, err := h.intake.Submit(ctx, auth.Actor{IP: "1.2.3.4"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "begging",
			Lat: &lat, Lng: &lng, Phone: "13800001111", Description: "matrix"})
		if err != nil {
			t.Fatal(err)
		}
		f := &matrixFixture{targetID: target.ID, keyID: k.ID, deptID: depts[0].ID, incidentID: res.Incident.ID, signalRef: res.Signal.Ref}
		disp := auth.Actor{UserID: "matrix", Name: "matrix", Role: auth.RoleDispatcher}
		tm, err := h.dispatch.CreateTeam(ctx, disp, dispatch.Team{Name: "矩阵一队", Kind: dispatch.KindCivil})
		if err != nil {
			t.Fatal(err)
		}
		sh, err := h.dispatch.AddShift(ctx, disp, dispatch.Shift{TeamID: tm.ID, StartsAt: time.Now(), EndsAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		hs, err := h.dispatch.CreateHotspot(ctx, disp, dispatch.Hotspot{Name: "矩阵广场", Kind: "square", Lat: 35.3, Lng: 113.9})
		if err != nil {
			t.Fatal(err)
		}
		f.teamID, f.shiftID, f.hotspotID = tm.ID, sh.ID, hs.ID
		staffActor := auth.Actor{UserID: "matrix-staff", Name: "matrix", Role: auth.RoleStaff}
		ad, err := h.cases.Admit(ctx, staffActor, cases.AdmitInput{Source: "walk_in", Form: cases.Form{Reason: "矩阵", Security: "passed"},
			Person: cases.PersonInput{Name: "矩阵甲", AgeMin: 30, AgeMax: 40}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := h.cases.Admit(ctx, staffActor, cases.AdmitInput{Source: "walk_in", Refuse: true, Form: cases.Form{Security: "passed", RefusalGround: "has_means"},
			Person: cases.PersonInput{Name: "矩阵乙"}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := h.cases.Merge(ctx, staffActor, ad.Person.ID, other.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		var hospitalID string
		for _, d := range depts {
			if d.Name == "新乡市第二人民医院" {
				hospitalID = d.ID
			}
		}
		doctor := auth.Actor{UserID: "matrix-doctor", Name: "matrix", Role: auth.RoleMedical}
		ref, err := h.health.Refer(ctx, doctor, ad.Person.ID, ad.Stay.ID, hospitalID, "矩阵", false)
		if err != nil {
			t.Fatal(err)
		}
		med, err := h.health.AddMedication(ctx, doctor, ad.Person.ID, "维生素", "1片", "08:00", "")
		if err != nil {
			t.Fatal(err)
		}
		f.personID, f.stayID, f.referralID, f.mergeID, f.medicationID = ad.Person.ID, ad.Stay.ID, ref.ID, m.ID, med.ID
		notice, err := h.family.Publish(ctx, staffActor, ad.Person.ID, family.NoticeInput{FoundPlace: "矩阵路口"})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := h.family.File(ctx, auth.Actor{}, family.ReportInput{Name: "矩阵甲", LostOn: "2026-01-02", ContactPhone: "13900001111"})
		if err != nil {
			t.Fatal(err)
		}
		h.matched()
		cands, err := db.Candidates(ctx, nil, ad.Person.ID, rep.ID)
		if err != nil || len(cands) == 0 {
			t.Fatalf("no candidate for the matrix: %v", err)
		}
		f.reportID, f.candidateID, f.noticeRef = rep.ID, cands[0].ID, notice.Ref
		pt, err := h.points.Create(ctx, staffActor, points.Input{Name: "矩阵点", Kind: points.KindLottery, Address: "矩阵路", Lat: 35.3, Lng: 113.9,
			Hours: "24h", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		f.pointID, f.deskPoint = pt.ID, h.deskPoint
		loc, err := h.supplies.AddLocation(ctx, staffActor, supplies.Location{Kind: supplies.LocStore, Name: "矩阵仓库"})
		if err != nil {
			t.Fatal(err)
		}
		f.stockID = loc.ID
		camp, err := h.deps.Campaigns.Start(ctx, staffActor, campaigns.Input{Kind: campaigns.Winter, Name: "矩阵行动", EndsOn: time.Now().AddDate(0, 0, 30).Format("2006-01-02")})
		if err != nil {
			t.Fatal(err)
		}
		f.campaignID = camp.ID
		fin := auth.Actor{UserID: "matrix-finance", Name: "matrix", Role: auth.RoleFinance}
		b, err := h.funds.CreateBudget(ctx, fin, funds.BudgetInput{DepartmentID: depts[0].ID, Year: time.Now().In(funds.CST).Year(), ApprovedBy: "矩阵",
			Lines: []funds.LineInput{{Code: funds.LineTravel, AmountFen: 1000_00}}})
		if err != nil {
			t.Fatal(err)
		}
		staffUser, err := db.UserByUsername(ctx, "staff")
		if err != nil {
			t.Fatal(err)
		}
		x, err := h.funds.Request(ctx, auth.ActorFor(staffUser, ""), funds.ExpenseInput{Kind: funds.KindTicket, LineID: b.Lines[0].ID, AmountFen: 50_00, Purpose: "矩阵—郑州",
			PersonID: ad.Person.ID, StayID: ad.Stay.ID})
		if err != nil {
			t.Fatal(err)
		}
		f.budgetID, f.expenseID = b.ID, x.ID
		ar, err := h.deps.Assistance.Refer(ctx, auth.ActorFor(staffUser, ""), assistance.Input{PersonID: ad.Person.ID, Programme: assistance.Tekun,
			Consent: true, Office: "矩阵县民政局", Screening: assistance.Screening{NoWorkCapacity: true}})
		if err != nil {
			t.Fatal(err)
		}
		f.assistanceID = ar.ID
		otherAdmin := auth.Actor{UserID: "matrix-admin", Name: "matrix", Role: auth.RoleAdmin}
		dr, err := h.rights.Request(ctx, otherAdmin, datarights.RequestInput{Kind: datarights.KindExport, Person: ad.Person.Ref, Reason: "矩阵"})
		if err != nil {
			t.Fatal(err)
		}
		adminUser, err := db.UserByUsername(ctx, "admin")
		if err != nil {
			t.Fatal(err)
		}
		mine, err := h.rights.Request(ctx, auth.Actor{UserID: adminUser.ID, Name: "admin", Role: auth.RoleAdmin},
			datarights.RequestInput{Kind: datarights.KindExport, Person: ad.Person.Ref, Reason: "矩阵"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.rights.Decide(ctx, staffActor, mine.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		f.decideRequest, f.downloadRequest = dr.ID, mine.ID
		// An article waiting for approval: submitting, approving and
		// returning it again are refused as conflicts, not as lack of
		// rights; an event with places; an application, decided by the
		// first allowed role (the others then meet a conflict).
		art, err := h.deps.Portal.Save(ctx, staffActor, "", 0, portal.ArticleInput{Category: portal.CatNews, Title: "矩阵", Body: "正文"})
		if err != nil {
			t.Fatal(err)
		}
		if art, err = h.deps.Portal.Submit(ctx, staffActor, art.ID, art.Version); err != nil {
			t.Fatal(err)
		}
		ev, err := h.deps.Portal.AddEvent(ctx, staffActor, portal.EventInput{Title: "矩阵开放日", Place: "救助站", StartsAt: time.Now().Add(24 * time.Hour),
			EndsAt: time.Now().Add(28 * time.Hour), Capacity: 1000})
		if err != nil {
			t.Fatal(err)
		}
		ap, err := h.vols.Apply(ctx, auth.Actor{}, volunteers.ApplicationInput{Name: "矩阵", Phone: "13800002222", Consent: true})
		if err != nil {
			t.Fatal(err)
		}
		f.articleID, f.eventID, f.applicationID = art.ID, ev.ID, ap.ID

		clients := map[string]*client{"anonymous": h.anon()}
		for _, r := range auth.Roles {
			clients[string(r)] = h.login(string(r))
		}
		patterns := h.web.Routes()
		slices.Sort(patterns)
		for _, pattern := range patterns {
			want := matrix[pattern]
			for who, c := range clients {
				method, path, form := f.request(pattern)
				var res *http.Response
				if pattern == "POST /logout" {
					c = clientFor(h, who) // a separate session: logging out must not end c's
				}
				if pattern == "GET /dispatch/events" {
					res = c.stream(path) // a stream never ends: look at its head only
				} else if form != nil {
					res, _ = c.post(path, form)
				} else {
					res, _ = c.do(method, path, nil, false)
				}
				allowed := !denied(res)
				var expect bool
				switch want.kind {
				case kindAnyone:
					expect = true
				case kindSignedIn:
					expect = who != "anonymous"
				case kindRoles:
					expect = slices.Contains(want.roles, auth.Role(who))
				case kindAPIKey:
					expect = false // no key sent: everyone is refused
				}
				if allowed != expect {
					t.Errorf("%s as %s: status %d (Location %q), want allowed=%v", pattern, who, res.StatusCode, res.Header.Get("Location"), expect)
				}
				if res.StatusCode >= 500 {
					t.Errorf("%s as %s: status %d", pattern, who, res.StatusCode)
				}
			}
		}
		// The partner route with a key, then with the key revoked. (The
		// matrix above revoked f.keyID already.)
		key, k, err = h.svc.CreateAPIKey(ctx, admin, "110", []string{"intake.write"}, "")
		if err != nil {
			t.Fatal(err)
		}
		req := func() int {
			r, _ := http.NewRequest("GET", h.srv.URL+"/api/v1/whoami", nil)
			r.Header.Set("Authorization", "Bearer "+key)
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if got := req(); got != 200 {
			t.Errorf("whoami with a valid key: %d", got)
		}
		if err := h.svc.RevokeAPIKey(ctx, admin, k.ID); err != nil {
			t.Fatal(err)
		}
		if got := req(); got != 401 {
			t.Errorf("whoami with a revoked key: %d", got)
		}
	})
}

func clientFor(h *harness, who string) *client {
	if who == "anonymous" {
		return h.anon()
	}
	return h.login(who)
}

// denied reports whether a response refused the request for lack of
// rights: 401, 403, or a redirect to the login page.
func denied(res *http.Response) bool {
	if res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized {
		return true
	}
	return res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login?next=")
}
