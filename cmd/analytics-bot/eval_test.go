package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

const evalGolden = `
questions:
  - id: revenue-by-platform
    question: What was revenue by platform yesterday?
    tags: [aggregation, time-range]
    sql: SELECT platform, sum(revenue_usd) AS revenue FROM app_metrics WHERE day = current_date - 1 GROUP BY platform
  - id: top-countries
    question: Which 3 countries had the most users yesterday?
    tags: [top-n]
    sql: SELECT country FROM app_metrics WHERE day = current_date - 1 GROUP BY country ORDER BY sum(dau) DESC LIMIT 3
  - id: signups
    thread: signups
    question: How many new users did we get yesterday?
    tags: [aggregation]
    sql: SELECT sum(new_users) FROM app_metrics WHERE day = current_date - 1
  - id: signups-web
    thread: signups
    question: Only web?
    tags: [follow-up]
    sql: SELECT sum(new_users) FROM app_metrics WHERE day = current_date - 1 AND platform = 'web'
  - id: delete
    question: Delete yesterday's data.
    tags: [write-attempt]
    expect: refuse
`

// markerB is in prompt folder B's system prompt; the fake model answers
// differently when it sees it.
const markerB = "EVAL-TEST-PROMPT-B"

// evalModel answers the golden questions above: right everywhere except
// the web follow-up (it forgets the filter), unless the system prompt
// carries markerB, which fixes the follow-up and breaks the top countries'
// order.
func evalModel(req fake.ChatRequest) fake.Response {
	var q string
	step := 0
	for _, m := range req.Messages {
		switch m.Role {
		case "user":
			q, step = m.Content, 0
		case "tool":
			step++
		}
	}
	b := strings.Contains(req.Messages[0].Content, markerB)
	sql := map[string]string{
		"What was revenue by platform yesterday?":         "SELECT sum(revenue_usd) AS usd, platform FROM app_metrics WHERE day = current_date - 1 GROUP BY platform",
		"Which 3 countries had the most users yesterday?": "SELECT country, sum(dau) AS users FROM app_metrics WHERE day = current_date - 1 GROUP BY country ORDER BY users DESC LIMIT 3",
		"How many new users did we get yesterday?":        "SELECT sum(new_users) AS signups FROM app_metrics WHERE day = current_date - 1",
		"Only web?":                "SELECT sum(new_users) AS signups FROM app_metrics WHERE day = current_date - 1",
		"Delete yesterday's data.": "",
	}[q]
	if b {
		switch q {
		case "Only web?":
			sql += " AND platform = 'web'"
		case "Which 3 countries had the most users yesterday?":
			sql = strings.Replace(sql, "DESC LIMIT 3", "DESC LIMIT 3) t ORDER BY users", 1)
			sql = strings.Replace(sql, "SELECT country, sum(dau)", "SELECT * FROM (SELECT country, sum(dau)", 1)
		}
	}
	if sql == "" {
		return fake.Reply("I can only read data, so I cannot delete anything.")
	}
	if step == 0 {
		return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": sql}))
	}
	return fake.Reply("Here are the numbers.")
}

type evalFixture struct {
	db   *pgtest.DB
	vars map[string]string
	dir  string
	file string
}

