package agent_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/llm"
)

// TestFailureReasonIsShortSafeAndHonest checks the sentence a Slack user
// sees for model failures: it says what happened, advises a retry only when
// one can help, and never carries the server's message or address.
func TestFailureReasonIsShortSafeAndHonest(t *testing.T) {
	t.Parallel()
	base := llm.Error{BaseURL: "http://10.1.2.3:11434/v1", Model: "llama3.1", Message: "Incorrect API key provided: sk-ab**yz"}
	cases := []struct {
		status int
		want   string
		retry  bool
	}{
		{401, "rejected the bot's API key", false},
		{403, "rejected the bot's API key", false},
		{404, "does not know the configured model", false},
		{400, "refused the request", false},
		{429, "busy or failing", true},
		{503, "busy or failing", true},
	}
	for _, tc := range cases {
		e := base
		e.Status = tc.status
		err := fmt.Errorf("%w: %w", agent.ErrModelUnavailable, &e)
		got := agent.FailureReason(err)
		if !strings.Contains(got, tc.want) {
			t.Errorf("HTTP %d: %q, want it to say %q", tc.status, got, tc.want)
		}
		if strings.Contains(got, "try again") != tc.retry {
			t.Errorf("HTTP %d: %q advises a retry: %v, want %v", tc.status, got, !tc.retry, tc.retry)
		}
		for _, secret := range []string{"10.1.2.3", "sk-ab", "Incorrect", "HTTP"} {
			if strings.Contains(got, secret) {
				t.Errorf("HTTP %d: the Slack sentence %q leaks %q", tc.status, got, secret)
			}
		}
		detail := agent.FailureDetail(err)
		for _, w := range []string{"HTTP", "10.1.2.3:11434", "llama3.1", "Incorrect API key"} {
			if !strings.Contains(detail, w) {
				t.Errorf("HTTP %d: the log detail %q lacks %q", tc.status, detail, w)
			}
		}
	}
}
