package agent_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tiktoken-go/tokenizer"
	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/llm"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/prompts"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/tools"
)

// timedModel sums the time spent inside the model, so the benchmark can
// report the time spent outside it.
type timedModel struct {
	llms.Model
	mu    sync.Mutex
	spent time.Duration
}

func (m *timedModel) GenerateContent(ctx context.Context, msgs []llms.MessageContent, opts ...llms.CallOption) (*llms.ContentResponse, error) {
	start := time.Now()
	resp, err := m.Model.GenerateContent(ctx, msgs, opts...)
	m.mu.Lock()
	m.spent += time.Since(start)
	m.mu.Unlock()
	return resp, err
}

func (m *timedModel) take() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	d := m.spent
	m.spent = 0
	return d
}

// BenchmarkQuestionOutsideModel runs one full question (two turns, one SQL
// over a year of demo data) against a zero-latency fake model and reports
// the time spent outside the model, p50 (goal: under 10 ms), and the
// rendered system prompt's size in o200k_base tokens.
func BenchmarkQuestionOutsideModel(b *testing.B) {
	ctx := context.Background()
	db := pgtest.NewMigrated(b)
	if _, err := demodata.Load(ctx, db.Pool, 365, today.AddDate(0, 0, -1)); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "ANALYZE app_metrics"); err != nil {
		b.Fatal(err)
	}
	model := fake.NewOpenAI(b)
	model.Handle(func(req fake.ChatRequest) fake.Response {
		if len(req.ToolResults()) == 0 {
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": dauByPlatform}))
		}
		return fake.Reply("iOS leads.")
	})
	client, err := llm.New(llm.Options{BaseURL: model.URL, APIKey: "sk-test", Model: "gpt-4.1"})
	if err != nil {
		b.Fatal(err)
	}
	timed := &timedModel{Model: client}
	ps, err := prompts.Load("")
	if err != nil {
		b.Fatal(err)
	}
	ro := readonly.New(db.Readonly, readonly.Options{})
	catalog := schema.NewCache(db.Readonly, time.Hour, slog.New(slog.DiscardHandler))
	store := history.NewStore(db.Pool)
	deps := tools.Deps{Catalog: catalog, DB: ro, Exporter: ro, History: store}
	a, err := agent.New(agent.Options{
		Model: timed, ModelName: "gpt-4.1", Prompts: ps, Catalog: catalog, Memory: store, Recorder: store,
		Now:   func() time.Time { return today },
		Tools: func(conv history.Conversation) []tools.Tool { return tools.NewSet(deps, conv).Tools() },
	})
	if err != nil {
		b.Fatal(err)
	}
	system, err := a.SystemPrompt(ctx)
	if err != nil {
		b.Fatal(err)
	}
	enc, err := tokenizer.Get(tokenizer.O200kBase)
	if err != nil {
		b.Fatal(err)
	}
	ids, _, _ := enc.Encode(system)

	var outside []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		conv := history.Conversation{TeamID: "T", ChannelID: "C", ThreadTS: fmt.Sprint(i), UserID: "U"}
		start := time.Now()
		if _, err := a.Run(ctx, "DAU by platform last week?", conv); err != nil {
			b.Fatal(err)
		}
		outside = append(outside, time.Since(start)-timed.take())
	}
	slices.Sort(outside)
	b.ReportMetric(float64(outside[len(outside)/2].Microseconds())/1000, "ms-outside-model-p50")
	b.ReportMetric(float64(len(ids)), "system-prompt-tokens")
}
