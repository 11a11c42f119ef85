package auth

import "slices"

// Role is what a user does in Haven (DESIGN.md §1).
type Role string

const (
	RoleAdmin      Role = "admin"      // 系统管理员
	RoleDispatcher Role = "dispatcher" // 调度员
	RolePatrol     Role = "patrol"     // 巡查队员
	RoleStaff      Role = "staff"      // 救助站工作人员
	RoleMedical    Role = "medical"    // 医护人员
	RoleSafety     Role = "safety"     // 食堂/消防安全员
	RoleFinance    Role = "finance"    // 财务人员
	RoleVolunteer  Role = "volunteer"  // 志愿者协调员
	RoleLeader     Role = "leader"     // 局领导
	RoleHospital   Role = "hospital"   // 合作医院 (green-channel referrals to its own department only)
	RoleLiaison    Role = "liaison"    // 救助点联络员 (bound to one rescue point: its desk only)
	RolePartner    Role = "partner"    // 合作系统 (API key only, never a login)
)

// Roles lists the roles a user account may have, in display order.
var Roles = []Role{RoleAdmin, RoleDispatcher, RolePatrol, RoleStaff, RoleMedical, RoleSafety, RoleFinance, RoleVolunteer, RoleLeader, RoleHospital, RoleLiaison}

// ValidUserRole reports whether r may be given to a user account.
func ValidUserRole(r Role) bool { return slices.Contains(Roles, r) }

// Permission names one thing an actor may do. Each capability declares its
// permissions here and checks them in its service, so this file is the one
// place that says who may do what.
type Permission string

