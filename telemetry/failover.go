package telemetry

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/metric"
)

// RecordJobRecovered counts a running job taken from a dead instance.
func (m *Metrics) RecordJobRecovered(ctx context.Context, kind string) {
	if m == nil {
		return
	}
	m.recovered.Add(ctx, 1, metric.WithAttributes(JobKindKey.String(kind)))
}

// RecordFailoverDelay records the time from a dead instance's last sign of
// life to a live instance starting its job again.
func (m *Metrics) RecordFailoverDelay(ctx context.Context, kind string, delay time.Duration) {
	if m == nil {
		return
	}
	m.failover.Record(ctx, delay.Seconds(), metric.WithAttributes(JobKindKey.String(kind)))
}
