package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
)

// promptJSON runs `prompt QUESTION --json` and decodes its one object.
func promptJSON(t *testing.T, env map[string]string, question string, args ...string) (map[string]json.RawMessage, agent.Prompt) {
	t.Helper()
	r := runCLI(t, env, append([]string{"prompt", question, "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("prompt: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &fields); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	var p agent.Prompt
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil {
		t.Fatal(err)
	}
	return fields, p
}

func TestCLIPromptWithoutAPIKey(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	delete(b.env, "OPENAI_API_KEY")
	fields, p := promptJSON(t, b.env, "what is DAU by platform?")
	for _, key := range []string{"messages", "tokens", "tables", "verified", "glossary"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("the JSON lacks %q", key)
		}
	}
	// The built-in knowledge: the verified query and the term the
	// question names, in a system message after the stable part.
	if len(p.Verified) == 0 || p.Verified[0].ID != "dau-by-platform-last-week" || p.Verified[0].Score <= 0 {
		t.Errorf("verified = %s, want dau-by-platform-last-week first with a score", fields["verified"])
	}
	if len(p.Glossary) == 0 || p.Glossary[0].Term != "DAU" {
		t.Errorf("glossary = %s, want DAU", fields["glossary"])
	}
	if len(p.Messages) != 4 || p.Messages[0].Role != "system" || !strings.HasPrefix(p.Messages[2].Content, "## Team knowledge") ||
		p.Messages[3].Role != "user" || p.Messages[3].Content != "what is DAU by platform?" {
		t.Fatalf("messages = %+v", p.Messages)
	}
	if p.Messages[2].Tokens > 600 {
		t.Errorf("the knowledge adds %d tokens, over its budget of 600", p.Messages[2].Tokens)
	}
	t.Logf("knowledge adds %d tokens to the demo prompt", p.Messages[2].Tokens)

	// With no knowledge, the lists are empty.
	b.env["KNOWLEDGE_DIR"] = t.TempDir()
	fields, p = promptJSON(t, b.env, "what is DAU by platform?")
	if string(fields["verified"]) != "[]" || string(fields["glossary"]) != "[]" || len(p.Messages) != 3 {
		t.Errorf("verified %s, glossary %s, %d messages; want empty lists and no knowledge message", fields["verified"], fields["glossary"], len(p.Messages))
	}
	delete(b.env, "KNOWLEDGE_DIR")
	if !strings.Contains(p.Messages[0].Content, "public.app_metrics (") || !strings.Contains(p.Messages[0].Content, "<data>") {
		t.Errorf("the system prompt lacks the framed schema:\n%s", p.Messages[0].Content)
	}
	sum := 0
	for _, m := range p.Messages {
		if m.Tokens <= 0 {
			t.Errorf("message %q has %d tokens", m.Role, m.Tokens)
		}
		sum += m.Tokens
	}
	if p.Tokens <= sum {
		t.Errorf("total %d tokens, want the messages' %d plus overhead", p.Tokens, sum)
	}
	found := false
	for _, tb := range p.Tables {
		found = found || tb.Name == "public.app_metrics" && tb.Detail == "full"
	}
	if !found {
		t.Errorf("tables = %+v, want public.app_metrics in full", p.Tables)
	}
	if len(b.model.Requests()) != 0 {
		t.Error("prompt called the model")
	}

	r := runCLI(t, b.env, "prompt", "what is DAU by platform?")
	if r.code != 0 || !strings.Contains(r.stdout, "── message 1: system,") || !strings.Contains(r.stdout, "total: ") {
		t.Errorf("text output, exit %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// The prompt command prints exactly the messages ask sends.
func TestCLIPromptIsWhatTheModelReceives(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.scriptAnswer(cliPlatformSQL, "ios leads.")
	_, first := b.askJSON(t, "what is DAU by platform?")
	_, p := promptJSON(t, b.env, "and by country?", "--thread", first.Thread)

	b.scriptAnswer(cliPlatformSQL, "DE leads.")
	b.askJSON(t, "and by country?", "--thread", first.Thread)
	reqs := b.model.Requests()
	sent := reqs[len(reqs)-2].Messages // the follow-up's first turn
	if len(sent) != len(p.Messages) {
		t.Fatalf("ask sent %d messages, prompt printed %d", len(sent), len(p.Messages))
	}
	for i, m := range sent {
		if m.Role != p.Messages[i].Role || m.Content != p.Messages[i].Content {
			t.Errorf("message %d: sent %s %q, printed %s %q", i, m.Role, m.Content, p.Messages[i].Role, p.Messages[i].Content)
		}
	}
	if len(p.Messages) != 6 {
		t.Errorf("%d messages, want system, context, knowledge, the earlier question and answer, the question", len(p.Messages))
	}
}

// ask shows, and the model is given, values exactly as PostgreSQL prints
// them, with SQL NULL apart from the text 'NULL'.
func TestCLIAskShowsExactValues(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	const exactSQL = `SELECT 9007199254740993::numeric AS n, 4.7::real AS r, timestamp '2026-03-01 08:00:00.123456' AS at,
		interval '4 years 1 mon 17 days' AS took, 'NULL'::text AS t, NULL::text AS u`
	b.scriptAnswer(exactSQL, "Exact.")
	r := runCLI(t, b.env, "ask", "exact values please")
	if r.code != 0 {
		t.Fatalf("ask: exit %d: %s", r.code, r.stderr)
	}
	row := regexp.MustCompile(`(?m)^9007199254740993\s+4\.7\s+2026-03-01 08:00:00\.123456\s+4 years 1 mon 17 days\s+'NULL'\s+NULL$`)
	if !row.MatchString(r.stdout) {
		t.Errorf("the terminal table does not show the exact values:\n%s", r.stdout)
	}
	results := b.model.Requests()[1].ToolResults()
	if len(results) != 1 || !strings.Contains(results[0].Content, "9007199254740993 | 4.7 | 2026-03-01 08:00:00.123456 | 4 years 1 mon 17 days | 'NULL' | NULL\n") {
		t.Errorf("the model was given:\n%v", results)
	}

	b.scriptAnswer(exactSQL, "Exact.")
	fields, _ := b.askJSON(t, "exact values please")
	want := `[[9007199254740993,4.7,"2026-03-01 08:00:00.123456","4 years 1 mon 17 days","NULL",null]]`
	if got := compactJSON(t, fields["rows"]); got != want {
		t.Errorf("rows = %s, want %s", got, want)
	}
}

func compactJSON(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
