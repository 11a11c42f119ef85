package app

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"
)

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

type jarClient struct{ c *http.Client }

func newJarClient() *jarClient {
	j, _ := cookiejar.New(nil)
	return &jarClient{c: &http.Client{Jar: j}}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func (j *jarClient) csrf(t *testing.T, page string) string {
	t.Helper()
	res, err := j.c.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	m := csrfRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no csrf token on %s", page)
	}
	return string(m[1])
}
