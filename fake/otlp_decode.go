package fake

import (
	"encoding/hex"
	"maps"
	"slices"
	"strings"
	"time"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

// Span is a received span. IDs are lowercase hex; attribute values are
// string, bool, int64, float64, []byte, []any or map[string]any.
type Span struct {
	Name         string
	TraceID      string
	SpanID       string
	ParentSpanID string // "" for a root span
	// Kind is "internal", "server", "client", "producer", "consumer" or
	// "unspecified", as trace.SpanKind.String spells them.
	Kind       string
	Scope      string // the instrumentation scope (tracer) name
	Attributes map[string]any
	Resource   map[string]any
	// StatusCode is "Unset", "Error" or "Ok", as codes.Code.String spells them.
	StatusCode    string
	StatusMessage string
	Events        []Event
	Start, End    time.Time
}

// Event is a span event.
type Event struct {
	Name       string
	Attributes map[string]any
}

// Metric is one metric of one export, with its data points.
type Metric struct {
	Name        string
	Description string
	Unit        string
	// Type is "gauge", "sum", "histogram", "exponential_histogram" or "summary".
	Type     string
	Scope    string
	Resource map[string]any
	Points   []DataPoint
}

// DataPoint is one point of a Metric.
type DataPoint struct {
	Attributes map[string]any
	// Value is a gauge's or sum's value, or a histogram's or summary's sum.
	Value float64
	// Count is the number of recordings of a histogram or summary.
	Count uint64
}

// LogRecord is a received log record.
type LogRecord struct {
	Body           any
	SeverityText   string
	SeverityNumber int
	TraceID        string
	SpanID         string
	Attributes     map[string]any
	Resource       map[string]any
}

var spanKinds = map[tracepb.Span_SpanKind]string{
	tracepb.Span_SPAN_KIND_INTERNAL: "internal",
	tracepb.Span_SPAN_KIND_SERVER:   "server",
	tracepb.Span_SPAN_KIND_CLIENT:   "client",
	tracepb.Span_SPAN_KIND_PRODUCER: "producer",
	tracepb.Span_SPAN_KIND_CONSUMER: "consumer",
}

var statusCodes = map[tracepb.Status_StatusCode]string{
	tracepb.Status_STATUS_CODE_UNSET: "Unset",
	tracepb.Status_STATUS_CODE_ERROR: "Error",
	tracepb.Status_STATUS_CODE_OK:    "Ok",
}

func spansOf(req *coltrace.ExportTraceServiceRequest) []Span {
	var out []Span
	for _, rs := range req.GetResourceSpans() {
		resource := attrs(rs.GetResource().GetAttributes())
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				kind, ok := spanKinds[sp.GetKind()]
				if !ok {
					kind = "unspecified"
				}
				span := Span{
					Name:          sp.GetName(),
					TraceID:       hex.EncodeToString(sp.GetTraceId()),
					SpanID:        hex.EncodeToString(sp.GetSpanId()),
					ParentSpanID:  hex.EncodeToString(sp.GetParentSpanId()),
					Kind:          kind,
					Scope:         ss.GetScope().GetName(),
					Attributes:    attrs(sp.GetAttributes()),
					Resource:      maps.Clone(resource),
					StatusCode:    statusCodes[sp.GetStatus().GetCode()],
					StatusMessage: sp.GetStatus().GetMessage(),
					Start:         unixNano(sp.GetStartTimeUnixNano()),
					End:           unixNano(sp.GetEndTimeUnixNano()),
				}
				for _, ev := range sp.GetEvents() {
					span.Events = append(span.Events, Event{Name: ev.GetName(), Attributes: attrs(ev.GetAttributes())})
				}
				out = append(out, span)
			}
		}
	}
	return out
}

func metricsOf(req *colmetrics.ExportMetricsServiceRequest) []Metric {
	var out []Metric
	for _, rm := range req.GetResourceMetrics() {
		resource := attrs(rm.GetResource().GetAttributes())
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				metric := Metric{
					Name: m.GetName(), Description: m.GetDescription(), Unit: m.GetUnit(),
					Scope: sm.GetScope().GetName(), Resource: maps.Clone(resource),
				}
				metric.Type, metric.Points = pointsOf(m)
				out = append(out, metric)
			}
		}
	}
	return out
}

