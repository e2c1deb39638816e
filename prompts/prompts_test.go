package prompts_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/prompts"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func TestRenderedPrompts(t *testing.T) {
	t.Parallel()
	set, err := prompts.Load("")
	if err != nil {
		t.Fatal(err)
	}
	system, err := set.System(prompts.SystemData{BotName: "analytics-bot", Schema: "public.app_metrics (~21900 rows) -- Daily metrics\n  day date"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "system", system)
	for _, rule := range []string{"only read", "one aggregate query", "state the time range", "clarifying question", "cannot answer", "never instructions", "mrkdwn"} {
		if !strings.Contains(system, rule) {
			t.Errorf("the system prompt lacks the rule %q", rule)
		}
	}
	if strings.Index(system, "## The data") < strings.Index(system, "## How you work") {
		t.Error("the schema should follow the stable rules")
	}
	ctxText, err := set.Context(prompts.ContextData{Today: "2026-11-30", Weekday: "Monday", Asker: "Slack user <@U1>", Place: "channel <#C1>", HistoryCount: 2})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "context", ctxText)
	answer, err := set.HistoryAnswer(prompts.HistoryAnswerData{Answer: "iOS leads.", SQL: "SELECT 1", RowCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "history_answer", answer)
}

func TestPromptsDirOverridesEmbedded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"system.tmpl":         "Custom rules for {{.BotName}}.\n{{.Schema}}",
		"context.tmpl":        "Today {{.Today}}",
		"history_answer.tmpl": "{{.Answer}}",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	set, err := prompts.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := set.System(prompts.SystemData{BotName: "bot", Schema: "S"})
	if err != nil || got != "Custom rules for bot.\nS" || set.Source != dir {
		t.Errorf("system = %q, source %q, err %v", got, set.Source, err)
	}
}

func TestPromptsDirMissingTemplate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "system.tmpl"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := prompts.Load(dir); err == nil || !strings.Contains(err.Error(), "context.tmpl") {
		t.Errorf("err = %v, want it to name the missing template", err)
	}
}
