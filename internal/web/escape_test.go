package web

import (
	"bytes"
	"html/template"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// html/template escapes an attribute by what its name says it holds:
// data-on… reads as an event handler, so a translated text in it came out
// JavaScript-quoted ("\"在线\"" on the live indicator); a name holding
// "src", "uri" or "url" reads as a URL. Every attribute that takes a
// template value must be plain text, except those meant as URLs.
func TestTemplateAttributesArePlainText(t *testing.T) {
	urls := map[string]bool{"href": true, "src": true, "action": true, "formaction": true}
	attr := regexp.MustCompile(`\s([a-zA-Z][a-zA-Z0-9_:.-]*)="[^"]*\{\{`)
	const text = `实时更新中 "Live" & <x>`
	escape := func(name string) string {
		tmpl := template.Must(template.New("").Parse(`<p ` + name + `="{{.}}">`))
		var b bytes.Buffer
		if err := tmpl.Execute(&b, text); err != nil {
			t.Fatal(err)
		}
		return strings.Replace(b.String(), name, "NAME", 1)
	}
	plain := escape("title")
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates (%v)", err)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range attr.FindAllStringSubmatch(string(b), -1) {
			name := strings.ToLower(m[1])
			if urls[name] || seen[name] {
				continue
			}
			seen[name] = true
			if got := escape(name); got != plain {
				t.Errorf("%s: attribute %s is not plain text to html/template (a text in it reads %s); rename it", f, name, got)
			}
		}
	}
	if !seen["data-csrf"] || !seen["aria-label"] {
		t.Fatalf("the attribute scan found too little: %v", seen)
	}
}
