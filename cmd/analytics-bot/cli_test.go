package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// cliRun is the outcome of one command line, as a shell would see it.
type cliRun struct {
	err    error
	code   int
	stdout string
	stderr string
}

// runCLI runs the binary's entry point with a private environment (never
// the process's), so that tests can run in parallel.
func runCLI(t *testing.T, env map[string]string, args ...string) cliRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	lookup := func(name string) (string, bool) {
		v, ok := env[name]
		return v, ok
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := run(ctx, args, lookup, &stdout, &stderr)
	code := exitCode(err, &stderr)
	return cliRun{err: err, code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// lastLine is the final line a command wrote to stderr: its error message.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCLIVersionPrintsAVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		r := runCLI(t, nil, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		if !regexp.MustCompile(`^analytics-bot \S+ \(go\d`).MatchString(r.stdout) || !strings.Contains(r.stdout, version) {
			t.Errorf("%v printed %q, want the version", args, r.stdout)
		}
	}
}

func TestCLIHelpSucceeds(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "--help")
	if r.code != 0 {
		t.Fatalf("--help: exit %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"serve", "migrate", "demo-data", "ask", "eval", "version"} {
		if !strings.Contains(r.stdout, "  "+name+" ") {
			t.Errorf("--help does not list %s:\n%s", name, r.stdout)
		}
	}
	for _, cmd := range []string{"migrate", "demo-data", "ask", "serve", "version"} {
		r := runCLI(t, map[string]string{"PORT": "abc"}, cmd, "--help")
		if r.code != 0 || r.err != nil {
			t.Errorf("%s --help: exit %d, %v", cmd, r.code, r.err)
		}
		if !strings.Contains(r.stdout, "Usage: analytics-bot "+cmd) {
			t.Errorf("%s --help printed %q", cmd, r.stdout)
		}
	}
	if r := runCLI(t, nil, "demo-data", "--help"); !strings.Contains(r.stdout, "-days") {
		t.Errorf("demo-data --help does not mention --days:\n%s", r.stdout)
	}
}

func TestCLIUsageMistakesExit2(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"unknown command":   {"frobnicate"},
		"no command":        {},
		"unknown flag":      {"migrate", "--nope"},
		"ask, no question":  {"ask", "--json"},
		"demo-data, 0 days": {"demo-data", "--days", "0"},
	}
	for name, args := range cases {
		r := runCLI(t, nil, args...)
		if r.code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", name, r.code, r.stderr)
		}
		if !strings.HasPrefix(lastLine(r.stderr), "analytics-bot: ") {
			t.Errorf("%s: last line %q, want a one-line error", name, lastLine(r.stderr))
		}
	}
	if r := runCLI(t, nil, "frobnicate"); !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: stderr %q does not name it", r.stderr)
	}
}

func TestCLIBadConfigurationExit2NamingTheVariable(t *testing.T) {
	t.Parallel()
	secret := "sk-should-never-be-printed"
	for _, args := range [][]string{{"migrate"}, {"demo-data", "--days", "3"}, {"ask", "how many users?"}, {"serve"}} {
		r := runCLI(t, map[string]string{"PORT": "abc", "OPENAI_API_KEY": secret, "POSTGRES_PASSWORD": secret}, args...)
		if r.code != 2 || !config.IsError(r.err) {
			t.Errorf("%v with PORT=abc: exit %d (%v), want 2 for a configuration error", args, r.code, r.err)
		}
		if strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "analytics-bot: PORT ") {
			t.Errorf("%v: stderr %q, want one line naming PORT", args, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("%v: a secret was printed", args)
		}
	}
}

func TestCLIAskWithoutAPIKeyNamesIt(t *testing.T) {
	t.Parallel()
	r := runCLI(t, map[string]string{"POSTGRES_HOST": "127.0.0.1"}, "ask", "what was DAU yesterday?")
	if r.code != 2 {
		t.Errorf("exit %d, want 2", r.code)
	}
	if line := lastLine(r.stderr); !strings.Contains(line, "OPENAI_API_KEY") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("stderr %q, want one line naming OPENAI_API_KEY", r.stderr)
	}
}

// cliBot is a migrated database with demo data and the fake OpenAI, and
// the environment that points the binary at both.
type cliBot struct {
	db    *pgtest.DB
	model *fake.OpenAI
	env   map[string]string
}

