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

// answerBlocks is the part of an answer's blocks the tests look at.
type answerBlocks struct {
	types   []string
	table   [][]map[string]any // data_table rows, header first
	chart   map[string]any     // the data_visualization block
	charts  int
	actions map[string]bool // action ids of buttons and feedback buttons
}

func parseAnswer(t *testing.T, raw json.RawMessage) answerBlocks {
	t.Helper()
	var blocks []map[string]any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("answer blocks: %v: %s", err, raw)
	}
	a := answerBlocks{actions: map[string]bool{}}
	for _, b := range blocks {
		typ, _ := b["type"].(string)
		a.types = append(a.types, typ)
		switch typ {
		case "data_table":
			for _, r := range b["rows"].([]any) {
				var row []map[string]any
				for _, c := range r.([]any) {
					row = append(row, c.(map[string]any))
				}
				a.table = append(a.table, row)
			}
		case "data_visualization":
			a.chart = b
			a.charts++
		case "actions", "context_actions":
			for _, e := range b["elements"].([]any) {
				a.actions[e.(map[string]any)["action_id"].(string)] = true
			}
		}
	}
	return a
}

const dailySQL = "SELECT day, sum(dau)::bigint AS dau FROM app_metrics WHERE day > (SELECT max(day) - 14 FROM app_metrics) GROUP BY day ORDER BY day"

func TestDailySeriesIsStreamedWithANativeChartAndASortableTable(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "true"}})
	const ts = "1700001001.000100"
	msg := b.ask(dailySQL, "DAU was steady over the last 14 days.", "daily DAU over the last 14 days", ts, "")

	if !msg.Stream || msg.Streaming {
		t.Fatalf("answer %+v, want a finished stream", msg)
	}
	var sawSQL bool
	for _, task := range msg.Tasks {
		if task.Title == "Running SQL" {
			sawSQL = true
			if task.Status != "complete" || !strings.Contains(task.Output, "14 row") {
				t.Errorf("SQL task = %+v, want complete with 14 rows", task)
			}
		}
		if task.Status != "complete" {
			t.Errorf("task %+v left unfinished", task)
		}
	}
	if !sawSQL {
		t.Errorf("no SQL task in %+v", msg.Tasks)
	}
	a := parseAnswer(t, msg.Blocks)

	// The table holds the query's values as numbers.
	rows, err := b.db.Pool.Query(context.Background(), dailySQL)
	if err != nil {
		t.Fatal(err)
	}
	var want []float64
	for rows.Next() {
		var day time.Time
		var dau int64
		if err := rows.Scan(&day, &dau); err != nil {
			t.Fatal(err)
		}
		want = append(want, float64(dau))
	}
	if len(a.table) != 15 {
		t.Fatalf("data_table has %d rows, want the header and 14", len(a.table))
	}
	for i, row := range a.table[1:] {
		if row[1]["type"] != "raw_number" || row[1]["value"] != want[i] {
			t.Errorf("row %d dau cell = %v, want raw_number %v", i, row[1], want[i])
		}
	}
	// A native line chart with 14 points, and no picture.
	if a.charts != 1 {
		t.Fatalf("%d native charts, want 1 (%v)", a.charts, a.types)
	}
	chart := a.chart["chart"].(map[string]any)
	series := chart["series"].([]any)
	if chart["type"] != "line" || len(series[0].(map[string]any)["data"].([]any)) != 14 {
		t.Errorf("chart = %v, want a line of 14 points", chart)
	}
	waitJobsCompleted(t, b, 1)
	if files := b.slack.Files(); len(files) != 0 {
		t.Errorf("a PNG was uploaded next to the native chart: %v", files[0].Name)
	}
	for _, id := range []string{"show_sql", "export_csv", "answer_feedback"} {
		if !a.actions[id] {
			t.Errorf("answer lacks %s: %v", id, a.actions)
		}
	}
}

