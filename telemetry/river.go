package telemetry

import (
	"context"
	"encoding/json"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/riverqueue/rivercontrib/otelriver"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// RiverPlugins returns the plugins to put first in river.Config.Plugins:
// otelriver's middleware (a producer span per insert, a consumer span
// "river.work/<kind>" per attempt, River's metrics), with trace
// propagation on so each job's metadata carries the inserting span's
// traceparent, preceded by a middleware that makes that span the parent of
// the work span. otelriver alone only links the work span to it, which
// starts a new trace per job; with both, a question's request, job
// attempts, model calls and SQL form one trace.
func RiverPlugins(tp trace.TracerProvider, mp metric.MeterProvider) []rivertype.Plugin {
	tp, mp = orNoop(tp, mp) // otelriver would otherwise fall back to the globals
	return []rivertype.Plugin{
		&joinTrace{},
		otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			EnableTracePropagation:      true,
			EnableWorkSpanJobKindSuffix: true,
			EnableSemanticMetrics:       true,
			MeterProvider:               mp,
			TracerProvider:              tp,
		}),
	}
}

// joinTrace is a worker middleware that continues the trace recorded in a
// job's metadata (by otelriver on insert) when the job is worked.
type joinTrace struct {
	river.MiddlewareDefaults
}

// Work runs the job under the remote span context from its metadata, if
// any and if ctx carries no span of its own.
func (j *joinTrace) Work(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
	if trace.SpanContextFromContext(ctx).IsValid() || len(job.Metadata) == 0 {
		return doInner(ctx)
	}
	var meta map[string]any
	if json.Unmarshal(job.Metadata, &meta) != nil {
		return doInner(ctx)
	}
	carrier := propagation.MapCarrier{}
	for _, key := range propagator.Fields() {
		if v, ok := meta[key].(string); ok {
			carrier[key] = v
		}
	}
	return doInner(propagator.Extract(ctx, carrier))
}
