package migrations_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/migrations"
)

// snapshot renders everything migrate creates or grants in the database:
// relations, columns, indexes, constraints, comments, ACLs, default
// privileges, the database's ACL, the role's settings and the migration
// records (without their timestamps).
func snapshot(t *testing.T, db *pgxpool.Pool, role string) string {
	t.Helper()
	var out string
	err := db.QueryRow(context.Background(), `
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('public', 'analytics_bot'))
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
    SELECT format('schema %s owner=%s acl=%s', nspname, pg_get_userbyid(nspowner), nspacl) AS line
    FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
  UNION ALL
    SELECT format('rel %s.%s kind=%s acl=%s comment=%s', ns.nspname, c.relname, c.relkind, c.relacl, obj_description(c.oid, 'pg_class'))
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
    SELECT format('col %s.%s.%s %s notnull=%s default=%s acl=%s comment=%s', ns.nspname, c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attacl,
                  col_description(c.oid, a.attnum))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'p')
  UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname IN ('public', 'analytics_bot')
  UNION ALL
    SELECT format('constraint %s.%s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_constraint c JOIN ns ON ns.oid = c.connamespace
  UNION ALL
    SELECT format('function %s', p.oid::regprocedure) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
    SELECT format('type %s', t.oid::regtype) FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
  UNION ALL
    SELECT format('default acl %s %s %s %s', pg_get_userbyid(defaclrole), defaclnamespace::regnamespace, defaclobjtype, defaclacl)
    FROM pg_default_acl
  UNION ALL
    SELECT format('database acl %s', datacl) FROM pg_database WHERE datname = current_database()
  UNION ALL
    SELECT format('role %s config=%s', rolname, rolconfig) FROM pg_roles WHERE rolname = $1
  UNION ALL
    SELECT format('migration %s', version) FROM analytics_bot.schema_migrations
  UNION ALL
    SELECT format('river migration %s %s', line, version) FROM analytics_bot.river_migration
) s`, role).Scan(&out)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return out
}

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()

	first := f.migrate(f.db.Pool, f.options())
	if !slices.Equal(first.Applied, allMigrations) {
		t.Errorf("first run applied %v, want %v", first.Applied, allMigrations)
	}
	before := snapshot(t, f.db.Pool, f.role)

	second := f.migrate(f.db.Pool, f.options())
	if len(second.Applied) != 0 {
		t.Errorf("second run applied %v, want nothing", second.Applied)
	}
	if after := snapshot(t, f.db.Pool, f.role); after != before {
		t.Errorf("the second run changed the schema:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	pending, err := migrations.Pending(ctx, f.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("Pending after migrate = %v, want none", pending)
	}
}

func TestPendingListsUnappliedMigrations(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.migrate(f.db.Pool, f.options())
	if _, err := f.db.Pool.Exec(ctx, "DELETE FROM analytics_bot.schema_migrations WHERE version = $1", allMigrations[3]); err != nil {
		t.Fatal(err)
	}
	pending, err := migrations.Pending(ctx, f.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if want := allMigrations[3:4]; !slices.Equal(pending, want) {
		t.Errorf("Pending = %v, want %v", pending, want)
	}
}

func TestConcurrentMigrationsOfOneDatabaseBothSucceed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const runs = 3
	results := make([]*migrations.Result, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		// Each run has its own pool, as separate instances would.
		pool := f.pool(f.superuser(), f.superPassword())
		wg.Go(func() {
			results[i], errs[i] = migrations.Migrate(context.Background(), pool, f.options())
		})
	}
	wg.Wait()

	var applied []string
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		applied = append(applied, results[i].Applied...)
	}
	slices.Sort(applied)
	if !slices.Equal(applied, allMigrations) {
		t.Errorf("the runs applied %v together, want each migration exactly once: %v", applied, allMigrations)
	}
	pending, err := migrations.Pending(context.Background(), f.db.Pool)
	if err != nil || len(pending) != 0 {
		t.Errorf("Pending = %v, %v; want none", pending, err)
	}
}

func TestMigrateRefusesAOneConnectionPool(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cfg, err := pgxpool.ParseConfig(f.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = migrations.Migrate(ctx, pool, f.options())
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "2 connections") {
		t.Errorf("err = %v, want an immediate error about the pool size instead of waiting for a second connection", err)
	}
}
