package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/firesafety"
)

// ---- the station's fire safety (DESIGN.md §3.8) ----

type fireAlert struct {
	firesafety.Alert
	Text string
}

type fireDuty struct {
	firesafety.DutyRow
	Text string
}

type firePage struct {
	O          *firesafety.Overview
	Alerts     []fireAlert
	More       []fireAlert // alerts past the first few, folded
	Duties     []fireDuty
	CanManage  bool
	Register   []firesafety.Item // the whole register, folded
	Kinds      []string
	ExtTypes   []string
	Slots      []string
	Findings   []int
	Operators  []firesafety.PersonRow
	Month      string
	Year       string
	Tonight    string // the night's coverage in words
	OpenForm   string // the form shown again after a refusal
	Hazards    []firesafety.HazardRow
	OldHazards []firesafety.HazardRow // closed ones, folded
}

// alertsShown is how many alerts the page lists before folding the rest.
const alertsShown = 6

func (s *Server) firePage(w http.ResponseWriter, r *http.Request) {
	s.showFire(w, r, http.StatusOK, nil, "")
}

// fireFields are every form field of the page, kept when a form is refused.
var fireFields = []string{"form", "kind", "name", "location", "ext_type", "manufactured_on", "installed_on", "last_service_on", "installed",
	"spares", "note", "code", "cp_name", "seq", "on", "inspector", "responsible", "summary", "signed", "found_on", "description", "fixed",
	"hazard_id", "measure", "deadline", "owner", "funds", "recheck_on", "recheck_note", "recheck_ok", "person_name", "cert_no", "cert_expires",
	"starts_on", "operator", "micro", "topic", "trainer", "others", "scenario", "volunteers", "volunteer_names", "evaluation", "shift_on", "slot",
	"test_on", "company", "test_note", "passed"}

func (s *Server) showFire(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	o, err := s.Fire.Overview(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := firePage{O: o, CanManage: ri.actor.Can(auth.PermFireManage), Register: o.Items, Kinds: firesafety.Kinds, ExtTypes: firesafety.ExtTypes,
		Slots: firesafety.Slots, Month: o.Today[:7], Year: o.Today[:4], Tonight: s.fireCoverageText(ri.lang, o.Tonight, s.Catalog.T(ri.lang, "fire.tonight"))}
	for i := range firesafety.MaxFindings {
		d.Findings = append(d.Findings, i)
	}
	for _, p := range o.People {
		if p.Operator {
			d.Operators = append(d.Operators, p)
		}
	}
	for i, a := range o.Alerts {
		fa := fireAlert{Alert: a, Text: s.fireAlertText(ri.lang, a)}
		if i < alertsShown {
			d.Alerts = append(d.Alerts, fa)
		} else {
			d.More = append(d.More, fa)
		}
	}
	for _, du := range o.Duties {
		d.Duties = append(d.Duties, fireDuty{DutyRow: du, Text: s.Catalog.T(ri.lang, du.Title)})
	}
	for _, h := range o.Hazards {
		if h.Closed() {
			d.OldHazards = append(d.OldHazards, h)
		} else {
			d.Hazards = append(d.Hazards, h)
		}
	}
	v := s.newView(r, "title.fire", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, fireFields...)
		for i := range firesafety.MaxFindings {
			p := "finding." + strconv.Itoa(i) + "."
			v.keep(r, p+"location", p+"description", p+"fixed")
		}
		for _, k := range []string{"attendees", "operators"} {
			for _, x := range r.Form[k] {
				v.Form.Add(k, x)
			}
		}
		d.OpenForm = r.FormValue("form")
		v.Data = d
	}
	v.Notice = map[string]string{"saved": "fire.saved"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "fire", v)
}

// fireCoverageText puts a night's patrol coverage in words, after the
// night's name (tonight, last night, or its day on the print).
func (s *Server) fireCoverageText(lang string, c firesafety.Coverage, name string) string {
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	from, to := c.From.In(chinaTime).Format("15:04"), c.To.In(chinaTime).Format("15:04")
	gap := s.Fire.Set().NightGapHours
	if !c.Started {
		return t("fire.coverage_ahead", name, from, to, gap)
	}
	return t("fire.coverage", name, from, to, c.Rounds, c.Scans, len(c.Gaps), gap)
}

