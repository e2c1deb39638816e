package config_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
)

// env is a fake process environment: tests never touch os.Getenv, so they
// can run in parallel.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// secrets are distinctive values for every secret variable, so that a leak
// is found by a plain substring search.
var secrets = env{
	"POSTGRES_PASSWORD":          "pg-owner-secret-6f1e",
	"POSTGRES_READONLY_PASSWORD": "pg-readonly-secret-91ab",
	"OPENAI_API_KEY":             "sk-openai-secret-27cd",
	"SLACK_BOT_TOKEN":            "xoxb-slack-secret-4410",
	"SLACK_SIGNING_SECRET":       "signing-secret-c0ffee",
	"SLACK_APP_TOKEN":            "xapp-app-secret-77aa",
	"LOGFIRE_TOKEN":              "logfire-write-secret-5e5e",
	"LOGFIRE_READ_TOKEN":         "logfire-read-secret-a1a1",
}

func load(t *testing.T, e env) *config.Config {
	t.Helper()
	cfg, err := config.Load(context.Background(), e.lookup, nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return cfg
}

func TestDefaultsWithEmptyEnvironment(t *testing.T) {
	t.Parallel()
	cfg := load(t, env{})

	checks := []struct {
		name      string
		got, want any
	}{
		{"PROJECT_NAME", cfg.ProjectName, "analytics-bot"},
		{"DEBUG", cfg.Debug, false},
		{"ENVIRONMENT", cfg.Environment, "local"},
		{"SSM_PREFIX", cfg.SSMPrefix, ""},
		{"PORT", cfg.Port, 8000},
		{"POSTGRES_HOST", cfg.PostgresHost, "localhost"},
		{"POSTGRES_PORT", cfg.PostgresPort, 5432},
		{"POSTGRES_USER", cfg.PostgresUser, "postgres"},
		{"POSTGRES_PASSWORD", cfg.PostgresPassword, ""},
		{"POSTGRES_DB", cfg.PostgresDB, "analytics"},
		{"POSTGRES_READONLY_USER", cfg.ReadonlyUser, "analytics_readonly"},
		{"POSTGRES_READONLY_PASSWORD", cfg.ReadonlyPassword, ""},
		{"OPENAI_API_KEY", cfg.OpenAIAPIKey, ""},
		{"OPENAI_BASE_URL", cfg.OpenAIBaseURL, "https://api.openai.com/v1"},
		{"AI_MODEL", cfg.AIModel, "gpt-4.1"},
		{"SLACK_BOT_TOKEN", cfg.SlackBotToken, ""},
		{"SLACK_SIGNING_SECRET", cfg.SlackSigningSecret, ""},
		{"SLACK_API_URL", cfg.SlackAPIURL, "https://slack.com/api/"},
		{"SLACK_APP_TOKEN", cfg.SlackAppToken, ""},
		{"LOGFIRE_SERVICE_NAME", cfg.LogfireServiceName, "analytics-bot"},
		{"LOGFIRE_ENVIRONMENT", cfg.LogfireEnvironment, "local"},
		{"QUERY_TIMEOUT", cfg.QueryTimeout, 15 * time.Second},
		{"MAX_RESULT_ROWS", cfg.MaxResultRows, 1000},
		{"EXPORT_MAX_ROWS", cfg.ExportMaxRows, 1_000_000},
		{"PROMPTS_DIR", cfg.PromptsDir, ""},
		{"ALLOWED_CHANNELS", len(cfg.AllowedChannels), 0},
		{"ALLOWED_USERS", len(cfg.AllowedUsers), 0},
		{"CHARTS", cfg.Charts, true},
		{"WORKERS", cfg.Workers, config.DefaultWorkers()},
		{"CURATORS", len(cfg.Curators), 0},
		{"SCHEDULES", cfg.Schedules, true},
		{"SCHEDULES_PER_CHANNEL", cfg.SchedulesPerChannel, 20},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("default %s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if !cfg.IsLocal() {
		t.Error("the default environment is not local")
	}
}

func TestEnvironmentSetsValues(t *testing.T) {
	t.Parallel()
	cfg := load(t, env{
		"PORT": "9090", "POSTGRES_HOST": "db.internal", "POSTGRES_PORT": "6432", "POSTGRES_DB": "metrics",
		"POSTGRES_READONLY_USER": "bot_reader", "AI_MODEL": "gpt-4.1-mini", "QUERY_TIMEOUT": "30",
		"MAX_RESULT_ROWS": "50", "EXPORT_MAX_ROWS": "10", "WORKERS": "4", "CHARTS": "false", "DEBUG": "yes",
		"ENVIRONMENT": "production", "SLACK_API_URL": "http://127.0.0.1:9999/api",
		"OPENAI_BASE_URL": "http://127.0.0.1:8080/v1/", "ALLOWED_CHANNELS": " C1, C2 ,,", "ALLOWED_USERS": "U9",
	})
	if cfg.Port != 9090 || cfg.PostgresHost != "db.internal" || cfg.PostgresPort != 6432 || cfg.PostgresDB != "metrics" {
		t.Errorf("connection settings not taken from the environment: %+v", cfg)
	}
	if cfg.ReadonlyUser != "bot_reader" || cfg.AIModel != "gpt-4.1-mini" {
		t.Errorf("readonly user / model = %q / %q", cfg.ReadonlyUser, cfg.AIModel)
	}
	if cfg.QueryTimeout != 30*time.Second {
		t.Errorf("QUERY_TIMEOUT=30 gives %v, want a bare number to mean seconds", cfg.QueryTimeout)
	}
	if cfg.MaxResultRows != 50 || cfg.ExportMaxRows != 10 || cfg.Workers != 4 || cfg.Charts || !cfg.Debug {
		t.Errorf("numbers and switches not taken from the environment: %+v", cfg)
	}
	if cfg.IsLocal() || cfg.LogfireEnvironment != "production" {
		t.Errorf("ENVIRONMENT=production: local %v, logfire environment %q", cfg.IsLocal(), cfg.LogfireEnvironment)
	}
	if cfg.SlackAPIURL != "http://127.0.0.1:9999/api/" {
		t.Errorf("SLACK_API_URL = %q, want the trailing slash slack-go needs", cfg.SlackAPIURL)
	}
	if cfg.OpenAIBaseURL != "http://127.0.0.1:8080/v1" {
		t.Errorf("OPENAI_BASE_URL = %q, want it without the trailing slash", cfg.OpenAIBaseURL)
	}
	if strings.Join(cfg.AllowedChannels, "|") != "C1|C2" || strings.Join(cfg.AllowedUsers, "|") != "U9" {
		t.Errorf("allowed lists = %q %q", cfg.AllowedChannels, cfg.AllowedUsers)
	}
}

func TestVariablesListsEveryDocumentedSetting(t *testing.T) {
	t.Parallel()
	have := map[string]bool{}
	for _, v := range config.Variables() {
		have[v] = true
	}
	for _, name := range []string{
		"PROJECT_NAME", "DEBUG", "ENVIRONMENT", "PORT", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER",
		"POSTGRES_PASSWORD", "POSTGRES_DB", "POSTGRES_READONLY_USER", "POSTGRES_READONLY_PASSWORD",
		"OPENAI_API_KEY", "OPENAI_BASE_URL", "AI_MODEL", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET",
		"SLACK_API_URL", "SLACK_APP_TOKEN", "LOGFIRE_TOKEN", "LOGFIRE_READ_TOKEN", "LOGFIRE_SERVICE_NAME",
		"LOGFIRE_ENVIRONMENT", "QUERY_TIMEOUT", "MAX_RESULT_ROWS", "EXPORT_MAX_ROWS", "PROMPTS_DIR",
		"ALLOWED_CHANNELS", "ALLOWED_USERS", "CHARTS", "WORKERS", "KNOWLEDGE_DIR", "CURATORS", "SCHEDULES", "SCHEDULES_PER_CHANNEL",
	} {
		if !have[name] {
			t.Errorf("Variables() lacks %s", name)
		}
	}
}

func TestDSNs(t *testing.T) {
	t.Parallel()
	cfg := load(t, env{"POSTGRES_HOST": "db", "POSTGRES_PASSWORD": "p@ss/word", "POSTGRES_READONLY_PASSWORD": "r o"})
	if got, want := cfg.PostgresDSN(), "postgres://postgres:p%40ss%2Fword@db:5432/analytics"; got != want {
		t.Errorf("PostgresDSN = %q, want %q", got, want)
	}
	if got, want := cfg.ReadonlyDSN(), fmt.Sprintf("postgres://analytics_readonly:%s@db:5432/analytics", "r%20o"); got != want {
		t.Errorf("ReadonlyDSN = %q, want %q", got, want)
	}
}

func TestReadonlyTargetDefaultsToThePrimary(t *testing.T) {
	t.Parallel()
	cfg := load(t, env{"POSTGRES_HOST": "db", "POSTGRES_PORT": "6432", "POSTGRES_DB": "bot"})
	if cfg.ReadonlyHost != "db" || cfg.ReadonlyPort != 6432 || cfg.ReadonlyDB != "bot" {
		t.Errorf("read-only target = %s:%d/%s, want db:6432/bot", cfg.ReadonlyHost, cfg.ReadonlyPort, cfg.ReadonlyDB)
	}
	cfg = load(t, env{"POSTGRES_HOST": "db", "POSTGRES_READONLY_HOST": "replica", "POSTGRES_READONLY_PORT": "5433", "POSTGRES_READONLY_DB": "warehouse"})
	if got, want := cfg.ReadonlyDSN(), "postgres://analytics_readonly@replica:5433/warehouse"; got != want {
		t.Errorf("ReadonlyDSN = %q, want %q", got, want)
	}
	if got, want := cfg.PostgresDSN(), "postgres://postgres@db:5432/analytics"; got != want {
		t.Errorf("PostgresDSN = %q, want %q", got, want)
	}
}

func TestAnalyticsSchemas(t *testing.T) {
	t.Parallel()
	if cfg := load(t, env{}); !slices.Equal(cfg.AnalyticsSchemas, []string{"public"}) {
		t.Errorf("default = %q, want public", cfg.AnalyticsSchemas)
	}
	if cfg := load(t, env{"ANALYTICS_SCHEMAS": " sales, Marketing Data ,sales,public"}); !slices.Equal(cfg.AnalyticsSchemas, []string{"sales", "Marketing Data", "public"}) {
		t.Errorf("parsed = %q", cfg.AnalyticsSchemas)
	}
	for value, want := range map[string]string{
		"":                      "at least one schema",
		" , ":                   "at least one schema",
		"public,analytics_bot":  "private schema",
		"pg_catalog":            "system schema",
		`sales"; DROP`:          "double quote",
		strings.Repeat("s", 64): "63 bytes",
	} {
		_, err := config.Load(context.Background(), env{"ANALYTICS_SCHEMAS": value}.lookup, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "ANALYTICS_SCHEMAS ") || !strings.Contains(err.Error(), want) {
			t.Errorf("ANALYTICS_SCHEMAS=%q: err = %v, want it to name the variable and say %q", value, err, want)
		}
	}
	if _, err := config.Load(context.Background(), env{"POSTGRES_READONLY_PORT": "x"}.lookup, nil); err == nil || !strings.HasPrefix(err.Error(), "POSTGRES_READONLY_PORT ") {
		t.Errorf("POSTGRES_READONLY_PORT=x: err = %v", err)
	}
}
