package migrations

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// DefaultSchemas is what the read-only role reads when ANALYTICS_SCHEMAS
// is unset.
var DefaultSchemas = []string{"public"}

// grantReadAccess gives the read-only role USAGE and SELECT on the tables
// and views of schemas, and takes from it every direct privilege elsewhere
// in the database: no CREATE anywhere, no TEMP, nothing in the bot's own
// schema or in a schema no longer listed. It never grants or revokes
// anything for PUBLIC or another role; where PUBLIC itself may create
// objects, it logs the statements a DBA may run.
//
// When tables is set (schema.table names, a data role's allowlist), SELECT
// is granted on those alone and new tables get no default privileges.
func grantReadAccess(ctx context.Context, conn *pgx.Conn, roleName string, schemas, tables []string, log *slog.Logger) error {
	if len(schemas) == 0 {
		schemas = DefaultSchemas
	}
	role := pgx.Identifier{roleName}.Sanitize()
	var db string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db); err != nil {
		return fmt.Errorf("migrate: current database: %w", err)
	}
	dbIdent := pgx.Identifier{db}.Sanitize()

	existing, err := existingSchemas(ctx, conn, schemas)
	if err != nil {
		return err
	}
	for _, s := range schemas {
		if !existing[s] {
			log.WarnContext(ctx, "ANALYTICS_SCHEMAS names a schema that does not exist in this database; nothing granted there",
				slog.String("schema", s), slog.String("database", db))
		}
	}
	stale, err := staleSchemas(ctx, conn, roleName, schemas)
	if err != nil {
		return err
	}

	statements := []string{
		"REVOKE CREATE, TEMPORARY ON DATABASE " + dbIdent + " FROM " + role,
		"GRANT CONNECT ON DATABASE " + dbIdent + " TO " + role,
		"REVOKE ALL ON SCHEMA " + AppSchema + " FROM " + role,
		"REVOKE ALL ON ALL TABLES IN SCHEMA " + AppSchema + " FROM " + role,
	}
	for _, s := range stale {
		ident := pgx.Identifier{s}.Sanitize()
		statements = append(statements,
			"REVOKE ALL ON SCHEMA "+ident+" FROM "+role,
			"REVOKE ALL ON ALL TABLES IN SCHEMA "+ident+" FROM "+role,
			"ALTER DEFAULT PRIVILEGES IN SCHEMA "+ident+" REVOKE ALL ON TABLES FROM "+role)
	}
	var searchPath []string
	for _, s := range schemas {
		if !existing[s] {
			continue
		}
		ident := pgx.Identifier{s}.Sanitize()
		searchPath = append(searchPath, ident)
		statements = append(statements,
			"REVOKE CREATE ON SCHEMA "+ident+" FROM "+role,
			"GRANT USAGE ON SCHEMA "+ident+" TO "+role)
		if len(tables) > 0 {
			listed, err := allowlistGrants(ctx, conn, s, tables, role, log)
			if err != nil {
				return err
			}
			statements = append(statements, listed...)
			statements = append(statements,
				"ALTER DEFAULT PRIVILEGES IN SCHEMA "+ident+" REVOKE ALL ON TABLES FROM "+role,
				"REVOKE ALL ON ALL SEQUENCES IN SCHEMA "+ident+" FROM "+role)
			continue
		}
		grants, err := tableGrants(ctx, conn, s, role, log)
		if err != nil {
			return err
		}
		statements = append(statements, grants...)
		statements = append(statements,
			"ALTER DEFAULT PRIVILEGES IN SCHEMA "+ident+" GRANT SELECT ON TABLES TO "+role,
			"REVOKE ALL ON ALL SEQUENCES IN SCHEMA "+ident+" FROM "+role)
	}
	// The search path belongs to this database only: the role is shared by
	// every database on the server, and each may read other schemas.
	path := "''"
	if len(searchPath) > 0 {
		path = strings.Join(searchPath, ", ")
	}
	statements = append(statements, "ALTER ROLE "+role+" IN DATABASE "+dbIdent+" SET search_path = "+path)

	for _, stmt := range statements {
		err := retryConcurrent(ctx, func() error { _, err := conn.Exec(ctx, stmt); return err })
		if err != nil {
			if isInsufficientPrivilege(err) {
				log.WarnContext(ctx, "skipped a grant: the migrating user lacks the privilege", slog.String("statement", stmt))
				continue
			}
			return fmt.Errorf("migrate: %s: %w", stmt, err)
		}
	}
	return warnAboutPublic(ctx, conn, db, schemas, log)
}

