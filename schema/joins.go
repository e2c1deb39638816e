package schema

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Join is a way from one table's columns to another table's: a declared
// foreign key, or one inferred from the column's name.
type Join struct {
	// Columns are the referencing columns of the table that has the join.
	Columns []string
	// RefSchema and RefTable name the referenced table.
	RefSchema, RefTable string
	// RefColumns are the referenced columns, in the order of Columns.
	RefColumns []string
	// Inferred is true when no foreign key is declared and the join was
	// guessed from names and types (customer_id → customers.id).
	Inferred bool
}

// foreignKeysSQL lists the declared foreign keys between the given
// relations, with their columns in key order. Constraints that
// partitions inherit from their parent are left out.
const foreignKeysSQL = `
SELECT c.conrelid, c.confrelid,
       array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[],
       array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[]
FROM pg_catalog.pg_constraint c
WHERE c.contype = 'f' AND c.conparentid = 0
  AND c.conrelid = ANY($1) AND c.confrelid = ANY($1)
ORDER BY c.conrelid, c.conname`

// addForeignKeys attaches the declared foreign keys whose columns the
// role can see on both sides.
func addForeignKeys(ctx context.Context, db Querier, oids []uint32, byOID map[uint32]*relation) error {
	rows, err := db.Query(ctx, foreignKeysSQL, oids)
	if err != nil {
		return fmt.Errorf("list foreign keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var from, to uint32
		var cols, refCols []string
		if err := rows.Scan(&from, &to, &cols, &refCols); err != nil {
			return fmt.Errorf("list foreign keys: %w", err)
		}
		src, dst := byOID[from], byOID[to]
		if src == nil || dst == nil || len(cols) != len(refCols) || !hasColumns(&src.table, cols) || !hasColumns(&dst.table, refCols) {
			continue
		}
		src.table.Joins = append(src.table.Joins, Join{
			Columns: cols, RefSchema: dst.table.Schema, RefTable: dst.table.Name, RefColumns: refCols,
		})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list foreign keys: %w", err)
	}
	return nil
}

func hasColumns(t *Table, names []string) bool {
	for _, n := range names {
		if _, ok := t.Column(n); !ok {
			return false
		}
	}
	return true
}

// inferJoins adds, for every column named like customer_id that no
// declared foreign key covers, a join to the table named after it
// (customer, customers, …) whose single-column primary key is id or the
// same name, with the same type. A target in the same schema wins; an
// ambiguous name elsewhere is left alone.
func (c *Catalog) inferJoins() {
	byName := make(map[string][]*Table)
	for i := range c.Tables {
		t := &c.Tables[i]
		byName[strings.ToLower(t.Name)] = append(byName[strings.ToLower(t.Name)], t)
	}
	for i := range c.Tables {
		t := &c.Tables[i]
		var inferred []Join
		for _, col := range t.Columns {
			if t.joinsFrom(col.Name) || slices.Equal(t.PrimaryKey, []string{col.Name}) {
				continue
			}
			base, ok := strings.CutSuffix(strings.ToLower(col.Name), "_id")
			if !ok || base == "" {
				continue
			}
			target, refCol := c.joinTarget(t, col, byName, base)
			if target == nil {
				continue
			}
			inferred = append(inferred, Join{
				Columns: []string{col.Name}, RefSchema: target.Schema, RefTable: target.Name,
				RefColumns: []string{refCol}, Inferred: true,
			})
		}
		t.Joins = append(t.Joins, inferred...)
	}
}

// joinsFrom reports whether a join already starts at the column.
func (t *Table) joinsFrom(column string) bool {
	for _, j := range t.Joins {
		if slices.Contains(j.Columns, column) {
			return true
		}
	}
	return false
}

func (c *Catalog) joinTarget(from *Table, col Column, byName map[string][]*Table, base string) (*Table, string) {
	var candidates []*Table
	for _, name := range plurals(base) {
		candidates = append(candidates, byName[name]...)
	}
	var found []*Table
	var refCols []string
	for _, t := range candidates {
		if t == from || len(t.PrimaryKey) != 1 {
			continue
		}
		key := t.PrimaryKey[0]
		if key != "id" && key != col.Name {
			continue
		}
		if kc, _ := t.Column(key); kc.Type != col.Type {
			continue
		}
		found = append(found, t)
		refCols = append(refCols, key)
	}
	for i, t := range found {
		if t.Schema == from.Schema {
			return t, refCols[i]
		}
	}
	if len(found) == 1 {
		return found[0], refCols[0]
	}
	return nil, ""
}

// plurals are the table names a singular noun may go by.
func plurals(noun string) []string {
	names := []string{noun, noun + "s", noun + "es"}
	if stem, ok := strings.CutSuffix(noun, "y"); ok {
		names = append(names, stem+"ies")
	}
	return names
}

// neighbours lists the indexes of the tables joined to table i, in
// either direction.
func (c *Catalog) neighbours(i int) []int {
	t := &c.Tables[i]
	var out []int
	for _, j := range t.Joins {
		if k := c.index(j.RefSchema, j.RefTable); k >= 0 && k != i && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	for k := range c.Tables {
		if k == i || slices.Contains(out, k) {
			continue
		}
		for _, j := range c.Tables[k].Joins {
			if j.RefSchema == t.Schema && j.RefTable == t.Name {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

func (c *Catalog) index(schemaName, table string) int {
	for i := range c.Tables {
		if c.Tables[i].Schema == schemaName && c.Tables[i].Name == table {
			return i
		}
	}
	return -1
}

// joinPath spells a join as the model should read it:
// orders.customer_id → customers.id, schema-qualified when the catalog
// spans several schemas or its one schema is not public.
func (t *Table) joinPath(j Join, qualify bool) string {
	from, to := ident(t.Name), ident(j.RefTable)
	if qualify {
		from, to = t.QualifiedName(), ident(j.RefSchema)+"."+ident(j.RefTable)
	}
	src := make([]string, len(j.Columns))
	dst := make([]string, len(j.RefColumns))
	for i := range j.Columns {
		src[i] = from + "." + ident(j.Columns[i])
		dst[i] = to + "." + ident(j.RefColumns[i])
	}
	if len(src) == 1 {
		return src[0] + " → " + dst[0]
	}
	return "(" + strings.Join(src, ", ") + ") → (" + strings.Join(dst, ", ") + ")"
}

// qualifyJoins reports whether join paths need schema names.
func (c *Catalog) qualifyJoins() bool {
	for _, t := range c.Tables {
		if t.Schema != "public" {
			return true
		}
	}
	return false
}
