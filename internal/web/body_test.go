package web_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strings"
	"testing"
)

// countingBody counts the bytes the server reads of a request body.
type countingBody struct {
	r io.Reader
	n int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingBody) Close() error { return nil }

// part is one part of a hand-built multipart body, in order.
type part struct {
	name, file string // file set: a file part
	value      []byte
}

func multipartBody(parts ...part) (string, []byte) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for _, p := range parts {
		var w io.Writer
		if p.file != "" {
			w, _ = mw.CreateFormFile(p.name, p.file)
		} else {
			w, _ = mw.CreateFormField(p.name)
		}
		w.Write(p.value)
	}
	mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// serveCounted runs one request through the server in process, its body
// counted, and returns the answer and how many body bytes were read.
func (c *client) serveCounted(path, contentType string, body []byte, lang string) (*httptest.ResponseRecorder, int64) {
	body1 := &countingBody{r: bytes.NewReader(body)}
	req := httptest.NewRequest("POST", path, body1)
	req.Header.Set("Content-Type", contentType)
	req.ContentLength = int64(len(body))
	for k, v := range c.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	if lang != "" {
		req.AddCookie(&http.Cookie{Name: "haven_lang", Value: lang})
	}
	rec := httptest.NewRecorder()
	c.h.web.ServeHTTP(rec, req)
	return rec, body1.n
}

const attackBytes = 11<<20 + 512<<10 // 11.5 MB

// The reported attack: anonymous 11.5 MB bodies to /login were read (and
// held) whole before the CSRF check. Login takes a small form: each body
// is refused after at most a little more than the form limit.
func TestLoginBigBodyRefusedEarly(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	big := bytes.Repeat([]byte("A"), attackBytes)
	fileCT, fileBody := multipartBody(part{name: "csrf_token", value: []byte(c.csrf)}, part{name: "username", value: []byte("x")},
		part{name: "photo", file: "big.jpg", value: big})
	textCT, textBody := multipartBody(part{name: "csrf_token", value: []byte(c.csrf)}, part{name: "username", value: big})
	noTokenCT, noTokenBody := multipartBody(part{name: "photo", file: "big.jpg", value: big})
	form := url.Values{"csrf_token": {c.csrf}, "username": {string(big)}}.Encode()
	var padded bytes.Buffer // a part whose header is 11.5 MB
	mw := multipart.NewWriter(&padded)
	mw.CreatePart(textproto.MIMEHeader{"Content-Disposition": {`form-data; name="csrf_token"`}, "X-Pad": {string(big)}})
	mw.Close()
	for name, tc := range map[string]struct {
		ct   string
		body []byte
		code int
	}{
		"multipart with a file":          {fileCT, fileBody, http.StatusBadRequest},
		"multipart with a big field":     {textCT, textBody, http.StatusRequestEntityTooLarge},
		"multipart, file before token":   {noTokenCT, noTokenBody, http.StatusForbidden},
		"urlencoded with a big field":    {"application/x-www-form-urlencoded", []byte(form), http.StatusRequestEntityTooLarge},
		"multipart with a huge header":   {mw.FormDataContentType(), padded.Bytes(), http.StatusRequestEntityTooLarge},
		"multipart, wrong token, a file": {fileCT, bytes.Replace(fileBody, []byte(c.csrf), []byte(strings.Repeat("x", len(c.csrf))), 1), http.StatusForbidden},
	} {
		rec, read := c.serveCounted("/login", tc.ct, tc.body, "")
		if rec.Code != tc.code {
			t.Errorf("%s: %d, want %d", name, rec.Code, tc.code)
		}
		if read > 256<<10 {
			t.Errorf("%s: the server read %d KB of a %d KB body", name, read>>10, len(tc.body)>>10)
		}
	}
}

