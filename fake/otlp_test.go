package fake_test

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/analytics-bot/analytics-bot/fake"
)

func exportSpans(t *testing.T, o *fake.OTLP, opts ...otlptracehttp.Option) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, append([]otlptracehttp.Option{
		otlptracehttp.WithEndpointURL(o.URL + "/v1/traces"),
		otlptracehttp.WithHeaders(map[string]string{"Authorization": "logfire-token"}),
	}, opts...)...)
	if err != nil {
		t.Fatalf("new exporter: %v", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp),
		sdktrace.WithResource(resource.NewSchemaless(attribute.String("service.name", "analytics-bot"))))
	tracer := tp.Tracer("analytics-bot/agent")

	ctx, job := tracer.Start(ctx, "answer question", trace.WithSpanKind(trace.SpanKindServer))
	_, chat := tracer.Start(ctx, "chat gpt-4.1", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("gen_ai.request.model", "gpt-4.1"), attribute.Int("gen_ai.usage.input_tokens", 1200)))
	chat.AddEvent("retry", trace.WithAttributes(attribute.Int("attempt", 2)))
	chat.SetStatus(codes.Error, "rate limited")
	chat.End()
	job.End()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown tracer provider: %v", err)
	}
}

func TestOTLPReceivesTraces(t *testing.T) {
	t.Parallel()
	o := fake.NewOTLP(t)
	exportSpans(t, o)

	spans := o.Spans()
	if len(spans) != 2 {
		t.Fatalf("spans = %d, want 2", len(spans))
	}
	chat, job := spans[0], spans[1]
	if chat.Name != "chat gpt-4.1" || job.Name != "answer question" {
		t.Fatalf("span names = %q, %q", chat.Name, job.Name)
	}
	if chat.ParentSpanID != job.SpanID || chat.TraceID != job.TraceID || job.ParentSpanID != "" || len(chat.TraceID) != 32 {
		t.Errorf("ids: chat %s/%s parent %s, job %s/%s", chat.TraceID, chat.SpanID, chat.ParentSpanID, job.TraceID, job.SpanID)
	}
	if chat.Kind != trace.SpanKindClient.String() || job.Kind != "server" || chat.Scope != "analytics-bot/agent" {
		t.Errorf("kinds = %q, %q scope %q", chat.Kind, job.Kind, chat.Scope)
	}
	if chat.Attributes["gen_ai.request.model"] != "gpt-4.1" || chat.Attributes["gen_ai.usage.input_tokens"] != int64(1200) {
		t.Errorf("attributes = %v", chat.Attributes)
	}
	if chat.Resource["service.name"] != "analytics-bot" {
		t.Errorf("resource = %v", chat.Resource)
	}
	if chat.StatusCode != codes.Error.String() || chat.StatusMessage != "rate limited" {
		t.Errorf("status = %q %q", chat.StatusCode, chat.StatusMessage)
	}
	if len(chat.Events) != 1 || chat.Events[0].Name != "retry" || chat.Events[0].Attributes["attempt"] != int64(2) {
		t.Errorf("events = %+v", chat.Events)
	}
	headers := o.Headers()
	if len(headers) != 2 { // WithSyncer exports each span as it ends
		t.Fatalf("export requests = %d, want 2", len(headers))
	}
	if h := headers[0]; h.Get("Authorization") != "logfire-token" || h.Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("headers = %v", h)
	}
}

func TestOTLPReceivesGzippedTraces(t *testing.T) {
	t.Parallel()
	o := fake.NewOTLP(t)
	exportSpans(t, o, otlptracehttp.WithCompression(otlptracehttp.GzipCompression))

	if n := len(o.Spans()); n != 2 {
		t.Fatalf("spans = %d, want 2", n)
	}
	if got := o.Headers()[0].Get("Content-Encoding"); got != "gzip" {
		t.Errorf("content encoding = %q", got)
	}
	if body := o.RawBodies()[0]; !bytes.Contains(body, []byte("gen_ai.request.model")) { // the chat span ends first
		t.Error("raw body is not the gunzipped export")
	}
}

