package portal

import (
	"bytes"
	"html/template"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

var (
	md = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify))
	// policy is bluemonday's policy for user-generated content: no
	// scripts, no event handlers, no javascript: or data: URLs, links
	// opened without the referrer and marked nofollow.
	policy = sync.OnceValue(func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoReferrerOnLinks(true)
		p.AllowAttrs("loading").Matching(bluemonday.SpaceSeparatedTokens).OnElements("img")
		return p
	})
)

// Render turns an article's Markdown into HTML safe to put on a page:
// goldmark renders it (raw HTML in the Markdown is left out), bluemonday
// sanitises the result.
func Render(markdown string) template.HTML {
	var buf bytes.Buffer
	if err := md.Convert([]byte(markdown), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(markdown))
	}
	return template.HTML(policy().SanitizeBytes(buf.Bytes())) // #nosec: sanitised
}