func TestNinetyDaysShowEveryRowAndOneChart(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "true"}})
	const sql = "SELECT d::date AS day, extract(doy FROM d)::int AS signups FROM generate_series(date '2026-01-01', date '2026-03-31', interval '1 day') d"
	msg := b.ask(sql, "Signups rose all quarter.", "daily signups this quarter", "1700001002.000100", "")
	a := parseAnswer(t, msg.Blocks)
	if len(a.table) != 91 {
		t.Errorf("data_table has %d rows, want the header and all 90 days", len(a.table))
	}
	waitJobsCompleted(t, b, 1)
	pictures := len(b.slack.Files())
	if a.charts+pictures != 1 {
		t.Fatalf("%d native charts and %d pictures, want exactly one chart", a.charts, pictures)
	}
	if a.charts == 1 && !strings.Contains(a.chart["title"].(string), "weekly") {
		t.Errorf("chart title %q does not say the days were aggregated", a.chart["title"])
	}
}

func TestSingleNumberHasNoChartAndNoTable(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"CHARTS": "true"}})
	msg := b.ask("SELECT sum(dau)::bigint AS dau FROM app_metrics", "Total DAU: many.", "total dau", "1700001003.000100", "")
	a := parseAnswer(t, msg.Blocks)
	for _, typ := range a.types {
		if typ == "data_table" || typ == "table" || typ == "data_visualization" {
			t.Errorf("a single number got a %s block", typ)
		}
	}
	waitJobsCompleted(t, b, 1)
	if n := len(b.slack.Files()); n != 0 {
		t.Errorf("a single number got %d file(s)", n)
	}
}

func TestFailedSQLShowsTheErrorThenTheRetry(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	b.model.Script(
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT no_such_column FROM app_metrics"})),
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL})),
		fake.Reply("Fixed it: ios leads."),
	)
	b.sendEvent(mention("dau by platform", "1700001004.000100", ""))
	msg := b.waitForText("C100", "1700001004.000100", "Fixed it")
	var statuses []string
	for _, task := range msg.Tasks {
		if task.Title == "Running SQL" {
			statuses = append(statuses, task.Status)
		}
	}
	if strings.Join(statuses, ",") != "error,complete" {
		t.Errorf("SQL tasks %v, want an error then a success; all tasks %+v", statuses, msg.Tasks)
	}
	for _, task := range msg.Tasks {
		if task.Status == "error" && !strings.Contains(task.Output, "no_such_column") {
			t.Errorf("error task %+v does not say what was wrong", task)
		}
	}
}

func TestStreamRefusedFallsBackToAPlaceholder(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	b.slack.RefuseStreams("method_not_supported_for_channel_type")
	msg := b.ask(platformSQL, "Answered without a stream.", "dau by platform", "1700001005.000100", "")
	if msg.Stream || msg.Updates != 1 {
		t.Errorf("answer %+v, want the placeholder replaced once", msg)
	}
	if n := len(threadMessages(b.slack, "C100", "1700001005.000100")); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if !strings.Contains(string(msg.Blocks), "feedback_buttons") {
		t.Error("the fallback answer lacks the feedback buttons")
	}
}

// feedback clicks a feedback button as Slack sends it.
func (b *testBot) feedback(user, value, channel, messageTS, threadTS string) int {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": user},
		"channel":   map[string]string{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel},
		"message":   map[string]any{"ts": messageTS, "thread_ts": threadTS, "text": "answer"},
		"actions": []map[string]any{{"action_id": "answer_feedback", "block_id": "answer_feedback", "value": value,
			"type": "feedback_buttons", "action_ts": strconv.FormatInt(time.Now().UnixNano(), 10)}},
	})
	status, _ := b.post("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
	return status
}

