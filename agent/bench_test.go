package agent_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tiktoken-go/tokenizer"
	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
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
	timed := &timedModel{}
	f := agenttest.New(b, agenttest.Options{
		DemoDays: 365, DemoEnd: today.AddDate(0, 0, -1), Analyze: true, SchemaTTL: time.Hour,
		Now:       func() time.Time { return today },
		WrapModel: func(m llms.Model) llms.Model { timed.Model = m; return timed },
	})
	f.OpenAI.Handle(func(req fake.ChatRequest) fake.Response {
		if len(req.ToolResults()) == 0 {
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": dauByPlatform}))
		}
		return fake.Reply("iOS leads.")
	})
	a := f.Agent
	prompt, err := a.Prompt(ctx, "DAU by platform last week?", history.Conversation{})
	if err != nil {
		b.Fatal(err)
	}
	system := prompt.Messages[0].Content
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
