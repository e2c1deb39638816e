package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// VerifiedModeKey says how a verified query answered: "exact" (the
// question matched it, no model call) or "model" (the model ran it
// unchanged).
const VerifiedModeKey = attribute.Key("analytics_bot.verified.mode")

// RecordVerified counts a question answered from a verified query.
func (m *Metrics) RecordVerified(ctx context.Context, exact bool) {
	if m == nil {
		return
	}
	mode := "model"
	if exact {
		mode = "exact"
	}
	m.verified.Add(ctx, 1, metric.WithAttributeSet(attribute.NewSet(VerifiedModeKey.String(mode))))
}
