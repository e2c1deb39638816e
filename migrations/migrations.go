// Package migrations creates and upgrades the bot's database: the
// numbered SQL files in sql/, River's job tables, and the read-only role
// that every model-written statement runs as.
package migrations

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed sql/*.sql
var files embed.FS

// AppSchema holds the application's private tables (migrations record,
// settings, River's jobs). The read-only role has no access to it.
const AppSchema = "analytics_bot"

// lockKey serialises migrations of one database across instances.
const lockKey = 7_412_901_337

// Options configures a migration run.
type Options struct {
	// ReadonlyUser is the role model-written SQL runs as.
	ReadonlyUser string
	// ReadonlyPassword is that role's password; when empty and
	// GeneratePassword is set, one is generated once and kept.
	ReadonlyPassword string
	// GeneratePassword allows generating a missing password (local only).
	GeneratePassword bool
	// StatementTimeout is the read-only role's own statement_timeout.
	StatementTimeout time.Duration
	// Schemas are the schemas whose tables and views the read-only role
	// may read (ANALYTICS_SCHEMAS); empty means public.
	Schemas []string
	// Tables, when set, narrows SELECT to these schema.table names within
	// Schemas; new tables then get no default privileges.
	Tables []string
	// DataRoles are the access file's login roles, each set up like the
	// read-only role with its own schemas and tables (ACCESS_FILE).
	DataRoles []DataRole
	// Logger receives progress and skipped hardening steps.
	Logger *slog.Logger
}

// Result says what a migration run did.
type Result struct {
	// Applied lists the migrations applied by this run, in order.
	Applied []string
	// ReadonlyPassword is the password the read-only role now has.
	ReadonlyPassword string
	// GeneratedPassword is true when this run generated that password.
	GeneratedPassword bool
	// Readable is what the read-only role can read after the run.
	Readable Readable
	// ForDBA lists the statements this run could not execute for lack of
	// privilege (or because the database is not the bot's own): limits on
	// the read-only role and revocations of dangerous functions that a
	// DBA should run.
	ForDBA []string
	// DataRoles says, per data role, what it can read after the run.
	DataRoles []DataRoleResult
}

// Migrate applies every pending migration in order, each once, then
// creates or updates the read-only role and its grants. It holds an
// advisory lock so that instances starting together take turns.
func Migrate(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Result, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if pool.Config().MaxConns < 2 {
		// One connection holds the lock while River's migrator takes
		// another from the pool: with one, it would wait forever.
		return nil, errors.New("migrate: the connection pool needs at least 2 connections")
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Release()

	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return nil, fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}()

	if _, err := conn.Exec(ctx, createBookkeeping); err != nil {
		return nil, fmt.Errorf("migrate: create bookkeeping: %w", err)
	}
	// River's tables first: the numbered files may index them.
	if err := migrateRiver(ctx, pool, opts.Logger); err != nil {
		return nil, err
	}
	applied, err := applyFiles(ctx, conn.Conn(), opts.Logger)
	if err != nil {
		return nil, err
	}
	res, err := setupReadonlyRole(ctx, conn.Conn(), opts)
	if err != nil {
		return nil, err
	}
	if res.ForDBA, err = harden(ctx, conn.Conn(), opts.ReadonlyUser, opts.Logger); err != nil {
		return nil, err
	}
	if res.DataRoles, err = setupDataRoles(ctx, conn.Conn(), opts, res); err != nil {
		return nil, err
	}
	res.Applied = applied
	return res, nil
}

// Pending lists the migrations not yet applied; /readyz is ready only
// when it is empty.
func Pending(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}) ([]string, error) {
	names, err := fileNames()
	if err != nil {
		return nil, err
	}
	rows, err := db.Query(ctx, "SELECT version FROM "+AppSchema+".schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	done, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	seen := make(map[string]bool, len(done))
	for _, v := range done {
		seen[v] = true
	}
	var pending []string
	for _, name := range names {
		if !seen[name] {
			pending = append(pending, name)
		}
	}
	return pending, nil
}

const createBookkeeping = `
CREATE SCHEMA IF NOT EXISTS ` + AppSchema + `;
REVOKE ALL ON SCHEMA ` + AppSchema + ` FROM PUBLIC;
CREATE TABLE IF NOT EXISTS ` + AppSchema + `.schema_migrations (
    version    text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);`

func applyFiles(ctx context.Context, conn *pgx.Conn, log *slog.Logger) ([]string, error) {
	pending, err := Pending(ctx, conn)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	for _, name := range pending {
		body, err := files.ReadFile("sql/" + name)
		if err != nil {
			return nil, fmt.Errorf("migrate: read %s: %w", name, err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+AppSchema+".schema_migrations (version) VALUES ($1)", name)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("migrate: apply %s: %w", name, err)
		}
		log.InfoContext(ctx, "applied migration", slog.String("version", name))
	}
	return pending, nil
}

func migrateRiver(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	// River logs every version it applies; so do we, below: keep only its warnings.
	quiet := slog.New(minLevel{Handler: log.Handler(), min: slog.LevelWarn})
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Schema: AppSchema, Logger: quiet})
	if err != nil {
		return fmt.Errorf("migrate: job tables: %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("migrate: job tables: %w", err)
	}
	for _, v := range res.Versions {
		log.InfoContext(ctx, "applied job-queue migration", slog.Int("version", v.Version))
	}
	return nil
}

func fileNames() ([]string, error) {
	entries, err := fs.ReadDir(files, "sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}
