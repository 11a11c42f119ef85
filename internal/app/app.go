// Package app wires Haven together and implements its subcommands.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"time"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = "dev"

func version() string {
	v := Version
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += "+" + s.Value[:12]
			}
		}
	}
	return v
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// ExitCode maps an error from Run to a process exit code.
func ExitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `haven — rescue management platform (避风港)

Usage:
  haven serve   [flags]          run the server (see 'haven serve -h')
  haven demo    [flags]          run the server on a fresh demo data set for 新乡
  haven migrate [flags]          apply database migrations and exit
  haven users add --username U --name N --role R --department D [--phone P] [--password-file F]
  haven users passwd --username U [--password-file F]
  haven users disable --username U
  haven backup  [flags] FILE     write a verified online backup of the SQLite database
  haven restore [flags] FILE     replace the SQLite database with a verified backup (server stopped)
  haven keys rotate [flags]      add a new field-encryption key and re-encrypt stored values
  haven match --left A.csv --right B.csv [--top K] [--out F]
  haven match --dedupe A.csv [--top K] [--out F]
                                 family search in batch: ranked, labelled candidates as CSV
  haven retention [--dry-run]    anonymise personal data whose retention ended (serve does it nightly)
  haven version                  print the version

Every command takes the server flags (--data, --database-url, …); each flag
also reads an environment variable (HAVEN_DATA, HAVEN_DATABASE_URL, …) or
<VAR>_FILE holding the value.
`

// Run is the whole program: main calls it and nothing else.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given; try 'haven serve' or 'haven demo'"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return cmdMigrate(ctx, rest, getenv, stdout, stderr)
	case "users":
		return cmdUsers(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, getenv, stdout, stderr)
	case "keys":
		return cmdKeys(ctx, rest, getenv, stdout, stderr)
	case "match":
		return cmdMatch(ctx, rest, getenv, stdout, stderr)
	case "retention":
		return cmdRetention(ctx, rest, getenv, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "haven", version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

var timeNow = time.Now
