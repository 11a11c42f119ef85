// Package config builds Haven's one Config from flags, environment
// variables and <VAR>_FILE secrets, and prints it with secrets redacted.
package config

import (
	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/funds"

	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is the effective configuration of one haven process.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string // empty: embedded SQLite in DataDir
	BaseURL     string
	LogLevel    string
	LogFormat   string

	EncryptionKeyFile string // default: <DataDir>/keys/field.keys

	// Maps (see basemap and the README's "Maps"): the tile provider, a
	// custom provider's template, coordinate system and attribution, the
	// 天地图 key, and a roads file replacing the built-in one of 新乡.
	MapTiles        string
	TileURL         string
	TileCoords      string
	TileAttribution string
	TiandituKey     string
	MapRoads        string
	Gazetteer       string // the city's roads, districts and places for typed addresses; empty: the embedded 新乡 file

	SessionIdle time.Duration
	SessionMax  time.Duration
	// Login throttle (no hard lock): free failures for one account from one
	// address, the longest back-off for an address, and the longest for an
	// account across all addresses.
	LoginFreeFailures      int
	LoginBackoffMax        time.Duration
	LoginAccountBackoffMax time.Duration

	Jurisdiction string        // Open311 jurisdiction_id
	MergeRadiusM int           // signals this close …
	MergeWindow  time.Duration // … and this close in time join one incident
	NightPatrol  string        // HH:MM-HH:MM (China Standard Time): patrols starting then are night patrols (夜巡)
	FireNight    string        // H-H (China Standard Time): the night of the fire patrols, a round at least every 2 hours
	// Tonight's patrol plan: the nights of encounters it looks at, the
	// lowest 气象 warning level that needs a night patrol, and whether
	// such a warning starts the matching campaign ("on" or "off").
	PlanNights       int
	NightAlertLevel  string
	WeatherCampaigns string
	EventPoll        time.Duration // how often the event log is read without a notification
	CaseRules        string        // JSON file overriding the statutory deadline rules
	AssistanceRules  string        // JSON file with the local social-assistance rules (internal/assistance)
	FundsLeaderAbove int64         // fen: spending requests above it are approved by the leader
	PublicRate       int           // requests a minute per address on public endpoints
	PartnerRate      int           // work orders a minute per partner key
	StationName      string        // the station named on public notices
	StationPhone     string        // its 24 h hotline, on public notices and the family's progress page
	DonationAccount  string        // the official account for money donations, shown on the public giving page
	NoticeDays       int           // how long a 寻亲 notice stays up
	FamilyPeers      string        // a file of other Havens to pull shareable missing-person reports from

	// Retention (PIPL): days after a record is finished before its
	// personal data is anonymised by the nightly job; 0 keeps it.
	RetainSignalPhoneDays int // reporter and callback phone of signals, after the incident closed
	RetainPhotoDays       int // photos of people who left
	RetainIdentityDays    int // names, ID numbers, relatives' phones of people who left
	RetainHealthYears     int // health-check findings and medication notes of people who left
	ExportDays            int // days an approved personal-data export can be downloaded

	// TrustedProxies are the reverse proxies and load balancers whose
	// X-Forwarded-For / Forwarded headers name the client. Headers from
	// any other peer are ignored.
	TrustedProxies []netip.Prefix
	MetricsToken   string // when set, /metrics wants "Authorization: Bearer <token>"
	MetricsAddr    string // when set, /metrics is served on this address only

	PrintConfig bool
}

// Secure reports whether cookies must carry the Secure flag.
func (c *Config) Secure() bool { return strings.HasPrefix(c.BaseURL, "https://") }

// Basemap returns the map settings.
func (c *Config) Basemap() basemap.Settings {
	return basemap.Settings{Provider: c.MapTiles, URL: c.TileURL, Coords: c.TileCoords, Attribution: c.TileAttribution, TiandituKey: c.TiandituKey}
}

// Postgres reports whether the configuration selects PostgreSQL.
func (c *Config) Postgres() bool { return c.DatabaseURL != "" }

// KeyFile returns the field-encryption key file path.
func (c *Config) KeyFile() string {
	if c.EncryptionKeyFile != "" {
		return c.EncryptionKeyFile
	}
	return filepath.Join(c.DataDir, "keys", "field.keys")
}

