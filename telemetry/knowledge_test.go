package telemetry

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetricsRecordVerified(t *testing.T) {
	t.Parallel()
	r, m := newTestMetrics(t)
	ctx := context.Background()
	m.RecordVerified(ctx, true)
	m.RecordVerified(ctx, true)
	m.RecordVerified(ctx, false)
	byMode := map[string]int64{}
	for _, dp := range r.metric(t, "analytics_bot.questions.verified").Data.(metricdata.Sum[int64]).DataPoints {
		v, _ := dp.Attributes.Value(VerifiedModeKey)
		byMode[v.AsString()] = dp.Value
	}
	if byMode["exact"] != 2 || byMode["model"] != 1 {
		t.Errorf("verified answers by mode = %v, want exact 2, model 1", byMode)
	}
	var none *Metrics
	none.RecordVerified(ctx, true) // a nil *Metrics records nothing
}
