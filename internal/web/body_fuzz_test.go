package web

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/open311"
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

// FuzzOpen311Multipart feeds arbitrary multipart bodies to the Open311
// POST path: the form is read up to api_key without touching a file,
// then whole, then parsed as a service request. Nothing panics, no file
// is read before the key is looked at, the limits hold, and a request
// ParsePost accepts has a location.
func FuzzOpen311Multipart(f *testing.F) {
	part := func(name, v string, file bool) string {
		if file {
			return "--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"m.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n" + v + "\r\n"
		}
		return "--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + v + "\r\n"
	}
	end := "--" + fuzzBoundary + "--\r\n"
	f.Add(part("api_key", "k", false) + part("service_code", "begging", false) + part("lat", "35.3", false) + part("long", "113.9", false) + part("media", "\xff\xd8\xff", true) + end)
	f.Add(part("media", "\xff\xd8\xff", true) + part("api_key", "k", false) + part("address_string", "人民公园", false) + end)
	f.Add(part("attribute[needs][]", "food", false) + part("attribute[needs][]", "shelter", false) + part("attribute[uprn]", "1", false) + part("media_url", "https://x.example/p.jpg", false) + end)
	f.Add(part("attribute[", "x", false) + part("media", "a", true) + part("media", "b", true) + part("media", "c", true) + end)
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/open311/v2/requests.json", strings.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, maxUploadBytes)
		fb, err := newFormBody(r, true)
		if err != nil {
			t.Fatal(err)
		}
		if err := fb.readUntil("api_key"); err != nil {
			return
		}
		if len(fb.data) > 0 || fb.nfiles > 0 {
			t.Fatal("a file was read before the key was looked at")
		}
		if err := fb.read(false); err != nil {
			return
		}
		text := 0
		for _, vs := range fb.values {
			for _, v := range vs {
				text += len(v)
			}
		}
		if fb.parts > maxFormParts || text > maxFormBytes || len(fb.data) > maxFormFiles {
			t.Fatalf("limits passed: %d parts, %d text bytes, %d files", fb.parts, text, len(fb.data))
		}
		in, problems := open311.ParsePost(fb.values)
		if len(problems) == 0 && in.Lat == nil && strings.TrimSpace(in.Address) == "" {
			t.Fatal("accepted a request without a location")
		}
	})
}
