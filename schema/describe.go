package schema

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnknownTable is returned by Describe for a table the catalog does
// not have; its message lists the tables that exist, for the model to
// pick from.
var ErrUnknownTable = errors.New("unknown table")

// describeAllCap bounds describing every table at once: beyond it, a call
// without names lists the tables and asks for names instead.
const describeAllCap = 60_000

// Describe renders the named tables in full for the describe_schema tool
// (every table when names is empty and they fit describeAllCap, else a
// list of all tables by name): each column's type, nullability, key
// membership, comment, values or range, and joins. A name may be "t" or
// "schema.t"; an unknown name gives an error wrapping ErrUnknownTable.
func (c *Catalog) Describe(names []string) (string, error) {
	tables, err := c.pick(names)
	if err != nil {
		return "", err
	}
	if len(names) == 0 && c.describedLen() > describeAllCap {
		return c.listAll(), nil
	}
	var b strings.Builder
	b.WriteString(dataNote + dataOpen)
	if len(tables) == 0 {
		b.WriteString("(no readable tables)\n")
	}
	qualify := c.qualifyJoins()
	for i, t := range tables {
		if i > 0 {
			b.WriteByte('\n')
		}
		t.writeDescription(&b, qualify)
	}
	b.WriteString(dataClose)
	return b.String(), nil
}

// describedLen estimates the length of describing every table.
func (c *Catalog) describedLen() int {
	n := 0
	for _, block := range c.fullBlocks() {
		n += len(block) * 3 / 2
	}
	return n
}

// listAll names every table with its size, grouped by schema.
func (c *Catalog) listAll() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d readable tables, too many to describe at once: call describe_schema again with the names of the tables you need.\n", len(c.Tables))
	b.WriteString(dataNote + dataOpen)
	for i := range c.Tables {
		t := &c.Tables[i]
		if i == 0 || t.Schema != c.Tables[i-1].Schema {
			b.WriteString(ident(t.Schema) + ":\n")
		}
		b.WriteString("  " + ident(t.Name) + " (" + approxRows(t.RowEstimate) + " rows)\n")
	}
	b.WriteString(dataClose)
	return b.String()
}

func (c *Catalog) pick(names []string) ([]*Table, error) {
	if len(names) == 0 {
		tables := make([]*Table, len(c.Tables))
		for i := range c.Tables {
			tables[i] = &c.Tables[i]
		}
		return tables, nil
	}
	var tables []*Table
	var unknown []string
	for _, name := range names {
		t, ok := c.Table(name)
		switch {
		case !ok:
			unknown = append(unknown, fmt.Sprintf("%q", clean(name, 64)))
		case !slices.Contains(tables, t):
			tables = append(tables, t)
		}
	}
	if len(unknown) > 0 {
		known := "none"
		if len(c.Tables) > 0 {
			known = strings.Join(c.TableNames(), ", ")
		}
		return nil, fmt.Errorf("%w %s; the readable tables are: %s", ErrUnknownTable, strings.Join(unknown, ", "), known)
	}
	return tables, nil
}

func (t *Table) writeDescription(b *strings.Builder, qualify bool) {
	fmt.Fprintf(b, "%s (%s, %s rows)\n", t.QualifiedName(), cmp.Or(t.Kind, "table"), approxRows(t.RowEstimate))
	if t.Comment != "" {
		b.WriteString("comment: " + t.Comment + "\n")
	}
	if len(t.PrimaryKey) > 0 {
		b.WriteString("primary key: " + identList(t.PrimaryKey) + "\n")
	}
	b.WriteString("columns:\n")
	for _, col := range t.Columns {
		b.WriteString("- " + ident(col.Name) + ": " + col.Type)
		if !col.Nullable {
			b.WriteString(", not null")
		}
		if slices.Contains(t.PrimaryKey, col.Name) {
			b.WriteString(", primary key")
		}
		b.WriteByte('\n')
		switch {
		case len(col.Values) > 0 && col.LongValues > 0:
			fmt.Fprintf(b, "  values: %s and %d longer (not shown)\n", literals(col.Values), col.LongValues)
		case len(col.Values) > 0:
			b.WriteString("  values: " + literals(col.Values) + "\n")
		case col.Min != "" || col.Max != "":
			b.WriteString("  range: " + col.Min + " to " + col.Max + "\n")
		}
		if col.Comment != "" {
			b.WriteString("  comment: " + col.Comment + "\n")
		}
	}
	if len(t.Joins) > 0 {
		b.WriteString("joins:\n")
		for _, j := range t.Joins {
			how := "foreign key"
			if j.Inferred {
				how = "inferred from the names; no foreign key is declared"
			}
			b.WriteString("- " + t.joinPath(j, qualify) + " (" + how + ")\n")
		}
	}
}
