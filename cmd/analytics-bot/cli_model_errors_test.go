package main

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/fake"
)

// TestCLIAskModelFailureSaysWhatHappened checks the terminal's account of
// a failed model call: the status, the server's message, the base URL and
// the model, and advice to retry only where a retry can help.
func TestCLIAskModelFailureSaysWhatHappened(t *testing.T) {
	t.Parallel()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadURL := "http://" + closed.Addr().String() + "/v1"
	closed.Close()

	cases := []struct {
		name     string
		response *fake.Response // nil: nothing listens at the base URL
		want     []string
		retry    bool
	}{
		{"rejected key", &fake.Response{Status: http.StatusUnauthorized, ErrorMessage: "Incorrect API key provided: sk-te**st."},
			[]string{"HTTP 401", "Incorrect API key provided", "OPENAI_API_KEY"}, false},
		{"unknown model", &fake.Response{Status: http.StatusNotFound, ErrorMessage: `model "llama3.1" not found, try pulling it first`},
			[]string{"HTTP 404", `model "llama3.1" not found`, "AI_MODEL", "OPENAI_BASE_URL"}, false},
		{"nothing at the base URL", nil,
			[]string{deadURL, "could not be reached", "connection refused", "OPENAI_BASE_URL"}, false},
		{"server failing", &fake.Response{Status: http.StatusServiceUnavailable, ErrorMessage: "The server is overloaded."},
			[]string{"HTTP 503", "The server is overloaded.", "try again"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupCLIBot(t)
			b.env["AI_MODEL"] = "llama3.1"
			if tc.response != nil {
				resp := *tc.response
				b.model.Handle(func(fake.ChatRequest) fake.Response { return resp })
			} else {
				b.env["OPENAI_BASE_URL"] = deadURL
			}
			r := runCLI(t, b.env, "ask", "what was DAU yesterday?")
			if r.code != 1 {
				t.Fatalf("exit %d, want 1; stderr %q", r.code, r.stderr)
			}
			line := lastLine(r.stderr)
			for _, w := range append(tc.want, "llama3.1", "model llama3.1 at ") {
				if !strings.Contains(line, w) {
					t.Errorf("error line lacks %q:\n%s", w, line)
				}
			}
			if tc.response != nil && !strings.Contains(line, b.env["OPENAI_BASE_URL"]) {
				t.Errorf("error line does not name the base URL %s:\n%s", b.env["OPENAI_BASE_URL"], line)
			}
			if got := strings.Contains(line, "try again"); got != tc.retry {
				t.Errorf("advises a retry: %v, want %v:\n%s", got, tc.retry, line)
			}
			if !tc.retry && !strings.Contains(line, "retrying will not help") {
				t.Errorf("a failure a retry cannot fix must say so:\n%s", line)
			}
			if strings.Contains(r.stderr+r.stdout, "sk-test") {
				t.Error("the API key was printed")
			}
		})
	}
}

// TestSlackRejectedKeyIsNotAdvisedToRetry: in Slack the user gets a short
// safe sentence that does not ask for a retry a rejected key cannot pass;
// the log has the detail.
func TestSlackRejectedKeyIsNotAdvisedToRetry(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{env: map[string]string{"WORKERS": "2"}})
	const ts = "1700000902.000100"
	b.model.Handle(func(fake.ChatRequest) fake.Response {
		return fake.Response{Status: http.StatusUnauthorized, ErrorMessage: "Incorrect API key provided: sk-te**ey."}
	})
	b.sendEvent(mention("what was DAU by platform yesterday?", ts, ""))
	msg := b.waitForText("C100", ts, "rejected the bot's API key")
	for _, bad := range []string{"try again", "Incorrect API key", "401", b.model.URL} {
		if strings.Contains(msg.Text, bad) {
			t.Errorf("the Slack message shows %q: %q", bad, msg.Text)
		}
	}
}
