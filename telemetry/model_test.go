package telemetry

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// fakeModel answers every call with resp or err, as langchaingo's OpenAI
// client shapes a response.
type fakeModel struct {
	resp *llms.ContentResponse
	err  error
	// sawSpan is the span context seen inside GenerateContent.
	sawSpan trace.SpanContext
}

func (f *fakeModel) GenerateContent(ctx context.Context, _ []llms.MessageContent, _ ...llms.CallOption) (*llms.ContentResponse, error) {
	f.sawSpan = trace.SpanContextFromContext(ctx)
	return f.resp, f.err
}

func (f *fakeModel) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, f, prompt, options...)
}

// openAIResponse is a one-choice response with usage as the OpenAI client
// of langchaingo v0.1.14 reports it.
func openAIResponse(in, cached, out int, stop string) *llms.ContentResponse {
	return &llms.ContentResponse{Choices: []*llms.ContentChoice{{
		Content:    "42",
		StopReason: stop,
		GenerationInfo: map[string]any{
			"CompletionTokens":   out,
			"PromptTokens":       in,
			"TotalTokens":        in + out,
			"PromptCachedTokens": cached,
			"ReasoningTokens":    0,
		},
	}}}
}

// priceGPT41 is gpt-4.1's list price per million tokens: $2 input, $0.50
// cached input, $8 output.
func priceGPT41(model string, in, cachedIn, out int) float64 {
	return (float64(in-cachedIn)*2 + float64(cachedIn)*0.5 + float64(out)*8) / 1e6
}

func setupModel(t *testing.T, fake *fakeModel) (llms.Model, recorders) {
	t.Helper()
	r := newRecorders(t)
	m := TraceModel(fake, r.tp, r.mp, ModelOptions{Model: "gpt-4.1", Provider: "openai", Cost: priceGPT41})
	return m, r
}

var question = []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "How many signups last week?")}

func TestTraceModelRecordsGenAISpan(t *testing.T) {
	t.Parallel()
	fake := &fakeModel{resp: openAIResponse(1200, 1000, 50, "tool_calls")}
	m, r := setupModel(t, fake)

	if _, err := m.GenerateContent(context.Background(), question, llms.WithTemperature(0.2), llms.WithMaxTokens(500)); err != nil {
		t.Fatalf("GenerateContent: %v", err)
	}

	span := r.onlySpan(t)
	if span.Name() != "chat gpt-4.1" {
		t.Errorf("span name = %q, want %q", span.Name(), "chat gpt-4.1")
	}
	if span.SpanKind() != trace.SpanKindClient {
		t.Errorf("span kind = %v, want client", span.SpanKind())
	}
	if !fake.sawSpan.IsValid() || fake.sawSpan.SpanID() != span.SpanContext().SpanID() {
		t.Errorf("inner model did not run inside the span")
	}
	kv := span.Attributes()
	wantAttr(t, kv, semconv.GenAIOperationNameKey, "chat")
	wantAttr(t, kv, semconv.GenAIProviderNameKey, "openai")
	wantAttr(t, kv, genAISystemKey, "openai")
	wantAttr(t, kv, semconv.GenAIRequestModelKey, "gpt-4.1")
	wantAttr(t, kv, semconv.GenAIResponseModelKey, "gpt-4.1")
	wantAttr(t, kv, semconv.GenAIRequestTemperatureKey, 0.2)
	wantAttr(t, kv, semconv.GenAIRequestMaxTokensKey, int64(500))
	wantAttr(t, kv, semconv.GenAIUsageInputTokensKey, int64(1200))
	wantAttr(t, kv, semconv.GenAIUsageOutputTokensKey, int64(50))
	wantAttr(t, kv, semconv.GenAIUsageCacheReadInputTokensKey, int64(1000))
	wantAttr(t, kv, semconv.GenAIResponseFinishReasonsKey, []string{"tool_calls"})
	wantAttr(t, kv, CostKey, priceGPT41("gpt-4.1", 1200, 1000, 50))
	if span.Status().Code == codes.Error {
		t.Errorf("status = %v, want unset or ok", span.Status())
	}
}

