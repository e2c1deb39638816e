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

// interact posts an interactivity payload and returns the status and body.
func (b *testBot) interact(payload map[string]any) (int, string) {
	b.t.Helper()
	raw, err := json.Marshal(payload)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.post("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(raw)}}.Encode()))
}

func TestScheduleAnAnswerEndToEnd(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	b.slack.AddUser(fake.User{ID: "U123", TZ: "Europe/Berlin"})
	const q = "1700000100.000001"
	ans := b.ask(platformSQL, "Yesterday *ios* led.", "DAU by platform yesterday?", q, "")
	value := buttonValue(t, ans.Blocks, "schedule_open")
	if value == "" {
		t.Fatalf("the answer has no Schedule… button: %s", ans.Blocks)
	}

	status, _ := b.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-1", "team": map[string]string{"id": "T0001"},
		"user": map[string]string{"id": "U123"}, "channel": map[string]string{"id": "C100"},
		"container": map[string]any{"type": "message", "message_ts": ans.TS, "channel_id": "C100"},
		"message":   map[string]any{"ts": ans.TS, "thread_ts": q, "text": "answer"},
		"actions":   []map[string]any{{"action_id": "schedule_open", "block_id": "b", "value": value, "type": "button", "action_ts": "1"}},
	})
	if status != http.StatusOK {
		t.Fatalf("Schedule… press: status %d", status)
	}
	views := b.slack.Views()
	if len(views) != 1 || !strings.Contains(string(views[0].JSON), `"initial_value":"Europe/Berlin"`) {
		t.Fatalf("modal = %+v, want one in the clicker's time zone", views)
	}
	var view map[string]any
	_ = json.Unmarshal(views[0].JSON, &view)
	submit := func(tz string) (int, string) {
		view["id"], view["hash"] = views[0].ID, views[0].Hash
		view["state"] = map[string]any{"values": map[string]any{
			"frequency": map[string]any{"schedule_frequency": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "daily"}}},
			"time":      map[string]any{"value": map[string]any{"type": "timepicker", "selected_time": "09:00"}},
			"timezone":  map[string]any{"value": map[string]any{"type": "plain_text_input", "value": tz}},
			"channel":   map[string]any{"value": map[string]any{"type": "conversations_select", "selected_conversation": "C100"}},
			"condition": map[string]any{"schedule_condition": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "always"}}},
		}}
		return b.interact(map[string]any{"type": "view_submission", "team": map[string]string{"id": "T0001"},
			"user": map[string]string{"id": "U123"}, "view": view})
	}
	status, body := submit("Atlantis/Capital")
	if status != http.StatusOK || !strings.Contains(body, `"response_action":"errors"`) || !strings.Contains(body, `"timezone":"Unknown time zone`) {
		t.Fatalf("invalid submission: %d %s, want response_action errors on the time zone", status, body)
	}
	status, body = submit("Europe/Berlin")
	if status != http.StatusOK || !strings.Contains(body, `"response_action":"update"`) {
		t.Fatalf("valid submission: %d %s", status, body)
	}

	status, body = b.command("schedules", "C100", "trig-2")
	if status != http.StatusOK || !strings.Contains(body, "DAU by platform yesterday?") || !strings.Contains(body, "schedule_pause") {
		t.Fatalf("/analytics schedules: %d %s", status, body)
	}

	// The slot comes: the running planner queues it, a worker posts it.
	if _, err := b.db.Pool.Exec(t.Context(), "UPDATE analytics_bot.schedules SET next_run_at = now()"); err != nil {
		t.Fatal(err)
	}
	var delivery fake.Message
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, m := range s.Messages() {
			if m.Channel == "C100" && m.ThreadTS == "" && strings.Contains(string(m.Blocks), "Scheduled by \\u003c@U123\\u003e") {
				delivery = m
				return true
			}
		}
		return false
	})
	if !strings.Contains(delivery.Text, "DAU by platform yesterday?") || !strings.Contains(string(delivery.Blocks), "data_table") && !strings.Contains(string(delivery.Blocks), `"table"`) {
		t.Errorf("delivery = %q %s, want the question as title and the result table", delivery.Text, delivery.Blocks)
	}
	if n := conversations(b.model); n != 1 {
		t.Errorf("the model was asked %d times, want once (deliveries cost no model call)", n)
	}

	// The delivery's buttons work like an answer's, once the delivery has
	// recorded the message it posted (a person cannot press within those
	// milliseconds; the test can).
	historyID := buttonValue(t, delivery.Blocks, "show_sql")
	waitUntil(t, 10*time.Second, "the delivery records its message", func() bool {
		var threaded bool
		err := b.db.Pool.QueryRow(t.Context(), "SELECT thread_ts = $2 FROM analytics_bot.query_history WHERE id = $1::bigint", historyID, delivery.TS).Scan(&threaded)
		return err == nil && threaded
	})
	if status := b.interaction("show_sql", historyID, "C100", delivery.TS, ""); status != http.StatusOK {
		t.Fatalf("Show SQL on the delivery: status %d", status)
	}
	b.waitForText("C100", delivery.TS, "SELECT platform, sum(dau)")
}

func TestSchedulesOffHidesTheButtonAndTheCommands(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "SCHEDULES": "false"}})
	ans := b.ask(platformSQL, "Yesterday *ios* led.", "DAU by platform yesterday?", "1700000200.000001", "")
	if strings.Contains(string(ans.Blocks), "schedule_open") {
		t.Error("Schedule… shown with SCHEDULES=false")
	}
	if _, body := b.command("schedules", "C100", "trig-3"); !strings.Contains(body, "turned off") {
		t.Errorf("/analytics schedules with SCHEDULES=false: %s", body)
	}
}

func TestSchedulesOverSocketMode(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "SLACK_APP_TOKEN": "xapp-1-test"}})
	ackOf := func(envelope string) string {
		var payload string
		b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
			for _, a := range s.SocketAckDetails() {
				if a.EnvelopeID == envelope {
					payload = string(a.Payload)
					return true
				}
			}
			return false
		})
		return payload
	}
	list := b.slack.SendSocketSlashCommand(url.Values{
		"command": {"/analytics"}, "text": {"schedules"}, "team_id": {"T0001"}, "channel_id": {"C100"},
		"user_id": {"U123"}, "trigger_id": {"trig-s"}, "response_url": {b.slack.ResponseURL()},
	})
	if got := ackOf(list); !strings.Contains(got, "No scheduled questions in this channel") {
		t.Errorf("/analytics schedules over the socket acknowledged with %s", got)
	}
	submission, _ := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U123"},
		"view": map[string]any{"id": "V1", "callback_id": "schedule_create", "private_metadata": `{"q":true,"c":"C100"}`,
			"state": map[string]any{"values": map[string]any{
				"timezone": map[string]any{"value": map[string]any{"type": "plain_text_input", "value": "Nowhere/Else"}},
			}}},
	})
	got := ackOf(b.slack.SendSocketInteraction(submission))
	if !strings.Contains(got, `"response_action":"errors"`) || !strings.Contains(got, `"question"`) || !strings.Contains(got, `"timezone"`) {
		t.Errorf("an invalid submission over the socket acknowledged with %s", got)
	}
}