func TestOTLPReceivesMetrics(t *testing.T) {
	t.Parallel()
	o := fake.NewOTLP(t)
	ctx := context.Background()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(o.URL+"/v1/metrics"))
	if err != nil {
		t.Fatalf("new exporter: %v", err)
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp)))
	meter := mp.Meter("analytics-bot")
	questions, err := meter.Int64Counter("questions", metric.WithUnit("{question}"))
	if err != nil {
		t.Fatal(err)
	}
	latency, err := meter.Float64Histogram("question.duration", metric.WithUnit("s"))
	if err != nil {
		t.Fatal(err)
	}
	questions.Add(ctx, 3, metric.WithAttributes(attribute.String("status", "ok")))
	latency.Record(ctx, 1.5)
	latency.Record(ctx, 2.5)
	if err := mp.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown meter provider: %v", err)
	}

	names := o.MetricNames()
	if !slices.Contains(names, "questions") || !slices.Contains(names, "question.duration") {
		t.Fatalf("metric names = %v", names)
	}
	for _, m := range o.Metrics() {
		switch m.Name {
		case "questions":
			if m.Type != "sum" || m.Unit != "{question}" || len(m.Points) != 1 || m.Points[0].Value != 3 || m.Points[0].Attributes["status"] != "ok" {
				t.Errorf("questions = %+v", m)
			}
		case "question.duration":
			if m.Type != "histogram" || len(m.Points) != 1 || m.Points[0].Count != 2 || m.Points[0].Value != 4 {
				t.Errorf("question.duration = %+v", m)
			}
		}
	}
}

func TestOTLPReceivesLogs(t *testing.T) {
	t.Parallel()
	o := fake.NewOTLP(t)
	str := func(s string) *commonpb.AnyValue {
		return &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: s}}
	}
	body, err := proto.Marshal(&collogs.ExportLogsServiceRequest{ResourceLogs: []*logspb.ResourceLogs{{
		ScopeLogs: []*logspb.ScopeLogs{{LogRecords: []*logspb.LogRecord{{
			Body:         str("question answered"),
			SeverityText: "INFO", SeverityNumber: logspb.SeverityNumber_SEVERITY_NUMBER_INFO,
			Attributes: []*commonpb.KeyValue{{Key: "channel", Value: str("C1")}},
			TraceId:    bytes.Repeat([]byte{0xab}, 16),
		}}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(o.URL+"/v1/logs", "application/x-protobuf", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", resp.StatusCode)
	}

	logs := o.LogRecords()
	if len(logs) != 1 || logs[0].Body != "question answered" || logs[0].SeverityText != "INFO" ||
		logs[0].Attributes["channel"] != "C1" || logs[0].TraceID != strings.Repeat("ab", 16) {
		t.Errorf("log records = %+v", logs)
	}
}

func TestOTLPAcceptsJSONWithHexIDs(t *testing.T) {
	t.Parallel()
	o := fake.NewOTLP(t)
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},
		"scopeSpans":[{"scope":{"name":"s"},"spans":[{"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174",
		"parentSpanId":"eee19b7ec3c1b173","name":"json span","kind":2,"startTimeUnixNano":"1700000000000000001",
		"endTimeUnixNano":"1700000000000000002","attributes":[{"key":"n","value":{"intValue":"7"}}]}]}]}]}`

	resp, err := http.Post(o.URL+"/v1/traces", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("answer = %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	spans := o.Spans()
	if len(spans) != 1 {
		t.Fatalf("spans = %d", len(spans))
	}
	sp := spans[0]
	if sp.TraceID != "5b8efff798038103d269b633813fc60c" || sp.SpanID != "eee19b7ec3c1b174" || sp.ParentSpanID != "eee19b7ec3c1b173" {
		t.Errorf("ids = %s %s %s", sp.TraceID, sp.SpanID, sp.ParentSpanID)
	}
	if sp.Kind != "server" || sp.Attributes["n"] != int64(7) || sp.Start.UnixNano() != 1700000000000000001 {
		t.Errorf("span = %+v", sp)
	}
}
