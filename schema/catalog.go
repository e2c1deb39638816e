package schema

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// Catalog is what the read-only role can see of the database.
type Catalog struct {
	// Tables are sorted by schema, then name.
	Tables []Table
	// LoadedAt is when the catalog was introspected.
	LoadedAt time.Time

	// search holds each table's full-text document as PostgreSQL's
	// tsvector text, in table order, for ranking tables by a question.
	search []string
	// blocks caches each table's full summary block.
	blocks     []string
	blocksOnce sync.Once
}

// Table is one table or view the read-only role may select from.
type Table struct {
	// Schema and Name are the table's own, unquoted.
	Schema string
	Name   string
	// Kind is "table", "view", "materialized view", "partitioned table"
	// or "foreign table".
	Kind string
	// Comment is the table's comment, on one line and capped.
	Comment string
	// RowEstimate is approximate: the planner's statistics, or a bounded
	// count when there are none; -1 when unknown.
	RowEstimate int64
	// PrimaryKey lists the key's columns in order; empty when the table has
	// none or the role may not read all of them.
	PrimaryKey []string
	// Columns are in table order and only those the role may select.
	Columns []Column
	// Joins are the declared foreign keys to other readable tables, then
	// the joins inferred from column names.
	Joins []Join
}

// Column is one selectable column of a Table.
type Column struct {
	// Name is the column's own name, unquoted.
	Name string
	// Type is PostgreSQL's own spelling (format_type), e.g. numeric(12,2).
	Type string
	// Comment is the column's comment, on one line and capped.
	Comment string
	// Nullable is false for NOT NULL columns (views never say).
	Nullable bool
	// Values are the distinct values of a low-cardinality text column,
	// most frequent first, exactly as stored; empty for other columns.
	// Values longer than a cap are left out and counted in LongValues.
	Values []string
	// LongValues counts the values too long to be listed.
	LongValues int
	// Min and Max bound a date or timestamp column; empty otherwise.
	Min, Max string
}

// QualifiedName is the table's schema-qualified name, quoted where needed.
func (t *Table) QualifiedName() string {
	return ident(t.Schema) + "." + ident(t.Name)
}

// Column finds a column by name.
func (t *Table) Column(name string) (*Column, bool) {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return &t.Columns[i], true
		}
	}
	return nil, false
}

// Table finds a table by "name" or "schema.name" (double quotes allowed,
// case-insensitive when there is no exact match). An unqualified name
// present in several schemas resolves to public first.
func (c *Catalog) Table(name string) (*Table, bool) {
	schemaName, tableName, qualified := splitName(name)
	for _, fold := range []bool{false, true} {
		var found *Table
		for i := range c.Tables {
			t := &c.Tables[i]
			if !sameName(t.Name, tableName, fold) || qualified && !sameName(t.Schema, schemaName, fold) {
				continue
			}
			if found == nil || t.Schema == "public" {
				found = t
			}
		}
		if found != nil {
			return found, true
		}
	}
	return nil, false
}

// ColumnNames lists the distinct column names of all tables, sorted.
func (c *Catalog) ColumnNames() []string {
	var names []string
	for _, t := range c.Tables {
		for _, col := range t.Columns {
			names = append(names, col.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// TableNames lists the qualified names of all tables, in catalog order.
func (c *Catalog) TableNames() []string {
	names := make([]string, len(c.Tables))
	for i := range c.Tables {
		names[i] = c.Tables[i].QualifiedName()
	}
	return names
}

func splitName(name string) (schemaName, tableName string, qualified bool) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndex(name, "."); i >= 0 {
		return unquote(name[:i]), unquote(name[i+1:]), true
	}
	return "", unquote(name), false
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return s
}

func sameName(a, b string, fold bool) bool {
	if fold {
		return strings.EqualFold(a, b)
	}
	return a == b
}
