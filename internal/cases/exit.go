package cases

import (
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/idcard"

	"github.com/havenrescue/haven/internal/form"
)

// ExitKind is how a stay ends (离站).
type ExitKind string

const (
	ExitReturnHome ExitKind = "return_home" // 返乡, with a travel voucher
	ExitEscorted   ExitKind = "escorted"    // 护送返乡
	ExitFamily     ExitKind = "family"      // 亲属接回
	ExitSelf       ExitKind = "self"        // 自行离站, with a signed statement
	ExitTransfer   ExitKind = "transfer"    // 转移 to another station or institution
	ExitPlacement  ExitKind = "placement"   // 安置 / 托养
	ExitHospital   ExitKind = "hospital"    // 送医 and discharged from the station
	ExitDeath      ExitKind = "death"
	// ExitAbsconded is leaving without notice (擅自离站): the person was
	// gone; staff record when it was noticed and what was done (notes).
	ExitAbsconded ExitKind = "absconded"
)

// ExitKinds lists the kinds.
var ExitKinds = []ExitKind{ExitReturnHome, ExitEscorted, ExitFamily, ExitSelf, ExitTransfer, ExitPlacement, ExitHospital, ExitDeath, ExitAbsconded}

// MaxCashFen is the most cash a person may be given, for short local
// transit only, with a signed receipt: 20 yuan.
const MaxCashFen = 2000

// Voucher is a travel voucher (乘车凭证) or, for short local transit, cash.
type Voucher struct {
	Mode          string `json:"mode"` // "ticket" or "cash"
	Route         string `json:"route"`
	TicketNo      string `json:"ticket_no"`
	CostFen       int    `json:"cost_fen"`
	LocalTransit  bool   `json:"local_transit"`
	ReceiptSigned bool   `json:"receipt_signed"`
}

// Collector is the person who collects someone (亲属接回).
type Collector struct {
	Name     string `json:"name"`
	Relation string `json:"relation"`
	IDSealed string `json:"id_sealed"` // sealed ("persons.collector_id")
	IDMasked string `json:"id_masked"`
	Checked  bool   `json:"checked"` // staff saw the document
}

// ExitRecord is what the exit form records (在站服务及离站登记表).
type ExitRecord struct {
	Destination string     `json:"destination"` // home address, institution or hospital
	Voucher     *Voucher   `json:"voucher,omitempty"`
	Escorts     string     `json:"escorts,omitempty"` // staff who escort
	Collector   *Collector `json:"collector,omitempty"`
	Statement   bool       `json:"statement,omitempty"` // 自行离站声明书 signed
	Cause       string     `json:"cause,omitempty"`     // death: cause and certificate
	Services    string     `json:"services,omitempty"`  // services received during the stay
	Notes       string     `json:"notes,omitempty"`
}

// ExitInput is the exit form as submitted.
type ExitInput struct {
	Kind        ExitKind
	At          time.Time
	Destination string
	Voucher     Voucher
	Escorts     string
	Collector   struct {
		Name, Relation, IDNumber string
		Checked                  bool
	}
	Statement bool
	Cause     string
	Services  string
	Notes     string
	Returns   map[string]Return // by belonging id
}

// Return is one belonging handed back.
type Return struct {
	Qty  int
	Note string
}

// checkExit validates an exit of p's stay st against the rules; it
// returns field errors keyed by form field.
func checkExit(in *ExitInput, st *Stay, p *Person, items []*Belonging, now time.Time) map[string]string {
	f := map[string]string{}
	in.Destination, in.Escorts, in.Cause, in.Notes = strings.TrimSpace(in.Destination), strings.TrimSpace(in.Escorts), strings.TrimSpace(in.Cause), strings.TrimSpace(in.Notes)
	known := false
	for _, k := range ExitKinds {
		known = known || k == in.Kind
	}
	if !known {
		f["kind"] = "err.invalid_choice"
		return f
	}
	switch {
	case in.At.IsZero():
		f["at"] = "err.required"
	case in.At.Before(st.ArrivedAt.Truncate(time.Minute)): // forms give minutes
		f["at"] = "err.exit_before_arrival"
	case in.At.After(now.Add(5 * time.Minute)):
		f["at"] = "err.in_future"
	}
	alone := p.CannotTravelAlone(in.At)
	switch in.Kind {
	case ExitReturnHome:
		if alone {
			f["kind"] = "err.needs_escort"
		}
		if in.Destination == "" {
			f["destination"] = "err.required"
		}
		v := in.Voucher
		switch v.Mode {
		case "ticket":
			if strings.TrimSpace(v.Route) == "" {
				f["voucher_route"] = "err.required"
			}
			if v.CostFen <= 0 {
				f["voucher_cost"] = "err.voucher_cost"
			}
		case "cash":
			if v.CostFen <= 0 || v.CostFen > MaxCashFen || !v.LocalTransit || !v.ReceiptSigned {
				f["voucher_cost"] = "err.cash_rule"
			}
		default:
			f["voucher_mode"] = "err.voucher_required"
		}
	case ExitEscorted:
		if in.Escorts == "" {
			f["escorts"] = "err.required"
		}
		if in.Destination == "" {
			f["destination"] = "err.required"
		}
	case ExitFamily:
		if strings.TrimSpace(in.Collector.Name) == "" {
			f["collector_name"] = "err.required"
		}
		if strings.TrimSpace(in.Collector.Relation) == "" {
			f["collector_relation"] = "err.required"
		}
		if _, err := idcard.Parse(in.Collector.IDNumber, now); err != nil {
			f["collector_id"] = err.(*idcard.Error).Key
		}
		if !in.Collector.Checked {
			f["collector_checked"] = "err.collector_unchecked"
		}
	case ExitSelf:
		if alone {
			f["kind"] = "err.needs_escort"
		}
		if !in.Statement {
			f["statement"] = "err.statement_required"
		}
	case ExitTransfer, ExitPlacement, ExitHospital:
		if in.Destination == "" {
			f["destination"] = "err.required"
		}
	case ExitDeath:
		if in.Cause == "" {
			f["cause"] = "err.required"
		}
	case ExitAbsconded:
		if in.Notes == "" {
			f["notes"] = "err.required"
		}
	}
	// Every belonging is handed back, item by item; a different count
	// needs a note (a discrepancy).
	for _, b := range items {
		r, ok := in.Returns[b.ID]
		switch {
		case !ok:
			f["return_"+b.ID] = "err.belonging_unreturned"
		case r.Qty < 0 || r.Qty > b.Qty:
			f["return_"+b.ID] = "err.return_qty"
		case r.Qty != b.Qty && strings.TrimSpace(r.Note) == "":
			f["return_"+b.ID] = "err.discrepancy_note"
		}
	}
	for _, s := range []string{in.Destination, in.Escorts, in.Cause, in.Notes, in.Services, in.Voucher.Route} {
		if !form.TextOK(s, textMaxRunes) {
			f["notes"] = "err.too_long"
		}
	}
	return f
}
