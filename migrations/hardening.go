package migrations

import (
	"context"
	"fmt"
	"log/slog"
	"sort"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Limits on the read-only role's backend that it cannot lift itself:
// temp_file_limit may only be set by a superuser, and the statement gate
// refuses SET and set_config for work_mem.
const (
	readonlyTempFileLimit = "256MB"
	readonlyWorkMem       = "8MB"
)

// keptForPublic are denied functions migrate does not revoke from PUBLIC:
// what they do is bounded without it (set_config's effect ends with the
// session reset, pg_sleep with the statement timeout, sequences and
// NOTIFY by the read-only transaction), and ordinary tools such as
// pg_dump need set_config. The statement gate still refuses them.
var keptForPublic = map[string]bool{
	"set_config": true, "pg_sleep": true, "pg_sleep_for": true, "pg_sleep_until": true,
	"nextval": true, "setval": true, "pg_notify": true,
	// Settings and sizes tell little and ordinary tools read them.
	"current_setting": true, "pg_show_all_settings": true, "pg_database_size": true, "pg_tablespace_size": true,
}

// revocable reports whether migrate takes EXECUTE on the function named
// name away from PUBLIC.
func revocable(name string) bool { return readonly.Denied(name) && !keptForPublic[name] }

// harden puts the database-side limits on the read-only role and, in a
// database the bot owns, revokes EXECUTE on the dangerous functions from
// PUBLIC (in PostgreSQL every function's privileges are per database). A
// step the migrating user may not take is returned as a statement for a
// DBA instead of failing the migration.
func harden(ctx context.Context, conn *pgx.Conn, roleName string, log *slog.Logger) ([]string, error) {
	role := pgx.Identifier{roleName}.Sanitize()
	var forDBA []string
	for _, stmt := range []string{
		"ALTER ROLE " + role + " SET temp_file_limit = '" + readonlyTempFileLimit + "'",
		"ALTER ROLE " + role + " SET work_mem = '" + readonlyWorkMem + "'",
		// The role's sessions do not report what they run, so no other
		// session, another question's included, can read a question's SQL
		// in pg_stat_activity. Only a superuser may set it (and lift it).
		"ALTER ROLE " + role + " SET track_activities = off",
	} {
		err := retryConcurrent(ctx, func() error { _, err := conn.Exec(ctx, stmt); return err })
		switch {
		case isInsufficientPrivilege(err):
			forDBA = append(forDBA, stmt)
		case err != nil:
			return nil, fmt.Errorf("migrate: %s: %w", stmt, err)
		}
	}

	var owned bool
	err := conn.QueryRow(ctx, `
		SELECT d.datdba = (SELECT oid FROM pg_roles WHERE rolname = current_user)
		FROM pg_database d WHERE d.datname = current_database()`).Scan(&owned)
	if err != nil {
		return nil, fmt.Errorf("migrate: database owner: %w", err)
	}
	callable, err := publicFunctions(ctx, conn)
	if err != nil {
		return nil, err
	}
	if owned {
		for _, fn := range callable {
			stmt := "REVOKE EXECUTE ON FUNCTION " + fn + " FROM PUBLIC"
			err := retryConcurrent(ctx, func() error { _, err := conn.Exec(ctx, stmt); return err })
			if err != nil && !isInsufficientPrivilege(err) {
				return nil, fmt.Errorf("migrate: %s: %w", stmt, err)
			}
		}
		// A REVOKE by someone who is neither the function's owner nor a
		// superuser only warns, so ask again what PUBLIC may still run.
		if callable, err = publicFunctions(ctx, conn); err != nil {
			return nil, err
		}
	}
	for _, fn := range callable {
		forDBA = append(forDBA, "REVOKE EXECUTE ON FUNCTION "+fn+" FROM PUBLIC")
	}
	if len(forDBA) > 0 {
		log.WarnContext(ctx, "some limits on the read-only role need a DBA; the statement gate holds meanwhile",
			slog.Int("statements", len(forDBA)), slog.Bool("database_owned", owned))
	}
	return forDBA, nil
}

// publicFunctions lists, as regprocedure signatures, the revocable
// functions that PUBLIC may still execute in the current database.
func publicFunctions(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	return executable(ctx, conn, "public")
}

// executable lists the revocable functions of pg_catalog that who (a
// role name, or "public") may execute.
func executable(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, who string) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT p.proname, p.oid::regprocedure::text
		FROM pg_proc p
		WHERE p.pronamespace = 'pg_catalog'::regnamespace
		  AND has_function_privilege($1, p.oid, 'EXECUTE')`, who)
	if err != nil {
		return nil, fmt.Errorf("list executable functions: %w", err)
	}
	type fn struct{ name, signature string }
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (fn, error) {
		var f fn
		return f, r.Scan(&f.name, &f.signature)
	})
	if err != nil {
		return nil, fmt.Errorf("list executable functions: %w", err)
	}
	var out []string
	for _, f := range all {
		if revocable(f.name) {
			out = append(out, f.signature)
		}
	}
	sort.Strings(out)
	return out, nil
}

// StillCallable lists the dangerous functions (WAL writers, transaction
// ids, nested SQL, other sessions' activity, files, large objects,
// advisory locks) that roleName may still execute in the current
// database: empty once migrate or a DBA revoked them. The statement gate
// refuses them either way; this says whether the database holds too.
func StillCallable(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}, roleName string) ([]string, error) {
	return executable(ctx, db, roleName)
}