// fireAlertText puts an alert in words.
func (s *Server) fireAlertText(lang string, a firesafety.Alert) string {
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	key := "fire.alert." + a.Kind
	switch a.Kind {
	case firesafety.AlertNightGap:
		return t(key, a.At.In(chinaTime).Format("01-02 15:04"), a.To.In(chinaTime).Format("01-02 15:04"),
			strconv.FormatFloat(a.To.Sub(a.At).Hours(), 'f', 1, 64))
	case firesafety.AlertMissed:
		return t(key, a.At.In(chinaTime).Format("01-02 15:04"), a.Subject)
	case firesafety.AlertOutOfSeq:
		return t(key, a.At.In(chinaTime).Format("01-02 15:04"), a.N)
	case firesafety.AlertSpares:
		return t(key, a.Subject, a.N)
	case firesafety.AlertShiftShort:
		return t(key, a.Day, t("fire.slot."+a.Subject), a.N)
	case firesafety.AlertMicroShort:
		return t(key, a.N)
	case firesafety.AlertDutyOverdue:
		return t(key, t("fire.duty."+a.Subject), a.At.In(chinaTime).Format("01-02 15:04"))
	case firesafety.AlertTrainingOld, firesafety.AlertDrillOld:
		if a.Day == "" {
			return t(key + "_never")
		}
		return t(key, a.Day)
	}
	return t(key, a.Subject, a.Day)
}

// firePost takes every form of the page; "form" says which.
func (s *Server) firePost(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), info(r).actor
	v := func(k string) string { return r.FormValue(k) }
	on := func(k string) bool { return v(k) != "" }
	var err error
	switch v("form") {
	case "equipment":
		_, err = s.Fire.AddEquipment(ctx, a, firesafety.EquipmentInput{Kind: v("kind"), Name: v("name"), Location: v("location"), ExtType: v("ext_type"),
			ManufacturedOn: v("manufactured_on"), InstalledOn: v("installed_on"), LastServiceOn: v("last_service_on"), Installed: v("installed"),
			Spares: v("spares"), Note: v("note")})
	case "checkpoint":
		_, err = s.Fire.AddCheckpoint(ctx, a, v("code"), v("cp_name"), v("seq"))
	case "inspection":
		in := firesafety.InspectionInput{On: v("on"), Inspector: v("inspector"), Responsible: v("responsible"), Summary: v("summary"), Signed: on("signed")}
		for i := range firesafety.MaxFindings {
			p := "finding." + strconv.Itoa(i) + "."
			in.Findings = append(in.Findings, firesafety.FindingInput{Location: v(p + "location"), Description: v(p + "description"), FixedOnSpot: on(p + "fixed")})
		}
		_, err = s.Fire.RecordInspection(ctx, a, in)
	case "hazard":
		_, err = s.Fire.AddHazard(ctx, a, firesafety.HazardInput{FoundOn: v("found_on"), Location: v("location"), Description: v("description"), FixedOnSpot: on("fixed")})
	case "plan":
		_, err = s.Fire.PlanHazard(ctx, a, v("hazard_id"), firesafety.PlanInput{Measure: v("measure"), Deadline: v("deadline"), Owner: v("owner"), Funds: v("funds")})
	case "recheck":
		_, err = s.Fire.RecheckHazard(ctx, a, v("hazard_id"), firesafety.RecheckInput{On: v("recheck_on"), OK: v("recheck_ok") == "yes", Note: v("recheck_note")})
	case "person":
		_, err = s.Fire.AddPerson(ctx, a, firesafety.PersonInput{Name: v("person_name"), CertNo: v("cert_no"), CertExpires: v("cert_expires"),
			StartsOn: v("starts_on"), Operator: on("operator"), Micro: on("micro")})
	case "training":
		_, err = s.Fire.RecordTraining(ctx, a, firesafety.TrainingInput{On: v("on"), Topic: v("topic"), Trainer: v("trainer"), Others: v("others"),
			Attendees: r.Form["attendees"]})
	case "drill":
		_, err = s.Fire.RecordDrill(ctx, a, firesafety.DrillInput{On: v("on"), Scenario: v("scenario"), Volunteers: v("volunteers"),
			VolunteerNames: v("volunteer_names"), Evaluation: v("evaluation"), Attendees: r.Form["attendees"]})
	case "shift":
		_, err = s.Fire.SaveShift(ctx, a, firesafety.ShiftInput{On: v("shift_on"), Slot: v("slot"), People: r.Form["operators"]})
	case "check_round":
		err = s.Fire.CheckRoundDone(ctx, a)
	default:
		if err = a.Require("web.fire", auth.PermFireManage); err == nil {
			err = errs.InvalidFields("web.fire", map[string]string{"form": "err.invalid_choice"})
		}
	}
	if err != nil {
		if errs.Is(errs.NotFound, err) { // a hazard gone from under the form
			err = errs.InvalidFields("web.fire", map[string]string{"form": "err.not_found"})
		}
		s.refused(w, r, err, s.showFire)
		return
	}
	http.Redirect(w, r, "/fire?notice=saved#"+v("form"), http.StatusSeeOther)
}

