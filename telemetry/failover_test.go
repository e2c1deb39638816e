package telemetry

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetricsFailover(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	ctx := context.Background()
	m.RecordJobRecovered(ctx, "slack_work")
	m.RecordJobRecovered(ctx, "slack_work")
	m.RecordFailoverDelay(ctx, "slack_work", 3500*time.Millisecond)

	recovered := r.metric(t, "analytics_bot.job.recovered").Data.(metricdata.Sum[int64])
	if len(recovered.DataPoints) != 1 || recovered.DataPoints[0].Value != 2 {
		t.Errorf("recovered = %+v, want 2", recovered.DataPoints)
	}
	if v, _ := recovered.DataPoints[0].Attributes.Value(JobKindKey); v.AsString() != "slack_work" {
		t.Errorf("recovered job kind = %q", v.AsString())
	}
	delay := r.metric(t, "analytics_bot.job.failover.delay")
	if dp := delay.Data.(metricdata.Histogram[float64]).DataPoints; delay.Unit != "s" || len(dp) != 1 || dp[0].Sum != 3.5 {
		t.Errorf("failover delay = %s %+v, want one 3.5 s point", delay.Unit, dp)
	}

	var none *Metrics
	none.RecordJobRecovered(ctx, "slack_work")
	none.RecordFailoverDelay(ctx, "slack_work", time.Second)
}
