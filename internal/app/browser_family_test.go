package app

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/havenrescue/haven/internal/tracing"
)

// Family search end to end: staff admit an unidentified man (heard as
// 刘卫东, with a photo) and publish his notice; his daughter files a report
// on her phone for 刘伟东; staff open the candidate, read its explanation
// field by field and confirm; the public notice then shows him reunited
// without his name or photo, and the daughter's progress page says found.
func TestBrowserFamilySearchReunion(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	staff := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	photoPath := filepath.Join(t.TempDir(), "face.jpg")
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 90, 120))
	for y := 0; y < 120; y++ {
		img.Set(45, y, color.RGBA{30, 30, 200, 255})
	}
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photoPath, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, staff, r.URL, "staff")
	step(t, staff, "admit him",
		chromedp.Navigate(r.URL+"/people/new"),
		chromedp.WaitVisible(chromedp.ID("admit-form")),
		chromedp.SendKeys(chromedp.ID("name"), "刘卫东"),
		chromedp.SetValue(chromedp.ID("sex"), "male"),
		chromedp.SendKeys(chromedp.ID("age_min"), "55"),
		chromedp.SendKeys(chromedp.ID("age_max"), "65"),
		chromedp.SendKeys(chromedp.ID("dialect"), "河南长垣口音"),
		chromedp.SendKeys(chromedp.ID("marks"), "右眉有疤 灰色棉衣"),
		chromedp.SendKeys(chromedp.ID("reason"), "冬夜露宿桥下"),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photoPath}),
		chromedp.Click(chromedp.CSS(`input[name="security"][value="passed"]`)),
		chromedp.Click(chromedp.ID("admit-submit")),
	)
	// A name like his may be on file: say he is new.
	step(t, staff, "admitted or asked", chromedp.WaitReady(chromedp.CSS(`#stay, #new-person`)))
	if value(t, staff, "candidates shown", chromedp.Evaluate[bool](`!!document.getElementById('new-person')`)) {
		step(t, staff, "he is new", chromedp.Click(chromedp.ID("new-person")), chromedp.Click(chromedp.ID("admit-submit")))
	}
	step(t, staff, "publish his notice",
		chromedp.WaitVisible(chromedp.ID("notice-form")),
		chromedp.SendKeys(chromedp.ID("found_place"), "新乡火车站广场"),
		chromedp.SendKeys(chromedp.ID("clothing"), "灰色棉衣"),
		chromedp.Click(chromedp.ID("publish-notice")),
		chromedp.WaitVisible(chromedp.CSS(`#person-notices a`)),
	)
	noticeRef := value(t, staff, "notice ref", chromedp.Text(chromedp.CSS(`#person-notices a`)))
	step(t, staff, "the public notice has his photo",
		chromedp.Navigate(r.URL+"/notices/"+noticeRef),
		chromedp.WaitVisible(chromedp.CSS(`img.notice-photo`)),
	)

	family := browser(t)
	step(t, family, "his daughter reports him on her phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(r.URL+"/family/report"),
		chromedp.WaitVisible(chromedp.ID("family-report-submit")),
		chromedp.Click(chromedp.ID("family-report-submit")), // empty: told what is missing
		chromedp.WaitVisible(chromedp.ID("page-error")),
	)
	if msg := value(t, family, "phone error", chromedp.Text(chromedp.CSS(`#contact_phone + .field-error`))); !strings.Contains(msg, "必填") {
		t.Fatalf("missing phone reads %q", msg)
	}
	if w := value(t, family, "page width", chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 400 {
		t.Fatalf("the form is %d px wide on a 390 px phone", w)
	}
	step(t, family, "fill the report",
		chromedp.SendKeys(chromedp.ID("name"), "刘伟东"),
		chromedp.SetValue(chromedp.ID("sex"), "male"),
		chromedp.SendKeys(chromedp.ID("birth_date"), "1966"),
		chromedp.SendKeys(chromedp.ID("native_place"), "河南省长垣县"),
		chromedp.SendKeys(chromedp.ID("features"), "右眉有疤"),
		chromedp.SendKeys(chromedp.ID("description"), "走失时穿灰色棉衣"),
		chromedp.SetValue(chromedp.ID("lost_on"), time.Now().AddDate(0, -2, 0).Format("2006-01-02")),
		chromedp.SendKeys(chromedp.ID("lost_place"), "长垣县城"),
		chromedp.SendKeys(chromedp.ID("contact_name"), "刘红"),
		chromedp.SendKeys(chromedp.ID("contact_relation"), "女儿"),
		chromedp.SendKeys(chromedp.ID("contact_phone"), "13903736666"),
		chromedp.Click(chromedp.ID("family-report-submit")),
		chromedp.WaitVisible(chromedp.ID("ref")),
	)
	reportRef := value(t, family, "report ref", chromedp.Text(chromedp.ID("ref")))
	if !strings.HasPrefix(reportRef, "XR-") {
		t.Fatalf("progress page: %q", reportRef)
	}
	// Matching follows the report within moments, beside the request.
	reloadUntil(t, family, "her progress page has a lead", r.URL+"/family/progress?ref="+reportRef,
		`document.getElementById('report-status').textContent==='有线索，核实中'`)

	noticesOnPhone(t, family, r.URL)

	step(t, staff, "the candidate in the review queue",
		chromedp.Navigate(r.URL+"/family/review"),
		chromedp.WaitVisible(chromedp.ID("queue")),
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('#queue tr[data-candidate]')].find(function(tr){return tr.textContent.indexOf('刘卫东')>=0 && tr.textContent.indexOf('`+reportRef+`')>=0}).querySelector('td:last-child a').click()`),
		chromedp.WaitVisible(chromedp.ID("explanation")),
	)
	rows := value(t, staff, "explanation rows", chromedp.Evaluate[int](`document.querySelectorAll('#explanation tbody tr').length`))
	nameVerdict := value(t, staff, "name verdict", chromedp.Evaluate[string](`document.querySelector('#explanation tr[data-field="name"] [data-verdict]').dataset.verdict`))
	nameCells := value(t, staff, "names side by side", chromedp.Text(chromedp.CSS(`#explanation tr[data-field="name"]`)))
	if rows != len(tracing.Fields) || nameVerdict != "near" || !strings.Contains(nameCells, "刘卫东") || !strings.Contains(nameCells, "刘伟东") {
		t.Fatalf("explanation: %d rows, name %s (%q)", rows, nameVerdict, nameCells)
	}
	step(t, staff, "confirm",
		chromedp.SendKeys(chromedp.ID("note"), "女儿视频通话辨认，确认是父亲"),
		chromedp.Click(chromedp.ID("confirm")),
		chromedp.WaitVisible(chromedp.ID("queue")),
	)

	step(t, family, "the public notice: reunited, no name, no photo",
		chromedp.Navigate(r.URL+"/notices/"+noticeRef),
		chromedp.WaitVisible(chromedp.ID("reunited")),
	)
	text := value(t, family, "notice text", chromedp.Text(chromedp.ID("notice")))
	imgs := value(t, family, "images", chromedp.Evaluate[int](`document.querySelectorAll('#notice img').length`))
	if imgs != 0 || strings.Contains(text, "刘卫东") || strings.Contains(text, "刘伟东") {
		t.Fatalf("reunited notice shows %d images, text %q", imgs, text)
	}
	step(t, family, "her progress page says found",
		chromedp.Navigate(r.URL+"/family/progress?ref="+reportRef),
		chromedp.WaitVisible(chromedp.ID("report-status")),
	)
	if st := value(t, family, "status", chromedp.Text(chromedp.ID("report-status"))); st != "已找到" {
		t.Fatalf("progress after confirmation: %q", st)
	}
}

