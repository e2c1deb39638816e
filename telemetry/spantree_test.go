package telemetry

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/tools"
)

// treeSQL is the statement the scripted model runs. Its fingerprint
// column holds values found nowhere but in the result rows.
const treeSQL = "SELECT platform, sum(dau) AS dau, md5('tree:' || platform) AS fingerprint FROM app_metrics GROUP BY platform ORDER BY platform"

var treeConv = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}

// questionOptions builds the agent as the server does, over 30 days of
// demo data: with tp set, the model is wrapped by TraceModel, every tool
// by TraceTool and both pools traced by PGXTracer; with tp nil, nothing
// is wrapped.
func questionOptions(tp trace.TracerProvider, mp metric.MeterProvider) agenttest.Options {
	traced := func(cfg *pgxpool.Config) {
		if tp != nil {
			cfg.ConnConfig.Tracer = PGXTracer(tp)
		}
	}
	opts := agenttest.Options{
		DemoDays: 30, DemoEnd: time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC),
		APIKey: testAPIKey, MaxRows: 100, ConfigureOwnerPool: traced, ConfigureReadonlyPool: traced,
	}
	if tp != nil {
		prices := agent.DefaultPrices()
		opts.WrapModel = func(model llms.Model) llms.Model {
			return TraceModel(model, tp, mp, ModelOptions{Model: "gpt-4.1", Provider: "openai",
				Cost: func(m string, in, cached, out int) float64 {
					return prices.Cost(m, agent.Usage{InputTokens: in, CachedInputTokens: cached, OutputTokens: out})
				}})
		}
		opts.WrapTool = func(t tools.Tool) tools.Tool { return TraceTool(t, tp, mp) }
	}
	return opts
}

