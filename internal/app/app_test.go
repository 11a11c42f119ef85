package app

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/store/storetest"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

var listenLine = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// running is a haven process started through Run, as main starts it.
type running struct {
	URL    string
	Stdout *syncBuf
	Stderr *syncBuf
	stop   context.CancelFunc
	done   chan error
}

// start runs "haven <args>" on port 0 and waits until /healthz answers.
func start(t testing.TB, env map[string]string, args ...string) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Stdout: &syncBuf{}, Stderr: &syncBuf{}, stop: cancel, done: make(chan error, 1)}
	args = append(args, "--addr", "127.0.0.1:0")
	go func() { r.done <- Run(ctx, args, envFrom(env), r.Stdout, r.Stderr) }()
	deadline := time.Now().Add(180 * time.Second) // the demo seeds two years of records first (and a month of canteen and fire records); a loaded machine is slow
	for time.Now().Before(deadline) {
		if m := listenLine.FindStringSubmatch(r.Stdout.String()); m != nil {
			r.URL = m[1]
			if res, err := http.Get(r.URL + "/healthz"); err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					t.Cleanup(func() { r.Stop(t) })
					return r
				}
			}
		}
		select {
		case err := <-r.done:
			t.Fatalf("haven %v exited: %v\n%s", args, err, r.Stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	cancel()
	t.Fatalf("haven %v did not start:\n%s\n%s", args, r.Stdout.String(), r.Stderr.String())
	return nil
}

// Stop sends the equivalent of SIGTERM and waits for a clean exit.
func (r *running) Stop(t testing.TB) {
	if r.stop == nil {
		return
	}
	r.stop()
	r.stop = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(40 * time.Second):
		t.Error("haven did not shut down")
	}
}

func TestDemoStartsServesAndShutsDown(t *testing.T) {
	data := t.TempDir()
	r := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "demo password 1"}, "demo", "--data", data)
	out := r.Stdout.String()
	for _, want := range []string{"admin", "dispatcher", "patrol", "staff", "medical", "safety", "finance", "volunteer", "leader", "demo password 1", "新乡市救助管理站"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, p := range []string{"/readyz", "/login", "/metrics"} {
		res, err := http.Get(r.URL + p)
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", p, res, err)
		}
		res.Body.Close()
	}
	// A slow request in flight when shutdown starts still completes.
	slow := make(chan int, 1)
	go func() {
		res, err := http.Get(r.URL + "/login")
		if err != nil {
			slow <- 0
			return
		}
		res.Body.Close()
		slow <- res.StatusCode
	}()
	time.Sleep(20 * time.Millisecond)
	r.Stop(t)
	if code := <-slow; code != 200 {
		t.Errorf("in-flight request: %d", code)
	}
	if _, err := http.Get(r.URL + "/healthz"); err == nil {
		t.Error("still accepting after shutdown")
	}
	// The database was closed cleanly: no WAL left behind, and a second
	// demo on the same folder refuses to overwrite it.
	if fi, err := os.Stat(filepath.Join(data, "haven.db-wal")); err == nil && fi.Size() > 0 {
		t.Errorf("WAL not checkpointed: %d bytes", fi.Size())
	}
	err := Run(context.Background(), []string{"demo", "--data", data, "--addr", "127.0.0.1:0"}, envFrom(nil), &syncBuf{}, &syncBuf{})
	if err == nil || !strings.Contains(err.Error(), "already holds users") {
		t.Fatalf("demo on a used folder: %v", err)
	}
}

func TestRandomDemoPasswords(t *testing.T) {
	r := start(t, nil, "demo", "--data", t.TempDir())
	m := regexp.MustCompile(`(?m)^  admin\s+(\S+)\s`).FindStringSubmatch(r.Stdout.String())
	if m == nil || len(m[1]) < 12 {
		t.Fatalf("no random admin password in:\n%s", r.Stdout.String())
	}
	r2 := start(t, nil, "demo", "--data", t.TempDir())
	m2 := regexp.MustCompile(`(?m)^  admin\s+(\S+)\s`).FindStringSubmatch(r2.Stdout.String())
	if m2 == nil || m2[1] == m[1] {
		t.Fatal("two demos got the same random password")
	}
}

