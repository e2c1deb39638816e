package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// Export tuning. The span queue is bounded so a dead collector costs at
// most this many spans of memory; spans beyond it are dropped.
const (
	spanQueueSize       = 2048
	spanBatchSize       = 512
	spanBatchDelay      = 5 * time.Second
	exportTimeout       = 10 * time.Second
	metricInterval      = 60 * time.Second
	defaultServiceName  = "analytics-bot"
	deploymentEnvKeyOld = attribute.Key("deployment.environment")
)

// Config says what the service is and where its telemetry goes.
type Config struct {
	// ServiceName is service.name; "analytics-bot" if empty.
	ServiceName string
	// Environment is deployment.environment.name, e.g. "production".
	Environment string
	// Version is service.version.
	Version string
	// LogfireToken is a Logfire write token. With it, telemetry goes to
	// Logfire's endpoint for the token's region unless an OTEL_EXPORTER_OTLP_*
	// endpoint says otherwise, and the token is sent as Authorization.
	LogfireToken string
	// Lookup reads the standard OTEL_* variables (os.LookupEnv in
	// production; a map in tests, which must not touch the process
	// environment). Nil means no variables are set.
	Lookup func(string) (string, bool)
}

// Telemetry owns the tracer and meter providers; Shutdown flushes them.
type Telemetry struct {
	tp      trace.TracerProvider
	mp      metric.MeterProvider
	enabled bool
	// shutdowns run in order on Shutdown; empty when nothing is exported.
	shutdowns []func(context.Context) error
	once      sync.Once
	err       error
}

// Setup builds the providers. With neither a Logfire token nor an OTLP
// endpoint it exports nothing and opens no connection: spans still get ids
// (so logs can carry them) but are never recorded, and meters are no-ops.
func Setup(ctx context.Context, cfg Config) (*Telemetry, error) {
	tgt, err := resolveTarget(cfg)
	if err != nil {
		return nil, fmt.Errorf("telemetry setup: %w", err)
	}
	t := &Telemetry{
		tp:      sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample())),
		mp:      metricnoop.NewMeterProvider(),
		enabled: tgt.enabled(),
	}
	if !t.enabled {
		return t, nil
	}

	interval, err := exportInterval(cfg.Lookup)
	if err != nil {
		return nil, fmt.Errorf("telemetry setup: %w", err)
	}
	res, err := newResource(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("telemetry setup: %w", err)
	}
	if tgt.tracesURL != "" {
		smp, err := sampler(cfg.Lookup)
		if err != nil {
			return nil, fmt.Errorf("telemetry setup: %w", err)
		}
		tp, err := newTracerProvider(ctx, tgt, res, smp)
		if err != nil {
			return nil, fmt.Errorf("telemetry setup: %w", err)
		}
		t.tp = tp
		t.shutdowns = append(t.shutdowns, tp.Shutdown)
	}
	if tgt.metricsURL != "" {
		mp, err := newMeterProvider(ctx, tgt, res, interval)
		if err != nil {
			_ = t.Shutdown(ctx)
			return nil, fmt.Errorf("telemetry setup: %w", err)
		}
		t.mp = mp
		t.shutdowns = append(t.shutdowns, mp.Shutdown)
	}
	return t, nil
}

// newTracerProvider batches spans to the OTLP/HTTP endpoint of tgt.
func newTracerProvider(ctx context.Context, tgt target, res *resource.Resource, smp sdktrace.Sampler) (*sdktrace.TracerProvider, error) {
	exp, err := otlptracehttp.New(ctx,
		otlptracehttp.WithEndpointURL(tgt.tracesURL),
		otlptracehttp.WithHeaders(tgt.tracesHeaders),
		otlptracehttp.WithCompression(otlptracehttp.GzipCompression),
		otlptracehttp.WithTimeout(exportTimeout),
	)
	if err != nil {
		return nil, fmt.Errorf("trace exporter: %w", err)
	}
	return sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithSampler(smp),
		sdktrace.WithBatcher(exp,
			sdktrace.WithMaxQueueSize(spanQueueSize),
			sdktrace.WithMaxExportBatchSize(spanBatchSize),
			sdktrace.WithBatchTimeout(spanBatchDelay),
			sdktrace.WithExportTimeout(exportTimeout),
		),
	), nil
}

