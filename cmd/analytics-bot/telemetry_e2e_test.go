package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// Secrets the traced bot is given; none may leave it in a span, a metric
// or a log line.
const (
	e2eBotToken     = "xoxb-e2e-7777-botsecret"
	e2eOpenAIKey    = "sk-e2e-openai-secret-9f8e7d6c5b4a"
	e2eLogfireToken = "pylf_v1_us_e2eLogfireSecret0123456789"
)

// fingerprintSQL returns, besides the numbers, a value per row that
// appears nowhere else (not in the SQL, the schema or the prompt), so
// finding it outside the model's own messages means result rows leaked.
const fingerprintSQL = "SELECT platform, sum(dau) AS dau, md5('row:' || platform) AS fingerprint FROM app_metrics GROUP BY platform ORDER BY platform"

const e2eQuestion = "which platform has the most users, traced?"

func TestOneQuestionIsOneTraceExportedOverOTLP(t *testing.T) {
	t.Parallel()
	collector := fake.NewOTLP(t)
	b := newTestBot(t, botOptions{noStart: true, env: map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
		"LOGFIRE_TOKEN":               e2eLogfireToken,
		"SLACK_BOT_TOKEN":             e2eBotToken,
		"OPENAI_API_KEY":              e2eOpenAIKey,
		"DEBUG":                       "true",
	}})
	logs := startCapturingLogs(b)

	scriptSQLAnswer(b.model, fingerprintSQL, "Most users: *ios*.")
	b.sendEvent(mention(e2eQuestion, "1700000900.000100", ""))
	b.waitForText("C100", "1700000900.000100", "Most users: *ios*.")
	b.stop() // shutting down flushes the span batch and the metrics

	spans := collector.Spans()
	tree := newSpanTree(spans)
	httpSpan := tree.one(t, func(s fake.Span) bool { return s.Name == "POST /slack/events" && s.Kind == "server" })
	question := tree.trace(httpSpan.TraceID)

	t.Run("one trace from the request to the answer", func(t *testing.T) {
		for _, s := range question {
			if root := tree.root(s); root.SpanID != httpSpan.SpanID {
				t.Errorf("span %q climbs to %q (%s), not to the HTTP span", s.Name, root.Name, root.SpanID)
			}
		}
		insert := tree.only(t, question, "river.insert_many")
		work := tree.only(t, question, "river.work/slack_work")
		tree.wantAncestor(t, insert, httpSpan)
		tree.wantAncestor(t, work, insert)
		if work.Kind != "consumer" || insert.Kind != "producer" {
			t.Errorf("kinds: insert %s, work %s; want producer, consumer", insert.Kind, work.Kind)
		}
	})

	t.Run("the question is an agent span with its text", func(t *testing.T) {
		work := tree.only(t, question, "river.work/slack_work")
		ask := tree.only(t, question, "invoke_agent analytics-bot")
		tree.wantAncestor(t, ask, work)
		for key, want := range map[string]any{
			"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "analytics-bot",
			"analytics_bot.question": e2eQuestion, "outcome": "answered",
			"gen_ai.usage.input_tokens": int64(2 * fake.DefaultPromptTokens),
		} {
			if ask.Attributes[key] != want {
				t.Errorf("%s = %v, want %v", key, ask.Attributes[key], want)
			}
		}
		for _, name := range []string{"chat gpt-4.1", "execute_tool run_readonly_sql"} {
			for _, s := range tree.named(question, name) {
				tree.wantAncestor(t, s, ask)
			}
		}
	})

	t.Run("model calls follow the GenAI conventions", func(t *testing.T) {
		chats := tree.named(question, "chat gpt-4.1")
		if len(chats) != 2 {
			t.Fatalf("%d chat gpt-4.1 spans in the question's trace, want 2", len(chats))
		}
		work := tree.only(t, question, "river.work/slack_work")
		reasons := map[string]bool{}
		for _, c := range chats {
			tree.wantAncestor(t, c, work)
			a := c.Attributes
			for key, want := range map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
				"gen_ai.request.model": "gpt-4.1", "gen_ai.usage.input_tokens": int64(fake.DefaultPromptTokens),
				"gen_ai.usage.output_tokens": int64(fake.DefaultCompletionTokens),
			} {
				if a[key] != want {
					t.Errorf("%s: %s = %v (%T), want %v", c.Name, key, a[key], a[key], want)
				}
			}
			if m, _ := a["gen_ai.response.model"].(string); !strings.HasPrefix(m, "gpt-4.1") {
				t.Errorf("gen_ai.response.model = %v", a["gen_ai.response.model"])
			}
			if cost, _ := a["analytics_bot.cost_usd"].(float64); cost <= 0 {
				t.Errorf("analytics_bot.cost_usd = %v, want a positive cost", a["analytics_bot.cost_usd"])
			}
			fr, _ := a["gen_ai.response.finish_reasons"].([]any)
			for _, r := range fr {
				reasons[fmt.Sprint(r)] = true
			}
			if c.Kind != "client" {
				t.Errorf("%s kind = %s, want client", c.Name, c.Kind)
			}
		}
		if !reasons["tool_calls"] || !reasons["stop"] {
			t.Errorf("finish reasons across the turns = %v, want tool_calls and stop", reasons)
		}
	})

	t.Run("the tool call and its SQL", func(t *testing.T) {
		tool := tree.only(t, question, "execute_tool run_readonly_sql")
		if tool.Attributes["gen_ai.tool.name"] != "run_readonly_sql" || tool.Attributes["db.query.text"] != fingerprintSQL {
			t.Errorf("tool span attributes = %v", tool.Attributes)
		}
		if tool.Attributes["analytics_bot.tool.row_count"] != int64(3) || tool.Attributes["analytics_bot.tool.truncated"] != false {
			t.Errorf("row count, truncated = %v, %v; want 3, false",
				tool.Attributes["analytics_bot.tool.row_count"], tool.Attributes["analytics_bot.tool.truncated"])
		}
		var statement bool
		for _, s := range question {
			if s.Kind == "client" && s.Attributes["db.query.text"] == fingerprintSQL {
				statement = true
				tree.wantAncestor(t, s, tool)
			}
		}
		if !statement {
			t.Errorf("no database span with the model's SQL among %v", spanNamesOf(question))
		}
		var bookkeeping bool // the job's own statements (replies, query_history)
		for _, s := range question {
			if q, ok := s.Attributes["db.query.text"].(string); ok && s.Scope != "github.com/analytics-bot/analytics-bot/telemetry" && strings.Contains(q, "query_history") {
				bookkeeping = true
			}
		}
		if !bookkeeping {
			t.Errorf("no database span writes query_history among %v", spanNamesOf(question))
		}
	})

	t.Run("Slack API calls are client spans of the job", func(t *testing.T) {
		work := tree.only(t, question, "river.work/slack_work")
		seen := map[string]bool{}
		for _, s := range question {
			u, _ := s.Attributes["url.full"].(string)
			if s.Kind != "client" || !strings.HasPrefix(u, b.slack.URL) {
				continue
			}
			method := strings.TrimPrefix(u, b.slack.URL)
			seen[method] = true
			if s.Name != "POST "+method {
				t.Errorf("Slack call span %q, want POST %s", s.Name, method)
			}
			tree.wantAncestor(t, s, work)
		}
		for _, method := range []string{"chat.startStream", "chat.appendStream", "chat.stopStream"} {
			if !seen[method] {
				t.Errorf("no client span for %s; Slack calls traced: %v", method, seen)
			}
		}
	})

	t.Run("metrics are flushed on shutdown", func(t *testing.T) {
		got := collector.MetricNames()
		for _, want := range []string{
			"analytics_bot.questions", "analytics_bot.question.duration", "analytics_bot.question.cost",
			"gen_ai.client.token.usage", "gen_ai.client.operation.duration", "analytics_bot.model.cost",
			"analytics_bot.tool.calls", "analytics_bot.slack.ack.duration", "analytics_bot.job.queue.depth",
		} {
			if !slices.Contains(got, want) {
				t.Errorf("metric %s not exported; got %v", want, got)
			}
		}
		for _, m := range collector.Metrics() {
			if m.Name != "analytics_bot.questions" {
				continue
			}
			for _, p := range m.Points {
				if p.Attributes["outcome"] != "answered" || p.Value != 1 {
					t.Errorf("questions point = %+v, want one answered", p)
				}
			}
		}
	})

	t.Run("Logfire token goes as the Authorization header", func(t *testing.T) {
		headers := collector.Headers()
		if len(headers) == 0 {
			t.Fatal("no export requests")
		}
		for _, h := range headers {
			if got := h.Get("Authorization"); got != e2eLogfireToken {
				t.Errorf("Authorization = %q, want the Logfire token", got)
			}
		}
	})

	t.Run("logs carry the trace and the debug level", func(t *testing.T) {
		var traced, debug bool
		for _, line := range logs.Lines() {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Errorf("log line is not JSON: %s", line)
				continue
			}
			if rec["trace_id"] == httpSpan.TraceID {
				traced = true
			}
			if rec["level"] == "DEBUG" {
				debug = true
			}
		}
		if !traced {
			t.Errorf("no log line carries the question's trace id %s", httpSpan.TraceID)
		}
		if !debug {
			t.Error("DEBUG=true logged no debug line")
		}
	})

	t.Run("question and SQL are recorded", func(t *testing.T) {
		exported := bytes.Join(collector.RawBodies(), nil)
		for _, want := range []string{fingerprintSQL, e2eQuestion} {
			if !bytes.Contains(exported, []byte(want)) {
				t.Errorf("%q not exported", want)
			}
		}
	})

	t.Run("no secret or result row leaves the process", func(t *testing.T) {
		secrets := map[string]string{
			"SLACK_BOT_TOKEN": e2eBotToken, "SLACK_SIGNING_SECRET": testSigningSecret,
			"OPENAI_API_KEY": e2eOpenAIKey, "LOGFIRE_TOKEN": e2eLogfireToken,
			"POSTGRES_READONLY_PASSWORD": pgtest.ReadonlyPassword,
		}
		if pw := b.env["POSTGRES_PASSWORD"]; pw != "" {
			secrets["POSTGRES_PASSWORD"] = pw
		}
		rows := map[string]string{}
		for _, platform := range []string{"android", "ios", "web"} {
			sum := md5.Sum([]byte("row:" + platform))
			rows["fingerprint of "+platform] = hex.EncodeToString(sum[:])
		}
		if !strings.Contains(string(b.slack.Messages()[0].Blocks), rows["fingerprint of ios"]) {
			t.Fatalf("the answer does not show the fingerprints, so their absence proves nothing: %s", b.slack.Messages()[0].Blocks)
		}
		for i, body := range collector.RawBodies() {
			for name, v := range secrets {
				if bytes.Contains(body, []byte(v)) {
					t.Errorf("export request %d carries %s", i, name)
				}
			}
			for name, v := range rows {
				if bytes.Contains(body, []byte(v)) {
					t.Errorf("export request %d carries a result row (%s)", i, name)
				}
			}
		}
		for _, line := range logs.Lines() {
			for name, v := range secrets {
				if strings.Contains(line, v) {
					t.Errorf("log line carries %s: %s", name, line)
				}
			}
			for name, v := range rows {
				if strings.Contains(line, v) {
					t.Errorf("log line carries a result row (%s): %s", name, line)
				}
			}
		}
	})
}

