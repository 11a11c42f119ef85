package family

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestParsePeers(t *testing.T) {
	good := "# 联网寻亲\n郑州市救助管理站\thttps://haven.zz.example\tk1\n\n洛阳市救助管理站\thttp://10.0.0.5:8080/haven/\tk2\n"
	ps, err := ParsePeers(strings.NewReader(good))
	if err != nil || len(ps) != 2 || ps[0].Name != "郑州市救助管理站" || ps[1].URL != "http://10.0.0.5:8080/haven/" || ps[1].Key != "k2" {
		t.Fatalf("ParsePeers = %+v, %v", ps, err)
	}
	for in, want := range map[string]string{
		"a\thttps://x.example":                 "line 1",
		"a\tftp://x.example\tk":                "line 1: the address",
		"\n\thttps://x.example\tk":             "line 2: no name",
		"a\thttps://x.example\t":               "line 1: no API key",
		"a\thttps://x\tk\na\thttps://y\tk":     "line 2: a is listed twice",
		"a\thttps://x.example/?key=1\tk":       "line 1: the address",
		"a\thttps://x.example\tk with a space": "line 1: no API key",
	} {
		if _, err := ParsePeers(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePeers(%q) = %v, want %q", in, err, want)
		}
	}
}

func TestCursorRoundTrip(t *testing.T) {
	c := Cursor{At: time.Date(2026, 12, 1, 8, 30, 0, 123456000, time.UTC), ID: "0193f1a2-0000-7000-8000-000000000001"}
	q, _ := url.ParseQuery(c.Encode())
	got, err := ParseCursor(q)
	if err != nil || got != c {
		t.Fatalf("round trip: %+v %v", got, err)
	}
	if z, err := ParseCursor(url.Values{}); err != nil || !z.At.IsZero() {
		t.Fatal("no cursor is the start")
	}
	for _, q := range []url.Values{{"since": {"yesterday"}}, {"after": {"x"}}, {"since": {"2026-12-01T00:00:00Z"}, "after": {strings.Repeat("x", 65)}}} {
		if _, err := ParseCursor(q); err == nil {
			t.Errorf("ParseCursor(%v) accepted", q)
		}
	}
}

func FuzzParsePeers(f *testing.F) {
	f.Add("a\thttps://x.example\tk\n")
	f.Add("# c\n\nb\thttp://[::1]:80/p\tkey\n")
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := ParsePeers(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, p := range ps {
			if p.Name == "" || p.Key == "" || !strings.HasPrefix(p.URL, "http") {
				t.Fatalf("accepted %+v", p)
			}
		}
	})
}

func FuzzParseCursor(f *testing.F) {
	f.Add("2026-12-01T00:00:00.5Z", "abc")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, since, after string) {
		c, err := ParseCursor(url.Values{"since": {since}, "after": {after}})
		if err != nil {
			return
		}
		if c.At.IsZero() {
			return
		}
		q, _ := url.ParseQuery(c.Encode())
		again, err := ParseCursor(q)
		if err != nil || !again.At.Equal(c.At) || again.ID != c.ID {
			t.Fatalf("%q %q: %+v does not round-trip: %+v %v", since, after, c, again, err)
		}
	})
}