// newMeterProvider exports metrics to tgt every interval.
func newMeterProvider(ctx context.Context, tgt target, res *resource.Resource, interval time.Duration) (*sdkmetric.MeterProvider, error) {
	opts := []otlpmetrichttp.Option{
		otlpmetrichttp.WithEndpointURL(tgt.metricsURL),
		otlpmetrichttp.WithHeaders(tgt.metricsHeaders),
		otlpmetrichttp.WithCompression(otlpmetrichttp.GzipCompression),
		otlpmetrichttp.WithTimeout(exportTimeout),
	}
	if tgt.logfire {
		opts = append(opts, otlpmetrichttp.WithTemporalitySelector(logfireTemporality))
	}
	exp, err := otlpmetrichttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("metric exporter: %w", err)
	}
	return sdkmetric.NewMeterProvider(
		sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp,
			sdkmetric.WithInterval(interval),
			sdkmetric.WithTimeout(exportTimeout),
		)),
	), nil
}

// TracerProvider is what every wrapper in this package starts spans from.
func (t *Telemetry) TracerProvider() trace.TracerProvider { return t.tp }

// MeterProvider is what every wrapper in this package records metrics into.
func (t *Telemetry) MeterProvider() metric.MeterProvider { return t.mp }

// Enabled reports whether anything is exported.
func (t *Telemetry) Enabled() bool { return t.enabled }

// Shutdown flushes pending spans and metrics and stops the exporters. It
// is safe to call more than once; later calls return the first result.
// Pass a context with a deadline: an unreachable collector otherwise
// holds it for the export timeout.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	t.once.Do(func() {
		var errs []error
		for _, shutdown := range t.shutdowns {
			errs = append(errs, shutdown(ctx))
		}
		if err := errors.Join(errs...); err != nil {
			t.err = fmt.Errorf("telemetry shutdown: %w", err)
		}
	})
	return t.err
}

func newResource(ctx context.Context, cfg Config) (*resource.Resource, error) {
	name := cfg.ServiceName
	if name == "" {
		name = defaultServiceName
	}
	attrs := []attribute.KeyValue{semconv.ServiceName(name)}
	if cfg.Version != "" {
		attrs = append(attrs, semconv.ServiceVersion(cfg.Version))
	}
	if cfg.Environment != "" {
		// The older key too: some backends still group by it.
		attrs = append(attrs, semconv.DeploymentEnvironmentName(cfg.Environment), deploymentEnvKeyOld.String(cfg.Environment))
	}
	// Detectors that read the process environment (OTEL_RESOURCE_ATTRIBUTES)
	// are left out on purpose: variables come through cfg.Lookup only.
	res, err := resource.New(ctx,
		resource.WithTelemetrySDK(),
		resource.WithHost(),
		resource.WithAttributes(attrs...),
	)
	if err != nil {
		return nil, fmt.Errorf("resource: %w", err)
	}
	return res, nil
}

// exportInterval reads OTEL_METRIC_EXPORT_INTERVAL (milliseconds).
func exportInterval(lookup func(string) (string, bool)) (time.Duration, error) {
	if lookup == nil {
		return metricInterval, nil
	}
	raw, ok := lookup("OTEL_METRIC_EXPORT_INTERVAL")
	if !ok || raw == "" {
		return metricInterval, nil
	}
	ms, err := strconv.Atoi(raw)
	if err != nil || ms <= 0 {
		return 0, fmt.Errorf("OTEL_METRIC_EXPORT_INTERVAL is %q: want a positive number of milliseconds", raw)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// logfireTemporality is Logfire's preference: deltas for counters and
// histograms, cumulative for up-down counters and gauges.
func logfireTemporality(kind sdkmetric.InstrumentKind) metricdata.Temporality {
	switch kind {
	case sdkmetric.InstrumentKindCounter, sdkmetric.InstrumentKindHistogram, sdkmetric.InstrumentKindObservableCounter:
		return metricdata.DeltaTemporality
	default:
		return metricdata.CumulativeTemporality
	}
}