func TestThumbsDownIsRecordedOncePerUser(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	const ts = "1700001006.000100"
	msg := b.ask(platformSQL, "ios leads.", "dau by platform?", ts, "")
	id := b.historyID("dau by platform?")
	value := "down:" + strconv.FormatInt(id, 10)
	for range 2 {
		if status := b.feedback("U777", value, "C100", msg.TS, ts); status != http.StatusOK {
			t.Fatalf("feedback: status %d", status)
		}
	}
	waitJobsCompleted(t, b, 3)
	var feedback, by string
	if err := b.db.Pool.QueryRow(context.Background(),
		"SELECT feedback, feedback_by FROM analytics_bot.query_history WHERE id = $1", id).Scan(&feedback, &by); err != nil {
		t.Fatal(err)
	}
	if feedback != "down" || by != "U777" {
		t.Errorf("feedback = %q by %q, want down by U777", feedback, by)
	}
	var thanks []fake.Message
	for _, m := range b.slack.Messages() {
		if m.Ephemeral && strings.Contains(m.Text, "what was wrong?") {
			thanks = append(thanks, m)
		}
	}
	if len(thanks) != 1 || thanks[0].User != "U777" || thanks[0].ThreadTS != ts {
		t.Errorf("ephemeral thanks %+v, want one to U777 in the thread", thanks)
	}

	// The same person changing their mind replaces the first click.
	b.feedback("U777", "up:"+strconv.FormatInt(id, 10), "C100", msg.TS, ts)
	waitJobsCompleted(t, b, 4)
	if err := b.db.Pool.QueryRow(context.Background(),
		"SELECT feedback FROM analytics_bot.query_history WHERE id = $1", id).Scan(&feedback); err != nil || feedback != "up" {
		t.Errorf("after 👍 feedback = %q (%v), want up", feedback, err)
	}
}

func TestModelTextCannotPingOrDisguiseLinks(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"ALLOWED_LINK_HOSTS": "wiki.example.com"}})
	hostile := "Done <!here> <@U999> @channel <https://evil.example/x|the full report> [KPIs](https://wiki.example.com/kpi) \u202egnp.exe"
	scriptSQLAnswer(b.model, platformSQL, hostile)
	b.sendEvent(mention("dau by platform", "1700001007.000100", ""))
	b.waitForText("C100", "1700001007.000100", "Done")
	all := ""
	for _, m := range threadMessages(b.slack, "C100", "1700001007.000100") {
		all += m.Text + string(m.Blocks)
	}
	for _, bad := range []string{"<!here>", "<@U999>", "@channel", "<https://evil.example", "](https://evil", "\u202e"} {
		if strings.Contains(all, bad) {
			t.Errorf("posted text still holds %q: %s", bad, all)
		}
	}
	if !strings.Contains(all, "[KPIs](https://wiki.example.com/kpi)") {
		t.Errorf("the allowed link was not kept: %s", all)
	}
}

func TestAssistantThreadGetsPromptsAndATitle(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{})
	b.sendEvent(map[string]any{"type": "assistant_thread_started", "event_ts": "1700001008.000001",
		"assistant_thread": map[string]any{"user_id": "U123", "channel_id": "D100", "thread_ts": "1700001008.000100"}})
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool { return len(s.SuggestedPromptsSet()) == 1 })
	prompts := b.slack.SuggestedPromptsSet()[0]
	if n := len(prompts.Prompts); n == 0 || n > 4 || prompts.ThreadTS != "1700001008.000100" {
		t.Fatalf("prompts = %+v, want 1 to 4 in the thread", prompts)
	}
	if !strings.Contains(prompts.Prompts[0].Message, "app metrics") {
		t.Errorf("prompts %+v are not drawn from the data", prompts.Prompts)
	}

	scriptSQLAnswer(b.model, platformSQL, "ios leads.")
	b.sendEvent(map[string]any{"type": "message", "channel_type": "im", "user": "U123", "channel": "D100",
		"text": "what was DAU by platform yesterday?", "ts": "1700001008.000200", "thread_ts": "1700001008.000100"})
	b.waitForText("D100", "1700001008.000100", "ios leads.")
	titles := b.slack.Titles()
	if len(titles) != 1 || titles[0].Title != "what was DAU by platform yesterday?" {
		t.Errorf("titles = %+v, want the first question", titles)
	}
}
