package web

import (
	"testing"

	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
)

func TestTempC(t *testing.T) {
	for in, want := range map[float64]string{36.2 + 0.7: "36.9", 36.900000000000006: "36.9", 37: "37.0", 35.14: "35.1", 38.25: "38.3", 39.96: "40.0"} {
		if got := tempC(in); got != want {
			t.Errorf("tempC(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestQty(t *testing.T) {
	for in, want := range map[float64]string{1: "1", 1.5: "1.5", 1.1 - 1: "0.1", 2.675: "2.68", 0.3333: "0.33"} {
		if got := qty(in); got != want {
			t.Errorf("qty(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestYuan(t *testing.T) {
	for _, c := range []struct {
		fen  any
		want string
	}{{3550, "35.50"}, {int64(5), "0.05"}, {0, "0.00"}, {int64(123456789), "1234567.89"}, {-150, "-1.50"}, {-5, "-0.05"}} {
		got, err := yuan(c.fen)
		if err != nil || got != c.want {
			t.Errorf("yuan(%v) = %q, %v; want %q", c.fen, got, err, c.want)
		}
	}
	if _, err := yuan(35.5); err == nil {
		t.Error("yuan takes a float: money is held in integer fen")
	}
}

func TestVitals(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	d := health.CheckData{TempC: 36.2 + 0.7, Pulse: 82, BPSys: 120, BPDia: 80, SpO2: 97, Resp: 16}
	for lang, want := range map[string]string{
		"zh-CN": "体温 36.9℃ · 脉搏 82 次/分 · 血压 120/80 mmHg · 血氧 97% · 呼吸 16 次/分",
		"en":    "Temp 36.9 °C · Pulse 82/min · BP 120/80 mmHg · SpO₂ 97% · Resp 16/min",
	} {
		if got := vitals(cat, lang, d); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := vitals(cat, "zh-CN", health.CheckData{Pulse: 60}); got != "脉搏 60 次/分" {
		t.Errorf("only the pulse taken: %q", got)
	}
}
