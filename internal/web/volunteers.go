package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/volunteers"
)

// ---- volunteers and partners (DESIGN.md §3.10) ----

type volunteersData struct {
	Orgs       []*volunteers.Organisation
	OrgName    map[string]string
	Volunteers []*volunteers.Volunteer
	VolName    map[string]string
	Shifts     []*volunteers.Shift
	Donations  []*volunteers.Donation
	OrgKinds   []string
	ShiftKinds []string
	Skills     []string
	Targets    []volunteers.Target
	Linked     []string // the shift kinds that take a target
	// PurposeCodes are the budget lines a money donation may be
	// restricted to (the relief project's).
	PurposeCodes []string
}

type volunteerLink struct{ Name, URL string }

func (s *Server) volunteersPage(w http.ResponseWriter, r *http.Request) {
	s.showVolunteers(w, r, http.StatusOK, nil, "")
}

func (s *Server) showVolunteers(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	a := info(r).actor
	ctx := r.Context()
	vs, err := s.Volunteers.Volunteers(ctx, a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := &volunteersData{PurposeCodes: restrictablePurposes(), Volunteers: vs, OrgName: map[string]string{}, VolName: map[string]string{}, OrgKinds: volunteers.OrgKinds,
		ShiftKinds: volunteers.ShiftKinds, Skills: volunteers.Skills, Linked: volunteers.LinkedKinds}
	if d.Orgs, err = s.Volunteers.Store.Organisations(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Shifts, err = s.Volunteers.Shifts(ctx, a, s.Now().Add(-7*24*time.Hour)); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Targets, err = s.Volunteers.Targets(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Donations, err = s.Volunteers.Store.Donations(ctx); err != nil {
		s.fail(w, r, err)
		return
	}
	for _, o := range d.Orgs {
		d.OrgName[o.ID] = o.Name
	}
	for _, v := range vs {
		d.VolName[v.ID] = v.Name
	}
	v := s.newView(r, "title.volunteers", d)
	v.Errors, v.Message = fields, msg
	if fields != nil || msg != "" {
		v.keep(r, "form", "name", "kind", "title", "starts_at", "ends_at", "places", "donor", "amount", "purpose", "receipt_no", "purpose_code",
			"org_id", "thanks", "thanks_name")
	}
	if r.URL.Query().Get("notice") == "saved" {
		v.Notice = "notice.saved"
	}
	s.render(w, r, code, "volunteers", v)
}

// volunteersPost handles the page's forms, one at a time by "form".
func (s *Server) volunteersPost(w http.ResponseWriter, r *http.Request) {
	a := info(r).actor
	ctx := r.Context()
	var err error
	switch r.FormValue("form") {
	case "org":
		_, err = s.Volunteers.AddOrganisation(ctx, a, volunteers.Organisation{Name: r.FormValue("name"), Kind: r.FormValue("kind"),
			Contact: r.FormValue("contact"), Phone: r.FormValue("phone"), Agreement: r.FormValue("agreement"), AgreedTo: r.FormValue("agreed_to")})
	case "volunteer":
		_, err = s.Volunteers.AddVolunteer(ctx, a, volunteers.VolunteerInput{Name: r.FormValue("name"), OrgID: r.FormValue("org_id"),
			Phone: r.FormValue("phone"), IDNumber: r.FormValue("id_number"), Availability: r.FormValue("availability"), Skills: r.Form["skills"]})
	case "shift":
		from, ok1 := parseLocal(r.FormValue("starts_at"))
		to, ok2 := parseLocal(r.FormValue("ends_at"))
		if !ok1 || !ok2 {
			err = errs.InvalidFields("web.shift", map[string]string{"starts_at": "err.date"})
			break
		}
		ref := r.FormValue("ref") // words for an event or station work
		if volunteers.Linked(r.FormValue("kind")) {
			ref = r.FormValue("target") // the record it serves
		}
		_, err = s.Volunteers.AddShift(ctx, a, volunteers.Shift{Title: r.FormValue("title"), Kind: r.FormValue("kind"), Ref: ref,
			StartsAt: from, EndsAt: to, Places: atoi(r.FormValue("places"))})
	case "link":
		token, err := s.Volunteers.IssueLink(ctx, a, r.FormValue("volunteer_id"))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		// Shown once, on this page; only its hash is kept.
		v := s.newView(r, "title.volunteer_link", volunteerLink{Name: r.FormValue("name"), URL: s.baseURL(r) + "/v/" + token})
		s.render(w, r, http.StatusOK, "volunteer_link", v)
		return
	case "signup":
		err = s.Volunteers.SignUp(ctx, a, r.FormValue("shift_id"), r.FormValue("volunteer_id"))
	case "attend":
		err = s.Volunteers.Attend(ctx, a, r.FormValue("shift_id"), r.FormValue("volunteer_id"), atoi(r.FormValue("minutes")))
	case "donation":
		fen, ok := funds.ParseYuan(r.FormValue("amount"))
		if !ok || fen <= 0 {
			fen = -1 // refused by the service with the other fields' problems, so every one shows at once
		}
		_, err = s.Volunteers.AddDonation(ctx, a, volunteers.Donation{Donor: r.FormValue("donor"), OrgID: r.FormValue("org_id"),
			AmountFen: fen, Purpose: r.FormValue("purpose"), ReceiptNo: r.FormValue("receipt_no"), PurposeCode: r.FormValue("purpose_code"),
			Thanks: consentOf(r)})
	default:
		err = errs.InvalidFields("web.volunteers", map[string]string{"form": "err.invalid_choice"})
	}
	if err != nil {
		s.refused(w, r, err, s.showVolunteers)
		return
	}
	http.Redirect(w, r, "/volunteers?notice=saved", http.StatusSeeOther)
}

// ---- a volunteer's own page, through their link ----

type volunteerSelf struct {
	View  *volunteers.SelfView
	Token string
}

func (s *Server) volunteerSelfPage(w http.ResponseWriter, r *http.Request) {
	s.showVolunteerSelf(w, r, http.StatusOK, nil, "")
}

func (s *Server) showVolunteerSelf(w http.ResponseWriter, r *http.Request, code int, _ map[string]string, msg string) {
	view, err := s.Volunteers.Self(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.volunteer_self", volunteerSelf{View: view, Token: r.PathValue("token")})
	v.Message = msg
	v.Notice = map[string]string{"signed": "notice.signed_up", "withdrawn": "notice.withdrawn"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "volunteer_self", v)
}

func (s *Server) volunteerSelfPost(w http.ResponseWriter, r *http.Request) {
	token, shift := r.PathValue("token"), r.FormValue("shift_id")
	var err error
	notice := "signed"
	if r.FormValue("action") == "withdraw" {
		err, notice = s.Volunteers.SelfWithdraw(r.Context(), token, shift), "withdrawn"
	} else {
		err = s.Volunteers.SelfSignUp(r.Context(), token, shift)
	}
	if err != nil {
		s.refused(w, r, err, s.showVolunteerSelf)
		return
	}
	http.Redirect(w, r, "/v/"+url.PathEscape(token)+"?notice="+notice, http.StatusSeeOther)
}

// restrictablePurposes are the lines of the relief project a donation may
// be given for.
func restrictablePurposes() []string {
	var out []string
	for _, c := range funds.LineCodes {
		if funds.GroupOf(c) == funds.GroupProject {
			out = append(out, c)
		}
	}
	return out
}