func setupCLIBot(t *testing.T) *cliBot {
	t.Helper()
	db := pgtest.NewMigrated(t)
	if _, err := demodata.Load(context.Background(), db.Pool, 30, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if _, err := demodata.LoadProduct(context.Background(), db.Pool); err != nil { // as demo-data does
		t.Fatal(err)
	}
	b := &cliBot{db: db, model: fake.NewOpenAI(t), env: db.Env()}
	b.env["OPENAI_BASE_URL"] = b.model.URL
	b.env["OPENAI_API_KEY"] = "sk-test"
	return b
}

const cliPlatformSQL = "SELECT platform, sum(dau) AS dau FROM app_metrics GROUP BY platform ORDER BY platform"

// scriptAnswer makes the model run sql, then answer text.
func (b *cliBot) scriptAnswer(sql, text string) {
	b.model.Script(fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": sql})), fake.Reply(text))
}

// askJSON runs `ask QUESTION --json [args]` and decodes its one object.
func (b *cliBot) askJSON(t *testing.T, question string, args ...string) (map[string]json.RawMessage, askJSON) {
	t.Helper()
	r := runCLI(t, b.env, append([]string{"ask", question, "--json"}, args...)...)
	if r.code != 0 {
		t.Fatalf("ask: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, r.stdout)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		t.Fatalf("stdout holds more than one JSON object:\n%s", r.stdout)
	}
	var typed askJSON
	if err := json.Unmarshal([]byte(r.stdout), &typed); err != nil {
		t.Fatal(err)
	}
	return fields, typed
}

func TestCLIAskJSON(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.scriptAnswer(cliPlatformSQL, "*ios* has the most users.")
	fields, ans := b.askJSON(t, "what is DAU by platform?")

	for _, key := range []string{"question", "answer", "sql", "columns", "rows", "row_count", "truncated", "turns", "tokens",
		"cost_usd", "latency_ms", "model", "status", "thread", "tool_calls"} {
		if _, ok := fields[key]; !ok {
			t.Errorf("the JSON lacks %q", key)
		}
	}
	var tokens map[string]json.RawMessage
	if err := json.Unmarshal(fields["tokens"], &tokens); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"input_tokens", "cached_input_tokens", "output_tokens"} {
		if _, ok := tokens[key]; !ok {
			t.Errorf("tokens lack %q: %s", key, fields["tokens"])
		}
	}

	if ans.Question != "what is DAU by platform?" || ans.Answer != "*ios* has the most users." || ans.SQL != cliPlatformSQL {
		t.Errorf("question %q answer %q sql %q", ans.Question, ans.Answer, ans.SQL)
	}
	if len(ans.Columns) != 2 || ans.Columns[0].Name != "platform" || ans.Columns[1].Name != "dau" {
		t.Errorf("columns = %+v", ans.Columns)
	}
	if ans.RowCount != 3 || len(ans.Rows) != 3 || ans.Truncated {
		t.Errorf("row_count %d, rows %d, truncated %v; want 3 complete rows", ans.RowCount, len(ans.Rows), ans.Truncated)
	} else if ans.Rows[0][0] != "android" {
		t.Errorf("first row = %v, want android first", ans.Rows[0])
	}
	if ans.Turns != 2 || ans.Status != "answered" || ans.Model != "gpt-4.1" || ans.Thread == "" {
		t.Errorf("turns %d status %q model %q thread %q", ans.Turns, ans.Status, ans.Model, ans.Thread)
	}
	wantIn, wantOut := 2*fake.DefaultPromptTokens, 2*fake.DefaultCompletionTokens
	if ans.Tokens.InputTokens != wantIn || ans.Tokens.OutputTokens != wantOut {
		t.Errorf("tokens = %+v, want %d in and %d out over two turns", ans.Tokens, wantIn, wantOut)
	}
	if want := (float64(wantIn)*2.00 + float64(wantOut)*8.00) / 1e6; math.Abs(ans.CostUSD-want) > 1e-9 {
		t.Errorf("cost_usd = %v, want %v at gpt-4.1 prices", ans.CostUSD, want)
	}
	if ans.LatencyMS < 0 {
		t.Errorf("latency_ms = %d", ans.LatencyMS)
	}
	if len(ans.ToolCalls) != 1 || ans.ToolCalls[0].Name != "run_readonly_sql" || ans.ToolCalls[0].IsError {
		t.Errorf("tool_calls = %+v", ans.ToolCalls)
	}

	reqs := b.model.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer sk-test" {
		t.Fatalf("the model got %d requests", len(reqs))
	}
	var offered []string
	for _, tl := range reqs[0].Tools {
		offered = append(offered, tl.Function.Name)
	}
	slices.Sort(offered)
	if !slices.Equal(offered, []string{"describe_schema", "export_csv", "fetch_history", "run_readonly_sql"}) {
		t.Errorf("tools offered = %v", offered)
	}
}

// mentions reports whether any message of the request contains text.
func mentions(req fake.ChatRequest, text string) bool {
	for _, m := range req.Messages {
		if strings.Contains(m.Content, text) {
			return true
		}
	}
	return false
}

func TestCLIAskThreadContinuesTheConversation(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	const first = "what is DAU by platform over the last month?"
	b.scriptAnswer(cliPlatformSQL, "ios leads.")
	_, ans := b.askJSON(t, first)

	b.model.Script(fake.Reply("Same as before: ios leads."))
	_, followUp := b.askJSON(t, "and which is second?", "--thread", ans.Thread)
	if followUp.Thread != ans.Thread {
		t.Errorf("follow-up thread %q, want %q", followUp.Thread, ans.Thread)
	}

	b.model.Script(fake.Reply("A new conversation."))
	_, fresh := b.askJSON(t, "something unrelated")
	if fresh.Thread == ans.Thread {
		t.Error("a question without --thread continued the earlier conversation")
	}

	reqs := b.model.Requests()
	if len(reqs) != 4 {
		t.Fatalf("the model got %d requests, want 4", len(reqs))
	}
	if !mentions(reqs[2], first) {
		t.Error("the follow-up's model request does not contain the thread's first question")
	}
	if mentions(reqs[3], first) {
		t.Error("a new conversation's model request contains another thread's question")
	}
}

// TestCLIMigrateNamesAnAnalyticsSchemaThatDoesNotExist: a mistyped
// schema in ANALYTICS_SCHEMAS is said, not silently skipped.
func TestCLIMigrateNamesAnAnalyticsSchemaThatDoesNotExist(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()
	env["ANALYTICS_SCHEMAS"] = "public,no_such_schema"
	r := runCLI(t, env, "migrate")
	if r.code != 0 {
		t.Fatalf("migrate: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, "ANALYTICS_SCHEMAS names schema no_such_schema, which does not exist") {
		t.Errorf("migrate did not name the missing schema:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "names schema public") {
		t.Errorf("migrate named an existing schema as missing:\n%s", r.stdout)
	}
}

func TestCLIMigrateThenDemoDataTwice(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()

	r := runCLI(t, env, "migrate")
	if r.code != 0 {
		t.Fatalf("migrate: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	if !regexp.MustCompile(`\b[1-9][0-9]* migration\(s\) applied`).MatchString(r.stdout) {
		t.Errorf("migrate printed %q", r.stdout)
	}
	if r := runCLI(t, env, "migrate"); r.code != 0 || !strings.Contains(r.stdout, "0 migration(s) applied") {
		t.Errorf("second migrate: exit %d, printed %q", r.code, r.stdout)
	}

	r = runCLI(t, env, "demo-data", "--days", "30")
	if r.code != 0 {
		t.Fatalf("demo-data: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, " 1800 rows written or changed") {
		t.Errorf("first demo-data printed %q, want 1800 rows written", r.stdout)
	}
	r = runCLI(t, env, "demo-data", "--days", "30")
	if r.code != 0 {
		t.Fatalf("second demo-data: exit %d: %v\n%s", r.code, r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, " 0 rows written or changed") || !strings.Contains(r.stdout, "1800 rows in app_metrics") {
		t.Errorf("second demo-data printed %q, want 0 rows changed and 1800 in the table", r.stdout)
	}
	var n int
	if err := db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 30*3*20 {
		t.Errorf("app_metrics has %d rows (%v), want %d", n, err, 30*3*20)
	}
}

func TestCLIDemoDataBeforeMigrateSaysSo(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()
	env["POSTGRES_READONLY_USER"] = "abt_i13db_never_created"
	r := runCLI(t, env, "demo-data", "--days", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "abt_i13db_never_created does not exist yet: run 'analytics-bot migrate'") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the tables and a hint to run migrate", r.code, r.stdout, r.stderr)
	}
}

// TestCLIMigrateCreatesNoAnalyticsTable checks that migrate leaves the
// analytics schema empty and says so, and that demo-data then gives the
// read-only role the demo tables.
func TestCLIMigrateCreatesNoAnalyticsTable(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()
	r := runCLI(t, env, "migrate")
	if r.code != 0 || !strings.Contains(r.stdout, "can read no tables: set ANALYTICS_SCHEMAS") {
		t.Fatalf("migrate: exit %d, printed %q; want it to say nothing is readable and which setting to change\n%s", r.code, r.stdout, r.stderr)
	}
	r = runCLI(t, env, "demo-data", "--days", "2")
	if r.code != 0 || !strings.Contains(r.stdout, "can read 7 tables and views in schemas public (7)") {
		t.Errorf("demo-data: exit %d, printed %q", r.code, r.stdout)
	}
}

func TestCLIMigrateOutsideLocalNeedsTheReadonlyPassword(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	env := db.Env()
	env["ENVIRONMENT"] = "production"
	delete(env, "POSTGRES_READONLY_PASSWORD")
	r := runCLI(t, env, "migrate")
	if r.code == 0 || !strings.Contains(lastLine(r.stderr), "POSTGRES_READONLY_PASSWORD") {
		t.Errorf("exit %d, stderr %q; want an error naming POSTGRES_READONLY_PASSWORD", r.code, lastLine(r.stderr))
	}
}
