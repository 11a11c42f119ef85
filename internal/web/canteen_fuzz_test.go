package web

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/havenrescue/haven/internal/canteen"
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

// FuzzParseSelfCheckForm: any form gives at most MaxItems answers, each
// for a distinct, non-empty item.
func FuzzParseSelfCheckForm(f *testing.F) {
	for _, s := range []string{"list=daily&item=a&answer.a=ok", "item=a&item=a&item=&answer.a=problem&note.a=x", "item=%00&answer.%00=ok", "", "%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		in := parseSelfCheckForm(form)
		if len(in.Answers) > canteen.MaxItems {
			t.Fatalf("%d answers", len(in.Answers))
		}
		seen := map[string]bool{}
		for _, a := range in.Answers {
			if a.ItemID == "" || seen[a.ItemID] {
				t.Fatalf("item %q empty or twice", a.ItemID)
			}
			seen[a.ItemID] = true
		}
	})
}
