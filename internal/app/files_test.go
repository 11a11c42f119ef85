package app

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/havenrescue/haven/internal/config"
)

// testJPEG is a small photo as a phone would send it.
func testJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 160, 120))
	for x := 0; x < 160; x++ {
		img.Set(x, 60, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// publicReportWithPhoto files a public report (with a photo unless photo
// is nil) through POST /report as a separate visitor's form does, and
// returns its reference number.
func publicReportWithPhoto(t *testing.T, base string, lat, lng float64, address string, photo []byte) string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(base + "/report")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := csrfRE.FindSubmatch(page)
	if m == nil {
		t.Fatal("no CSRF token on the report page")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields := map[string]string{"csrf_token": string(m[1]), "service_code": "weather_exposure", "description": "天桥下有人衣着单薄", "address": address}
	if lat != 0 || lng != 0 { // 0, 0: a report with only its typed address
		fields["lat"], fields["lng"] = fmt.Sprintf("%.6f", lat), fmt.Sprintf("%.6f", lng)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if photo != nil {
		fw, _ := mw.CreateFormFile("photo", "photo.jpg")
		_, _ = fw.Write(photo)
	}
	mw.Close()
	res, err = c.Post(base+"/report", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ref := regexp.MustCompile(`ref=(HV-[A-Z0-9]+)`).FindStringSubmatch(res.Request.URL.String())
	if res.StatusCode != http.StatusOK || ref == nil {
		t.Fatalf("report: %s at %s", res.Status, res.Request.URL)
	}
	return ref[1]
}

// getPhoto fetches a photo with the session cookies of jar (taken for
// cookieBase) from base.
func getPhoto(t *testing.T, jar *jarClient, cookieBase, base, path string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	for _, c := range jar.c.Jar.Cookies(mustURL(cookieBase)) {
		req.AddCookie(c)
	}
	res, err := (&http.Client{CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode == 200 && res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("%s: content type %q", path, res.Header.Get("Content-Type"))
	}
	return res.StatusCode, b
}

// An installation from before photos moved into the database keeps them:
// on start the uploads folder is copied in (once) and kept as
// uploads.migrated, and the photo is served as before.
func TestOldUploadsFolderMovesIntoTheDatabase(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	photo := testJPEG(t)
	old := filepath.Join(data, "uploads", "signals", "202611", "old1.jpg")
	if err := os.MkdirAll(filepath.Dir(old), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(old, photo, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = data
	for i := 0; i < 2; i++ { // the second start finds nothing left to do
		e, err := open(ctx, cfg, &syncBuf{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.db.Files().Get(ctx, "signals/202611/old1.jpg")
		e.Close()
		if err != nil || !bytes.Equal(got, photo) {
			t.Fatalf("start %d: photo from the old folder: %v", i+1, err)
		}
		if _, err := os.Stat(filepath.Join(data, "uploads")); !os.IsNotExist(err) {
			t.Fatalf("start %d: the uploads folder is still in use: %v", i+1, err)
		}
		if _, err := os.Stat(filepath.Join(data, "uploads.migrated", "signals", "202611", "old1.jpg")); err != nil {
			t.Fatalf("start %d: the old folder was not kept: %v", i+1, err)
		}
	}
	// Restoring a backup from before the upgrade (its database has no
	// photos) brings them back from the kept folder.
	e, err := open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Files().Delete(ctx, "signals/202611/old1.jpg"); err != nil {
		t.Fatal(err)
	}
	e.Close()
	backup := filepath.Join(t.TempDir(), "old.db")
	var out syncBuf
	if err := Run(ctx, []string{"backup", backup, "--data", data}, envFrom(nil), &out, &syncBuf{}); err != nil {
		t.Fatal(err)
	}
	if err := Run(ctx, []string{"restore", backup, "--data", data}, envFrom(nil), &out, &syncBuf{}); err != nil || !strings.Contains(out.String(), "1 photos the backup lacked") {
		t.Fatalf("restore: %v\n%s", err, out.String())
	}
	e, err = open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if got, err := e.db.Files().Get(ctx, "signals/202611/old1.jpg"); err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("photo after restoring a backup without it: %v", err)
	}
}
