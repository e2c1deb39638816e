package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
)

// propagator is W3C Trace Context: traceparent and tracestate.
var propagator = propagation.TraceContext{}

// InjectCarrier returns the W3C trace context of ctx's span as a map to
// store with work done later (for example in a job's arguments), or nil
// when ctx carries no span.
func InjectCarrier(ctx context.Context) map[string]string {
	carrier := propagation.MapCarrier{}
	propagator.Inject(ctx, carrier)
	if len(carrier) == 0 {
		return nil
	}
	return carrier
}

// ExtractCarrier returns ctx with the remote span context stored by
// InjectCarrier, so spans started from it join the original trace. A nil
// or invalid carrier returns ctx unchanged.
func ExtractCarrier(ctx context.Context, carrier map[string]string) context.Context {
	if len(carrier) == 0 {
		return ctx
	}
	return propagator.Extract(ctx, propagation.MapCarrier(carrier))
}
