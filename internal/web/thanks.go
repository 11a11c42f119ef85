package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/thanks"
)

// ---- public thanks to donors who consent (issue 20) ----

// consentOf reads the thanks fields of a donation form: "thanks" (the
// mode) and "thanks_name" (the name the donor chose).
func consentOf(r *http.Request) thanks.Consent {
	return thanks.Consent{Mode: r.FormValue("thanks"), Name: r.FormValue("thanks_name")}
}

// giveThanksShown is how many lines of thanks the giving page shows; the
// rest are on /give/thanks.
const giveThanksShown = 8

type thanksData struct {
	Lines []*thanks.Line
	More  bool // the giving page shows the first lines only
}

// giveThanksPage is the public thanks: the last year's donors who
// consented, by the name they chose or as an anonymous donor, and what
// they gave (money, or the goods by name) in which month, without
// amounts or quantities.
func (s *Server) giveThanksPage(w http.ResponseWriter, r *http.Request) {
	lines, err := s.Thanks.Public(r.Context(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "give_thanks", s.newView(r, "title.give_thanks", &thanksData{Lines: lines}))
}

// ---- the coordinator: donors' consents ----

type thanksStaffData struct {
	Gifts []*thanks.Gift
	Modes []string
}

func (s *Server) thanksStaffPage(w http.ResponseWriter, r *http.Request) {
	s.showThanksStaff(w, r, http.StatusOK, nil, "")
}

func (s *Server) showThanksStaff(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	gifts, err := s.Thanks.Gifts(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.thanks_staff", &thanksStaffData{Gifts: gifts, Modes: thanks.Modes})
	v.Errors, v.Message = fields, msg
	if r.Method == http.MethodPost {
		// The row that came back with a problem keeps what was entered.
		v.keep(r, "kind", "gift_id", "thanks", "thanks_name")
	}
	if r.URL.Query().Get("notice") == "saved" {
		v.Notice = "thanks.notice_saved"
	}
	s.render(w, r, code, "thanks_staff", v)
}

// thanksSet records a donor's consent given, changed or withdrawn later.
func (s *Server) thanksSet(w http.ResponseWriter, r *http.Request) {
	kind, giftID := r.FormValue("kind"), r.FormValue("gift_id")
	if err := s.Thanks.Set(r.Context(), info(r).actor, kind, giftID, consentOf(r)); err != nil {
		s.refused(w, r, err, s.showThanksStaff)
		return
	}
	http.Redirect(w, r, "/volunteers/thanks?notice=saved#gift-"+url.PathEscape(giftID), http.StatusSeeOther)
}

// yearMonthText writes a YYYY-MM month as people read it: 2024年11月,
// November 2024.
func yearMonthText(cat *i18n.Catalog, lang, ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	if lang == "en" {
		return t.Format("January 2006")
	}
	return cat.T(lang, "thanks.year_month", t.Year(), int(t.Month()))
}

// gaveText says what a line's donor gave, without amounts: money, and the
// goods by name.
func gaveText(cat *i18n.Catalog, lang string, l *thanks.Line) string {
	var parts []string
	if l.Money {
		parts = append(parts, cat.T(lang, "thanks.gave_money"))
	}
	parts = append(parts, l.Items...)
	return cat.T(lang, "thanks.gave", strings.Join(parts, cat.T(lang, "list.sep")))
}
