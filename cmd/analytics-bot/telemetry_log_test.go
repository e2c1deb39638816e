package main

import (
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/fake"
)

func TestDebugRaisesTheLogLevel(t *testing.T) {
	t.Parallel()
	tracer := sdktrace.NewTracerProvider().Tracer("test")
	for _, tc := range []struct {
		debug string
		want  bool
	}{{"false", false}, {"true", true}} {
		t.Run("DEBUG="+tc.debug, func(t *testing.T) {
			t.Parallel()
			var out fake.LogSink
			vars := map[string]string{"DEBUG": tc.debug, "OPENAI_API_KEY": e2eOpenAIKey, "LOGFIRE_TOKEN": e2eLogfireToken}
			e := env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }, stdout: io.Discard, stderr: &out}
			_, log, err := loadConfig(context.Background(), e, config.NeedModel)
			if err != nil {
				t.Fatal(err)
			}
			ctx, span := tracer.Start(context.Background(), "question")
			log.DebugContext(ctx, "a debug line")
			log.InfoContext(ctx, "an info line")
			span.End()

			var debug, info int
			for _, line := range out.Lines() {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line is not JSON: %s", line)
				}
				if strings.Contains(line, e2eOpenAIKey) || strings.Contains(line, e2eLogfireToken) {
					t.Errorf("log line carries a secret: %s", line)
				}
				switch rec["level"] {
				case "DEBUG":
					debug++
				case "INFO":
					info++
					sc := span.SpanContext()
					if rec["trace_id"] != sc.TraceID().String() || rec["span_id"] != sc.SpanID().String() {
						t.Errorf("trace_id, span_id = %v, %v; want the span's %s, %s", rec["trace_id"], rec["span_id"], sc.TraceID(), sc.SpanID())
					}
				}
			}
			// With DEBUG: the configuration (secrets masked) and our line.
			if wantDebug := map[bool]int{false: 0, true: 2}[tc.want]; debug != wantDebug {
				t.Errorf("DEBUG=%s: %d debug lines, want %d", tc.debug, debug, wantDebug)
			}
			if info != 1 {
				t.Errorf("%d info lines, want 1", info)
			}
		})
	}
}
