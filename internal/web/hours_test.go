package web

import (
	"fmt"
	"testing"

	"github.com/havenrescue/haven/internal/points"
)

func TestHoursText(t *testing.T) {
	for _, c := range []struct{ in, zh, en string }{
		{"24h", "全天24小时", "24 hours"},
		{"daily 20:00-07:00+1", "每天 20:00–次日07:00", "daily 20:00–07:00 (next day)"},
		{"mon-fri 08:30-17:30; sat 09:00-12:00", "周一至周五 08:30–17:30；周六 09:00–12:00", "Mon–Fri 08:30–17:30; Sat 09:00–12:00"},
		{"sat-sun 09:00-17:00", "周六、周日 09:00–17:00", "Sat, Sun 09:00–17:00"},
		{"not hours", "not hours", "not hours"},
	} {
		if got := hoursText("zh-CN", c.in); got != c.zh {
			t.Errorf("zh %q: %q, want %q", c.in, got, c.zh)
		}
		if got := hoursText("en", c.in); got != c.en {
			t.Errorf("en %q: %q, want %q", c.in, got, c.en)
		}
		// The edit form shows the hours as read: saved again, they mean
		// the same.
		want, err := points.ParseHours(c.in)
		if err != nil {
			continue
		}
		for _, shown := range []string{c.zh, c.en} {
			got, err := points.ParseHours(shown)
			if err != nil {
				t.Errorf("%q shown as %q does not read back: %v", c.in, shown, err)
				continue
			}
			if got.Always != want.Always || fmt.Sprint(got.Spans) != fmt.Sprint(want.Spans) {
				t.Errorf("%q shown as %q reads back as %v, want %v", c.in, shown, got.Spans, want.Spans)
			}
		}
	}
}