type option struct {
	flag, env, usage string
	secret           bool
	set              func(string) error
	get              func() string
}

func (c *Config) options() []option {
	str := func(p *string) (func(string) error, func() string) {
		return func(s string) error { *p = s; return nil }, func() string { return *p }
	}
	dur := func(p *time.Duration) (func(string) error, func() string) {
		return func(s string) error {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					return fmt.Errorf("want a positive duration such as 30m or 12h")
				}
				*p = d
				return nil
			}, func() string {
				return shortDuration(*p)
			}
	}
	num := func(p *int) (func(string) error, func() string) {
		return func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 {
				return fmt.Errorf("want a whole number of at least 1")
			}
			*p = n
			return nil
		}, func() string { return strconv.Itoa(*p) }
	}
	// keep is a retention period: 0 means keep for ever.
	keep := func(p *int) (func(string) error, func() string) {
		return func(s string) error {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				return fmt.Errorf("want a whole number, 0 to keep for ever")
			}
			*p = n
			return nil
		}, func() string { return strconv.Itoa(*p) }
	}
	mk := func(flag, env, usage string, secret bool, f func(string) error, g func() string) option {
		return option{flag, env, usage, secret, f, g}
	}
	var o []option
	add := func(flag, env, usage string, secret bool, sg func() (func(string) error, func() string)) {
		s, g := sg()
		o = append(o, mk(flag, env, usage, secret, s, g))
	}
	add("addr", "HAVEN_ADDR", "address to listen on, as `host:port`", false, func() (func(string) error, func() string) { return str(&c.Addr) })
	add("data", "HAVEN_DATA", "`folder` for the SQLite file (uploaded photos included) and keys", false, func() (func(string) error, func() string) { return str(&c.DataDir) })
	add("database-url", "HAVEN_DATABASE_URL", "PostgreSQL `url` (postgres://…); empty for the embedded SQLite database", true, func() (func(string) error, func() string) { return str(&c.DatabaseURL) })
	add("base-url", "HAVEN_BASE_URL", "public `url` of this server, e.g. https://haven.example.gov.cn", false, func() (func(string) error, func() string) { return str(&c.BaseURL) })
	add("log-level", "HAVEN_LOG_LEVEL", "`level` of logging: debug, info, warn or error", false, func() (func(string) error, func() string) { return str(&c.LogLevel) })
	add("log-format", "HAVEN_LOG_FORMAT", "log `format`: text or json", false, func() (func(string) error, func() string) { return str(&c.LogFormat) })
	add("encryption-key-file", "HAVEN_ENCRYPTION_KEY_FILE", "field-encryption key `file` (default <data>/keys/field.keys)", false, func() (func(string) error, func() string) { return str(&c.EncryptionKeyFile) })
	add("map-tiles", "HAVEN_MAP_TILES", "map tiles `provider`: osm, tianditu (needs --tianditu-key), gaode, none (roads file only) or custom (--tile-url)", false, func() (func(string) error, func() string) { return str(&c.MapTiles) })
	add("tile-url", "HAVEN_TILE_URL", "custom map tiles: `url` template with {z}, {x}, {y} (and {s} for subdomains a, b, c)", false, func() (func(string) error, func() string) { return str(&c.TileURL) })
	add("tile-coords", "HAVEN_TILE_COORDS", "custom map tiles' coordinate `system`: wgs84 or gcj02", false, func() (func(string) error, func() string) { return str(&c.TileCoords) })
	add("tile-attribution", "HAVEN_TILE_ATTRIBUTION", "custom map tiles' attribution `text`, as their licence asks", false, func() (func(string) error, func() string) { return str(&c.TileAttribution) })
	add("tianditu-key", "HAVEN_TIANDITU_KEY", "天地图 browser `key` (console.tianditu.gov.cn) for --map-tiles tianditu", true, func() (func(string) error, func() string) { return str(&c.TiandituKey) })
	add("map-roads", "HAVEN_MAP_ROADS", "GeoJSON `file` of the city's main roads, drawn when no tiles load (default: 新乡's, built in)", false, func() (func(string) error, func() string) { return str(&c.MapRoads) })
	add("gazetteer", "HAVEN_GAZETTEER", "tab-separated `file` of the city's roads, districts and places that typed addresses are placed by (default: the built-in 新乡 file; format in internal/geo/gazetteer/xinxiang.tsv)", false, func() (func(string) error, func() string) { return str(&c.Gazetteer) })
	add("session-idle", "HAVEN_SESSION_IDLE", "sign out after this long (a `duration`) without activity", false, func() (func(string) error, func() string) { return dur(&c.SessionIdle) })
	add("session-max", "HAVEN_SESSION_MAX", "sign out this long (a `duration`) after login, whatever the activity", false, func() (func(string) error, func() string) { return dur(&c.SessionMax) })
	add("login-free-failures", "HAVEN_LOGIN_FREE_FAILURES", "`count` of failed logins to one account from one address before each further one doubles the wait (1s, 2s, 4s …); an address alone gets 4 times as many, an account from all addresses 10 times", false, func() (func(string) error, func() string) { return num(&c.LoginFreeFailures) })
	add("login-backoff-max", "HAVEN_LOGIN_BACKOFF_MAX", "longest wait (a `duration`) imposed on an address after failed logins", false, func() (func(string) error, func() string) { return dur(&c.LoginBackoffMax) })
	add("login-account-backoff-max", "HAVEN_LOGIN_ACCOUNT_BACKOFF_MAX", "longest wait (a `duration`, at most 10m) imposed on an account for failures from all addresses: the most an outsider can keep its owner out at a time", false, func() (func(string) error, func() string) { return dur(&c.LoginAccountBackoffMax) })
	add("jurisdiction", "HAVEN_JURISDICTION", "the Open311 jurisdiction `id` this server answers for", false, func() (func(string) error, func() string) { return str(&c.Jurisdiction) })
	add("merge-radius", "HAVEN_MERGE_RADIUS", "signals this many `metres` apart or closer merge into one incident (at most 450)", false, func() (func(string) error, func() string) { return num(&c.MergeRadiusM) })
	add("merge-window", "HAVEN_MERGE_WINDOW", "signals this close in time (a `duration`) merge into one incident", false, func() (func(string) error, func() string) { return dur(&c.MergeWindow) })
	add("case-rules", "HAVEN_CASE_RULES", "JSON `file` with the station's deadline rules (hours, working days, holidays); defaults are the 2014 规程's", false, func() (func(string) error, func() string) { return str(&c.CaseRules) })
	add("assistance-rules", "HAVEN_ASSISTANCE_RULES", "JSON `file` with local social-assistance rules: answer_working_days, temp_aid_months, dibao_monthly_fen, enrol_days", false, func() (func(string) error, func() string) { return str(&c.AssistanceRules) })
	add("funds-leader-above", "HAVEN_FUNDS_LEADER_ABOVE", "spending requests above this many `yuan` are approved by the leader, others by finance", false, func() (func(string) error, func() string) {
		return func(s string) error {
				fen, ok := funds.ParseYuan(s)
				if !ok || fen <= 0 {
					return fmt.Errorf("want a positive amount in yuan such as 5000 or 5000.00")
				}
				c.FundsLeaderAbove = fen
				return nil
			}, func() string {
				return funds.FormatFen(c.FundsLeaderAbove)
			}
	})
	add("event-poll", "HAVEN_EVENT_POLL", "how often each node reads the live event log when no notification came, as a `duration` (PostgreSQL nodes notify each other at once)", false, func() (func(string) error, func() string) { return dur(&c.EventPoll) })
	add("night-patrol", "HAVEN_NIGHT_PATROL", "start times of night patrols (夜巡), `HH:MM-HH:MM` in China Standard Time", false, func() (func(string) error, func() string) { return str(&c.NightPatrol) })
	add("fire-night", "HAVEN_FIRE_NIGHT", "the night of the fire patrols (防火巡查), whole `hours` H-H in China Standard Time, a round at least every 2 hours", false, func() (func(string) error, func() string) { return str(&c.FireNight) })
	add("plan-nights", "HAVEN_PLAN_NIGHTS", "`nights` of encounters the patrol plan weighs (at most 60)", false, func() (func(string) error, func() string) { return num(&c.PlanNights) })
	add("night-alert-level", "HAVEN_NIGHT_ALERT_LEVEL", "lowest `level` (blue … red) of a night-patrol warning", false, func() (func(string) error, func() string) { return str(&c.NightAlertLevel) })
	add("weather-campaigns", "HAVEN_WEATHER_CAMPAIGNS", "`on` or off: such a warning starts its season's campaign", false, func() (func(string) error, func() string) { return str(&c.WeatherCampaigns) })
	add("public-rate", "HAVEN_PUBLIC_RATE", "`requests` a minute per address on public endpoints", false, func() (func(string) error, func() string) { return num(&c.PublicRate) })
	add("partner-rate", "HAVEN_PARTNER_RATE", "work `orders` a minute per partner API key", false, func() (func(string) error, func() string) { return num(&c.PartnerRate) })
	add("station-name", "HAVEN_STATION_NAME", "the relief station's `name` on public notices", false, func() (func(string) error, func() string) { return str(&c.StationName) })
	add("station-phone", "HAVEN_STATION_PHONE", "the station's 24 h hotline `phone` number on public notices", false, func() (func(string) error, func() string) { return str(&c.StationPhone) })
	add("donation-account", "HAVEN_DONATION_ACCOUNT", "official account `text` for money donations (the public giving page)", false, func() (func(string) error, func() string) { return str(&c.DonationAccount) })
	add("trusted-proxies", "HAVEN_TRUSTED_PROXIES", "comma-separated `cidrs` of reverse proxies whose X-Forwarded-For / Forwarded headers name the client, e.g. 10.0.0.0/8,127.0.0.1/32", false, func() (func(string) error, func() string) {
		return func(s string) error {
				p, err := ParseProxies(s)
				if err != nil {
					return err
				}
				c.TrustedProxies = p
				return nil
			}, func() string {
				var b []string
				for _, p := range c.TrustedProxies {
					b = append(b, p.String())
				}
				return strings.Join(b, ",")
			}
	})
	add("metrics-token", "HAVEN_METRICS_TOKEN", "bearer `token` that /metrics requires; without it (and without --metrics-addr) /metrics answers loopback peers only", true, func() (func(string) error, func() string) { return str(&c.MetricsToken) })
	add("metrics-addr", "HAVEN_METRICS_ADDR", "a separate address (`host:port`) serving only /metrics; the main address then has no /metrics", false, func() (func(string) error, func() string) { return str(&c.MetricsAddr) })
	add("family-peers", "HAVEN_FAMILY_PEERS", "a `file` of other Havens to pull missing-person reports from (docs/scale.md)", false, func() (func(string) error, func() string) { return str(&c.FamilyPeers) })
	add("notice-days", "HAVEN_NOTICE_DAYS", "`days` a 寻亲 notice stays up before it expires", false, func() (func(string) error, func() string) { return num(&c.NoticeDays) })
	add("retain-signal-phone-days", "HAVEN_RETAIN_SIGNAL_PHONE_DAYS", "`days` after an incident closed before its signals' reporter names and callback phones are erased (0 keeps them)", false, func() (func(string) error, func() string) { return keep(&c.RetainSignalPhoneDays) })
	add("retain-photo-days", "HAVEN_RETAIN_PHOTO_DAYS", "`days` after a person left before their photos are deleted (0 keeps them)", false, func() (func(string) error, func() string) { return keep(&c.RetainPhotoDays) })
	add("retain-identity-days", "HAVEN_RETAIN_IDENTITY_DAYS", "`days` after a person left before their name, ID number and relatives' contacts are anonymised (0 keeps them)", false, func() (func(string) error, func() string) { return keep(&c.RetainIdentityDays) })
	add("retain-health-years", "HAVEN_RETAIN_HEALTH_YEARS", "`years` after a person left before health-check findings and medication notes are erased (0 keeps them)", false, func() (func(string) error, func() string) { return keep(&c.RetainHealthYears) })
	add("export-days", "HAVEN_EXPORT_DAYS", "`days` an approved personal-data export can be downloaded by its requester", false, func() (func(string) error, func() string) { return num(&c.ExportDays) })
	return o
}

