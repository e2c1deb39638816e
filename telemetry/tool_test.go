package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/tools"
)

// fakeTool returns out and err from every call.
type fakeTool struct {
	name string
	out  tools.Output
	err  error
}

func (f fakeTool) Name() string               { return f.name }
func (f fakeTool) Description() string        { return "a fake " + f.name }
func (f fakeTool) Parameters() map[string]any { return map[string]any{"type": "object"} }
func (f fakeTool) Call(context.Context, json.RawMessage) (tools.Output, error) {
	return f.out, f.err
}

const secretRow = "alice@example.com"

func sqlOutput() tools.Output {
	return tools.Output{
		Text:     "| email |\n| " + secretRow + " |",
		Summary:  "1 row",
		RowCount: 1,
		Result: &readonly.Result{
			SQL:     "SELECT email FROM users LIMIT 1",
			Columns: []readonly.Column{{Name: "email", Type: "text"}},
			Rows:    [][]any{{secretRow}},
		},
		Truncated: true,
	}
}

func TestTraceToolRecordsSQLSpan(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	tool := TraceTool(fakeTool{name: "run_readonly_sql", out: sqlOutput()}, r.tp, r.mp)
	if tool.Name() != "run_readonly_sql" || tool.Description() == "" || tool.Parameters() == nil {
		t.Fatalf("wrapper does not pass Name, Description and Parameters through")
	}

	out, err := tool.Call(context.Background(), json.RawMessage(`{"sql":"SELECT email FROM users LIMIT 1"}`))
	if err != nil || out.RowCount != 1 {
		t.Fatalf("Call = %+v, %v", out, err)
	}

	span := r.onlySpan(t)
	if span.Name() != "execute_tool run_readonly_sql" {
		t.Errorf("span name = %q", span.Name())
	}
	kv := span.Attributes()
	wantAttr(t, kv, semconv.GenAIOperationNameKey, "execute_tool")
	wantAttr(t, kv, semconv.GenAIToolNameKey, "run_readonly_sql")
	wantAttr(t, kv, semconv.DBQueryTextKey, "SELECT email FROM users LIMIT 1")
	wantAttr(t, kv, RowCountKey, int64(1))
	wantAttr(t, kv, TruncatedKey, true)
	wantAttr(t, kv, SummaryKey, "1 row")
	if span.Status().Code == codes.Error {
		t.Errorf("status = %v, want not Error", span.Status())
	}
	for _, a := range kv {
		if strings.Contains(a.Value.Emit(), secretRow) {
			t.Errorf("attribute %s carries result data: %q", a.Key, a.Value.Emit())
		}
	}

	calls := r.metric(t, "analytics_bot.tool.calls").Data.(metricdata.Sum[int64])
	if len(calls.DataPoints) != 1 || calls.DataPoints[0].Value != 1 {
		t.Fatalf("tool calls = %+v, want one point of 1", calls.DataPoints)
	}
	if v, _ := calls.DataPoints[0].Attributes.Value(OutcomeKey); v.AsString() != ToolOK {
		t.Errorf("outcome = %q, want ok", v.AsString())
	}
}

func TestTraceToolModelFixableError(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	out := tools.Output{Text: `ERROR: column "signup" does not exist`, IsError: true}
	tool := TraceTool(fakeTool{name: "run_readonly_sql", out: out}, r.tp, r.mp)

	if _, err := tool.Call(context.Background(), json.RawMessage(`{"sql":"SELECT signup FROM users"}`)); err != nil {
		t.Fatalf("Call: %v", err)
	}

	span := r.onlySpan(t)
	if span.Status().Code != codes.Error || span.Status().Description != out.Text {
		t.Errorf("status = %+v, want Error with the tool's message", span.Status())
	}
	wantAttr(t, span.Attributes(), semconv.ErrorTypeKey, "tool_error")

	sqlErrors := r.metric(t, "analytics_bot.sql.errors").Data.(metricdata.Sum[int64])
	if len(sqlErrors.DataPoints) != 1 || sqlErrors.DataPoints[0].Value != 1 {
		t.Errorf("sql errors = %+v, want 1", sqlErrors.DataPoints)
	}
}

func TestTraceToolGoError(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	boom := errors.New("pool closed")
	tool := TraceTool(fakeTool{name: "describe_schema", err: boom}, r.tp, r.mp)

	if _, err := tool.Call(context.Background(), json.RawMessage(`{}`)); !errors.Is(err, boom) {
		t.Fatalf("error = %v, want the tool's error unchanged", err)
	}

	span := r.onlySpan(t)
	if span.Status().Code != codes.Error || span.Status().Description != "pool closed" {
		t.Errorf("status = %+v, want Error: pool closed", span.Status())
	}
	exceptionEvent(t, span)
	if _, ok := attrs(span.Attributes())[semconv.DBQueryTextKey]; ok {
		t.Errorf("db.query.text set for a tool without SQL")
	}
	calls := r.metric(t, "analytics_bot.tool.calls").Data.(metricdata.Sum[int64])
	if v, _ := calls.DataPoints[0].Attributes.Value(OutcomeKey); v.AsString() != ToolFailure {
		t.Errorf("outcome = %q, want failure", v.AsString())
	}
}

func TestSQLOf(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		`{"sql":"SELECT 1"}`: "SELECT 1",
		`{"limit":5}`:        "",
		`not json`:           "",
		``:                   "",
	} {
		if got := sqlOf(json.RawMessage(args)); got != want {
			t.Errorf("sqlOf(%q) = %q, want %q", args, got, want)
		}
	}
}