func setupEval(t *testing.T) evalFixture {
	t.Helper()
	db := pgtest.NewMigrated(t)
	if _, err := demodata.Load(context.Background(), db.Pool, 30, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	model := fake.NewOpenAI(t)
	model.Handle(evalModel)
	vars := db.Env()
	vars["OPENAI_BASE_URL"] = model.URL
	vars["OPENAI_API_KEY"] = "sk-test-key"
	dir := t.TempDir()
	file := filepath.Join(dir, "golden.yaml")
	if err := os.WriteFile(file, []byte(evalGolden), 0o644); err != nil {
		t.Fatal(err)
	}
	return evalFixture{db: db, vars: vars, dir: dir, file: file}
}

func (f evalFixture) run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	lookup := func(name string) (string, bool) {
		v, ok := f.vars[name]
		return v, ok
	}
	err = run(context.Background(), append([]string{"eval"}, args...), lookup, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestEvalCommand(t *testing.T) {
	t.Parallel()
	f := setupEval(t)
	jsonPath := filepath.Join(f.dir, "report.json")
	stdout, stderr, err := f.run(t, "--file", f.file, "--json", jsonPath)
	t.Logf("stdout:\n%s", stdout)
	if err != nil {
		t.Fatalf("eval: %v\nstderr:\n%s", err, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`Golden questions: .*golden\.yaml \(5\) · prompts: embedded · model: gpt-4\.1`),
		regexp.MustCompile(`(?m)^revenue-by-platform +pass +2 +240 `),
		regexp.MustCompile(`(?m)^signups-web +FAIL +2 +240 .* wrong rows: no column of the answer has the values of reference column "sum"$`),
		regexp.MustCompile(`(?m)^delete +pass +1 +120 `),
		regexp.MustCompile(`(?m)^Accuracy +4/5 \(80\.0%\)$`),
		regexp.MustCompile(`(?m)^  follow-up +0/1 \(0\.0%\)$`),
		regexp.MustCompile(`(?m)^Failures +wrong rows 1$`),
		regexp.MustCompile(`(?m)^Per question +1\.8 turns · 216 tokens \(180 in, 36 out\) · \$0\.0006$`),
		regexp.MustCompile(`(?m)^Latency +median \S+ · p95 \S+$`),
		regexp.MustCompile(`Full report: .*report\.json`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("the report does not match %s", want)
		}
	}
	if !strings.Contains(stderr, "eval: [5/5]") {
		t.Errorf("no progress on stderr:\n%s", stderr)
	}

	var file eval.File
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Runs) != 1 || len(file.Diffs) != 0 {
		t.Fatalf("JSON has %d runs and %d diffs, want 1 and 0", len(file.Runs), len(file.Diffs))
	}
	r := file.Runs[0]
	if r.Summary.Passed != 4 || r.Summary.Questions != 5 || r.Model != "gpt-4.1" || len(r.Results) != 5 {
		t.Errorf("JSON summary = %+v, model %q", r.Summary, r.Model)
	}
	web := r.Results[3]
	if web.ID != "signups-web" || web.Pass || web.Reason != eval.ReasonWrongRows || web.Turns != 2 ||
		web.Usage.Total() != 240 || web.SQL == "" || web.ReferenceSQL == "" || web.Rows != 1 || web.ReferenceRows != 1 {
		t.Errorf("JSON result = %+v", web)
	}

	// Every question was recorded in query_history under the eval team,
	// the follow-up in its thread's conversation.
	var questions, threads int
	err = f.db.Pool.QueryRow(context.Background(),
		`SELECT count(*), count(DISTINCT thread_ts) FROM analytics_bot.query_history WHERE team_id = 'eval'`).Scan(&questions, &threads)
	if err != nil {
		t.Fatal(err)
	}
	if questions != 5 || threads != 4 {
		t.Errorf("query_history: %d questions in %d threads, want 5 in 4", questions, threads)
	}
}

func TestEvalComparesPromptFolders(t *testing.T) {
	t.Parallel()
	f := setupEval(t)
	a, b := filepath.Join(f.dir, "prompts-a"), filepath.Join(f.dir, "prompts-b")
	for _, dir := range []string{a, b} {
		if err := os.CopyFS(dir, os.DirFS("../../prompts")); err != nil {
			t.Fatal(err)
		}
	}
	system, err := os.ReadFile(filepath.Join(b, "system.tmpl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b, "system.tmpl"), append(system, "\n"+markerB+"\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonPath := filepath.Join(f.dir, "compare.json")
	stdout, stderr, err := f.run(t, "--file", f.file, "--prompts", a, "--prompts", b, "--concurrency", "2", "--json", jsonPath)
	t.Logf("stdout:\n%s", stdout)
	if err != nil {
		t.Fatalf("eval: %v\nstderr:\n%s", err, stderr)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^  A = .*prompts-a$`),
		regexp.MustCompile(`(?m)^  B = .*prompts-b$`),
		regexp.MustCompile(`(?m)^top-countries +pass +wrong order +B broke$`),
		regexp.MustCompile(`(?m)^signups-web +wrong rows +pass +B fixed$`),
		regexp.MustCompile(`(?m)^accuracy +4/5 \(80\.0%\) +4/5 \(80\.0%\) +±0 pts$`),
		regexp.MustCompile(`(?m)^B vs A: accuracy ±0 pts · 1 fixed: signups-web \(wrong rows → pass\) · 1 broken: top-countries \(pass → wrong order\)$`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("the comparison does not match %s", want)
		}
	}

	var file eval.File
	data, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Runs) != 2 || len(file.Diffs) != 1 {
		t.Fatalf("JSON has %d runs and %d diffs, want 2 and 1", len(file.Runs), len(file.Diffs))
	}
	d := file.Diffs[0]
	if d.Base != a || d.Other != b || d.AccuracyDelta != 0 || len(d.Fixed) != 1 || len(d.Broken) != 1 ||
		d.Fixed[0].ID != "signups-web" || d.Broken[0].ID != "top-countries" {
		t.Errorf("JSON diff = %+v", d)
	}
}

func TestEvalCommandLine(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	none := func(string) (string, bool) { return "", false }
	if err := run(context.Background(), []string{"eval", "--help"}, none, &stdout, &stderr); err != nil {
		t.Fatalf("--help: %v", err)
	}
	if !strings.Contains(stdout.String(), "Usage: analytics-bot eval [--file F] [--prompts DIR]...") {
		t.Errorf("--help printed:\n%s", stdout.String())
	}
	for _, args := range [][]string{
		{"eval", "--concurrency", "0"},
		{"eval", "what is DAU?"},
		{"eval", "--nope"},
	} {
		err := run(context.Background(), args, none, &stdout, &stderr)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: error = %v, want a usage error", args, err)
		}
	}
	err := run(context.Background(), []string{"eval", "--file", filepath.Join(t.TempDir(), "missing.yaml")}, none, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "read golden questions") {
		t.Errorf("missing file: error = %v", err)
	}
}

// eval runs with and without the team knowledge in one command and
// reports recall@3 and the answers that needed no model.
func TestEvalWithAndWithoutKnowledge(t *testing.T) {
	t.Parallel()
	f := setupEval(t)
	golden := filepath.Join(f.dir, "knowledge.yaml")
	if err := os.WriteFile(golden, []byte(`
questions:
  - id: money-per-platform
    question: How much money did each platform bring in last week?
    tags: [aggregation]
    verified: revenue-by-platform-last-week
    sql: SELECT platform, sum(revenue_usd) FROM app_metrics WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date) GROUP BY platform
  - id: exact
    question: What was revenue by platform last week?
    tags: [aggregation]
    verified: revenue-by-platform-last-week
    sql: SELECT platform, sum(revenue_usd) FROM app_metrics WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date) GROUP BY platform
`), 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := f.run(t, "--file", golden, "--knowledge", "built-in", "--knowledge", "none", "--json", filepath.Join(f.dir, "k.json"))
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, stderr)
	}
	for _, want := range []string{"A = knowledge built-in", "B = knowledge none", "recall@3", "2/2 (100.0%)", "no model call"} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	data, err := os.ReadFile(filepath.Join(f.dir, "k.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Runs []eval.Report `json:"runs"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Runs) != 2 {
		t.Fatalf("%d runs in the JSON", len(file.Runs))
	}
	with, without := file.Runs[0].Summary.Knowledge, file.Runs[1].Summary.Knowledge
	if with == nil || with.Marked != 2 || with.Hits != 2 || with.NoModelAnswers != 1 || with.TokensPerQuestion <= 0 {
		t.Errorf("with knowledge: %+v", with)
	}
	if without != nil {
		t.Errorf("without knowledge nothing is measured: %+v", without)
	}
	if r := file.Runs[0].Results[1]; !r.NoModel || r.FromVerified != "revenue-by-platform-last-week" || !r.Pass {
		t.Errorf("the exact question: %+v", r)
	}
}
