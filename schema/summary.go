package schema

import (
	"strings"
)

// Caps for the summary's comments, in characters: enough for a sentence
// or two, so that the system prompt stays small.
const (
	summaryTableCommentLen  = 200
	summaryColumnCommentLen = 160
)

// Summary renders the catalog compactly for the system prompt: one block
// per table with its row estimate, key and comment, then one line per
// column, "name type [values or range] -- comment".
func (c *Catalog) Summary() string {
	if len(c.Tables) == 0 {
		return "(no readable tables)\n"
	}
	var b strings.Builder
	for i := range c.Tables {
		if i > 0 {
			b.WriteByte('\n')
		}
		c.Tables[i].writeSummary(&b)
	}
	return b.String()
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