// Default returns the built-in defaults.
func Default() *Config {
	return &Config{
		Addr:                   "127.0.0.1:8080",
		DataDir:                "./haven-data",
		LogLevel:               "info",
		LogFormat:              "text",
		SessionIdle:            2 * time.Hour,
		SessionMax:             12 * time.Hour,
		LoginFreeFailures:      5,
		LoginBackoffMax:        15 * time.Minute,
		LoginAccountBackoffMax: time.Minute,
		Jurisdiction:           "xinxiang.gov.cn",
		StationName:            "新乡市救助管理站",
		StationPhone:           "0373-5089797",
		NoticeDays:             180,
		RetainSignalPhoneDays:  90,
		RetainPhotoDays:        365,
		RetainIdentityDays:     3 * 365,
		RetainHealthYears:      30,
		ExportDays:             7,
		MergeRadiusM:           300,
		MergeWindow:            60 * time.Minute,
		NightPatrol:            "20:00-06:00",
		FireNight:              "22-6",
		PlanNights:             14,
		NightAlertLevel:        "yellow",
		WeatherCampaigns:       "on",
		EventPoll:              2 * time.Second,
		PublicRate:             20,
		PartnerRate:            6000,
		FundsLeaderAbove:       funds.DefaultLeaderAboveFen,
	}
}

