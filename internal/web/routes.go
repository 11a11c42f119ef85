package web

import (
	"net/http"

	"github.com/havenrescue/haven/internal/auth"
)

// registerRoutes is Haven's one route table. Access wrappers:
//   - public: anyone;
//   - signedIn: a browser session (anonymous users are sent to /login);
//   - partner: an API key with the given scope.
//
// Request bodies: a browser route takes a form of maxFormBytes without
// files; handleUpload gives a route a multipart form with files up to
// maxUploadBytes, handleBody another limit. API routes take maxAPIBytes.
//
// Which role may do what is decided by the services (auth.RoleCan), not
// here: a signed-in route reaches the service, which answers Forbidden.
func (s *Server) registerRoutes() {
	s.handle("GET /healthz", s.public(s.healthz))
	s.handle("GET /readyz", s.public(s.readyz))
	s.handle("GET /metrics", s.public(s.metricsPage))
	s.handle("GET /static/", s.public(s.serveStatic))
	s.handle("GET /favicon.ico", s.public(s.favicon))

	s.handle("GET /login", s.public(s.loginPage))
	s.handle("POST /login", s.public(s.loginSubmit))
	s.handle("POST /logout", s.signedIn(s.logout))
	s.handle("POST /lang", s.public(s.setLanguage))

	// The site root: the public front page for visitors, the work of the
	// signed-in user's role for staff (home.go).
	s.handle("GET /{$}", s.public(s.root))
	s.handle("GET /account/password", s.signedIn(s.passwordPage))
	s.handle("POST /account/password", s.signedIn(s.passwordSubmit))

	s.handle("GET /admin/users", s.signedIn(s.adminUsers))
	s.handle("GET /admin/users/new", s.signedIn(s.adminUserNew))
	s.handle("POST /admin/users", s.signedIn(s.adminUserCreate))
	s.handle("GET /admin/users/{id}", s.signedIn(s.adminUserView))
	s.handle("POST /admin/users/{id}", s.signedIn(s.adminUserUpdate))
	s.handle("POST /admin/users/{id}/disable", s.signedIn(s.adminUserDisable))
	s.handle("POST /admin/users/{id}/enable", s.signedIn(s.adminUserEnable))
	s.handle("POST /admin/users/{id}/password", s.signedIn(s.adminUserPassword))
	s.handle("GET /admin/departments", s.signedIn(s.adminDepartments))
	s.handle("POST /admin/departments", s.signedIn(s.adminDepartmentCreate))
	s.handle("GET /admin/apikeys", s.signedIn(s.adminAPIKeys))
	s.handle("POST /admin/apikeys", s.signedIn(s.adminAPIKeyCreate))
	s.handle("POST /admin/apikeys/{id}/revoke", s.signedIn(s.adminAPIKeyRevoke))
	s.handle("GET /admin/audit", s.signedIn(s.adminAudit))
	s.handle("GET /admin/data-requests", s.signedIn(s.dataRequests))
	s.handle("POST /admin/data-requests", s.signedIn(s.dataRequestCreate))
	s.handle("POST /admin/data-requests/{id}/approve", s.signedIn(s.dataRequestDecide(true)))
	s.handle("POST /admin/data-requests/{id}/refuse", s.signedIn(s.dataRequestDecide(false)))
	s.handle("GET /admin/data-requests/{id}/download", s.signedIn(s.dataRequestDownload))

	s.handle("GET /api/v1/whoami", s.partner("", s.apiWhoami))

	// Help signals in (DESIGN.md §3.1).
	s.handle("GET /report", s.public(s.reportPage))
	s.handleUpload("POST /report", s.limited(s.reportLimit, s.public(s.reportSubmit)))
	s.handle("GET /status", s.limited(s.statusLimit, s.public(s.statusPage)))
	s.handle("GET /open311/v2/{file}", s.open311Access(s.open311.Root))
	s.handleUpload("POST /open311/v2/{file}", s.open311Access(s.open311.Post))
	s.handle("GET /open311/v2/services/{file}", s.open311Access(s.open311.Definition))
	s.handle("GET /open311/v2/requests/{file}", s.open311Access(s.open311.Request))
	s.handle("GET /open311/v2/tokens/{file}", s.open311Access(s.open311.Token))
	s.handle("POST /api/v1/partners/{code}/workorders", s.partner("intake.write", s.apiWorkOrderCreate))
	s.handle("GET /api/v1/partners/{code}/workorders/{id}", s.partner("intake.read", s.apiWorkOrderStatus))
	s.handle("GET /signals/new", s.signedIn(s.signalNewPage))
	s.handleUpload("POST /signals/new", s.signedIn(s.signalNewSubmit))
	s.handle("GET /signals/{ref}/photo", s.signedIn(s.signalPhoto))
	s.handle("POST /signals/{ref}/contact", s.signedIn(s.signalContact))

	// Incidents: the dispatcher's work (the live board comes with dispatch).
	s.handle("GET /incidents", s.signedIn(s.incidentsPage))
	s.handle("GET /incidents/{id}", s.signedIn(s.incidentPage))
	s.handle("POST /incidents/{id}", s.signedIn(s.incidentUpdate))
	s.handle("POST /incidents/{id}/merge", s.signedIn(s.incidentMerge))
	s.handle("POST /incidents/{id}/split", s.signedIn(s.incidentSplit))
	s.handle("POST /incidents/{id}/place", s.signedIn(s.incidentPlace))
	s.handle("POST /incident-ops/{id}/undo", s.signedIn(s.incidentUndo))

	// Dispatch and street outreach (DESIGN.md §3.2).
	s.handle("GET /dispatch", s.signedIn(s.dispatchPage))
	s.handle("GET /dispatch/board.json", s.signedIn(s.dispatchBoardJSON))
	s.handle("GET /dispatch/events", s.signedIn(s.dispatchEvents))
	s.handle("GET /dispatch/incidents/{id}/suggest", s.signedIn(s.dispatchSuggest))
	s.handle("GET /dispatch/incidents/{id}/teams", s.signedIn(s.dispatchTeams))
	s.handle("POST /dispatch/incidents/{id}/assign", s.signedIn(s.dispatchAssign))
	s.handle("POST /dispatch/incidents/{id}/place", s.signedIn(s.dispatchPlace))
	s.handle("GET /dispatch/places.json", s.signedIn(s.dispatchPlaces))
	s.handle("POST /dispatch/incidents/{id}/escalate", s.signedIn(s.dispatchEscalate))
	s.handle("POST /dispatch/incidents/{id}/notes", s.signedIn(s.dispatchNote))
	s.handle("GET /dispatch/incidents/{id}/signals", s.signedIn(s.dispatchSignals))
	s.handle("POST /dispatch/incidents/{id}/merge", s.signedIn(s.dispatchMerge))
	s.handle("POST /dispatch/incidents/{id}/split", s.signedIn(s.dispatchSplit))
	s.handle("POST /dispatch/ops/{id}/undo", s.signedIn(s.dispatchUndo))
	s.handle("GET /dispatch/plan", s.signedIn(s.planPage))
	s.handle("POST /dispatch/plan/forecast", s.signedIn(s.planForecast))
	s.handle("POST /api/v1/weather/forecasts", s.partner(auth.ScopeWeatherWrite, s.apiWeatherForecast))
	s.handle("GET /patrol/{$}", s.signedIn(s.patrolApp))
	s.handle("GET /patrol/state.json", s.signedIn(s.patrolState))
	s.handleBody("POST /patrol/sync", maxSyncBytes, s.signedIn(s.patrolSync))
	s.handle("GET /patrol/sw.js", s.signedIn(s.patrolWorker))

	// Station case management and health (DESIGN.md §3.4, §3.5).
	s.handle("GET /station", s.signedIn(s.stationPage))
	s.handle("GET /people", s.signedIn(s.peoplePage))
	s.handle("GET /people/new", s.signedIn(s.personNewPage))
	s.handleUpload("POST /people", s.signedIn(s.personCreate))
	s.handle("GET /people/{id}", s.signedIn(s.personPage))
	s.handle("POST /people/{id}", s.signedIn(s.personUpdate))
	s.handle("POST /people/{id}/contacts", s.signedIn(s.personContact))
	s.handle("POST /people/{id}/merge", s.signedIn(s.personMerge))
	s.handle("POST /people/{id}/distinct", s.signedIn(s.personDistinct))
	s.handle("POST /person-merges/{id}/undo", s.signedIn(s.personMergeUndo))
	s.handle("POST /people/{id}/health", s.signedIn(s.personCheck))
	s.handle("POST /people/{id}/medications", s.signedIn(s.personMedication))
	s.handle("POST /medications/{id}/end", s.signedIn(s.medicationEnd))
	s.handle("POST /people/{id}/referrals", s.signedIn(s.personReferral))
	s.handleUpload("POST /stays/{id}/belongings", s.signedIn(s.stayBelonging))
	s.handle("POST /stays/{id}/notes", s.signedIn(s.stayNote))
	s.handle("POST /stays/{id}/bed", s.signedIn(s.stayBed))
	s.handle("POST /stays/{id}/tasks/{rule}", s.signedIn(s.stayTask))
	s.handle("GET /stays/{id}/photo", s.signedIn(s.stayPhoto))
	s.handle("GET /stays/{id}/exit", s.signedIn(s.exitPage))
	s.handle("POST /stays/{id}/exit", s.signedIn(s.exitSubmit))
	s.handle("GET /stays/{id}/forms/{form}", s.signedIn(s.stayForm))
	s.handle("GET /referrals", s.signedIn(s.referralsPage))
	s.handle("GET /referrals/{id}", s.signedIn(s.referralPage))
	s.handle("POST /referrals/{id}/advance", s.signedIn(s.referralAdvance))
	s.handle("POST /referrals/{id}/notes", s.signedIn(s.referralNote))

	// Family search (DESIGN.md §3.6).
	s.handle("GET /family/report", s.public(s.familyReportPage))
	s.handleUpload("POST /family/report", s.limited(s.reportLimit, s.public(s.familyReportSubmit)))
	s.handle("GET /family/progress", s.limited(s.statusLimit, s.public(s.familyProgress)))
	s.handle("GET /notices", s.limited(s.statusLimit, s.public(s.noticesPage)))
	s.handle("GET /notices/print", s.limited(s.statusLimit, s.public(s.noticesPrint)))
	s.handle("GET /notices.atom", s.limited(s.statusLimit, s.public(s.noticesFeed)))
	s.handle("GET /notices/{ref}", s.limited(s.statusLimit, s.public(s.noticePage)))
	s.handle("GET /notices/{ref}/photo", s.limited(s.statusLimit, s.public(s.noticePhoto)))
	s.handle("POST /api/v1/missing-reports", s.partner("family.write", s.apiMissingReports))
	s.handle("GET /api/v1/pfif", s.partner("family.read", s.apiPFIF))
	s.handle("GET /family", s.signedIn(s.familyPage))
	s.handle("GET /family/reports/new", s.signedIn(s.familyReportNewPage))
	s.handleUpload("POST /family/reports", s.signedIn(s.familyReportCreate))
	s.handle("GET /family/reports/{id}", s.signedIn(s.familyReportView))
	s.handle("POST /family/reports/{id}/withdraw", s.signedIn(s.familyReportWithdraw))
	s.handle("GET /family/review", s.signedIn(s.familyReview))
	s.handle("POST /family/refresh", s.signedIn(s.familyRefresh))
	s.handle("GET /family/candidates/{id}", s.signedIn(s.familyCandidate))
	s.handle("POST /family/candidates/{id}", s.signedIn(s.familyDecide))
	s.handle("GET /family/pfif", s.signedIn(s.familyPFIF))
	s.handleUpload("POST /family/pfif", s.signedIn(s.familyImport))
	s.handle("POST /people/{id}/notice", s.signedIn(s.personNotice))
	s.handle("POST /people/{id}/consent", s.signedIn(s.personConsent))

	// Rescue points (DESIGN.md §3.3).
	s.handle("GET /help-points", s.limited(s.statusLimit, s.public(s.helpPoints)))
	s.handle("GET /api/v1/help-points", s.limited(s.statusLimit, s.public(s.apiHelpPoints)))
	s.handle("GET /admin/points", s.signedIn(s.adminPoints))
	s.handle("POST /admin/points", s.signedIn(s.adminPointCreate))
	s.handle("GET /admin/points/{id}", s.signedIn(s.adminPoint))
	s.handle("POST /admin/points/{id}", s.signedIn(s.adminPointUpdate))
	s.handle("GET /point", s.signedIn(s.pointHome))
	s.handle("GET /points/{id}/desk", s.signedIn(s.pointDesk))
	s.handle("POST /points/{id}/desk", s.signedIn(s.pointDeskPost))
	s.handle("GET /campaigns", s.signedIn(s.campaignsPage))
	s.handle("POST /campaigns", s.signedIn(s.campaignStart))
	s.handle("POST /campaigns/{id}/end", s.signedIn(s.campaignEnd))

	// The monthly statistics report and the outcome measures (DESIGN.md §3.11).
	s.handle("GET /stats/monthly", s.signedIn(s.monthlyPage))
	s.handle("POST /stats/monthly", s.signedIn(s.monthlySubmit))
	s.handle("GET /stats/monthly/xlsx", s.signedIn(s.monthlyXLSX))
	s.handle("GET /stats/monthly/print", s.signedIn(s.monthlyPrint))
	s.handle("GET /stats/outcomes", s.signedIn(s.outcomesPage))
	s.handle("POST /stats/outcomes/targets", s.signedIn(s.outcomeTargetSet))
	// Statistics (DESIGN.md §3.11): campaign reports, and the same
	// figures for other systems.
	s.handle("GET /stats", s.signedIn(s.statsPage))
	s.handle("GET /stats/heat", s.signedIn(s.statsHeat))
	s.handle("GET /campaigns/{id}/report", s.signedIn(s.campaignReport))
	s.handle("GET /campaigns/{id}/report.xlsx", s.signedIn(s.campaignReportXLSX))
	s.handle("GET /campaigns/{id}/report/print", s.signedIn(s.campaignReportPrint))
	s.handle("GET /api/v1/statistics/indicators", s.partner(auth.ScopeStatisticsRead, s.apiStatsIndicators))
	s.handle("GET /api/v1/statistics/figures", s.partner(auth.ScopeStatisticsRead, s.apiStatsFigures))
	s.handle("GET /api/v1/statistics/campaigns/{id}", s.partner(auth.ScopeStatisticsRead, s.apiStatsCampaign))
	s.handle("GET /api/v1/statistics/monthly", s.partner(auth.ScopeStatisticsRead, s.apiStatsMonthly))
	s.handle("GET /api/v1/statistics/outcomes", s.partner(auth.ScopeStatisticsRead, s.apiStatsOutcomes))

	s.handle("GET /supplies", s.signedIn(s.suppliesPage))
	s.handle("POST /supplies/movements", s.signedIn(s.supplyMovement))
	s.handle("POST /supplies/items", s.signedIn(s.supplyItemCreate))
	s.handle("POST /supplies/locations", s.signedIn(s.supplyLocationCreate))
	s.handle("GET /supplies/locations/{id}", s.signedIn(s.supplyLocation))
	s.handle("POST /supplies/locations/{id}/count", s.signedIn(s.supplyCount))
	s.handle("POST /supplies/locations/{id}/threshold", s.signedIn(s.supplyThreshold))
	s.handle("POST /supplies/unbooked/{id}", s.signedIn(s.supplyUnbookedSettle))

	// Funds (DESIGN.md §3.9).
	s.handle("GET /funds", s.signedIn(s.fundsPage))
	s.handle("POST /funds/budgets", s.signedIn(s.fundsBudgetCreate))
	s.handle("GET /funds/budgets/{id}", s.signedIn(s.fundsBudget))
	s.handle("POST /funds/budgets/{id}/adjust", s.signedIn(s.fundsAdjust))
	s.handle("GET /funds/budgets/{id}/report", s.signedIn(s.fundsReport))
	s.handle("GET /funds/budgets/{id}/report.xlsx", s.signedIn(s.fundsReportXLSX))
	s.handle("POST /funds/expenses", s.signedIn(s.fundsExpenseCreate))
	s.handle("POST /funds/batch/approve", s.signedIn(s.fundsBatch("approved")))
	s.handle("POST /funds/batch/pay", s.signedIn(s.fundsBatch("paid")))
	s.handle("GET /funds/expenses/{id}", s.signedIn(s.fundsExpense))
	s.handle("GET /funds/expenses/{id}/voucher", s.signedIn(s.fundsVoucher))
	s.handleUpload("POST /funds/expenses/{id}/attachments", s.signedIn(s.fundsAttach))
	s.handle("GET /funds/expenses/{id}/attachments/{file}", s.signedIn(s.fundsAttachment))
	s.handle("POST /funds/expenses/{id}/approve", s.signedIn(s.fundsExpenseStep("approved")))
	s.handle("POST /funds/expenses/{id}/refuse", s.signedIn(s.fundsExpenseStep("refused")))
	s.handle("POST /funds/expenses/{id}/pay", s.signedIn(s.fundsExpenseStep("paid")))
	s.handle("POST /funds/expenses/{id}/refund", s.signedIn(s.fundsExpenseStep("refunded")))
	s.handle("POST /funds/expenses/{id}/reclassify", s.signedIn(s.fundsExpenseStep("reclassified")))
	// Social assistance (社会救助衔接) and the linked duties of the 2015 rules.
	s.handle("GET /assistance", s.signedIn(s.assistancePage))
	s.handle("GET /assistance/new", s.signedIn(s.assistanceNew))
	s.handle("GET /assistance/referrals.xlsx", s.signedIn(s.assistanceXLSX))
	s.handle("POST /assistance", s.signedIn(s.assistanceCreate))
	s.handle("GET /assistance/{id}", s.signedIn(s.assistanceReferral))
	s.handle("POST /assistance/{id}/answer", s.signedIn(s.assistanceAnswer))
	s.handleUpload("POST /assistance/{id}/files", s.signedIn(s.assistanceAttach))
	s.handle("GET /assistance/{id}/files/{file}", s.signedIn(s.assistanceFile))
	s.handle("POST /station/duties", s.signedIn(s.stationDutyDone))

	s.handle("GET /volunteers", s.signedIn(s.volunteersPage))
	s.handle("POST /volunteers", s.signedIn(s.volunteersPost))
	s.handle("GET /v/{token}", s.limited(s.statusLimit, s.public(s.volunteerSelfPage)))
	s.handle("POST /v/{token}", s.limited(s.reportLimit, s.public(s.volunteerSelfPost)))

	// Canteen food safety (DESIGN.md §3.7).
	s.handle("GET /canteen", s.signedIn(s.canteenPage))
	s.handle("POST /canteen", s.signedIn(s.canteenPost))
	s.handle("GET /canteen/samples/print", s.signedIn(s.canteenPrint("canteen_samples_print")))
	s.handle("GET /canteen/purchases/print", s.signedIn(s.canteenPrint("canteen_purchases_print")))
	s.handle("GET /canteen/records/print", s.signedIn(s.canteenRecordsPrint))
	s.handle("GET /canteen/checks", s.signedIn(s.canteenChecks))
	s.handle("POST /canteen/checks", s.signedIn(s.canteenChecksPost))
	s.handle("GET /canteen/stock", s.signedIn(s.canteenStock))
	s.handle("POST /canteen/stock", s.signedIn(s.canteenStockPost))
	s.handleUpload("POST /canteen/purchases/{id}/photos", s.signedIn(s.canteenPurchasePhoto))
	s.handle("GET /canteen/purchases/{id}/photos/{file}", s.signedIn(s.canteenPurchasePhotoFile))
	s.handle("POST /api/v1/canteen/temperatures", s.partner(auth.ScopeCanteenSensor, s.apiCanteenReading))

	// Fire safety (DESIGN.md §3.8): the register and its QR labels, patrols
	// by checkpoint on a phone, inspections, hazards, people, A4 prints.
	s.handle("GET /fire", s.signedIn(s.firePage))
	s.handle("POST /fire", s.signedIn(s.firePost))
	s.handleUpload("POST /fire/tests", s.signedIn(s.fireTest))
	s.handle("GET /fire/tests/{id}/report", s.signedIn(s.fireTestReport))
	s.handle("GET /fire/equipment/{id}", s.signedIn(s.fireItem))
	s.handle("POST /fire/equipment/{id}", s.signedIn(s.fireItemPost))
	s.handle("GET /fire/labels", s.signedIn(s.fireLabels))
	s.handle("GET /fire/patrol", s.signedIn(s.firePatrol))
	s.handle("GET /fire/cp/{code}", s.signedIn(s.fireCheckpoint))
	s.handleUpload("POST /fire/cp/{code}", s.signedIn(s.fireScan))
	s.handle("GET /fire/print/register", s.signedIn(s.fireRegisterPrint))
	s.handle("GET /fire/print/patrols", s.signedIn(s.firePatrolsPrint))
	s.handle("GET /fire/print/inspections", s.signedIn(s.fireInspectionsPrint))
	s.handle("GET /fire/print/hazards", s.signedIn(s.fireHazardsPrint))

	s.handle("GET /admin/teams", s.signedIn(s.adminTeams))
	s.handle("POST /admin/teams", s.signedIn(s.adminTeamCreate))
	s.handle("GET /admin/teams/{id}", s.signedIn(s.adminTeam))
	s.handle("POST /admin/teams/{id}", s.signedIn(s.adminTeamUpdate))
	s.handle("POST /admin/teams/{id}/status", s.signedIn(s.adminTeamStatus))
	s.handle("POST /admin/teams/{id}/shifts", s.signedIn(s.adminShiftAdd))
	s.handle("POST /admin/teams/{id}/shifts/{shift}/delete", s.signedIn(s.adminShiftDelete))
	s.handle("GET /admin/hotspots", s.signedIn(s.adminHotspots))
	s.handle("POST /admin/hotspots", s.signedIn(s.adminHotspotCreate))
	s.handle("POST /admin/hotspots/{id}/active", s.signedIn(s.adminHotspotActive))

	s.handle("GET /admin/partners", s.signedIn(s.adminPartners))
	s.handle("POST /admin/partners/{code}", s.signedIn(s.adminPartnerUpdate))
	s.handle("GET /admin/deliveries", s.signedIn(s.adminDeliveries))
	s.handle("POST /admin/deliveries/{id}/resend", s.signedIn(s.adminDeliveryResend))
	s.handle("GET /admin/routing", s.signedIn(s.adminRouting))
	s.handle("POST /admin/routing", s.signedIn(s.adminRoutingCreate))
	s.handle("POST /admin/routing/sensitive", s.signedIn(s.adminRoutingSensitive))

	// The public portal and publicity (DESIGN.md §3.12).
	s.handle("GET /news", s.limited(s.statusLimit, s.public(s.newsPage)))
	s.handle("GET /news.atom", s.limited(s.statusLimit, s.public(s.newsFeed)))
	s.handle("GET /news/{slug}", s.limited(s.statusLimit, s.public(s.articlePage)))
	s.handle("GET /news/images/{file}", s.limited(s.statusLimit, s.public(s.newsImage)))
	s.handle("GET /sitemap.xml", s.limited(s.statusLimit, s.public(s.sitemapXML)))
	s.handle("GET /robots.txt", s.public(s.robotsTXT))
	s.handle("GET /events/{id}", s.limited(s.statusLimit, s.public(s.eventPage)))
	s.handle("POST /events/{id}", s.limited(s.reportLimit, s.public(s.eventRegister)))
	s.handle("GET /give", s.limited(s.statusLimit, s.public(s.givePage)))
	s.handle("GET /give/thanks", s.limited(s.statusLimit, s.public(s.giveThanksPage)))
	s.handle("GET /volunteer", s.limited(s.statusLimit, s.public(s.volunteerApplyPage)))
	s.handle("POST /volunteer", s.limited(s.reportLimit, s.public(s.volunteerApplySubmit)))
	s.handle("GET /volunteer/join/{token}", s.limited(s.statusLimit, s.public(s.joinPage)))
	s.handle("POST /volunteer/join/{token}", s.limited(s.reportLimit, s.public(s.joinSubmit)))
	s.handle("GET /publicity", s.signedIn(s.publicityPage))
	s.handleUpload("POST /publicity/articles", s.signedIn(s.articleCreate))
	s.handle("GET /publicity/articles/{id}", s.signedIn(s.articleStaffPage))
	s.handleUpload("POST /publicity/articles/{id}", s.signedIn(s.articleUpdate))
	s.handle("POST /publicity/articles/{id}/submit", s.signedIn(s.articleStep("submitted")))
	s.handle("POST /publicity/articles/{id}/approve", s.signedIn(s.articleStep("approved")))
	s.handle("POST /publicity/articles/{id}/return", s.signedIn(s.articleStep("returned")))
	s.handle("POST /publicity/articles/{id}/withdraw", s.signedIn(s.articleStep("withdrawn")))
	s.handle("POST /publicity/events", s.signedIn(s.eventCreate))
	s.handle("GET /publicity/events/{id}", s.signedIn(s.eventStaffPage))
	s.handle("POST /publicity/events/{id}/checkin", s.signedIn(s.eventCheckIn))
	s.handle("POST /publicity/log", s.signedIn(s.publicityLogCreate))
	s.handle("GET /volunteers/applications", s.signedIn(s.applicationsPage))
	s.handle("POST /volunteers/applications/{id}/accept", s.signedIn(s.applicationDecide(true)))
	s.handle("POST /volunteers/applications/{id}/decline", s.signedIn(s.applicationDecide(false)))
	s.handle("POST /volunteers/applications/{id}/link", s.signedIn(s.applicationLink))
	s.handle("GET /volunteers/thanks", s.signedIn(s.thanksStaffPage))
	s.handle("POST /volunteers/thanks", s.signedIn(s.thanksSet))

	s.mux.Handle("/", s.public(s.notFound))
}

func (s *Server) handle(pattern string, h http.Handler) {
	s.routes = append(s.routes, pattern)
	s.mux.Handle(pattern, h)
}

// handleUpload registers a route whose form carries a photo or a file.
func (s *Server) handleUpload(pattern string, h http.Handler) {
	s.bodies[pattern] = bodyRule{limit: maxUploadBytes, files: true}
	s.handle(pattern, h)
}

// handleBody registers a route that takes a body of up to limit bytes
// (without files).
func (s *Server) handleBody(pattern string, limit int64, h http.Handler) {
	s.bodies[pattern] = bodyRule{limit: limit}
	s.handle(pattern, h)
}
