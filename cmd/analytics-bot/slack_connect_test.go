package main

import (
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// externalMention is an app_mention by a member of another organisation in
// a Slack Connect channel: the event's user_team is not the installing team.
func externalMention(text, ts string) map[string]any {
	ev := mention(text, ts, "")
	ev["user"], ev["user_team"], ev["source_team"] = "UEXT1", "TOTHERORG", "TOTHERORG"
	return ev
}

func TestSlackConnectExternalUserIsRefusedByDefault(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700002001.000100"
	b.sendEvent(externalMention("what was DAU by platform yesterday?", ts))
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool { return len(s.CallsTo("chat.postEphemeral")) > 0 })
	refusal := b.slack.CallsTo("chat.postEphemeral")[0]
	if refusal.Params.Get("user") != "UEXT1" || !strings.Contains(refusal.Params.Get("text"), "can't answer") {
		t.Errorf("refusal to %q: %q", refusal.Params.Get("user"), refusal.Params.Get("text"))
	}
	if n := len(b.model.Requests()); n != 0 {
		t.Errorf("the model was asked %d time(s) for an external user", n)
	}

	// A member of the installing team (user_team T0001) in the same channel is served.
	const ts2 = "1700002002.000100"
	scriptSQLAnswer(b.model, platformSQL, "Internal: ios led.")
	own := mention("what was DAU by platform yesterday?", ts2, "")
	own["user_team"] = "T0001"
	b.sendEvent(own)
	b.waitForText("C100", ts2, "Internal: ios led.")
}

func TestSlackConnectExternalUserServedWhenAllowed(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "ALLOW_EXTERNAL_USERS": "true"}})
	const ts = "1700002003.000100"
	scriptSQLAnswer(b.model, platformSQL, "External but allowed: ios led.")
	b.sendEvent(externalMention("what was DAU by platform yesterday?", ts))
	b.waitForText("C100", ts, "External but allowed: ios led.")
}
