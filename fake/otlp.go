package fake

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// OTLP is a fake OTLP/HTTP collector for traces, metrics and logs, taking
// protobuf or JSON bodies, gzipped or not.
type OTLP struct {
	// URL is the base URL, for OTEL_EXPORTER_OTLP_ENDPOINT; signals are
	// posted to URL+"/v1/traces", "/v1/metrics" and "/v1/logs".
	URL string

	srv *httptest.Server

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every export
	spans   []Span
	metrics []Metric
	logs    []LogRecord
	headers []http.Header
	bodies  [][]byte
}

// signal is one OTLP endpoint: the request message it decodes and how the
// decoded request is stored.
type signal struct {
	newRequest  func() proto.Message
	newResponse func() proto.Message
	store       func(o *OTLP, req proto.Message)
}

var otlpSignals = map[string]signal{
	"/v1/traces": {
		newRequest:  func() proto.Message { return &coltrace.ExportTraceServiceRequest{} },
		newResponse: func() proto.Message { return &coltrace.ExportTraceServiceResponse{} },
		store: func(o *OTLP, req proto.Message) {
			o.spans = append(o.spans, spansOf(req.(*coltrace.ExportTraceServiceRequest))...)
		},
	},
	"/v1/metrics": {
		newRequest:  func() proto.Message { return &colmetrics.ExportMetricsServiceRequest{} },
		newResponse: func() proto.Message { return &colmetrics.ExportMetricsServiceResponse{} },
		store: func(o *OTLP, req proto.Message) {
			o.metrics = append(o.metrics, metricsOf(req.(*colmetrics.ExportMetricsServiceRequest))...)
		},
	},
	"/v1/logs": {
		newRequest:  func() proto.Message { return &collogs.ExportLogsServiceRequest{} },
		newResponse: func() proto.Message { return &collogs.ExportLogsServiceResponse{} },
		store: func(o *OTLP, req proto.Message) {
			o.logs = append(o.logs, logsOf(req.(*collogs.ExportLogsServiceRequest))...)
		},
	},
}

// NewOTLP starts a fake OTLP/HTTP collector that is closed when the test ends.
func NewOTLP(t testing.TB) *OTLP {
	t.Helper()
	o := &OTLP{changed: make(chan struct{})}
	o.srv = httptest.NewServer(http.HandlerFunc(o.serve))
	o.URL = o.srv.URL
	t.Cleanup(o.srv.Close)
	return o
}

func (o *OTLP) serve(w http.ResponseWriter, r *http.Request) {
	sig, ok := otlpSignals[r.URL.Path]
	if !ok || r.Method != http.MethodPost {
		http.Error(w, "fake otlp: unknown endpoint "+r.Method+" "+r.URL.Path, http.StatusNotFound)
		return
	}
	body, err := readOTLPBody(r)
	if err != nil {
		http.Error(w, "fake otlp: "+err.Error(), http.StatusBadRequest)
		return
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	req := sig.newRequest()
	switch mediaType {
	case "application/x-protobuf":
		err = proto.Unmarshal(body, req)
	case "application/json":
		err = unmarshalOTLPJSON(body, req)
	default:
		http.Error(w, "fake otlp: unsupported content type "+mediaType, http.StatusUnsupportedMediaType)
		return
	}
	if err != nil {
		http.Error(w, "fake otlp: decode "+r.URL.Path+": "+err.Error(), http.StatusBadRequest)
		return
	}

	o.mu.Lock()
	sig.store(o, req)
	o.headers = append(o.headers, r.Header.Clone())
	o.bodies = append(o.bodies, body)
	close(o.changed)
	o.changed = make(chan struct{})
	o.mu.Unlock()

	var out []byte
	if mediaType == "application/json" {
		out, err = protojson.Marshal(sig.newResponse())
	} else {
		out, err = proto.Marshal(sig.newResponse())
	}
	if err != nil {
		http.Error(w, "fake otlp: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	_, _ = w.Write(out)
}

// readOTLPBody returns the request body, gunzipped if it was sent gzipped.
func readOTLPBody(r *http.Request) ([]byte, error) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if r.Header.Get("Content-Encoding") != "gzip" {
		return raw, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("gunzip body: %w", err)
	}
	defer zr.Close()
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gunzip body: %w", err)
	}
	return body, nil
}

// Spans returns the spans received, in arrival order.
func (o *OTLP) Spans() []Span {
	o.mu.Lock()
	defer o.mu.Unlock()
	return cloneAll(o.spans, Span.clone)
}

// Metrics returns the metrics received, one entry per metric per export.
func (o *OTLP) Metrics() []Metric {
	o.mu.Lock()
	defer o.mu.Unlock()
	return cloneAll(o.metrics, Metric.clone)
}

// MetricNames returns the distinct metric names received, in first-seen order.
func (o *OTLP) MetricNames() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var names []string
	for _, m := range o.metrics {
		if !slices.Contains(names, m.Name) {
			names = append(names, m.Name)
		}
	}
	return names
}

// LogRecords returns the log records received, in arrival order.
func (o *OTLP) LogRecords() []LogRecord {
	o.mu.Lock()
	defer o.mu.Unlock()
	return cloneAll(o.logs, LogRecord.clone)
}

// Headers returns the HTTP headers of every export request, in order.
func (o *OTLP) Headers() []http.Header {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]http.Header, len(o.headers))
	for i, h := range o.headers {
		out[i] = h.Clone()
	}
	return out
}

// RawBodies returns every export request's body, gunzipped, so that tests
// can scan what left the process (for secrets, say).
func (o *OTLP) RawBodies() [][]byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([][]byte, len(o.bodies))
	for i, b := range o.bodies {
		out[i] = slices.Clone(b)
	}
	return out
}

// WaitFor blocks until cond holds, re-checking it after every export (and
// every 50 ms); it fails the test if timeout passes first.
func (o *OTLP) WaitFor(t testing.TB, timeout time.Duration, cond func(*OTLP) bool) {
	t.Helper()
	if !waitFor(timeout, o.changedChan, func() bool { return cond(o) }) {
		o.mu.Lock()
		n, m, l := len(o.spans), len(o.metrics), len(o.logs)
		o.mu.Unlock()
		t.Fatalf("fake otlp: condition not met within %v; received %d spans, %d metrics, %d log records", timeout, n, m, l)
	}
}

// changedChan is the channel closed on the next export.
func (o *OTLP) changedChan() <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.changed
}
