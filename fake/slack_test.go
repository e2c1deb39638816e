package fake_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
)

func setupSlack(t *testing.T, opts ...slack.Option) (*fake.Slack, *slack.Client) {
	t.Helper()
	s := fake.NewSlack(t)
	api := slack.New("xoxb-test", append([]slack.Option{slack.OptionAPIURL(s.URL)}, opts...)...)
	return s, api
}

func TestSlackAuthTest(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	s.BotUserID = "UANALYTICS"

	resp, err := api.AuthTestContext(context.Background())
	if err != nil {
		t.Fatalf("auth.test: %v", err)
	}
	if resp.UserID != "UANALYTICS" || resp.BotID != "BBOT" || resp.TeamID != "T0001" || resp.User != "analytics-bot" {
		t.Errorf("auth.test = %+v", resp)
	}
	calls := s.CallsTo("auth.test")
	if len(calls) != 1 || calls[0].Params.Get("token") != "xoxb-test" {
		t.Errorf("auth.test calls = %+v", calls)
	}
}

func TestSlackPostAndUpdateMessage(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	ctx := context.Background()
	section := slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, "*Working on it…*", false, false), nil, nil)

	channel, ts, err := api.PostMessageContext(ctx, "C123",
		slack.MsgOptionText("Working on it…", false),
		slack.MsgOptionBlocks(section),
		slack.MsgOptionTS("1699999999.000001"))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if channel != "C123" || ts != "1700000000.000100" {
		t.Errorf("post answered channel %q ts %q", channel, ts)
	}
	_, ts2, err := api.PostMessageContext(ctx, "C123", slack.MsgOptionText("second", false))
	if err != nil || ts2 <= ts {
		t.Fatalf("second post: ts %q err %v, want a later ts", ts2, err)
	}

	_, _, _, err = api.UpdateMessageContext(ctx, "C123", ts, slack.MsgOptionText("42 users", false))
	if err != nil {
		t.Fatalf("update: %v", err)
	}

	msg, ok := s.Message("C123", ts)
	if !ok {
		t.Fatal("posted message not stored")
	}
	if msg.Text != "42 users" || msg.ThreadTS != "1699999999.000001" || msg.Updates != 1 {
		t.Errorf("message = %+v", msg)
	}
	if !strings.Contains(string(msg.Blocks), "Working on it") {
		t.Errorf("blocks kept by a text-only update = %s", msg.Blocks)
	}
	if n := len(s.Messages()); n != 2 {
		t.Errorf("messages = %d, want 2", n)
	}
}

func TestSlackUpdateUnknownMessage(t *testing.T) {
	t.Parallel()
	_, api := setupSlack(t)

	_, _, _, err := api.UpdateMessageContext(context.Background(), "C123", "1.000000", slack.MsgOptionText("x", false))
	if err == nil || err.Error() != "message_not_found" {
		t.Fatalf("err = %v, want message_not_found", err)
	}
}

func TestSlackEphemeralAndDelete(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	ctx := context.Background()

	if _, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatalf("ephemeral: %v", err)
	}
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("bye", false))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts); err != nil {
		t.Fatalf("delete: %v", err)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || !msgs[0].Ephemeral || msgs[0].User != "U1" || msgs[0].Text != "only you" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestSlackAssistantStatus(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)

	err := api.SetAssistantThreadsStatusContext(context.Background(), slack.AssistantThreadsSetStatusParameters{
		ChannelID: "D1", ThreadTS: "1.2", Status: "is querying…", LoadingMessages: []string{"Reading schema", "Running SQL"},
	})
	if err != nil {
		t.Fatalf("set status: %v", err)
	}
	st := s.Statuses()
	if len(st) != 1 || st[0].ChannelID != "D1" || st[0].ThreadTS != "1.2" || st[0].Status != "is querying…" || len(st[0].LoadingMessages) != 2 {
		t.Errorf("statuses = %+v", st)
	}
}

func TestSlackRateLimit(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	s.RateLimit("chat.postMessage", 1, 3*time.Second)
	ctx := context.Background()

	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 3*time.Second {
		t.Fatalf("err = %v, want *slack.RateLimitedError after 3s", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatalf("post after the limit: %v", err)
	}
	calls := s.CallsTo("chat.postMessage")
	if len(calls) != 2 || calls[0].Error != "ratelimited" || calls[1].Error != "" {
		t.Errorf("calls = %+v", calls)
	}
}

func TestSlackRateLimitRetriedByClient(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t, slack.OptionRetry(1))
	s.RateLimit("chat.postMessage", 1, time.Second)

	if _, _, err := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("retried", false)); err != nil {
		t.Fatalf("post with retry: %v", err)
	}
	if msgs := s.Messages(); len(msgs) != 1 || msgs[0].Text != "retried" {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestSlackFailNextAndUnknownMethod(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	s.FailNext("chat.postMessage", "channel_not_found")
	ctx := context.Background()

	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err == nil || err.Error() != "channel_not_found" {
		t.Errorf("first post err = %v, want channel_not_found", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Errorf("second post err = %v", err)
	}
	if _, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C1"}); err == nil || err.Error() != "unknown_method" {
		t.Errorf("conversations.info err = %v, want unknown_method", err)
	}
	if calls := s.CallsTo("conversations.info"); len(calls) != 1 || calls[0].Params.Get("channel") != "C1" {
		t.Errorf("unknown method not recorded: %+v", calls)
	}
}

func TestSlackAcceptsJSONBodies(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)

	req, err := http.NewRequest(http.MethodPost, s.URL+"chat.postMessage",
		strings.NewReader(`{"channel":"C9","text":"json","blocks":[{"type":"divider"}],"unfurl_links":false}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Authorization", "Bearer xoxb-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		OK bool   `json:"ok"`
		TS string `json:"ts"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || !body.OK {
		t.Fatalf("answer = %+v, %v", body, err)
	}
	call := s.CallsTo("chat.postMessage")[0]
	if call.Params.Get("unfurl_links") != "false" || call.Params.Get("blocks") != `[{"type":"divider"}]` {
		t.Errorf("flattened params = %v", call.Params)
	}
	if m := s.Messages(); len(m) != 1 || m[0].Text != "json" || string(m[0].Blocks) != `[{"type":"divider"}]` {
		t.Errorf("messages = %+v", m)
	}
}

func TestSlackRejectsMissingToken(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)

	resp, err := http.PostForm(s.URL+"auth.test", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error != "not_authed" {
		t.Errorf("answer = %+v, %v; want not_authed", body, err)
	}
}

func TestSlackResponseURL(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)
	u := s.ResponseURL()

	_, _, err := api.PostMessageContext(context.Background(), "",
		slack.MsgOptionResponseURL(u, slack.ResponseTypeEphemeral), slack.MsgOptionText("Thinking…", false))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	posts := s.ResponseURLPosts()
	if len(posts) != 1 || posts[0].URL != u || !strings.Contains(string(posts[0].Body), "Thinking") {
		t.Errorf("response_url posts = %+v", posts)
	}
}

func TestSlackWaitFor(t *testing.T) {
	t.Parallel()
	s, api := setupSlack(t)

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		time.Sleep(20 * time.Millisecond)
		if _, _, err := api.PostMessageContext(context.Background(), "C1", slack.MsgOptionText("later", false)); err != nil {
			t.Errorf("post: %v", err)
		}
	})
	s.WaitFor(t, 5*time.Second, func(s *fake.Slack) bool { return len(s.Messages()) == 1 })
}
