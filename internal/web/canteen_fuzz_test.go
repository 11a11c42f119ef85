package web

import (
	"strconv"
	"testing"

	"github.com/havenrescue/haven/internal/errs"
)

// FuzzParseReading: a sensor's body never panics; what it accepts has a
// unit and a number.
func FuzzParseReading(f *testing.F) {
	for _, s := range []string{`{"unit":"u1","temp_c":4}`, `{"unit":"u1","temp_c":-18.5,"at":"2026-12-01T08:00:00+08:00"}`,
		`{"unit":"u1","temp_c":"4"}`, `{}`, `[]`, `{"unit":"u1","temp_c":1e309}`, `{"unit":"u1","temp_c":4}{}`, ``, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := parseReading(body)
		if err != nil {
			if !errs.Is(errs.Invalid, err) {
				t.Fatalf("error of kind %v: %v", errs.KindOf(err), err)
			}
			return
		}
		if in.UnitID == "" {
			t.Fatal("accepted without a unit")
		}
		if _, err := strconv.ParseFloat(in.TempC, 64); err != nil {
			t.Fatalf("accepted a temperature that is not a number: %q", in.TempC)
		}
	})
}
