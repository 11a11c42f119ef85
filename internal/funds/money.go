package funds

import (
	"strconv"
	"strings"
)

// MaxFen is the largest amount Haven takes in one entry: 100 million yuan,
// more than any station's yearly budget, far below int64's limit.
const MaxFen int64 = 100_000_000 * 100

// ParseYuan reads an amount of yuan as people type it ("12", "12.5",
// "12.50", "1,200.00" is refused: no separators) and returns it in fen.
// It never goes through floating point. Zero, negative amounts, more than
// two decimals, anything but digits and one point, and amounts above
// MaxFen are refused (ok false).
func ParseYuan(s string) (fen int64, ok bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "¥")
	s = strings.TrimPrefix(s, "￥")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 || dot && frac == "" {
		return 0, false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, false
	}
	var f int64
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
		if len(frac) == 1 {
			f *= 10
		}
	}
	fen = w*100 + f
	if fen <= 0 || fen > MaxFen {
		return 0, false
	}
	return fen, true
}

// FormatFen shows an amount in fen as yuan with two decimals: "1234.50",
// "-3.05".
func FormatFen(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	c := strconv.FormatInt(fen%100, 10)
	if len(c) == 1 {
		c = "0" + c
	}
	return sign + strconv.FormatInt(fen/100, 10) + "." + c
}
