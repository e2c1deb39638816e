package telemetry

import (
	"context"
	"fmt"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// instantModel is a zero-latency model for two turns: it calls
// run_readonly_sql with sql, and answers once the result is back.
type instantModel struct{ sql string }

func (m instantModel) GenerateContent(_ context.Context, messages []llms.MessageContent, _ ...llms.CallOption) (*llms.ContentResponse, error) {
	info := map[string]any{"PromptTokens": 1000, "CompletionTokens": 40, "Model": "gpt-4.1"}
	if messages[len(messages)-1].Role == llms.ChatMessageTypeTool {
		return &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: "*ios* leads.", StopReason: "stop", GenerationInfo: info}}}, nil
	}
	call := llms.ToolCall{ID: "call_1", Type: "function", FunctionCall: &llms.FunctionCall{
		Name: "run_readonly_sql", Arguments: fmt.Sprintf("{%q:%q}", "sql", m.sql)}}
	return &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "tool_calls", ToolCalls: []llms.ToolCall{call}, GenerationInfo: info}}}, nil
}

func (m instantModel) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, options...)
}

// discardSpans is a span exporter that drops what it is given, so the
// benchmark measures the SDK's work, not a collector's.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// benchProviders are the three ways the bot can run: no wrappers at all;
// wrapped with telemetry off (what Setup returns without an endpoint:
// spans never sampled, no-op meters); wrapped with telemetry on (every
// span sampled and batched to an exporter, metrics aggregated).
func benchProviders(b *testing.B) []struct {
	name string
	tp   trace.TracerProvider
	mp   metric.MeterProvider
} {
	off, err := Setup(context.Background(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{},
		sdktrace.WithMaxQueueSize(spanQueueSize), sdktrace.WithMaxExportBatchSize(spanBatchSize)))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return []struct {
		name string
		tp   trace.TracerProvider
		mp   metric.MeterProvider
	}{
		{"bare", nil, nil},
		{"off", off.TracerProvider(), off.MeterProvider()},
		{"on", tp, mp},
	}
}

// BenchmarkQuestion answers one question end to end (two model turns, one
// SQL statement on PostgreSQL, history read and written) against a
// zero-latency model, with tracing bare, off and on. The variants take
// turns question by question, so that a busy machine slows them alike;
// each reports its median wall-clock time (<variant>-ns/q) and process
// CPU time (<variant>-cpu-ns/q, which includes the exporter's work in the
// background), and the overheads of off and on over bare.
func BenchmarkQuestion(b *testing.B) {
	ctx := context.Background()
	var db *pgtest.DB // one database for every variant
	var variants []variant
	for _, p := range benchProviders(b) {
		opts := questionOptions(p.tp, p.mp)
		opts.DB, opts.Model = db, instantModel{sql: treeSQL}
		f := agenttest.New(b, opts)
		db = f.DB
		a := f.Agent
		tp, _ := orNoop(p.tp, nil) // the question's own span, as the server starts it
		tracer := tp.Tracer("bench")
		i := 0
		ask := func() {
			i++
			// A new thread each time, so the history read stays the same size.
			conv := history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: fmt.Sprintf("%s.%d", p.name, i), UserID: "U1"}
			qctx, span := tracer.Start(ctx, "invoke_agent analytics-bot")
			ans, err := a.Run(qctx, "which platform leads?", conv)
			span.End()
			if err != nil || ans.Result == nil {
				b.Fatalf("Run = %+v, %v", ans, err)
			}
		}
		ask() // warm the schema cache and the pools
		variants = append(variants, variant{name: p.name, run: ask})
	}
	interleave(b, "q", variants)
}

// variant is one way of doing the benchmarked operation.
type variant struct {
	name string
	run  func()
}

// interleave runs every variant once per iteration, in rotating order,
// and reports each one's median wall-clock and process CPU times, and the
// overhead of every variant over the first by both measures.
func interleave(b *testing.B, unit string, variants []variant) {
	b.Helper()
	wall := make([][]time.Duration, len(variants))
	cpu := make([][]time.Duration, len(variants))
	n := 0
	for b.Loop() {
		for k := range variants {
			i := (n + k) % len(variants)
			cpu0, start := processCPU(b), time.Now()
			variants[i].run()
			wall[i] = append(wall[i], time.Since(start))
			cpu[i] = append(cpu[i], processCPU(b)-cpu0)
		}
		n++
	}
	report := func(samples [][]time.Duration, measure string) {
		medians := make([]float64, len(variants))
		for i, v := range variants {
			slices.Sort(samples[i])
			medians[i] = float64(samples[i][len(samples[i])/2].Nanoseconds())
			b.ReportMetric(medians[i], v.name+measure+"-ns/"+unit)
			if i > 0 {
				b.ReportMetric(100*(medians[i]-medians[0])/medians[0], v.name+measure+"-overhead-%")
			}
		}
	}
	report(wall, "")
	report(cpu, "-cpu")
}

// processCPU is the user and system CPU time the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
