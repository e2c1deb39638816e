package config_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/fake"
)

// setupSSM starts the fake Parameter Store with small pages and returns it
// with an environment that points the real AWS SDK at it.
func setupSSM(t *testing.T) (*fake.SSM, env) {
	t.Helper()
	s := fake.NewSSM(t)
	s.PageSize = 2
	return s, env{
		"SSM_PREFIX":            "/analytics-bot",
		"AWS_ENDPOINT_URL_SSM":  s.URL,
		"AWS_REGION":            "eu-central-1",
		"AWS_ACCESS_KEY_ID":     "AKIDFAKETEST",
		"AWS_SECRET_ACCESS_KEY": "aws-secret-key-fake",
	}
}

func loadWithSSM(t *testing.T, e env) (*config.Config, error) {
	t.Helper()
	ctx := context.Background()
	source, err := config.NewSSM(ctx, e.lookup)
	if err != nil {
		t.Fatalf("new SSM source: %v", err)
	}
	return config.Load(ctx, e.lookup, source)
}

func TestSSMFillsUnsetVariablesAcrossPages(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	s.Put("/analytics-bot/POSTGRES_HOST", "rds.example.internal", false)
	s.Put("/analytics-bot/POSTGRES_PASSWORD", secrets["POSTGRES_PASSWORD"], true)
	s.Put("/analytics-bot/POSTGRES_READONLY_PASSWORD", secrets["POSTGRES_READONLY_PASSWORD"], true)
	s.Put("/analytics-bot/OPENAI_API_KEY", secrets["OPENAI_API_KEY"], true)
	s.Put("/analytics-bot/SLACK_BOT_TOKEN", secrets["SLACK_BOT_TOKEN"], true)
	s.Put("/analytics-bot/SLACK_SIGNING_SECRET", secrets["SLACK_SIGNING_SECRET"], true)
	s.Put("/analytics-bot/AI_MODEL", "gpt-4.1-mini", false)
	s.Put("/analytics-bot/QUERY_TIMEOUT", "20s", false)
	s.Put("/other-app/OPENAI_API_KEY", "sk-of-another-app", true)

	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	want := map[string][2]string{
		"POSTGRES_HOST":              {cfg.PostgresHost, "rds.example.internal"},
		"POSTGRES_PASSWORD":          {cfg.PostgresPassword, secrets["POSTGRES_PASSWORD"]},
		"POSTGRES_READONLY_PASSWORD": {cfg.ReadonlyPassword, secrets["POSTGRES_READONLY_PASSWORD"]},
		"OPENAI_API_KEY":             {cfg.OpenAIAPIKey, secrets["OPENAI_API_KEY"]},
		"SLACK_BOT_TOKEN":            {cfg.SlackBotToken, secrets["SLACK_BOT_TOKEN"]},
		"SLACK_SIGNING_SECRET":       {cfg.SlackSigningSecret, secrets["SLACK_SIGNING_SECRET"]},
		"AI_MODEL":                   {cfg.AIModel, "gpt-4.1-mini"},
		"QUERY_TIMEOUT":              {cfg.QueryTimeout.String(), "20s"},
		"POSTGRES_DB (default)":      {cfg.PostgresDB, "analytics"},
	}
	for name, gw := range want {
		if gw[0] != gw[1] {
			t.Errorf("%s = %q, want %q (read from SSM, decrypted)", name, gw[0], gw[1])
		}
	}
	if cfg.SSMPrefix != "/analytics-bot" {
		t.Errorf("SSMPrefix = %q", cfg.SSMPrefix)
	}

	reqs := s.Requests()
	if len(reqs) < 4 {
		t.Fatalf("SSM answered %d request(s); 8 parameters in pages of 2 need 4", len(reqs))
	}
	for i, r := range reqs {
		var body struct {
			Path           string
			Recursive      bool
			WithDecryption bool
		}
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatalf("request %d body: %v", i, err)
		}
		if r.Target != "AmazonSSM.GetParametersByPath" || body.Path != "/analytics-bot" || !body.Recursive || !body.WithDecryption {
			t.Errorf("request %d = %s %s, want a recursive, decrypted GetParametersByPath of /analytics-bot", i, r.Target, r.Body)
		}
		auth := r.Header.Get("Authorization")
		if !strings.Contains(auth, "Credential=AKIDFAKETEST/") || !strings.Contains(auth, "/eu-central-1/ssm/") {
			t.Errorf("request %d is not signed with the configured keys and region: %q", i, auth)
		}
	}
}

