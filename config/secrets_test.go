package config_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

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
