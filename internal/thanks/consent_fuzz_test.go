package thanks_test

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/thanks"
)

// FuzzConsentCheck: whatever a form sends, an accepted consent has a
// known mode, a name only when named, and a name that is short, valid
// text on one line without markup.
func FuzzConsentCheck(f *testing.F) {
	for _, s := range [][2]string{{"", ""}, {"named", "张先生"}, {"anonymous", "x"}, {"named", " "}, {"named", "<b>x</b>"}, {"none", "\xff"}, {"loud", "x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, mode, name string) {
		c := thanks.Consent{Mode: mode, Name: name}
		if problems := c.Check(); problems != nil {
			if len(problems) != 1 || (problems["thanks"] == "" && problems["thanks_name"] == "") {
				t.Fatalf("%q %q: problems %v", mode, name, problems)
			}
			return
		}
		if !slices.Contains(thanks.Modes, c.Mode) || (c.Mode != thanks.Named) != (c.Name == "") {
			t.Fatalf("%q %q accepted as %+v", mode, name, c)
		}
		if !utf8.ValidString(c.Name) || utf8.RuneCountInString(c.Name) > thanks.MaxName || strings.ContainsFunc(c.Name, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == '>' }) || c.Name != strings.TrimSpace(c.Name) {
			t.Fatalf("%q %q: a name that cannot be shown: %q", mode, name, c.Name)
		}
	})
}
