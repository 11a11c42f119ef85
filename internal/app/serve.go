package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	rtmetrics "runtime/metrics"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/assistance"
	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/basemap"
	"github.com/havenrescue/haven/internal/campaigns"
	"github.com/havenrescue/haven/internal/canteen"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/config"
	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/dispatch"
	"github.com/havenrescue/haven/internal/events"
	"github.com/havenrescue/haven/internal/family"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/firesafety"
	"github.com/havenrescue/haven/internal/funds"
	"github.com/havenrescue/haven/internal/geo"
	"github.com/havenrescue/haven/internal/health"
	"github.com/havenrescue/haven/internal/i18n"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/intake"
	"github.com/havenrescue/haven/internal/metrics"
	"github.com/havenrescue/haven/internal/patrolplan"
	"github.com/havenrescue/haven/internal/points"
	"github.com/havenrescue/haven/internal/portal"
	"github.com/havenrescue/haven/internal/secret"
	"github.com/havenrescue/haven/internal/stats"
	"github.com/havenrescue/haven/internal/store"
	"github.com/havenrescue/haven/internal/supplies"
	"github.com/havenrescue/haven/internal/thanks"
	"github.com/havenrescue/haven/internal/volunteers"
	"github.com/havenrescue/haven/internal/web"
	"github.com/havenrescue/haven/internal/webhook"
)

// env is one opened Haven: configuration, logger, database, keys and
// services. Every subcommand that touches data builds one.
type env struct {
	cfg        *config.Config
	log        *slog.Logger
	db         *store.DB
	keys       *secret.Keyring
	auth       *auth.Service
	intake     *intake.Service
	partners   *intake.Partners
	dispatch   *dispatch.Service
	hub        *events.Hub
	cases      *cases.Service
	health     *health.Service
	family     *family.Service
	peers      []family.Peer
	points     *points.Service
	supplies   *supplies.Service
	vols       *volunteers.Service
	thanks     *thanks.Service
	portal     *portal.Service
	campaigns  *campaigns.Service
	plan       *patrolplan.Service
	monthly    *stats.Monthly
	outcomes   *stats.Outcomes
	stats      *stats.Service
	canteen    *canteen.Service
	fire       *firesafety.Service
	gazetteer  *geo.Gazetteer // the city's names (--gazetteer)
	rights     *datarights.Service
	funds      *funds.Service
	assistance *assistance.Service
	now        func() time.Time
}

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// open connects to the database, applies migrations and loads keys.
func open(ctx context.Context, cfg *config.Config, stderr io.Writer) (*env, error) {
	return openClock(ctx, cfg, stderr, time.Now)
}

