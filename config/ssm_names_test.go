package config_test

import (
	"strconv"
	"testing"

	"github.com/analytics-bot/analytics-bot/config"
)

// TestSSMDesignNames stores every setting under the design document's
// Parameter Store name (/analytics-bot/slack-token for SLACK_BOT_TOKEN, …)
// and reads it back through the real AWS SDK and the fake Parameter Store.
func TestSSMDesignNames(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	values := map[string]string{
		"project-name":       "bot-from-design",
		"debug":              "true",
		"environment":        "staging",
		"logfire-token":      "lf-token-design",
		"logfire-read-token": "lf-read-design",
		"logfire-service":    "svc-design",
		"logfire-env":        "env-design",
		"postgres-host":      "rds.design.internal",
		"postgres-port":      "6543",
		"postgres-user":      "owner_design",
		"postgres-password":  "pg-pass-design",
		"postgres-db":        "db_design",
		"openai-key":         "sk-design",
		"ai-model":           "model-design",
		"slack-token":        "xoxb-design",
		"slack-secret":       "signing-design",
	}
	for name, v := range values {
		s.Put("/analytics-bot/"+name, v, true)
	}
	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := cfg.Validate(config.NeedSlack | config.NeedModel | config.NeedDatabase); err != nil {
		t.Fatalf("serve's settings stored under the design's names: %v", err)
	}
	got := map[string]string{
		"project-name":       cfg.ProjectName,
		"debug":              strconv.FormatBool(cfg.Debug),
		"environment":        cfg.Environment,
		"logfire-token":      cfg.LogfireToken,
		"logfire-read-token": cfg.LogfireReadToken,
		"logfire-service":    cfg.LogfireServiceName,
		"logfire-env":        cfg.LogfireEnvironment,
		"postgres-host":      cfg.PostgresHost,
		"postgres-port":      strconv.Itoa(cfg.PostgresPort),
		"postgres-user":      cfg.PostgresUser,
		"postgres-password":  cfg.PostgresPassword,
		"postgres-db":        cfg.PostgresDB,
		"openai-key":         cfg.OpenAIAPIKey,
		"ai-model":           cfg.AIModel,
		"slack-token":        cfg.SlackBotToken,
		"slack-secret":       cfg.SlackSigningSecret,
	}
	for name, want := range values {
		if got[name] != want {
			t.Errorf("/analytics-bot/%s gives %q, want %q", name, got[name], want)
		}
	}
}

// TestSSMVariableNameWinsOverDesignName keeps today's form working: when
// both are stored, PREFIX/VARIABLE is the one read.
func TestSSMVariableNameWinsOverDesignName(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	s.Put("/analytics-bot/slack-token", "xoxb-design", true)
	s.Put("/analytics-bot/SLACK_BOT_TOKEN", "xoxb-variable", true)
	s.Put("/analytics-bot/openai-key", "sk-design-only", true)
	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.SlackBotToken != "xoxb-variable" {
		t.Errorf("SLACK_BOT_TOKEN = %q, want the PREFIX/VARIABLE form", cfg.SlackBotToken)
	}
	if cfg.OpenAIAPIKey != "sk-design-only" {
		t.Errorf("OPENAI_API_KEY = %q, want /analytics-bot/openai-key", cfg.OpenAIAPIKey)
	}
}

func TestParameterName(t *testing.T) {
	t.Parallel()
	for variable, want := range map[string]string{
		"SLACK_BOT_TOKEN":            "slack-token",
		"OPENAI_API_KEY":             "openai-key",
		"LOGFIRE_ENVIRONMENT":        "logfire-env",
		"POSTGRES_READONLY_PASSWORD": "POSTGRES_READONLY_PASSWORD",
		"WORKERS":                    "WORKERS",
	} {
		if got := config.ParameterName(variable); got != want {
			t.Errorf("ParameterName(%s) = %q, want %q", variable, got, want)
		}
	}
}
