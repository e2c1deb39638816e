package main

import (
	"fmt"
	"strings"

	"github.com/analytics-bot/analytics-bot/fake"
)

// SQL the scripted model runs; none has characters Slack escapes (&, <, >),
// so it appears verbatim in "show SQL" replies.
const (
	countrySQL = "SELECT country, sum(revenue_usd) AS revenue FROM app_metrics GROUP BY country ORDER BY revenue DESC, country"
	allRowsSQL = "SELECT day, platform, country, dau, revenue_usd FROM app_metrics ORDER BY day, platform, country"
)

// threadReply is a plain message in a channel thread, without the mention.
func threadReply(text, ts, thread string) map[string]any {
	return map[string]any{"type": "message", "channel": "C100", "channel_type": "channel", "user": "U123",
		"text": text, "ts": ts, "thread_ts": thread, "event_ts": ts}
}

// describe lists messages for a failure report.
func describe(msgs []fake.Message) string {
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = fmt.Sprintf("{ts %s, thread %s, %d updates: %q}", m.TS, m.ThreadTS, m.Updates, m.Text)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// ask sends a mention and waits for the scripted answer.
func (b *testBot) ask(sql, answer, question, ts, thread string) fake.Message {
	b.t.Helper()
	scriptSQLAnswer(b.model, sql, answer)
	b.sendEvent(mention(question, ts, thread))
	if thread == "" {
		thread = ts
	}
	return b.waitForText("C100", thread, answer)
}

// conversations counts the questions the model was asked: requests whose
// last message is the person's (later turns end with tool results).
func conversations(m *fake.OpenAI) int {
	n := 0
	for _, r := range m.Requests() {
		if len(r.Messages) > 0 && r.Messages[len(r.Messages)-1].Role == "user" {
			n++
		}
	}
	return n
}