// openClock is open with the clock every service reads (tests seed the
// demo at chosen hours with it).
func openClock(ctx context.Context, cfg *config.Config, stderr io.Writer, now func() time.Time) (*env, error) {
	e := &env{cfg: cfg, log: newLogger(cfg, stderr), now: now}
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, Dir: cfg.DataDir})
	if err != nil {
		if cfg.Postgres() {
			return nil, fmt.Errorf("%v (check --database-url / HAVEN_DATABASE_URL: host, port, user and database; is PostgreSQL running?)", err)
		}
		return nil, fmt.Errorf("%v (check that --data / HAVEN_DATA names a folder this user may write)", err)
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		e.log.Info("migrations applied", "count", n, "dialect", db.Dialect())
	}
	keys, err := secret.LoadOrCreate(cfg.KeyFile(), e.now())
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("field-encryption keys: %v (set HAVEN_ENCRYPTION_KEY_FILE or fix the data folder's permissions)", err)
	}
	e.db, e.keys = db, keys
	e.auth = &auth.Service{
		Store: db, Audit: db, Keys: keys, Now: e.now,
		SessionIdle: cfg.SessionIdle, SessionMax: cfg.SessionMax,
		LoginFreeFailures: cfg.LoginFreeFailures, LoginBackoffMax: cfg.LoginBackoffMax, LoginAccountBackoffMax: cfg.LoginAccountBackoffMax,
	}
	// Uploaded photos live in the database, where every node sees them.
	// An older installation's uploads folder is copied in once.
	photos := db.Files()
	if err := migrateUploads(ctx, e, filepath.Join(cfg.DataDir, "uploads"), photos); err != nil {
		db.Close()
		return nil, err
	}
	e.intake = &intake.Service{
		Store: db, Audit: db, Keys: keys, Photos: photos, Now: e.now, Bounds: intake.XinxiangBounds,
		Merge: intake.MergeRule{RadiusM: float64(cfg.MergeRadiusM), Window: cfg.MergeWindow},
	}
	e.intake.Known = []intake.KnownMatcher{intake.RecentIncidents{Store: db, Now: e.now}}
	gaz, err := geo.Load(cfg.Gazetteer)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--gazetteer: %v", err)
	}
	e.intake.Geocoder = &geo.Live{Base: gaz, Places: db.GazetteerPlaces}
	e.gazetteer = gaz
	e.partners = &intake.Partners{Intake: e.intake, Store: db}
	night, err := dispatch.ParseNightWindow(cfg.NightPatrol, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	e.dispatch = &dispatch.Service{Store: db, Audit: db, Intake: e.intake, Keys: keys, Now: e.now, Night: night, SpeedKmh: 30}
	e.hub = &events.Hub{Store: db, Resolve: e.dispatch.Resolve, Log: e.log, Poll: cfg.EventPoll}
	catalog, err := i18n.Load()
	if err != nil {
		db.Close()
		return nil, err
	}
	rules, err := cases.LoadRules(cfg.CaseRules)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--case-rules: %v", err)
	}
	e.cases = &cases.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: e.now, Rules: rules,
		Outcome: func(ctx context.Context, incidentID, exitKind string) {
			// The stay's end goes on the incident's record, where
			// dispatchers and the incident page read it.
			text := catalog.T("zh-CN", "incident.stay_ended") + catalog.T("zh-CN", "exit."+exitKind)
			_ = db.AddNote(ctx, &dispatch.Note{ID: id.New(), IncidentID: incidentID, At: e.now(), Kind: "stay_exit", AuthorName: "station", Text: text},
				audit.Entry{ActorName: "station", Action: "incident.note", RecordType: "incident", RecordID: incidentID})
		}}
	e.health = &health.Service{Store: db, Audit: db, Now: e.now}
	e.family = &family.Service{Store: db, Cases: e.cases, Audit: db, Keys: keys, Photos: photos, Now: e.now, NoticeDays: cfg.NoticeDays,
		Station: family.Station{Name: cfg.StationName, Phone: cfg.StationPhone}, Domain: pfifDomain(cfg.BaseURL)}
	if cfg.FamilyPeers != "" {
		f, err := os.Open(cfg.FamilyPeers)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("%v (check --family-peers / HAVEN_FAMILY_PEERS)", err)
		}
		e.peers, err = family.ParsePeers(f)
		f.Close()
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %v", cfg.FamilyPeers, err)
		}
	}
	e.campaigns = &campaigns.Service{Store: db, Now: e.now}
	e.plan = &patrolplan.Service{Store: db, Now: e.now, Nights: cfg.PlanNights, AlertLevel: cfg.NightAlertLevel}
	if cfg.WeatherCampaigns == "on" {
		e.plan.Campaigns = e.campaigns
	}
	e.monthly = &stats.Monthly{Store: db, Now: e.now}
	e.outcomes = &stats.Outcomes{Store: db, Now: e.now, Source: stats.CaseRules{StaySource: db, Station: db, Rules: rules, Now: e.now}}
	e.stats = &stats.Service{Source: db, Now: e.now, Deadlines: stats.CaseRules{StaySource: db, Station: db, Rules: rules, Now: e.now}}
	e.points = &points.Service{Store: db, Now: e.now, Activated: e.campaigns.ActivatedKinds, Signals: e.intake}
	e.canteen = &canteen.Service{Store: db, More: db, Files: photos, Duties: db, Audit: db, Now: e.now}
	e.fire = &firesafety.Service{Store: db, Duties: db, Files: photos, Now: e.now}
	e.fire.Settings.NightFrom, e.fire.Settings.NightTo, _ = firesafety.ParseNight(cfg.FireNight) // checked with the config
	e.supplies = &supplies.Service{Store: db, Audit: db, Now: e.now, Campaigns: e.campaigns.RunningIDs}
	e.dispatch.HandedOut = e.supplies.BookEncounter
	e.auth.PointExists = func(ctx context.Context, id string) bool { _, err := db.PointByID(ctx, id); return err == nil }
	e.rights = &datarights.Service{Store: db, Audit: db, Keys: keys, Photos: photos, Now: e.now, ExportDays: cfg.ExportDays,
		Retention: datarights.Retention{SignalPhoneDays: cfg.RetainSignalPhoneDays, PhotoDays: cfg.RetainPhotoDays,
			IdentityDays: cfg.RetainIdentityDays, HealthYears: cfg.RetainHealthYears}}
	e.vols = &volunteers.Service{Store: db, Keys: keys, Now: e.now, Registries: db}
	e.thanks = &thanks.Service{Store: db, Now: e.now}
	e.portal = &portal.Service{Store: db, Now: e.now, Keys: keys, Photos: photos}
	// A person's or a report's change reaches family search through the
	// event log (family.Service.Run). A stay's end marks their notices; a
	// failure there never undoes the exit: it is logged (by record id only).
	e.cases.Exited = func(ctx context.Context, personID string, kind cases.ExitKind) {
		if err := e.family.Exited(ctx, personID, kind); err != nil {
			e.log.Warn("notice update after exit failed", "person_id", personID, "err", err)
		}
	}
	e.funds = &funds.Service{Store: db, Audit: db, Files: photos, Now: e.now, LeaderAboveFen: cfg.FundsLeaderAbove} // approvals above it go to the leader
	arules, err := assistance.LoadRules(cfg.AssistanceRules)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("--assistance-rules: %v", err)
	}
	e.assistance = &assistance.Service{Store: db, Audit: db, Files: photos, Now: e.now, Rules: arules, Calendar: rules}
	e.cases.Vouchered = func(ctx context.Context, a auth.Actor, st *cases.Stay, v cases.Voucher) {
		if _, err := e.funds.RequestTravel(ctx, a, funds.TravelInput{DepartmentID: a.DepartmentID, At: st.ExitedAt, PersonID: st.PersonID, StayID: st.ID,
			Mode: v.Mode, Route: v.Route, TicketNo: v.TicketNo, CostFen: int64(v.CostFen)}); err != nil {
			e.log.Warn("travel voucher not filed with funds", "stay_id", st.ID, "err", err)
		}
	}
	if err := e.canteen.EnsureDuties(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("canteen duties: %v", err)
	}
	if err := e.fire.EnsureDuties(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("fire duties: %v", err)
	}
	if err := e.partners.EnsureDefaults(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return e, nil
}