// tableGrants returns the statements that leave the role SELECT and
// nothing more on every table and view of schema. When the migrating user
// may grant on all of them, two statements cover the schema; otherwise
// each table it may grant on gets its own, and the others are logged with
// the statement their owner may run.
func tableGrants(ctx context.Context, conn *pgx.Conn, schema, role string, log *slog.Logger) ([]string, error) {
	rows, err := conn.Query(ctx, `
		SELECT c.oid::regclass::text, has_table_privilege(current_user, c.oid, 'SELECT WITH GRANT OPTION')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
		ORDER BY 1`, schema)
	if err != nil {
		return nil, fmt.Errorf("migrate: list tables of schema %s: %w", schema, err)
	}
	var grantable, others []string
	var name string
	var ok bool
	_, err = pgx.ForEachRow(rows, []any{&name, &ok}, func() error {
		if ok {
			grantable = append(grantable, name)
		} else {
			others = append(others, name)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("migrate: list tables of schema %s: %w", schema, err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	if len(others) == 0 {
		return []string{
			"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA " + ident + " FROM " + role,
			"GRANT SELECT ON ALL TABLES IN SCHEMA " + ident + " TO " + role,
		}, nil
	}
	log.WarnContext(ctx, "the migrating user may not grant SELECT on some tables; their owner may run the statement",
		slog.String("schema", schema), slog.Int("tables", len(others)),
		slog.String("statement", "GRANT SELECT ON ALL TABLES IN SCHEMA "+ident+" TO "+role+";"))
	var out []string
	for _, t := range grantable {
		out = append(out,
			"REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "+t+" FROM "+role,
			"GRANT SELECT ON "+t+" TO "+role)
	}
	return out, nil
}

// allowlistGrants returns the statements that leave the role SELECT on
// the allowlisted tables of schema and on nothing else there. A listed
// table that does not exist is logged and skipped.
func allowlistGrants(ctx context.Context, conn *pgx.Conn, schema string, tables []string, role string, log *slog.Logger) ([]string, error) {
	var names []string
	for _, t := range tables {
		if s, name, ok := strings.Cut(t, "."); ok && s == schema {
			names = append(names, name)
		}
	}
	rows, err := conn.Query(ctx, `
		SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1 AND c.relname = ANY($2) AND c.relkind IN ('r', 'v', 'm', 'f', 'p')`, schema, names)
	if err != nil {
		return nil, fmt.Errorf("migrate: find allowlisted tables of schema %s: %w", schema, err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrate: find allowlisted tables of schema %s: %w", schema, err)
	}
	ident := pgx.Identifier{schema}.Sanitize()
	out := []string{"REVOKE ALL ON ALL TABLES IN SCHEMA " + ident + " FROM " + role}
	for _, name := range names {
		if !slices.Contains(found, name) {
			log.WarnContext(ctx, "the access file lists a table that does not exist; nothing granted on it",
				slog.String("table", schema+"."+name))
			continue
		}
		out = append(out, "GRANT SELECT ON "+pgx.Identifier{schema, name}.Sanitize()+" TO "+role)
	}
	return out, nil
}

// existingSchemas reports which of names exist in the database.
func existingSchemas(ctx context.Context, conn *pgx.Conn, names []string) (map[string]bool, error) {
	rows, err := conn.Query(ctx, "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)", names)
	if err != nil {
		return nil, fmt.Errorf("migrate: list schemas: %w", err)
	}
	found, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrate: list schemas: %w", err)
	}
	out := make(map[string]bool, len(found))
	for _, s := range found {
		out[s] = true
	}
	return out, nil
}

// staleSchemas lists the schemas, other than keep, on which the role holds
// a privilege of its own (granted directly, not through PUBLIC), or where
// the migrating user's default privileges still grant it new tables: left
// over from an earlier ANALYTICS_SCHEMAS.
const staleSchemasSQL = `
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname <> ALL($2::text[])
  AND n.nspname <> 'analytics_bot'
  AND (EXISTS (SELECT 1 FROM aclexplode(n.nspacl) a WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1))
       OR EXISTS (SELECT 1 FROM pg_default_acl d, aclexplode(d.defaclacl) a
                  WHERE d.defaclnamespace = n.oid AND d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user)
                    AND a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)))
ORDER BY 1`

func staleSchemas(ctx context.Context, conn *pgx.Conn, roleName string, keep []string) ([]string, error) {
	rows, err := conn.Query(ctx, staleSchemasSQL, roleName, keep)
	if err != nil {
		return nil, fmt.Errorf("migrate: list schemas the role may no longer read: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("migrate: list schemas the role may no longer read: %w", err)
	}
	return out, nil
}

// warnAboutPublic logs, in one line, what PUBLIC (and so the read-only
// role) may still create, with the statements a DBA may run. migrate never
// changes PUBLIC's privileges itself: other users of the database rely on
// them.
func warnAboutPublic(ctx context.Context, conn *pgx.Conn, db string, schemas []string, log *slog.Logger) error {
	var temp bool
	var creatable []string
	err := conn.QueryRow(ctx, `
		SELECT has_database_privilege('public', current_database(), 'TEMPORARY'),
		       coalesce(array_agg(nspname ORDER BY nspname) FILTER (WHERE has_schema_privilege('public', oid, 'CREATE')), '{}')
		FROM pg_namespace WHERE nspname = ANY($1)`, schemas).Scan(&temp, &creatable)
	if err != nil {
		return fmt.Errorf("migrate: read PUBLIC's privileges: %w", err)
	}
	var what, fix []string
	if temp {
		what = append(what, "create temporary tables in database "+db)
		fix = append(fix, "REVOKE TEMPORARY ON DATABASE "+pgx.Identifier{db}.Sanitize()+" FROM PUBLIC;")
	}
	for _, s := range creatable {
		what = append(what, "create objects in schema "+s)
		fix = append(fix, "REVOKE CREATE ON SCHEMA "+pgx.Identifier{s}.Sanitize()+" FROM PUBLIC;")
	}
	if len(what) == 0 {
		return nil
	}
	log.WarnContext(ctx, "every role, the read-only one included, may "+strings.Join(what, " and ")+
		" (migrate leaves PUBLIC's privileges alone); a DBA may run: "+strings.Join(fix, " "))
	return nil
}