// TestConcurrentQuestionsKeepTheirOwnTraces sends a burst of questions, so
// that the queue batches their inserts: each job must still join the
// trace of the request that queued it.
func TestConcurrentQuestionsKeepTheirOwnTraces(t *testing.T) {
	t.Parallel()
	collector := fake.NewOTLP(t)
	// The burst comes from one user: lift the per-user cap, whose waiting
	// questions would each add a work span to their trace.
	b := newTestBot(t, botOptions{noStart: true, env: map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL, "MAX_QUESTIONS_PER_USER": "100",
	}})
	startCapturingLogs(b)
	b.model.Handle(func(req fake.ChatRequest) fake.Response {
		if len(req.ToolResults()) == 0 {
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL}))
		}
		return fake.Reply("Answered: " + req.LastUserMessage())
	})
	const n = 24
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { b.sendEvent(mention(fmt.Sprintf("burst %d", i), fmt.Sprintf("1700000950.%06d", i), "")) })
	}
	wg.Wait()
	b.slack.WaitFor(t, 30*time.Second, func(s *fake.Slack) bool {
		answered := 0
		for _, m := range s.Messages() {
			if strings.HasPrefix(m.Text, "Answered: ") {
				answered++
			}
		}
		return answered == n
	})
	b.stop()

	tree := newSpanTree(collector.Spans())
	requests := tree.named(tree.spans, "POST /slack/events")
	if len(requests) != n {
		t.Fatalf("%d HTTP spans, want %d", len(requests), n)
	}
	for _, req := range requests {
		if works := tree.named(tree.trace(req.TraceID), "river.work/slack_work"); len(works) != 1 {
			t.Errorf("trace %s has %d work spans, want its own job's", req.TraceID, len(works))
		}
	}
}

// startCapturingLogs boots b as testBot.start does, keeping a copy of the
// server's log for the test.
func startCapturingLogs(b *testBot) *fake.LogSink {
	b.t.Helper()
	logs := &fake.LogSink{}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := newServer(ctx, env{lookup: b.lookup, stdout: io.Discard, stderr: io.MultiWriter(logs, testWriter{b.t})}, roleAll)
	if err != nil {
		cancel()
		b.t.Fatalf("start server: %v", err)
	}
	b.url = "http://" + srv.Addr()
	b.srv = srv
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	b.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				b.t.Errorf("server: %v", err)
			}
		})
	}
	b.t.Cleanup(b.stop)
	return logs
}
