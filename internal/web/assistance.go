package web

import (
	"net/http"
	"strings"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/funds"
)

// ---- social assistance (社会救助衔接, DESIGN.md §3.9) ----

type assistanceData struct {
	Referrals  []*assistance.Referral
	Reminders  []*assistance.Referral
	States     []string
	State      string
	Programmes []string
	Rules      assistance.Rules
}

var assistanceNotices = map[string]string{"sent": "assistance.notice.sent", "answered": "assistance.notice.answered", "attached": "assistance.notice.attached"}

// assistancePage lists the referrals, those waiting too long for an
// answer first.
func (s *Server) assistancePage(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), info(r).actor
	d := &assistanceData{States: assistance.States, State: r.URL.Query().Get("state"), Programmes: assistance.Programmes, Rules: s.Assistance.Rules}
	f := assistance.Filter{Limit: 200}
	if d.State != "" {
		f.States = []string{d.State}
	}
	var err error
	if d.Referrals, err = s.Assistance.Referrals(ctx, a, f); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Reminders, err = s.Assistance.Reminders(ctx, a, 50); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "assistance.title", d)
	v.Notice = assistanceNotices[r.URL.Query().Get("notice")]
	s.render(w, r, http.StatusOK, "assistance", v)
}

type assistanceNewData struct {
	Person     *cases.Person
	StayID     string
	Programmes []string
	Rules      assistance.Rules
	CapFen     int64
}

var assistanceFields = []string{"programme", "region", "office", "consent", "income", "household", "assets_ok", "no_work", "no_income", "no_supporter",
	"sudden", "hardship", "requested", "medical_cost"}

func (s *Server) assistanceNew(w http.ResponseWriter, r *http.Request) {
	s.showAssistanceNew(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAssistanceNew(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ctx, a := r.Context(), info(r).actor
	if !a.Can(auth.PermAssistanceRefer) {
		s.fail(w, r, a.Require("web.assistanceNew", auth.PermAssistanceRefer))
		return
	}
	pid := r.FormValue("person_id")
	pv, err := s.Cases.View(ctx, a, pid)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &assistanceNewData{Person: pv.Person, Programmes: assistance.Programmes, Rules: s.Assistance.Rules, CapFen: s.Assistance.Rules.TempAidCapFen()}
	if pv.Open != nil {
		d.StayID = pv.Open.ID
	}
	v := s.newView(r, "assistance.title_new", d)
	v.Errors, v.Message = fields, msg
	if fields != nil || msg != "" {
		v.keep(r, assistanceFields...)
	} else {
		v.Form.Set("programme", r.URL.Query().Get("programme"))
		region := pv.Person.IDRegion // read from the ID number
		if region == "" {
			region = pv.Person.Hukou
		}
		v.Form.Set("region", region)
		v.Form.Set("household", "1")
	}
	s.render(w, r, code, "assistance_new", v)
}

// yuanOrBad reads an optional amount in yuan: 0 when empty, -1 (refused
// by the service with the field's message) when not an amount.
func yuanOrBad(v string) int64 {
	if strings.TrimSpace(v) == "" {
		return 0
	}
	fen, ok := funds.ParseYuan(v)
	if !ok {
		return -1
	}
	return fen
}

func (s *Server) assistanceCreate(w http.ResponseWriter, r *http.Request) {
	on := func(k string) bool { return r.FormValue(k) == "1" }
	in := assistance.Input{PersonID: r.FormValue("person_id"), StayID: r.FormValue("stay_id"), Programme: r.FormValue("programme"),
		Region: r.FormValue("region"), Consent: on("consent"), Office: r.FormValue("office"),
		Screening: assistance.Screening{IncomePerPersonFen: yuanOrBad(r.FormValue("income")), HouseholdSize: atoi(r.FormValue("household")),
			AssetsWithinLimits: on("assets_ok"), NoWorkCapacity: on("no_work"), NoIncome: on("no_income"), NoSupporter: on("no_supporter"),
			SuddenHardship: on("sudden"), Hardship: r.FormValue("hardship"), RequestedFen: yuanOrBad(r.FormValue("requested")),
			MedicalCostFen: yuanOrBad(r.FormValue("medical_cost"))}}
	ref, err := s.Assistance.Refer(r.Context(), info(r).actor, in)
	if err != nil {
		s.refused(w, r, err, s.showAssistanceNew)
		return
	}
	http.Redirect(w, r, "/assistance/"+ref.ID+"?notice=sent", http.StatusSeeOther)
}

type assistanceReferralData struct {
	R     *assistance.Referral
	Files []*assistance.File
	Rules assistance.Rules
}

func (s *Server) assistanceReferral(w http.ResponseWriter, r *http.Request) {
	s.showAssistanceReferral(w, r, http.StatusOK, nil, "")
}

func (s *Server) showAssistanceReferral(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ref, fs, err := s.Assistance.Referral(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "assistance.title_referral", &assistanceReferralData{R: ref, Files: fs, Rules: s.Assistance.Rules})
	v.Errors, v.Message = fields, msg
	v.Notice = assistanceNotices[r.URL.Query().Get("notice")]
	if fields != nil || msg != "" {
		v.keep(r, "kind", "amount", "start_on", "reason", "by")
	}
	s.render(w, r, code, "assistance_referral", v)
}

func (s *Server) assistanceAnswer(w http.ResponseWriter, r *http.Request) {
	in := assistance.AnswerInput{Kind: r.FormValue("kind"), AmountFen: yuanOrBad(r.FormValue("amount")), StartOn: r.FormValue("start_on"),
		Reason: r.FormValue("reason"), By: r.FormValue("by")}
	if _, err := s.Assistance.Answer(r.Context(), info(r).actor, r.PathValue("id"), in); err != nil {
		s.refused(w, r, err, s.showAssistanceReferral)
		return
	}
	http.Redirect(w, r, "/assistance/"+r.PathValue("id")+"?notice=answered", http.StatusSeeOther)
}

func (s *Server) assistanceAttach(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Assistance.Attach(r.Context(), info(r).actor, r.PathValue("id"), uploaded(r, "photo")); err != nil {
		s.refused(w, r, err, s.showAssistanceReferral)
		return
	}
	http.Redirect(w, r, "/assistance/"+r.PathValue("id")+"?notice=attached#files", http.StatusSeeOther)
}

func (s *Server) assistanceFile(w http.ResponseWriter, r *http.Request) {
	data, err := s.Assistance.FileData(r.Context(), info(r).actor, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

// stationDutyDone marks a linked duty of a stay done from the station
// dashboard.
func (s *Server) stationDutyDone(w http.ResponseWriter, r *http.Request) {
	if err := s.Assistance.DoStayDuty(r.Context(), info(r).actor, r.FormValue("stay_id"), r.FormValue("kind"), r.FormValue("note")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/station?notice=duty#linked-duties", http.StatusSeeOther)
}
