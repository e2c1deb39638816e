package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
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

func TestLogHandlerRedactsCredentials(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(NewLogHandler(&buf, slog.LevelInfo))
	const key = "sk-proj-abcdefghijklmnopqrstuvwxyz"

	log.Error("model call failed: Incorrect API key provided: "+key,
		"err", errors.New("401: "+key),
		"token", "xoxb-1234-5678-abcdef",
		"header", "Bearer abcdefghijklmnopqrstuvwxyz012345",
		"plain", "the bearer of news")

	out := buf.String()
	for _, secret := range []string{"abcdefghijklmnop", "xoxb-1234", "abcdefghijklmnopqrstuvwxyz012345"} {
		if strings.Contains(out, secret) {
			t.Errorf("log line leaks %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "the bearer of news") || !strings.Contains(out, "Incorrect API key provided: [REDACTED]") {
		t.Errorf("redaction took too much or too little: %s", out)
	}
}
