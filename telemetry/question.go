package telemetry

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// QuestionKey is a question's text, on the span that answers it.
const QuestionKey = attribute.Key("analytics_bot.question")

// Question is the QuestionKey attribute for text, scrubbed of anything
// shaped like a credential and capped, as people paste all sorts.
func Question(text string) attribute.KeyValue { return QuestionKey.String(redact(text)) }

// RecordError marks span failed with err's message, scrubbed of
// credentials, and an exception event carrying the stack.
func RecordError(span trace.Span, err error) { recordError(span, err) }
