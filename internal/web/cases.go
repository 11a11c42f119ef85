package web

import (
	"github.com/havenrescue/haven/internal/assistance"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/health"
)

// ---- station case management (DESIGN.md §3.4) ----

// stationData is one page of the station dashboard with its neighbours.
type stationData struct {
	*cases.Dashboard
	Prev, Next string // URLs of the previous and next pages, "" at the ends
	// The linked duties of the 2015 rules due (extension, 落户,
	// enrolment) and the referrals to social assistance still without an
	// answer near or past their deadline.
	LinkedDuties []*assistance.StayDuty
	Reminders    []*assistance.Referral
}

func (s *Server) stationPage(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = min(max(page, 1), 10000)
	d, err := s.Cases.DashboardPage(r.Context(), info(r).actor, page)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sd := stationData{Dashboard: d}
	if s.Assistance != nil {
		if sd.LinkedDuties, err = s.Assistance.StayDuties(r.Context(), info(r).actor, 50); err != nil {
			s.fail(w, r, err)
			return
		}
		if sd.Reminders, err = s.Assistance.Reminders(r.Context(), info(r).actor, 20); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if page > 1 {
		sd.Prev = "/station?page=" + strconv.Itoa(page-1)
	}
	if d.More {
		sd.Next = "/station?page=" + strconv.Itoa(page+1)
	}
	v := s.newView(r, "title.station", sd)
	if r.URL.Query().Get("notice") == "duty" {
		v.Notice = "assistance.notice.duty"
	}
	s.render(w, r, http.StatusOK, "station", v)
}

type peopleData struct {
	People []*cases.Person
}

func (s *Server) peoplePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Cases.People(r.Context(), info(r).actor, cases.PersonFilter{Query: q.Get("q"), InStation: q.Get("in") == "1", Unidentified: q.Get("unidentified") == "1"})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.people", peopleData{People: list})
	v.keep(r, "q", "in", "unidentified")
	s.render(w, r, http.StatusOK, "people", v)
}

// admitData is the admission form's choices, and the earlier records the
// person may be.
type admitData struct {
	Sexes      []cases.Sex
	Mental     []cases.Mental
	Flags      []string
	Sources    []string
	Welfare    []string
	Security   []string
	Grounds    []string
	Rows       []int
	Candidates []*cases.Candidate
	Known      *cases.Person // re-admitting this person
	Now        string
}

var personFields = []string{"name", "aliases", "sex", "birth_date", "age_min", "age_max", "height_cm", "ethnicity", "native_place", "hukou",
	"dialect", "id_number", "marks", "mental"}

var admitFields = append(slices.Clone(personFields), "arrived_at", "source", "incident_id", "reason", "story", "residence", "welfare", "relatives",
	"security", "security_notes", "fingerprint_ref", "room", "bed", "refusal_ground", "refusal_note", "contact_relation", "contact_name",
	"contact_phone", "contact_address", "person_id", "refuse")

const belongingRows = 6

func (s *Server) admitData(r *http.Request) *admitData {
	d := &admitData{Sexes: cases.Sexes, Mental: cases.MentalStates, Flags: cases.Flags, Sources: cases.Sources, Welfare: cases.Welfare,
		Security: cases.SecurityResults, Grounds: cases.RefusalGrounds, Now: s.Now().In(cases.CST).Format("2006-01-02T15:04")}
	for i := range belongingRows {
		d.Rows = append(d.Rows, i)
	}
	return d
}

func (s *Server) personNewPage(w http.ResponseWriter, r *http.Request) {
	if err := info(r).actor.Require("web.personNew", auth.PermCasesManage); err != nil {
		s.fail(w, r, err)
		return
	}
	d := s.admitData(r)
	v := s.newView(r, "title.admit", d)
	v.Form.Set("arrived_at", d.Now)
	v.Form.Set("incident_id", r.URL.Query().Get("incident"))
	v.Form.Set("source", "patrol")
	if pid := r.URL.Query().Get("person"); pid != "" {
		pv, err := s.Cases.View(r.Context(), info(r).actor, pid)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Known = pv.Person
		v.Form.Set("person_id", pv.Person.ID)
	}
	s.render(w, r, http.StatusOK, "person_new", v)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(strings.TrimSpace(s))
	return n
}

