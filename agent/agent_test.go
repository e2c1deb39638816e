package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
)

var today = time.Date(2026, 7, 1, 9, 30, 0, 0, time.UTC)

// setup is the agent over 60 days of demo data ending the day before
// today, on a clock stopped at today, with at most 100 rows a query; opts
// adds what a test changes.
func setup(tb testing.TB, opts agenttest.Options) *agenttest.Fixture {
	tb.Helper()
	opts.DemoDays, opts.DemoEnd = 60, today.AddDate(0, 0, -1)
	opts.MaxRows = 100
	opts.Now = func() time.Time { return today }
	return agenttest.New(tb, opts)
}

var conv = history.Conversation{TeamID: "T1", ChannelID: "C1", ThreadTS: "1700000000.000100", UserID: "U1"}

const dauByPlatform = `SELECT platform, round(avg(dau)) AS avg_dau FROM (SELECT day, platform, sum(dau) AS dau FROM app_metrics WHERE day >= '2026-06-22' AND day < '2026-06-29' GROUP BY 1, 2) d GROUP BY platform ORDER BY platform`

func TestSimpleQuestion(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.Response{ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": dauByPlatform})},
			Usage: fake.Usage{PromptTokens: 1000, CachedTokens: 400, CompletionTokens: 50}},
		fake.Response{Content: "Average DAU last week: *ios* leads.", Usage: fake.Usage{PromptTokens: 1200, CompletionTokens: 30}},
	)
	ans, err := f.Agent.Run(context.Background(), "what was DAU by platform last week?", conv)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Text != "Average DAU last week: *ios* leads." || ans.Status != history.StatusAnswered {
		t.Errorf("answer = %q (%s)", ans.Text, ans.Status)
	}
	if ans.SQL != dauByPlatform || ans.Result == nil || len(ans.Result.Rows) != 3 {
		t.Fatalf("final SQL/result not kept: %q %+v", ans.SQL, ans.Result)
	}
	if ans.Turns != 2 || len(ans.ToolCalls) != 1 || ans.ToolCalls[0].Name != "run_readonly_sql" {
		t.Errorf("turns = %d, tool calls = %+v", ans.Turns, ans.ToolCalls)
	}
	wantUsage := agent.Usage{InputTokens: 2200, CachedInputTokens: 400, OutputTokens: 80}
	if ans.Usage != wantUsage {
		t.Errorf("usage = %+v, want %+v", ans.Usage, wantUsage)
	}
	// gpt-4.1: 1800 uncached × $2 + 400 cached × $0.50 + 80 out × $8, per million.
	if want := (1800*2.0 + 400*0.5 + 80*8.0) / 1e6; abs(ans.CostUSD-want) > 1e-12 {
		t.Errorf("cost = %v, want %v", ans.CostUSD, want)
	}

	reqs := f.OpenAI.Requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d, want 2", len(reqs))
	}
	first := reqs[0]
	if first.Model != "gpt-4.1" || first.Temperature == nil || *first.Temperature != 0 {
		t.Errorf("model/temperature not set explicitly: %q %v", first.Model, first.Temperature)
	}
	if got := strings.Join(first.ToolNames(), ","); got != "describe_schema,run_readonly_sql,fetch_history,export_csv" {
		t.Errorf("tools offered = %s", got)
	}
	if !strings.Contains(first.Messages[0].Content, "app_metrics") || first.Messages[0].Role != "system" {
		t.Error("the system prompt does not carry the schema summary")
	}

	// The second turn replays one assistant message with the tool call and
	// one tool message answering its id.
	second := reqs[1].Messages
	n := len(second)
	asst, tool := second[n-2], second[n-1]
	if asst.Role != "assistant" || len(asst.ToolCalls) != 1 {
		t.Fatalf("second-to-last message = %+v, want the assistant's tool call", asst)
	}
	if tool.Role != "tool" || tool.ToolCallID != asst.ToolCalls[0].ID || !strings.Contains(tool.Content, "<data>") {
		t.Errorf("tool message = %+v, want the result for %s", tool, asst.ToolCalls[0].ID)
	}

	rows, err := f.History.Recent(context.Background(), conv, 10)
	if err != nil || len(rows) != 1 {
		t.Fatalf("history rows = %d, err %v", len(rows), err)
	}
	h := rows[0]
	if h.SQL != dauByPlatform || h.RowCount != 3 || h.TokensIn != 2200 || h.TokensOut != 80 || h.Status != history.StatusAnswered || h.CostUSD == 0 {
		t.Errorf("history row = %+v", h)
	}
}

