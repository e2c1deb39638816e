package main

import (
	"net/http"
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

// TestEnterpriseGridOrganisationIsNotExternal: on Enterprise Grid auth.test
// reports the organisation, and a button pressed by the asker, whom Slack
// names by the organisation's E… id in interactions, is served, not
// refused as external.
func TestEnterpriseGridOrganisationIsNotExternal(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true, env: map[string]string{"WORKERS": "2"}})
	b.slack.EnterpriseID = "E0001"
	b.start()
	const ts = "1700002004.000100"
	ans := b.ask(platformSQL, "Grid: ios led.", "what was DAU by platform yesterday?", ts, "")

	status, _ := b.interact(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001", "enterprise_id": "E0001"},
		"user":      map[string]string{"id": "U123", "team_id": "E0001"},
		"channel":   map[string]string{"id": "C100"},
		"container": map[string]any{"type": "message", "message_ts": ans.TS, "channel_id": "C100"},
		"message":   map[string]any{"ts": ans.TS, "thread_ts": ts, "text": "answer"},
		"actions": []map[string]any{{"action_id": "show_sql", "block_id": "answer_actions", "type": "button",
			"value": buttonValue(t, ans.Blocks, "show_sql"), "action_ts": "1700002005.000100"}},
	})
	if status != http.StatusOK {
		t.Fatalf("show_sql: status %d", status)
	}
	b.waitForText("C100", ts, "SELECT platform, sum(dau)")
	if refusals := b.slack.CallsTo("chat.postEphemeral"); len(refusals) != 0 {
		t.Errorf("a person of the organisation was refused: %v", refusals[0].Params.Get("text"))
	}
}
