package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/havenrescue/haven/internal/datarights"
	"github.com/havenrescue/haven/internal/id"
)

// cmdRetention runs the retention job once: with --dry-run it prints what
// would be anonymised, kind by kind, and changes nothing.
func cmdRetention(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var dry bool
	cfg, rest, err := loadConfig("retention", args, getenv, stdout, func(fs *flag.FlagSet) {
		fs.BoolVar(&dry, "dry-run", false, "print what would be anonymised and change nothing")
	})
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("retention takes no arguments, got %q", rest)}
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	var due []datarights.Due
	if dry {
		due, err = e.rights.Plan(ctx)
	} else {
		due, err = e.rights.Run(ctx)
	}
	printDue(stdout, due, dry)
	return err
}

func printDue(w io.Writer, due []datarights.Due, dry bool) {
	verb := "anonymised"
	if dry {
		verb = "would anonymise"
	}
	for _, d := range due {
		fmt.Fprintf(w, "%-16s %s %d (finished before %s)", d.Kind, verb, d.Count, d.Cutoff.Format("2006-01-02"))
		if !dry && d.Photos > 0 {
			fmt.Fprintf(w, ", %d photo files deleted", d.Photos)
		}
		fmt.Fprintln(w)
	}
	if len(due) == 0 {
		fmt.Fprintln(w, "retention: every period is 0 (keep for ever); nothing to do")
	}
}

// nightlyRetention runs the retention job once a day after 02:00 China
// Standard Time. With several nodes the first to take that day's lease
// runs it; the others skip the day.
func (e *env) nightlyRetention(ctx context.Context) {
	n := &retentionNode{holder: id.New()}
	e.every(ctx, 15*time.Minute, "retention", func() (int64, error) {
		_, err := e.retentionTick(ctx, n)
		return 0, err
	})
}

// retentionNode is one node's memory of the last day it settled.
type retentionNode struct {
	holder  string
	lastDay string
}

// retentionTick runs the job if it is past 02:00 CST, this node has not
// settled today yet, and no other node holds today's lease. It reports
// whether it ran.
func (e *env) retentionTick(ctx context.Context, n *retentionNode) (bool, error) {
	now := e.now().In(cst)
	day := now.Format("2006-01-02")
	if now.Hour() < 2 || day == n.lastDay {
		return false, nil
	}
	ok, err := e.db.TryLease(ctx, "retention/"+day, n.holder, 48*time.Hour)
	if err != nil {
		return false, err // try again at the next tick
	}
	n.lastDay = day
	if !ok {
		return false, nil // another node has today's run
	}
	due, err := e.rights.Run(ctx)
	for _, d := range due {
		if d.Count > 0 {
			e.log.Info("retention", "kind", d.Kind, "anonymised", d.Count, "photos_deleted", d.Photos)
		}
	}
	return true, err
}

var cst = time.FixedZone("CST", 8*3600)
