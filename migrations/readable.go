package migrations

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Readable is what a role can read in one database: the schemas it may
// use and how many tables and views in each it may select from.
type Readable struct {
	// Role is the role it describes.
	Role string
	// Missing is true when the role does not exist (migrate has not run).
	Missing bool
	// Schemas lists the usable schemas by name, with their readable
	// tables and views counted.
	Schemas []ReadableSchema
}

// ReadableSchema is one schema a role may use.
type ReadableSchema struct {
	Name   string
	Tables int
}

// Tables is the number of tables and views the role can read.
func (r Readable) Tables() int {
	n := 0
	for _, s := range r.Schemas {
		n += s.Tables
	}
	return n
}

// String says what the role can read in one line, and when that is
// nothing, which setting to change.
func (r Readable) String() string {
	if r.Missing {
		return fmt.Sprintf("read-only role %s does not exist yet: run 'analytics-bot migrate'", r.Role)
	}
	if r.Tables() == 0 {
		return fmt.Sprintf("read-only role %s can read no tables: set ANALYTICS_SCHEMAS to the schemas that hold your tables "+
			"(comma-separated) and run 'analytics-bot migrate', or load the demo with 'analytics-bot demo-data'", r.Role)
	}
	parts := make([]string, 0, len(r.Schemas))
	for _, s := range r.Schemas {
		parts = append(parts, fmt.Sprintf("%s (%d)", s.Name, s.Tables))
	}
	return fmt.Sprintf("read-only role %s can read %d tables and views in schemas %s", r.Role, r.Tables(), strings.Join(parts, ", "))
}

// readableSQL lists the schemas the role may use (its own grants and
// PUBLIC's), except PostgreSQL's catalogs, and counts the relations there
// it may select from.
const readableSQL = `
SELECT n.nspname,
       count(c.oid) FILTER (WHERE has_table_privilege($1, c.oid, 'SELECT'))::int
FROM pg_namespace n
LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'v', 'm', 'f', 'p')
WHERE has_schema_privilege($1, n.oid, 'USAGE')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp\_%'
GROUP BY n.nspname
ORDER BY n.nspname`

// ReadableBy reports what role can read in the database db is connected
// to. db may connect as any role, the read-only one included.
func ReadableBy(ctx context.Context, db interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}, role string) (Readable, error) {
	var exists bool
	if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).Scan(&exists); err != nil {
		return Readable{}, fmt.Errorf("what %s can read: %w", role, err)
	}
	if !exists {
		return Readable{Role: role, Missing: true}, nil
	}
	rows, err := db.Query(ctx, readableSQL, role)
	if err != nil {
		return Readable{}, fmt.Errorf("what %s can read: %w", role, err)
	}
	schemas, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReadableSchema, error) {
		var s ReadableSchema
		err := row.Scan(&s.Name, &s.Tables)
		return s, err
	})
	if err != nil {
		return Readable{}, fmt.Errorf("what %s can read: %w", role, err)
	}
	return Readable{Role: role, Schemas: schemas}, nil
}
