package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/havenrescue/haven/internal/i18n"
)

// telLink is a phone number people can tap to call. html/template lets
// only http, https and mailto through an href, hence the typed value.
func telLink(phone string) template.HTML {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return ""
	}
	var dial strings.Builder
	for i, r := range phone {
		if (r >= '0' && r <= '9') || (r == '+' && i == 0) {
			dial.WriteRune(r)
		}
	}
	return template.HTML(`<a class="tel" href="tel:` + dial.String() + `">` + template.HTMLEscapeString(phone) + `</a>`)
}

// messageHTML is a catalogue message whose arguments may be links
// (telLink): the message and every other argument are escaped. Its
// verbs must all be %s (or %[n]s).
func messageHTML(cat *i18n.Catalog, lang, key string, args ...any) template.HTML {
	esc := make([]any, len(args))
	for i, a := range args {
		if h, ok := a.(template.HTML); ok {
			esc[i] = string(h)
		} else {
			esc[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return template.HTML(fmt.Sprintf(template.HTMLEscapeString(cat.T(lang, key)), esc...))
}

// hotline is the station's 24 h number (config station-phone).
func (s *Server) hotline() string {
	if s.Family == nil {
		return ""
	}
	return s.Family.Station.Phone
}