func TestTraceModelRecordsMetrics(t *testing.T) {
	t.Parallel()
	m, r := setupModel(t, &fakeModel{resp: openAIResponse(1200, 1000, 50, "stop")})
	for range 2 {
		if _, err := m.GenerateContent(context.Background(), question); err != nil {
			t.Fatalf("GenerateContent: %v", err)
		}
	}

	tokens, ok := r.metric(t, "gen_ai.client.token.usage").Data.(metricdata.Histogram[int64])
	if !ok {
		t.Fatalf("gen_ai.client.token.usage is not an int64 histogram")
	}
	sums := map[string]int64{}
	for _, dp := range tokens.DataPoints {
		typ, _ := dp.Attributes.Value(semconv.GenAITokenTypeKey)
		sums[typ.AsString()] += dp.Sum
		if v, _ := dp.Attributes.Value(semconv.GenAIRequestModelKey); v.AsString() != "gpt-4.1" {
			t.Errorf("token point request model = %q", v.AsString())
		}
		if v, _ := dp.Attributes.Value(semconv.GenAIOperationNameKey); v.AsString() != "chat" {
			t.Errorf("token point operation = %q", v.AsString())
		}
	}
	if sums["input"] != 2400 || sums["output"] != 100 {
		t.Errorf("token sums = %v, want input 2400, output 100", sums)
	}

	duration, ok := r.metric(t, "gen_ai.client.operation.duration").Data.(metricdata.Histogram[float64])
	if !ok || len(duration.DataPoints) != 1 || duration.DataPoints[0].Count != 2 {
		t.Errorf("gen_ai.client.operation.duration = %+v, want one point counting 2 calls", duration)
	}

	cost, ok := r.metric(t, "analytics_bot.model.cost").Data.(metricdata.Sum[float64])
	want := 2 * priceGPT41("gpt-4.1", 1200, 1000, 50)
	if !ok || len(cost.DataPoints) != 1 || diff(cost.DataPoints[0].Value, want) > 1e-12 {
		t.Errorf("analytics_bot.model.cost = %+v, want %v", cost, want)
	}
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestTraceModelRecordsErrorWithStack(t *testing.T) {
	t.Parallel()
	fake := &fakeModel{err: errors.New("API returned unexpected status code: 401: Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz")}
	m, r := setupModel(t, fake)

	_, err := m.GenerateContent(context.Background(), question)
	if !errors.Is(err, fake.err) {
		t.Fatalf("error = %v, want the model's error unchanged", err)
	}

	span := r.onlySpan(t)
	if span.Status().Code != codes.Error {
		t.Errorf("status = %v, want Error", span.Status())
	}
	if strings.Contains(span.Status().Description, "sk-proj-") {
		t.Errorf("status description leaks the key: %q", span.Status().Description)
	}
	wantAttr(t, span.Attributes(), semconv.ErrorTypeKey, "_OTHER")
	exc := exceptionEvent(t, span)
	if st := attrs(exc.Attributes)[semconv.ExceptionStacktraceKey].AsString(); !strings.Contains(st, "GenerateContent") {
		t.Errorf("exception.stacktrace does not show the call site:\n%s", st)
	}
	if msg := attrs(exc.Attributes)[semconv.ExceptionMessageKey].AsString(); strings.Contains(msg, "abcdefghijklmnop") || !strings.Contains(msg, "[REDACTED]") {
		t.Errorf("exception.message = %q, want the key redacted", msg)
	}

	duration := r.metric(t, "gen_ai.client.operation.duration").Data.(metricdata.Histogram[float64])
	if v, _ := duration.DataPoints[0].Attributes.Value(semconv.ErrorTypeKey); v.AsString() != "_OTHER" {
		t.Errorf("duration error.type = %q, want _OTHER", v.AsString())
	}
}

func exceptionEvent(t *testing.T, span sdktrace.ReadOnlySpan) sdktrace.Event {
	t.Helper()
	for _, e := range span.Events() {
		if e.Name == semconv.ExceptionEventName {
			return e
		}
	}
	t.Fatalf("no exception event on span %q", span.Name())
	return sdktrace.Event{}
}

func TestTraceModelTimeoutErrorType(t *testing.T) {
	t.Parallel()
	m, r := setupModel(t, &fakeModel{err: context.DeadlineExceeded})
	_, _ = m.GenerateContent(context.Background(), question)
	wantAttr(t, r.onlySpan(t).Attributes(), semconv.ErrorTypeKey, "timeout")
}

func TestTraceModelCallOptionModelWins(t *testing.T) {
	t.Parallel()
	m, r := setupModel(t, &fakeModel{resp: openAIResponse(10, 0, 1, "stop")})
	if _, err := m.GenerateContent(context.Background(), question, llms.WithModel("gpt-4.1-mini")); err != nil {
		t.Fatal(err)
	}
	span := r.onlySpan(t)
	if span.Name() != "chat gpt-4.1-mini" {
		t.Errorf("span name = %q, want chat gpt-4.1-mini", span.Name())
	}
	wantAttr(t, span.Attributes(), semconv.GenAIRequestModelKey, "gpt-4.1-mini")
}

func TestTraceModelCallIsTraced(t *testing.T) {
	t.Parallel()
	m, r := setupModel(t, &fakeModel{resp: openAIResponse(10, 0, 1, "stop")})
	got, err := m.Call(context.Background(), "hi")
	if err != nil || got != "42" {
		t.Fatalf("Call = %q, %v; want 42", got, err)
	}
	if r.onlySpan(t).Name() != "chat gpt-4.1" {
		t.Errorf("Call did not make a chat span")
	}
}

func TestTraceModelWithoutUsageOrCost(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	m := TraceModel(&fakeModel{resp: &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: "x", StopReason: "stop"}}}},
		r.tp, r.mp, ModelOptions{Model: "gpt-4.1"})
	if _, err := m.GenerateContent(context.Background(), question); err != nil {
		t.Fatal(err)
	}
	kv := attrs(r.onlySpan(t).Attributes())
	for _, key := range []attribute.Key{semconv.GenAIUsageInputTokensKey, CostKey} {
		if _, ok := kv[key]; ok {
			t.Errorf("attribute %s set without usage", key)
		}
	}
	if kv[semconv.GenAIProviderNameKey].AsString() != "openai" {
		t.Errorf("provider defaults to %q, want openai", kv[semconv.GenAIProviderNameKey].AsString())
	}
}

