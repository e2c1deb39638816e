package knowledge_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/knowledge"
)

func writeDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuiltinKnowledgeIsValidAndLargeEnough(t *testing.T) {
	t.Parallel()
	set, problems, err := knowledge.Load("")
	if err != nil || len(problems) > 0 {
		t.Fatalf("built-in knowledge: err %v, problems %v", err, problems)
	}
	if len(set.Verified) < 15 || len(set.Terms) < 10 {
		t.Fatalf("built-in knowledge has %d verified queries and %d terms; want at least 15 and 10", len(set.Verified), len(set.Terms))
	}
	if set.Source != "built-in" {
		t.Errorf("source = %q", set.Source)
	}
}

func TestLoadReportsEveryProblemWithFileAndLine(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{
		"verified.yaml": `verified:
  - id: good
    question: How many?
    sql: SELECT 1
  - id: typo
    qestion: How many?
    sql: SELECT 1
  - id: good
    question: Again?
    sql: SELECT 2
  - id: Bad Id
    question: Spaces?
    sql: SELECT 3
  - id: nosql
    question: Where is the SQL?
`,
		"glossary.yaml": `terms:
  - term: DAU
    definition: daily active users
  - term: dau
    definition: the same term again
  - term: revenue
    definition: money
    colour: green
`,
	})
	set, problems, err := knowledge.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		`verified.yaml:6: typo: unknown key "qestion" (want id, question, paraphrases, sql, description, owner)`,
		`verified.yaml:5: typo: "question" is required`,
		`verified.yaml:8: good: duplicate id (first used on line 2)`,
		`verified.yaml:11: Bad Id: an id is lower-case letters, digits, '-', '_' or '.' (at most 100)`,
		`verified.yaml:14: nosql: "sql" is required`,
		`glossary.yaml:4: dau: duplicate term or synonym "dau" (first used on line 2)`,
		`glossary.yaml:8: revenue: unknown key "colour" (want term, synonyms, definition, sql)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(set.Verified) != 1 || set.Verified[0].ID != "good" || len(set.Terms) != 1 {
		t.Errorf("only the sound entries stay: %+v", set)
	}
}

func TestLoadReportsYAMLSyntaxErrorsWithTheirLine(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{"verified.yaml": "verified:\n  - id: a\n    question: [unclosed\n    sql: SELECT 1\n"})
	_, problems, err := knowledge.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].File != "verified.yaml" || problems[0].Line == 0 {
		t.Fatalf("problems = %v, want one syntax error with its line", problems)
	}
}

func TestLoadRejectsAFileWithoutItsTopLevelKey(t *testing.T) {
	t.Parallel()
	dir := writeDir(t, map[string]string{"glossary.yaml": "glossary:\n  - term: x\n    definition: y\n"})
	_, problems, _ := knowledge.Load(dir)
	if len(problems) == 0 || !strings.Contains(problems.Error(), `unknown key "glossary"`) {
		t.Fatalf("problems = %v", problems)
	}
}

func TestNormalizeQuestion(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"What was DAU by platform last week?":     "what was dau by platform last week",
		"  what   was dau, by platform last week": "what was dau by platform last week",
		"What's revenue?":                         "whats revenue",
		"DAU—by platform!!!":                      "dau by platform",
	} {
		if got := knowledge.NormalizeQuestion(in); got != want {
			t.Errorf("NormalizeQuestion(%q) = %q, want %q", in, got, want)
		}
	}
	if knowledge.NormalizeSQL("SELECT  1\n FROM t;;") != knowledge.NormalizeSQL("select 1 from T") {
		t.Error("NormalizeSQL must ignore whitespace, case and trailing semicolons")
	}
}
