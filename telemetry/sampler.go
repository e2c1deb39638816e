package telemetry

import (
	"fmt"
	"strconv"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// sampler reads the standard OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG variables; the default records every trace. A
// ratio such as parentbased_traceidratio with 0.1 cuts tracing's cost on
// a busy bot while keeping whole traces.
func sampler(lookup func(string) (string, bool)) (sdktrace.Sampler, error) {
	name, _ := lookupOr(lookup, "OTEL_TRACES_SAMPLER")
	arg, hasArg := lookupOr(lookup, "OTEL_TRACES_SAMPLER_ARG")
	ratio := 1.0
	if hasArg {
		r, err := strconv.ParseFloat(arg, 64)
		if err != nil || r < 0 || r > 1 {
			return nil, fmt.Errorf("OTEL_TRACES_SAMPLER_ARG %q: want a ratio between 0 and 1", arg)
		}
		ratio = r
	}
	switch strings.ToLower(name) {
	case "", "parentbased_always_on":
		return sdktrace.ParentBased(sdktrace.AlwaysSample()), nil
	case "always_on":
		return sdktrace.AlwaysSample(), nil
	case "always_off":
		return sdktrace.NeverSample(), nil
	case "parentbased_always_off":
		return sdktrace.ParentBased(sdktrace.NeverSample()), nil
	case "traceidratio":
		return sdktrace.TraceIDRatioBased(ratio), nil
	case "parentbased_traceidratio":
		return sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio)), nil
	}
	return nil, fmt.Errorf("OTEL_TRACES_SAMPLER %q is not supported", name)
}

func lookupOr(lookup func(string) (string, bool), name string) (string, bool) {
	if lookup == nil {
		return "", false
	}
	v, ok := lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}
