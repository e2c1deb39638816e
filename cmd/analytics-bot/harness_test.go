package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

const testSigningSecret = "test-signing-secret"

// testBot is a whole `serve` on port 0 against a fresh database, the fake
// OpenAI and the fake Slack.
type testBot struct {
	t      testing.TB
	db     *pgtest.DB
	slack  *fake.Slack
	model  *fake.OpenAI
	env    map[string]string
	url    string
	srv    *server // the running server; start replaces it
	logs   io.Writer
	stop   func()
	mu     sync.Mutex
	events int
}

type botOptions struct {
	env     map[string]string
	noStart bool
	// db replaces the fresh pgtest database (migrated, no demo data).
	db *pgtest.DB
	// logs receives the server's log lines as well as the test log.
	logs io.Writer
}

func newTestBot(t testing.TB, opts botOptions) *testBot {
	t.Helper()
	db := opts.db
	if db == nil {
		db = pgtest.NewMigrated(t)
	}
	if _, err := demodata.Load(context.Background(), db.Pool, 60, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	b := &testBot{t: t, db: db, slack: fake.NewSlack(t), model: fake.NewOpenAI(t), logs: opts.logs}
	b.env = db.Env()
	for k, v := range map[string]string{
		"PORT": "0", "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": testSigningSecret,
		"SLACK_API_URL": b.slack.URL, "OPENAI_BASE_URL": b.model.URL, "OPENAI_API_KEY": "sk-test-key",
		"WORKERS": "8", "CHARTS": "false",
	} {
		b.env[k] = v
	}
	for k, v := range opts.env {
		b.env[k] = v
	}
	if !opts.noStart {
		b.start()
	}
	return b
}

func (b *testBot) lookup(name string) (string, bool) {
	v, ok := b.env[name]
	return v, ok
}

// start boots the server and stops it when the test ends.
func (b *testBot) start() {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var stderr io.Writer = testWriter{b.t}
	if b.logs != nil {
		stderr = io.MultiWriter(stderr, b.logs)
	}
	srv, err := newServer(ctx, env{lookup: b.lookup, stdout: io.Discard, stderr: stderr}, roleAll)
	if err != nil {
		cancel()
		b.t.Fatalf("start server: %v", err)
	}
	b.url = "http://" + srv.Addr()
	b.srv = srv
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stopped := false
	b.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			b.t.Errorf("server: %v", err)
		}
	}
	b.t.Cleanup(b.stop)
}

// sign adds Slack's v0 signature headers for body at time ts.
func sign(req *http.Request, body []byte, secret string, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// post sends a signed request and returns the status and body.
func (b *testBot) post(path, contentType string, body []byte, headers ...string) (int, string) {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.url+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	sign(req, body, testSigningSecret, time.Now())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(out)
}

// event builds an Events API callback around an inner event.
func (b *testBot) event(inner map[string]any) []byte {
	b.mu.Lock()
	b.events++
	n := b.events
	b.mu.Unlock()
	body, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback",
		"event_id": fmt.Sprintf("Ev%04d", n), "event_time": time.Now().Unix(), "event": inner,
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return body
}

// mention is an app_mention in a channel.
func mention(text, ts, threadTS string) map[string]any {
	ev := map[string]any{"type": "app_mention", "user": "U123", "text": "<@UBOT> " + text, "ts": ts, "channel": "C100", "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

func (b *testBot) sendEvent(inner map[string]any) {
	b.t.Helper()
	if status, body := b.post("/slack/events", "application/json", b.event(inner)); status != http.StatusOK {
		b.t.Fatalf("event: status %d: %s", status, body)
	}
}

// interaction posts a button press on an answer message.
func (b *testBot) interaction(actionID, value, channel, messageTS, threadTS string) int {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "team": map[string]string{"id": "T0001"}, "user": map[string]string{"id": "U123"},
		"channel":   map[string]string{"id": channel},
		"container": map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel},
		"message":   map[string]any{"ts": messageTS, "thread_ts": threadTS, "text": "answer"},
		// Slack always sends block_id; slack-go reads an action without one
		// as a legacy attachment action.
		"actions": []map[string]any{{"action_id": actionID, "block_id": "answer_actions", "value": value, "type": "button",
			"action_ts": strconv.FormatInt(time.Now().UnixNano(), 10)}},
	})
	status, _ := b.post("/slack/interactions", "application/x-www-form-urlencoded", []byte(url.Values{"payload": {string(payload)}}.Encode()))
	return status
}

// threadMessages returns the bot's messages in a thread, in order.
func threadMessages(s *fake.Slack, channel, thread string) []fake.Message {
	var out []fake.Message
	for _, m := range s.Messages() {
		if m.Channel == channel && (m.ThreadTS == thread || m.TS == thread) && !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

// waitForText waits until a finished bot message in the thread (not a
// stream still under way) contains text. A stream's text is markdown, so
// the model's *bold* reads **bold** there.
func (b *testBot) waitForText(channel, thread, text string) fake.Message {
	b.t.Helper()
	return b.waitForTextWithin(20*time.Second, channel, thread, text)
}

// waitForTextWithin is waitForText with a deadline of its own.
func (b *testBot) waitForTextWithin(timeout time.Duration, channel, thread, text string) fake.Message {
	b.t.Helper()
	var found fake.Message
	b.slack.WaitFor(b.t, timeout, func(s *fake.Slack) bool {
		for _, m := range threadMessages(s, channel, thread) {
			if m.Streaming {
				continue
			}
			if strings.Contains(strings.ReplaceAll(m.Text, "**", "*"), text) || strings.Contains(string(m.Blocks), text) {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// jobs counts the queued jobs.
func (b *testBot) jobs() int {
	var n int
	if err := b.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM analytics_bot.river_job WHERE kind = 'slack_work'").Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// lockedBuffer is a buffer the server's goroutines may write to while the
// test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testWriter sends the server's logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