func personInput(r *http.Request) cases.PersonInput {
	return cases.PersonInput{Name: r.FormValue("name"), Aliases: r.FormValue("aliases"), Sex: cases.Sex(r.FormValue("sex")),
		BirthDate: r.FormValue("birth_date"), AgeMin: atoi(r.FormValue("age_min")), AgeMax: atoi(r.FormValue("age_max")),
		HeightCm: atoi(r.FormValue("height_cm")), Ethnicity: r.FormValue("ethnicity"), NativePlace: r.FormValue("native_place"),
		Hukou: r.FormValue("hukou"), Dialect: r.FormValue("dialect"), IDNumber: r.FormValue("id_number"), Marks: r.FormValue("marks"),
		Mental: cases.Mental(r.FormValue("mental")), Flags: r.Form["flags"]}
}

// parseLocal reads a datetime-local value in China Standard Time.
func parseLocal(v string) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, true
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, cases.CST)
	return t, err == nil
}

func (s *Server) personCreate(w http.ResponseWriter, r *http.Request) {
	fields := map[string]string{}
	arrived, ok := parseLocal(r.FormValue("arrived_at"))
	if !ok {
		fields["arrived_at"] = "err.date"
	}
	in := cases.AdmitInput{PersonID: r.FormValue("person_id"), Person: personInput(r), ArrivedAt: arrived, Source: r.FormValue("source"),
		IncidentID: r.FormValue("incident_id"), Room: r.FormValue("room"), Bed: r.FormValue("bed"), Refuse: r.FormValue("refuse") == "1",
		NewPerson: r.FormValue("new_person") == "1",
		Contact: cases.ContactInput{Relation: r.FormValue("contact_relation"), Name: r.FormValue("contact_name"), Phone: r.FormValue("contact_phone"),
			Address: r.FormValue("contact_address")},
		Form: cases.Form{Reason: r.FormValue("reason"), Story: r.FormValue("story"), Residence: r.FormValue("residence"), Welfare: r.FormValue("welfare"),
			Relatives: r.FormValue("relatives"), Security: r.FormValue("security"), SecurityNotes: r.FormValue("security_notes"),
			FingerprintRef: r.FormValue("fingerprint_ref"), RefusalGround: r.FormValue("refusal_ground"), RefusalNote: r.FormValue("refusal_note")}}
	in.Photo = uploaded(r, "photo")
	for i := range belongingRows {
		p := "b" + strconv.Itoa(i) + "_"
		item, qty := strings.TrimSpace(r.FormValue(p+"item")), strings.TrimSpace(r.FormValue(p+"qty"))
		if item == "" && qty == "" {
			continue
		}
		n, _ := strconv.Atoi(qty) // not a number: 0, which the service refuses for the row
		in.Belongings = append(in.Belongings, cases.BelongingInput{Item: item, Qty: n, Description: r.FormValue(p + "description"),
			Location: r.FormValue(p + "location"), PersonSigned: r.FormValue(p+"signed") == "1"})
	}
	var ad *cases.Admission
	var err error
	if len(fields) == 0 {
		ad, err = s.Cases.Admit(r.Context(), info(r).actor, in)
		fields = errs.FieldsOf(err)
		if err != nil && len(fields) == 0 {
			if errs.Is(errs.Conflict, err) {
				s.admitAgain(w, r, http.StatusConflict, map[string]string{}, errs.MessageOf(err), nil, len(in.Photo) > 0)
				return
			}
			s.fail(w, r, err)
			return
		}
	}
	if len(fields) > 0 {
		s.admitAgain(w, r, http.StatusUnprocessableEntity, fields, "err.form", nil, len(in.Photo) > 0 && fields["photo"] == "")
		return
	}
	if ad.Stay == nil { // earlier records that may be this person: ask
		s.admitAgain(w, r, http.StatusOK, map[string]string{}, "admit.maybe_known", ad.Candidates, len(in.Photo) > 0)
		return
	}
	notice := "admitted"
	if ad.Readmitted {
		notice = "readmitted"
	}
	if in.Refuse {
		notice = "refused"
	}
	http.Redirect(w, r, "/people/"+ad.Person.ID+"?notice="+notice, http.StatusSeeOther)
}

