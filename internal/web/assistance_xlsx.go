package web

import (
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/havenrescue/haven/internal/assistance"
)

// assistanceExportLimit bounds one workbook of referrals: a station sends
// some hundreds a year, so a workbook that reaches it says so in its last
// row rather than reading without end.
const assistanceExportLimit = 5000

// assistanceXLSX is the list of social-assistance referrals (the same
// state filter as /assistance) as a workbook: a row a referral, approved
// amounts in yuan as numbers with two decimals. It reads through the
// service as the page does, so each person's read is audited and the
// roles that may see the page are the roles that may download it.
func (s *Server) assistanceXLSX(w http.ResponseWriter, r *http.Request) {
	ctx, a := r.Context(), info(r).actor
	f := assistance.Filter{Limit: assistanceExportLimit + 1}
	if st := r.URL.Query().Get("state"); st != "" {
		f.States = []string{st}
	}
	rs, err := s.Assistance.Referrals(ctx, a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cut := len(rs) > assistanceExportLimit
	if cut {
		rs = rs[:assistanceExportLimit]
	}
	lang := info(r).lang
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	book, money, bold, err := workbook()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer book.Close()
	sheet := t("assistance.xlsx_sheet")
	_ = book.SetSheetName("Sheet1", sheet)
	head := []any{t("assistance.ref"), t("person.name"), t("assistance.programme"), t("assistance.region"), t("assistance.office_col"),
		t("assistance.sent_at"), t("assistance.due_at"), t("assistance.state"), t("assistance.answered_at"), t("assistance.amount"),
		t("assistance.start_on"), t("assistance.reason")}
	_ = book.SetSheetRow(sheet, "A1", &head)
	_ = book.SetRowStyle(sheet, 1, 1, bold)
	for i, rf := range rs {
		region := rf.Region
		if region == "" {
			region = t("assistance.region_unknown")
		}
		var amount any = ""
		if rf.State == assistance.Approved {
			amount = float64(rf.AmountFen) / 100
		}
		vals := []any{rf.Ref, rf.Who(), t("assistance.prog." + rf.Programme), region, rf.Office,
			datetimeText(rf.SentAt), dateText(rf.DueDay()), t("assistance.state." + rf.State), dateText(rf.AnsweredAt),
			amount, rf.StartOn, rf.Reason}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = book.SetSheetRow(sheet, cell, &vals)
	}
	if n := len(rs); n > 0 {
		_ = book.SetCellStyle(sheet, "J2", "J"+strconv.Itoa(n+1), money)
	}
	if cut {
		cell, _ := excelize.CoordinatesToCellName(1, len(rs)+2)
		_ = book.SetCellValue(sheet, cell, t("assistance.xlsx_cut", assistanceExportLimit))
	}
	_ = book.SetColWidth(sheet, "A", "B", 14)
	_ = book.SetColWidth(sheet, "C", "E", 20)
	_ = book.SetColWidth(sheet, "F", "F", 17)
	s.sendWorkbook(w, r, book, "assistance-referrals.xlsx")
}
