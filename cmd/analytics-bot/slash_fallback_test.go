package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
)

// A slash command typed where the bot may not post is answered through
// the command's response_url.
func TestSlashCommandWhereTheBotCannotPost(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	b.slack.FailNext("chat.postMessage", "not_in_channel")
	scriptSQLAnswer(b.model, platformSQL, "Yesterday *web* was quiet.")
	if status, body := b.command("DAU by platform yesterday?", "C300", "3333.4444.cccc"); status != http.StatusOK {
		t.Fatalf("slash command: status %d: %s", status, body)
	}
	var post fake.ResponseURLPost
	b.slack.WaitFor(t, 20*time.Second, func(s *fake.Slack) bool {
		for _, p := range s.ResponseURLPosts() {
			if strings.Contains(string(p.Body), "Yesterday *web* was quiet.") {
				post = p
				return true
			}
		}
		return false
	})
	if !strings.Contains(string(post.Body), `"in_channel"`) {
		t.Errorf("the answer was not posted in the channel: %s", post.Body)
	}
}
