package telemetry

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"

	"github.com/analytics-bot/analytics-bot/pgtest"
)

func TestPGXTracerRecordsStatementsInsideSpans(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	r := newRecorders(t)
	cfg, err := pgxpool.ParseConfig(db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Tracer = PGXTracer(r.tp)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)

	// Outside any span: no spans at all (this is River's polling).
	var n int
	if err := pool.QueryRow(context.Background(), "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if got := len(r.spans.Ended()); got != 0 {
		t.Fatalf("%d spans for a statement outside any span, want 0", got)
	}

	const stmt = "SELECT $1::int + 1"
	ctx, parent := r.tp.Tracer("test").Start(context.Background(), "job")
	if err := pool.QueryRow(ctx, stmt, 424242).Scan(&n); err != nil {
		t.Fatal(err)
	}
	parent.End()

	// The query span is the job's child; pgx's prepare of the same
	// statement is a child of the query span.
	var direct bool
	for _, s := range r.spans.Ended() {
		kv := attrs(s.Attributes())
		if kv[semconv.DBQueryTextKey].AsString() != stmt {
			continue
		}
		if s.Parent().SpanID() == parent.SpanContext().SpanID() {
			direct = true
		}
		if s.SpanContext().TraceID() != parent.SpanContext().TraceID() {
			t.Errorf("span %q is in another trace", s.Name())
		}
		for k, v := range kv {
			if strings.Contains(v.Emit(), "424242") || strings.Contains(string(k), "parameters") {
				t.Errorf("query parameters recorded: %s=%s", k, v.Emit())
			}
		}
	}
	if !direct {
		t.Errorf("no child of the job span with db.query.text %q among %d spans", stmt, len(r.spans.Ended()))
	}
}
