package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/havenrescue/haven/internal/tracing"
)

// cmdMatch is the batch interface of family search: it links two CSV
// files of people (or finds duplicates in one) and writes ranked,
// labelled candidates. It needs no database.
func cmdMatch(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	left := fs.String("left", "", "CSV of the people to find candidates for")
	right := fs.String("right", "", "CSV of the people to search")
	dedupe := fs.String("dedupe", "", "CSV to search for duplicates within (instead of --left/--right)")
	top := fs.Int("top", 10, "candidates per person")
	out := fs.String("out", "", "output CSV (default: standard output)")
	strict := fs.Bool("strict", false, "stop at the first bad row instead of reporting and skipping it")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: haven match --left A.csv --right B.csv [--top K] [--out matches.csv]\n       haven match --dedupe A.csv [--top K] [--out matches.csv]\n\ncolumns: %v\n", tracing.Columns)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if (*dedupe == "") == (*left == "" || *right == "") || *top < 1 {
		fs.Usage()
		return usageError{"give --left and --right, or --dedupe, and a --top of at least 1"}
	}
	read := func(path string) ([]*tracing.Record, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		recs, bad, err := tracing.ReadCSV(f, timeNow())
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		for _, b := range bad {
			fmt.Fprintf(stderr, "%s: %v (skipped)\n", path, b)
		}
		if *strict && len(bad) > 0 {
			return nil, fmt.Errorf("%s: %d bad rows (without --strict they are skipped)", path, len(bad))
		}
		return recs, nil
	}
	w := stdout
	if *out != "" {
		// Matches link people's records: readable by this user only, as
		// backups are.
		f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := f.Chmod(0o600); err != nil {
			return err
		}
		w = f
	}
	var res []tracing.Result
	var st tracing.Stats
	if *dedupe != "" {
		recs, err := read(*dedupe)
		if err != nil {
			return err
		}
		res, _, st = tracing.Dedupe(recs, *top, nil)
	} else {
		l, err := read(*left)
		if err != nil {
			return err
		}
		r, err := read(*right)
		if err != nil {
			return err
		}
		res, _, st = tracing.Link(l, r, *top, nil)
	}
	if err := tracing.WriteResults(w, res); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%d pairs compared in %s; %d candidates written\n", st.Compared, st.Elapsed.Round(1e6), len(res))
	return nil
}