// Command describes a subcommand for its help text (haven <name> -h).
type Command struct {
	Name    string // "serve", "users add"
	Args    string // what follows the flags in the synopsis, e.g. "FILE"
	Summary string // what it does, one line
	// AllFlags lists every server flag with its meaning and default (serve,
	// demo); other commands name them and point to 'haven serve -h'.
	AllFlags bool
}

// Load is LoadCommand for a command that lists every server flag in its
// help.
func Load(cmd string, args []string, getenv func(string) string, help io.Writer, extra ...func(*flag.FlagSet)) (*Config, []string, error) {
	return LoadCommand(Command{Name: cmd, AllFlags: true}, args, getenv, help, extra...)
}

// LoadCommand builds the configuration for command cmd from the defaults,
// then the environment (VAR, or VAR_FILE holding the value), then flags. It
// returns the remaining positional arguments. Errors are one line naming
// the problem and its fix. On -h or --help it writes the command's usage to
// help and returns flag.ErrHelp.
//
// extra registers command-specific flags on the same flag set.
func LoadCommand(cmd Command, args []string, getenv func(string) string, help io.Writer, extra ...func(*flag.FlagSet)) (*Config, []string, error) {
	c := Default()
	opts := c.options()
	for _, o := range opts {
		v := getenv(o.env)
		if f := getenv(o.env + "_FILE"); f != "" {
			if v != "" {
				return nil, nil, fmt.Errorf("both %s and %s_FILE are set: keep one", o.env, o.env)
			}
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, nil, fmt.Errorf("%s_FILE: cannot read %s: %v", o.env, f, errors.Unwrap(err))
			}
			v = strings.TrimSpace(string(b))
		}
		if v == "" {
			continue
		}
		if err := o.set(v); err != nil {
			return nil, nil, fmt.Errorf("%s=%q: %v", o.env, redactIf(o.secret, v), err)
		}
	}
	fs := flag.NewFlagSet("haven "+cmd.Name, flag.ContinueOnError)
	for _, o := range opts {
		fs.Func(o.flag, o.usage, func(s string) error { return o.set(s) })
	}
	for _, f := range extra {
		f(fs)
	}
	fs.BoolVar(&c.PrintConfig, "print-config", false, "print the effective configuration, secrets redacted, and exit")
	positional, err := Parse(cmd, fs, args, help)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, fmt.Errorf("%v%s", err, cmd.hint())
	}
	return c, positional, nil
}

