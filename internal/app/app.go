// Package app wires Haven together and implements its subcommands.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/config"
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

// commands are haven's subcommands, for the usage text and each one's -h.
var commands = []config.Command{
	{Name: "serve", Summary: "Run the server (migrations are applied on start).", AllFlags: true},
	{Name: "demo", Summary: "Run the server on a fresh demo data set for 新乡 (a temporary folder unless --data).", AllFlags: true},
	{Name: "scale", Summary: "Add years of records at a province's volume (--people, --signals, --reports), for benchmarks.", AllFlags: true},
	{Name: "migrate", Summary: "Apply database migrations, print the schema version and exit."},
	{Name: "users add", Summary: "Add an account (--username, --name, --role, --department)."},
	{Name: "users passwd", Summary: "Set an account's password and release its login wait."},
	{Name: "users disable", Summary: "Disable an account."},
	{Name: "backup", Args: "FILE", Summary: "Write a verified online backup of the SQLite database, photos included."},
	{Name: "restore", Args: "FILE", Summary: "Replace the SQLite database with a verified backup (server stopped)."},
	{Name: "keys rotate", Summary: "Add a field-encryption key and re-encrypt the stored identifiers."},
	{Name: "match", Summary: "Family search in batch: ranked candidates as CSV (--left and --right, or --dedupe)."},
	{Name: "retention", Summary: "Anonymise personal data past its retention (serve does it nightly)."},
	{Name: "version", Summary: "Print the version."},
}

func command(name string) config.Command {
	for _, c := range commands {
		if c.Name == name {
			return c
		}
	}
	return config.Command{Name: name}
}

// loadConfig reads the configuration of command name; its help goes to
// stdout. A mistake is a usage error (exit 2); -h returns flag.ErrHelp,
// which Run turns into exit 0.
func loadConfig(name string, args []string, getenv func(string) string, stdout io.Writer, extra ...func(*flag.FlagSet)) (*config.Config, []string, error) {
	cfg, rest, err := config.LoadCommand(command(name), args, getenv, stdout, extra...)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil, nil, err
	case err != nil:
		return nil, nil, usageError{err.Error()}
	}
	return cfg, rest, nil
}

// isHelp reports whether a command-line argument asks for help.
func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "-help" }

// usage is haven's help: its commands, and where to read more.
func usage(w io.Writer) {
	fmt.Fprint(w, "haven — rescue management platform (避风港)\n\nUsage: haven <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-18s %s\n", strings.TrimSpace(c.Name+" "+c.Args), c.Summary)
	}
	fmt.Fprint(w, `
'haven <command> -h' lists a command's flags with their defaults. Every
command takes the server flags (--data, --database-url, …); each flag also
reads an environment variable (HAVEN_DATA, HAVEN_DATABASE_URL, …) or
<VAR>_FILE holding the value.
`)
}

// Run is the whole program: main calls it and nothing else. Help asked
// for with -h is not an error.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	err := run(ctx, args, getenv, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		usage(stderr)
		return usageError{"no command given; try 'haven serve' or 'haven demo'"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, getenv, stdout, stderr)
	case "demo":
		return cmdDemo(ctx, rest, getenv, stdout, stderr)
	case "scale":
		return cmdScale(ctx, rest, getenv, stdout, stderr)
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
	case "help":
		usage(stdout)
		return nil
	}
	if isHelp(cmd) {
		usage(stdout)
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q (see 'haven -h')", cmd)}
}

var timeNow = time.Now
