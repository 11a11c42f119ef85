package i18n_test

import (
	"regexp"
	"testing"

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
