package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIAskAnswersTheDefaultQuestionWithNoModelKey(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	delete(b.env, "OPENAI_API_KEY")
	delete(b.env, "OPENAI_BASE_URL")
	r := runCLI(t, b.env, "ask", "what was DAU by platform last week?")
	if r.code != 0 {
		t.Fatalf("exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	for _, want := range []string{"✓ Verified query: Average daily active users per platform", "no model call", "cost $0", "ios", "android", "web"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if len(b.model.Requests()) != 0 {
		t.Error("the model was asked")
	}
	// Any other question still names the missing key.
	r = runCLI(t, b.env, "ask", "what was DAU by platform two weeks ago?")
	if r.code != 2 || !strings.Contains(lastLine(r.stderr), "OPENAI_API_KEY") {
		t.Errorf("exit %d, stderr %q: want the missing key named", r.code, r.stderr)
	}
}

func TestCLIAskJSONMarksAVerifiedAnswer(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	_, ans := b.askJSON(t, "What was revenue by platform last week")
	if ans.Verified == nil || ans.Verified.ID != "revenue-by-platform-last-week" || !ans.NoModel || ans.CostUSD != 0 {
		t.Errorf("verified %+v, no_model %v, cost %v", ans.Verified, ans.NoModel, ans.CostUSD)
	}
}

func TestCLIKnowledgeCheckNamesEveryBrokenEntry(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	if r := runCLI(t, b.env, "knowledge", "check"); r.code != 0 {
		t.Fatalf("the built-in knowledge fails its check: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "verified.yaml"), []byte(`verified:
  - id: ok
    question: DAU yesterday?
    sql: SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1
  - id: missing-table
    question: Orders?
    sql: SELECT count(*) FROM orders
`), 0o600)
	os.WriteFile(filepath.Join(dir, "glossary.yaml"), []byte("terms:\n  - term: DAU\n    meaning: oops\n"), 0o600)
	b.env["KNOWLEDGE_DIR"] = dir
	r := runCLI(t, b.env, "knowledge", "check")
	if r.code != 1 {
		t.Fatalf("exit %d, want 1", r.code)
	}
	for _, want := range []string{"verified.yaml:5: missing-table: the SQL does not prepare", `glossary.yaml:3: DAU: unknown key "meaning"`, "1 verified queries and 0 glossary terms are sound, 3 broken"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestCLIKnowledgeExportRoundTripsThroughCheck(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "verified.yaml")
	if r := runCLI(t, b.env, "knowledge", "export", "--out", out); r.code != 0 {
		t.Fatalf("export: exit %d\n%s", r.code, r.stderr)
	}
	b.env["KNOWLEDGE_DIR"] = dir
	r := runCLI(t, b.env, "knowledge", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "are sound, 0 broken") {
		t.Fatalf("the export does not check: exit %d\n%s", r.code, r.stdout)
	}
}
