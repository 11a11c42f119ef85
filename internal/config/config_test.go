package config

import (
	"errors"
	"flag"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestPrecedenceAndFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "db-url")
	if err := os.WriteFile(secret, []byte("postgres://haven:pw@db/haven\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, rest, err := Load("serve", []string{"--addr", "0.0.0.0:9000", "extra"}, env(map[string]string{
		"HAVEN_ADDR": "127.0.0.1:1", "HAVEN_DATABASE_URL_FILE": secret, "HAVEN_SESSION_IDLE": "45m", "HAVEN_LOG_FORMAT": "json",
	}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Errorf("flag should beat env: %s", c.Addr)
	}
	if c.DatabaseURL != "postgres://haven:pw@db/haven" || !c.Postgres() {
		t.Errorf("_FILE secret: %q", c.DatabaseURL)
	}
	if c.SessionIdle != 45*time.Minute || c.LogFormat != "json" {
		t.Errorf("env values: %v %s", c.SessionIdle, c.LogFormat)
	}
	if len(rest) != 1 || rest[0] != "extra" {
		t.Errorf("positional: %v", rest)
	}
	var b strings.Builder
	c.Print(&b)
	if strings.Contains(b.String(), ":pw@") || !strings.Contains(b.String(), "HAVEN_ADDR=0.0.0.0:9000") {
		t.Errorf("Print:\n%s", b.String())
	}
	if _, _, err := Load("serve", nil, env(map[string]string{"HAVEN_DATABASE_URL": "postgres://x", "HAVEN_DATABASE_URL_FILE": secret}), io.Discard); err == nil {
		t.Error("both VAR and VAR_FILE accepted")
	}
	if _, _, err := Load("serve", []string{"--session-idle", "24h"}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "longer than --session-max") {
		t.Errorf("idle > max: %v", err)
	}
	// The login throttle's flags (which replaced --lockout-threshold and
	// --lockout-duration) and their bounds.
	c, _, err = Load("serve", []string{"--login-free-failures", "3", "--login-backoff-max", "30m"}, env(map[string]string{"HAVEN_LOGIN_ACCOUNT_BACKOFF_MAX": "2m"}), io.Discard)
	if err != nil || c.LoginFreeFailures != 3 || c.LoginBackoffMax != 30*time.Minute || c.LoginAccountBackoffMax != 2*time.Minute {
		t.Errorf("login throttle flags: %v %+v", err, c)
	}
	if d := Default(); d.LoginFreeFailures != 5 || d.LoginBackoffMax != 15*time.Minute || d.LoginAccountBackoffMax != time.Minute {
		t.Errorf("login throttle defaults: %+v", d)
	}
	for _, bad := range [][]string{{"--login-free-failures", "0"}, {"--login-backoff-max", "-1s"}, {"--login-account-backoff-max", "1h"}, {"--lockout-threshold", "5"}} {
		if _, _, err := Load("serve", bad, env(nil), io.Discard); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if c, _, _ := Load("serve", []string{"--base-url", "https://haven.example.gov.cn/"}, env(nil), io.Discard); !c.Secure() || c.BaseURL != "https://haven.example.gov.cn" {
		t.Errorf("https base url: %+v", c)
	}
}

func FuzzLoadEnv(f *testing.F) {
	f.Add("127.0.0.1:8080", "info", "30m", "5", "postgres://u:p@h/d")
	f.Add("", "x", "-1s", "0", "mysql://")
	f.Fuzz(func(t *testing.T, addr, level, idle, threshold, dbURL string) {
		c, _, err := Load("serve", nil, env(map[string]string{
			"HAVEN_ADDR": addr, "HAVEN_LOG_LEVEL": level, "HAVEN_SESSION_IDLE": idle,
			"HAVEN_LOGIN_FREE_FAILURES": threshold, "HAVEN_DATABASE_URL": dbURL,
		}), io.Discard)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		if c.Validate() != nil || c.LoginFreeFailures < 1 || c.LoginBackoffMax <= 0 || c.LoginAccountBackoffMax <= 0 || c.SessionIdle <= 0 {
			t.Fatalf("accepted an invalid configuration: %+v", c)
		}
		if u, err := url.Parse(c.DatabaseURL); err == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && pw != "" && pw != "REDACTED" && strings.Contains(RedactURL(c.DatabaseURL), u.User.Username()+":"+pw+"@") {
				t.Fatalf("password survived redaction: %q", RedactURL(c.DatabaseURL))
			}
		}
	})
}

