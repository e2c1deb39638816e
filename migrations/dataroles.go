package migrations

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// DataRole is one login role of the access file: model-written SQL of the
// questions it answers runs as this role, so PostgreSQL enforces what it
// may read (grants, row-level security, column grants).
type DataRole struct {
	Name string
	// Password is POSTGRES_ROLE_PASSWORD_<NAME>; when empty it is
	// generated and kept, as the read-only role's is, where allowed.
	Password string
	// Schemas are granted USAGE and SELECT on their tables and views.
	Schemas []string
	// Tables, when set, narrows SELECT to these schema.table names.
	Tables []string
}

// DataRoleResult is what one data role can read after a run.
type DataRoleResult struct {
	Name              string
	Password          string
	GeneratedPassword bool
	Readable          Readable
}

// setupDataRoles creates or updates each data role exactly as the
// read-only role is (login, read-only defaults, timeouts, limits, no
// memberships) with the grants the access file gives it and nothing else.
// A role that exists with powers a data role must not have (superuser,
// CREATEROLE, CREATEDB, BYPASSRLS, replication) is an error: migrate
// would otherwise strip them from a role someone else relies on.
func setupDataRoles(ctx context.Context, conn *pgx.Conn, opts Options, res *Result) ([]DataRoleResult, error) {
	var out []DataRoleResult
	for _, dr := range opts.DataRoles {
		if err := checkDataRole(ctx, conn, dr.Name); err != nil {
			return nil, err
		}
		roleOpts := opts
		roleOpts.ReadonlyUser, roleOpts.ReadonlyPassword = dr.Name, dr.Password
		roleOpts.Schemas, roleOpts.Tables = dr.Schemas, dr.Tables
		roleOpts.DataRoles = nil
		r, err := setupReadonlyRole(ctx, conn, roleOpts)
		if err != nil {
			return nil, fmt.Errorf("data role %s: %w", dr.Name, err)
		}
		forDBA, err := harden(ctx, conn, dr.Name, opts.Logger)
		if err != nil {
			return nil, fmt.Errorf("data role %s: %w", dr.Name, err)
		}
		for _, stmt := range forDBA {
			if !slices.Contains(res.ForDBA, stmt) {
				res.ForDBA = append(res.ForDBA, stmt)
			}
		}
		out = append(out, DataRoleResult{Name: dr.Name, Password: r.ReadonlyPassword, GeneratedPassword: r.GeneratedPassword, Readable: r.Readable})
	}
	return out, nil
}

func checkDataRole(ctx context.Context, conn *pgx.Conn, name string) error {
	var super, createRole, createDB, bypassRLS, replication bool
	err := conn.QueryRow(ctx, `
		SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication
		FROM pg_roles WHERE rolname = $1`, name).Scan(&super, &createRole, &createDB, &bypassRLS, &replication)
	if err == pgx.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("migrate: inspect data role %s: %w", name, err)
	}
	if super || createRole || createDB || bypassRLS || replication {
		return fmt.Errorf("migrate: data role %s already exists with powers a data role must not have (superuser, CREATEROLE, CREATEDB, BYPASSRLS or REPLICATION); "+
			"name a role of its own in ACCESS_FILE, or remove those powers if the role is only for the bot", name)
	}
	return nil
}
