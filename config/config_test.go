package config_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/fake"
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
		{"WORKERS", cfg.Workers, 100},
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

func TestValidateNamesTheMissingVariable(t *testing.T) {
	t.Parallel()
	complete := env{"OPENAI_API_KEY": "sk-x", "SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "sig"}
	cases := []struct {
		name    string
		need    config.Requirement
		without string
		env     env
		want    string
	}{
		{"slack needs the bot token", config.NeedSlack, "SLACK_BOT_TOKEN", nil, "SLACK_BOT_TOKEN"},
		{"slack needs the signing secret", config.NeedSlack, "SLACK_SIGNING_SECRET", nil, "SLACK_SIGNING_SECRET"},
		{"the model needs a key", config.NeedModel, "OPENAI_API_KEY", nil, "OPENAI_API_KEY"},
		{"the database needs a name", config.NeedDatabase, "", env{"POSTGRES_DB": ""}, "POSTGRES_DB"},
		{"the database needs a host", config.NeedDatabase, "", env{"POSTGRES_HOST": ""}, "POSTGRES_HOST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := env{}
			for k, v := range complete {
				if k != c.without {
					e[k] = v
				}
			}
			for k, v := range c.env {
				e[k] = v
			}
			cfg := load(t, e)
			err := cfg.Validate(c.need)
			var cerr *config.Error
			if !errors.As(err, &cerr) || cerr.Variable != c.want || !strings.HasPrefix(err.Error(), c.want+" ") {
				t.Fatalf("Validate = %v, want a configuration error naming %s", err, c.want)
			}
			if !config.IsError(err) {
				t.Error("IsError is false for a missing variable")
			}
		})
	}

	t.Run("a complete configuration passes", func(t *testing.T) {
		t.Parallel()
		if err := load(t, complete).Validate(config.NeedDatabase | config.NeedModel | config.NeedSlack); err != nil {
			t.Errorf("Validate = %v", err)
		}
	})
	t.Run("an OpenAI-compatible server needs no key", func(t *testing.T) {
		t.Parallel()
		if err := load(t, env{"OPENAI_BASE_URL": "http://127.0.0.1:11434/v1"}).Validate(config.NeedModel); err != nil {
			t.Errorf("Validate = %v", err)
		}
	})
}

func TestMalformedValueNamesTheVariable(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, value string }{
		{"PORT", "abc"},
		{"PORT", "70000"},
		{"POSTGRES_PORT", "5432x"},
		{"QUERY_TIMEOUT", "-1"},
		{"QUERY_TIMEOUT", "soon"},
		{"CHARTS", "maybe"},
		{"DEBUG", "perhaps"},
		{"MAX_RESULT_ROWS", "0"},
		{"EXPORT_MAX_ROWS", "-5"},
		{"WORKERS", "many"},
		{"SLACK_API_URL", "slack.com/api"},
		{"OPENAI_BASE_URL", "ftp://example.com"},
		{"POSTGRES_READONLY_USER", "Robert'); DROP"},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			t.Parallel()
			e := env{c.name: c.value}
			for k, v := range secrets {
				e[k] = v
			}
			_, err := config.Load(context.Background(), e.lookup, nil)
			var cerr *config.Error
			if !errors.As(err, &cerr) || cerr.Variable != c.name {
				t.Fatalf("Load = %v, want a configuration error for %s", err, c.name)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, c.name+" ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q does not start with the variable or is not one line", msg)
			}
			for name, secret := range secrets {
				if strings.Contains(msg, secret) {
					t.Errorf("message %q echoes %s", msg, name)
				}
			}
		})
	}
}

func TestSSMMalformedValueNamesTheVariable(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	s.Put("/analytics-bot/port", "eighty", false)
	_, err := loadWithSSM(t, e)
	if !config.IsError(err) || !strings.HasPrefix(err.Error(), "PORT ") {
		t.Fatalf("Load = %v, want a configuration error naming PORT", err)
	}
}

func TestLoggedConfigurationHasNoSecret(t *testing.T) {
	t.Parallel()
	s, e := setupSSM(t)
	// Half the secrets come from the environment, half from SSM.
	i := 0
	for name, value := range secrets {
		if i%2 == 0 {
			e[name] = value
		} else {
			s.Put("/analytics-bot/"+name, value, true)
		}
		i++
	}
	cfg, err := loadWithSSM(t, e)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if got := len(cfg.Secrets()); got != len(secrets) {
		t.Fatalf("Secrets() lists %d values, want %d: the test would miss a leak", got, len(secrets))
	}

	var buf bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	log.Info("configuration", slog.Any("config", cfg))
	log.Info("configuration", slog.Any("config", *cfg))
	log.Info("configuration", "config", cfg)
	out := buf.String()

	for name, value := range secrets {
		if strings.Contains(out, value) {
			t.Errorf("the logged configuration contains %s", name)
		}
	}
	for _, value := range cfg.Secrets() {
		if strings.Contains(out, value) {
			t.Errorf("the logged configuration contains a secret listed by Secrets()")
		}
	}
	// The masked form still says which secrets are set, and the rest is there.
	for _, want := range []string{`"openai_api_key":"****"`, `"slack_bot_token":"****"`, `"ai_model":"gpt-4.1"`, `"port":8000`} {
		if strings.Count(out, want) != 3 {
			t.Errorf("each log line should carry %s:\n%s", want, out)
		}
	}
	for line := range strings.Lines(out) {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Fatalf("log line is not JSON: %v", err)
		}
		if _, ok := v["config"].(map[string]any); !ok {
			t.Errorf("config logged as %T, want a group (LogValue): %s", v["config"], line)
		}
	}
}

func TestUnsetSecretsAreLoggedAsUnset(t *testing.T) {
	t.Parallel()
	cfg := load(t, env{})
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("configuration", slog.Any("config", cfg))
	if !strings.Contains(buf.String(), `"openai_api_key":"(unset)"`) {
		t.Errorf("an unset key is not logged as (unset): %s", buf.String())
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
		"ALLOWED_CHANNELS", "ALLOWED_USERS", "CHARTS", "WORKERS",
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