func TestBadInput(t *testing.T) {
	readOnly := filepath.Join(t.TempDir(), "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, []byte("x"), 0o600)
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
		code int
	}{
		{"no command", nil, nil, "no command", 2},
		{"unknown command", []string{"fly"}, nil, `unknown command "fly"`, 2},
		{"unknown flag", []string{"serve", "--colour", "red"}, nil, "unknown flag --colour (see 'haven serve -h')", 2},
		{"bad flag value", []string{"serve", "--session-idle", "forever"}, nil, `--session-idle "forever": want a positive duration such as 30m or 12h (see 'haven serve -h')`, 2},
		{"flag without value", []string{"demo", "--addr"}, nil, "--addr needs a value (see 'haven demo -h')", 2},
		{"bad match flag", []string{"match", "--top", "many"}, nil, `--top "many": want a whole number of at least 1 (see 'haven match -h')`, 2},
		{"bad users flag", []string{"users", "add", "--rol", "x"}, nil, "unknown flag --rol (see 'haven users add -h')", 2},
		{"bad addr", []string{"serve", "--addr", "8080"}, nil, "want host:port", 2},
		{"bad log level", []string{"serve", "--log-level", "loud"}, nil, "want debug, info, warn or error", 2},
		{"bad env duration", []string{"serve"}, map[string]string{"HAVEN_SESSION_IDLE": "forever"}, "HAVEN_SESSION_IDLE=\"forever\": want a positive duration", 2},
		{"bad database url", []string{"serve", "--database-url", "mysql://x"}, nil, "want a postgres:// URL", 2},
		{"base url", []string{"serve", "--base-url", "haven.local"}, nil, "want an absolute http:// or https:// URL", 2},
		{"secret file missing", []string{"serve"}, map[string]string{"HAVEN_DATABASE_URL_FILE": "/nonexistent/secret"}, "HAVEN_DATABASE_URL_FILE: cannot read", 2},
		{"unreachable postgres", []string{"migrate", "--database-url", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, nil, "cannot reach the postgres database", 1},
		{"data folder not a folder", []string{"migrate", "--data", notDir}, nil, "data folder", 1},
		{"backup without file", []string{"backup", "--data", t.TempDir()}, nil, "backup needs one argument", 2},
		{"users without subcommand", []string{"users"}, nil, "add, passwd or disable", 2},
	}
	if os.Geteuid() != 0 { // root writes anywhere
		cases = append(cases, struct {
			name string
			args []string
			env  map[string]string
			want string
			code int
		}{"read-only data folder", []string{"migrate", "--data", filepath.Join(readOnly, "sub")}, nil, "permission denied", 1})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr syncBuf
			err := Run(context.Background(), c.args, envFrom(c.env), &stdout, &stderr)
			if err == nil {
				t.Fatalf("no error; stdout %s", stdout.String())
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not contain %q", err, c.want)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error is not one line: %q", err)
			}
			if ExitCode(err) != c.code {
				t.Errorf("exit code %d, want %d", ExitCode(err), c.code)
			}
			// A mistake in a flag is the one line main prints, not a
			// usage around it.
			if c.args != nil && (stderr.String() != "" || stdout.String() != "") {
				t.Errorf("printed besides the error:\n%s%s", stdout.String(), stderr.String())
			}
		})
	}
}

// -h and --help print a short usage with each flag's value name and
// default, on standard output, and exit 0.
func TestHelpShowsDefaultsAndExitsZero(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"serve", "-h"}, []string{"Usage: haven serve [flags]", "--addr host:port", "(default 127.0.0.1:8080)", "--session-idle duration", "(default 2h)",
			"--data folder", "--print-config"}},
		{[]string{"demo", "--help"}, []string{"Usage: haven demo [flags]", "temporary folder", "--merge-radius metres", "(default 300)"}},
		{[]string{"backup", "-h"}, []string{"Usage: haven backup [flags] FILE", "see 'haven serve -h'"}},
		{[]string{"users", "add", "-h"}, []string{"Usage: haven users add [flags]", "--role role", "liaison", "--password-file file"}},
		{[]string{"retention", "-h"}, []string{"--dry-run"}},
		{[]string{"match", "-h"}, []string{"--top count", "(default 10)", "Columns: id,name"}},
		{[]string{"-h"}, []string{"Usage: haven <command> [flags]", "users add", "'haven <command> -h'"}},
		{[]string{"users", "--help"}, []string{"users passwd"}},
	} {
		var stdout, stderr syncBuf
		err := Run(context.Background(), c.args, envFrom(nil), &stdout, &stderr)
		if err != nil || ExitCode(err) == 2 {
			t.Errorf("%v: %v", c.args, err)
		}
		out := stdout.String()
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: the help lacks %q:\n%s", c.args, w, out)
			}
		}
		if strings.Contains(out, " value ") || strings.Contains(out, "flag: help requested") || stderr.String() != "" {
			t.Errorf("%v: a nameless value, or output on stderr:\n%s%s", c.args, out, stderr.String())
		}
		// A screenful or two: each flag takes a line or two (issue 17 added the patrol plan's three).
		if n := strings.Count(out, "\n"); n > 90 {
			t.Errorf("%v: %d lines of help", c.args, n)
		}
	}
}

