package app

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdpnet "github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/havenrescue/haven/internal/auth"
)

// chromium is the one headless Chromium the package's browser tests share;
// each test gets browser contexts of its own in it (see browser).
var chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first context
	stop   func()
	err    error
	tmpDir string
}

// TestMain stops the shared Chromium after the tests.
func TestMain(m *testing.M) {
	// Demos and accounts made in-process hash passwords cheaply (see
	// auth.LightHashesForTests).
	auth.LightHashesForTests()
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

// startChromium starts the shared Chromium at path, once.
func startChromium(path string) (context.Context, error) {
	chromium.once.Do(func() {
		dir, err := os.MkdirTemp("", "haven-chromium-")
		if err != nil {
			chromium.err = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox, // CI runs as root
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("no-first-run", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 900),
		)
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(actx)
		chromium.ctx = ctx
		chromium.stop = func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
		chromium.err = chromedp.Do(ctx) // start the browser without a deadline
	})
	return chromium.ctx, chromium.err
}

// needBrowser skips the test unless browser tests run, and answers the
// Chromium to run. Browser tests run when HAVEN_BROWSER or
// HAVEN_REQUIRE_BROWSER is set (.ci/run sets the second after the README's
// test command). Without Chromium they skip, unless HAVEN_REQUIRE_BROWSER
// or CI=true is set: then that is a failure, so the browser tests can
// never silently stop running in CI.
func needBrowser(t *testing.T) string {
	t.Helper()
	if os.Getenv("HAVEN_BROWSER") == "" && os.Getenv("HAVEN_REQUIRE_BROWSER") == "" {
		// The README's test command stays fast; .ci/run runs these next.
		t.Skip("browser test: run with HAVEN_BROWSER=1 (CI runs every browser test: .ci/run)")
	}
	var path string
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") == "true" || os.Getenv("HAVEN_REQUIRE_BROWSER") != "" {
			t.Fatal("no Chromium found; install Debian's chromium package (apt-get install chromium)")
		}
		t.Skip("no Chromium found; install Debian's chromium package to run browser tests")
	}
	return path
}

// browser gives a test a browser of its own: a new browser context (its
// own cookies, storage, IndexedDB and service workers, like a fresh
// profile) with one tab at 1280×900, in the package's shared headless
// Chromium. It skips as needBrowser does.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := needBrowser(t)
	root, err := startChromium(path)
	if err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	return ctx
}

