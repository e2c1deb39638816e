package slackbot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzEvents sends correctly signed but arbitrary bodies to the events
// endpoint: whatever Slack (or an attacker holding the secret) sends, the
// handler must not panic, must not answer 5xx (which makes Slack retry
// forever), and may only queue work that says where to answer.
func FuzzEvents(f *testing.F) {
	seeds := []string{
		`{"type":"url_verification","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","token":"x"}`,
		`{"token":"x","team_id":"T0001","api_app_id":"A1","type":"event_callback","event_id":"Ev1","event_time":1700000000,` +
			`"event":{"type":"app_mention","user":"U123","text":"<@UBOT> what was DAU yesterday?","ts":"1700000001.000100","channel":"C100","event_ts":"1700000001.000100"}}`,
		`{"type":"event_callback","team_id":"T0001","event_id":"Ev2","event":{"type":"app_mention","user":"U123","text":"<@UBOT> show SQL","ts":"1700000002.000100","thread_ts":"1700000001.000100","channel":"C100"}}`,
		`{"type":"event_callback","team_id":"T0001","event_id":"Ev3","event":{"type":"message","channel_type":"im","user":"U123","text":"revenue?","ts":"1700000003.000100","channel":"D100"}}`,
		`{"type":"event_callback","team_id":"T0001","event_id":"Ev4","event":{"type":"message","channel_type":"channel","user":"U123","text":"export csv","ts":"1700000004.000100","thread_ts":"1700000001.000100","channel":"C100"}}`,
		`{"type":"event_callback","event_id":"Ev5","event":{"type":"message","subtype":"message_changed","channel_type":"im","channel":"D100","ts":"1.2","message":{"type":"message","user":"U123","text":"x","ts":"1.1"},"previous_message":null}}`,
		`{"type":"event_callback","event_id":"Ev6","event":{"type":"message","subtype":"bot_message","bot_id":"B1","channel_type":"im","channel":"D100","ts":"1.2","text":"beep"}}`,
		`{"type":"event_callback","event_id":"Ev7","event":{"type":"reaction_added","user":"U123","reaction":"+1","item":{"type":"message","channel":"C100","ts":"1.1"}}}`,
		`{"type":"event_callback","event":null}`,
		`{"type":"event_callback","event":"app_mention"}`,
		`{"type":"event_callback","event":{"type":"app_mention","user":1,"text":["x"],"ts":{},"channel":null}}`,
		`{"type":"event_callback","event":{"type":"message","channel_type":"im","user":"U1","text":"hi","ts":"1.1","channel":"D1","files":"x","blocks":7}}`,
		`{"type":"event_callback","event":{"type":"app_mention"}}`,
		`{"type":"event_callback","event":{}}`,
		`{"type":"app_rate_limited","minute_rate_limited":1518467820}`,
		`{"type":7}`,
		`null`, `[]`, `""`, `{}`, ``, `{`, `garbage`, "\x00\xff\xfe",
		strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000),
		`{"type":"event_callback","event":` + strings.Repeat(`{"a":`, 5_000) + `1` + strings.Repeat(`}`, 5_000) + `}`,
		`{"type":"event_callback","event":{"type":"app_mention","user":"U1","ts":"1.1","channel":"C1","text":"` + strings.Repeat("<@U1>", 10_000) + `"}}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	const secret = "fuzz-secret"
	f.Fuzz(func(t *testing.T, body []byte) {
		d, rec := newTestDispatcher(Allowlist{})
		h := NewHandler(ServerOptions{SigningSecret: secret, Dispatcher: d})
		w := serve(h, signedRequest("/slack/events", body, secret, time.Now()))
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d (%s) for %q", w.Code, w.Body, body)
		}
		for _, work := range rec.queued() {
			if work.Key == "" || work.ChannelID == "" || work.ThreadTS == "" || work.UserID == "" {
				t.Errorf("queued work without a key or a place to answer: %+v", work)
			}
			switch work.Action {
			case ActionQuestion, ActionShowSQL, ActionExportCSV, ActionRefuse:
			default:
				t.Errorf("queued unknown action %q", work.Action)
			}
		}
		// The dispatcher recovers from panics (a bad payload must never
		// crash the process), so look for one behind the error too.
		if _, err := d.Event(t.Context(), body); err != nil && strings.Contains(err.Error(), "malformed event") {
			t.Errorf("the dispatcher panicked on %q: %v", body, err)
		}
	})
}