// A demo without --data runs in a temporary folder and removes it when it
// stops, also when it stops on an error.
func TestDemoRemovesItsTemporaryFolder(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var stdout, stderr syncBuf
	// The case rules are read after the database and the keys were
	// created in the folder.
	err := Run(context.Background(), []string{"demo", "--case-rules", filepath.Join(tmp, "no-such-rules.json"), "--addr", "127.0.0.1:0"},
		envFrom(nil), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "--case-rules") {
		t.Fatalf("demo with missing case rules: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "haven-demo-*")); len(left) != 0 {
		t.Fatalf("the demo left %v behind", left)
	}
	// --data is the user's folder: kept.
	data := filepath.Join(tmp, "mine")
	err = Run(context.Background(), []string{"demo", "--data", data, "--case-rules", filepath.Join(tmp, "no-such-rules.json"), "--addr", "127.0.0.1:0"},
		envFrom(nil), &stdout, &stderr)
	if err == nil {
		t.Fatal("demo with missing case rules started")
	}
	if _, err := os.Stat(filepath.Join(data, "haven.db")); err != nil {
		t.Fatalf("the --data folder was not kept: %v", err)
	}
}

func TestPrintConfigRedactsSecrets(t *testing.T) {
	var out syncBuf
	err := Run(context.Background(), []string{"serve", "--print-config", "--database-url", "postgres://haven:s3cret@db:5432/haven"}, envFrom(nil), &out, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "s3cret") || !strings.Contains(out.String(), "HAVEN_DATABASE_URL=postgres://haven:REDACTED@db:5432/haven") {
		t.Fatalf("print-config:\n%s", out.String())
	}
}

func TestUsersBackupRestoreAndKeysCLI(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	run := func(env map[string]string, args ...string) (string, error) {
		var out, errb syncBuf
		err := Run(ctx, append(args, "--data", data), envFrom(env), &out, &errb)
		return out.String(), err
	}
	if _, err := run(nil, "migrate"); err != nil {
		t.Fatal(err)
	}
	// A department to put users in, through the service as the web would.
	cfg := config.Default()
	cfg.DataDir = data
	e, err := open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.auth.CreateDepartment(ctx, auth.CLIActor(), auth.Department{Name: "新乡市救助管理站", Kind: "station"}); err != nil {
		t.Fatal(err)
	}
	// A public report with a photo, filed before the backup.
	lat, lng := 35.3021, 113.9262
	photo := testJPEG(t)
	filed, err := e.intake.Submit(ctx, auth.Actor{IP: "ip"}, intake.Input{Channel: intake.ChannelPublic, ServiceCode: "weather_exposure",
		Description: "备份前的报告", Lat: &lat, Lng: &lng, Address: "备份测试路", Photo: photo})
	if err != nil {
		t.Fatal(err)
	}
	dispatcher := auth.Actor{Name: "test", Role: auth.RoleDispatcher, IP: "local"}
	before, err := e.intake.SignalPhoto(ctx, dispatcher, filed.Signal.Ref)
	if err != nil {
		t.Fatal(err)
	}
	e.Close()

	out, err := run(map[string]string{"HAVEN_USER_PASSWORD": "first password 1"}, "users", "add", "--username", "Chen", "--name", "陈刚", "--role", "safety", "--department", "新乡市救助管理站", "--phone", "13837300106")
	if err != nil || !strings.Contains(out, "created user chen") {
		t.Fatalf("users add: %v %s", err, out)
	}
	if _, err := run(nil, "users", "add", "--username", "bad", "--name", "x", "--role", "king", "--department", "新乡市救助管理站"); err == nil || !strings.Contains(err.Error(), "role: invalid_choice") {
		t.Fatalf("invalid role: %v", err)
	}
	if _, err := run(nil, "users", "add", "--username", "nodept", "--name", "x", "--role", "staff", "--department", "火星站"); err == nil || !strings.Contains(err.Error(), "known: 新乡市救助管理站") {
		t.Fatalf("unknown department: %v", err)
	}
	out, err = run(nil, "users", "passwd", "--username", "chen")
	m := regexp.MustCompile(`password: (\S+)`).FindStringSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("users passwd: %v %s", err, out)
	}

	backupFile := filepath.Join(t.TempDir(), "haven-backup.db")
	if out, err := run(nil, "backup", backupFile); err != nil || !strings.Contains(out, "verified") || !strings.Contains(out, "0600") {
		t.Fatalf("backup: %v %s", err, out)
	}
	// The backup holds personal data: readable by its owner only.
	if st, err := os.Stat(backupFile); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file mode: %v %v", st.Mode(), err)
	}
	// The photo is erased from the live database after the backup: only
	// the backup can bring it back.
	e, err = open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.Files().Delete(ctx, filed.Signal.Photo); err != nil {
		t.Fatal(err)
	}
	e.Close()
	if out, err := run(nil, "keys", "rotate"); err != nil || !strings.Contains(out, "1 stored values re-encrypted") {
		t.Fatalf("keys rotate: %v %s", err, out)
	}
	if out, err := run(nil, "users", "disable", "--username", "chen"); err != nil || !strings.Contains(out, "disabled") {
		t.Fatalf("users disable: %v %s", err, out)
	}
	if _, err := run(nil, "users", "disable", "--username", "ghost"); err == nil || !strings.Contains(err.Error(), "no such user") {
		t.Fatalf("disable unknown: %v", err)
	}
	// Restore brings back the user as it was at backup time (enabled) and
	// with the generated password.
	out, err = run(nil, "restore", backupFile)
	if err != nil || !strings.Contains(out, "kept as") {
		t.Fatalf("restore: %v %s", err, out)
	}
	e, err = open(ctx, cfg, &syncBuf{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, _, _, err := e.auth.Login(ctx, "chen", m[1], "ip", "ua"); err != nil {
		t.Fatalf("login after restore: %v", err)
	}
	if after, err := e.intake.SignalPhoto(ctx, dispatcher, filed.Signal.Ref); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("photo filed before the backup, after restore: %v", err)
	}
	// Phone numbers sealed under the first key still open after rotation.
	u, _ := e.db.UserByUsername(ctx, "chen")
	v, err := e.auth.ViewUser(ctx, auth.CLIActor(), u.ID)
	if err != nil || v.Phone != "13837300106" {
		t.Fatalf("phone after restore and rotation: %v %v", v, err)
	}
	if err := os.WriteFile(filepath.Join(t.TempDir(), "junk.db"), []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := run(nil, "restore", filepath.Join(filepath.Dir(backupFile), "missing.db")); err == nil {
		t.Fatal("restore of a missing file succeeded")
	}
}

// TestTwoNodesActAsOne runs two servers on one PostgreSQL database, as
// behind a load balancer: a session opened on one node works on the other,
// and a dispatcher whose board is connected to node A sees, live, a signal
// posted to node B. The nodes read the event log only when notified (the
// fallback poll is set to an hour), so the event can only have come through
// LISTEN/NOTIFY.
func TestTwoNodesActAsOne(t *testing.T) {
	dsn, _ := storetest.PostgresSchema(t)
	keyFile := filepath.Join(t.TempDir(), "keys")
	a := start(t, map[string]string{"HAVEN_DEMO_PASSWORD": "demo password 1", "HAVEN_DATABASE_URL": dsn, "HAVEN_ENCRYPTION_KEY_FILE": keyFile, "HAVEN_EVENT_POLL": "1h",
		"HAVEN_PUBLIC_RATE": "1"}, "demo", "--data", t.TempDir())
	b := start(t, map[string]string{"HAVEN_DATABASE_URL": dsn, "HAVEN_ENCRYPTION_KEY_FILE": keyFile, "HAVEN_EVENT_POLL": "1h", "HAVEN_PUBLIC_RATE": "1"},
		"serve", "--data", t.TempDir())
	if !strings.Contains(a.Stdout.String(), "database: postgres") || !strings.Contains(b.Stdout.String(), "database: postgres") {
		t.Fatal("a node is not on postgres")
	}
	jar := newJarClient()
	csrf := jar.csrf(t, a.URL+"/login")
	res, err := jar.c.PostForm(a.URL+"/login", map[string][]string{"username": {"dispatcher"}, "password": {"demo password 1"}, "csrf_token": {csrf}})
	if err != nil || res.StatusCode != 200 { // redirects followed to /
		t.Fatalf("login on node a: %v %v", res, err)
	}
	res.Body.Close()
	withSession := func(method, u string) *http.Request {
		req, _ := http.NewRequest(method, u, nil)
		for _, c := range jar.c.Jar.Cookies(mustURL(a.URL)) {
			req.AddCookie(c)
		}
		return req
	}
	// Same cookie, other node.
	res, err = (&http.Client{CheckRedirect: noRedirect}).Do(withSession("GET", b.URL+"/dispatch"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("session from node a on node b: %d", res.StatusCode)
	}

	// The board's stream on node A; the report goes to node B.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stream, err := http.DefaultClient.Do(withSession("GET", a.URL+"/dispatch/events").WithContext(ctx))
	if err != nil || stream.StatusCode != 200 {
		t.Fatalf("event stream on node a: %v %v", stream, err)
	}
	defer stream.Body.Close()
	got := make(chan string, 100)
	go func() {
		r := events.NewReader(stream.Body)
		for {
			ev, err := r.Next()
			if err != nil {
				close(got)
				return
			}
			if ev.Event == events.TopicIncident {
				got <- ev.Data
			}
		}
	}()
	const address = "两节点测试：人民公园东门"
	ref := publicReportWithPhoto(t, b.URL, 35.3021, 113.9262, address, testJPEG(t))
	deadline := time.After(20 * time.Second)
wait:
	for {
		select {
		case data, ok := <-got:
			if !ok {
				t.Fatal("stream on node a ended")
			}
			var inc struct{ Address, State string }
			_ = json.Unmarshal([]byte(data), &inc)
			if inc.Address == address {
				if inc.State != "accepted" {
					t.Fatalf("incident from node b arrived as %q", inc.State)
				}
				break wait
			}
		case <-deadline:
			t.Fatal("the report posted to node b never reached the board on node a")
		}
	}
	// The report's photo, filed on node b, is served by node a too: the
	// nodes share no disk.
	codeA, onA := getPhoto(t, jar, a.URL, a.URL, "/signals/"+ref+"/photo")
	codeB, onB := getPhoto(t, jar, a.URL, b.URL, "/signals/"+ref+"/photo")
	if codeA != 200 || codeB != 200 || len(onA) < 100 || !bytes.Equal(onA, onB) {
		t.Fatalf("photo of a report filed on node b: %d on node a, %d on node b", codeA, codeB)
	}

	// One budget for both nodes: 30 status look-ups a minute per client
	// (each node alone would allow its own 30). A run that crosses into
	// the next minute's window is tried again.
	for try := 0; ; try++ {
		began, limited := time.Now().Truncate(time.Minute), false
		for i := 0; i < 31 && !limited; i++ {
			node := a.URL
			if i%2 == 1 {
				node = b.URL
			}
			res, err := http.Get(node + "/status")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			limited = res.StatusCode == http.StatusTooManyRequests
		}
		if limited {
			break
		}
		if try == 1 || time.Now().Truncate(time.Minute).Equal(began) {
			t.Fatal("31 status look-ups over two nodes were not limited: each node counts alone")
		}
	}
}

// With --metrics-addr the metrics leave the main address for their own,
// where the token guards them.
func TestMetricsAddress(t *testing.T) {
	r := start(t, map[string]string{"HAVEN_METRICS_TOKEN": "m-token-1"}, "serve", "--data", t.TempDir(), "--metrics-addr", "127.0.0.1:0")
	line := regexp.MustCompile(`Metrics are served on (http://[0-9.:]+/metrics)`)
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = line.FindStringSubmatch(r.Stdout.String())
	}
	if m == nil {
		t.Fatalf("no metrics address in:\n%s", r.Stdout.String())
	}
	get := func(u, token string) int {
		req, _ := http.NewRequest("GET", u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get(r.URL+"/metrics", "m-token-1"); code != http.StatusNotFound {
		t.Errorf("/metrics on the main address: %d", code)
	}
	if code := get(m[1], ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d", code)
	}
	if code := get(m[1], "m-token-1"); code != http.StatusOK {
		t.Errorf("/metrics with the token: %d", code)
	}
}
