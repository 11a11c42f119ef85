package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/errs"
)

// ---- the self-check lists (日管控、周排查、月调度) ----

type canteenChecksPage struct {
	P         *canteen.SelfCheckPage
	Lists     []string
	CanManage bool
}

func (s *Server) canteenChecks(w http.ResponseWriter, r *http.Request) {
	s.showCanteenChecks(w, r, http.StatusOK, nil, "")
}

func (s *Server) showCanteenChecks(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	list := r.FormValue("list")
	p, err := s.Canteen.SelfCheckList(r.Context(), ri.actor, list)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.canteen_checks", canteenChecksPage{P: p, Lists: canteen.Lists, CanManage: ri.actor.Can(auth.PermCanteenManage)})
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "form", "item_text", "item_id")
		for _, it := range p.Items {
			v.keep(r, "answer."+it.ID, "note."+it.ID)
		}
	}
	v.Notice = map[string]string{"saved": "canteen.saved", "retired": "canteen.item_retired"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "canteen_checks", v)
}

// parseSelfCheckForm reads a completion from the form: for each item
// offered (item ids in "item"), its verdict "answer.<id>" and its note
// "note.<id>". At most MaxItems items; unknown or repeated ids are kept
// once, for the service to judge.
func parseSelfCheckForm(form url.Values) canteen.SelfCheckInput {
	in := canteen.SelfCheckInput{List: strings.TrimSpace(form.Get("list"))}
	for _, id := range form["item"] {
		id = strings.TrimSpace(id)
		if id == "" || len(in.Answers) >= canteen.MaxItems || slices.ContainsFunc(in.Answers, func(a canteen.AnswerInput) bool { return a.ItemID == id }) {
			continue
		}
		in.Answers = append(in.Answers, canteen.AnswerInput{ItemID: id, Verdict: form.Get("answer." + id), Note: form.Get("note." + id)})
	}
	return in
}

func (s *Server) canteenChecksPost(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), info(r).actor
	var err error
	notice := "saved"
	list := r.FormValue("list")
	switch r.FormValue("form") {
	case "selfcheck":
		_, err = s.Canteen.RecordSelfCheck(ctx, a, parseSelfCheckForm(r.Form))
	case "item":
		_, err = s.Canteen.AddCheckItem(ctx, a, list, r.FormValue("item_text"), r.FormValue("item_id"))
	case "retire":
		err = s.Canteen.RetireCheckItem(ctx, a, r.FormValue("item_id"))
		notice = "retired"
	default:
		if err = a.Require("web.canteen_checks", auth.PermCanteenManage); err == nil {
			err = errs.InvalidFields("web.canteen_checks", map[string]string{"form": "err.invalid_choice"})
		}
	}
	if err != nil {
		s.refused(w, r, err, s.showCanteenChecks)
		return
	}
	http.Redirect(w, r, "/canteen/checks?list="+url.QueryEscape(list)+"&notice="+notice, http.StatusSeeOther)
}

// ---- stock on hand ----

type canteenStockPage struct {
	P         *canteen.StockPage
	CanManage bool
}

func (s *Server) canteenStock(w http.ResponseWriter, r *http.Request) {
	s.showCanteenStock(w, r, http.StatusOK, nil, "")
}

func (s *Server) showCanteenStock(w http.ResponseWriter, r *http.Request, code int, fields map[string]string, msg string) {
	ri := info(r)
	p, err := s.Canteen.Stock(r.Context(), ri.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "title.canteen_stock", canteenStockPage{P: p, CanManage: ri.actor.Can(auth.PermCanteenManage)})
	v.Errors, v.Message = fields, msg
	if fields != nil {
		v.keep(r, "purchase_id", "amount", "issue_kind", "issue_note", "confirm")
	}
	v.Notice = map[string]string{"issued": "canteen.issued"}[r.URL.Query().Get("notice")]
	s.render(w, r, code, "canteen_stock", v)
}

func (s *Server) canteenStockPost(w http.ResponseWriter, r *http.Request) {
	v := r.FormValue
	if _, err := s.Canteen.IssueStock(r.Context(), info(r).actor, canteen.IssueInput{PurchaseID: v("purchase_id"), Amount: v("amount"),
		Kind: v("issue_kind"), Note: v("issue_note"), Confirm: v("confirm") != ""}); err != nil {
		s.refused(w, r, err, s.showCanteenStock)
		return
	}
	http.Redirect(w, r, "/canteen/stock?notice=issued", http.StatusSeeOther)
}

// ---- purchase photos ----

// canteenPurchasePhoto adds a certificate or invoice photo to a purchase;
// refused, the canteen page shows the message by the purchase.
func (s *Server) canteenPurchasePhoto(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Canteen.AttachPurchasePhoto(r.Context(), info(r).actor, r.PathValue("id"), r.FormValue("file_kind"), uploaded(r, "photo")); err != nil {
		if r.Form == nil {
			r.Form = url.Values{}
		}
		r.Form.Set("form", "photo")
		r.Form.Set("purchase_id", r.PathValue("id"))
		s.refused(w, r, err, s.showCanteen)
		return
	}
	http.Redirect(w, r, "/canteen?notice=attached#purchase", http.StatusSeeOther)
}

func (s *Server) canteenPurchasePhotoFile(w http.ResponseWriter, r *http.Request) {
	data, err := s.Canteen.PurchasePhoto(r.Context(), info(r).actor, r.PathValue("id"), r.PathValue("file"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}
