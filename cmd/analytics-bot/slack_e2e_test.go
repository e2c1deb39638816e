package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/fake"
)

// SQL the scripted model runs; none has characters Slack escapes (&, <, >),
// so it appears verbatim in "show SQL" replies.
const (
	countrySQL = "SELECT country, sum(revenue_usd) AS revenue FROM app_metrics GROUP BY country ORDER BY revenue DESC, country"
	allRowsSQL = "SELECT day, platform, country, dau, revenue_usd FROM app_metrics ORDER BY day, platform, country"
)

// dm is a direct message to the bot.
func dm(text, ts string) map[string]any {
	return map[string]any{"type": "message", "channel": "D100", "channel_type": "im", "user": "U123", "text": text, "ts": ts, "event_ts": ts}
}

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

// resultCSV runs sql as the owner and returns its full result as CSV with
// a header row, as "export csv" must produce it.
func resultCSV(t *testing.T, pool *pgxpool.Pool, sql string) []byte {
	t.Helper()
	conn, err := pool.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var buf bytes.Buffer
	if _, err := conn.Conn().PgConn().CopyTo(context.Background(), &buf, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		t.Fatalf("reference CSV: %v", err)
	}
	return buf.Bytes()
}

// waitForFiles waits until n files have been shared and returns them.
func (b *testBot) waitForFiles(n int) []fake.File {
	b.t.Helper()
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool { return len(s.Files()) >= n })
	return b.slack.Files()
}

// checkCSV checks that f is a CSV file in the thread holding want.
func checkCSV(t *testing.T, f fake.File, channel, thread string, want []byte) {
	t.Helper()
	if f.ChannelID != channel || f.ThreadTS != thread {
		t.Errorf("file %s shared in %s/%s, want thread %s/%s", f.Name, f.ChannelID, f.ThreadTS, channel, thread)
	}
	if !strings.HasSuffix(f.Name, ".csv") {
		t.Errorf("file name %q, want a .csv", f.Name)
	}
	if !bytes.Equal(f.Content, want) {
		t.Errorf("file %s has %d bytes (%d lines), want the full result: %d bytes (%d lines); it starts %.200q",
			f.Name, len(f.Content), bytes.Count(f.Content, []byte("\n")), len(want), bytes.Count(want, []byte("\n")), f.Content)
	}
}

