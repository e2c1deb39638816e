package readonly

import "time"

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
	// float64, string, bool, time.Time or nil.
	Rows [][]any `json:"rows"`
	// Truncated is true when the statement had more rows than the cap.
	Truncated bool `json:"truncated"`
	// Duration is the time the statement took, including fetching.
	Duration time.Duration `json:"duration"`
}

// RowCount is the number of rows kept.
func (r *Result) RowCount() int { return len(r.Rows) }
