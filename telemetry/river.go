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
// "river.work/<kind>" per attempt, River's metrics) between two of ours.
// On insert, recordTrace stores in each job's metadata the traceparent the
// job is to continue: the one its enqueuer put there (TraceMetadata), else
// that of the insert span. On work, joinTrace makes that span the parent
// of the work span. otelriver's own propagation is off: it would stamp
// every job of a batched insert with the trace of the one request whose
// context runs the insert, and only links the work span, which starts a
// new trace per job. With ours, a question's request, job attempts, model
// calls and SQL form one trace.
func RiverPlugins(tp trace.TracerProvider, mp metric.MeterProvider) []rivertype.Plugin {
	tp, mp = orNoop(tp, mp) // otelriver would otherwise fall back to the globals
	return []rivertype.Plugin{
		&joinTrace{},
		otelriver.NewMiddleware(&otelriver.MiddlewareConfig{
			EnableWorkSpanJobKindSuffix: true,
			EnableSemanticMetrics:       true,
			MeterProvider:               mp,
			TracerProvider:              tp,
		}),
		&recordTrace{},
	}
}

// TraceMetadata returns job metadata carrying the W3C trace context of
// ctx's span ({"traceparent": …}), for river.InsertOpts.Metadata when one
// insert carries jobs for several requests (a batch): each job then joins
// its own request's trace, not that of the request whose context runs the
// insert. It returns nil when ctx carries no span.
func TraceMetadata(ctx context.Context) []byte {
	carrier := InjectCarrier(ctx)
	if carrier == nil {
		return nil
	}
	meta, err := json.Marshal(carrier)
	if err != nil {
		return nil
	}
	return meta
}

// recordTrace is an insert middleware that runs inside otelriver's insert
// span and gives every job without a traceparent in its metadata the
// insert span's.
type recordTrace struct {
	river.MiddlewareDefaults
}

// InsertMany adds the insert span's trace context to the jobs' metadata.
func (r *recordTrace) InsertMany(ctx context.Context, manyParams []*rivertype.JobInsertParams, doInner func(context.Context) ([]*rivertype.JobInsertResult, error)) ([]*rivertype.JobInsertResult, error) {
	if carrier := InjectCarrier(ctx); carrier != nil {
		for _, p := range manyParams {
			p.Metadata = withTrace(p.Metadata, carrier)
		}
	}
	return doInner(ctx)
}

// withTrace returns metadata with carrier's keys added, unless it already
// names a traceparent or is not a JSON object.
func withTrace(metadata []byte, carrier map[string]string) []byte {
	var meta map[string]any
	if len(metadata) > 0 && json.Unmarshal(metadata, &meta) != nil {
		return metadata
	}
	if _, ok := meta["traceparent"]; ok {
		return metadata
	}
	if meta == nil {
		meta = make(map[string]any, len(carrier))
	}
	for k, v := range carrier {
		meta[k] = v
	}
	out, err := json.Marshal(meta)
	if err != nil {
		return metadata
	}
	return out
}

// joinTrace is a worker middleware that continues the trace recorded in a
// job's metadata (by recordTrace on insert) when the job is worked.
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