func TestEnvironmentWinsOverSSM(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	s.Put("/analytics-bot/AI_MODEL", "model-from-ssm", false)
	s.Put("/analytics-bot/OPENAI_API_KEY", "sk-from-ssm", true)
	s.Put("/analytics-bot/PORT", "7000", false)
	e["AI_MODEL"] = "model-from-env"
	e["OPENAI_API_KEY"] = "sk-from-env"

	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.AIModel != "model-from-env" || cfg.OpenAIAPIKey != "sk-from-env" {
		t.Errorf("explicit environment lost to SSM: AI_MODEL %q, OPENAI_API_KEY %q", cfg.AIModel, cfg.OpenAIAPIKey)
	}
	if cfg.Port != 7000 {
		t.Errorf("PORT = %d, want 7000 from SSM for a variable the environment leaves unset", cfg.Port)
	}
}

func TestSSMParameterNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"/analytics-bot/OPENAI_API_KEY",
		"/analytics-bot/openai/api-key",
		"/analytics-bot/openai_api_key",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s, e := setupSSM(t)
			s.Put(name, "sk-named-"+name, true)
			s.Put("/analytics-bot/slack/bot-token", "xoxb-nested", true)
			cfg, err := loadWithSSM(t, e)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			if cfg.OpenAIAPIKey != "sk-named-"+name {
				t.Errorf("parameter %s gives OPENAI_API_KEY %q", name, cfg.OpenAIAPIKey)
			}
			if cfg.SlackBotToken != "xoxb-nested" {
				t.Errorf("/analytics-bot/slack/bot-token gives SLACK_BOT_TOKEN %q", cfg.SlackBotToken)
			}
		})
	}
}

func TestSSMPrefixTrailingSlashIsTheSamePath(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	e["SSM_PREFIX"] = "analytics-bot/"
	s.Put("/analytics-bot/AI_MODEL", "gpt-from-ssm", false)
	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if cfg.AIModel != "gpt-from-ssm" {
		t.Errorf("SSM_PREFIX=analytics-bot/ gives AI_MODEL %q, want the parameter under /analytics-bot", cfg.AIModel)
	}
}

func TestSSMPrefixWithoutSourceIsAConfigError(t *testing.T) {
	t.Parallel()
	_, err := config.Load(context.Background(), env{"SSM_PREFIX": "/analytics-bot"}.lookup, nil)
	if !config.IsError(err) || !strings.Contains(err.Error(), "SSM_PREFIX") {
		t.Fatalf("err = %v, want a configuration error naming SSM_PREFIX", err)
	}
}

func TestSSMWithoutCredentialsOrRegion(t *testing.T) {
	t.Parallel()
	srv := fake.NewSSM(t)
	srv.Put("/analytics-bot/OPENAI_API_KEY", "sk-from-ssm", true)
	env := map[string]string{"SSM_PREFIX": "/analytics-bot", "AWS_ENDPOINT_URL_SSM": srv.URL}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	source, err := config.NewSSM(context.Background(), lookup)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(context.Background(), lookup, source)
	if err != nil {
		t.Fatalf("a local SSM stand-in without credentials or region: %v", err)
	}
	if cfg.OpenAIAPIKey != "sk-from-ssm" {
		t.Errorf("OPENAI_API_KEY = %q", cfg.OpenAIAPIKey)
	}
}
