package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

const curator = "UCUR0001"

// press is a button press by user on an answer (channel set) or on the
// Home tab (channel empty).
func (b *testBot) press(user, actionID, value, channel, messageTS, threadTS string) {
	b.t.Helper()
	p := map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": user},
		"actions": []map[string]any{{"action_id": actionID, "block_id": "b1", "value": value, "type": "button",
			"action_ts": strconv.FormatInt(time.Now().UnixNano(), 10)}},
	}
	if channel != "" {
		p["channel"] = map[string]string{"id": channel}
		p["container"] = map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel}
		p["message"] = map[string]any{"ts": messageTS, "thread_ts": threadTS, "text": "answer"}
	} else {
		p["container"] = map[string]any{"type": "view", "view_id": "V1"}
		p["view"] = map[string]any{"id": "V1", "type": "home"}
	}
	payload, _ := json.Marshal(p)
	if status, body := b.post("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode())); status != http.StatusOK {
		b.t.Fatalf("press %s: status %d: %s", actionID, status, body)
	}
}

func (b *testBot) openHome(user string) {
	b.t.Helper()
	b.sendEvent(map[string]any{"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
		"event_ts": strconv.FormatInt(time.Now().UnixNano(), 10)})
}

// waitEphemeral waits for an ephemeral message to user containing text.
func (b *testBot) waitEphemeral(user, text string) {
	b.t.Helper()
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool {
		for _, m := range s.Messages() {
			if m.Ephemeral && m.User == user && (strings.Contains(m.Text, text) || strings.Contains(string(m.Blocks), text)) {
				return true
			}
		}
		return false
	})
}

func (b *testBot) waitHome(user string, cond func(view string) bool) string {
	b.t.Helper()
	var view string
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool {
		v, ok := s.HomeView(user)
		view = string(v)
		return ok && cond(view)
	})
	return view
}

func (b *testBot) proposalStatus(id string) string {
	var status string
	err := b.db.Pool.QueryRow(context.Background(), "SELECT status FROM analytics_bot.knowledge_verified WHERE id = $1", id).Scan(&status)
	if err != nil {
		return "none"
	}
	return status
}

// A curator verifies an answer, approves it on the Home tab, and the same
// question then gets an instant answer with no model call; nobody else can
// propose or approve.
func TestSlackCuratorLoop(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CURATORS": curator}})
	question := "How many crashes did android have in the last 7 days?"
	sql := "SELECT sum(crashes) AS crashes FROM app_metrics WHERE platform = 'android' AND day >= current_date - 7"
	answer := b.ask(sql, "Android had many crashes.", question, "1700000100.000100", "")
	if !strings.Contains(string(answer.Blocks), `"action_id":"verify"`) {
		t.Fatalf("the answer offers no Verify button: %s", answer.Blocks)
	}
	var historyID int64
	if err := b.db.Pool.QueryRow(context.Background(), "SELECT id FROM analytics_bot.query_history WHERE question = $1", question).Scan(&historyID); err != nil {
		t.Fatal(err)
	}
	hid := strconv.FormatInt(historyID, 10)
	id := "how-many-crashes-did-android-have-in-the-last-7-h" + hid // the question's first words and the answer's id

	// Someone who is not a curator: an ephemeral explanation, nothing stored.
	b.press("U123", "verify", hid, "C100", answer.TS, "1700000100.000100")
	b.waitEphemeral("U123", "Only the team's knowledge curators")
	if s := b.proposalStatus(id); s != "none" {
		t.Fatalf("a non-curator's Verify stored a proposal (%s)", s)
	}

	// The curator proposes it.
	b.press(curator, "verify", hid, "C100", answer.TS, "1700000100.000100")
	b.waitEphemeral(curator, "Proposed as verified query")
	if s := b.proposalStatus(id); s != "proposed" {
		t.Fatalf("after the curator's Verify the proposal is %s", s)
	}

	// A 👎 is listed for curators to review; it teaches nothing by itself.
	b.press("U123", "answer_feedback", "down:"+hid, "C100", answer.TS, "1700000100.000100")
	b.waitEphemeral("U123", "what was wrong?")

	// The Home tab: proposals and 👎 answers for the curator, none for
	// anyone else.
	b.openHome(curator)
	b.waitHome(curator, func(v string) bool {
		return strings.Contains(v, id) && strings.Contains(v, "knowledge_approve") && strings.Contains(v, "👎 by ") && strings.Contains(v, "question "+hid)
	})
	b.openHome("U123")
	other := b.waitHome("U123", func(string) bool { return true })
	if strings.Contains(other, id) || strings.Contains(other, "knowledge_approve") {
		t.Errorf("a non-curator's Home tab shows proposals: %s", other)
	}

	// A forged Approve from someone else changes nothing.
	b.press("U123", "knowledge_approve", id, "", "", "")
	b.slack.WaitFor(t, 20*time.Second, func(*fake.Slack) bool { return b.pendingJobs() == 0 })
	if s := b.proposalStatus(id); s != "proposed" {
		t.Fatalf("a non-curator approved: %s", s)
	}

	// Not used before approval: the same question still goes to the model.
	before := conversations(b.model)
	b.ask(sql, "Still the model.", question, "1700000200.000100", "")
	if conversations(b.model) != before+1 {
		t.Fatal("a proposal was used before approval")
	}

	b.press(curator, "knowledge_approve", id, "", "", "")
	b.waitHome(curator, func(v string) bool { return !strings.Contains(v, id) })
	if s := b.proposalStatus(id); s != "approved" {
		t.Fatalf("after approval: %s", s)
	}

	// Live at once: the exact question is answered with no model call.
	before = conversations(b.model)
	b.sendEvent(mention(strings.ToLower(question), "1700000300.000100", ""))
	m := b.waitForText("C100", "1700000300.000100", "no model call")
	if !strings.Contains(string(m.Blocks), "✓ Verified query: "+question) {
		t.Errorf("the answer lacks the verified line: %s", m.Blocks)
	}
	if conversations(b.model) != before {
		t.Error("the model was asked")
	}
}

// pendingJobs counts Slack work not yet finished.
func (b *testBot) pendingJobs() int {
	var n int
	if err := b.db.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM analytics_bot.river_job WHERE kind = 'slack_work' AND state NOT IN ('completed', 'discarded', 'cancelled')").Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}