func TestTrustedProxiesAndMetrics(t *testing.T) {
	c, _, err := Load("serve", []string{"--trusted-proxies", " 10.0.0.0/8, 192.168.1.7 ,2001:db8::/32"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range c.TrustedProxies {
		got = append(got, p.String())
	}
	if strings.Join(got, ",") != "10.0.0.0/8,192.168.1.7/32,2001:db8::/32" {
		t.Errorf("trusted proxies: %v", got)
	}
	for _, bad := range []string{"10.0.0.0/33", "example.com", "0.0.0.0/0", "::/0", "10.0.0.1/8/2", "::ffff:10.0.0.0/104"} {
		if _, _, err := Load("serve", nil, env(map[string]string{"HAVEN_TRUSTED_PROXIES": bad}), io.Discard); err == nil || strings.Contains(err.Error(), "\n") {
			t.Errorf("HAVEN_TRUSTED_PROXIES=%q accepted (%v)", bad, err)
		}
	}
	tok := filepath.Join(t.TempDir(), "metrics-token")
	if err := os.WriteFile(tok, []byte("s3cret-metrics\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, _, err = Load("serve", []string{"--metrics-addr", "127.0.0.1:9090"}, env(map[string]string{"HAVEN_METRICS_TOKEN_FILE": tok}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsToken != "s3cret-metrics" || c.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("metrics: %q %q", c.MetricsToken, c.MetricsAddr)
	}
	var b strings.Builder
	c.Print(&b)
	if strings.Contains(b.String(), "s3cret") || !strings.Contains(b.String(), "HAVEN_METRICS_TOKEN=REDACTED") {
		t.Errorf("Print shows the metrics token:\n%s", b.String())
	}
	for _, addr := range []string{"9090", "127.0.0.1:8080"} {
		if _, _, err := Load("serve", []string{"--metrics-addr", addr}, env(nil), io.Discard); err == nil {
			t.Errorf("--metrics-addr %q accepted", addr)
		}
	}
}

// The map settings: OSM unless told otherwise, a tile URL alone is a
// custom provider, 天地图 wants its key (which Print hides), and a wrong
// name or a missing key is one clear line.
func TestMapSettings(t *testing.T) {
	c, _, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil || c.MapTiles != "osm" {
		t.Fatalf("default: %v %q", err, c.MapTiles)
	}
	c, _, err = Load("serve", nil, env(map[string]string{"HAVEN_TILE_URL": "https://tiles.example.cn/{z}/{x}/{y}.png"}), io.Discard)
	if err != nil || c.MapTiles != "custom" {
		t.Fatalf("tile URL alone: %v %q", err, c.MapTiles)
	}
	c, _, err = Load("serve", []string{"--map-tiles", "tianditu"}, env(map[string]string{"HAVEN_TIANDITU_KEY": "0123456789abcdef"}), io.Discard)
	if err != nil || c.Basemap().TiandituKey != "0123456789abcdef" {
		t.Fatalf("tianditu: %v %+v", err, c.Basemap())
	}
	var b strings.Builder
	c.Print(&b)
	if strings.Contains(b.String(), "0123456789abcdef") || !strings.Contains(b.String(), "HAVEN_MAP_TILES=tianditu") {
		t.Errorf("Print:\n%s", b.String())
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--map-tiles", "baidu"}, `--map-tiles "baidu": want one of osm, tianditu, gaode, none, custom`},
		{[]string{"--map-tiles", "tianditu"}, "--tianditu-key (HAVEN_TIANDITU_KEY)"},
		{[]string{"--map-tiles", "custom", "--tile-url", "tiles/{z}/{x}/{y}.png"}, "absolute"},
	} {
		_, _, err := Load("serve", bad.args, env(nil), io.Discard)
		if err == nil || !strings.Contains(err.Error(), bad.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: %v, want %q", bad.args, err, bad.want)
		}
	}
}

// Each server flag names its value in its usage (`host:port`, `duration`
// …) and reads the variable HAVEN_ + its name in capitals, as the help
// says; its help shows the default.
func TestFlagHelpNamesValuesAndDefaults(t *testing.T) {
	var help strings.Builder
	_, _, err := Load("serve", []string{"-h"}, env(nil), &help)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, o := range Default().options() {
		if o.env != "HAVEN_"+strings.ToUpper(strings.ReplaceAll(o.flag, "-", "_")) {
			t.Errorf("--%s reads %s, not the variable the help promises", o.flag, o.env)
		}
		if !regexp.MustCompile("`[^`]+`").MatchString(o.usage) {
			t.Errorf("--%s: no `name` for its value in %q", o.flag, o.usage)
		}
		if !strings.Contains(help.String(), "--"+o.flag+" ") {
			t.Errorf("the help lacks --%s", o.flag)
		}
	}
	for _, want := range []string{"--addr host:port", "(default 127.0.0.1:8080)", "--session-max duration", "(default 12h)", "--notice-days days"} {
		if !strings.Contains(help.String(), want) {
			t.Errorf("the help lacks %q:\n%s", want, help.String())
		}
	}
	_, _, err = LoadCommand(Command{Name: "backup", Args: "FILE"}, []string{"--help"}, env(nil), &help)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(help.String(), "Usage: haven backup [flags] FILE") || !strings.Contains(help.String(), "see 'haven serve -h'") {
		t.Errorf("backup --help: %v\n%s", err, help.String())
	}
	for args, want := range map[string]string{
		"--merge-window soon":  `--merge-window "soon": want a positive duration such as 30m or 12h (see 'haven serve -h')`,
		"--colour red":         "unknown flag --colour (see 'haven serve -h')",
		"--addr":               "--addr needs a value (see 'haven serve -h')",
		"--print-config=maybe": `--print-config "maybe": parse error (see 'haven serve -h')`,
	} {
		if _, _, err := Load("serve", strings.Fields(args), env(nil), io.Discard); err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", args, err, want)
		}
	}
}
