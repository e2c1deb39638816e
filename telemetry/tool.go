package telemetry

import (
	"context"
	"encoding/json"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/analytics-bot/analytics-bot/tools"
)

// Tool span attributes outside the conventions.
const (
	// RowCountKey is the number of rows a tool call produced or exported.
	RowCountKey = attribute.Key("analytics_bot.tool.row_count")
	// TruncatedKey is true when a tool's rows were cut at a cap.
	TruncatedKey = attribute.Key("analytics_bot.tool.truncated")
	// SummaryKey is the tool's own one-line summary of the call.
	SummaryKey = attribute.Key("analytics_bot.tool.summary")
)

// Outcomes of a tool call, the values of OutcomeKey on the tool metrics.
const (
	// ToolOK is a call that succeeded.
	ToolOK = "ok"
	// ToolError is a problem the model can fix (Output.IsError).
	ToolError = "error"
	// ToolFailure is a call that returned a Go error.
	ToolFailure = "failure"
)

// maxSQL caps the statement recorded as db.query.text.
const maxSQL = 8192

// TraceTool wraps t so each call is an "execute_tool <name>" span. A
// statement in the arguments' "sql" field is recorded as db.query.text;
// the row count, truncation and the tool's summary are recorded from the
// output, never its rows or text. Tool calls are counted by tool and
// outcome, and failed SQL separately. Nil providers mean no tracing or no
// metrics.
func TraceTool(t tools.Tool, tp trace.TracerProvider, mp metric.MeterProvider) tools.Tool {
	tp, mp = orNoop(tp, mp)
	meter := mp.Meter(scope)
	return &tracedTool{
		Tool:   t,
		name:   t.Name(),
		tracer: tp.Tracer(scope),
		calls:  int64Counter(meter, "analytics_bot.tool.calls", "{call}", "Tool calls by tool and outcome."),
		sqlErrors: int64Counter(meter, "analytics_bot.sql.errors", "{error}",
			"Model-written SQL statements that failed."),
		duration: float64Histogram(meter, "analytics_bot.tool.duration", "s", "Duration of tool calls.", durationBuckets),
	}
}

// tracedTool is the decorator behind TraceTool; Name, Description and
// Parameters pass through.
type tracedTool struct {
	tools.Tool
	name      string
	tracer    trace.Tracer
	calls     metric.Int64Counter
	sqlErrors metric.Int64Counter
	duration  metric.Float64Histogram
}

func (t *tracedTool) Call(ctx context.Context, args json.RawMessage) (tools.Output, error) {
	attrs := []attribute.KeyValue{
		semconv.GenAIOperationNameExecuteTool,
		semconv.GenAIToolName(t.name),
		semconv.GenAIToolTypeKey.String("function"),
	}
	sql := sqlOf(args)
	if sql != "" {
		attrs = append(attrs, semconv.DBSystemNamePostgreSQL, semconv.DBQueryText(truncate(sql, maxSQL)))
	}
	ctx, span := t.tracer.Start(ctx, "execute_tool "+t.name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	defer span.End()

	start := time.Now()
	out, err := t.Tool.Call(ctx, args)
	elapsed := time.Since(start).Seconds()

	outcome := ToolOK
	switch {
	case err != nil:
		outcome = ToolFailure
		recordError(span, err)
		span.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
	case out.IsError:
		outcome = ToolError
		span.SetStatus(codes.Error, redact(out.Text))
		span.SetAttributes(semconv.ErrorTypeKey.String("tool_error"))
	}
	if err == nil {
		span.SetAttributes(RowCountKey.Int(out.RowCount), TruncatedKey.Bool(out.Truncated))
		if out.Summary != "" {
			span.SetAttributes(SummaryKey.String(redact(out.Summary)))
		}
		if out.Result != nil && sql != "" {
			span.SetAttributes(semconv.DBResponseReturnedRows(out.RowCount))
		}
	}

	toolAttr := semconv.GenAIToolName(t.name)
	t.calls.Add(ctx, 1, metric.WithAttributes(toolAttr, OutcomeKey.String(outcome)))
	t.duration.Record(ctx, elapsed, metric.WithAttributes(toolAttr, OutcomeKey.String(outcome)))
	if sql != "" && outcome != ToolOK {
		t.sqlErrors.Add(ctx, 1, metric.WithAttributes(toolAttr))
	}
	return out, err
}

// sqlOf returns the "sql" argument, or "" if there is none.
func sqlOf(args json.RawMessage) string {
	var a struct {
		SQL string `json:"sql"`
	}
	if len(args) == 0 || json.Unmarshal(args, &a) != nil {
		return ""
	}
	return a.SQL
}
