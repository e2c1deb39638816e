package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/migrations"
)

func runMigrate(ctx context.Context, e env, args []string) error {
	fs := newFlagSet(e, "migrate", "migrate\n\nApplies every pending migration (idempotent; safe when several instances start at once)\nand creates or updates the read-only role POSTGRES_READONLY_USER and its grants.")
	if helped, err := parseFlags(fs, e, args); helped || err != nil {
		return err
	}
	cfg, log, err := loadConfig(ctx, e, config.NeedDatabase)
	if err != nil {
		return err
	}
	if terminal(e.stderr) && !cfg.Debug {
		// A person is watching: the summary below says it all; the log
		// keeps only warnings. Under systemd every step is logged as JSON.
		log = slog.New(newTermHandler(e.stderr, slog.LevelWarn))
	}
	var dataRoles []migrations.DataRole
	if cfg.AccessFile != "" {
		f, err := loadAccessFile(cfg)
		if err != nil {
			return err
		}
		for _, r := range f.Roles {
			dataRoles = append(dataRoles, migrations.DataRole{Name: r.Name, Password: cfg.RolePassword(r.Name), Schemas: r.Schemas, Tables: r.Tables})
		}
	}
	start := time.Now()
	if err := ensureDatabase(ctx, cfg, log); err != nil {
		return err
	}
	pool, err := openOwnerPool(ctx, cfg, 4)
	if err != nil {
		return err
	}
	defer pool.Close()

	res, err := migrations.Migrate(ctx, pool, migrations.Options{
		ReadonlyUser:     cfg.ReadonlyUser,
		ReadonlyPassword: cfg.ReadonlyPassword,
		GeneratePassword: cfg.IsLocal(),
		StatementTimeout: cfg.QueryTimeout,
		Schemas:          cfg.AnalyticsSchemas,
		DataRoles:        dataRoles,
		Logger:           log,
	})
	if err != nil {
		return err
	}
	took := time.Since(start)
	log.InfoContext(ctx, "migrations current", slog.Int("applied", len(res.Applied)), slog.Duration("took", took))
	printMigrateSummary(e.stdout, cfg, res, took)
	return nil
}

// printMigrateSummary is migrate's account for a person: a few lines,
// never a password.
func printMigrateSummary(w io.Writer, cfg *config.Config, res *migrations.Result, took time.Duration) {
	applied := ""
	switch n := len(res.Applied); {
	case n == 1:
		applied = " (" + res.Applied[0] + ")"
	case n > 1:
		applied = " (" + res.Applied[0] + " … " + res.Applied[n-1] + ")"
	}
	fmt.Fprintf(w, "migrated database %s at %s:%d: %d migration(s) applied%s, read-only role %s ready (%s)\n",
		cfg.PostgresDB, cfg.PostgresHost, cfg.PostgresPort, len(res.Applied), applied, cfg.ReadonlyUser, took.Round(time.Millisecond))
	fmt.Fprintln(w, res.Readable.String())
	for _, name := range missingSchemas(cfg.AnalyticsSchemas, res.Readable) {
		fmt.Fprintf(w, "ANALYTICS_SCHEMAS names schema %s, which does not exist in database %s: nothing is read from it (check the spelling, or create it and run migrate again)\n",
			name, cfg.PostgresDB)
	}
	if res.GeneratedPassword {
		fmt.Fprintf(w, "generated a password for %s and kept it in the database for local use (set POSTGRES_READONLY_PASSWORD to choose your own)\n",
			cfg.ReadonlyUser)
	}
	for _, dr := range res.DataRoles {
		fmt.Fprintf(w, "data role %s: %s\n", dr.Name, dr.Readable.String())
		if dr.GeneratedPassword {
			fmt.Fprintf(w, "generated a password for %s and kept it in the database for local use (set %s to choose your own)\n",
				dr.Name, config.RolePasswordVariable(dr.Name))
		}
	}
	if len(res.ForDBA) > 0 {
		fmt.Fprintf(w, "\nThe migrating user may not set these limits on %s; until a DBA runs them as a superuser in database %s, only the bot's statement gate stops the functions they name:\n\n",
			cfg.ReadonlyUser, cfg.PostgresDB)
		for _, stmt := range res.ForDBA {
			fmt.Fprintf(w, "%s;\n", stmt)
		}
	}
}

// terminal reports whether w is a person's terminal rather than a file, a
// pipe or the journal. Test writers may say so themselves.
func terminal(w io.Writer) bool {
	if t, ok := w.(interface{ Terminal() bool }); ok {
		return t.Terminal()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// missingSchemas are the configured schemas the read-only role cannot
// use after migrate, which grants USAGE on each that exists: those that
// do not exist.
func missingSchemas(configured []string, r migrations.Readable) []string {
	usable := make(map[string]bool, len(r.Schemas))
	for _, s := range r.Schemas {
		usable[s.Name] = true
	}
	var missing []string
	for _, name := range configured {
		if !usable[name] {
			missing = append(missing, name)
		}
	}
	return missing
}
