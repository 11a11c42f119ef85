package portal

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// unsafe reports what in rendered HTML could run script: a script, style,
// iframe, object or embed element, an on… event handler, or a URL
// attribute with the javascript:, vbscript: or data: scheme.
func unsafe(out string) string {
	z := html.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			switch t.Data {
			case "script", "style", "iframe", "object", "embed", "form", "svg", "math":
				return "element " + t.Data
			}
			for _, a := range t.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" {
					return "attribute " + k
				}
				v := strings.ToLower(strings.Join(strings.FieldsFunc(a.Val, func(r rune) bool { return r <= ' ' }), ""))
				for _, scheme := range []string{"javascript:", "vbscript:", "data:"} {
					if strings.HasPrefix(v, scheme) {
						return "url " + a.Val
					}
				}
			}
		}
	}
}

func TestRenderStripsScript(t *testing.T) {
	for _, in := range []string{
		"<script>alert(1)</script>",
		"hello <img src=x onerror=alert(1)>",
		"[click](javascript:alert(1))",
		"[click](JaVaScRiPt:alert(1))",
		"[click](  javascript:alert(1))",
		"![x](javascript:alert(1))",
		"<a href=\"javascript:alert(1)\">x</a>",
		"<div onclick=\"alert(1)\">x</div>",
		"<iframe src=\"https://evil.example\"></iframe>",
		"[x](data:text/html;base64,PHNjcmlwdD4=)",
		"<svg onload=alert(1)>",
		"<style>body{display:none}</style>",
	} {
		if why := unsafe(string(Render(in))); why != "" {
			t.Errorf("Render(%q) = %q keeps %s", in, Render(in), why)
		}
	}
	out := string(Render("# 标题\n\n**加粗** [链接](https://example.org) ![图](/news/images/a.jpg)"))
	for _, want := range []string{"<h1", "<strong>加粗</strong>", `href="https://example.org"`, `src="/news/images/a.jpg"`} {
		if !strings.Contains(out, want) {
			t.Errorf("Render lost %q: %s", want, out)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"<script>alert(1)</script>", "[a](javascript:x)", "<img src=x onerror=y>", "*a* **b**", "<a href='&#106;avascript:x'>x</a>",
		"[a](&#x6A;avascript:alert(1))", "<p style=\"x\" onmouseover=\"y\">z</p>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if why := unsafe(string(Render(in))); why != "" {
			t.Fatalf("Render(%q) = %q keeps %s", in, Render(in), why)
		}
	})
}
