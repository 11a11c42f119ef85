package shottool

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestShot: SHOT_BASE, SHOT_USER, SHOT_PASS, SHOT_PATHS (comma), SHOT_OUT dir.
func TestShot(t *testing.T) {
	base := os.Getenv("SHOT_BASE")
	if base == "" {
		t.Skip()
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"),
		chromedp.SendKeys(chromedp.ID("username"), os.Getenv("SHOT_USER")), chromedp.SendKeys(chromedp.ID("password"), os.Getenv("SHOT_PASS")),
		chromedp.Submit(chromedp.ID("password")), chromedp.Sleep(time.Second)); err != nil {
		t.Fatal(err)
	}
	for _, p := range strings.Split(os.Getenv("SHOT_PATHS"), ",") {
		for _, w := range []int64{390, 1440} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 900), chromedp.Navigate(base+p), chromedp.Sleep(3*time.Second)); err != nil {
				t.Fatal(err)
			}
			buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			name := strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "_").Replace(p)
			os.WriteFile(os.Getenv("SHOT_OUT")+"/"+os.Getenv("SHOT_USER")+name+"-"+strconv.Itoa(int(w))+".png", buf, 0o644)
		}
	}
}
