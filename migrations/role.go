package migrations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// setupReadonlyRole creates or updates the read-only role and its grants.
// Steps that need more privilege than the migrating user has are skipped
// with a log line, except creating a missing role, which is an error.
func setupReadonlyRole(ctx context.Context, conn *pgx.Conn, opts Options) (*Result, error) {
	role := pgx.Identifier{opts.ReadonlyUser}.Sanitize()
	log := opts.Logger.With(slog.String("role", opts.ReadonlyUser))

	var exists, canManageRoles, isSuperuser bool
	err := conn.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1),
		       r.rolsuper OR r.rolcreaterole, r.rolsuper
		FROM pg_roles r WHERE r.rolname = current_user`, opts.ReadonlyUser).Scan(&exists, &canManageRoles, &isSuperuser)
	if err != nil {
		return nil, fmt.Errorf("migrate: inspect roles: %w", err)
	}

	res := &Result{ReadonlyPassword: opts.ReadonlyPassword}
	if res.ReadonlyPassword == "" {
		if !opts.GeneratePassword {
			return nil, errors.New("POSTGRES_READONLY_PASSWORD is not set (required outside ENVIRONMENT=local)")
		}
		res.ReadonlyPassword, res.GeneratedPassword, err = localPassword(ctx, conn, opts.ReadonlyUser)
		if err != nil {
			return nil, err
		}
	}

	attributes := "LOGIN NOCREATEDB NOCREATEROLE NOINHERIT CONNECTION LIMIT 100 PASSWORD "
	if isSuperuser {
		// Only a superuser may name these in ALTER ROLE, even to turn them
		// off; they are off by default for a role created by anyone else,
		// and a role that has them cannot be altered by a non-superuser.
		attributes = "NOSUPERUSER NOREPLICATION NOBYPASSRLS " + attributes
	}
	switch {
	case !exists && !canManageRoles:
		return nil, fmt.Errorf("migrate: role %s does not exist and the migrating user may not create roles: create it (LOGIN) or grant CREATEROLE", opts.ReadonlyUser)
	case !exists:
		err = retryConcurrent(ctx, func() error {
			_, err := conn.Exec(ctx, "CREATE ROLE "+role+" "+attributes+quoteLiteral(res.ReadonlyPassword))
			return err
		})
		if isDuplicate(err) {
			err = nil // another instance created it a moment ago
		}
		if err != nil {
			return nil, fmt.Errorf("migrate: create role %s: %w", opts.ReadonlyUser, err)
		}
		log.InfoContext(ctx, "created read-only role")
	case canManageRoles:
		err = retryConcurrent(ctx, func() error {
			_, err := conn.Exec(ctx, "ALTER ROLE "+role+" "+attributes+quoteLiteral(res.ReadonlyPassword))
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("migrate: update role %s: %w", opts.ReadonlyUser, err)
		}
	default:
		log.WarnContext(ctx, "skipped updating the read-only role's attributes and password: the migrating user lacks CREATEROLE")
	}

	timeout := opts.StatementTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	roleSettings := []string{
		fmt.Sprintf("ALTER ROLE %s SET statement_timeout = '%dms'", role, timeout.Milliseconds()),
		fmt.Sprintf("ALTER ROLE %s SET idle_in_transaction_session_timeout = '%dms'", role, (2 * timeout).Milliseconds()),
		fmt.Sprintf("ALTER ROLE %s SET lock_timeout = '%dms'", role, timeout.Milliseconds()),
		"ALTER ROLE " + role + " SET default_transaction_read_only = on",
	}
	for _, stmt := range roleSettings {
		if err := retryConcurrent(ctx, func() error { _, err := conn.Exec(ctx, stmt); return err }); err != nil {
			if isInsufficientPrivilege(err) {
				log.WarnContext(ctx, "skipped a role setting: the migrating user lacks the privilege", slog.String("statement", stmt))
				continue
			}
			return nil, fmt.Errorf("migrate: role setting: %w", err)
		}
	}

	if err := revokeMemberships(ctx, conn, opts.ReadonlyUser, log); err != nil {
		return nil, err
	}
	if err := grantReadAccess(ctx, conn, opts.ReadonlyUser, opts.Schemas, opts.Tables, log); err != nil {
		return nil, err
	}
	res.Readable, err = ReadableBy(ctx, conn, opts.ReadonlyUser)
	if err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return res, nil
}

// revokeMemberships removes the role from every role it belongs to, so it
// inherits no privileges.
func revokeMemberships(ctx context.Context, conn *pgx.Conn, roleName string, log *slog.Logger) error {
	rows, err := conn.Query(ctx, `
		SELECT g.rolname FROM pg_auth_members m
		JOIN pg_roles g ON g.oid = m.roleid
		JOIN pg_roles r ON r.oid = m.member
		WHERE r.rolname = $1`, roleName)
	if err != nil {
		return fmt.Errorf("migrate: list memberships: %w", err)
	}
	groups, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("migrate: list memberships: %w", err)
	}
	for _, g := range groups {
		stmt := "REVOKE " + pgx.Identifier{g}.Sanitize() + " FROM " + pgx.Identifier{roleName}.Sanitize()
		if _, err := conn.Exec(ctx, stmt); err != nil {
			log.WarnContext(ctx, "could not remove the read-only role from a group", slog.String("group", g), slog.Any("error", err))
		}
	}
	return nil
}

// LocalPassword reads the read-only password that migrate generated on a
// developer machine; it returns "" when none was generated.
func LocalPassword(ctx context.Context, db interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, roleName string) (string, error) {
	var stored string
	err := db.QueryRow(ctx, "SELECT value FROM "+AppSchema+".settings WHERE key = $1", "readonly_password:"+roleName).Scan(&stored)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read kept read-only password: %w", err)
	}
	return stored, nil
}

// retryConcurrent retries a role or grant statement that lost a race with
// another database being migrated at the same moment (roles are shared by
// the whole server).
func retryConcurrent(ctx context.Context, fn func() error) error {
	var err error
	for attempt := range 10 {
		if err = fn(); err == nil || !isConcurrentUpdate(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(attempt+1) * 20 * time.Millisecond):
		}
	}
	return err
}

func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func isConcurrentUpdate(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "XX000" && pgErr.Message == "tuple concurrently updated" || pgErr.Code == "40001")
}

func isDuplicate(err error) bool { c := pgCode(err); return c == "42710" || c == "23505" }

func isInsufficientPrivilege(err error) bool { return pgCode(err) == "42501" }

func quoteLiteral(s string) string {
	out := []byte{'\''}
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			out = append(out, '\'')
		}
		out = append(out, s[i])
	}
	return string(append(out, '\''))
}