func (e *env) Close() error { return e.db.Close() }

// pfifDomain names the station's PFIF records: the host of its public URL.
func pfifDomain(base string) string {
	if u, err := url.Parse(base); err == nil && strings.Contains(u.Hostname(), ".") {
		return u.Hostname()
	}
	return "haven.localhost"
}

func cmdServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("serve", args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments, got %q", rest)}
	}
	if cfg.PrintConfig {
		cfg.Print(stdout)
		return nil
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	if getenv("GOMEMLIMIT") == "" {
		go limitMemory(ctx, e.log)
	}
	return e.run(ctx, stdout, nil)
}

// limitMemory is serve's memory limit when GOMEMLIMIT is not set
// (docs/scale.md, "Family search memory"): the Go runtime's soft limit is
// kept at 416 MiB, or a quarter above the live heap when that is more.
// The runtime's limit covers the memory it manages; the process's
// resident memory adds the binary's pages and the SQLite driver's page
// caches (40 MiB measured at 10^5 people; the caches may grow by some
// 40 MB more), so 416 MiB keeps a server under 512 MiB resident while
// its live heap is under 333 MiB (family search with about 10^6 people).
// Left alone, the collector lets the heap grow to twice what is live
// (GOGC=100): with family search's index of many people, twice is past
// what a server is planned for. A limit under the live heap would make
// the collector run without pause, so the limit follows the live heap
// up (checked every 30 s).
func limitMemory(ctx context.Context, log *slog.Logger) {
	sample := []rtmetrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := int64(-1)
	for t := time.NewTicker(30 * time.Second); ; {
		rtmetrics.Read(sample)
		var live uint64
		if sample[0].Value.Kind() == rtmetrics.KindUint64 {
			live = sample[0].Value.Uint64()
		}
		want := memoryLimit(live)
		if want != set && (set < 0 || want > set+set/16 || want < set-set/16) {
			debug.SetMemoryLimit(want)
			if set < 0 {
				log.Info("memory limit", "GOMEMLIMIT", fmt.Sprintf("%dMiB", want>>20), "how", "416 MiB or a quarter above the live heap; set GOMEMLIMIT to fix it")
			}
			set = want
		}
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

const defaultMemoryLimit = 416 << 20

// memoryLimit is the limit for a live heap of live bytes.
func memoryLimit(live uint64) int64 { return max(defaultMemoryLimit, int64(live)*5/4) }

// basemap returns the map tiles configured and the roads file replacing
// the built-in one, if any.
func (e *env) basemap() (basemap.Source, []byte, error) {
	tiles, err := basemap.Resolve(e.cfg.Basemap())
	if err != nil || e.cfg.MapRoads == "" {
		return tiles, nil, err
	}
	roads, err := os.ReadFile(e.cfg.MapRoads)
	if err != nil {
		return tiles, nil, fmt.Errorf("--map-roads: cannot read %s: %v", e.cfg.MapRoads, errors.Unwrap(err))
	}
	if _, err := basemap.ParseRoads(roads); err != nil {
		return tiles, nil, fmt.Errorf("--map-roads %s: %v", e.cfg.MapRoads, err)
	}
	return tiles, roads, nil
}

// run serves HTTP until ctx is done, then shuts down gracefully: stop
// accepting, let in-flight requests finish, close the database. ready, if
// set, is called with the listening URL before serving.
func (e *env) run(ctx context.Context, stdout io.Writer, ready func(url string)) error {
	reg := metrics.NewRegistry()
	reg.GaugeFunc("haven_db_open_connections", "Open database connections (writer and readers).", func() float64 {
		w, r := e.db.Stats()
		if e.db.Dialect() == "postgres" {
			return float64(w.OpenConnections)
		}
		return float64(w.OpenConnections + r.OpenConnections)
	})
	reg.GaugeFunc("haven_sqlite_wal_bytes", "Size of the SQLite write-ahead log (0 on PostgreSQL).", func() float64 {
		return float64(e.db.WALSize())
	})
	cat, err := i18n.Load()
	if err != nil {
		return err
	}
	tiles, roads, err := e.basemap()
	if err != nil {
		return err
	}
	h, err := web.New(web.Deps{
		Auth: e.auth, Catalog: cat, Logger: e.log, Metrics: reg, Ready: e.db.Ready,
		Secure: e.cfg.Secure(), Map: tiles, Roads: roads, Version: version(), Now: e.now,
		Intake: e.intake, Partners: e.partners, Jurisdiction: e.cfg.Jurisdiction,
		PublicRate: e.cfg.PublicRate, PartnerRate: e.cfg.PartnerRate, NewLimiter: e.limiters(),
		TrustedProxies: e.cfg.TrustedProxies, BaseURL: e.cfg.BaseURL,
		MetricsToken: e.cfg.MetricsToken, MetricsElsewhere: e.cfg.MetricsAddr != "",
		Dispatch: e.dispatch, Hub: e.hub, Cases: e.cases, Health: e.health, Family: e.family, Points: e.points, Supplies: e.supplies, Volunteers: e.vols, Campaigns: e.campaigns, Monthly: e.monthly, Outcomes: e.outcomes, Stats: e.stats, Funds: e.funds, Assistance: e.assistance, Portal: e.portal, Thanks: e.thanks, DonationAccount: e.cfg.DonationAccount,
		DataRights: e.rights, Plan: e.plan, Canteen: e.canteen, Fire: e.fire, Gazetteer: e.gazetteer,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v (choose another --addr / HAVEN_ADDR)", e.cfg.Addr, errors.Unwrap(err))
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(e.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Haven %s is listening on %s (database: %s)\n", version(), url, e.db.Dialect())
	if ready != nil {
		ready(url)
	}
	e.log.Info("listening", "addr", ln.Addr().String(), "dialect", e.db.Dialect())

	go e.sweepSessions(ctx)
	go e.hub.Run(ctx, e.db.EventWake())
	// Family search builds its index in the background while serving,
	// then follows the log.
	go e.family.Run(ctx, e.db.Wake(), func(err error) { e.log.Warn("family search", "err", err) })
	go e.db.Listen(ctx, func(err error) { e.log.Warn("event notifications", "err", err) })
	if len(e.peers) > 0 {
		client := &http.Client{Timeout: time.Minute}
		go e.family.RunPeers(ctx, client, e.peers, 5*time.Minute, func(p family.Peer, err error) {
			e.log.Warn("family search peer", "peer", p.Name, "err", err)
		})
	}
	go e.pruneEvents(ctx)
	go e.nightlyRetention(ctx)
	go e.monthsAhead(ctx)
	wctx, stopWorker := context.WithCancel(ctx)
	defer stopWorker()
	worker := &webhook.Worker{Store: e.db, Secret: e.partners.Secret, Now: e.now, Log: e.log}
	go worker.Run(wctx)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var msrv *http.Server
	if e.cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", e.cfg.MetricsAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("cannot listen on %s: %v (choose another --metrics-addr / HAVEN_METRICS_ADDR)", e.cfg.MetricsAddr, errors.Unwrap(err))
		}
		msrv = &http.Server{Handler: h.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 10 * time.Second,
			ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelWarn)}
		fmt.Fprintf(stdout, "Metrics are served on http://%s/metrics\n", mln.Addr())
		e.log.Info("metrics listening", "addr", mln.Addr().String())
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case err := <-errc:
		_ = srv.Close()
		if msrv != nil {
			_ = msrv.Close()
		}
		return err
	case <-ctx.Done():
	}
	e.log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %v", err)
	}
	e.log.Info("stopped")
	return nil
}

// limiters chooses where rate-limit counters live: on PostgreSQL in the
// database, so that every node behind a load balancer spends one budget
// per client; on SQLite (one node) in memory.
func (e *env) limiters() web.NewLimiterFunc {
	if !e.cfg.Postgres() {
		return web.NewMemoryLimiter
	}
	return func(name string, perMinute, burst int) web.Limiter {
		return &store.RateLimiter{DB: e.db, Name: name, Limit: max(perMinute, burst), Window: time.Minute, Now: e.now}
	}
}

// every runs a clean-up job each interval until ctx ends, logging what it
// deleted or why it failed.
func (e *env) every(ctx context.Context, interval time.Duration, name string, job func() (int64, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := job()
			if err != nil && ctx.Err() == nil {
				e.log.Warn(name, "err", err)
			} else if n > 0 {
				e.log.Info(name, "deleted", n)
			}
		}
	}
}