// On a route that takes a photo, the CSRF token (sent first, as the
// templates do) is checked before the photo is read.
func TestUploadCSRFCheckedBeforeFile(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	big := bytes.Repeat([]byte("A"), attackBytes)
	for name, parts := range map[string][]part{
		"wrong token": {{name: "csrf_token", value: []byte(strings.Repeat("x", 43))}, {name: "photo", file: "a.jpg", value: big}},
		"no token":    {{name: "description", value: []byte("救命")}, {name: "photo", file: "a.jpg", value: big}},
		"token after the file": {{name: "photo", file: "a.jpg", value: big},
			{name: "csrf_token", value: []byte(c.csrf)}},
	} {
		ct, body := multipartBody(parts...)
		rec, read := c.serveCounted("/report", ct, body, "")
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, rec.Code)
		}
		if read > 64<<10 {
			t.Errorf("%s: the server read %d KB before refusing", name, read>>10)
		}
	}
	// An upload over the route's limit is refused as too large.
	ct, body := multipartBody(part{name: "csrf_token", value: []byte(c.csrf)},
		part{name: "photo", file: "a.jpg", value: bytes.Repeat([]byte("A"), 13<<20)})
	if rec, read := c.serveCounted("/report", ct, body, "en"); rec.Code != http.StatusRequestEntityTooLarge ||
		!strings.Contains(rec.Body.String(), "12 MB at most") || read > 12<<20+64<<10 {
		t.Errorf("13 MB upload: %d after reading %d KB", rec.Code, read>>10)
	}
}

// A form with more parts than any form has is refused saying so, not as
// "too large".
func TestTooManyParts(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	parts := []part{{name: "csrf_token", value: []byte(c.csrf)}}
	for i := range 1001 {
		parts = append(parts, part{name: fmt.Sprint("f", i), value: []byte("1")})
	}
	ct, body := multipartBody(parts...)
	for lang, want := range map[string]string{"zh-CN": "表单字段或文件过多", "en": "too many fields or files"} {
		for _, path := range []string{"/login", "/report"} {
			rec, _ := c.serveCounted(path, ct, body, lang)
			if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), want) {
				t.Errorf("%s %s: %d, want 413 saying %q", path, lang, rec.Code, want)
			}
		}
	}
}

// pngBomb is a 300-byte PNG claiming 6324×6324 pixels of 16-bit RGBA:
// under the pixel limit, 320 MB to decode.
func pngBomb(t *testing.T) []byte {
	var b bytes.Buffer
	png.Encode(&b, image.NewRGBA64(image.Rect(0, 0, 1, 1)))
	raw := b.Bytes()
	binary.BigEndian.PutUint32(raw[16:], 6324) // IHDR width
	binary.BigEndian.PutUint32(raw[20:], 6324) // IHDR height
	binary.BigEndian.PutUint32(raw[29:], crc32.ChecksumIEEE(raw[12:29]))
	return raw
}

// A decompression bomb sent with a public report is refused with a
// message the reporter understands; a normal photo still goes through.
func TestReportRefusesPhotoBomb(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	c := h.anon()
	c.cookies["haven_lang"] = "en"
	fields := map[string]string{"service_code": "rough_sleeping", "description": "老人坐在路边", "address": "新乡火车站"}
	res, body := c.upload("/report", fields, pngBomb(t))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "too large to process") {
		t.Fatalf("bomb: %d\n%s", res.StatusCode, body)
	}
	res, body = c.upload("/report", fields, jpegBytes(t))
	if res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusOK {
		t.Fatalf("normal photo: %d\n%s", res.StatusCode, body)
	}
}

// The station's upload routes take a normal photo as a multipart form and
// refuse a decompression bomb with the photo's own message.
func TestStationUploadsTakePhotos(t *testing.T) {
	h := newHarness(t, openSQLite(t))
	staff := h.login("staff")
	admit := func() map[string]string {
		return map[string]string{"name": "小刚", "age_min": "13", "age_max": "15", "source": "police", "reason": "离家出走", "security": "passed"}
	}
	res, body := staff.upload("/people", admit(), pngBomb(t))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "照片过大，无法处理") {
		t.Fatalf("admission with a bomb: %d", res.StatusCode)
	}
	res, _ = staff.upload("/people", admit(), jpegBytes(t))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("admission with a photo: %d", res.StatusCode)
	}
	personURL, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	_, page := staff.do("GET", personURL, nil, false)
	i := strings.Index(page, `href="/stays/`)
	stayID, _, _ := strings.Cut(page[i+len(`href="/stays/`):], "/")
	if res, _ := staff.do("GET", "/stays/"+stayID+"/photo", nil, false); res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("admission photo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	res, _ = staff.upload("/stays/"+stayID+"/belongings", map[string]string{"item": "书包", "qty": "1"}, jpegBytes(t))
	if res.StatusCode >= 400 {
		t.Fatalf("belonging with a photo: %d", res.StatusCode)
	}
	st, _, _ := h.cases.Stay(context.Background(), auth0(), stayID)
	if len(st.Belongings) != 1 || st.Belongings[0].Photo == "" {
		t.Fatalf("belonging photo not kept: %+v", st.Belongings)
	}
}
