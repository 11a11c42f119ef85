package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/webhook"
)

type partnerRow struct {
	*intake.Partner
	MappingJSON string
}

type partnersData struct {
	Partners  []partnerRow
	Keys      []*auth.APIKey
	NewSecret string
	SecretFor intake.Channel
}

func (s *Server) adminPartners(w http.ResponseWriter, r *http.Request) {
	s.showPartners(w, r, http.StatusOK, "", "", nil)
}

func (s *Server) showPartners(w http.ResponseWriter, r *http.Request, code int, secretFor intake.Channel, secret string, fieldErrs map[string]string) {
	ri := info(r)
	list, err := s.Partners.List(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	keys, err := s.Auth.ListAPIKeys(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := partnersData{Keys: keys, NewSecret: secret, SecretFor: secretFor}
	for _, p := range list {
		b, _ := json.MarshalIndent(p.Mapping, "", "  ")
		d.Partners = append(d.Partners, partnerRow{Partner: p, MappingJSON: string(b)})
	}
	v := s.newView(r, "title.partners", d)
	v.Errors = fieldErrs
	if fieldErrs != nil {
		v.Message = "err.form"
		v.Form.Set("code", r.PathValue("code"))
		v.keep(r, "mapping", "webhook_url")
	}
	if secret == "" && r.URL.Query().Get("notice") == "saved" {
		v.Notice = "notice.saved"
	}
	s.render(w, r, code, "admin_partners", v)
}

func (s *Server) adminPartnerUpdate(w http.ResponseWriter, r *http.Request) {
	code := intake.Channel(r.PathValue("code"))
	var m intake.Mapping
	dec := json.NewDecoder(strings.NewReader(r.PostFormValue("mapping")))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		if err := info(r).actor.Require("web.partner", auth.PermPartnersManage); err != nil {
			s.fail(w, r, err)
			return
		}
		s.showPartners(w, r, http.StatusUnprocessableEntity, "", "", map[string]string{"mapping": "err.mapping"})
		return
	}
	secret, err := s.Partners.Update(r.Context(), info(r).actor, code, intake.PartnerEdit{
		APIKeyID: r.PostFormValue("api_key_id"), WebhookURL: strings.TrimSpace(r.PostFormValue("webhook_url")),
		Mapping: m, NewSecret: r.PostFormValue("new_secret") == "1",
	})
	if errs.Is(errs.Invalid, err) {
		s.showPartners(w, r, http.StatusUnprocessableEntity, "", "", errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if secret != "" {
		// Shown once, on this response only.
		s.showPartners(w, r, http.StatusOK, code, secret, nil)
		return
	}
	http.Redirect(w, r, "/admin/partners?notice=saved", http.StatusSeeOther)
}

type deliveriesData struct {
	Dead, Pending []*intake.Delivery
}

func (s *Server) adminDeliveries(w http.ResponseWriter, r *http.Request) {
	dead, pending, err := s.Partners.Dead(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.deliveries", deliveriesData{Dead: dead, Pending: pending})
	if r.URL.Query().Get("notice") == "resent" {
		v.Notice = "notice.resent"
	}
	s.render(w, r, http.StatusOK, "admin_deliveries", v)
}

func (s *Server) adminDeliveryResend(w http.ResponseWriter, r *http.Request) {
	if err := s.Partners.Resend(r.Context(), info(r).actor, r.PathValue("id")); err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/deliveries?notice=resent", http.StatusSeeOther)
}

// deliveryErrorText puts a delivery's last error in words; a network
// error keeps its own words for whoever fixes the connection.
func deliveryErrorText(cat *i18n.Catalog, lang, msg string) string {
	switch {
	case msg == "":
		return ""
	case msg == webhook.ErrNoURL.Error():
		return cat.T(lang, "delivery.err_no_url")
	case strings.HasPrefix(msg, webhook.AnsweredPrefix):
		return cat.T(lang, "delivery.err_answered", strings.TrimPrefix(msg, webhook.AnsweredPrefix))
	}
	return cat.T(lang, "delivery.err_network", msg)
}

type routingData struct {
	Rules       []*intake.Rule
	Departments map[string]*auth.Department
	DeptList    []*auth.Department
	Services    []intake.ServiceType
	Sensitive   map[string]bool // service codes hidden from anonymous Open311 clients
	Locked      map[string]bool // of those, the ones that stay sensitive (intake.AlwaysSensitive)
	Manage      bool
	// ManageSensitive: may change the sensitive kinds (administrators).
	ManageSensitive bool
}

func (s *Server) adminRouting(w http.ResponseWriter, r *http.Request) {
	s.showRouting(w, r, http.StatusOK, nil)
}

func (s *Server) showRouting(w http.ResponseWriter, r *http.Request, code int, fieldErrs map[string]string) {
	ri := info(r)
	rules, err := s.Intake.Rules(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	m, list, err := s.departmentsByID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	codes, err := s.Intake.SensitiveServices(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sensitive := map[string]bool{}
	for _, c := range codes {
		sensitive[c] = true
	}
	locked := map[string]bool{}
	for _, c := range intake.AlwaysSensitive {
		sensitive[c], locked[c] = true, true
	}
	v := s.newView(r, "title.routing", routingData{Rules: rules, Departments: m, DeptList: list, Services: intake.Services,
		Sensitive: sensitive, Locked: locked, Manage: ri.actor.Can(auth.PermRoutingManage), ManageSensitive: ri.actor.Can(auth.PermPartnersManage)})
	if fieldErrs != nil {
		v.Errors, v.Message = fieldErrs, "err.form"
		v.keep(r, "name", "department_id", "district", "polygon", "priority")
	}
	switch r.URL.Query().Get("notice") {
	case "created":
		v.Notice = "notice.rule_created"
	case "sensitive":
		v.Notice = "notice.sensitive_saved"
	}
	s.render(w, r, code, "admin_routing", v)
}

func (s *Server) adminRoutingCreate(w http.ResponseWriter, r *http.Request) {
	poly, ok := intake.ParsePolygon(r.PostFormValue("polygon"))
	if !ok {
		if err := info(r).actor.Require("web.routing", auth.PermRoutingManage); err != nil {
			s.fail(w, r, err)
			return
		}
		s.showRouting(w, r, http.StatusUnprocessableEntity, map[string]string{"polygon": "err.polygon"})
		return
	}
	prio, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("priority")))
	if err != nil {
		prio = 100
	}
	_, err = s.Intake.CreateRule(r.Context(), info(r).actor, intake.Rule{Name: r.PostFormValue("name"), DepartmentID: r.PostFormValue("department_id"),
		District: strings.TrimSpace(r.PostFormValue("district")), Polygon: poly, ServiceCodes: r.PostForm["service_codes"], Priority: prio})
	if errs.Is(errs.Invalid, err) {
		s.showRouting(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/routing?notice=created", http.StatusSeeOther)
}

// adminRoutingSensitive saves which kinds of help signal are sensitive:
// never shown to anonymous Open311 clients.
func (s *Server) adminRoutingSensitive(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errs.E(errs.Invalid, "web.routingSensitive", "err.invalid"))
		return
	}
	err := s.Intake.SetSensitiveServices(r.Context(), info(r).actor, r.PostForm["sensitive"])
	if errs.Is(errs.Invalid, err) {
		s.showRouting(w, r, http.StatusUnprocessableEntity, errs.FieldsOf(err))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/routing?notice=sensitive", http.StatusSeeOther)
}
