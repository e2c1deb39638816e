package schema

import (
	"fmt"
	"strings"
)

// Caps for the summary's comments, in characters: enough for a sentence
// or two, so that the system prompt stays small.
const (
	summaryTableCommentLen  = 200
	summaryColumnCommentLen = 160
	// summaryBudget caps the whole summary (about 4,000 tokens); tables past
	// it are listed with their column names only, then by name only, and
	// describe_schema gives the rest.
	summaryBudget = 16_000
)

// Summary renders the catalog compactly for the system prompt: one block
// per table with its row estimate, key and comment, then one line per
// column, "name type [values or range] -- comment".
func (c *Catalog) Summary() string {
	if len(c.Tables) == 0 {
		return "(no readable tables)\n"
	}
	var b strings.Builder
	var compact, names []string
	namesLen, unnamed := 0, 0
	for i := range c.Tables {
		t := &c.Tables[i]
		if compact == nil && names == nil {
			var block strings.Builder
			t.writeSummary(&block)
			if b.Len()+block.Len() < summaryBudget/2 {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(block.String())
				continue
			}
		}
		line := t.compactSummary()
		if names == nil && b.Len()+len(line)+lengthOf(compact) < summaryBudget*3/4 {
			compact = append(compact, line)
			continue
		}
		if b.Len()+lengthOf(compact)+namesLen < summaryBudget {
			names = append(names, t.QualifiedName())
			namesLen += len(t.QualifiedName()) + 2
			continue
		}
		unnamed++
	}
	if len(compact) > 0 {
		b.WriteString("\nMore tables (columns only; call describe_schema for types and comments):\n")
		b.WriteString(strings.Join(compact, "\n") + "\n")
	}
	if len(names) > 0 {
		b.WriteString("\nAnd these tables (call describe_schema before using them): " + strings.Join(names, ", ") + "\n")
	}
	if unnamed > 0 {
		b.WriteString(fmt.Sprintf("…and %d more tables, not listed here to save space; ask describe_schema about the tables you need by name.\n", unnamed))
	}
	return b.String()
}

// compactSummary is one line: the table, its size and its column names.
func (t *Table) compactSummary() string {
	cols := make([]string, len(t.Columns))
	for i, col := range t.Columns {
		cols[i] = ident(col.Name)
	}
	return t.QualifiedName() + " (" + approxRows(t.RowEstimate) + " rows): " + strings.Join(cols, ", ")
}

func lengthOf(lines []string) int {
	n := 0
	for _, l := range lines {
		n += len(l) + 1
	}
	return n
}

func (t *Table) writeSummary(b *strings.Builder) {
	b.WriteString(t.QualifiedName())
	b.WriteString(" (")
	if t.Kind != "table" && t.Kind != "" {
		b.WriteString(t.Kind + ", ")
	}
	b.WriteString(approxRows(t.RowEstimate) + " rows")
	if len(t.PrimaryKey) > 0 {
		b.WriteString(", key (" + identList(t.PrimaryKey) + ")")
	}
	b.WriteString(")")
	if t.Comment != "" {
		b.WriteString(" -- " + truncate(t.Comment, summaryTableCommentLen))
	}
	b.WriteByte('\n')
	for _, col := range t.Columns {
		b.WriteString("  " + ident(col.Name) + " " + col.Type)
		if note := col.valueNote(); note != "" {
			b.WriteString(" [" + note + "]")
		}
		if col.Comment != "" {
			b.WriteString(" -- " + truncate(col.Comment, summaryColumnCommentLen))
		}
		b.WriteByte('\n')
	}
}

func identList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = ident(n)
	}
	return strings.Join(quoted, ", ")
}
