package web_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/auth"
)

// The README's table of demo accounts says which pages each one opens: it
// must agree with the route × role matrix, both ways (no page claimed that
// the role cannot open, no main page of the role left out).
func TestREADMEAccountTableMatchesMatrix(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "### Which demo account opens which page")
	if !ok {
		t.Fatal("the README has no table of demo accounts")
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z]+)` \\| [^|]+ \\| ([^|]+) \\|$")
	path := regexp.MustCompile("`(/[^`]*)`")
	rows := map[auth.Role][]string{}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		for _, p := range path.FindAllStringSubmatch(m[2], -1) {
			rows[auth.Role(m[1])] = append(rows[auth.Role(m[1])], p[1])
		}
		if _, ok := rows[auth.Role(m[1])]; !ok {
			rows[auth.Role(m[1])] = nil
		}
	}
	opens := func(r auth.Role, pattern string) bool {
		a := matrix[pattern]
		return a.kind == kindRoles && slices.Contains(a.roles, r)
	}
	for _, r := range auth.Roles {
		listed, ok := rows[r]
		if !ok {
			t.Errorf("the README's table has no row for the %s account", r)
			continue
		}
		for _, p := range listed {
			pattern := "GET " + p
			if strings.HasSuffix(p, "/") && p != "/" {
				pattern += "{$}"
			}
			if !opens(r, pattern) {
				t.Errorf("README: %s opens %s, but the matrix says it does not", r, p)
			}
		}
		for pattern := range matrix {
			p, isGet := strings.CutPrefix(pattern, "GET ")
			p = strings.TrimSuffix(p, "{$}")
			main := isGet && !strings.Contains(p, "{") && !strings.HasSuffix(p, "/new") && !strings.HasSuffix(p, ".json") &&
				!strings.HasSuffix(p, ".js") && !strings.HasSuffix(p, "/events")
			if main && opens(r, pattern) && !slices.Contains(listed, p) {
				t.Errorf("README: the row of %s leaves out %s, which it opens", r, p)
			}
		}
	}
}
