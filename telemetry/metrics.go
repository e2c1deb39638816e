package telemetry

import (
	"context"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// Attribute keys of the application metrics.
const (
	// OutcomeKey says how a question or tool call ended.
	OutcomeKey = attribute.Key("outcome")
	// JobKindKey is a River job's kind.
	JobKindKey = attribute.Key("job.kind")
)

// Metrics holds the instruments the application records into. A nil
// *Metrics records nothing, so tests may leave it out.
type Metrics struct {
	meter     metric.Meter
	questions metric.Int64Counter
	latency   metric.Float64Histogram
	cost      metric.Float64Counter
	ack       metric.Float64Histogram
	retries   metric.Int64Counter
	feedback  metric.Int64Counter
	recovered metric.Int64Counter
	failover  metric.Float64Histogram
	verified  metric.Int64Counter
}

// NewMetrics creates the application's instruments on mp (a no-op
// provider if nil).
func NewMetrics(mp metric.MeterProvider) (*Metrics, error) {
	if mp == nil {
		mp = noop.NewMeterProvider()
	}
	meter := mp.Meter(scope)
	m := &Metrics{meter: meter}
	m.verified = int64Counter(meter, "analytics_bot.questions.verified", "{question}",
		"Questions answered from a verified query: exact (no model call) or model (the model ran it unchanged).")
	var err error
	if m.questions, err = meter.Int64Counter("analytics_bot.questions",
		metric.WithUnit("{question}"), metric.WithDescription("Questions answered, by outcome.")); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	if m.latency, err = meter.Float64Histogram("analytics_bot.question.duration",
		metric.WithUnit("s"), metric.WithDescription("Time from a question's arrival to its answer."),
		metric.WithExplicitBucketBoundaries(0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300)); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	if m.cost, err = meter.Float64Counter("analytics_bot.question.cost",
		metric.WithUnit("{USD}"), metric.WithDescription("Model cost of questions in US dollars.")); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	if m.ack, err = meter.Float64Histogram("analytics_bot.slack.ack.duration",
		metric.WithUnit("ms"), metric.WithDescription("Time to acknowledge a Slack request."),
		metric.WithExplicitBucketBoundaries(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 3000)); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	if m.retries, err = meter.Int64Counter("analytics_bot.job.retries",
		metric.WithUnit("{retry}"), metric.WithDescription("Job attempts after the first.")); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	if m.feedback, err = meter.Int64Counter("analytics_bot.feedback",
		metric.WithUnit("{click}"), metric.WithDescription("Feedback on answers, by outcome (up or down); a repeated click is not counted again.")); err != nil {
		return nil, fmt.Errorf("new metrics: %w", err)
	}
	m.recovered = int64Counter(meter, "analytics_bot.job.recovered", "{job}",
		"Running jobs taken from instances that died, to be run by a live one.")
	m.failover = float64Histogram(meter, "analytics_bot.job.failover.delay", "s",
		"Time from a dead instance's last sign of life to a live instance starting its job again.",
		[]float64{1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30, 60, 120, 300})
	return m, nil
}

// RecordFeedback counts one feedback click that changed an answer's
// feedback, by outcome ("up" or "down").
func (m *Metrics) RecordFeedback(ctx context.Context, outcome string) {
	if m == nil {
		return
	}
	m.feedback.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(OutcomeKey.String(outcome))))
}

// RecordQuestion counts one question by outcome (a short fixed word such as
// "answered", "failed", "refused" or "timeout": it is a metric dimension),
// records its latency and adds its cost in US dollars.
func (m *Metrics) RecordQuestion(ctx context.Context, outcome string, elapsed time.Duration, costUSD float64) {
	if m == nil {
		return
	}
	attrs := metric.WithAttributeSet(attribute.NewSet(OutcomeKey.String(outcome)))
	m.questions.Add(ctx, 1, attrs)
	m.latency.Record(ctx, elapsed.Seconds(), attrs)
	if costUSD > 0 {
		m.cost.Add(ctx, costUSD, attrs)
	}
}

// RecordSlackAck records how long acknowledging a Slack request took.
func (m *Metrics) RecordSlackAck(ctx context.Context, elapsed time.Duration) {
	if m == nil {
		return
	}
	m.ack.Record(ctx, float64(elapsed)/float64(time.Millisecond))
}

// RecordJobRetry counts a job attempt after the first.
func (m *Metrics) RecordJobRetry(ctx context.Context, kind string) {
	if m == nil {
		return
	}
	m.retries.Add(ctx, 1, metric.WithAttributes(JobKindKey.String(kind)))
}

// ObserveQueueDepth registers an observable gauge,
// analytics_bot.job.queue.depth, read from depth at each collection.
// Call it once per Metrics, and unregister the returned registration when
// the source goes away. On a nil *Metrics it registers nothing and returns
// a no-op registration.
func (m *Metrics) ObserveQueueDepth(depth func(context.Context) (int64, error)) (metric.Registration, error) {
	if m == nil {
		return noop.Registration{}, nil
	}
	gauge, err := m.meter.Int64ObservableGauge("analytics_bot.job.queue.depth",
		metric.WithUnit("{job}"), metric.WithDescription("Jobs waiting to be worked."))
	if err != nil {
		return nil, fmt.Errorf("observe queue depth: %w", err)
	}
	reg, err := m.meter.RegisterCallback(func(ctx context.Context, o metric.Observer) error {
		n, err := depth(ctx)
		if err != nil {
			return fmt.Errorf("queue depth: %w", err)
		}
		o.ObserveInt64(gauge, n)
		return nil
	}, gauge)
	if err != nil {
		return nil, fmt.Errorf("observe queue depth: %w", err)
	}
	return reg, nil
}

// float64Counter creates a counter whose name and options are constants,
// so creation cannot fail on a working provider; a no-op stands in if it
// does.
func float64Counter(meter metric.Meter, name, unit, desc string) metric.Float64Counter {
	c, err := meter.Float64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		return noop.Float64Counter{}
	}
	return c
}

// int64Counter is float64Counter for integer counts.
func int64Counter(meter metric.Meter, name, unit, desc string) metric.Int64Counter {
	c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
	if err != nil {
		return noop.Int64Counter{}
	}
	return c
}

// float64Histogram is float64Counter for histograms with given buckets.
func float64Histogram(meter metric.Meter, name, unit, desc string, buckets []float64) metric.Float64Histogram {
	h, err := meter.Float64Histogram(name, metric.WithUnit(unit), metric.WithDescription(desc),
		metric.WithExplicitBucketBoundaries(buckets...))
	if err != nil {
		return noop.Float64Histogram{}
	}
	return h
}
