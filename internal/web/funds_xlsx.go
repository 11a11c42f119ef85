package web

import (
	"net/http"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// fundsReportXLSX is the budget against actual and the ledger of a budget
// as a workbook: one sheet each, amounts in yuan as numbers with two
// decimals (the ledger itself keeps fen).
func (s *Server) fundsReportXLSX(w http.ResponseWriter, r *http.Request) {
	d, err := s.budgetData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := info(r).lang
	t := func(key string, args ...any) string { return s.Catalog.T(lang, key, args...) }
	f, money, bold, err := workbook()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	yuanOf := func(fen int64) float64 { return float64(fen) / 100 }

	// Sheet 1: budget against actual.
	sheet := t("funds.xlsx.report_sheet")
	_ = f.SetSheetName("Sheet1", sheet)
	head := []any{t("funds.line"), t("funds.group"), t("funds.budget_amount")}
	for m := 1; m <= 12; m++ {
		head = append(head, t("funds.month_n", m))
	}
	head = append(head, t("funds.ytd"), t("funds.spent"), t("funds.left"), t("funds.approved_unpaid"))
	_ = f.SetSheetRow(sheet, "A1", &head)
	_ = f.SetRowStyle(sheet, 1, 1, bold)
	row := 2
	for _, rl := range d.Report.Lines {
		vals := []any{t("funds.line." + rl.Line.Code), t("funds.group." + rl.Line.Group), yuanOf(rl.Line.AmountFen)}
		for _, m := range rl.Months {
			vals = append(vals, yuanOf(m))
		}
		vals = append(vals, yuanOf(rl.YTD), yuanOf(rl.Line.SpentFen), yuanOf(rl.Line.Left()), yuanOf(rl.Approved))
		cell, _ := excelize.CoordinatesToCellName(1, row)
		_ = f.SetSheetRow(sheet, cell, &vals)
		row++
	}
	total := []any{t("funds.total"), "", yuanOf(d.Report.Amount)}
	for _, m := range d.Report.Months {
		total = append(total, yuanOf(m))
	}
	var spent int64
	for _, l := range d.Budget.Lines {
		spent += l.SpentFen
	}
	total = append(total, yuanOf(d.Report.YTD), yuanOf(spent), yuanOf(d.Report.Amount-spent))
	cell, _ := excelize.CoordinatesToCellName(1, row)
	_ = f.SetSheetRow(sheet, cell, &total)
	_ = f.SetRowStyle(sheet, row, row, bold)
	last, _ := excelize.CoordinatesToCellName(len(head), row)
	_ = f.SetCellStyle(sheet, "C2", last, money)
	_ = f.SetColWidth(sheet, "A", "A", 22)

	// Sheet 2: the ledger.
	lsheet := t("funds.xlsx.ledger_sheet")
	if _, err := f.NewSheet(lsheet); err != nil {
		s.fail(w, r, err)
		return
	}
	lhead := []any{t("funds.at"), t("funds.line"), t("funds.entry_kind"), t("funds.amount"), t("funds.ref"), t("funds.note"), t("funds.by")}
	_ = f.SetSheetRow(lsheet, "A1", &lhead)
	_ = f.SetRowStyle(lsheet, 1, 1, bold)
	for i, e := range d.Ledger {
		vals := []any{datetimeText(e.At), t("funds.line." + e.LineCode), t("funds.entry." + e.Kind), yuanOf(e.AmountFen),
			e.ExpenseRef, e.Note, e.ByName}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = f.SetSheetRow(lsheet, cell, &vals)
	}
	if n := len(d.Ledger); n > 0 {
		_ = f.SetCellStyle(lsheet, "D2", "D"+strconv.Itoa(n+1), money)
	}
	_ = f.SetColWidth(lsheet, "A", "A", 18)

	s.sendWorkbook(w, r, f, "budget-"+strconv.Itoa(d.Budget.Year)+".xlsx")
}