func TestParallelToolCalls(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.CallTools(
			fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT count(*) FROM app_metrics"}),
			fake.CallTool("describe_schema", map[string]any{"tables": []string{"app_metrics"}}),
		),
		fake.Reply("done"),
	)
	if _, err := f.Agent.Run(context.Background(), "how many rows?", conv); err != nil {
		t.Fatal(err)
	}
	msgs := f.OpenAI.Requests()[1].Messages
	n := len(msgs)
	asst := msgs[n-3]
	if asst.Role != "assistant" || len(asst.ToolCalls) != 2 {
		t.Fatalf("want one assistant message with both calls, got %+v", asst)
	}
	for i, m := range msgs[n-2:] {
		if m.Role != "tool" || m.ToolCallID != asst.ToolCalls[i].ID {
			t.Errorf("tool message %d = %+v, want the answer to %s", i, m, asst.ToolCalls[i].ID)
		}
	}
	if !strings.Contains(msgs[n-1].Content, "dau") {
		t.Errorf("describe_schema result missing columns: %s", msgs[n-1].Content)
	}
}

func TestBadSQLIsRepaired(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT sum(daus) FROM app_metrics"})),
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT sum(dau) FROM app_metrics"})),
		fake.Reply("fixed"),
	)
	ans, err := f.Agent.Run(context.Background(), "total dau", conv)
	if err != nil {
		t.Fatal(err)
	}
	feedback := lastMessage(f.OpenAI.Requests()[1])
	if !strings.Contains(feedback, `column "daus" does not exist`) || !strings.Contains(feedback, "Did you mean: dau") {
		t.Errorf("error given to the model = %q", feedback)
	}
	if ans.SQL != "SELECT sum(dau) FROM app_metrics" || !ans.ToolCalls[0].IsError || ans.ToolCalls[1].IsError {
		t.Errorf("final SQL = %q, calls = %+v", ans.SQL, ans.ToolCalls)
	}
}

func TestToolErrorsAreFedBack(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.CallTools(
			fake.ToolCall{Function: fake.FunctionCall{Name: "drop_everything", Arguments: "{}"}},
			fake.ToolCall{Function: fake.FunctionCall{Name: "run_readonly_sql", Arguments: "{not json"}},
			fake.CallTool("export_csv", map[string]string{"sql": "SELECT 1"}),
		),
		fake.Reply("sorry"),
	)
	ans, err := f.Agent.Run(context.Background(), "do it", conv)
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.OpenAI.Requests()[1].Messages
	results := msgs[len(msgs)-3:]
	for i, want := range []string{"no tool named", "not valid JSON", "not available"} {
		if !strings.Contains(results[i].Content, want) {
			t.Errorf("result %d = %q, want it to mention %q", i, results[i].Content, want)
		}
	}
	if ans.Text != "sorry" {
		t.Errorf("answer = %q", ans.Text)
	}
}

func TestTurnBudget(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{MaxTurns: 3})
	f.OpenAI.Handle(func(fake.ChatRequest) fake.Response {
		return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT 1 AS one"}))
	})
	ans, err := f.Agent.Run(context.Background(), "loop forever", conv)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Turns != 3 || ans.Status != history.StatusPartial {
		t.Errorf("turns = %d, status = %s; want 3, partial", ans.Turns, ans.Status)
	}
	if !strings.Contains(ans.Text, "limit of 3 steps") || ans.Result == nil {
		t.Errorf("partial answer = %q with result %v", ans.Text, ans.Result)
	}
}

