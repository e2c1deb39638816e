package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// SchemaRefreshInterval is the least time between two introspections
// caused by unknown-table or unknown-column errors.
const SchemaRefreshInterval = 30 * time.Second

// RunReadonlySQL runs one read-only SQL statement for the model.
type RunReadonlySQL struct {
	db        Querier
	catalog   Catalog
	onSuccess func(sql string)
}

// Name implements Tool.
func (*RunReadonlySQL) Name() string { return "run_readonly_sql" }

// Description implements Tool.
func (*RunReadonlySQL) Description() string {
	return "Run ONE read-only PostgreSQL SELECT statement and get its rows (capped), row count and whether the result was cut. " +
		"Errors come back as text: fix the SQL and try again. Prefer one aggregate query over many small ones."
}

// Parameters implements Tool.
func (*RunReadonlySQL) Parameters() map[string]any {
	return map[string]any{
		"type": "object",
		"properties": map[string]any{
			"sql": map[string]any{
				"type":        "string",
				"description": "One PostgreSQL SELECT (or WITH … SELECT) statement.",
			},
			"chart": map[string]any{
				"type":        "string",
				"enum":        []string{"auto", "line", "bar", "none"},
				"description": "Optional chart for the answer: auto (default) picks from the result's shape; none for no chart.",
			},
		},
		"required":             []string{"sql"},
		"additionalProperties": false,
	}
}

type sqlArgs struct {
	SQL   string `json:"sql"`
	Chart string `json:"chart"`
}

// Call implements Tool.
func (r *RunReadonlySQL) Call(ctx context.Context, raw json.RawMessage) (Output, error) {
	var args sqlArgs
	if bad := decodeArgs(raw, &args); bad != nil {
		return *bad, nil
	}
	if strings.TrimSpace(args.SQL) == "" {
		return Failure(`the "sql" argument is required`), nil
	}
	res, err := r.db.Query(ctx, args.SQL)
	var sqlErr *readonly.SQLError
	if errors.As(err, &sqlErr) {
		return Failure(r.explain(ctx, sqlErr)), nil
	}
	if err != nil {
		return Output{}, fmt.Errorf("run read-only SQL: %w", err)
	}
	if r.onSuccess != nil {
		r.onSuccess(res.SQL)
	}
	summary := fmt.Sprintf("%d row(s) in %s", len(res.Rows), res.Duration.Round(1e5))
	if res.Truncated {
		summary += ", cut at the row cap"
	}
	return Output{
		Text: res.ForModel(), Summary: summary, Result: res,
		RowCount: len(res.Rows), Truncated: res.Truncated, Chart: args.Chart,
	}, nil
}

// explain adds what the model needs to repair an error: for an unknown
// column, the closest existing names.
func (r *RunReadonlySQL) explain(ctx context.Context, e *readonly.SQLError) string {
	text := e.Error()
	if r.catalog == nil {
		return text
	}
	if e.Code == "42P01" || e.Code == "42703" {
		// The schema may have changed since it was read (a table added or
		// renamed): read it again so describe_schema and the next
		// question see it, at most once per SchemaRefreshInterval however
		// often the model names something unknown.
		if refresher, ok := r.catalog.(interface {
			RefreshAfterMiss(context.Context, time.Duration) (bool, error)
		}); ok {
			_, _ = refresher.RefreshAfterMiss(ctx, SchemaRefreshInterval)
		}
	}
	if e.UnknownColumn == "" {
		return text
	}
	cat, err := r.catalog.Get(ctx)
	if err != nil {
		return text
	}
	if close := cat.Suggest(e.UnknownColumn, 3); len(close) > 0 {
		text += "\nDid you mean: " + strings.Join(close, ", ") + "?"
	}
	return text
}
