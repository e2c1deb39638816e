package schema

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier runs the catalog queries; a *pgxpool.Pool, *pgx.Conn or pgx.Tx
// logged in as the read-only role all fit.
type Querier interface {
	// Query runs a query that returns rows.
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	// QueryRow runs a query that returns at most one row.
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tablesSQL lists the relations the current role may select from (whole
// table or some columns) in schemas it may use. A partition is listed only
// when its root is not readable: queries should go through the parent.
const tablesSQL = `
SELECT c.oid, n.nspname, c.relname, c.relkind::text,
       coalesce(obj_description(c.oid, 'pg_class'), ''),
       c.reltuples::float8
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
  AND n.nspname <> 'information_schema'
  AND n.nspname !~ '^pg_'
  AND has_schema_privilege(n.oid, 'USAGE')
  AND has_any_column_privilege(c.oid, 'SELECT')
  AND NOT (c.relispartition AND has_any_column_privilege(pg_partition_root(c.oid), 'SELECT'))`

// columnsSQL lists the columns the current role may select, with a kind
// that says what may be sampled: "text" (string and enum types, domains
// over them), "date", "timestamp", "timestamptz", or "".
const columnsSQL = `
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
       coalesce(col_description(a.attrelid, a.attnum), ''),
       CASE WHEN t.typcategory IN ('S', 'E') THEN 'text'
            WHEN bt.oid = 'date'::regtype THEN 'date'
            WHEN bt.oid = 'timestamp'::regtype THEN 'timestamp'
            WHEN bt.oid = 'timestamptz'::regtype THEN 'timestamptz'
            ELSE '' END
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE a.attrelid = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
  AND has_column_privilege(a.attrelid, a.attnum, 'SELECT')
ORDER BY a.attrelid, a.attnum`

// primaryKeysSQL lists the primary key columns in key order.
const primaryKeysSQL = `
SELECT i.indrelid, a.attname
FROM pg_catalog.pg_index i
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
WHERE i.indisprimary AND i.indrelid = ANY($1)
ORDER BY i.indrelid, k.ord`

var relKinds = map[string]string{
	"r": "table",
	"v": "view",
	"m": "materialized view",
	"p": "partitioned table",
	"f": "foreign table",
}

// relation is a table being introspected, with what the catalog keeps
// out of Table.
type relation struct {
	oid       uint32
	reltuples float64
	table     Table
	kinds     []string // sampling kind of each column, as in columnsSQL
}

// Introspect reads what db's role may select: tables and views, their
// readable columns, keys, comments, row estimates, the values of
// low-cardinality text columns and the range of date and timestamp
// columns. db should be the read-only role's pool, so the catalog shows
// exactly what model-written SQL can reach.
//
// Catalog queries failing is an error; a data sample that fails (a view
// that errors, a scan that times out) only leaves that detail out.
func Introspect(ctx context.Context, db Querier) (*Catalog, error) {
	rels, err := listRelations(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	oids := make([]uint32, len(rels))
	byOID := make(map[uint32]*relation, len(rels))
	for i, r := range rels {
		oids[i] = r.oid
		byOID[r.oid] = r
	}
	if err := addColumns(ctx, db, oids, byOID); err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	if err := addPrimaryKeys(ctx, db, oids, byOID); err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	if err := addForeignKeys(ctx, db, oids, byOID); err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	stats, err := readStats(ctx, db, oids)
	if err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	cat := &Catalog{Tables: make([]Table, 0, len(rels)), LoadedAt: time.Now().UTC()}
	for _, r := range rels {
		if len(r.table.Columns) == 0 {
			continue
		}
		if err := sample(ctx, db, r, stats[r.oid]); err != nil {
			return nil, fmt.Errorf("introspect schema: %s: %w", r.table.QualifiedName(), err)
		}
		cat.Tables = append(cat.Tables, r.table)
	}
	cat.inferJoins()
	if cat.search, err = searchDocuments(ctx, db, cat.Tables); err != nil {
		return nil, fmt.Errorf("introspect schema: %w", err)
	}
	return cat, nil
}

func listRelations(ctx context.Context, db Querier) ([]*relation, error) {
	rows, err := db.Query(ctx, tablesSQL)
	if err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	var rels []*relation
	for rows.Next() {
		r := &relation{}
		var kind, comment string
		if err := rows.Scan(&r.oid, &r.table.Schema, &r.table.Name, &kind, &comment, &r.reltuples); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list tables: %w", err)
		}
		if !printableName(r.table.Schema) || !printableName(r.table.Name) {
			continue
		}
		r.table.Kind = relKinds[kind]
		r.table.Comment = clean(comment, maxCommentLen)
		r.table.RowEstimate = -1
		rels = append(rels, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	// Byte order, not the database's collation, so output is the same on
	// every server.
	slices.SortFunc(rels, func(a, b *relation) int {
		return cmp.Or(cmp.Compare(a.table.Schema, b.table.Schema), cmp.Compare(a.table.Name, b.table.Name))
	})
	return rels, nil
}

func addColumns(ctx context.Context, db Querier, oids []uint32, byOID map[uint32]*relation) error {
	rows, err := db.Query(ctx, columnsSQL, oids)
	if err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var oid uint32
		var col Column
		var comment, kind string
		if err := rows.Scan(&oid, &col.Name, &col.Type, &col.Nullable, &comment, &kind); err != nil {
			return fmt.Errorf("list columns: %w", err)
		}
		r := byOID[oid]
		if r == nil || !printableName(col.Name) {
			continue
		}
		col.Comment = clean(comment, maxCommentLen)
		r.table.Columns = append(r.table.Columns, col)
		r.kinds = append(r.kinds, kind)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list columns: %w", err)
	}
	return nil
}

func addPrimaryKeys(ctx context.Context, db Querier, oids []uint32, byOID map[uint32]*relation) error {
	rows, err := db.Query(ctx, primaryKeysSQL, oids)
	if err != nil {
		return fmt.Errorf("list primary keys: %w", err)
	}
	keys := make(map[uint32][]string)
	for rows.Next() {
		var oid uint32
		var name string
		if err := rows.Scan(&oid, &name); err != nil {
			rows.Close()
			return fmt.Errorf("list primary keys: %w", err)
		}
		keys[oid] = append(keys[oid], name)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list primary keys: %w", err)
	}
	for oid, key := range keys {
		t := &byOID[oid].table
		// A key with a column the role cannot see is not a key it can use.
		if !slices.ContainsFunc(key, func(name string) bool { _, ok := t.Column(name); return !ok }) {
			t.PrimaryKey = key
		}
	}
	return nil
}
