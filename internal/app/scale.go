package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/demo"
)

// cmdScale adds the scale data set to a database: the demo data set
// first when the database is empty, then years of people, stays, help
// signals, incidents and missing-person reports, made by the services
// and written in bulk (demo.Scale).
func cmdScale(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o demo.ScaleOptions
	var seed uint64
	var profile string
	cfg, rest, err := loadConfig("scale", args, getenv, stdout, func(fs *flag.FlagSet) {
		fs.IntVar(&o.People, "people", 0, "`count` of people helped to add, each with a stay")
		fs.IntVar(&o.Signals, "signals", 0, "`count` of help signals to add, filed into incidents")
		fs.IntVar(&o.Reports, "reports", 0, "`count` of missing-person reports to add (default: a tenth of --people)")
		fs.Uint64Var(&seed, "seed", 1, "`number` the data set is drawn from: the same seed draws the same people (another seed adds others)")
		fs.StringVar(&profile, "cpuprofile", "", "write a CPU profile of the run to `file` (go tool pprof)")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("scale takes no arguments, got %q (see 'haven scale -h')", rest)}
	}
	if o.People < 0 || o.Signals < 0 || o.Reports < 0 {
		return usageError{"--people, --signals and --reports are counts: 0 or more"}
	}
	if o.People == 0 && o.Signals == 0 && o.Reports == 0 {
		return usageError{"say how much to add: --people, --signals or --reports (see 'haven scale -h')"}
	}
	if cfg.PrintConfig {
		cfg.Print(stdout)
		return nil
	}
	o.Seed = seed
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	users, err := e.auth.Store.ListUsers(ctx)
	if err != nil {
		return err
	}
	if len(users) == 0 {
		password := getenv("HAVEN_DEMO_PASSWORD")
		if f := getenv("HAVEN_DEMO_PASSWORD_FILE"); f != "" && password == "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return fmt.Errorf("HAVEN_DEMO_PASSWORD_FILE: %v", err)
			}
			password = strings.TrimSpace(string(b))
		}
		accounts, _, err := seedDemo(ctx, e, password, getenv("HAVEN_DEMO_API_KEY"))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "The database was empty: the demo data set for 新乡 was added first. Accounts:")
		for _, a := range accounts {
			fmt.Fprintf(stdout, "  %-11s %-16s %s\n", a.Username, a.Password, a.Role)
		}
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	o.Progress = func(format string, args ...any) {
		fmt.Fprintf(stderr, "haven scale: %s (%s)\n", fmt.Sprintf(format, args...), time.Since(start).Round(time.Second))
	}
	res, err := demo.Scale(ctx, demo.ScaleDeps{DB: e.db, Cases: e.cases, Intake: e.intake, Family: e.family, Now: e.now}, o)
	if err != nil {
		return fmt.Errorf("scale data set: %v", err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Added %d people (%d stays, %d in care), %d signals in %d incidents and %d missing-person reports in %s.\n",
		res.People, res.Stays, res.InCare, res.Signals, res.Incidents, res.Reports, took.Round(100*time.Millisecond))
	if len(res.Pairs) > 0 {
		fmt.Fprintf(stdout, "Reports that describe a person on file (family search should propose them): %d, such as\n", len(res.Pairs))
		for _, p := range res.Pairs[:min(3, len(res.Pairs))] {
			fmt.Fprintf(stdout, "  %s ↔ %s\n", p.ReportRef, p.PersonRef)
		}
	}
	return nil
}