func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(tctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(tctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitLang waits until the page's <html lang> is lang.
func waitLang(t *testing.T, ctx context.Context, lang string) {
	t.Helper()
	step(t, ctx, "wait for lang "+lang, chromedp.WaitReady(chromedp.CSS(`html[lang="`+lang+`"] main`)))
}

// demoAccount is a line of the demo's account list: username, password,
// role · display name and department.
var demoAccount = regexp.MustCompile(`(?m)^  ([a-z]+) .* [a-z]+ · (\S+) `)

func TestBrowserLoginEveryRole(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	// Every role's demo account, greeted by the name the demo printed.
	names := map[string]string{}
	for _, m := range demoAccount.FindAllStringSubmatch(r.Stdout.String(), -1) {
		names[m[1]] = m[2]
	}
	for _, role := range auth.Roles {
		role := string(role)
		t.Run(role, func(t *testing.T) {
			if names[role] == "" {
				t.Fatalf("the demo printed no account for %s:\n%s", role, r.Stdout.String())
			}
			// Each role starts signed out, even when the one before failed
			// half-way.
			if _, err := chromedp.Call(ctx, cdpnet.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			step(t, ctx, "open login",
				chromedp.Navigate(r.URL+"/login"),
				chromedp.WaitVisible(chromedp.ID("username")),
				chromedp.SendKeys(chromedp.ID("username"), role),
				chromedp.SendKeys(chromedp.ID("password"), "browser demo 1"),
				chromedp.Click(chromedp.ID("login-submit")),
				chromedp.WaitVisible(chromedp.ID("welcome")),
			)
			waitLang(t, ctx, "zh-CN")
			welcome := value(t, ctx, "welcome", chromedp.Evaluate[string](`document.getElementById('welcome').textContent`))
			if !strings.Contains(welcome, names[role]) || !strings.Contains(welcome, "您好") {
				t.Fatalf("Chinese home page greets %q", welcome)
			}
			// Leaflet loaded under the CSP and drew the demo places, even
			// though map tiles cannot be fetched here; the leader's home is
			// the dashboard, whose map draws the heat map's hexagons.
			if role == "leader" {
				step(t, ctx, "heat map", chromedp.WaitReady(chromedp.CSS(`#heat-map .heat-hex`)))
			} else {
				step(t, ctx, "map markers", chromedp.WaitReady(chromedp.CSS(`#map[data-markers="8"] .leaflet-marker-icon`)))
			}
			adminLink := value(t, ctx, "nav", chromedp.Evaluate[bool](`!!document.querySelector('a[href="/admin/users"]')`))
			if adminLink != (role == "admin") {
				t.Errorf("administration link shown=%v for %s", adminLink, role)
			}
			if role == "admin" && os.Getenv("HAVEN_SCREENSHOT") != "" {
				png := value(t, ctx, "screenshot", chromedp.FullScreenshot(100))
				if err := os.WriteFile(os.Getenv("HAVEN_SCREENSHOT"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			step(t, ctx, "switch to English", chromedp.Click(chromedp.ID("lang-switch")))
			waitLang(t, ctx, "en")
			welcome = value(t, ctx, "welcome en", chromedp.Evaluate[string](`document.getElementById('welcome').textContent`))
			if !strings.HasPrefix(welcome, "Hello, ") {
				t.Fatalf("English home page greets %q", welcome)
			}
			step(t, ctx, "log out",
				chromedp.Click(chromedp.ID("logout")),
				chromedp.WaitVisible(chromedp.ID("login-submit")),
			)
			loc := value(t, ctx, "location", chromedp.Location())
			if !strings.HasSuffix(loc, "/login") {
				t.Fatalf("after logout at %s", loc)
			}
			// Signed out for real: the site root is the public front page.
			step(t, ctx, "home after logout", chromedp.Navigate(r.URL+"/"), chromedp.WaitVisible(chromedp.ID("front-hotline")))
		})
	}
}

func TestBrowserWrongPasswordInPageLanguage(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	try := func() string {
		step(t, ctx, "wrong password",
			chromedp.WaitVisible(chromedp.ID("username")),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("username").value = ""`),
			chromedp.SendKeys(chromedp.ID("username"), "dispatcher"),
			chromedp.SendKeys(chromedp.ID("password"), "not the password"),
			chromedp.Click(chromedp.ID("login-submit")),
			chromedp.WaitVisible(chromedp.ID("page-error")),
		)
		return value(t, ctx, "error text", chromedp.Text(chromedp.ID("page-error")))
	}
	step(t, ctx, "open login", chromedp.Navigate(r.URL+"/login"))
	waitLang(t, ctx, "zh-CN")
	if msg := try(); msg != "用户名或密码错误，或尝试过于频繁。请稍候再试。" {
		t.Fatalf("Chinese error: %q", msg)
	}
	// The username typed is kept; the password is not.
	if v := value(t, ctx, "username kept", chromedp.Value(chromedp.ID("username"))); v != "dispatcher" {
		t.Errorf("username after error: %q", v)
	}
	if v := value(t, ctx, "password cleared", chromedp.Value(chromedp.ID("password"))); v != "" {
		t.Errorf("password after error: %q", v)
	}
	step(t, ctx, "switch to English", chromedp.Click(chromedp.ID("lang-switch")))
	waitLang(t, ctx, "en")
	if msg := try(); msg != "Wrong username or password, or too many attempts: wait a moment and try again." {
		t.Fatalf("English error: %q", msg)
	}
}

// TestBrowserPublicReportOnPhone: a person on a phone-sized screen reports
// someone in need with a photo and a pin on the map, gets a reference
// number and sees the status page; a dispatcher then finds the incident.
func TestBrowserPublicReportOnPhone(t *testing.T) {
	t.Parallel() // its own demo and browser context: nothing shared
	ctx := browser(t)
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "browser demo 1"}, "demo", "--data", t.TempDir())
	photoPath := filepath.Join(t.TempDir(), "photo.jpg")
	var b bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for x := 0; x < 120; x++ {
		img.Set(x, 45, color.RGBA{200, 30, 30, 255})
	}
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(photoPath, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the report page on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(r.URL+"/report"),
		chromedp.WaitVisible(chromedp.ID("report-submit")),
	)
	// Nothing chosen: clear errors on the page, in Chinese.
	step(t, ctx, "submit empty", chromedp.Click(chromedp.ID("report-submit")), chromedp.WaitVisible(chromedp.ID("page-error")))
	if msg := value(t, ctx, "location error", chromedp.Text(chromedp.ID("lat-error"))); !strings.Contains(msg, "请在地图上选择位置") {
		t.Fatalf("location error: %q", msg)
	}
	step(t, ctx, "fill the report",
		chromedp.Click(chromedp.CSS(`input[name="service_code"][value="weather_exposure"]`)),
		chromedp.SendKeys(chromedp.ID("description"), "寒潮夜里有位老人睡在公园长椅上"),
		chromedp.WaitReady(chromedp.CSS(`#pick-map.leaflet-container`)),
		chromedp.Click(chromedp.ID("pick-map")),
		chromedp.WaitReady(chromedp.CSS(`#pick-map[data-pinned="1"] .leaflet-marker-icon`)),
		chromedp.SetUploadFiles(chromedp.ID("photo"), []string{photoPath}),
		chromedp.SendKeys(chromedp.ID("phone"), "13912345678"),
	)
	lat := value(t, ctx, "pin", chromedp.Value(chromedp.ID("lat")))
	if !strings.HasPrefix(lat, "35.") {
		t.Fatalf("pin latitude %q", lat)
	}
	if png := os.Getenv("HAVEN_SCREENSHOT_REPORT"); png != "" {
		shot := value(t, ctx, "screenshot", chromedp.FullScreenshot(100))
		os.WriteFile(png, shot, 0o644)
	}
	step(t, ctx, "send", chromedp.Click(chromedp.ID("report-submit")), chromedp.WaitVisible(chromedp.ID("ref")))
	ref := value(t, ctx, "reference", chromedp.Text(chromedp.ID("ref")))
	state := value(t, ctx, "state", chromedp.Text(chromedp.ID("state")))
	if !strings.HasPrefix(ref, "HV-") || state != "已受理" {
		t.Fatalf("status page: ref %q state %q", ref, state)
	}
	if png := os.Getenv("HAVEN_SCREENSHOT_STATUS"); png != "" {
		shot := value(t, ctx, "screenshot", chromedp.FullScreenshot(100))
		os.WriteFile(png, shot, 0o644)
	}
	// Checking again later with the number typed by hand.
	step(t, ctx, "look up", chromedp.Navigate(r.URL+"/status"), chromedp.SendKeys(chromedp.ID("ref-input"), strings.ToLower(ref)),
		chromedp.Submit(chromedp.ID("ref-input")), chromedp.WaitVisible(chromedp.ID("ref")))
	if got := value(t, ctx, "ref again", chromedp.Text(chromedp.ID("ref"))); got != ref {
		t.Fatalf("lookup found %q", got)
	}
	// A dispatcher sees the new incident with the photo.
	step(t, ctx, "dispatcher",
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(r.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("username")),
		chromedp.SendKeys(chromedp.ID("username"), "dispatcher"),
		chromedp.SendKeys(chromedp.ID("password"), "browser demo 1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("welcome")),
		chromedp.Navigate(r.URL+"/incidents"),
		chromedp.WaitVisible(chromedp.ID("incidents")),
	)
	found := value(t, ctx, "incident row", chromedp.Evaluate[bool](`[...document.querySelectorAll('#incidents td')].some(td => td.textContent.includes('极端天气受困'))`))
	if !found {
		t.Fatal("the reported incident is not on the dispatcher's list")
	}
}
