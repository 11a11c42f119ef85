package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const fuzzBoundary = "xYzZY"

// FuzzFormBody feeds arbitrary multipart bodies to the form reader: it
// never panics, and what it keeps stays within the form limits.
func FuzzFormBody(f *testing.F) {
	form := func(parts ...string) []byte {
		var b strings.Builder
		for _, p := range parts {
			b.WriteString("--" + fuzzBoundary + "\r\n" + p + "\r\n")
		}
		b.WriteString("--" + fuzzBoundary + "--\r\n")
		return []byte(b.String())
	}
	field := func(name, v string) string {
		return "Content-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + v
	}
	file := func(name, v string) string {
		return "Content-Disposition: form-data; name=\"" + name + "\"; filename=\"a.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" + v
	}
	f.Add(form(field("csrf_token", "tok"), field("a", "1"), file("photo", "\xff\xd8\xff")), true)
	f.Add(form(file("photo", "\xff\xd8\xff"), field("csrf_token", "tok")), true)
	f.Add(form(field("csrf_token", "tok"), file("photo", "x"), file("photo", "y"), file("other", "z")), false)
	many := []string{field("csrf_token", "tok")}
	for range maxFormParts + 5 {
		many = append(many, field("f", "1"))
	}
	f.Add(form(many...), true)
	f.Add(form(field("csrf_token", strings.Repeat("x", maxFormBytes+10))), true)
	f.Add([]byte("--"+fuzzBoundary+"\r\nContent-Disposition: form-data; name=\"a\"\r\n"), true) // cut off
	f.Fuzz(func(t *testing.T, body []byte, files bool) {
		r := httptest.NewRequest("POST", "/x", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxUploadBytes)
		fb, err := newFormBody(r, files)
		if err != nil {
			t.Fatal(err)
		}
		if err := fb.read(true); err == nil {
			_ = fb.read(false)
		}
		text := 0
		for _, vs := range fb.values {
			for _, v := range vs {
				text += len(v)
			}
		}
		if fb.parts > maxFormParts+1 || text > maxFormBytes || fb.nfiles > maxFormFiles+1 || len(fb.data) > maxFormFiles {
			t.Fatalf("limits passed: %d parts, %d text bytes, %d files", fb.parts, text, fb.nfiles)
		}
		if !files && len(fb.data) > 0 {
			t.Fatal("files kept on a route without files")
		}
	})
}
