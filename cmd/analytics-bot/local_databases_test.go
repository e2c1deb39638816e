package main

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// TestTwoLocalDatabasesMigratedInTurnBothAnswer runs the local set-up
// (ENVIRONMENT=local, no POSTGRES_READONLY_PASSWORD: migrate generates one)
// for two databases of one server that asks for passwords, as a stock
// PostgreSQL does, and checks that both still answer afterwards: the
// read-only role belongs to the server, so the second migrate must not
// give it a new password.
func TestTwoLocalDatabasesMigratedInTurnBothAnswer(t *testing.T) {
	t.Parallel()
	cluster := pgtest.StartCluster(t)
	model := fake.NewOpenAI(t)
	var envs []map[string]string
	for range 2 {
		db := cluster.New(t)
		env := db.Env()
		delete(env, "POSTGRES_READONLY_PASSWORD")
		env["POSTGRES_READONLY_USER"] = "analytics_readonly"
		env["ENVIRONMENT"] = "local"
		env["OPENAI_BASE_URL"] = model.URL
		env["OPENAI_API_KEY"] = "sk-test"
		for _, args := range [][]string{{"migrate"}, {"demo-data", "--days", "3"}} {
			if r := runCLI(t, env, args...); r.code != 0 {
				t.Fatalf("%s on %s: exit %d: %v\n%s", args[0], env["POSTGRES_DB"], r.code, r.err, r.stderr)
			}
		}
		envs = append(envs, env)
	}
	for i, env := range envs {
		model.Script(fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": cliPlatformSQL})), fake.Reply("ios leads."))
		r := runCLI(t, env, "ask", "DAU by platform?")
		if r.code != 0 || !strings.Contains(r.stdout, "ios leads.") {
			t.Errorf("database %d (%s) after both were migrated: exit %d, stdout %q\n%s", i+1, env["POSTGRES_DB"], r.code, r.stdout, lastLine(r.stderr))
		}
	}
}