// Parse parses args with fs, quietly: flags may come before or after
// positional arguments ("haven backup FILE --data DIR"), which it returns.
// On -h or --help it writes cmd's usage to help and returns flag.ErrHelp; a
// bad flag is one line naming it, with a hint to -h.
func Parse(cmd Command, fs *flag.FlagSet, args []string, help io.Writer) ([]string, error) {
	fs.SetOutput(io.Discard) // the flag package would print the error and the whole usage
	fs.Usage = func() {}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				cmd.usage(help, fs)
				return nil, err
			}
			return nil, fmt.Errorf("%s%s", flagError(err), cmd.hint())
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			positional = append(positional, args[1:]...)
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	return positional, nil
}

func (cmd Command) hint() string { return fmt.Sprintf(" (see 'haven %s -h')", cmd.Name) }

// badFlagValue is how the flag package reports a value its setter refused.
var badFlagValue = regexp.MustCompile(`^invalid (?:boolean )?value (".*") for (?:flag )?-(\S+): (.*)$`)

// flagError rewrites the flag package's messages the way a user types the
// flag: --name "value": what is wrong.
func flagError(err error) string {
	s := err.Error()
	if m := badFlagValue.FindStringSubmatch(s); m != nil {
		return "--" + m[2] + " " + m[1] + ": " + m[3]
	}
	if name, ok := strings.CutPrefix(s, "flag provided but not defined: -"); ok {
		return "unknown flag --" + strings.TrimPrefix(name, "-")
	}
	if name, ok := strings.CutPrefix(s, "flag needs an argument: -"); ok {
		return "--" + strings.TrimPrefix(name, "-") + " needs a value"
	}
	return s
}

