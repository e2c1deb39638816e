package telemetry

import (
	"context"
	"io"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel/trace"
)

// NewLogHandler returns a JSON slog handler that adds trace_id and span_id
// to every record logged with a context carrying a valid span, so a log
// line leads to its trace. Only the ...Context logging calls pass the
// context; attributes added under a WithGroup group land in that group.
// Strings and errors shaped like credentials (OpenAI, Logfire and Slack
// tokens) are replaced with [REDACTED], since client errors may echo them.
func NewLogHandler(w io.Writer, level slog.Leveler) slog.Handler {
	return traceHandler{next: slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: scrubAttr})}
}

// scrubAttr redacts credentials from string and error values, and writes
// durations as milliseconds under a key ending in _ms (slog's JSON would
// write nanoseconds with no unit).
func scrubAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindDuration:
		ms := float64(a.Value.Duration().Microseconds()) / 1000
		key := a.Key
		if !strings.HasSuffix(key, "_ms") {
			key += "_ms"
		}
		return slog.Float64(key, ms)
	case slog.KindString:
		if s := a.Value.String(); scrub(s) != s {
			return slog.String(a.Key, scrub(s))
		}
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			if s := err.Error(); scrub(s) != s {
				return slog.String(a.Key, scrub(s))
			}
		}
	}
	return a
}

// traceHandler decorates another handler with the span ids from the
// record's context.
type traceHandler struct {
	next slog.Handler
}

func (h traceHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h traceHandler) Handle(ctx context.Context, r slog.Record) error {
	if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
		// Clone: the record may be shared with other handlers.
		r = r.Clone()
		r.AddAttrs(
			slog.String("trace_id", sc.TraceID().String()),
			slog.String("span_id", sc.SpanID().String()),
		)
	}
	return h.next.Handle(ctx, r)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{next: h.next.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{next: h.next.WithGroup(name)}
}
