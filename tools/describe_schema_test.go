package tools_test

import (
	"context"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/tools"
)

func TestDescribeSchema(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "describe_schema")

	out := call(t, tl, map[string]any{"tables": []string{"app_metrics"}})
	if out.IsError || !strings.Contains(out.Text, "app_metrics") || !strings.Contains(out.Text, "revenue_usd") ||
		!strings.Contains(out.Text, "Daily active users") {
		t.Errorf("describe app_metrics:\n%s", out.Text)
	}
	all, err := tl.Call(context.Background(), nil) // no arguments at all
	if err != nil {
		t.Fatal(err)
	}
	if all.IsError || !strings.Contains(all.Text, "app_metrics") || strings.Contains(all.Text, "query_history") {
		t.Errorf("describe without arguments must list the readable tables only:\n%s", all.Text)
	}
	hidden := call(t, tl, map[string]any{"tables": []string{"query_history"}})
	if !hidden.IsError || !strings.Contains(hidden.Text, "app_metrics") {
		t.Errorf("describing a hidden table: %s", hidden.Text)
	}
}
