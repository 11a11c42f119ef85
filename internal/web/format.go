package web

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
)

// Measured values and money are shown with their unit's precision, here
// and nowhere else: a float that arithmetic made (36.2 + 0.7) prints as
// 36.900000000000006 through {{.}}.

// tempC is a body temperature to 0.1 ℃, a clinical thermometer's step.
func tempC(c float64) string { return strconv.FormatFloat(math.Round(c*10)/10, 'f', 1, 64) }

// qty is a quantity as written (1, 1.5), to at most two decimals.
func qty(q float64) string {
	return strconv.FormatFloat(math.Round(q*100)/100, 'f', -1, 64)
}

// yuan shows an amount held in integer fen as yuan with two decimals.
// Templates hand it an int or an int64.
func yuan(fen any) (string, error) {
	var n int64
	switch v := fen.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	default:
		return "", fmt.Errorf("yuan: %T is not an amount in fen", fen)
	}
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	return fmt.Sprintf("%s%d.%02d", sign, n/100, n%100), nil
}

// vitals is a health check's measurements in one line, each with its
// name and unit in the page's language; the ones not taken are left out.
func vitals(cat *i18n.Catalog, lang string, d health.CheckData) string {
	var parts []string
	if d.TempC != 0 {
		parts = append(parts, cat.T(lang, "vital.temp", tempC(d.TempC)))
	}
	if d.Pulse != 0 {
		parts = append(parts, cat.T(lang, "vital.pulse", d.Pulse))
	}
	if d.BPSys != 0 {
		parts = append(parts, cat.T(lang, "vital.bp", d.BPSys, d.BPDia))
	}
	if d.SpO2 != 0 {
		parts = append(parts, cat.T(lang, "vital.spo2", d.SpO2))
	}
	if d.Resp != 0 {
		parts = append(parts, cat.T(lang, "vital.resp", d.Resp))
	}
	return strings.Join(parts, " · ")
}
