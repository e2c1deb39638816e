package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

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

// A job killed mid-stream is retried by another instance, which takes the
// stream over and finishes it: one answer, nothing left streaming.
func TestInterruptedJobFinishesItsStream(t *testing.T) {
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
	if msgs := threadMessages(b.slack, "C100", ts); len(msgs) != 1 || !msgs[0].Streaming {
		t.Fatalf("before the restart the thread has %s, want the stream still under way", describe(msgs))
	}

	b.start() // a new instance on the same database picks the job up again
	var msgs []fake.Message
	b.slack.WaitFor(t, 30*time.Second, func(s *fake.Slack) bool {
		msgs = threadMessages(s, "C100", ts)
		return len(msgs) > 0 && !msgs[len(msgs)-1].Streaming && strings.Contains(msgs[len(msgs)-1].Text, "Answered after the restart.")
	})
	if len(msgs) != 1 || msgs[0].TS != placeholder.TS || msgs[0].Streaming {
		t.Errorf("after the restart the thread has %s, want the stream %s finished with the answer", describe(msgs), placeholder.TS)
	}
	if n := len(b.slack.CallsTo("chat.startStream")); n != 1 {
		t.Errorf("%d streams started, want 1: the retry must take over the stored stream", n)
	}
	if n := len(b.slack.CallsTo("chat.postMessage")); n != 0 {
		t.Errorf("%d messages posted besides the stream", n)
	}
	if !strings.Contains(string(msgs[0].Blocks), "feedback_buttons") {
		t.Errorf("the finished answer lacks its blocks: %s", msgs[0].Blocks)
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
	b.slack.RateLimit("chat.startStream", 1, time.Second)
	b.ask(platformSQL, "Answered despite the rate limit.", "what was DAU by platform yesterday?", ts, "")

	calls := b.slack.CallsTo("chat.startStream")
	if len(calls) != 2 || calls[0].Error != "ratelimited" || calls[1].Error != "" {
		t.Errorf("chat.startStream calls %+v, want one 429 then one success", calls)
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
		"SELECT status, coalesce(error, '') FROM analytics_bot.query_history WHERE channel_id = 'C100' AND thread_ts = $1", ts).Scan(&status, &errText)
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
