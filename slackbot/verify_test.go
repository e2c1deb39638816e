package slackbot

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// Slack's published signing example
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const (
	exampleSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	exampleTimestamp = 1531420618
	exampleBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	exampleSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
)

func exampleRequest(body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", bytes.NewReader([]byte(body)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", "1531420618")
	req.Header.Set("X-Slack-Signature", exampleSignature)
	return req
}

// The verifier reads the wall clock, so the example, signed in 2018, can
// only be checked with the clock moved back there: synctest's fake clock.
func TestSlackSigningExample(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		time.Sleep(time.Until(time.Unix(exampleTimestamp, 0)))
		if now := time.Now().Unix(); now != exampleTimestamp {
			t.Fatalf("fake clock at %d, want %d", now, exampleTimestamp)
		}
		h, rec := newTestHandler(exampleSecret, Allowlist{})

		w := serve(h, exampleRequest(exampleBody))
		if w.Code != http.StatusOK {
			t.Errorf("Slack's example: status %d (%s), want 200", w.Code, w.Body)
		}
		if !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) {
			t.Errorf("Slack's example: body %s, want the ephemeral help for an empty command", w.Body)
		}

		tampered := strings.Replace(exampleBody, "roadrunner", "roadrunnes", 1)
		if w := serve(h, exampleRequest(tampered)); w.Code != http.StatusUnauthorized {
			t.Errorf("one character changed: status %d, want 401", w.Code)
		}

		req := exampleRequest(exampleBody)
		req.Header.Set("X-Slack-Signature", exampleSignature[:len(exampleSignature)-1]+"a")
		if w := serve(h, req); w.Code != http.StatusUnauthorized {
			t.Errorf("signature changed: status %d, want 401", w.Code)
		}

		// The same request replayed more than five minutes later.
		time.Sleep(5*time.Minute + time.Second)
		if w := serve(h, exampleRequest(exampleBody)); w.Code != http.StatusUnauthorized {
			t.Errorf("replayed after 5 minutes: status %d, want 401", w.Code)
		}
		if got := rec.queued(); len(got) != 0 {
			t.Errorf("queued %+v, want nothing (the example's command has no text)", got)
		}
	})
}