// admitAgain shows the admission form again with what was typed.
func (s *Server) admitAgain(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string, cands []*cases.Candidate, photoLost bool) {
	d := s.admitData(r)
	d.Candidates = cands
	v := s.newView(r, "title.admit", d)
	v.Errors, v.Message = fields, msg
	v.keep(r, admitFields...)
	for i := range belongingRows {
		p := "b" + strconv.Itoa(i) + "_"
		v.keep(r, p+"item", p+"qty", p+"description", p+"location", p+"signed")
	}
	v.Form["flags"] = r.Form["flags"]
	if photoLost {
		v.Errors["photo"] = "err.photo_again"
	}
	if pid := r.FormValue("person_id"); pid != "" {
		if pv, err := s.Cases.View(r.Context(), info(r).actor, pid); err == nil {
			d.Known = pv.Person
		}
	}
	s.render(w, r, code, "person_new", v)
}

// personData is the person page.
type personData struct {
	*cases.PersonView
	Cue        *health.CareCue
	Health     *health.Record
	Hospitals  []*auth.Department
	Sexes      []cases.Sex
	Mental     []cases.Mental
	Flags      []string
	NoteKinds  []string
	Rules      []string
	Infections []string
	Screens    []string
	MentalScr  []string
	Ages       string
	Family     *familyPanel
	Payments   []*funds.Expense // what funds spent on the person (read audited)
	ShowFunds  bool
	// Bills: the person's green-channel referrals whose hospital bill
	// staff may file with funds (hospital and state only).
	Bills []*health.Referral
	// Assistance: the person's referrals to social assistance (read
	// audited).
	Assistance     []*assistance.Referral
	ShowAssistance bool
}

var personNotices = map[string]string{"admitted": "notice.admitted", "readmitted": "notice.readmitted", "refused": "notice.refused",
	"saved": "notice.saved", "merged": "notice.person_merged", "unmerged": "notice.person_unmerged", "distinct": "notice.person_distinct",
	"exited": "notice.exited", "task": "notice.task_done", "note": "notice.note_added", "belonging": "notice.belonging_added",
	"check": "notice.check_recorded", "medication": "notice.medication_added", "referral": "notice.referral_sent", "contact": "notice.contact_added",
	"published": "notice.notice_published", "consent": "notice.consent_saved"}

func (s *Server) personPage(w http.ResponseWriter, r *http.Request) {
	s.showPerson(w, r, http.StatusOK, nil, "")
}

