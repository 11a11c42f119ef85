// Package form reads the fields of a typed form: each reader returns the
// value as it will be stored and notes a field's problem as the
// translation key the page shows next to it.
package form

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/errs"
)

// Fields maps a field's name to the translation key of its problem; a
// domain adds its own keys to it directly.
type Fields map[string]string

// Err is nil when no field has a problem, else an Invalid error with the
// fields (op names the operation).
func (f Fields) Err(op string) error {
	if len(f) == 0 {
		return nil
	}
	return errs.InvalidFields(op, f)
}

// TextOK reports whether v is valid UTF-8 of at most n characters: the
// check of a free-text field that a domain reads itself.
func TextOK(v string, n int) bool { return utf8.ValidString(v) && utf8.RuneCountInString(v) <= n }

// Text reads a line of text, trimmed: at most max characters, no control
// characters, and not empty when required.
func (f Fields) Text(name, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "" && required:
		f[name] = "err.required"
	case len([]rune(v)) > max:
		f[name] = "err.too_long"
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		f[name] = "err.control_chars"
	}
	return v
}

// AnyDay reads a day "2006-01-02" that may lie ahead (a deadline, a
// certificate's expiry); empty when it is not one.
func (f Fields) AnyDay(name, v string, required bool) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			f[name] = "err.required"
		}
		return ""
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		f[name] = "err.date_format"
		return ""
	}
	return v
}

// Day reads a day "2006-01-02" not after today (in the same form).
func (f Fields) Day(name, v, today string, required bool) string {
	v = f.AnyDay(name, v, required)
	if v > today {
		f[name] = "err.date_future"
	}
	return v
}

// Time reads a date and time "2006-01-02T15:04" in loc, or RFC 3339, not
// after now (a minute's grace for a slow clock); empty: now.
func (f Fields) Time(name, v string, now time.Time, loc *time.Location) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return now
	}
	t, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
	if err != nil {
		t, err = time.Parse(time.RFC3339, v)
	}
	if err != nil {
		f[name] = "err.date"
		return now
	}
	if t.After(now.Add(time.Minute)) {
		f[name] = "err.future_time"
	}
	return t.UTC().Truncate(time.Second)
}

// Choice reads one of among, as given.
func (f Fields) Choice(name, v string, among []string) string {
	if !slices.Contains(among, v) {
		f[name] = "err.invalid_choice"
	}
	return v
}