// usage writes the command's help: the synopsis, then one line per flag
// with its value's name and its default. The server flags every command
// takes are listed in full for serve and demo and named for the others.
func (cmd Command) usage(w io.Writer, fs *flag.FlagSet) {
	args := "[flags]"
	if cmd.Args != "" {
		args += " " + cmd.Args
	}
	fmt.Fprintf(w, "Usage: haven %s %s\n", cmd.Name, args)
	if cmd.Summary != "" {
		fmt.Fprintf(w, "\n%s\n", cmd.Summary)
	}
	defaults := serverDefaults()
	var own, shared []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if _, server := defaults[f.Name]; server {
			shared = append(shared, f)
		} else {
			own = append(own, f)
		}
	})
	if len(own) > 0 {
		fmt.Fprintln(w, "\nFlags:")
		for _, f := range own {
			writeFlag(w, f, f.DefValue)
		}
	}
	switch {
	case len(shared) == 0:
	case !cmd.AllFlags:
		fmt.Fprintln(w, "\nIt also takes the server's flags (--data, --database-url, --encryption-key-file …): see 'haven serve -h'.")
	default:
		fmt.Fprintln(w, "\nFlags (each also read from its variable, e.g. --data from HAVEN_DATA or the file HAVEN_DATA_FILE names):")
		for _, f := range shared {
			writeFlag(w, f, defaults[f.Name])
		}
	}
}

// serverDefaults maps each server flag to its built-in default.
func serverDefaults() map[string]string {
	d := map[string]string{"print-config": ""}
	for _, o := range Default().options() {
		d[o.flag] = o.get()
	}
	return d
}

// writeFlag writes one flag of a usage: its name, its value's name (the
// backquoted word of its usage), what it does and its default.
func writeFlag(w io.Writer, f *flag.Flag, def string) {
	const indent = 30
	name, text := flag.UnquoteUsage(f)
	left := "  --" + f.Name
	if name != "" {
		left += " " + name
	}
	if def != "" && def != "false" && def != "0" {
		text += " (default " + def + ")"
	}
	if len(left) < indent {
		left += strings.Repeat(" ", indent-len(left))
	} else {
		left += "\n" + strings.Repeat(" ", indent)
	}
	fmt.Fprintf(w, "%s%s\n", left, wrap(text, 100-indent, strings.Repeat(" ", indent)))
}

