package telemetry

import (
	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/trace"
)

// PGXTracer returns a pgx tracer (set it as pgxpool.Config.ConnConfig.Tracer)
// that makes a client span per statement, prepare, batch, COPY FROM and
// connect, with the statement as db.query.text. Query parameters are not
// recorded: they may hold user data. Spans are only made under a recording
// parent (otelpgx checks), so River's background polling and other
// statements outside a request or job make none. Pool-acquire spans are
// left out (one per statement, mostly noise), and otelpgx's own metrics go
// to a no-op meter rather than to the global provider.
func PGXTracer(tp trace.TracerProvider) pgx.QueryTracer {
	tp, _ = orNoop(tp, nil)
	return otelpgx.NewTracer(
		otelpgx.WithTracerProvider(tp),
		otelpgx.WithMeterProvider(noop.NewMeterProvider()),
		otelpgx.WithDisableAcquireTracer(),
	)
}
