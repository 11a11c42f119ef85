package funds_test

import (
	"testing"

	"github.com/havenrescue/haven/internal/funds"
)

func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{
		"12":           1200,
		"12.5":         1250,
		"12.50":        1250,
		"0.01":         1,
		" 24.05 ":      2405,
		"¥3":           300,
		"007":          700,
		"100000000.00": funds.MaxFen,
	} {
		if got, ok := funds.ParseYuan(in); !ok || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "0", "0.00", "-1", "-0.5", "12.345", "12.", ".5", "1,200", "1e3", "12.5.0", "+3", "１２", "NaN",
		"100000000.01", "9999999999", " . "} {
		if got, ok := funds.ParseYuan(in); ok {
			t.Errorf("ParseYuan(%q) = %d, accepted", in, got)
		}
	}
}

func TestFormatFen(t *testing.T) {
	for fen, want := range map[int64]string{0: "0.00", 5: "0.05", 1250: "12.50", -305: "-3.05", 123456789: "1234567.89"} {
		if got := funds.FormatFen(fen); got != want {
			t.Errorf("FormatFen(%d) = %q, want %q", fen, got, want)
		}
	}
}

// FuzzParseYuan: whatever is typed, an accepted amount is positive, at
// most MaxFen, and reads back the same from its formatted text.
func FuzzParseYuan(f *testing.F) {
	for _, s := range []string{"12.5", "0.01", "12.345", "-1", "1e9", "100000000.00", "¥7", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fen, ok := funds.ParseYuan(s)
		if !ok {
			if fen != 0 {
				t.Fatalf("refused %q but returned %d", s, fen)
			}
			return
		}
		if fen <= 0 || fen > funds.MaxFen {
			t.Fatalf("%q gave %d", s, fen)
		}
		back, ok := funds.ParseYuan(funds.FormatFen(fen))
		if !ok || back != fen {
			t.Fatalf("%q → %d → %q → %d", s, fen, funds.FormatFen(fen), back)
		}
	})
}