// buttonValue returns the value of the button with actionID in blocks.
func buttonValue(t *testing.T, blocks json.RawMessage, actionID string) string {
	t.Helper()
	var parsed []struct {
		Type     string `json:"type"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if err := json.Unmarshal(blocks, &parsed); err != nil {
		t.Fatalf("answer blocks: %v", err)
	}
	for _, b := range parsed {
		for _, e := range b.Elements {
			if b.Type == "actions" && e.ActionID == actionID {
				return e.Value
			}
		}
	}
	t.Fatalf("no %s button in %s", actionID, blocks)
	return ""
}

// historyID is the query_history row of a question.
func (b *testBot) historyID(question string) int64 {
	b.t.Helper()
	var id int64
	if err := b.db.Pool.QueryRow(context.Background(), "SELECT id FROM query_history WHERE question = $1", question).Scan(&id); err != nil {
		b.t.Fatalf("query_history row of %q: %v", question, err)
	}
	return id
}

// newReply waits for the bot's next message in a thread after the first
// `before` ones and returns it.
func (b *testBot) newReply(channel, thread string, before int) fake.Message {
	b.t.Helper()
	var msgs []fake.Message
	b.slack.WaitFor(b.t, 20*time.Second, func(s *fake.Slack) bool {
		msgs = threadMessages(s, channel, thread)
		return len(msgs) > before
	})
	return msgs[before]
}

func TestFollowUpSeesTheThread(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const thread, other = "1700000101.000100", "1700000102.000100"
	const first = "what was DAU by platform yesterday?"
	b.ask(platformSQL, "Yesterday *ios* led with the most users.", first, thread, "")

	seen := len(b.model.Requests())
	b.model.Script(fake.Reply("Android came second."))
	b.sendEvent(mention("and which platform came second?", "1700000101.000200", thread))
	b.waitForText("C100", thread, "Android came second.")
	req := b.model.Requests()[seen]
	if got := req.LastUserMessage(); got != "and which platform came second?" {
		t.Errorf("follow-up request ends with %q", got)
	}
	var sawQuestion, sawAnswer bool
	for _, m := range req.Messages {
		sawQuestion = sawQuestion || m.Role == "user" && m.Content == first
		sawAnswer = sawAnswer || m.Role == "assistant" && strings.Contains(m.Content, "Yesterday *ios* led") && strings.Contains(m.Content, platformSQL)
	}
	if !sawQuestion || !sawAnswer {
		t.Errorf("the follow-up's model request lacks the earlier question (%v) or its answer with SQL (%v): %s", sawQuestion, sawAnswer, req.Body)
	}

	// A question in another thread of the same channel starts afresh.
	seen = len(b.model.Requests())
	b.model.Script(fake.Reply("Nothing to compare yet."))
	b.sendEvent(mention("which platform came second?", other, ""))
	b.waitForText("C100", other, "Nothing to compare yet.")
	req = b.model.Requests()[seen]
	for _, leak := range []string{first, "Yesterday *ios* led", platformSQL, "Android came second."} {
		if strings.Contains(string(req.Body), leak) {
			t.Errorf("another thread's model request contains %q", leak)
		}
	}
}

func TestExportCSVTypedInTheThread(t *testing.T) {
	t.Parallel()
	// The model sees at most 50 rows; the export must still hold them all.
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "MAX_RESULT_ROWS": "50"}})
	const thread, other = "1700000201.000100", "1700000202.000100"
	b.ask(platformSQL, "ios led.", "DAU by platform yesterday?", thread, "")
	b.ask(allRowsSQL, "Here is every row.", "and every row of app_metrics?", "1700000201.000200", thread)
	b.ask(countrySQL, "The US leads.", "revenue by country?", other, "") // answered last, in another thread
	wantAll, wantCountry := resultCSV(t, b.db.Pool, allRowsSQL), resultCSV(t, b.db.Pool, countrySQL)
	if n := bytes.Count(wantAll, []byte("\n")); n <= 51 {
		t.Fatalf("the reference result has only %d lines; the test needs more than MAX_RESULT_ROWS", n)
	}
	models := len(b.model.Requests())

	b.sendEvent(mention("export csv", "1700000201.000300", thread))
	checkCSV(t, b.waitForFiles(1)[0], "C100", thread, wantAll)

	b.sendEvent(threadReply("EXPORT CSV", "1700000201.000400", thread)) // no mention
	checkCSV(t, b.waitForFiles(2)[1], "C100", thread, wantAll)

	b.sendEvent(threadReply("Export Csv", "1700000202.000200", other))
	checkCSV(t, b.waitForFiles(3)[2], "C100", other, wantCountry)

	if n := len(b.model.Requests()); n != models {
		t.Errorf("export csv called the model (%d requests, want %d)", n, models)
	}

	// Typed without the mention in a thread the bot never answered, it is
	// not for the bot: nothing happens.
	jobs := b.jobs()
	b.sendEvent(threadReply("export csv", "1700000299.000200", "1700000299.000100"))
	if b.jobs() != jobs+1 {
		t.Fatalf("the plain export csv was not queued")
	}
	b.slack.WaitFor(t, 20*time.Second, func(*fake.Slack) bool { return b.jobDone("msg:C100:1700000299.000200") })
	if n := len(b.slack.Files()); n != 3 {
		t.Errorf("%d files shared, want 3", n)
	}
	if msgs := threadMessages(b.slack, "C100", "1700000299.000100"); len(msgs) != 0 {
		t.Errorf("the bot answered in a thread that is not its own: %s", describe(msgs))
	}
}

// jobDone reports whether the slack_work job with key has completed.
func (b *testBot) jobDone(key string) bool {
	var done bool
	err := b.db.Pool.QueryRow(context.Background(), `SELECT coalesce(bool_and(state = 'completed'), false)
		FROM analytics_bot.river_job WHERE kind = 'slack_work' AND args->>'key' = $1`, key).Scan(&done)
	if err != nil {
		b.t.Fatal(err)
	}
	return done
}

func TestAnswerButtons(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const thread = "1700000301.000100"
	first := b.ask(platformSQL, "ios led.", "DAU by platform yesterday?", thread, "")
	latest := b.ask(countrySQL, "The US leads.", "and revenue by country?", "1700000301.000200", thread)
	wantPlatform, wantCountry := resultCSV(t, b.db.Pool, platformSQL), resultCSV(t, b.db.Pool, countrySQL)

	firstID := b.historyID("DAU by platform yesterday?")
	for _, action := range []string{"show_sql", "export_csv"} {
		if v := buttonValue(t, first.Blocks, action); v != strconv.FormatInt(firstID, 10) {
			t.Errorf("the first answer's %s button carries %q, want its history id %d", action, v, firstID)
		}
	}
	models := len(b.model.Requests())

	// Buttons on the first answer act on the first question, not the latest.
	before := len(threadMessages(b.slack, "C100", thread))
	if status := b.interaction("show_sql", strconv.FormatInt(firstID, 10), "C100", first.TS, thread); status != http.StatusOK {
		t.Fatalf("show_sql: status %d", status)
	}
	reply := b.newReply("C100", thread, before)
	if !strings.Contains(reply.Text, platformSQL) || strings.Contains(reply.Text, countrySQL) {
		t.Errorf("show_sql on the first answer replied %q, want its SQL", reply.Text)
	}
	if reply.ThreadTS != thread {
		t.Errorf("show_sql replied in thread %q, want %q", reply.ThreadTS, thread)
	}
	if status := b.interaction("export_csv", strconv.FormatInt(firstID, 10), "C100", first.TS, thread); status != http.StatusOK {
		t.Fatalf("export_csv: status %d", status)
	}
	checkCSV(t, b.waitForFiles(1)[0], "C100", thread, wantPlatform)

	// Without a value (older answers), the thread's latest question is used.
	before = len(threadMessages(b.slack, "C100", thread))
	b.interaction("show_sql", "", "C100", latest.TS, thread)
	if reply := b.newReply("C100", thread, before); !strings.Contains(reply.Text, countrySQL) {
		t.Errorf("show_sql without a value replied %q, want the latest SQL", reply.Text)
	}
	b.interaction("export_csv", "", "C100", latest.TS, thread)
	checkCSV(t, b.waitForFiles(2)[1], "C100", thread, wantCountry)

	// A history id from another thread is not honoured.
	b.ask(allRowsSQL, "All rows.", "every row?", "1700000302.000100", "")
	foreign := b.historyID("every row?")
	before = len(threadMessages(b.slack, "C100", thread))
	b.interaction("show_sql", strconv.FormatInt(foreign, 10), "C100", latest.TS, thread)
	if reply := b.newReply("C100", thread, before); strings.Contains(reply.Text, allRowsSQL) {
		t.Errorf("show_sql showed another thread's SQL: %q", reply.Text)
	}

	if n := len(b.model.Requests()); n != models+2 { // +2: the "every row?" question
		t.Errorf("the buttons called the model: %d requests, want %d", n, models+2)
	}
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

func TestRedeliveredEventIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "4"}})
	const ts = "1700000601.000100"
	scriptSQLAnswer(b.model, platformSQL, "Answered once.")
	body := b.event(mention("what was DAU by platform yesterday?", ts, ""))

	deliver := func(headers ...string) {
		t.Helper()
		if status, resp := b.post("/slack/events", "application/json", body, headers...); status != http.StatusOK {
			t.Fatalf("delivery %v: status %d: %s", headers, status, resp)
		}
	}
	deliver()
	deliver("X-Slack-Retry-Num", "1", "X-Slack-Retry-Reason", "http_timeout")
	b.waitForText("C100", ts, "Answered once.")
	deliver("X-Slack-Retry-Num", "2", "X-Slack-Retry-Reason", "http_timeout") // after the answer

	if n := b.jobs(); n != 1 {
		t.Errorf("%d jobs for one event, want 1", n)
	}
	if n := len(threadMessages(b.slack, "C100", ts)); n != 1 {
		t.Errorf("%d messages in the thread, want 1", n)
	}
	if n := conversations(b.model); n != 1 {
		t.Errorf("the model was asked %d times, want once", n)
	}
}

func TestInterruptedJobEditsItsPlaceholder(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700000701.000100"
	b.model.Script(
		fake.Response{Content: "never seen", Delay: time.Minute}, // the model is still thinking when the server stops
		fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL})),
		fake.Reply("Answered after the restart."),
	)
	b.sendEvent(mention("what was DAU by platform yesterday?", ts, ""))
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		return len(threadMessages(s, "C100", ts)) == 1 && len(b.model.Requests()) == 1
	})
	placeholder := threadMessages(b.slack, "C100", ts)[0]

	b.kill()
	if msgs := threadMessages(b.slack, "C100", ts); len(msgs) != 1 || msgs[0].Updates != 0 {
		t.Fatalf("before the restart the thread has %s, want the untouched placeholder", describe(msgs))
	}

	b.start() // a new instance on the same database picks the job up again
	var msgs []fake.Message
	b.slack.WaitFor(t, 30*time.Second, func(s *fake.Slack) bool {
		msgs = threadMessages(s, "C100", ts)
		return len(msgs) > 0 && strings.Contains(msgs[len(msgs)-1].Text, "Answered after the restart.")
	})
	if len(msgs) != 1 || msgs[0].TS != placeholder.TS || msgs[0].Updates == 0 {
		t.Errorf("after the restart the thread has %s, want the placeholder %s edited into the answer", describe(msgs), placeholder.TS)
	}
	if n := len(b.slack.CallsTo("chat.postMessage")); n != 1 {
		t.Errorf("%d chat.postMessage calls, want 1: the retry must reuse the stored placeholder", n)
	}
}

// kill stops the server as a deploy or a crash-loop would: running jobs
// get no time to finish and are cancelled, so River hands them back.
func (b *testBot) kill() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := b.srv.queue.Stop(ctx); err != nil {
		b.t.Fatalf("stop workers: %v", err)
	}
	b.stop()
}

func TestSlackRateLimitIsWaitedOut(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700000801.000100"
	b.slack.RateLimit("chat.postMessage", 1, time.Second)
	b.ask(platformSQL, "Answered despite the rate limit.", "what was DAU by platform yesterday?", ts, "")

	calls := b.slack.CallsTo("chat.postMessage")
	if len(calls) != 2 || calls[0].Error != "ratelimited" || calls[1].Error != "" {
		t.Errorf("chat.postMessage calls %+v, want one 429 then one success", calls)
	}
	if n := len(threadMessages(b.slack, "C100", ts)); n != 1 {
		t.Errorf("%d messages in the thread, want 1", n)
	}
	if n := conversations(b.model); n != 1 {
		t.Errorf("the model was asked %d times, want once", n)
	}
	// A rate limit snoozes the job; it is not a failed attempt.
	var failures int
	if err := b.db.Pool.QueryRow(context.Background(),
		"SELECT coalesce(sum(cardinality(errors)), 0) FROM analytics_bot.river_job WHERE kind = 'slack_work'").Scan(&failures); err != nil {
		t.Fatal(err)
	}
	if failures != 0 {
		t.Errorf("the rate-limited job recorded %d failed attempts, want it snoozed", failures)
	}
}

func TestModelDownEndsInAShortMessage(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700000901.000100"
	b.model.Handle(func(fake.ChatRequest) fake.Response {
		return fake.Response{Status: http.StatusInternalServerError, ErrorMessage: "upstream exploded: internal detail"}
	})
	b.sendEvent(mention("what was DAU by platform yesterday?", ts, ""))

	msg := b.waitForText("C100", ts, "language model")
	if len(msg.Text) > 300 {
		t.Errorf("failure message is %d bytes, want a short one: %q", len(msg.Text), msg.Text)
	}
	for _, secret := range []string{"sk-test-key", "internal detail", "500", "goroutine", ".go:"} {
		if strings.Contains(msg.Text, secret) || strings.Contains(string(msg.Blocks), secret) {
			t.Errorf("failure message shows %q: %q", secret, msg.Text)
		}
	}
	if n := len(threadMessages(b.slack, "C100", ts)); n != 1 {
		t.Errorf("%d messages in the thread, want 1", n)
	}
	var status, errText string
	err := b.db.Pool.QueryRow(context.Background(),
		"SELECT status, coalesce(error, '') FROM query_history WHERE channel_id = 'C100' AND thread_ts = $1", ts).Scan(&status, &errText)
	if err != nil {
		t.Fatalf("query_history row: %v", err)
	}
	if status != "failed" || errText == "" {
		t.Errorf("query_history has status %q, error %q; want a failed row with the error", status, errText)
	}
}

func TestAllowlistRefusesOthers(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2", "ALLOWED_USERS": "U999"}})
	const ts = "1700001001.000100"
	b.sendEvent(mention("what was DAU by platform yesterday?", ts, ""))

	var refusal fake.Message
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, m := range s.Messages() {
			if m.Ephemeral && m.Channel == "C100" {
				refusal = m
				return true
			}
		}
		return false
	})
	if refusal.User != "U123" || !strings.Contains(strings.ToLower(refusal.Text), "allowlist") {
		t.Errorf("refusal %+v, want an ephemeral message to U123 naming the allowlist", refusal)
	}
	if n := len(threadMessages(b.slack, "C100", ts)); n != 0 {
		t.Errorf("%d visible messages in the thread, want none", n)
	}
	if n := len(b.model.Requests()); n != 0 {
		t.Errorf("the model was called %d times for a refused question", n)
	}
}
