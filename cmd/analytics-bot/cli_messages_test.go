package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/telemetry"
)

// ttyBuffer is a buffer that says it is a terminal.
type ttyBuffer struct{ bytes.Buffer }

func (*ttyBuffer) Terminal() bool { return true }

// migrateWithGeneratedPassword runs migrate on a fresh database with a role
// of its own whose password migrate generates, writing stderr to stderr.
func migrateWithGeneratedPassword(t *testing.T, stderr interface {
	Write([]byte) (int, error)
	String() string
}) (stdout, password string) {
	t.Helper()
	db := pgtest.New(t)
	env := db.Env()
	role := "i16_ro_" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_"))
	env["POSTGRES_READONLY_USER"] = role
	delete(env, "POSTGRES_READONLY_PASSWORD")
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = db.Pool.Exec(ctx, "DROP OWNED BY "+pgx.Identifier{role}.Sanitize())
		_, _ = db.Pool.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize())
	})
	var out bytes.Buffer
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	if err := run(context.Background(), []string{"migrate"}, lookup, &out, stderr); err != nil {
		t.Fatalf("migrate: %v\n%s", err, stderr.String())
	}
	kept, err := migrations.LocalPassword(context.Background(), db.Pool, role)
	if err != nil {
		t.Fatal(err)
	}
	return out.String(), kept
}

var generatedSecret = regexp.MustCompile(`\b[A-Z2-7]{26}\b`)

func TestCLIMigrateOnATerminalPrintsAShortSummary(t *testing.T) {
	t.Parallel()
	stderr := &ttyBuffer{}
	stdout, password := migrateWithGeneratedPassword(t, stderr)
	all := stdout + stderr.String()
	if n := strings.Count(strings.TrimSpace(all), "\n") + 1; n > 6 {
		t.Errorf("migrate printed %d lines on a terminal, want a short summary:\n%s", n, all)
	}
	if strings.Contains(all, `{"time"`) {
		t.Errorf("migrate printed JSON log lines on a terminal:\n%s", all)
	}
	if !strings.Contains(stdout, "migration(s) applied") || !strings.Contains(stdout, "generated a password") {
		t.Errorf("summary %q lacks the migrations applied or the generated password's note", stdout)
	}
	if password != "" && strings.Contains(all, password) || generatedSecret.MatchString(all) {
		t.Errorf("migrate printed the generated password:\n%s", all)
	}
}

func TestCLIMigrateLogsEachStepOnceForTheJournal(t *testing.T) {
	t.Parallel()
	stderr := &fake.LogSink{}
	stdout, password := migrateWithGeneratedPassword(t, stderr)
	logs := stderr.String()
	if strings.Contains(logs, "rivermigrate") {
		t.Errorf("River's own lines repeat ours:\n%s", logs)
	}
	if !strings.Contains(logs, "applied job-queue migration") || !strings.Contains(logs, `"took_ms"`) {
		t.Errorf("the journal lacks the steps or a duration in ms:\n%s", logs)
	}
	if password != "" && strings.Contains(stdout+logs, password) || generatedSecret.MatchString(stdout+logs) {
		t.Errorf("migrate printed the generated password")
	}
}

func TestCLIPromptsDirNowhereNamesTheVariable(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.env["PROMPTS_DIR"] = t.TempDir() + "/no-such-folder"
	r := runCLI(t, b.env, "ask", "what was DAU yesterday?")
	line := lastLine(r.stderr)
	if r.code != 2 || !strings.Contains(line, "PROMPTS_DIR") || !strings.Contains(line, "no such folder") {
		t.Errorf("exit %d, %q; want exit 2 naming PROMPTS_DIR and saying the folder does not exist", r.code, line)
	}
}

// TestCLIKnowledgeDirNowhereNamesTheVariable: a KNOWLEDGE_DIR that is
// not a folder is a configuration error naming the variable, for the
// commands that load knowledge and for knowledge check.
func TestCLIKnowledgeDirNowhereNamesTheVariable(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.env["KNOWLEDGE_DIR"] = t.TempDir() + "/no-such-folder"
	for _, args := range [][]string{{"ask", "what was DAU yesterday?"}, {"prompt", "what was DAU yesterday?"}, {"knowledge", "check"}} {
		r := runCLI(t, b.env, args...)
		line := lastLine(r.stderr)
		if r.code != 2 || !strings.Contains(line, "KNOWLEDGE_DIR") || !strings.Contains(line, "no such folder") {
			t.Errorf("%v: exit %d, %q; want exit 2 naming KNOWLEDGE_DIR and saying the folder does not exist", args, r.code, line)
		}
	}
}

func TestCLIAskUnknownThreadSaysSo(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.model.Script(fake.Reply("A fresh start."))
	r := runCLI(t, b.env, "ask", "and the week before?", "--thread", "cli-typo12345")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "--thread cli-typo12345 has no earlier question") {
		t.Errorf("a thread id with no conversation was not reported; stderr %q", r.stderr)
	}

	b.scriptAnswer(cliPlatformSQL, "ios leads.")
	_, first := b.askJSON(t, "DAU by platform?")
	b.model.Script(fake.Reply("Still ios."))
	r = runCLI(t, b.env, "ask", "and now?", "--thread", first.Thread)
	if r.code != 0 || strings.Contains(r.stderr, "no earlier question") {
		t.Errorf("a real thread was reported as unknown: exit %d, %q", r.code, r.stderr)
	}
}

func TestCLIHelpListsEachCommandsFlags(t *testing.T) {
	t.Parallel()
	r := runCLI(t, nil, "--help")
	for _, flag := range []string{"--role", "--days", "--json", "--thread", "--chart", "--concurrency"} {
		if !strings.Contains(r.stdout, flag) {
			t.Errorf("top-level help does not list %s:\n%s", flag, r.stdout)
		}
	}
}

func TestJSONDurationsAreMilliseconds(t *testing.T) {
	t.Parallel()
	b := setupCLIBot(t)
	b.scriptAnswer(cliPlatformSQL, "ios leads.")
	fields, _ := b.askJSON(t, "DAU by platform?")
	var calls []map[string]json.RawMessage
	if err := json.Unmarshal(fields["tool_calls"], &calls); err != nil || len(calls) == 0 {
		t.Fatalf("tool_calls: %v %s", err, fields["tool_calls"])
	}
	if _, ok := calls[0]["duration_ms"]; !ok {
		t.Errorf("tool call has no duration_ms: %s", fields["tool_calls"])
	}
	if _, ok := calls[0]["duration"]; ok {
		t.Errorf("tool call still has a unitless duration: %s", fields["tool_calls"])
	}
	if _, ok := fields["latency_ms"]; !ok {
		t.Errorf("ask --json has no latency_ms")
	}

	var logs bytes.Buffer
	log := slog.New(telemetry.NewLogHandler(&logs, slog.LevelInfo))
	log.Info("done", slog.Duration("took", 1500000000), slog.Duration("wait_ms", 2000000))
	if !strings.Contains(logs.String(), `"took_ms":1500`) || !strings.Contains(logs.String(), `"wait_ms":2`) {
		t.Errorf("log durations are not in ms with _ms names: %s", logs.String())
	}
}