// reloadUntil loads url until the script cond holds: what a page shows of
// work done beside the request (family search's matching) within moments.
func reloadUntil(t *testing.T, ctx context.Context, what, url, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		step(t, ctx, what, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("body")))
		if value(t, ctx, what, chromedp.Evaluate[bool](cond)) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// noticesOnPhone: the public notices on a 390 px phone fit the screen,
// show the search box with the other filters folded away, the photos
// people have and a hotline that calls; the newspaper sheet fits the
// screen too and frames only photos that exist.
func noticesOnPhone(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	type layout struct {
		Width      int  `json:"width"`
		FilterOpen bool `json:"filterOpen"`
		FilterShow bool `json:"filterShown"`
		Tel        bool `json:"tel"`
		Photos     int  `json:"photos"`
		Items      int  `json:"items"`
		Framed     int  `json:"framed"`
	}
	measure := `({width: document.documentElement.scrollWidth,
		filterOpen: !!document.querySelector('#more-filters[open]'),
		filterShown: !!document.querySelector('#more-filters select') && document.querySelector('#more-filters select').checkVisibility(),
		tel: !!document.querySelector('a[href^="tel:"]'),
		photos: document.querySelectorAll('#notices img, .print-item img').length,
		items: document.querySelectorAll('.print-item').length,
		framed: document.querySelectorAll('.print-item.with-photo').length})`
	step(t, ctx, "the notices on a phone", chromedp.Navigate(base+"/notices"), chromedp.WaitVisible(chromedp.ID("q")))
	got := value(t, ctx, "notices layout", chromedp.Evaluate[layout](measure))
	if got.Width > 390 || got.FilterOpen || got.FilterShow || !got.Tel || got.Photos == 0 {
		t.Errorf("/notices on a 390 px phone: %+v; want no overflow, filters folded, a tel: link, photos", got)
	}
	step(t, ctx, "the newspaper sheet on a phone", chromedp.Navigate(base+"/notices/print"), chromedp.WaitVisible(chromedp.ID("print-sheet")))
	got = value(t, ctx, "print layout", chromedp.Evaluate[layout](measure))
	if got.Width > 390 || got.Items == 0 || got.Photos != got.Framed || !got.Tel {
		t.Errorf("/notices/print on a 390 px phone: %+v; want it to fit, a frame for each photo only, a tel: link", got)
	}
}