// sweepSessions deletes expired sessions, and login-throttle counters
// long quiet, every few minutes. Several nodes may all do it: the deletes
// are idempotent.
func (e *env) sweepSessions(ctx context.Context) {
	e.every(ctx, 5*time.Minute, "session sweep", func() (int64, error) {
		now := e.now()
		n, err := e.db.DeleteSessionsBefore(ctx, now.Add(-e.cfg.SessionIdle), now)
		if err != nil {
			return n, err
		}
		// Login-throttle counters quiet for a day are forgotten anyway.
		m, err := e.db.DeleteLoginThrottleBefore(ctx, now.Add(-auth.ThrottleForget), now.Add(-auth.KnownAddressFor))
		return n + m, err
	})
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var partition string
	cfg, _, err := loadConfig("migrate", args, getenv, stdout, func(fs *flag.FlagSet) {
		fs.StringVar(&partition, "partition-by-month", "", "PostgreSQL: make these tables partitioned by month (comma-separated: "+
			strings.Join(store.PartitionableTables(), ", ")+")")
	})
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	cur, _, err := e.db.Version(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database (%s) is at schema version %d\n", e.db.Dialect(), cur)
	for _, t := range strings.Split(partition, ",") {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		n, err := e.db.PartitionByMonth(ctx, t, e.now(), 2)
		if err != nil {
			return fmt.Errorf("partition %s by month: %v", t, err)
		}
		fmt.Fprintf(stdout, "%s is partitioned by month (%d partitions made)\n", t, n)
	}
	return nil
}

// monthsAhead keeps two months of partitions ready ahead for the tables
// partitioned by month (haven migrate --partition-by-month), daily; it
// does nothing on SQLite or on plain tables. Creating one that exists is
// a no-op, so nodes need no lease for it.
func (e *env) monthsAhead(ctx context.Context) {
	job := func() (int64, error) {
		n, err := e.db.EnsureMonthsAhead(ctx, e.now(), 2)
		return int64(n), err
	}
	if _, err := job(); err != nil {
		e.log.Warn("monthly partitions", "err", err)
	}
	e.every(ctx, 24*time.Hour, "monthly partitions", job)
}

// pruneEvents deletes live events older than a day, hourly. With several
// nodes one does it at a time (a lease in the database).
func (e *env) pruneEvents(ctx context.Context) {
	holder := id.New()
	e.every(ctx, time.Hour, "event prune", func() (int64, error) {
		if ok, err := e.db.TryLease(ctx, "events.prune", holder, 50*time.Minute); err != nil || !ok {
			return 0, err
		}
		return e.db.PruneEvents(ctx, e.now().Add(-24*time.Hour))
	})
}

// migrateUploads copies the files of the uploads folder older versions
// kept in the data folder into the database (files.MigrateFolder). Safe
// to run on every start and on every node: each node copies its own
// folder, files already in the database are left alone.
func migrateUploads(ctx context.Context, e *env, dir string, dst files.Store) error {
	m, err := files.MigrateFolder(ctx, dir, dst)
	if err != nil {
		return fmt.Errorf("copying the uploads folder %s into the database: %v (nothing was deleted; fix the cause and start again)", dir, err)
	}
	if m.Copied > 0 || m.Present > 0 || m.Renamed != "" {
		e.log.Info("uploads folder copied into the database", "copied", m.Copied, "already_there", m.Present, "folder_now", m.Renamed)
	}
	if len(m.Skipped) > 0 {
		e.log.Warn("uploads folder: files not copied into the database (not a photo Haven wrote, or too large); the folder is left in place", "folder", dir, "count", len(m.Skipped))
	}
	return nil
}