const (
	PermHome          Permission = "home.view"          // the signed-in home page
	PermUsersManage   Permission = "users.manage"       // create, edit, disable users
	PermUsersView     Permission = "users.view"         // user list and details (personal data: audited)
	PermDeptManage    Permission = "departments.manage" // departments
	PermAPIKeysManage Permission = "apikeys.manage"     // partner API keys
	PermAuditRead     Permission = "audit.read"         // browse the audit log
	PermKeysRotate    Permission = "secrets.rotate"     // rotate field-encryption keys
	PermPartnerAPI    Permission = "partner.api"        // machine access with an API key

	PermSignalsEnter    Permission = "signals.enter"    // hotline operator's entry form
	PermSignalsPatrol   Permission = "signals.patrol"   // patrol member's "report what I see"
	PermIncidentsView   Permission = "incidents.view"   // incident list and detail (no personal data)
	PermIncidentsManage Permission = "incidents.manage" // state, outcome, merge, split, undo
	PermSignalsPersonal Permission = "signals.personal" // callback phone and photo of a signal (audited)
	PermPartnersManage  Permission = "partners.manage"  // partner webhooks, mappings, dead letters
	PermRoutingManage   Permission = "routing.manage"   // routing catalogue (派单目录)

	PermDispatchBoard      Permission = "dispatch.board"      // the live dispatch board (no personal data)
	PermDispatchAssign     Permission = "dispatch.assign"     // assign, re-assign, escalate, add notes
	PermTeamsManage        Permission = "teams.manage"        // teams, rosters, hotspots
	PermPatrolWork         Permission = "patrol.work"         // the patrol app: patrols, tracks, encounters
	PermEncountersPersonal Permission = "encounters.personal" // names given in encounters (audited)
	PermPlanView           Permission = "plan.view"           // tonight's patrol plan: hotspots by exposure risk (counts, no names)
	PermWeatherEnter       Permission = "weather.enter"       // enter a night's forecast and 气象 warning

	PermCasesView         Permission = "cases.view"         // people in care, stays, deadlines (ID numbers masked; every view audited)
	PermCasesPersonal     Permission = "cases.personal"     // ID numbers and relatives' phones in full (audited)
	PermCasesManage       Permission = "cases.manage"       // admission, belongings, care notes, exits, identity merges
	PermHealthView        Permission = "health.view"        // health records, checks, medications, referrals
	PermHealthManage      Permission = "health.manage"      // record checks and medications, refer to hospitals
	PermReferralsHospital Permission = "referrals.hospital" // a partner hospital's own referrals only

	PermFamilyView   Permission = "family.view"   // missing-person reports and match candidates (family phones masked; audited)
	PermFamilyManage Permission = "family.manage" // enter reports, review candidates, publish notices, consent, PFIF

	PermPointsManage Permission = "points.manage" // rescue points: hours, seasons, activation, liaison; every point's desk
	PermPointDesk    Permission = "points.desk"   // the desk of the actor's own point: log people guided, hand out, pass a lead

	PermCampaignsManage Permission = "campaigns.manage" // start and end campaigns (寒冬送温暖, 夏季送清凉, 6·19)
	PermCampaignsView   Permission = "campaigns.view"   // the list of campaigns, to staff them with volunteers

	PermSuppliesManage  Permission = "supplies.manage"  // catalogue, locations, receipts, donations, transfers, write-offs, counts
	PermSuppliesHandout Permission = "supplies.handout" // hand out supplies to a person (patrol vehicles, points)

	PermStatsView Permission = "stats.view" // statistics: counts and campaign reports, never names (records behind a number need the record's own permission)

	PermVolunteersManage Permission = "volunteers.manage" // partners, volunteers (ID numbers masked), shifts, attendance, money donations

	// Funds: staff request, finance keeps the budgets, pays and approves
	// up to the threshold, the leader approves above it and reads all.
	// Nobody approves their own request or pays one they asked for or
	// approved (funds.Service).
	PermFundsRequest      Permission = "funds.request"       // request spending (a voucher at exit is one), see one's own requests
	PermFundsManage       Permission = "funds.manage"        // budgets, adjustments, payments, refunds, ledger, reports
	PermFundsApprove      Permission = "funds.approve"       // approve or refuse requests up to the threshold
	PermFundsApproveLarge Permission = "funds.approve_large" // approve or refuse requests above the threshold
	PermFundsView         Permission = "funds.view"          // budgets, ledger, reports and payments to people (audited)
	// Social assistance (社会救助衔接): staff screen and refer people and
	// record the offices' answers; finance and the leader read referrals
	// (every read of a person's referrals audited).
	PermAssistanceRefer Permission = "assistance.refer" // screen, refer, attach evidence, record answers
	PermAssistanceView  Permission = "assistance.view"  // read referrals and their evidence (audited)
	PermCanteenView     Permission = "canteen.view"     // the canteen's food-safety records, duties and alerts (read)
	PermCanteenManage   Permission = "canteen.manage"   // record meals, samples, purchases, temperatures, checks, disinfection
	PermFireView        Permission = "fire.view"        // the fire-safety register, patrols, inspections, hazards, training and rosters (read)
	PermFireManage      Permission = "fire.manage"      // keep the register, patrol, inspect, plan and recheck hazards, training, drills, rosters

	// Data rights (PIPL): a lawful request to export or erase one person's
	// data is made by an administrator and approved by a second person who
	// knows the case (another administrator, or station staff); nobody
	// approves their own request. Only the requester downloads an export.
	PermDataRequest Permission = "data.request" // request an export or erasure, download an approved export
	PermDataApprove Permission = "data.approve" // approve or refuse someone else's request

	// The monthly statistics report (救助管理统计月报): station staff
	// prepare and submit it, the leader reads it. Outcome measures: staff
	// and the leader read them, the leader sets their targets.
	PermMonthlySubmit  Permission = "stats.monthly_submit"  // prepare and submit (or correct) the monthly report
	PermMonthlyView    Permission = "stats.monthly_view"    // read the monthly report and its submitted versions
	PermOutcomesView   Permission = "stats.outcomes_view"   // the outcome measures (counts only, no names)
	PermOutcomesTarget Permission = "stats.outcomes_target" // set an outcome measure's target (audited)

	// Publicity (宣传, DESIGN.md §3.12): station staff write articles,
	// run events and keep the publicity log; a leader approves articles
	// before they are public.
	PermPublicityWrite   Permission = "publicity.write"   // write articles, plan events and check visitors in, keep the publicity log
	PermPublicityApprove Permission = "publicity.approve" // approve, return or withdraw articles; read the publicity log
)

