package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestCLISlackAppTokenMustBeAnAppLevelToken(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{
		"xoxb-123-456-abc": "bot token (xoxb-…), which belongs in SLACK_BOT_TOKEN",
		"garbage":          "want an app-level token starting with xapp-",
	} {
		r := runCLI(t, map[string]string{"SLACK_APP_TOKEN": token, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "OPENAI_API_KEY": "sk"}, "serve")
		line := lastLine(r.stderr)
		if r.code != 2 || !strings.HasPrefix(line, "analytics-bot: SLACK_APP_TOKEN ") || !strings.Contains(line, want) {
			t.Errorf("SLACK_APP_TOKEN=%s: exit %d, %q; want exit 2 naming the variable and saying %q", token, r.code, line, want)
		}
		if strings.Contains(r.stderr, token) {
			t.Errorf("the token was printed: %q", r.stderr)
		}
	}
}

// TestServeSocketModeRejectedTokenSaysWhatToDo: Slack refuses the app-level
// token when the connection is opened; serve stops with exit 2, naming the
// variable and what to do, instead of a bare "socket mode: invalid_auth".
func TestServeSocketModeRejectedTokenSaysWhatToDo(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true, env: map[string]string{"SLACK_APP_TOKEN": "xapp-1-revoked"}})
	b.slack.FailNext("apps.connections.open", "invalid_auth")
	r := runCLI(t, b.env, "serve")
	line := lastLine(r.stderr)
	if r.code != 2 {
		t.Errorf("exit %d, want 2; stderr:\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"SLACK_APP_TOKEN", "invalid_auth", "connections:write", "App-Level Tokens"} {
		if !strings.Contains(line, want) {
			t.Errorf("error line lacks %q: %s", want, line)
		}
	}
}

// TestServeSocketModeLogsConnectionFailures: a failed connection attempt is
// logged with what to do, and the bot keeps trying.
func TestServeSocketModeLogsConnectionFailures(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true, env: map[string]string{"SLACK_APP_TOKEN": "xapp-1-test"}})
	b.slack.FailNext("apps.connections.open", "missing_scope")
	logs := &fake.LogSink{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := newServer(ctx, env{lookup: b.lookup, stdout: logs, stderr: logs}, roleAll)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(logs.String(), "connected to Slack in Socket Mode") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	out := logs.String()
	for _, want := range []string{"Socket Mode connection to Slack failed; retrying", "missing_scope", "lacks connections:write", "connected to Slack in Socket Mode"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}