// Validate checks values that flags alone cannot.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--addr %q: want host:port such as 127.0.0.1:8080", c.Addr)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--base-url %q: want an absolute http:// or https:// URL", c.BaseURL)
		}
		c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	}
	if c.DatabaseURL != "" {
		u, err := url.Parse(c.DatabaseURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Opaque != "" {
			return fmt.Errorf("--database-url: want a postgres:// URL, or leave it empty for the embedded SQLite database")
		}
	}
	if c.DataDir == "" {
		return fmt.Errorf("--data: must name a folder")
	}
	if _, err := dispatch.ParseNightWindow(c.NightPatrol, nil); err != nil {
		return fmt.Errorf("--night-patrol %q: want HH:MM-HH:MM such as 20:00-06:00", c.NightPatrol)
	}
	if _, _, ok := firesafety.ParseNight(c.FireNight); !ok {
		return fmt.Errorf("--fire-night %q: want whole hours H-H across midnight such as 22-6", c.FireNight)
	}
	if c.PlanNights > 60 {
		return fmt.Errorf("--plan-nights %d: at most 60", c.PlanNights)
	}
	switch c.NightAlertLevel {
	case "blue", "yellow", "orange", "red":
	default:
		return fmt.Errorf("--night-alert-level %q: want blue, yellow, orange or red", c.NightAlertLevel)
	}
	if c.WeatherCampaigns != "on" && c.WeatherCampaigns != "off" {
		return fmt.Errorf("--weather-campaigns %q: want on or off", c.WeatherCampaigns)
	}
	if c.EventPoll < 100*time.Millisecond {
		return fmt.Errorf("--event-poll %s: at least 100ms", c.EventPoll)
	}
	if c.MergeRadiusM > 450 {
		return fmt.Errorf("--merge-radius %d: at most 450 metres (signals farther apart are different places)", c.MergeRadiusM)
	}
	if c.LoginAccountBackoffMax > 10*time.Minute {
		return fmt.Errorf("--login-account-backoff-max %s: at most 10m (an outsider can keep an account's owner out this long)", c.LoginAccountBackoffMax)
	}
	if c.MetricsAddr != "" {
		_, port, err := net.SplitHostPort(c.MetricsAddr)
		if err != nil {
			return fmt.Errorf("--metrics-addr %q: want host:port such as 127.0.0.1:9090", c.MetricsAddr)
		}
		if c.MetricsAddr == c.Addr && port != "0" {
			return fmt.Errorf("--metrics-addr %q: must differ from --addr", c.MetricsAddr)
		}
	}
	tiles, err := basemap.Resolve(c.Basemap())
	if err != nil {
		return err
	}
	c.MapTiles = tiles.Provider // an empty setting shows what it chose
	if c.SessionIdle > c.SessionMax {
		return fmt.Errorf("--session-idle (%s) is longer than --session-max (%s): lower it", c.SessionIdle, c.SessionMax)
	}
	return nil
}

// wrap breaks text into lines of at most width bytes at spaces; lines
// after the first start with indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		if i > 0 && n+1+len(w) > width {
			b.WriteString("\n" + indent)
			n = 0
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

// shortDuration writes d as people type it: 2h, 15m, 1h30m, 1m30s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// ParseProxies reads a comma-separated list of CIDRs (a bare address is
// that one host). A prefix of length 0 is refused: trusting every peer
// would let any client choose the address it is known by.
func ParseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		var p netip.Prefix
		if a, err := netip.ParseAddr(f); err == nil && a.Zone() == "" {
			a = a.Unmap()
			p = netip.PrefixFrom(a, a.BitLen())
		} else if p, err = netip.ParsePrefix(f); err != nil {
			return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or 2001:db8::/32", f)
		}
		if p.Addr().Is4In6() {
			return nil, fmt.Errorf("%q: write IPv4 ranges as a.b.c.d/n", f)
		}
		if p.Bits() == 0 {
			return nil, fmt.Errorf("%q trusts every address: list your proxies' own ranges", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Print writes the effective configuration as env-style lines with secrets
// redacted.
func (c *Config) Print(w io.Writer) {
	for _, o := range c.options() {
		v := o.get()
		if o.flag == "database-url" {
			v = RedactURL(v)
		} else if o.secret {
			v = redactIf(true, v)
		}
		fmt.Fprintf(w, "%s=%s\n", o.env, v)
	}
}

func redactIf(secret bool, v string) string {
	if secret && v != "" {
		return "REDACTED"
	}
	return v
}

// RedactURL hides a URL's password and secret query parameters.
func RedactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return "REDACTED"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	q := u.Query()
	for k := range q {
		if strings.Contains(strings.ToLower(k), "pass") {
			q.Set(k, "REDACTED")
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