func (s *Server) showPerson(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	ctx := r.Context()
	pv, err := s.Cases.View(ctx, ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pv.Person.ID != r.PathValue("id") && code == http.StatusOK { // a merged record: its identity's page
		http.Redirect(w, r, "/people/"+pv.Person.ID, http.StatusSeeOther)
		return
	}
	d := &personData{PersonView: pv, Sexes: cases.Sexes, Mental: cases.MentalStates, Flags: cases.Flags, NoteKinds: cases.NoteKinds,
		Rules: cases.RuleNames, Infections: health.Infections, Screens: health.ScreenResults, MentalScr: health.MentalScreens}
	if d.Family, err = s.familyPanelOf(r, pv.Person.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Cue, err = s.Health.Cue(ctx, ri.actor, pv.Person.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	if ri.actor.Can(auth.PermHealthView) {
		if d.Health, err = s.Health.RecordOf(ctx, ri.actor, pv.Person.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		for _, c := range d.Health.Checks {
			kind := "check"
			if c.Urgent {
				kind = "check_urgent"
			}
			pv.Timeline = append(pv.Timeline, cases.Event{At: c.At, Kind: kind, Detail: c.Kind, Text: c.Data.Injuries})
		}
		for _, ref := range d.Health.Referrals {
			for _, n := range ref.Notes {
				pv.Timeline = append(pv.Timeline, cases.Event{At: n.At, Kind: "referral", Detail: n.Kind, Text: ref.Hospital.Name + " " + n.Text, Ref: ref.ID})
			}
		}
		cases.SortTimeline(pv.Timeline)
		_, depts, err := s.departmentsByID(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, dp := range depts {
			if dp.Kind == "hospital" {
				d.Hospitals = append(d.Hospitals, dp)
			}
		}
	}
	if s.Funds != nil && (ri.actor.Can(auth.PermFundsRequest) || ri.actor.Can(auth.PermFundsView)) {
		d.ShowFunds = true
		if d.Payments, err = s.Funds.PersonExpenses(ctx, ri.actor, pv.Person.ID); err != nil {
			s.fail(w, r, err)
			return
		}
		if ri.actor.Can(auth.PermFundsRequest) {
			if d.Bills, err = s.Health.Store.Referrals(ctx, "", []string{pv.Person.ID}, false); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	if s.Assistance != nil && (ri.actor.Can(auth.PermAssistanceRefer) || ri.actor.Can(auth.PermAssistanceView)) {
		d.ShowAssistance = true
		if d.Assistance, err = s.Assistance.PersonReferrals(ctx, ri.actor, pv.Person.ID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if min, max, ok := pv.Person.AgeAt(s.Now()); ok {
		d.Ages = strconv.Itoa(min)
		if max != min {
			d.Ages += "–" + strconv.Itoa(max)
		}
	}
	v := s.newView(r, "title.person", d)
	v.Notice = personNotices[r.URL.Query().Get("notice")]
	v.Errors, v.Message = fields, msg
	if fields != nil && r.PostForm.Has("sex") {
		v.keep(r, personFields...)
		v.Form["flags"] = r.Form["flags"]
	} else {
		p := pv.Person
		for k, val := range map[string]string{"name": p.Name, "aliases": p.Aliases, "sex": string(p.Sex), "birth_date": p.BirthDate,
			"age_min": itoaZero(p.AgeMin), "age_max": itoaZero(p.AgeMax), "height_cm": itoaZero(p.HeightCm), "ethnicity": p.Ethnicity,
			"native_place": p.NativePlace, "hukou": p.Hukou, "dialect": p.Dialect, "marks": p.Marks, "mental": string(p.Mental)} {
			v.Form.Set(k, val)
		}
		v.Form["flags"] = p.Flags
		if fields != nil {
			for _, k := range []string{"text", "kind", "item", "qty", "description", "location", "med_name", "med_dose", "med_times", "reason", "hospital_id",
				"contact_relation", "contact_name", "contact_phone", "contact_address"} {
				if r.PostForm.Has(k) {
					v.Form.Set(k, r.PostFormValue(k))
				}
			}
		}
	}
	s.render(w, r, code, "person", v)
}

func itoaZero(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// personRefused shows the person page again after a refused change.
func (s *Server) personRefused(w http.ResponseWriter, r *http.Request, err error) {
	s.refused(w, r, err, s.showPerson)
}

func (s *Server) backToPerson(w http.ResponseWriter, r *http.Request, personID, notice string) {
	http.Redirect(w, r, "/people/"+url.PathEscape(personID)+"?notice="+notice, http.StatusSeeOther)
}

func (s *Server) personUpdate(w http.ResponseWriter, r *http.Request) {
	_, err := s.Cases.UpdatePerson(r.Context(), info(r).actor, r.PathValue("id"), personInput(r), atoi(r.FormValue("version")))
	if err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "saved")
}

func (s *Server) personContact(w http.ResponseWriter, r *http.Request) {
	err := s.Cases.AddContact(r.Context(), info(r).actor, r.PathValue("id"), cases.ContactInput{Relation: r.FormValue("contact_relation"),
		Name: r.FormValue("contact_name"), Phone: r.FormValue("contact_phone"), Address: r.FormValue("contact_address")})
	if err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "contact")
}

func (s *Server) personMerge(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Cases.Merge(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("other")); err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "merged")
}

func (s *Server) personDistinct(w http.ResponseWriter, r *http.Request) {
	if err := s.Cases.MarkDistinct(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("other")); err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "distinct")
}

func (s *Server) personMergeUndo(w http.ResponseWriter, r *http.Request) {
	m, err := s.Cases.UndoMerge(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.backToPerson(w, r, m.SurvivorID, "unmerged")
}

// stayAction runs fn on the stay in the path and returns to its person's
// page, or shows that page with the refusal.
func (s *Server) stayAction(w http.ResponseWriter, r *http.Request, notice string, fn func(stayID string) error) {
	personID, err := s.Cases.StayOwner(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := fn(r.PathValue("id")); err != nil {
		r.SetPathValue("id", personID)
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, personID, notice)
}

func (s *Server) stayBelonging(w http.ResponseWriter, r *http.Request) {
	s.stayAction(w, r, "belonging", func(stayID string) error {
		if err := info(r).actor.Require("web.stayBelonging", auth.PermCasesManage); err != nil {
			return err
		}
		data := uploaded(r, "photo")
		qty, err := strconv.Atoi(strings.TrimSpace(r.FormValue("qty")))
		if err != nil {
			return errs.InvalidFields("web.stayBelonging", map[string]string{"qty": "err.qty"})
		}
		_, err = s.Cases.AddBelonging(r.Context(), info(r).actor, stayID, cases.BelongingInput{Item: r.FormValue("item"), Qty: qty,
			Description: r.FormValue("description"), Location: r.FormValue("location"), Photo: data, PersonSigned: r.FormValue("signed") == "1"})
		return err
	})
}

func (s *Server) stayNote(w http.ResponseWriter, r *http.Request) {
	s.stayAction(w, r, "note", func(stayID string) error {
		return s.Cases.AddNote(r.Context(), info(r).actor, stayID, r.FormValue("kind"), r.FormValue("text"))
	})
}

func (s *Server) stayBed(w http.ResponseWriter, r *http.Request) {
	s.stayAction(w, r, "saved", func(stayID string) error {
		return s.Cases.SetBed(r.Context(), info(r).actor, stayID, r.FormValue("room"), r.FormValue("bed"), atoi(r.FormValue("version")))
	})
}

func (s *Server) stayTask(w http.ResponseWriter, r *http.Request) {
	s.stayAction(w, r, "task", func(stayID string) error {
		return s.Cases.DoTask(r.Context(), info(r).actor, stayID, r.PathValue("rule"), r.FormValue("note"))
	})
}

func (s *Server) stayPhoto(w http.ResponseWriter, r *http.Request) {
	st, _, err := s.Cases.Stay(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name := st.Form.Photo
	if b := r.URL.Query().Get("belonging"); b != "" {
		name = ""
		for _, x := range st.Belongings {
			if x.ID == b {
				name = x.Photo
			}
		}
	}
	if name == "" {
		s.notFound(w, r)
		return
	}
	data, err := s.Cases.Photos.Get(r.Context(), name)
	if err != nil {
		s.notFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

// ---- exit ----

type exitData struct {
	Stay   *cases.StayView
	Person *cases.Person
	Kinds  []cases.ExitKind
	Now    string
	Minor  bool
	Alone  bool
}

func (s *Server) exitPage(w http.ResponseWriter, r *http.Request) {
	s.showExit(w, r, http.StatusOK, nil, "")
}

func (s *Server) showExit(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	if err := ri.actor.Require("web.exit", auth.PermCasesManage); err != nil {
		s.fail(w, r, err)
		return
	}
	st, p, err := s.Cases.Stay(r.Context(), ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Now()
	d := &exitData{Stay: st, Person: p, Kinds: cases.ExitKinds, Now: now.In(cases.CST).Format("2006-01-02T15:04"), Minor: p.MinorAt(now), Alone: p.CannotTravelAlone(now)}
	v := s.newView(r, "title.exit", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "kind", "at", "destination", "voucher_mode", "voucher_route", "voucher_ticket", "voucher_cost", "voucher_local", "voucher_receipt",
			"escorts", "collector_name", "collector_relation", "collector_id", "collector_checked", "statement", "cause", "services", "notes")
		for _, b := range st.Belongings {
			v.keep(r, "return_"+b.ID, "return_note_"+b.ID)
		}
	} else {
		v.Form.Set("at", d.Now)
		for _, b := range st.Belongings {
			v.Form.Set("return_"+b.ID, strconv.Itoa(b.Qty))
		}
	}
	s.render(w, r, code, "stay_exit", v)
}

// yuanToFen reads an amount in yuan ("24.5") as fen.
func yuanToFen(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 100000 {
		return 0, false
	}
	return int(f*100 + 0.5), true
}

func (s *Server) exitSubmit(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	st, _, err := s.Cases.Stay(r.Context(), ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	at, ok := parseLocal(r.FormValue("at"))
	if !ok {
		fields["at"] = "err.date"
	}
	cost, ok := yuanToFen(r.FormValue("voucher_cost"))
	if !ok {
		fields["voucher_cost"] = "err.amount"
	}
	in := cases.ExitInput{Kind: cases.ExitKind(r.FormValue("kind")), At: at, Destination: r.FormValue("destination"), Escorts: r.FormValue("escorts"),
		Statement: r.FormValue("statement") == "1", Cause: r.FormValue("cause"), Services: r.FormValue("services"), Notes: r.FormValue("notes"),
		Voucher: cases.Voucher{Mode: r.FormValue("voucher_mode"), Route: r.FormValue("voucher_route"), TicketNo: r.FormValue("voucher_ticket"), CostFen: cost,
			LocalTransit: r.FormValue("voucher_local") == "1", ReceiptSigned: r.FormValue("voucher_receipt") == "1"},
		Returns: map[string]cases.Return{}}
	in.Collector.Name, in.Collector.Relation, in.Collector.IDNumber = r.FormValue("collector_name"), r.FormValue("collector_relation"), r.FormValue("collector_id")
	in.Collector.Checked = r.FormValue("collector_checked") == "1"
	for _, b := range st.Belongings {
		q := strings.TrimSpace(r.FormValue("return_" + b.ID))
		if q == "" {
			continue
		}
		n, err := strconv.Atoi(q)
		if err != nil {
			fields["return_"+b.ID] = "err.qty"
			continue
		}
		in.Returns[b.ID] = cases.Return{Qty: n, Note: r.FormValue("return_note_" + b.ID)}
	}
	if len(fields) == 0 {
		_, err = s.Cases.Exit(r.Context(), ri.actor, st.ID, in, atoi(r.FormValue("version")))
		fields = errs.FieldsOf(err)
		if err != nil && len(fields) == 0 {
			if errs.Is(errs.Conflict, err) {
				s.showExit(w, r, http.StatusConflict, map[string]string{}, errs.MessageOf(err))
				return
			}
			s.fail(w, r, err)
			return
		}
	}
	if len(fields) > 0 {
		s.showExit(w, r, http.StatusUnprocessableEntity, fields, "err.form")
		return
	}
	http.Redirect(w, r, "/stays/"+st.ID+"/forms/service_exit?notice=exited", http.StatusSeeOther)
}

// ---- printable statutory forms ----

// Forms are the five statutory forms of the 规程.
var Forms = []string{"registration", "refusal", "self_exit", "service_exit", "termination"}

type formData struct {
	Form     string
	Stay     *cases.StayView
	Person   *cases.Person
	IDNumber string
	Contacts []cases.ContactView
	Station  string
	Printed  time.Time
	Names    map[string]string // username → display name of who recorded the stay
}

func (s *Server) stayForm(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	form := r.PathValue("form")
	if !slices.Contains(Forms, form) {
		s.notFound(w, r)
		return
	}
	st, p, err := s.Cases.Stay(r.Context(), ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &formData{Form: form, Stay: st, Person: p, IDNumber: s.Cases.IDNumberFor(ri.actor, p), Printed: s.Now()}
	if pv, err := s.Cases.View(r.Context(), ri.actor, p.ID); err == nil {
		d.Contacts = pv.Contacts
	}
	// The station that holds the stay issues the form, whoever prints it.
	d.Station = s.Family.Station.Name
	if d.Names, err = s.Auth.Names(r.Context(), ri.actor); err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "form."+form, d)
	v.Notice = personNotices[r.URL.Query().Get("notice")]
	s.render(w, r, http.StatusOK, "stay_form", v)
}

// ---- health and the green channel (DESIGN.md §3.5) ----

func (s *Server) personCheck(w http.ResponseWriter, r *http.Request) {
	fields := map[string]string{}
	num := func(k string) float64 {
		v := strings.TrimSpace(r.FormValue(k))
		if v == "" {
			return 0
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fields[k] = "err.number"
		}
		return f
	}
	d := health.CheckData{TempC: num("temp_c"), Pulse: int(num("pulse")), BPSys: int(num("bp_sys")), BPDia: int(num("bp_dia")), Resp: int(num("resp")),
		SpO2: int(num("spo2")), Injuries: r.FormValue("injuries"), Mental: r.FormValue("mental_screen"), Notes: r.FormValue("check_notes"),
		Infectious: map[string]string{}}
	for _, k := range health.Infections {
		if v := r.FormValue("inf_" + k); v != "" {
			d.Infectious[k] = v
		}
	}
	if len(fields) > 0 {
		s.showPerson(w, r, http.StatusUnprocessableEntity, fields, "err.form")
		return
	}
	if _, err := s.Health.RecordCheck(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("stay_id"), r.FormValue("check_kind"), d); err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "check")
}

func (s *Server) personMedication(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Health.AddMedication(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("med_name"), r.FormValue("med_dose"),
		r.FormValue("med_times"), r.FormValue("med_note")); err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "medication")
}

func (s *Server) medicationEnd(w http.ResponseWriter, r *http.Request) {
	if err := s.Health.EndMedication(r.Context(), info(r).actor, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.backToPerson(w, r, r.FormValue("person_id"), "saved")
}

func (s *Server) personReferral(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Health.Refer(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("stay_id"), r.FormValue("hospital_id"),
		r.FormValue("reason"), r.FormValue("urgent") == "1"); err != nil {
		s.personRefused(w, r, err)
		return
	}
	s.backToPerson(w, r, r.PathValue("id"), "referral")
}

type referralsData struct {
	Referrals []*health.ReferralView
	All       bool
}

func (s *Server) referralsPage(w http.ResponseWriter, r *http.Request) {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.Health.Referrals(r.Context(), info(r).actor, all)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "referrals", s.newView(r, "title.referrals", referralsData{Referrals: list, All: all}))
}

type referralData struct {
	*health.ReferralView
	Next []string
}

func (s *Server) referralPage(w http.ResponseWriter, r *http.Request) {
	s.showReferral(w, r, http.StatusOK, nil, "")
}

func (s *Server) showReferral(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	rv, err := s.Health.Referral(r.Context(), ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &referralData{ReferralView: rv}
	for _, to := range health.ReferralStates {
		if health.MayAdvance(ri.actor, rv.Referral, to) {
			d.Next = append(d.Next, to)
		}
	}
	v := s.newView(r, "title.referral", d)
	v.Errors, v.Message = fields, msg
	v.Notice = map[string]string{"saved": "notice.saved"}[r.URL.Query().Get("notice")]
	if fields != nil {
		v.keep(r, "text")
	}
	s.render(w, r, code, "referral", v)
}

func (s *Server) referralAdvance(w http.ResponseWriter, r *http.Request) {
	_, err := s.Health.Advance(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("to"), r.FormValue("text"), atoi(r.FormValue("version")))
	s.referralDone(w, r, err)
}

func (s *Server) referralNote(w http.ResponseWriter, r *http.Request) {
	s.referralDone(w, r, s.Health.AddNote(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("text")))
}

func (s *Server) referralDone(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		s.refused(w, r, err, s.showReferral)
		return
	}
	http.Redirect(w, r, "/referrals/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}
