package readonly

import (
	"strings"
	"time"
)

// Column is one column of a result: its name and PostgreSQL type name
// (for example "int4", "numeric", "text", "date", "timestamptz").
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Result is the structured outcome of one read-only statement, for the
// Slack answer, the chart and the terminal.
type Result struct {
	// SQL is the statement as run.
	SQL string `json:"sql"`
	// Columns describes the columns in order.
	Columns []Column `json:"columns"`
	// Rows holds at most the row cap. Values are normalised to int64,
	// float64, string, bool, time.Time or nil, for charts and
	// comparisons; float64 may round a numeric's digits.
	Rows [][]any `json:"rows"`
	// Texts holds each cell of Rows exactly as PostgreSQL prints it
	// (psql's text output; booleans as true and false), "" for NULL. It
	// is what people and the model are shown.
	Texts [][]string `json:"texts"`
	// Truncated is true when the statement had more rows than the cap.
	Truncated bool `json:"truncated"`
	// Duration is the time the statement took, including fetching.
	Duration time.Duration `json:"duration"`
}

// Text returns cell (i, j) as PostgreSQL prints it, and whether it is
// SQL NULL. A result built without Texts falls back to the value.
func (r *Result) Text(i, j int) (text string, null bool) {
	if i >= len(r.Rows) || j >= len(r.Rows[i]) || r.Rows[i][j] == nil {
		return "", true
	}
	if i < len(r.Texts) && j < len(r.Texts[i]) {
		return r.Texts[i][j], false
	}
	return FormatValue(r.Rows[i][j]), false
}

// Display returns cell (i, j) for a reader who must tell SQL NULL from
// text: NULL is shown bare as NULL, and a text that would read the same
// (NULL in any case, or a text starting with a quote) is shown as an SQL
// string literal.
func (r *Result) Display(i, j int) string {
	text, null := r.Text(i, j)
	switch {
	case null:
		return "NULL"
	case strings.EqualFold(text, "null") || strings.HasPrefix(text, "'"):
		return "'" + strings.ReplaceAll(text, "'", "''") + "'"
	}
	return text
}

// RowCount is the number of rows kept.
func (r *Result) RowCount() int { return len(r.Rows) }