func TestSpanTreeOfOneQuestion(t *testing.T) {
	t.Parallel()
	r := newRecorders(t)
	f := agenttest.New(t, questionOptions(r.tp, r.mp))
	a, openAI := f.Agent, f.OpenAI
	openAI.Script(
		fake.Response{ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": treeSQL})},
			Usage: fake.Usage{PromptTokens: 1000, CachedTokens: 400, CompletionTokens: 50}},
		fake.Response{Content: "*ios* leads.", Usage: fake.Usage{PromptTokens: 1200, CompletionTokens: 30}},
	)

	ctx, root := r.tp.Tracer("test").Start(context.Background(), "invoke_agent analytics-bot")
	ans, err := a.Run(ctx, "which platform leads?", treeConv)
	root.End()
	if err != nil || ans.Result == nil || len(ans.Result.Rows) != 3 {
		t.Fatalf("Run = %+v, %v; want an answer with three rows", ans, err)
	}

	spans := r.spans.Ended()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
	}
	rootID := root.SpanContext().SpanID()
	under := func(s sdktrace.ReadOnlySpan, anc trace.SpanID) bool {
		for p := s.Parent().SpanID(); p.IsValid(); {
			if p == anc {
				return true
			}
			parent, ok := byID[p]
			if !ok {
				return false
			}
			p = parent.Parent().SpanID()
		}
		return false
	}
	named := func(name string) []sdktrace.ReadOnlySpan {
		var out []sdktrace.ReadOnlySpan
		for _, s := range spans {
			if s.Name() == name {
				out = append(out, s)
			}
		}
		return out
	}

	t.Run("one trace under the question", func(t *testing.T) {
		for _, s := range spans {
			if s.SpanContext().TraceID() != root.SpanContext().TraceID() {
				t.Errorf("span %q is in trace %s, not the question's", s.Name(), s.SpanContext().TraceID())
			}
			if s.SpanContext().SpanID() != rootID && !under(s, rootID) {
				t.Errorf("span %q does not descend from the question span", s.Name())
			}
		}
	})

	chats := named("chat gpt-4.1")
	tool := named("execute_tool run_readonly_sql")
	if len(chats) != 2 || len(tool) != 1 {
		t.Fatalf("%d chat and %d tool spans, want 2 and 1; spans: %v", len(chats), len(tool), spanNames(spans))
	}
	slices.SortFunc(chats, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })

	t.Run("model turns", func(t *testing.T) {
		want := []struct {
			in, cached, out int
			finish          string
		}{{1000, 400, 50, "tool_calls"}, {1200, 0, 30, "stop"}}
		for i, c := range chats {
			if c.Parent().SpanID() != rootID || c.SpanKind() != trace.SpanKindClient {
				t.Errorf("turn %d: parent %s, kind %s; want a client child of the question", i+1, c.Parent().SpanID(), c.SpanKind())
			}
			kv := c.Attributes()
			wantAttr(t, kv, semconv.GenAIOperationNameKey, "chat")
			wantAttr(t, kv, semconv.GenAIProviderNameKey, "openai")
			wantAttr(t, kv, semconv.GenAIRequestModelKey, "gpt-4.1")
			wantAttr(t, kv, semconv.GenAIResponseModelKey, "gpt-4.1")
			wantAttr(t, kv, semconv.GenAIUsageInputTokensKey, int64(want[i].in))
			wantAttr(t, kv, semconv.GenAIUsageOutputTokensKey, int64(want[i].out))
			wantAttr(t, kv, semconv.GenAIUsageCacheReadInputTokensKey, int64(want[i].cached))
			wantAttr(t, kv, semconv.GenAIResponseFinishReasonsKey, []string{want[i].finish})
			cost := agent.DefaultPrices().Cost("gpt-4.1", agent.Usage{InputTokens: want[i].in, CachedInputTokens: want[i].cached, OutputTokens: want[i].out})
			wantAttr(t, kv, CostKey, cost)
		}
		if !chats[0].EndTime().Before(tool[0].StartTime()) || !tool[0].EndTime().Before(chats[1].StartTime()) {
			t.Error("spans out of order: want turn 1, then the tool, then turn 2")
		}
	})

	t.Run("tool call and its statement", func(t *testing.T) {
		s := tool[0]
		if s.Parent().SpanID() != rootID {
			t.Errorf("tool span's parent is %s, want the question", s.Parent().SpanID())
		}
		kv := s.Attributes()
		wantAttr(t, kv, semconv.GenAIOperationNameKey, "execute_tool")
		wantAttr(t, kv, semconv.GenAIToolNameKey, "run_readonly_sql")
		wantAttr(t, kv, semconv.DBQueryTextKey, treeSQL)
		wantAttr(t, kv, RowCountKey, int64(3))
		wantAttr(t, kv, TruncatedKey, false)

		var direct bool
		for _, db := range spans {
			if attrs(db.Attributes())[semconv.DBQueryTextKey].AsString() == treeSQL && db.SpanKind() == trace.SpanKindClient {
				direct = direct || db.Parent().SpanID() == s.SpanContext().SpanID()
				if !under(db, s.SpanContext().SpanID()) {
					t.Errorf("statement span %q is not under the tool span", db.Name())
				}
			}
		}
		if !direct {
			t.Errorf("no database span with the model's SQL directly under the tool span; spans: %v", spanNames(spans))
		}
	})

	t.Run("history is written inside the question", func(t *testing.T) {
		var insert bool
		for _, s := range spans {
			if strings.Contains(attrs(s.Attributes())[semconv.DBQueryTextKey].AsString(), "INSERT INTO analytics_bot.query_history") {
				insert = insert || s.Parent().SpanID() == rootID
			}
		}
		if !insert {
			t.Errorf("no query_history INSERT span directly under the question; spans: %v", spanNames(spans))
		}
	})

	t.Run("no rows and no key in any attribute or event", func(t *testing.T) {
		var leaks []string
		for _, p := range []string{"android", "ios", "web"} {
			sum := md5.Sum([]byte("tree:" + p))
			leaks = append(leaks, hex.EncodeToString(sum[:]))
		}
		leaks = append(leaks, testAPIKey)
		for _, s := range spans {
			all := slices.Clone(s.Attributes())
			for _, e := range s.Events() {
				all = append(all, e.Attributes...)
			}
			for _, kv := range all {
				for _, leak := range leaks {
					if strings.Contains(kv.Value.Emit(), leak) {
						t.Errorf("span %q attribute %s carries %q", s.Name(), kv.Key, leak)
					}
				}
			}
		}
	})

	t.Run("metrics", func(t *testing.T) {
		usage := r.metric(t, "gen_ai.client.token.usage").Data.(metricdata.Histogram[int64])
		sums := map[string]int64{}
		for _, p := range usage.DataPoints {
			v, _ := p.Attributes.Value(semconv.GenAITokenTypeKey)
			sums[v.AsString()] += p.Sum
		}
		if sums["input"] != 2200 || sums["output"] != 80 {
			t.Errorf("token usage = %v, want input 2200, output 80", sums)
		}
		calls := r.metric(t, "analytics_bot.tool.calls").Data.(metricdata.Sum[int64])
		if len(calls.DataPoints) != 1 || calls.DataPoints[0].Value != 1 {
			t.Errorf("tool calls = %+v, want one ok call", calls.DataPoints)
		}
	})
}

func spanNames(spans []sdktrace.ReadOnlySpan) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Name()
	}
	return out
}
