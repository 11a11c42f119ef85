package web

import (
	"net/http"

	"github.com/xuri/excelize/v2"
)

// workbook is a new workbook with the two styles Haven's sheets use: money
// (yuan with two decimals, a number to the spreadsheet) and bold (a
// header or total row). The caller closes it.
func workbook() (f *excelize.File, money, bold int, err error) {
	f = excelize.NewFile()
	if money, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("#,##0.00")}); err == nil {
		bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	}
	if err != nil {
		f.Close()
		return nil, 0, 0, err
	}
	return f, money, bold, nil
}

// sendWorkbook answers with f as a download named filename.
func (s *Server) sendWorkbook(w http.ResponseWriter, r *http.Request, f *excelize.File, filename string) {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	if err := f.Write(w); err != nil {
		s.Logger.Error("xlsx", "request_id", info(r).id, "err", err)
	}
}

func ptr[T any](v T) *T { return &v }
