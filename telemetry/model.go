package telemetry

import (
	"context"
	"time"

	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/semconv/v1.40.0/genaiconv"
	"go.opentelemetry.io/otel/trace"
)

// scope is the instrumentation scope name of every tracer and meter here.
const scope = "github.com/analytics-bot/analytics-bot/telemetry"

// Attribute keys outside the GenAI conventions of semconv v1.40.
const (
	// genAISystemKey is the pre-1.37 name of gen_ai.provider.name, kept
	// because some backends still read it.
	genAISystemKey = attribute.Key("gen_ai.system")
	// CostKey is the model call's cost in US dollars.
	CostKey = attribute.Key("analytics_bot.cost_usd")
)

// Bucket boundaries advised by the GenAI metric conventions.
var (
	tokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	durationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

// ModelOptions describes the wrapped model for its spans and metrics.
type ModelOptions struct {
	// Model is the requested model (e.g. "gpt-4.1"); a per-call
	// llms.WithModel overrides it.
	Model string
	// Provider is gen_ai.provider.name; empty means "openai".
	Provider string
	// Cost prices a call in US dollars from the response model (the
	// request model when the provider does not say), the input tokens, how
	// many of those were cached, and the output tokens. Nil records no cost.
	Cost func(model string, in, cachedIn, out int) float64
}

// TraceModel wraps m so each GenerateContent (and Call) is a GenAI client
// span "chat <model>" with token usage, finish reasons and cost, and
// records gen_ai.client.token.usage, gen_ai.client.operation.duration and
// a cost counter. Prompts, completions and call options are not recorded.
// Nil providers mean no tracing or no metrics.
func TraceModel(m llms.Model, tp trace.TracerProvider, mp metric.MeterProvider, opts ModelOptions) llms.Model {
	if opts.Provider == "" {
		opts.Provider = "openai"
	}
	tp, mp = orNoop(tp, mp)
	meter := mp.Meter(scope)
	// Instrument errors only come from invalid names or options, which are
	// constants here; the genaiconv constructors fall back to no-ops.
	tokens, _ := genaiconv.NewClientTokenUsage(meter, metric.WithExplicitBucketBoundaries(tokenBuckets...))
	duration, _ := genaiconv.NewClientOperationDuration(meter, metric.WithExplicitBucketBoundaries(durationBuckets...))
	cost := float64Counter(meter, "analytics_bot.model.cost", "{USD}", "Cost of model calls in US dollars.")
	t := &tracedModel{
		next:     m,
		tracer:   tp.Tracer(scope),
		opts:     opts,
		tokens:   tokens,
		duration: duration,
		cost:     cost,
	}
	if r, ok := m.(llms.ReasoningModel); ok {
		return tracedReasoningModel{tracedModel: t, reasoning: r}
	}
	return t
}

// tracedModel is the decorator behind TraceModel.
type tracedModel struct {
	next     llms.Model
	tracer   trace.Tracer
	opts     ModelOptions
	tokens   genaiconv.ClientTokenUsage
	duration genaiconv.ClientOperationDuration
	cost     metric.Float64Counter
}

// tracedReasoningModel keeps llms.ReasoningModel visible through the
// wrapper, since callers may type-assert for it.
type tracedReasoningModel struct {
	*tracedModel
	reasoning llms.ReasoningModel
}

func (t tracedReasoningModel) SupportsReasoning() bool { return t.reasoning.SupportsReasoning() }

// Call goes through GenerateContent so it is traced the same way.
func (t *tracedModel) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, t, prompt, options...)
}

func (t *tracedModel) GenerateContent(ctx context.Context, messages []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	// Options are plain setters; applying them to a scratch struct reveals
	// the request parameters without touching the real call.
	var call llms.CallOptions
	for _, o := range options {
		o(&call)
	}
	model := call.Model
	if model == "" {
		model = t.opts.Model
	}
	name := "chat"
	if model != "" {
		name += " " + model
	}
	attrs := []attribute.KeyValue{
		semconv.GenAIOperationNameChat,
		semconv.GenAIProviderNameKey.String(t.opts.Provider),
		genAISystemKey.String(t.opts.Provider),
		semconv.GenAIRequestModel(model),
		semconv.GenAIRequestTemperature(call.Temperature),
	}
	if call.MaxTokens > 0 {
		attrs = append(attrs, semconv.GenAIRequestMaxTokens(call.MaxTokens))
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	defer span.End()

	start := time.Now()
	resp, err := t.next.GenerateContent(ctx, messages, options...)
	elapsed := time.Since(start).Seconds()

	op, provider := genaiconv.OperationNameChat, genaiconv.ProviderNameAttr(t.opts.Provider)
	if err != nil {
		etype := errorType(err)
		recordError(span, err)
		span.SetAttributes(semconv.ErrorTypeKey.String(etype))
		t.duration.Record(ctx, elapsed, op, provider,
			t.duration.AttrRequestModel(model), t.duration.AttrErrorType(genaiconv.ErrorTypeAttr(etype)))
		return resp, err
	}

	responseModel := model
	if m, ok := generationInfo(resp, "Model").(string); ok && m != "" {
		responseModel = m
	}
	span.SetAttributes(
		semconv.GenAIResponseModel(responseModel),
		semconv.GenAIResponseFinishReasons(finishReasons(resp)...),
	)
	u, hasUsage := usageOf(resp)
	if hasUsage {
		span.SetAttributes(
			semconv.GenAIUsageInputTokens(u.in),
			semconv.GenAIUsageOutputTokens(u.out),
			semconv.GenAIUsageCacheReadInputTokens(u.cachedIn),
		)
	}
	modelAttrs := []attribute.KeyValue{t.tokens.AttrRequestModel(model), t.tokens.AttrResponseModel(responseModel)}
	t.duration.Record(ctx, elapsed, op, provider, modelAttrs...)
	if hasUsage {
		t.tokens.Record(ctx, int64(u.in), op, provider, genaiconv.TokenTypeInput, modelAttrs...)
		t.tokens.Record(ctx, int64(u.out), op, provider, genaiconv.TokenTypeOutput, modelAttrs...)
		if t.opts.Cost != nil {
			usd := t.opts.Cost(responseModel, u.in, u.cachedIn, u.out)
			span.SetAttributes(CostKey.Float64(usd))
			t.cost.Add(ctx, usd, metric.WithAttributes(
				semconv.GenAIProviderNameKey.String(t.opts.Provider), semconv.GenAIResponseModel(responseModel)))
		}
	}
	return resp, nil
}

// recordError marks span failed with err's (scrubbed) message and an
// exception event carrying the stack.
func recordError(span trace.Span, err error) {
	clean := redactError(err)
	span.RecordError(clean, trace.WithStackTrace(true))
	span.SetStatus(codes.Error, clean.Error())
}
