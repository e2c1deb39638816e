package telemetry

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetricsRecordQuestion(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	ctx := context.Background()
	m.RecordQuestion(ctx, "answered", 3*time.Second, 0.012)
	m.RecordQuestion(ctx, "answered", 5*time.Second, 0.008)
	m.RecordQuestion(ctx, "failed", time.Second, 0)

	questions := r.metric(t, "analytics_bot.questions").Data.(metricdata.Sum[int64])
	byOutcome := map[string]int64{}
	for _, dp := range questions.DataPoints {
		v, _ := dp.Attributes.Value(OutcomeKey)
		byOutcome[v.AsString()] = dp.Value
	}
	if byOutcome["answered"] != 2 || byOutcome["failed"] != 1 {
		t.Errorf("questions by outcome = %v, want answered 2, failed 1", byOutcome)
	}

	latency := r.metric(t, "analytics_bot.question.duration")
	if latency.Unit != "s" {
		t.Errorf("latency unit = %q, want s", latency.Unit)
	}
	var count uint64
	var sum float64
	for _, dp := range latency.Data.(metricdata.Histogram[float64]).DataPoints {
		count += dp.Count
		sum += dp.Sum
	}
	if count != 3 || sum != 9 {
		t.Errorf("latency count, sum = %d, %v; want 3, 9", count, sum)
	}

	cost := r.metric(t, "analytics_bot.question.cost").Data.(metricdata.Sum[float64])
	if len(cost.DataPoints) != 1 || diff(cost.DataPoints[0].Value, 0.02) > 1e-12 {
		t.Errorf("cost = %+v, want 0.02 on answered only", cost.DataPoints)
	}
}

func TestMetricsAckRetriesAndQueueDepth(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	ctx := context.Background()
	m.RecordSlackAck(ctx, 1500*time.Microsecond)
	m.RecordJobRetry(ctx, "answer_question")
	depth := int64(7)
	reg, err := m.ObserveQueueDepth(func(context.Context) (int64, error) { return depth, nil })
	if err != nil {
		t.Fatal(err)
	}

	ack := r.metric(t, "analytics_bot.slack.ack.duration")
	if dp := ack.Data.(metricdata.Histogram[float64]).DataPoints; ack.Unit != "ms" || len(dp) != 1 || dp[0].Sum != 1.5 {
		t.Errorf("ack = %s %+v, want one 1.5 ms point", ack.Unit, dp)
	}
	retries := r.metric(t, "analytics_bot.job.retries").Data.(metricdata.Sum[int64])
	if len(retries.DataPoints) != 1 || retries.DataPoints[0].Value != 1 {
		t.Errorf("retries = %+v, want 1", retries.DataPoints)
	}
	gauge := r.metric(t, "analytics_bot.job.queue.depth").Data.(metricdata.Gauge[int64])
	if len(gauge.DataPoints) != 1 || gauge.DataPoints[0].Value != 7 {
		t.Errorf("queue depth = %+v, want 7", gauge.DataPoints)
	}

	if err := reg.Unregister(); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsQueueDepthErrorSkipsPoint(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	if _, err := m.ObserveQueueDepth(func(context.Context) (int64, error) { return 0, errors.New("db down") }); err != nil {
		t.Fatal(err)
	}
	var rm metricdata.ResourceMetrics
	// The SDK reports callback errors from Collect and keeps other data.
	_ = r.reader.Collect(context.Background(), &rm)
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			if g, ok := mt.Data.(metricdata.Gauge[int64]); ok && mt.Name == "analytics_bot.job.queue.depth" && len(g.DataPoints) > 0 {
				t.Errorf("queue depth recorded despite the error: %+v", g.DataPoints)
			}
		}
	}
}

func TestNilMetricsRecordNothing(t *testing.T) {
	t.Parallel()
	var m *Metrics
	ctx := context.Background()
	m.RecordQuestion(ctx, "answered", time.Second, 1)
	m.RecordSlackAck(ctx, time.Millisecond)
	m.RecordJobRetry(ctx, "k")
	if _, err := m.ObserveQueueDepth(func(context.Context) (int64, error) { return 1, nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := NewMetrics(nil); err != nil {
		t.Fatalf("NewMetrics(nil): %v", err)
	}
}