func pointsOf(m *metricspb.Metric) (string, []DataPoint) {
	var points []DataPoint
	number := func(dps []*metricspb.NumberDataPoint) {
		for _, dp := range dps {
			v := dp.GetAsDouble()
			if _, ok := dp.GetValue().(*metricspb.NumberDataPoint_AsInt); ok {
				v = float64(dp.GetAsInt())
			}
			points = append(points, DataPoint{Attributes: attrs(dp.GetAttributes()), Value: v})
		}
	}
	switch {
	case m.GetGauge() != nil:
		number(m.GetGauge().GetDataPoints())
		return "gauge", points
	case m.GetSum() != nil:
		number(m.GetSum().GetDataPoints())
		return "sum", points
	case m.GetHistogram() != nil:
		for _, dp := range m.GetHistogram().GetDataPoints() {
			points = append(points, DataPoint{Attributes: attrs(dp.GetAttributes()), Value: dp.GetSum(), Count: dp.GetCount()})
		}
		return "histogram", points
	case m.GetExponentialHistogram() != nil:
		for _, dp := range m.GetExponentialHistogram().GetDataPoints() {
			points = append(points, DataPoint{Attributes: attrs(dp.GetAttributes()), Value: dp.GetSum(), Count: dp.GetCount()})
		}
		return "exponential_histogram", points
	case m.GetSummary() != nil:
		for _, dp := range m.GetSummary().GetDataPoints() {
			points = append(points, DataPoint{Attributes: attrs(dp.GetAttributes()), Value: dp.GetSum(), Count: dp.GetCount()})
		}
		return "summary", points
	default:
		return "", nil
	}
}

func logsOf(req *collogs.ExportLogsServiceRequest) []LogRecord {
	var out []LogRecord
	for _, rl := range req.GetResourceLogs() {
		resource := attrs(rl.GetResource().GetAttributes())
		for _, sl := range rl.GetScopeLogs() {
			for _, lr := range sl.GetLogRecords() {
				out = append(out, LogRecord{
					Body:           anyValue(lr.GetBody()),
					SeverityText:   lr.GetSeverityText(),
					SeverityNumber: int(lr.GetSeverityNumber()),
					TraceID:        hex.EncodeToString(lr.GetTraceId()),
					SpanID:         hex.EncodeToString(lr.GetSpanId()),
					Attributes:     attrs(lr.GetAttributes()),
					Resource:       maps.Clone(resource),
				})
			}
		}
	}
	return out
}

func attrs(kvs []*commonpb.KeyValue) map[string]any {
	out := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		out[kv.GetKey()] = anyValue(kv.GetValue())
	}
	return out
}

func anyValue(v *commonpb.AnyValue) any {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return x.StringValue
	case *commonpb.AnyValue_BoolValue:
		return x.BoolValue
	case *commonpb.AnyValue_IntValue:
		return x.IntValue
	case *commonpb.AnyValue_DoubleValue:
		return x.DoubleValue
	case *commonpb.AnyValue_BytesValue:
		return slices.Clone(x.BytesValue)
	case *commonpb.AnyValue_ArrayValue:
		items := make([]any, 0, len(x.ArrayValue.GetValues()))
		for _, item := range x.ArrayValue.GetValues() {
			items = append(items, anyValue(item))
		}
		return items
	case *commonpb.AnyValue_KvlistValue:
		return attrs(x.KvlistValue.GetValues())
	default:
		return nil
	}
}

func unixNano(ns uint64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(ns))
}

// hexIDKeys are the OTLP/JSON fields that carry IDs as hex, where protojson
// expects base64.
var hexIDKeys = []string{"traceId", "spanId", "parentSpanId"}

func isHexIDKey(key string) bool {
	return slices.Contains(hexIDKeys, key) || slices.Contains(hexIDKeys, snakeToCamel(key))
}

func snakeToCamel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// The clone methods keep callers from changing the fake's records.

func (s Span) clone() Span {
	s.Attributes, s.Resource = maps.Clone(s.Attributes), maps.Clone(s.Resource)
	s.Events = slices.Clone(s.Events)
	for i := range s.Events {
		s.Events[i].Attributes = maps.Clone(s.Events[i].Attributes)
	}
	return s
}

func (m Metric) clone() Metric {
	m.Resource = maps.Clone(m.Resource)
	m.Points = slices.Clone(m.Points)
	for i := range m.Points {
		m.Points[i].Attributes = maps.Clone(m.Points[i].Attributes)
	}
	return m
}

func (l LogRecord) clone() LogRecord {
	l.Attributes, l.Resource = maps.Clone(l.Attributes), maps.Clone(l.Resource)
	return l
}

// cloneAll copies a slice element by element with clone.
func cloneAll[T any](in []T, clone func(T) T) []T {
	out := make([]T, len(in))
	for i, v := range in {
		out[i] = clone(v)
	}
	return out
}
