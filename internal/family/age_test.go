package family

import (
	"fmt"
	"testing"

	"github.com/havenrescue/haven/internal/i18n"
)

// An estimate of one year reads "约28岁", not "约28–28岁".
func TestAgeValueOfOneYear(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    Value
		want string
	}{
		{ageValue("match.v_age", 28, 28), "约28岁"},
		{ageValue("match.v_age", 25, 35), "约25–35岁"},
		{ageValue("match.v_age_found", 28, 28, "2026-05-16"), "约28岁（2026-05-16入站时估计）"},
		{ageValue("match.v_age_lost", 60, 60, "2026-01-02"), "走失时约60岁（2026-01-02）"},
	} {
		if got := cat.T("zh-CN", c.v.Key, c.v.Args...); got != c.want || fmt.Sprint(got) == c.v.Key {
			t.Errorf("%+v reads %q, want %q", c.v, got, c.want)
		}
	}
}
