package telemetry

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestLogfireEndpoint(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{
		"pylf_v1_us_abc123":     "https://logfire-us.pydantic.dev",
		"pylf_v1_eu_abc123":     "https://logfire-eu.pydantic.dev",
		"pylf_v2_eu_abc123":     "https://logfire-eu.pydantic.dev",
		"pylf_v1_ap_abc123":     "https://logfire-us.pydantic.dev",
		"pylf_vX_eu_abc123":     "https://logfire-us.pydantic.dev",
		"legacy-token-no-shape": "https://logfire-us.pydantic.dev",
		"":                      "https://logfire-us.pydantic.dev",
	} {
		if got := LogfireEndpoint(token); got != want {
			t.Errorf("LogfireEndpoint(%q) = %q, want %q", token, got, want)
		}
	}
}

// lookup serves OTEL_* variables from a map, as tests must not touch the
// process environment.
func lookup(env map[string]string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		v, ok := env[key]
		return v, ok
	}
}

func TestResolveTarget(t *testing.T) {
	t.Parallel()
	const eu = "pylf_v1_eu_secret"
	tests := []struct {
		name        string
		cfg         Config
		traces      string
		metrics     string
		auth        string
		extraHeader string
	}{
		{name: "nothing", cfg: Config{}},
		{
			name:    "logfire by region",
			cfg:     Config{LogfireToken: eu},
			traces:  "https://logfire-eu.pydantic.dev/v1/traces",
			metrics: "https://logfire-eu.pydantic.dev/v1/metrics",
			auth:    eu,
		},
		{
			name: "general endpoint overrides logfire, token still sent",
			cfg: Config{LogfireToken: eu, Lookup: lookup(map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/",
			})},
			traces:  "http://collector:4318/v1/traces",
			metrics: "http://collector:4318/v1/metrics",
			auth:    eu,
		},
		{
			name: "signal endpoint used as is; headers decoded",
			cfg: Config{Lookup: lookup(map[string]string{
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://otlp.example.com/custom/traces",
				"OTEL_EXPORTER_OTLP_HEADERS":         "authorization=Bearer%20abc, x-scope=team%2Fbot",
			})},
			traces:      "https://otlp.example.com/custom/traces",
			auth:        "Bearer abc",
			extraHeader: "team/bot",
		},
		{
			name: "sdk disabled wins",
			cfg: Config{LogfireToken: eu, Lookup: lookup(map[string]string{
				"OTEL_SDK_DISABLED": "true",
			})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := resolveTarget(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got.tracesURL != tt.traces || got.metricsURL != tt.metrics {
				t.Errorf("urls = %q, %q; want %q, %q", got.tracesURL, got.metricsURL, tt.traces, tt.metrics)
			}
			if got.tracesHeaders["Authorization"] != tt.auth {
				t.Errorf("Authorization = %q, want %q", got.tracesHeaders["Authorization"], tt.auth)
			}
			if got.tracesHeaders["X-Scope"] != tt.extraHeader {
				t.Errorf("X-Scope = %q, want %q", got.tracesHeaders["X-Scope"], tt.extraHeader)
			}
		})
	}
}

