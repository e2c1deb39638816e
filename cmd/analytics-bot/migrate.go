package main

import (
	"context"
	"fmt"
	"log/slog"
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
		Logger:           log,
	})
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "migrations current", slog.Int("applied", len(res.Applied)), slog.Duration("took", time.Since(start)))
	fmt.Fprintf(e.stdout, "migrated database %s: %d migration(s) applied, read-only role %s ready (%s)\n",
		cfg.PostgresDB, len(res.Applied), cfg.ReadonlyUser, time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(e.stdout, res.Readable.String())
	if res.GeneratedPassword {
		fmt.Fprintf(e.stdout, "generated a password for %s (kept in the database for local use; set POSTGRES_READONLY_PASSWORD to choose your own): %s\n",
			cfg.ReadonlyUser, res.ReadonlyPassword)
	}
	if len(res.ForDBA) > 0 {
		fmt.Fprintf(e.stdout, "\nThe migrating user may not set these limits on %s; until a DBA runs them as a superuser in database %s, only the bot's statement gate stops the functions they name:\n\n",
			cfg.ReadonlyUser, cfg.PostgresDB)
		for _, stmt := range res.ForDBA {
			fmt.Fprintf(e.stdout, "%s;\n", stmt)
		}
	}
	return nil
}
