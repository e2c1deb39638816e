package main

import (
	"slices"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestSocketModeQuestion(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "SLACK_APP_TOKEN": "xapp-1-test"}})
	const ts = "1700001101.000100"
	scriptSQLAnswer(b.model, platformSQL, "Over the socket: ios led.")

	// Pushed as soon as the server runs; the fake delivers it right after
	// the client's hello.
	envelope := b.slack.SendSocketEventsAPI(b.event(mention("what was DAU by platform yesterday?", ts, "")))
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool { return slices.Contains(s.SocketAcks(), envelope) })
	if n := len(b.slack.CallsTo("apps.connections.open")); n == 0 {
		t.Error("the server never called apps.connections.open")
	}
	if calls := b.slack.CallsTo("apps.connections.open"); len(calls) > 0 && bearerOf(calls[0]) != "xapp-1-test" {
		t.Errorf("apps.connections.open was called with %q, want the app-level token", bearerOf(calls[0]))
	}

	msg := b.waitForText("C100", ts, "Over the socket: ios led.")
	if msg.ThreadTS != ts {
		t.Errorf("answered in thread %q, want %q", msg.ThreadTS, ts)
	}
	if n := b.jobs(); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}

func bearerOf(c fake.Call) string {
	const prefix = "Bearer "
	if h := c.Header.Get("Authorization"); len(h) > len(prefix) {
		return h[len(prefix):]
	}
	return c.Params.Get("token")
}
