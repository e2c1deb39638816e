package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

const platformSQL = "SELECT platform, sum(dau) AS dau FROM app_metrics WHERE day = (SELECT max(day) FROM app_metrics) GROUP BY platform ORDER BY platform"

func scriptSQLAnswer(m *fake.OpenAI, sql, text string) {
	m.Script(fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": sql})), fake.Reply(text))
}

func TestQuestionIsAnsweredInThread(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	scriptSQLAnswer(b.model, platformSQL, "Yesterday *ios* had the most users.")
	b.sendEvent(mention("what was DAU by platform yesterday?", "1700000001.000100", ""))

	msg := b.waitForText("C100", "1700000001.000100", "Yesterday *ios* had the most users.")
	if msg.ThreadTS != "1700000001.000100" {
		t.Errorf("answer thread_ts = %q, want the question's ts", msg.ThreadTS)
	}
	if !msg.Stream {
		t.Error("the answer was not streamed")
	}
	blocks := string(msg.Blocks)
	for _, want := range []string{`"data_table"`, `"show_sql"`, `"export_csv"`, `"feedback_buttons"`, "android"} {
		if !strings.Contains(blocks, want) {
			t.Errorf("answer blocks lack %s: %s", want, blocks)
		}
	}
	if n := len(threadMessages(b.slack, "C100", "1700000001.000100")); n != 1 {
		t.Errorf("%d bot messages in the thread, want 1", n)
	}

	// "show SQL" in the thread answers from history without the model.
	requests := len(b.model.Requests())
	b.sendEvent(mention("Show SQL", "1700000001.000200", "1700000001.000100"))
	b.waitForText("C100", "1700000001.000100", "SELECT platform")
	if len(b.model.Requests()) != requests {
		t.Error("show SQL called the model")
	}
}

func TestForgedRequestsAreRejected(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	body := b.event(mention("hello", "1700000002.000100", ""))
	cases := []struct {
		name string
		sign func(*http.Request)
	}{
		{"unsigned", func(*http.Request) {}},
		{"wrong secret", func(r *http.Request) { sign(r, body, "not-the-secret", time.Now()) }},
		{"stale", func(r *http.Request) { sign(r, body, testSigningSecret, time.Now().Add(-10*time.Minute)) }},
		{"tampered", func(r *http.Request) {
			sign(r, []byte(strings.Replace(string(body), "hello", "hullo", 1)), testSigningSecret, time.Now())
		}},
	}
	for _, tc := range cases {
		for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
			req, _ := http.NewRequest(http.MethodPost, b.url+path, strings.NewReader(string(body)))
			tc.sign(req)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", tc.name, path, resp.StatusCode)
			}
		}
	}
	if n := b.jobs(); n != 0 {
		t.Errorf("%d jobs queued from forged requests", n)
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	status, body := b.post("/slack/events", "application/json", []byte(`{"token":"x","challenge":"abc123","type":"url_verification"}`))
	if status != http.StatusOK || !strings.Contains(body, `"abc123"`) {
		t.Errorf("url_verification: %d %s", status, body)
	}
}

func TestRejectedBotTokenIsAConfigurationError(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	b.slack.FailNext("auth.test", "invalid_auth")
	_, err := newServer(t.Context(), env{lookup: b.lookup, stdout: io.Discard, stderr: testWriter{t}}, roleAll)
	if err == nil {
		t.Fatal("serve started with a token Slack rejects")
	}
	var stderr strings.Builder
	if code := exitCode(err, &stderr); code != 2 || !strings.Contains(stderr.String(), "SLACK_BOT_TOKEN") {
		t.Errorf("exit %d, message %q; want 2 naming SLACK_BOT_TOKEN", code, stderr.String())
	}
}
