// Package tools holds the four tools the model may call: describe_schema,
// run_readonly_sql, fetch_history and export_csv. Each declares its JSON
// schema next to its code and depends only on a small interface.
package tools

import (
	"context"
	"encoding/json"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Tool is one capability offered to the model.
type Tool interface {
	// Name is the tool's name as the model sees it.
	Name() string
	// Description tells the model when to use the tool.
	Description() string
	// Parameters is the JSON schema of the tool's arguments.
	Parameters() map[string]any
	// Call runs the tool. Problems the model can act on (bad SQL, an
	// unknown column, a timeout) are returned in Output with IsError set,
	// not as a Go error; a Go error means the tool itself failed.
	Call(ctx context.Context, args json.RawMessage) (Output, error)
}

// Output is what a tool call produced.
type Output struct {
	// Text is given back to the model as the tool's result.
	Text string
	// IsError marks a result that reports a problem the model can fix.
	IsError bool
	// Summary is a short line for logs, traces and the terminal.
	Summary string
	// Result is the structured result of run_readonly_sql, else nil.
	Result *readonly.Result
	// RowCount is the number of rows the call produced or exported.
	RowCount int
	// Truncated is true when the rows were cut at a cap.
	Truncated bool
	// Chart is the chart the model asked for with run_readonly_sql
	// ("", "auto", "line", "bar" or "none").
	Chart string
}
