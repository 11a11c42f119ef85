package stats

import (
	"strconv"

	"github.com/xuri/excelize/v2"
)

// T translates a key (i18n.Catalog.T for one language).
type T func(key string, args ...any) string

// RowLabel is the words for a breakdown row: a province's name, else the
// translation of "<table key>.<group>".
func RowLabel(t T, table, group string) string {
	if table == MonthlyByOrigin.Key {
		if group == GroupUnknown {
			return t("monthly.unknown")
		}
		return ProvinceName(group)
	}
	return t(table + "." + group)
}

// MonthlyHeader is what the report's head and foot say.
type MonthlyHeader struct {
	Station     string // 填报单位
	Version     int    // 0: not submitted (the live figures)
	SubmittedBy string
	SubmittedAt string // YYYY-MM-DD HH:MM China time
}

// XLSX writes the month's figures in the layout the provincial
// department collects: the head (station, month, version), the totals,
// then each breakdown with its rows (item, person-times, share) and total, and
// the foot (who submitted, when); A4 portrait, one page wide.
func (m *MonthlyFigures) XLSX(t T, h MonthlyHeader) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sh := t("monthly.sheet")
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center"}})
	if err != nil {
		return nil, err
	}
	border := []excelize.Border{{Type: "left", Style: 1, Color: "000000"}, {Type: "right", Style: 1, Color: "000000"},
		{Type: "top", Style: 1, Color: "000000"}, {Type: "bottom", Style: 1, Color: "000000"}}
	cell, err := f.NewStyle(&excelize.Style{Border: border})
	if err != nil {
		return nil, err
	}
	head, err := f.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8E8E8"}}})
	if err != nil {
		return nil, err
	}
	row := 1
	set := func(col string, v any) error { return f.SetCellValue(sh, col+strconv.Itoa(row), v) }
	style := func(from, to string, s int) error {
		return f.SetCellStyle(sh, from+strconv.Itoa(row), to+strconv.Itoa(row), s)
	}
	// Head.
	if err := set("A", t("monthly.title")); err != nil {
		return nil, err
	}
	if err := f.MergeCell(sh, "A1", "C1"); err != nil {
		return nil, err
	}
	if err := style("A", "C", title); err != nil {
		return nil, err
	}
	row = 2
	version := t("monthly.not_submitted")
	if h.Version > 0 {
		version = t("monthly.version_n", h.Version)
	}
	for _, kv := range [][2]string{{t("monthly.station"), h.Station}, {t("monthly.month"), MonthWords(t, m.Month)}, {t("monthly.version"), version}} {
		if err := set("A", kv[0]); err != nil {
			return nil, err
		}
		if err := set("B", kv[1]); err != nil {
			return nil, err
		}
		row++
	}
	row++
	// Totals.
	if err := set("A", t("monthly.section.totals")); err != nil {
		return nil, err
	}
	if err := style("A", "A", bold); err != nil {
		return nil, err
	}
	row++
	for _, c := range []struct {
		label string
		v     any
	}{
		{t("stat.monthly.helped"), m.Helped}, {t("stat.monthly.people"), m.People},
		{t("stat.monthly.exited"), m.Exited}, {t("stat.monthly.avg_days"), m.AvgDays()},
	} {
		if err := set("A", c.label); err != nil {
			return nil, err
		}
		if err := set("B", c.v); err != nil {
			return nil, err
		}
		if err := style("A", "B", cell); err != nil {
			return nil, err
		}
		row++
	}
	// Breakdowns.
	for _, tb := range m.Tables {
		row++
		if err := set("A", t("stat."+tb.Key)); err != nil {
			return nil, err
		}
		if err := style("A", "A", bold); err != nil {
			return nil, err
		}
		row++
		for i, hd := range []string{t("monthly.col.item"), t("monthly.col.person_times"), t("monthly.col.share")} {
			if err := set(string(rune('A'+i)), hd); err != nil {
				return nil, err
			}
		}
		if err := style("A", "C", head); err != nil {
			return nil, err
		}
		row++
		for _, r := range tb.Rows {
			if err := set("A", RowLabel(t, tb.Key, r.Group)); err != nil {
				return nil, err
			}
			if err := set("B", r.N); err != nil {
				return nil, err
			}
			if err := set("C", SharePercent(Share(r.N, m.Helped))); err != nil {
				return nil, err
			}
			if err := style("A", "C", cell); err != nil {
				return nil, err
			}
			row++
		}
		label := t("monthly.total")
		if !tableAdditive(tb.Key) {
			label = t("monthly.total_people_times")
		}
		if err := set("A", label); err != nil {
			return nil, err
		}
		if err := set("B", tb.Total); err != nil {
			return nil, err
		}
		if err := style("A", "C", head); err != nil {
			return nil, err
		}
		row++
	}
	// Foot.
	row++
	if h.Version > 0 {
		if err := set("A", t("monthly.submitted_by_at", h.SubmittedBy, h.SubmittedAt)); err != nil {
			return nil, err
		}
	}
	if err := f.SetColWidth(sh, "A", "A", 34); err != nil {
		return nil, err
	}
	if err := f.SetColWidth(sh, "B", "C", 14); err != nil {
		return nil, err
	}
	a4, portrait, one := 9, "portrait", 1
	if err := f.SetPageLayout(sh, &excelize.PageLayoutOptions{Size: &a4, Orientation: &portrait, FitToWidth: &one}); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tableAdditive says whether a breakdown's rows sum to the person-times.
func tableAdditive(key string) bool {
	for _, tb := range monthlyTables {
		if tb.ind.Key == key {
			return tb.ind.Additive
		}
	}
	return true
}

// SharePercent is basis points as a percentage with one decimal ("12.5%").
func SharePercent(bp int64) string {
	return strconv.FormatFloat(float64(bp)/100, 'f', 1, 64) + "%"
}

// MonthWords is a month (YYYY-MM) in words ("2026年10月", "October 2026").
func MonthWords(t T, month string) string {
	if len(month) != 7 {
		return month
	}
	y, _ := strconv.Atoi(month[:4])
	m, _ := strconv.Atoi(month[5:])
	return t("monthly.month_words", y, t("monthly.mon."+strconv.Itoa(m)))
}