func TestTokenBudget(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{MaxTokens: 5000})
	f.OpenAI.Handle(func(fake.ChatRequest) fake.Response {
		r := fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT 1 AS one"}))
		r.Usage = fake.Usage{PromptTokens: 3000, CompletionTokens: 10}
		return r
	})
	ans, err := f.Agent.Run(context.Background(), "expensive", conv)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Turns != 2 || ans.Status != history.StatusPartial || !strings.Contains(ans.Text, "token budget") {
		t.Errorf("turns = %d, status = %s, text = %q", ans.Turns, ans.Status, ans.Text)
	}
}

func TestRateLimitThenSuccess(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(fake.RateLimited("0"), fake.Error(503), fake.Reply("there you go"))
	ans, err := f.Agent.Run(context.Background(), "hello", conv)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Text != "there you go" || len(f.OpenAI.Requests()) != 3 || ans.Turns != 1 {
		t.Errorf("answer %q after %d requests, %d turns", ans.Text, len(f.OpenAI.Requests()), ans.Turns)
	}
}

func TestModelDownFailsClearlyAndIsRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{RetryDeadline: 300 * time.Millisecond})
	f.OpenAI.Handle(func(fake.ChatRequest) fake.Response { return fake.Error(500) })
	start := time.Now()
	ans, err := f.Agent.Run(context.Background(), "anyone there?", conv)
	if !errors.Is(err, agent.ErrModelUnavailable) {
		t.Fatalf("err = %v, want ErrModelUnavailable", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the failure took %s: it should end at the retry deadline", time.Since(start))
	}
	rows, err := f.History.Recent(context.Background(), conv, 1)
	if err != nil || len(rows) != 1 {
		t.Fatalf("history: %v, %d rows", err, len(rows))
	}
	if rows[0].Status != history.StatusFailed || rows[0].Error == "" || ans.Status != history.StatusFailed {
		t.Errorf("recorded %+v", rows[0])
	}
}

func TestFollowUpSeesEarlierTurn(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": dauByPlatform})),
		fake.Reply("iOS leads with 30k."),
		fake.Reply("By week it is…"),
	)
	ctx := context.Background()
	if _, err := f.Agent.Run(ctx, "DAU by platform last week?", conv); err != nil {
		t.Fatal(err)
	}
	other := conv
	other.ThreadTS = "1700000000.999999"
	f.OpenAI.Script(fake.Reply("fresh thread"))
	if _, err := f.Agent.Run(ctx, "and by week?", conv); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Agent.Run(ctx, "unrelated", other); err != nil {
		t.Fatal(err)
	}
	reqs := f.OpenAI.Requests()
	followUp := joined(reqs[2])
	for _, want := range []string{"DAU by platform last week?", "iOS leads with 30k.", dauByPlatform, "and by week?"} {
		if !strings.Contains(followUp, want) {
			t.Errorf("follow-up request lacks %q", want)
		}
	}
	if strings.Contains(joined(reqs[3]), "iOS leads") {
		t.Error("another thread saw this thread's history")
	}
}

func lastMessage(r fake.ChatRequest) string { return r.Messages[len(r.Messages)-1].Content }

func joined(r fake.ChatRequest) string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Content + "\n")
	}
	return b.String()
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestStoppedQuestionIsNotRecorded(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(fake.Response{Content: "too late", Delay: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := f.Agent.Run(ctx, "slow one", conv); err == nil {
		t.Fatal("a question stopped from outside succeeded")
	}
	rows, err := f.History.Recent(context.Background(), conv, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 0 {
		t.Errorf("a stopped question was recorded (%+v); its retry records it", rows)
	}
}