// rolePermissions is the permission matrix. Keep it small and explicit.
var rolePermissions = map[Role][]Permission{
	RoleAdmin: {PermHome, PermUsersManage, PermUsersView, PermDeptManage, PermAPIKeysManage, PermAuditRead, PermKeysRotate,
		PermIncidentsView, PermPartnersManage, PermRoutingManage, PermTeamsManage, PermPointsManage, PermDataRequest, PermDataApprove, PermStatsView},
	RoleDispatcher: {PermHome, PermSignalsEnter, PermSignalsPatrol, PermIncidentsView, PermIncidentsManage, PermSignalsPersonal, PermRoutingManage,
		PermDispatchBoard, PermDispatchAssign, PermTeamsManage, PermPatrolWork, PermEncountersPersonal, PermPlanView, PermWeatherEnter, PermStatsView},
	RolePatrol: {PermHome, PermSignalsPatrol, PermIncidentsView, PermPatrolWork, PermSuppliesHandout, PermPlanView},
	RoleStaff: {PermHome, PermSignalsEnter, PermIncidentsView, PermEncountersPersonal,
		PermCasesView, PermCasesPersonal, PermCasesManage, PermFamilyView, PermFamilyManage, PermPointsManage,
		PermSuppliesManage, PermSuppliesHandout, PermVolunteersManage, PermCampaignsManage, PermDataApprove, PermPlanView, PermWeatherEnter,
		PermMonthlySubmit, PermMonthlyView, PermOutcomesView, PermStatsView, PermFundsRequest, PermAssistanceRefer, PermPublicityWrite},
	RoleMedical:   {PermHome, PermCasesView, PermHealthView, PermHealthManage},
	RoleSafety:    {PermHome, PermCanteenView, PermCanteenManage, PermFireView, PermFireManage}, // the safety officer and the canteen's staff
	RoleFinance:   {PermHome, PermFundsManage, PermFundsApprove, PermFundsView, PermAssistanceView},
	RoleVolunteer: {PermHome, PermVolunteersManage, PermCampaignsView}, // an outside team: never the people in care, their belongings or cash
	RoleLeader: {PermHome, PermIncidentsView, PermDispatchBoard, PermCasesView, PermFamilyView, PermCampaignsView, PermMonthlyView, PermOutcomesView, PermOutcomesTarget, PermPlanView, PermStatsView,
		PermFundsApprove, PermFundsApproveLarge, PermFundsView, PermCanteenView, PermFireView, PermAssistanceView, PermPublicityApprove},
	RoleHospital: {PermHome, PermReferralsHospital},
	RoleLiaison:  {PermHome, PermPointDesk, PermSuppliesHandout},
	RolePartner:  {PermPartnerAPI},
}

// RoleCan reports whether role r has permission p.
func RoleCan(r Role, p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// RolesWith lists the user roles (in display order) that have at least one
// of ps: whom a page that needs ps is for.
func RolesWith(ps ...Permission) []Role {
	var out []Role
	for _, r := range Roles {
		if slices.ContainsFunc(ps, func(p Permission) bool { return RoleCan(r, p) }) {
			out = append(out, r)
		}
	}
	return out
}

// Permissions lists every permission some role has, sorted.
func Permissions() []Permission {
	var out []Permission
	for _, ps := range rolePermissions {
		out = append(out, ps...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// APIKeyScopes are the scopes an API key may carry. Partner channels add
// theirs (for example "intake.write" for 12345 work orders;
// "weather.write" for the weather service's forecasts and warnings).
var APIKeyScopes = []string{"intake.write", "intake.read", "open311", "family.write", "family.read", ScopeWeatherWrite, ScopeStatisticsRead, ScopeCanteenSensor}

// ScopeCanteenSensor lets a cold unit's sensor post its temperatures
// (POST /api/v1/canteen/temperatures).
const ScopeCanteenSensor = "canteen.sensor"

// ScopeWeatherWrite lets a weather partner post a night's forecast and
// 气象 warning (POST /api/v1/weather/forecasts).
const ScopeWeatherWrite = "weather.write"

// ScopeStatisticsRead lets an API key read the statistics API
// (/api/v1/statistics/…): counts only, as stats.view.
const ScopeStatisticsRead = "statistics.read"