// reasoningModel is a fakeModel that also says whether it reasons.
type reasoningModel struct{ fakeModel }

func (reasoningModel) SupportsReasoning() bool { return true }

func TestTraceModelKeepsReasoningInterface(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	m := TraceModel(&reasoningModel{}, r.tp, r.mp, ModelOptions{Model: "o3"})
	rm, ok := m.(llms.ReasoningModel)
	if !ok || !rm.SupportsReasoning() {
		t.Errorf("wrapper hides llms.ReasoningModel")
	}
	if _, ok := TraceModel(&fakeModel{}, r.tp, r.mp, ModelOptions{}).(llms.ReasoningModel); ok {
		t.Errorf("wrapper claims llms.ReasoningModel for a model without it")
	}
}

func TestUsageTakenOnceAcrossChoices(t *testing.T) {
	t.Parallel()
	// The OpenAI client repeats the response's usage in every choice.
	resp := openAIResponse(100, 0, 10, "stop")
	resp.Choices = append(resp.Choices, openAIResponse(100, 0, 10, "stop").Choices...)
	u, ok := usageOf(resp)
	if !ok || u.in != 100 || u.out != 10 {
		t.Errorf("usageOf = %+v, %v; want in 100, out 10", u, ok)
	}
}

// BenchmarkTracedModel measures what the wrapper adds to a model call:
// compare ns/op of "recording" and "not-exported" with "bare".
func BenchmarkTracedModel(b *testing.B) {
	fake := &fakeModel{resp: openAIResponse(1200, 1000, 50, "stop")}
	opts := ModelOptions{Model: "gpt-4.1", Provider: "openai", Cost: priceGPT41}
	ctx := context.Background()
	run := func(b *testing.B, m llms.Model) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.GenerateContent(ctx, question, llms.WithTemperature(0)); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("bare", func(b *testing.B) { run(b, fake) })
	b.Run("not-exported", func(b *testing.B) {
		tel, err := Setup(ctx, Config{})
		if err != nil {
			b.Fatal(err)
		}
		run(b, TraceModel(fake, tel.TracerProvider(), tel.MeterProvider(), opts))
	})
	b.Run("recording", func(b *testing.B) {
		// Spans and metrics recorded in full, exported nowhere.
		tp := sdktrace.NewTracerProvider()
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
		b.Cleanup(func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) })
		run(b, TraceModel(fake, tp, mp, opts))
	})
}

func TestWrappersAcceptNilProviders(t *testing.T) {
	t.Parallel()
	m := TraceModel(&fakeModel{resp: openAIResponse(1, 0, 1, "stop")}, nil, nil, ModelOptions{Model: "gpt-4.1"})
	if _, err := m.GenerateContent(context.Background(), question); err != nil {
		t.Fatal(err)
	}
	tool := TraceTool(fakeTool{name: "describe_schema"}, nil, nil)
	if _, err := tool.Call(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if PGXTracer(nil) == nil || len(RiverPlugins(nil, nil)) != 3 {
		t.Fatal("nil providers rejected")
	}
}
