package telemetry

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetricsCountFeedbackPerOutcome(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	ctx := context.Background()
	m.RecordFeedback(ctx, "down")
	m.RecordFeedback(ctx, "down")
	m.RecordFeedback(ctx, "up")

	got := map[string]int64{}
	for _, dp := range r.metric(t, "analytics_bot.feedback").Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(OutcomeKey)
		got[v.AsString()] = dp.Value
	}
	if got["down"] != 2 || got["up"] != 1 || len(got) != 2 {
		t.Errorf("feedback counts = %v, want down 2, up 1", got)
	}
	var none *Metrics
	none.RecordFeedback(ctx, "up")
}