func TestResolveTargetErrors(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"grpc":       {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
		"not a URL":  {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
		"bad header": {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_HEADERS": "Authorization"},
	} {
		_, err := resolveTarget(Config{Lookup: lookup(env)})
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err := resolveTarget(Config{Lookup: lookup(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
		"OTEL_EXPORTER_OTLP_HEADERS":  "Authorization=secret%zz",
	})})
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("bad header value error = %v, want one that does not quote the value", err)
	}
}

func shutdownCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSetupExportsToOTLPEndpoint(t *testing.T) {
	t.Parallel()
	collector := fake.NewOTLP(t)
	tel, err := Setup(context.Background(), Config{
		ServiceName: "analytics-bot",
		Environment: "test",
		Version:     "1.2.3",
		Lookup:      lookup(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !tel.Enabled() {
		t.Fatal("Enabled() = false with an endpoint")
	}
	_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "question")
	span.End()
	m, err := NewMetrics(tel.MeterProvider())
	if err != nil {
		t.Fatal(err)
	}
	m.RecordQuestion(context.Background(), "answered", time.Second, 0.01)

	if err := tel.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := tel.Shutdown(shutdownCtx(t)); err != nil {
		t.Errorf("second Shutdown: %v", err)
	}

	// The fake stores only what it decoded from a protobuf POST.
	for _, h := range collector.Headers() {
		if ct := h.Get("Content-Type"); ct != "application/x-protobuf" {
			t.Errorf("Content-Type = %q, want application/x-protobuf", ct)
		}
	}
	spans := collector.Spans()
	if len(spans) != 1 || spans[0].Name != "question" {
		t.Fatalf("received spans = %+v, want one named question", spans)
	}
	for key, want := range map[string]any{
		"service.name":                "analytics-bot",
		"service.version":             "1.2.3",
		"deployment.environment.name": "test",
	} {
		if got := spans[0].Resource[key]; got != want {
			t.Errorf("resource %s = %v, want %v", key, got, want)
		}
	}
	if names := collector.MetricNames(); !slices.Contains(names, "analytics_bot.questions") {
		t.Errorf("metrics received = %v, want analytics_bot.questions", names)
	}
}

func TestSetupSendsLogfireTokenAsAuthorization(t *testing.T) {
	t.Parallel()
	collector := fake.NewOTLP(t)
	const token = "pylf_v1_eu_0123456789abcdef"
	tel, err := Setup(context.Background(), Config{
		LogfireToken: token,
		Lookup:       lookup(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL}),
	})
	if err != nil {
		t.Fatal(err)
	}
	_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "question")
	span.End()
	if err := tel.Shutdown(shutdownCtx(t)); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}

	spans := collector.Spans()
	if len(spans) != 1 {
		t.Fatalf("received %d spans, want 1", len(spans))
	}
	if got := spans[0].Resource["service.name"]; got != defaultServiceName {
		t.Errorf("service.name = %v, want the default %q", got, defaultServiceName)
	}
	headers := collector.Headers()
	if len(headers) == 0 {
		t.Fatal("no export requests")
	}
	for _, h := range headers {
		if got := h.Get("Authorization"); got != token {
			t.Errorf("Authorization = %q, want the token", got)
		}
	}
}

func TestSetupWithNothingExportsNothing(t *testing.T) {
	t.Parallel()
	tel, err := Setup(context.Background(), Config{ServiceName: "analytics-bot"})
	if err != nil {
		t.Fatal(err)
	}
	if tel.Enabled() {
		t.Error("Enabled() = true with no token and no endpoint")
	}
	if len(tel.shutdowns) != 0 {
		t.Errorf("%d exporters built, want none", len(tel.shutdowns))
	}
	_, span := tel.TracerProvider().Tracer("test").Start(context.Background(), "question")
	if span.IsRecording() {
		t.Error("span records although nothing is exported")
	}
	if !span.SpanContext().IsValid() {
		t.Error("span has no trace id for the logs")
	}
	span.End()
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

func TestSetupRejectsBadConfig(t *testing.T) {
	t.Parallel()
	_, err := Setup(context.Background(), Config{Lookup: lookup(map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"})})
	if err == nil || !strings.Contains(err.Error(), "OTEL_EXPORTER_OTLP_PROTOCOL") {
		t.Errorf("error = %v, want one naming OTEL_EXPORTER_OTLP_PROTOCOL", err)
	}
	_, err = Setup(context.Background(), Config{Lookup: lookup(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_METRIC_EXPORT_INTERVAL": "soon",
	})})
	if err == nil || !strings.Contains(err.Error(), "OTEL_METRIC_EXPORT_INTERVAL") {
		t.Errorf("error = %v, want one naming OTEL_METRIC_EXPORT_INTERVAL", err)
	}
}
