package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/store"
)

func cmdBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("backup", args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"backup needs one argument: the file to write, e.g. haven backup haven-2026-11-28.db"}
	}
	if cfg.Postgres() {
		return fmt.Errorf("on PostgreSQL use pg_dump, which includes the uploaded photos: (umask 077; pg_dump --format=custom --file=%s \"$HAVEN_DATABASE_URL\") (umask 077 keeps the file, full of personal data, readable by you only; restore with pg_restore --clean --dbname=...)", rest[0])
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := e.db.Backup(ctx, rest[0]); err != nil {
		return err
	}
	a := auth.CLIActor()
	_ = e.db.AppendAudit(ctx, a.Entry("system.backup", "database", ""))
	fmt.Fprintf(stdout, "backup written and verified: %s (uploaded photos included)\n", rest[0])
	fmt.Fprintf(stdout, "The file holds personal data: it was created with mode %04o, readable and writable by this user only. Keep it so when you copy it.\n", store.BackupMode)
	fmt.Fprintf(stdout, "Keep the key file %s with it: encrypted fields cannot be read without it.\n", cfg.KeyFile())
	return nil
}

func cmdRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, rest, err := loadConfig("restore", args, getenv, stdout)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return usageError{"restore needs one argument: the backup file"}
	}
	if cfg.Postgres() {
		return fmt.Errorf("on PostgreSQL use pg_restore: pg_restore --clean --dbname=\"$HAVEN_DATABASE_URL\" %s", rest[0])
	}
	kept, err := store.Restore(ctx, rest[0], cfg.DataDir, timeNow())
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr) // applies newer migrations, proves it opens
	if err != nil {
		return err
	}
	defer e.Close()
	_ = e.db.AppendAudit(ctx, audit.Entry{ActorName: "cli", Action: "system.restore", RecordType: "database", IP: "local"})
	fmt.Fprintf(stdout, "restored %s into %s\n", rest[0], cfg.DataDir)
	// A backup from before photos moved into the database has none: they
	// are still in the uploads folder kept when this version first started.
	old := filepath.Join(cfg.DataDir, "uploads.migrated")
	m, err := files.CopyFolder(ctx, old, e.db.Files())
	if err != nil {
		return fmt.Errorf("restored, but copying the photos of %s into the database failed: %v (run 'haven restore' again)", old, err)
	}
	if m.Copied > 0 {
		fmt.Fprintf(stdout, "%d photos the backup lacked were copied in from %s\n", m.Copied, old)
	}
	if kept != "" {
		fmt.Fprintf(stdout, "the previous database was kept as %s\n", kept)
	}
	return nil
}

func cmdKeys(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && isHelp(args[0]) {
		usage(stdout)
		return nil
	}
	if len(args) == 0 || args[0] != "rotate" {
		return usageError{"keys needs the subcommand rotate (see 'haven keys rotate -h')"}
	}
	cfg, _, err := loadConfig("keys rotate", args[1:], getenv, stdout)
	if err != nil {
		return err
	}
	e, err := open(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer e.Close()
	id, err := e.keys.Rotate(timeNow())
	if err != nil {
		return err
	}
	n, err := e.db.Reseal(ctx, e.keys, auth.CLIActor().Entry(audit.ActionFieldsRekey, "key", id))
	if err != nil {
		return fmt.Errorf("new key %s added, but re-encryption stopped: %v (run 'haven keys rotate' again to finish)", id, err)
	}
	fmt.Fprintf(stdout, "new active key %s; %d stored values re-encrypted. Restart running servers so they load the new key.\n", id, n)
	return nil
}
