package i18n_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/i18n"
)

// Chinese sentences use full-width punctuation. The exceptions describe
// what a user types: coordinates "纬度,经度; …" and times "时:分".
func TestChinesePunctuationIsFullWidth(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	typed := map[string]bool{"err.polygon": true, "routing.polygon": true}
	halfWidth := regexp.MustCompile(`[\p{Han}][,;!?()]|[,;!?()][\p{Han}]|[\p{Han}]:[^\p{Han}]|[^时]:[\p{Han}]|%s,`)
	for _, k := range c.Keys() {
		v := c.T("zh-CN", k)
		if typed[k] {
			continue
		}
		if m := halfWidth.FindString(v); m != "" {
			t.Errorf("%s: half-width punctuation %q in %q", k, m, v)
		}
	}
}

func TestDuration(t *testing.T) {
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		d      time.Duration
		zh, en string
	}{
		{0, "0 分钟", "0 min"},
		{59 * time.Second, "0 分钟", "0 min"},
		{45 * time.Minute, "45 分钟", "45 min"},
		{60 * time.Minute, "1 小时", "1 h"},
		{688 * time.Minute, "11 小时 28 分", "11 h 28 min"}, // the board's "已超时 688 分钟"
		{-688 * time.Minute, "11 小时 28 分", "11 h 28 min"},
		{24 * time.Hour, "1 天", "1 d"},
		{51*time.Hour + 59*time.Minute, "2 天 3 小时", "2 d 3 h"},
	} {
		if got := c.Duration("zh-CN", tc.d); got != tc.zh {
			t.Errorf("Duration(zh-CN, %v) = %q, want %q", tc.d, got, tc.zh)
		}
		if got := c.Duration("en", tc.d); got != tc.en {
			t.Errorf("Duration(en, %v) = %q, want %q", tc.d, got, tc.en)
		}
	}
}

// The audit log's action filter groups actions by the sort of record they
// act on: every sort that has an action needs its name (audit.domain.…).
func TestEveryAuditDomainIsNamed(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range cat.Keys() {
		code, ok := strings.CutPrefix(k, "audit.act.")
		if !ok {
			continue
		}
		domain, _, _ := strings.Cut(code, ".")
		if !cat.Has("audit.domain." + domain) {
			t.Errorf("%s: no audit.domain.%s", k, domain)
		}
	}
}
