package config_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/config"
)

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
		{"SCHEDULES", "sometimes"},
		{"SCHEDULES_PER_CHANNEL", "0"},
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
