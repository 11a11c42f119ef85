package stats

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSX writes the report as a workbook: a summary sheet (an indicator a
// row, a department a column, the total last), the daily curve (a day a
// row, an indicator a column) and the breakdowns (by channel, item …).
func (r *Report) XLSX(n Names) ([]byte, error) {
	t, deptName := n.T, n.Department
	f := excelize.NewFile()
	defer f.Close()
	summary, daily, groups := t("stat.sheet_summary"), t("stat.sheet_daily"), t("stat.sheet_breakdown")
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return nil, err
	}
	for _, s := range []string{daily, groups} {
		if _, err := f.NewSheet(s); err != nil {
			return nil, err
		}
	}
	var err error
	set := func(sheet string, col, row int, v any) {
		if err != nil {
			return
		}
		var cell string
		if cell, err = excelize.CoordinatesToCellName(col, row); err == nil {
			err = f.SetCellValue(sheet, cell, v)
		}
	}
	value := func(u Unit, n int64) any {
		if u.Value(n) == float64(n) {
			return n
		}
		return u.Value(n)
	}
	title := r.Title
	if title == "" {
		title = t("stat.report")
	}
	set(summary, 1, 1, title)
	set(summary, 1, 2, t("stat.period_value", r.Scope.Period.From, r.Scope.Period.To))
	set(summary, 1, 3, t("stat.indicator"))
	set(summary, 2, 3, t("stat.unit"))
	for i, d := range r.Departments {
		set(summary, 3+i, 3, deptName(d))
	}
	total := 3 + len(r.Departments)
	set(summary, total, 3, t("stat.total"))
	for i, l := range r.Lines {
		row := 4 + i
		u := l.Indicator.Unit
		set(summary, 1, row, t(l.Indicator.Name()))
		set(summary, 2, row, t(u.Label()))
		for j, d := range r.Departments {
			set(summary, 3+j, row, value(u, l.ByDepartment[d.ID]))
		}
		set(summary, total, row, value(u, l.Total))
	}
	set(daily, 1, 1, t("stat.day"))
	for i, c := range r.Curves {
		set(daily, 2+i, 1, t(c.Indicator.Name()))
	}
	for d, day := range r.Days {
		set(daily, 1, 2+d, day)
		for i, c := range r.Curves {
			set(daily, 2+i, 2+d, c.Values[d])
		}
	}
	row := 1
	for _, b := range r.Breakdowns {
		set(groups, 1, row, t(b.Indicator.Name()))
		row++
		for _, g := range b.Rows {
			set(groups, 1, row, n.Group(b.Indicator.Grouped, g.Group))
			set(groups, 2, row, value(b.Indicator.Unit, g.N))
			row++
		}
		row++
	}
	if err != nil {
		return nil, fmt.Errorf("stats: report workbook: %w", err)
	}
	_ = f.SetColWidth(summary, "A", "A", 28)
	_ = f.SetColWidth(daily, "A", "A", 12)
	_ = f.SetColWidth(groups, "A", "A", 24)
	var buf *bytes.Buffer
	if buf, err = f.WriteToBuffer(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Names puts a report's keys in the reader's words: T translates a key
// with its arguments, Department names a department ("" is the records of
// no department), Group names a breakdown value (a channel, a kind of
// help, an exit, an item).
type Names struct {
	T          func(key string, args ...any) string
	Department func(Department) string
	Group      func(grouped, value string) string
}
