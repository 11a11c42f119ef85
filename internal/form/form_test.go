package form_test

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
)

var cst = time.FixedZone("CST", 8*3600)

func TestFields(t *testing.T) {
	const today = "2026-12-01"
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC) // 10:00 CST
	for _, c := range []struct {
		name string
		read func(f form.Fields) any
		want any
		key  string // the problem noted, "" none
	}{
		{"text trimmed", func(f form.Fields) any { return f.Text("x", "  王安全 ", true, 3) }, "王安全", ""},
		{"text counts characters, not bytes", func(f form.Fields) any { return f.Text("x", "王安全", true, 3) }, "王安全", ""},
		{"text too long", func(f form.Fields) any { return f.Text("x", "王安全员", true, 3) }, "王安全员", "err.too_long"},
		{"text required", func(f form.Fields) any { return f.Text("x", " \t", true, 3) }, "", "err.required"},
		{"text optional", func(f form.Fields) any { return f.Text("x", "", false, 3) }, "", ""},
		{"text control", func(f form.Fields) any { return f.Text("x", "a\x00b", false, 3) }, "a\x00b", "err.control_chars"},
		{"text newline", func(f form.Fields) any { return f.Text("x", "a\nb", false, 3) }, "a\nb", "err.control_chars"},
		{"day", func(f form.Fields) any { return f.Day("x", " 2026-11-30 ", today, true) }, "2026-11-30", ""},
		{"day today", func(f form.Fields) any { return f.Day("x", today, today, true) }, today, ""},
		{"day ahead", func(f form.Fields) any { return f.Day("x", "2026-12-02", today, true) }, "2026-12-02", "err.date_future"},
		{"day not a day", func(f form.Fields) any { return f.Day("x", "2026-02-30", today, true) }, "", "err.date_format"},
		{"day required", func(f form.Fields) any { return f.Day("x", "", today, true) }, "", "err.required"},
		{"day optional", func(f form.Fields) any { return f.Day("x", "", today, false) }, "", ""},
		{"any day ahead", func(f form.Fields) any { return f.AnyDay("x", "2030-01-01", true) }, "2030-01-01", ""},
		{"any day format", func(f form.Fields) any { return f.AnyDay("x", "1/1/2030", false) }, "", "err.date_format"},
		{"any day required", func(f form.Fields) any { return f.AnyDay("x", "", true) }, "", "err.required"},
		{"time local", func(f form.Fields) any { return f.Time("x", "2026-12-01T09:30", now, cst) }, time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC), ""},
		{"time RFC 3339", func(f form.Fields) any { return f.Time("x", "2026-12-01T01:30:05.9Z", now, cst) },
			time.Date(2026, 12, 1, 1, 30, 5, 0, time.UTC), ""},
		{"time empty is now", func(f form.Fields) any { return f.Time("x", "", now, cst) }, now, ""},
		{"time ahead", func(f form.Fields) any { return f.Time("x", "2026-12-01T10:02", now, cst) }, time.Date(2026, 12, 1, 2, 2, 0, 0, time.UTC),
			"err.future_time"},
		{"time a minute's grace", func(f form.Fields) any { return f.Time("x", "2026-12-01T10:01", now, cst) }, time.Date(2026, 12, 1, 2, 1, 0, 0, time.UTC), ""},
		{"time garbled", func(f form.Fields) any { return f.Time("x", "tomorrow", now, cst) }, now, "err.date"},
		{"choice", func(f form.Fields) any { return f.Choice("x", "b", []string{"a", "b"}) }, "b", ""},
		{"choice not among", func(f form.Fields) any { return f.Choice("x", "c", []string{"a", "b"}) }, "c", "err.invalid_choice"},
	} {
		f := form.Fields{}
		got := c.read(f)
		if tm, ok := got.(time.Time); ok {
			if !tm.Equal(c.want.(time.Time)) {
				t.Errorf("%s: %v, want %v", c.name, tm, c.want)
			}
		} else if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
		if f["x"] != c.key || (c.key == "") != (len(f) == 0) {
			t.Errorf("%s: problems %v, want %q", c.name, f, c.key)
		}
	}
}

func TestErr(t *testing.T) {
	f := form.Fields{}
	if err := f.Err("test.Op"); err != nil {
		t.Fatalf("no problems, yet %v", err)
	}
	f.Text("name", "", true, 10)
	err := f.Err("test.Op")
	var e *errs.Error
	if !errs.Is(errs.Invalid, err) || !errors.As(err, &e) || e.Fields["name"] != "err.required" || e.Op != "test.Op" {
		t.Fatalf("problems: %#v", err)
	}
}

// FuzzFields: whatever is typed, the readers never panic, text comes back
// trimmed, and a day comes back as typed or empty, never ahead of today
// without a problem noted.
func FuzzFields(f *testing.F) {
	for _, s := range []string{"", " 王安全 ", "2026-12-01", "2026-12-01T09:30", "2026-12-01T01:30:05Z", "\x00", "9999-99-99", "\xff"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 1, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		fs := form.Fields{}
		if v := fs.Text("t", s, true, 20); v != strings.TrimSpace(s) || (fs["t"] == "" && (v == "" || utf8.RuneCountInString(v) > 20)) {
			t.Fatalf("text %q: %q %v", s, v, fs)
		}
		if d := fs.Day("d", s, "2026-12-01", false); d != "" && (d != strings.TrimSpace(s) || (d > "2026-12-01" && fs["d"] == "")) {
			t.Fatalf("day %q: %q %v", s, d, fs)
		}
		if tm := fs.Time("tm", s, now, cst); tm.After(now.Add(time.Minute)) && fs["tm"] == "" {
			t.Fatalf("time %q: %v ahead without a problem", s, tm)
		}
	})
}

func TestTextOK(t *testing.T) {
	for _, c := range []struct {
		v    string
		n    int
		want bool
	}{
		{"", 0, true},
		{"救助站", 3, true}, // characters, not bytes
		{"救助站", 2, false},
		{"abc", 3, true},
		{"abcd", 3, false},
		{"ab\xffc", 10, false}, // not UTF-8
	} {
		if got := form.TextOK(c.v, c.n); got != c.want {
			t.Errorf("TextOK(%q, %d) = %v, want %v", c.v, c.n, got, c.want)
		}
	}
}
