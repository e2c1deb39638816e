package agent_test

import (
	"context"
	"sync"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/fake"
)

func TestStepsAreReportedAsTheyHappen(t *testing.T) {
	t.Parallel()
	f := setup(t, agenttest.Options{})
	f.OpenAI.Script(
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": dauByPlatform})),
		fake.Reply("ios leads."),
	)
	var mu sync.Mutex
	var steps []agent.Step
	ctx := agent.WithSteps(context.Background(), func(_ context.Context, s agent.Step) {
		mu.Lock()
		defer mu.Unlock()
		steps = append(steps, s)
	})
	if _, err := f.Agent.Run(ctx, "DAU by platform last week?", conv); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(steps) != 2 {
		t.Fatalf("steps = %+v, want the SQL call's start and end", steps)
	}
	start, end := steps[0], steps[1]
	if start.Done || start.Name != "run_readonly_sql" || start.Arguments == "" {
		t.Errorf("start = %+v", start)
	}
	if !end.Done || end.ID != start.ID || end.IsError || end.Summary == "" || end.RowCount != 3 {
		t.Errorf("end = %+v, want the same call done with 3 rows", end)
	}
}
