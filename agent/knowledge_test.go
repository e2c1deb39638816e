package agent_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
)

// verifiedDAU is the demo knowledge's SQL for "what was DAU by platform
// last week?", written as a model might: other case, spacing, a semicolon.
const verifiedDAU = `select platform, round(avg(dau))::bigint as avg_daily_active_users
from (select day, platform, sum(dau) as dau from app_metrics
      where day >= date_trunc('week', current_date)::date - 7 and day < date_trunc('week', current_date)::date
      group by day, platform) daily
group by platform order by avg_daily_active_users desc;`

// setupToday is the agent with the demo knowledge over demo data ending
// yesterday, since verified queries use current_date.
func setupToday(tb testing.TB, opts agenttest.Options) *agenttest.Fixture {
	tb.Helper()
	opts.DemoDays = 30
	return agenttest.New(tb, opts)
}

func TestAnExactMatchIsAnsweredWithNoModelRequest(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true})
	ans, err := f.Agent.Run(context.Background(), "  What was DAU by platform, last week", conv)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.OpenAI.Requests()); n != 0 {
		t.Fatalf("%d model requests, want none", n)
	}
	if !ans.NoModel || ans.Verified == nil || !ans.Verified.Exact || ans.Verified.ID != "dau-by-platform-last-week" {
		t.Fatalf("answer not marked as verified with no model: %+v", ans)
	}
	if ans.CostUSD != 0 || ans.Usage.Total() != 0 || ans.Status != history.StatusAnswered || ans.HistoryID == 0 {
		t.Errorf("cost %v, usage %+v, status %s, history %d", ans.CostUSD, ans.Usage, ans.Status, ans.HistoryID)
	}
	if ans.Result == nil || len(ans.Result.Rows) != 3 || !strings.Contains(ans.Text, "Average daily active users per platform") {
		t.Errorf("result %+v, text %q", ans.Result, ans.Text)
	}
	var verifiedID string
	if err := f.DB.Pool.QueryRow(context.Background(), "SELECT verified_id FROM analytics_bot.query_history WHERE id = $1", ans.HistoryID).Scan(&verifiedID); err != nil || verifiedID != "dau-by-platform-last-week" {
		t.Errorf("query_history.verified_id = %q, %v", verifiedID, err)
	}
}

func TestAnExactMatchNeedsNoModelAtAll(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true, NoModel: true})
	ans, err := f.Agent.Run(context.Background(), "how many daily active users did we have yesterday", conv)
	if err != nil || ans.Result == nil || len(ans.Result.Rows) != 1 || !strings.HasPrefix(ans.Text, "*Daily active users yesterday") {
		t.Fatalf("answer %+v, %v", ans, err)
	}
	_, err = f.Agent.Run(context.Background(), "how many daily active users did we have the day before yesterday", conv)
	if !errors.Is(err, agent.ErrNoModel) || !strings.Contains(agent.FailureReason(err), "OPENAI_API_KEY") {
		t.Fatalf("a question with no exact match and no model: %v", err)
	}
}

func TestANearMatchGoesToTheModelWithTheRetrievedKnowledge(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true})
	f.OpenAI.Script(
		fake.Response{ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": verifiedDAU})}},
		fake.Response{Content: "Average DAU by platform last week."},
	)
	ans, err := f.Agent.Run(context.Background(), "what were daily active users by platform in the previous week?", conv)
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.OpenAI.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d model requests, want 2", len(reqs))
	}
	system := reqs[0].SystemPrompt()
	for _, want := range []string{"## Team knowledge", "[dau-by-platform-last-week]", "- DAU (also: daily active users"} {
		if !strings.Contains(system, want) {
			t.Errorf("the prompt lacks %q:\n%s", want, system)
		}
	}
	// The knowledge follows the stable part, so the prompt cache still works.
	if reqs[0].Messages[0].Role != "system" || strings.Contains(reqs[0].Messages[0].Content, "Team knowledge") {
		t.Error("the knowledge must not be inside the stable system prompt")
	}
	if ans.NoModel || ans.Verified == nil || ans.Verified.ID != "dau-by-platform-last-week" || ans.Verified.Exact {
		t.Errorf("the model ran the verified SQL unchanged: want the badge, got %+v", ans.Verified)
	}
	var verifiedID string
	if err := f.DB.Pool.QueryRow(context.Background(), "SELECT verified_id FROM analytics_bot.query_history WHERE id = $1", ans.HistoryID).Scan(&verifiedID); err != nil || verifiedID != "dau-by-platform-last-week" {
		t.Errorf("query_history.verified_id = %q, %v", verifiedID, err)
	}
}

