package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"

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

// measuredAgent counts questions by outcome, with latency and cost.
type measuredAgent struct {
	next    slackbot.Answerer
	metrics *telemetry.Metrics
}

func (m measuredAgent) Run(ctx context.Context, question string, conv history.Conversation) (*agent.Answer, error) {
	ans, err := m.next.Run(ctx, question, conv)
	if ans != nil {
		m.metrics.RecordQuestion(ctx, string(ans.Status), ans.Latency, ans.CostUSD)
	}
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
