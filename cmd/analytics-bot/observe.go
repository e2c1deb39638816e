package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/slackbot"
	"github.com/analytics-bot/analytics-bot/telemetry"
)

// setupTelemetry starts tracing and metrics: to Logfire with
// LOGFIRE_TOKEN, to any collector with OTEL_EXPORTER_OTLP_ENDPOINT, or
// nowhere.
func setupTelemetry(ctx context.Context, cfg *config.Config, e env) (*telemetry.Telemetry, *telemetry.Metrics, error) {
	tel, err := telemetry.Setup(ctx, telemetry.Config{
		ServiceName: cfg.LogfireServiceName, Environment: cfg.LogfireEnvironment, Version: version,
		LogfireToken: cfg.LogfireToken, Lookup: e.lookup,
	})
	if err != nil {
		return nil, nil, err
	}
	metrics, err := telemetry.NewMetrics(tel.MeterProvider())
	if err != nil {
		return nil, nil, err
	}
	return tel, metrics, nil
}

// httpMiddleware traces every request and times Slack acknowledgements.
func httpMiddleware(cfg *config.Config, tel *telemetry.Telemetry, metrics *telemetry.Metrics) []gin.HandlerFunc {
	ack := func(c *gin.Context) {
		start := time.Now()
		c.Next()
		if strings.HasPrefix(c.FullPath(), "/slack/") {
			metrics.RecordSlackAck(c.Request.Context(), time.Since(start))
		}
	}
	if !tel.Enabled() {
		return []gin.HandlerFunc{ack}
	}
	return []gin.HandlerFunc{otelgin.Middleware(cfg.LogfireServiceName,
		otelgin.WithTracerProvider(tel.TracerProvider()), otelgin.WithMeterProvider(tel.MeterProvider())), ack}
}

// slackSpanName names a Slack Web API call's span by its method, as in
// "POST chat.postMessage"; anything else (file uploads, whose paths carry
// ids) by the HTTP method alone, to keep span names few.
func slackSpanName(_ string, r *http.Request) string {
	if _, method, ok := strings.Cut(r.URL.Path, "/api/"); ok && method != "" && !strings.Contains(method, "/") {
		return r.Method + " " + method
	}
	return r.Method
}

// measuredAgent makes each question an "invoke_agent <bot>" span carrying
// the question's text (the model and tool spans are its children), counts
// questions by outcome with latency and cost, and logs one line per
// question, which carries the trace id.
type measuredAgent struct {
	next    slackbot.Answerer
	metrics *telemetry.Metrics
	tracer  trace.Tracer
	log     *slog.Logger
	name    string // gen_ai.agent.name
	model   string
}

func newMeasuredAgent(next slackbot.Answerer, cfg *config.Config, tel *telemetry.Telemetry, metrics *telemetry.Metrics, log *slog.Logger) measuredAgent {
	return measuredAgent{next: next, metrics: metrics, tracer: tel.TracerProvider().Tracer(tracerName), log: log,
		name: cfg.ProjectName, model: cfg.AIModel}
}

// tracerName is the instrumentation scope of the spans started here.
const tracerName = "github.com/analytics-bot/analytics-bot/cmd/analytics-bot"

func (m measuredAgent) Run(ctx context.Context, question string, conv history.Conversation) (*agent.Answer, error) {
	ctx, span := m.tracer.Start(ctx, "invoke_agent "+m.name, trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(semconv.GenAIOperationNameInvokeAgent, semconv.GenAIAgentName(m.name),
			semconv.GenAIProviderNameOpenAI, semconv.GenAIRequestModel(m.model), telemetry.Question(question)))
	defer span.End()
	ans, err := m.next.Run(ctx, question, conv)
	if err != nil {
		telemetry.RecordError(span, err)
	}
	if ans == nil {
		return ans, err
	}
	span.SetAttributes(telemetry.OutcomeKey.String(string(ans.Status)),
		semconv.GenAIUsageInputTokens(ans.Usage.InputTokens), semconv.GenAIUsageOutputTokens(ans.Usage.OutputTokens),
		telemetry.CostKey.Float64(ans.CostUSD))
	m.metrics.RecordQuestion(ctx, string(ans.Status), ans.Latency, ans.CostUSD)
	if ans.Verified != nil && err == nil {
		m.metrics.RecordVerified(ctx, ans.Verified.Exact)
	}
	level := slog.LevelInfo
	if err != nil {
		level = slog.LevelWarn
	}
	m.log.Log(ctx, level, "question", slog.String("outcome", string(ans.Status)), slog.Int("turns", ans.Turns),
		slog.Int("tokens_in", ans.Usage.InputTokens), slog.Int("tokens_out", ans.Usage.OutputTokens),
		slog.Float64("cost_usd", ans.CostUSD), slog.Duration("latency", ans.Latency), slog.Int64("history_id", ans.HistoryID))
	return ans, err
}

// observeQueueDepth reports the jobs waiting to be worked.
func observeQueueDepth(metrics *telemetry.Metrics, pool *pgxpool.Pool) error {
	_, err := metrics.ObserveQueueDepth(func(ctx context.Context) (int64, error) {
		var n int64
		err := pool.QueryRow(ctx, `SELECT count(*) FROM analytics_bot.river_job WHERE state IN ('available', 'scheduled', 'retryable')`).Scan(&n)
		if err != nil {
			return 0, fmt.Errorf("queue depth: %w", err)
		}
		return n, nil
	})
	return err
}