func TestNoBadgeWhenTheModelChangedTheSQL(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true})
	changed := strings.Replace(verifiedDAU, "- 7", "- 14", 1)
	f.OpenAI.Script(
		fake.Response{ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": changed})}},
		fake.Response{Content: "DAU two weeks ago."},
	)
	ans, err := f.Agent.Run(context.Background(), "what was DAU by platform two weeks ago?", conv)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Verified != nil {
		t.Errorf("changed SQL must not carry the badge: %+v", ans.Verified)
	}
}

func TestFollowUpsAreNotExactMatchesAndRetrieveWithTheThread(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true})
	thread := conv
	thread.ThreadTS = "1700000000.000777"
	if _, err := f.Agent.Run(context.Background(), "what was revenue by platform last week?", thread); err != nil {
		t.Fatal(err)
	}
	f.OpenAI.Script(fake.Response{Content: "By country, then."})
	ans, err := f.Agent.Run(context.Background(), "and by country?", thread)
	if err != nil || ans.NoModel {
		t.Fatalf("a follow-up goes to the model: %+v %v", ans, err)
	}
	reqs := f.OpenAI.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	if system := reqs[0].SystemPrompt(); !strings.Contains(system, "[revenue-by-platform-last-week]") {
		t.Errorf("the follow-up's retrieval ignored the thread's earlier question:\n%s", system)
	}
	// Even the text of a verified question is not exact inside a thread.
	f.OpenAI.Script(fake.Response{Content: "Here."})
	if ans, _ := f.Agent.Run(context.Background(), "What was DAU by platform last week?", thread); ans.NoModel {
		t.Error("a follow-up must not be answered without the model")
	}
}

func TestACuratorsApprovalChangesTheNextPrompt(t *testing.T) {
	t.Parallel()
	f := setupToday(t, agenttest.Options{Knowledge: true})
	question := "How many crashes did android have in the last 7 days?"
	f.OpenAI.Handle(func(fake.ChatRequest) fake.Response { return fake.Response{Content: "ok"} })
	if _, err := f.Agent.Run(context.Background(), question, conv); err != nil {
		t.Fatal(err)
	}
	before := f.OpenAI.Requests()[0].SystemPrompt()
	p, err := f.Knowledge.Propose(context.Background(), knowledge.Proposal{
		Question: question, SQL: "SELECT sum(crashes) FROM app_metrics WHERE platform = 'android' AND day >= current_date - 7", HistoryID: 1, By: "UCUR",
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Knowledge.Review(context.Background(), p.ID, "UCUR", true); err != nil {
		t.Fatal(err)
	}
	other := conv
	other.ThreadTS = "1700000000.000999"
	if _, err := f.Agent.Run(context.Background(), "android crashes over the last 7 days", other); err != nil {
		t.Fatal(err)
	}
	reqs := f.OpenAI.Requests()
	after := reqs[len(reqs)-1].SystemPrompt()
	if strings.Contains(before, p.ID) || !strings.Contains(after, "["+p.ID+"]") {
		t.Errorf("the approved entry %s must appear in the next prompt only:\nbefore:\n%s\nafter:\n%s", p.ID, before, after)
	}
}
