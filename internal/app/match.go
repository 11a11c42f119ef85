package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/havenrescue/haven/internal/config"

	"github.com/havenrescue/haven/internal/tracing"
)

// cmdMatch is the batch interface of family search: it links two CSV
// files of people (or finds duplicates in one) and writes ranked,
// labelled candidates. It needs no database.
func cmdMatch(_ context.Context, args []string, _ func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("haven match", flag.ContinueOnError)
	left := fs.String("left", "", "CSV `file` of the people to find candidates for")
	right := fs.String("right", "", "CSV `file` of the people to search")
	dedupe := fs.String("dedupe", "", "CSV `file` to search for duplicates within (instead of --left/--right)")
	top := 10
	fs.Func("top", "`count` of candidates per person (default 10)", func(s string) error {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return fmt.Errorf("want a whole number of at least 1")
		}
		top = n
		return nil
	})
	out := fs.String("out", "", "output CSV `file` (default: standard output)")
	strict := fs.Bool("strict", false, "stop at the first bad row instead of reporting and skipping it")
	em := fs.Bool("em", false, "fit the weights to these files by constrained EM instead of scoring with the built-in model (for records unlike the model's, such as FEBRL's)")
	cmd := command("match")
	cmd.Summary += fmt.Sprintf("\nColumns: %s", strings.Join(tracing.Columns, ","))
	rest, err := config.Parse(cmd, fs, args, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("match takes no arguments, got %q (see 'haven match -h')", rest)}
	}
	if (*dedupe == "") == (*left == "" || *right == "") {
		return usageError{"give --left and --right, or --dedupe (see 'haven match -h')"}
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
	// The model the web service scores with, at the prior of a search of
	// n records (as the service's); or none, to fit one by EM.
	modelFor := func(n int) *tracing.Model {
		if *em {
			return nil
		}
		return tracing.DefaultModel().WithPrior(tracing.PriorFor(n))
	}
	var res []tracing.Result
	var st tracing.Stats
	var model *tracing.Model
	if *dedupe != "" {
		recs, err := read(*dedupe)
		if err != nil {
			return err
		}
		res, model, st = tracing.Dedupe(recs, top, modelFor(len(recs)))
	} else {
		l, err := read(*left)
		if err != nil {
			return err
		}
		r, err := read(*right)
		if err != nil {
			return err
		}
		res, model, st = tracing.Link(l, r, top, modelFor(len(r)))
	}
	if err := tracing.WriteResults(w, res, model.Provenance.Version); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "model %s\n%d pairs compared in %s; %d candidates written\n", model.Provenance, st.Compared, st.Elapsed.Round(1e6), len(res))
	return nil
}
