package agent_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
)

func TestToolCallsOverThePerTurnCapAreRefused(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	calls := make([]fake.ToolCall, 20)
	for i := range calls {
		calls[i] = fake.CallTool("run_readonly_sql", map[string]string{"sql": fmt.Sprintf("SELECT %d AS n", i)})
	}
	f.OpenAI.Script(fake.CallTools(calls...), fake.Reply("done"))
	ans, err := f.Agent.Run(context.Background(), "flood", conv)
	if err != nil {
		t.Fatal(err)
	}
	msgs := f.OpenAI.Requests()[1].Messages
	results := msgs[len(msgs)-20:]
	for i, m := range results {
		refused := strings.Contains(m.Content, "MAX_TOOL_CALLS_PER_TURN")
		if i < 16 && (refused || !strings.Contains(m.Content, "rows: 1")) {
			t.Errorf("call %d: %q, want it run", i, m.Content)
		}
		if i >= 16 && !refused {
			t.Errorf("call %d: %q, want it refused naming MAX_TOOL_CALLS_PER_TURN", i, m.Content)
		}
	}
	if len(ans.ToolCalls) != 20 || !ans.ToolCalls[19].IsError {
		t.Errorf("recorded %d tool calls, the last %+v; want 20 with the refused ones as errors", len(ans.ToolCalls), ans.ToolCalls[len(ans.ToolCalls)-1])
	}
}
