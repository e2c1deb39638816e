package telemetry

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// recorders captures spans in memory and metrics on demand.
type recorders struct {
	spans  *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	reader *sdkmetric.ManualReader
	mp     *sdkmetric.MeterProvider
}

func newRecorders(t *testing.T) recorders {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	r := recorders{
		spans:  spans,
		tp:     sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		reader: reader,
		mp:     sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
	}
	t.Cleanup(func() {
		_ = r.tp.Shutdown(context.Background())
		_ = r.mp.Shutdown(context.Background())
	})
	return r
}

// onlySpan returns the single ended span, failing otherwise.
func (r recorders) onlySpan(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	ended := r.spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("ended spans = %d, want 1", len(ended))
	}
	return ended[0]
}

// metric collects and returns the named metric, failing if absent.
func (r recorders) metric(t *testing.T, name string) metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collect metrics: %v", err)
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("metric %q not recorded", name)
	return metricdata.Metrics{}
}

func attrs(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// wantAttr fails unless kvs holds key with the value want.
func wantAttr(t *testing.T, kvs []attribute.KeyValue, key attribute.Key, want any) {
	t.Helper()
	v, ok := attrs(kvs)[key]
	if !ok {
		t.Errorf("attribute %s missing", key)
		return
	}
	var got any
	switch v.Type() {
	case attribute.STRINGSLICE:
		got = v.Emit()
		if w, ok := want.([]string); ok {
			want = attribute.StringSliceValue(w).Emit()
		}
	default:
		got = v.AsInterface()
	}
	if got != want {
		t.Errorf("attribute %s = %v (%T), want %v (%T)", key, got, got, want, want)
	}
}

// noSecret fails if any attribute holds the test API key.
func noSecret(t *testing.T, sets ...[]attribute.KeyValue) {
	t.Helper()
	for _, kvs := range sets {
		for _, kv := range kvs {
			if strings.Contains(kv.Value.Emit(), "abcdefghijklmnop") {
				t.Errorf("attribute %s leaks the API key: %q", kv.Key, kv.Value.Emit())
			}
		}
	}
}

// newTestMetrics returns recorders and the bot's metrics recorded into them.
func newTestMetrics(t *testing.T) (recorders, *Metrics) {
	t.Helper()
	r := newRecorders(t)
	m, err := NewMetrics(r.mp)
	if err != nil {
		t.Fatal(err)
	}
	return r, m
}
