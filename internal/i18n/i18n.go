// Package i18n holds Haven's translation catalogue: every user-facing
// string, in Chinese (zh-CN, the default) and English.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed catalog/*.json
var files embed.FS

// Default is the language used when none is chosen.
const Default = "zh-CN"

// Languages lists the supported languages, default first.
var Languages = []string{"zh-CN", "en"}

// Catalog maps language -> key -> message.
type Catalog struct {
	msgs map[string]map[string]string
}

// Load reads the embedded catalogue and checks that every language has
// exactly the same keys, so a missing translation fails at start-up.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[string]map[string]string{}}
	for _, lang := range Languages {
		b, err := files.ReadFile("catalog/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %v", err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s.json: %v", lang, err)
		}
		c.msgs[lang] = m
	}
	base := c.msgs[Default]
	for _, lang := range Languages[1:] {
		if missing := diff(base, c.msgs[lang]); len(missing) > 0 {
			return nil, fmt.Errorf("i18n: %s lacks %s", lang, strings.Join(missing, ", "))
		}
		if extra := diff(c.msgs[lang], base); len(extra) > 0 {
			return nil, fmt.Errorf("i18n: %s has keys missing from %s: %s", lang, Default, strings.Join(extra, ", "))
		}
	}
	return c, nil
}

func diff(a, b map[string]string) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Supported reports whether lang is a supported language.
func Supported(lang string) bool { return slices.Contains(Languages, lang) }

// Has reports whether key exists.
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[Default][key]
	return ok
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string {
	var out []string
	for k := range c.msgs[Default] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// T returns the message for key in lang, formatted with args when given.
// An unknown key returns the key itself, so a mistake is visible but
// harmless.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.msgs[lang]
	if !ok {
		m = c.msgs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Duration says how long d is the way people say it, in minutes, hours
// and minutes, or days and hours: "45 分钟", "11 小时 28 分", "2 天 3 小时"
// ("45 min", "11 h 28 min", "2 d 3 h"). A negative d reads as its length.
// board.js formats its live timers with the same keys and rules.
func (c *Catalog) Duration(lang string, d time.Duration) string {
	if d < 0 {
		d = -d
	}
	mins := int64(d / time.Minute)
	switch {
	case mins < 60:
		return c.T(lang, "duration.minutes", mins)
	case mins < 24*60:
		if mins%60 == 0 {
			return c.T(lang, "duration.hours", mins/60)
		}
		return c.T(lang, "duration.hours_minutes", mins/60, mins%60)
	}
	days, hours := mins/(24*60), mins%(24*60)/60
	if hours == 0 {
		return c.T(lang, "duration.days", days)
	}
	return c.T(lang, "duration.days_hours", days, hours)
}