// fireTest takes the yearly full test with its report's photo.
func (s *Server) fireTest(w http.ResponseWriter, r *http.Request) {
	v := r.FormValue
	_, err := s.Fire.AddTest(r.Context(), info(r).actor, firesafety.TestInput{On: v("test_on"), Company: v("company"), CertNo: v("cert_no"),
		Note: v("test_note"), Passed: v("passed") != "no", Report: uploaded(r, "report")})
	if err != nil {
		s.refused(w, r, err, s.showFire)
		return
	}
	http.Redirect(w, r, "/fire?notice=saved#tests", http.StatusSeeOther)
}

func (s *Server) fireTestReport(w http.ResponseWriter, r *http.Request) {
	data, err := s.Fire.TestReport(r.Context(), info(r).actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

// ---- an item of the register (its QR label opens this page) ----

type fireItemPage struct {
	P         *firesafety.ItemPage
	CanManage bool
	Events    []string
}

func (s *Server) fireItem(w http.ResponseWriter, r *http.Request) {
	s.showFireItem(w, r, http.StatusOK, nil, "")
}

func (s *Server) showFireItem(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	p, err := s.Fire.EquipmentItem(r.Context(), ri.actor, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := fireItemPage{P: p, CanManage: ri.actor.Can(auth.PermFireManage), Events: []string{firesafety.EventCheck}}
	switch p.Kind {
	case firesafety.KindExtinguisher:
		d.Events = append(d.Events, firesafety.EventService)
	case firesafety.KindSprinkler:
		d.Events = append(d.Events, firesafety.EventReplacement, firesafety.EventSpares)
	}
	v := s.newView(r, "title.fire_item", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "event", "on", "count", "note", "ok")
	}
	v.Notice = map[string]string{"saved": "fire.saved"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "fire_item", v)
}

func (s *Server) fireItemPost(w http.ResponseWriter, r *http.Request) {
	v := r.FormValue
	_, err := s.Fire.RecordEvent(r.Context(), info(r).actor, r.PathValue("id"), firesafety.EventInput{Kind: v("event"), On: v("on"), Count: v("count"),
		Note: v("note"), OK: v("ok") != "no"})
	if err != nil {
		s.refused(w, r, err, s.showFireItem)
		return
	}
	http.Redirect(w, r, "/fire/equipment/"+r.PathValue("id")+"?notice=saved", http.StatusSeeOther)
}

// ---- QR labels ----

// qrSVG draws url as a QR code in SVG (crisp on any printer); medium
// error correction survives a scuffed label.
func qrSVG(url string) (template.HTML, error) {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return "", err
	}
	q.DisableBorder = false
	bm := q.Bitmap()
	n := len(bm)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" class="qr" role="img" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bm {
		for x, on := range row {
			if on {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}

type fireLabel struct {
	Code, Title, Place, URL string
	QR                      template.HTML
}

type fireLabelsPage struct {
	What   string // "equipment" or "checkpoints"
	Labels []fireLabel
}

// fireLabels prints QR labels: the register's items (or one, ?id=), or
// the patrol checkpoints (?what=checkpoints).
func (s *Server) fireLabels(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	base := s.baseURL(r)
	d := fireLabelsPage{What: "equipment"}
	add := func(code, title, place, url string) error {
		qr, err := qrSVG(url)
		d.Labels = append(d.Labels, fireLabel{Code: code, Title: title, Place: place, URL: url, QR: qr})
		return err
	}
	o, err := s.Fire.Overview(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("what") == "checkpoints" {
		d.What = "checkpoints"
		for _, c := range o.Checkpoints {
			if c.Active {
				err = add(c.Code, c.Name, s.Catalog.T(ri.lang, "fire.seq", c.Seq), base+"/fire/cp/"+c.Code)
			}
		}
	} else {
		one := r.URL.Query().Get("id")
		for _, it := range o.Items {
			if one == "" || it.ID == one {
				err = add(it.Code, it.Name, it.Location, base+"/fire/equipment/"+it.ID)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "fire_labels", s.newView(r, "title.fire_labels", d))
}

// ---- patrols on a phone ----

type firePatrolPage struct {
	O       *firesafety.Overview
	Tonight string
	Last    string
}

// firePatrol is the patrol's start: the checkpoints to pick, a field for
// a code typed from a label that will not scan, tonight's coverage.
func (s *Server) firePatrol(w http.ResponseWriter, r *http.Request) {
	if code := r.URL.Query().Get("code"); code != "" {
		c, err := s.Fire.Checkpoint(r.Context(), info(r).actor, code)
		if err != nil {
			s.refused(w, r, err, s.showFirePatrol)
			return
		}
		http.Redirect(w, r, "/fire/cp/"+c.Code, http.StatusSeeOther)
		return
	}
	s.showFirePatrol(w, r, http.StatusOK, nil, "")
}

func (s *Server) showFirePatrol(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	o, err := s.Fire.Overview(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.fire_patrol", firePatrolPage{O: o, Tonight: s.fireCoverageText(ri.lang, o.Tonight, s.Catalog.T(ri.lang, "fire.tonight")),
		Last: s.fireCoverageText(ri.lang, o.LastNight, s.Catalog.T(ri.lang, "fire.last_night"))})
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.Form.Set("code", r.URL.Query().Get("code"))
	}
	v.Notice = map[string]string{"scanned": "fire.scanned", "replayed": "fire.replayed"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "fire_patrol", v)
}

type fireCheckpointPage struct {
	C        *firesafety.Checkpoint
	Items    []string
	ClientID string
}

// newClientID is a scan form's key: sent again (a double tap, a retry on
// a bad connection) it stores the scan once.
func newClientID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// fireCheckpoint is what a checkpoint's QR code opens: its checklist.
func (s *Server) fireCheckpoint(w http.ResponseWriter, r *http.Request) {
	s.showFireCheckpoint(w, r, http.StatusOK, nil, "")
}

func (s *Server) showFireCheckpoint(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	c, err := s.Fire.Checkpoint(r.Context(), ri.actor, r.PathValue("code"))
	if err != nil {
		if errs.Is(errs.Invalid, err) {
			err = errs.E(errs.NotFound, "web.fireCheckpoint", "fire.err_no_checkpoint")
		}
		s.fail(w, r, err)
		return
	}
	d := fireCheckpointPage{C: c, Items: firesafety.Items, ClientID: newClientID()}
	v := s.newView(r, "title.fire_checkpoint", d)
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "note", "fixed", "client_id")
		for _, p := range r.Form["problems"] {
			v.Form.Add("problems", p)
		}
		d.ClientID = r.FormValue("client_id")
		v.Data = d
	}
	s.render(w, r, code, "fire_checkpoint", v)
}

// fireScan records a patrol at a checkpoint.
func (s *Server) fireScan(w http.ResponseWriter, r *http.Request) {
	_, replay, err := s.Fire.RecordScan(r.Context(), info(r).actor, firesafety.ScanInput{Code: r.PathValue("code"), ClientID: r.FormValue("client_id"),
		Problems: r.Form["problems"], Note: r.FormValue("note"), FixedOnSpot: r.FormValue("fixed") != "", Photo: uploaded(r, "photo")})
	if err != nil {
		if f := errs.FieldsOf(err); f["code"] != "" {
			s.fail(w, r, errs.E(errs.NotFound, "web.fireScan", "fire.err_no_checkpoint"))
			return
		}
		s.refused(w, r, err, s.showFireCheckpoint)
		return
	}
	notice := "scanned"
	if replay {
		notice = "replayed"
	}
	http.Redirect(w, r, "/fire/patrol?notice="+notice, http.StatusSeeOther)
}

// ---- A4 prints ----

type fireRegisterPrint struct {
	O     *firesafety.Overview
	Today string
}

func (s *Server) fireRegisterPrint(w http.ResponseWriter, r *http.Request) {
	o, err := s.Fire.Overview(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "fire_register_print", s.newView(r, "title.fire_register_print", fireRegisterPrint{O: o, Today: o.Today}))
}

func (s *Server) fireHazardsPrint(w http.ResponseWriter, r *http.Request) {
	o, err := s.Fire.Overview(r.Context(), info(r).actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "fire_hazards_print", s.newView(r, "title.fire_hazards_print", fireRegisterPrint{O: o, Today: o.Today}))
}

func (s *Server) firePatrolsPrint(w http.ResponseWriter, r *http.Request) {
	ri := info(r)
	l, err := s.Fire.Patrols(r.Context(), ri.actor, r.URL.Query().Get("month"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type night struct {
		firesafety.Coverage
		Text string
	}
	var nights []night
	for _, c := range l.Nights {
		nights = append(nights, night{Coverage: c, Text: s.fireCoverageText(ri.lang, c, s.Catalog.T(ri.lang, "fire.night_of", c.Day))})
	}
	s.render(w, r, http.StatusOK, "fire_patrols_print", s.newView(r, "title.fire_patrols_print", struct {
		L      *firesafety.PatrolLog
		Nights []night
	}{l, nights}))
}

func (s *Server) fireInspectionsPrint(w http.ResponseWriter, r *http.Request) {
	rec, err := s.Fire.Inspections(r.Context(), info(r).actor, r.URL.Query().Get("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "fire_inspections_print", s.newView(r, "title.fire_inspections_print", rec))
}

// ---- on the safety officer's and the leader's home ----

// fireHome is the home page's fire block: today's and overdue duties,
// tonight's coverage, equipment due, open hazards and certificates
// expiring; nil for those who do not keep fire safety.
type fireHome struct {
	Duties      []fireDuty
	Tonight     string
	Gaps        int
	Due         []firesafety.Item
	Hazards     []firesafety.HazardRow
	Certs       []fireAlert
	OpenHazards int
}

func (s *Server) fireHomeBlock(r *http.Request) (*fireHome, error) {
	ri := info(r)
	if s.Fire == nil || !ri.actor.Can(auth.PermFireManage) {
		return nil, nil
	}
	o, err := s.Fire.Overview(r.Context(), ri.actor)
	if err != nil {
		return nil, err
	}
	h := &fireHome{Tonight: s.fireCoverageText(ri.lang, o.Tonight, s.Catalog.T(ri.lang, "fire.tonight")), Gaps: len(o.Tonight.Gaps), Due: o.Due, OpenHazards: o.OpenHazards}
	for _, d := range o.Duties {
		h.Duties = append(h.Duties, fireDuty{DutyRow: d, Text: s.Catalog.T(ri.lang, d.Title)})
	}
	for _, x := range o.Hazards {
		if !x.Closed() {
			h.Hazards = append(h.Hazards, x)
		}
	}
	for _, a := range o.Alerts {
		if a.Kind == firesafety.AlertCertExpiring || a.Kind == firesafety.AlertCertExpired {
			h.Certs = append(h.Certs, fireAlert{Alert: a, Text: s.fireAlertText(ri.lang, a)})
		}
	}
	return h, nil
}

// fireLeaderHazards are the overdue hazards on the leader's dashboard.
func (s *Server) fireLeaderHazards(r *http.Request) ([]firesafety.HazardRow, error) {
	a := info(r).actor
	if s.Fire == nil || !a.Can(auth.PermFireView) || a.Can(auth.PermFireManage) {
		return nil, nil
	}
	return s.Fire.OverdueHazards(r.Context(), a)
}
