package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// dm is a direct message to the bot.
func dm(text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel": "D100", "channel_type": "im", "user": "U123", "text": text, "ts": ts, "event_ts": ts}
}

// in moves an event to another channel.
func in(channel string, ev map[string]any) map[string]any {
	ev["channel"] = channel
	return ev
}

// command posts the slash command as Slack does and returns the status and body.
func (b *testBot) command(text, channel, triggerID string) (int, string) {
	b.t.Helper()
	form := url.Values{
		"token": {"legacy"}, "team_id": {"T0001"}, "team_domain": {"fake"}, "channel_id": {channel},
		"channel_name": {"analytics"}, "user_id": {"U123"}, "user_name": {"ana"}, "command": {"/analytics"},
		"text": {text}, "api_app_id": {"A1"}, "response_url": {b.slack.ResponseURL()}, "trigger_id": {triggerID},
	}
	return b.post("/slack/commands", "application/x-www-form-urlencoded", []byte(form.Encode()))
}

func TestSlashCommand(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const question = "what was DAU by platform yesterday?"
	b.model.Script(
		fake.Response{ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL})}, Delay: 500 * time.Millisecond},
		fake.Reply("Yesterday *ios* led."),
	)
	status, body := b.command(question, "C200", "1111.2222.aaaa")
	if status != http.StatusOK {
		t.Fatalf("slash command: status %d: %s", status, body)
	}
	var ack struct {
		ResponseType string `json:"response_type"`
		Text         string `json:"text"`
	}
	if err := json.Unmarshal([]byte(body), &ack); err != nil || ack.ResponseType != "ephemeral" || ack.Text == "" {
		t.Errorf("slash command acknowledged with %s, want an ephemeral JSON message", body)
	}
	for _, m := range b.slack.Messages() {
		if strings.Contains(m.Text, "Yesterday *ios* led.") {
			t.Error("the acknowledgement waited for the answer")
		}
	}

	var answer fake.Message
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, m := range s.Messages() {
			if m.Channel == "C200" && strings.Contains(m.Text, "Yesterday *ios* led.") {
				answer = m
				return true
			}
		}
		return false
	})
	if answer.ThreadTS != "" || answer.Ephemeral {
		t.Errorf("the answer is in thread %q (ephemeral %v), want a top-level message in the channel", answer.ThreadTS, answer.Ephemeral)
	}
	if answer.Updates == 0 {
		t.Error("the answer was posted, not put in place of a placeholder")
	}
	if n := len(b.slack.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d messages posted, want 1 (the placeholder)", n)
	}

	// The answer's thread is a conversation like any other.
	seen := len(b.model.Requests())
	b.model.Script(fake.Reply("Android came second."))
	b.sendEvent(in("C200", mention("and second?", "1700000401.000100", answer.TS)))
	msg := b.waitForText("C200", answer.TS, "Android came second.")
	if msg.ThreadTS != answer.TS {
		t.Errorf("follow-up answered in thread %q, want %q", msg.ThreadTS, answer.TS)
	}
	if req := b.model.Requests()[seen]; !strings.Contains(string(req.Body), question) || !strings.Contains(string(req.Body), platformSQL) {
		t.Errorf("the follow-up's model request lacks the slash command's question and SQL: %s", req.Body)
	}

	// The same command delivered again (same trigger) is answered once.
	if status, _ := b.command(question, "C200", "1111.2222.aaaa"); status != http.StatusOK {
		t.Errorf("repeated command: status %d", status)
	}
	if n := b.jobs(); n != 2 {
		t.Errorf("%d jobs, want 2 (the command and the follow-up)", n)
	}
}

func TestDirectMessage(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700000501.000100"

	ignored := []map[string]any{
		{"type": "message", "subtype": "bot_message", "bot_id": "B999", "channel": "D100", "channel_type": "im",
			"text": "beep", "ts": "1700000500.000001"},
		{"type": "message", "bot_id": "B999", "user": "U555", "channel": "D100", "channel_type": "im",
			"text": "I am a bot with a user", "ts": "1700000500.000002"},
		{"type": "message", "subtype": "message_changed", "channel": "D100", "channel_type": "im", "ts": "1700000500.000003",
			"message":          map[string]any{"type": "message", "user": "U123", "text": "edited question?", "ts": "1700000500.000000"},
			"previous_message": map[string]any{"type": "message", "user": "U123", "text": "question?", "ts": "1700000500.000000"}},
		{"type": "message", "user": "UBOT", "channel": "D100", "channel_type": "im", "text": "Working on it…", "ts": "1700000500.000004"},
	}
	for _, ev := range ignored {
		b.sendEvent(ev)
	}
	if n := b.jobs(); n != 0 {
		t.Errorf("%d jobs queued for bot, edited and own messages, want 0", n)
	}

	scriptSQLAnswer(b.model, platformSQL, "In the DM: ios led.")
	b.sendEvent(dm("what was DAU by platform yesterday?", ts))
	msg := b.waitForText("D100", ts, "In the DM: ios led.")
	if msg.ThreadTS != ts {
		t.Errorf("DM answered in thread %q, want %q", msg.ThreadTS, ts)
	}
	if n := conversations(b.model); n != 1 {
		t.Errorf("the model was asked %d questions, want 1", n)
	}
	if n := b.jobs(); n != 1 {
		t.Errorf("%d jobs, want 1", n)
	}
}
