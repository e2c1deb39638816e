package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func TestLogHandlerAddsTraceIDs(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(&buf, slog.LevelInfo)).With("component", "test")

	ctx, span := r.tp.Tracer("test").Start(context.Background(), "request")
	log.InfoContext(ctx, "answered", "rows", 3)
	span.End()

	var rec map[string]any
	if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, buf.String())
	}
	sc := span.SpanContext()
	if rec["trace_id"] != sc.TraceID().String() || rec["span_id"] != sc.SpanID().String() {
		t.Errorf("trace_id, span_id = %v, %v; want %s, %s", rec["trace_id"], rec["span_id"], sc.TraceID(), sc.SpanID())
	}
	if rec["msg"] != "answered" || rec["component"] != "test" || rec["rows"] != 3.0 {
		t.Errorf("record lost its fields: %v", rec)
	}
}

func TestLogHandlerWithoutSpan(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(&buf, slog.LevelInfo))

	log.InfoContext(context.Background(), "no span")
	log.Info("no context")
	log.Debug("below level")

	lines := bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2 (debug filtered): %s", len(lines), buf.String())
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatal(err)
		}
		if _, ok := rec["trace_id"]; ok {
			t.Errorf("trace_id added without a span: %s", line)
		}
	}
}
