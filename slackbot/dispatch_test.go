package slackbot

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

func appMention(user, text, ts, threadTS string) map[string]any {
	ev := map[string]any{"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": "C100", "event_ts": ts}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

func plainMessage(channel, channelType, user, text, ts, threadTS string) map[string]any {
	ev := map[string]any{"type": "message", "channel": channel, "channel_type": channelType, "text": text, "ts": ts, "event_ts": ts}
	if user != "" {
		ev["user"] = user
	}
	if threadTS != "" {
		ev["thread_ts"] = threadTS
	}
	return ev
}

func with(ev map[string]any, kv ...any) map[string]any {
	for i := 0; i+1 < len(kv); i += 2 {
		ev[kv[i].(string)] = kv[i+1]
	}
	return ev
}

func TestDispatcherTurnsEventsIntoWork(t *testing.T) {
	t.Parallel()
	const ts, thread = "1700000001.000100", "1700000000.000100"
	tests := []struct {
		name  string
		event map[string]any
		want  Work
	}{
		{
			name:  "mention starts a thread at its ts",
			event: appMention("U123", "<@UBOT> what was DAU yesterday?", ts, ""),
			want: Work{Key: "msg:C100:" + ts, Action: ActionQuestion, TeamID: "T0001", ChannelID: "C100",
				ThreadTS: ts, UserID: "U123", Text: "what was DAU yesterday?"},
		},
		{
			name:  "mention in a thread answers in that thread",
			event: appMention("U123", "<@UBOT> and the week before?", ts, thread),
			want: Work{Key: "msg:C100:" + ts, Action: ActionQuestion, TeamID: "T0001", ChannelID: "C100",
				ThreadTS: thread, UserID: "U123", Text: "and the week before?"},
		},
		{
			name:  "mention asking for the SQL",
			event: appMention("U123", "<@UBOT> Show SQL", ts, thread),
			want: Work{Key: "msg:C100:" + ts, Action: ActionShowSQL, TeamID: "T0001", ChannelID: "C100",
				ThreadTS: thread, UserID: "U123", Text: "Show SQL"},
		},
		{
			name:  "direct message",
			event: plainMessage("D100", "im", "U123", "revenue last week?", ts, ""),
			want: Work{Key: "msg:D100:" + ts, Action: ActionQuestion, TeamID: "T0001", ChannelID: "D100",
				ThreadTS: ts, UserID: "U123", Text: "revenue last week?", DM: true},
		},
		{
			name:  "export csv typed in a channel thread without the mention",
			event: plainMessage("C100", "channel", "U123", "EXPORT CSV", ts, thread),
			want: Work{Key: "msg:C100:" + ts, Action: ActionExportCSV, TeamID: "T0001", ChannelID: "C100",
				ThreadTS: thread, UserID: "U123", Text: "EXPORT CSV", Quiet: true},
		},
		{
			name:  "show sql typed in a channel thread without the mention",
			event: plainMessage("C100", "channel", "U123", "show sql", ts, thread),
			want: Work{Key: "msg:C100:" + ts, Action: ActionShowSQL, TeamID: "T0001", ChannelID: "C100",
				ThreadTS: thread, UserID: "U123", Text: "show sql", Quiet: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, rec := newTestDispatcher(Allowlist{})
			challenge, err := d.Event(t.Context(), callback(t, "Ev1", tt.event))
			if err != nil || challenge != "" {
				t.Fatalf("Event = %q, %v", challenge, err)
			}
			got := rec.queued()
			if len(got) != 1 {
				t.Fatalf("queued %d pieces of work, want 1: %+v", len(got), got)
			}
			if !equalWork(got[0], tt.want) {
				t.Errorf("work = %+v\nwant   %+v", got[0], tt.want)
			}
		})
	}
}

func equalWork(a, b Work) bool {
	return a.Key == b.Key && a.Action == b.Action && a.TeamID == b.TeamID && a.ChannelID == b.ChannelID &&
		a.ThreadTS == b.ThreadTS && a.UserID == b.UserID && a.Text == b.Text && a.HistoryID == b.HistoryID &&
		a.DM == b.DM && a.Quiet == b.Quiet
}

func TestDispatcherIgnoresWhatIsNotAQuestion(t *testing.T) {
	t.Parallel()
	const ts, thread = "1700000001.000100", "1700000000.000100"
	tests := []struct {
		name  string
		event map[string]any
	}{
		{"mention by another bot", with(appMention("U555", "<@UBOT> hi", ts, ""), "bot_id", "B999")},
		{"mention by the bot itself", appMention(botUserID, "<@UBOT> hi", ts, "")},
		{"mention without a user", appMention("", "<@UBOT> hi", ts, "")},
		{"mention without a ts", appMention("U123", "<@UBOT> hi", "", "")},
		{"bot message in a DM", with(plainMessage("D100", "im", "", "beep", ts, ""), "subtype", "bot_message", "bot_id", "B999")},
		{"bot message with a user in a DM", with(plainMessage("D100", "im", "U555", "beep", ts, ""), "bot_id", "B999")},
		{"edited message in a DM", with(plainMessage("D100", "im", "", "", ts, ""), "subtype", "message_changed",
			"message", map[string]any{"type": "message", "user": "U123", "text": "edited question", "ts": thread})},
		{"deleted message in a DM", with(plainMessage("D100", "im", "", "", ts, ""), "subtype", "message_deleted", "deleted_ts", thread)},
		{"the bot's own DM", plainMessage("D100", "im", botUserID, "Working on it…", ts, "")},
		{"channel message that is a question", plainMessage("C100", "channel", "U123", "what was DAU?", ts, thread)},
		{"channel message, show sql outside a thread", plainMessage("C100", "channel", "U123", "show sql", ts, "")},
		{"channel message with the mention (the app_mention is answered)", plainMessage("C100", "channel", "U123", "<@UBOT> export csv", ts, thread)},
		{"channel join", with(plainMessage("C100", "channel", "U123", "joined", ts, ""), "subtype", "channel_join")},
		{"reaction", map[string]any{"type": "reaction_added", "user": "U123", "reaction": "+1", "event_ts": ts,
			"item": map[string]any{"type": "message", "channel": "C100", "ts": ts}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, rec := newTestDispatcher(Allowlist{})
			if _, err := d.Event(t.Context(), callback(t, "Ev1", tt.event)); err != nil {
				t.Fatalf("Event: %v", err)
			}
			if got := rec.queued(); len(got) != 0 {
				t.Errorf("queued %+v, want nothing", got)
			}
		})
	}
}

func TestDispatcherAllowlist(t *testing.T) {
	t.Parallel()
	const ts, thread = "1700000001.000100", "1700000000.000100"
	allow := Allowlist{Users: []string{"U999"}}

	t.Run("a mention from someone else is refused", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(allow)
		if _, err := d.Event(t.Context(), callback(t, "Ev1", appMention("U123", "<@UBOT> DAU?", ts, ""))); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 1 || got[0].Action != ActionRefuse || got[0].UserID != "U123" {
			t.Errorf("queued %+v, want one refusal for U123", got)
		}
	})
	t.Run("an allowed user is answered", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(allow)
		if _, err := d.Event(t.Context(), callback(t, "Ev1", appMention("U999", "<@UBOT> DAU?", ts, ""))); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 1 || got[0].Action != ActionQuestion {
			t.Errorf("queued %+v, want one question", got)
		}
	})
	t.Run("a channel allowlist refuses other channels", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(Allowlist{Channels: []string{"C999"}})
		if _, err := d.Event(t.Context(), callback(t, "Ev1", appMention("U123", "<@UBOT> DAU?", ts, ""))); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 1 || got[0].Action != ActionRefuse {
			t.Errorf("queued %+v, want one refusal", got)
		}
	})
	t.Run("export csv typed without the mention by someone else is dropped", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(allow)
		if _, err := d.Event(t.Context(), callback(t, "Ev1", plainMessage("C100", "channel", "U123", "export csv", ts, thread))); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 0 {
			t.Errorf("queued %+v for a user outside the allowlist, want nothing", got)
		}
	})
	t.Run("a button pressed by someone else is refused", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(allow)
		if err := d.Interaction(t.Context(), buttonPress("export_csv", "7", "U123")); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 1 || got[0].Action != ActionRefuse {
			t.Errorf("queued %+v, want one refusal", got)
		}
	})
	t.Run("a slash command from someone else is refused at once", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(allow)
		ack, err := d.Command(t.Context(), slashCommand("DAU by platform?"))
		if err != nil {
			t.Fatal(err)
		}
		if ack != refusalText {
			t.Errorf("ack = %q, want the refusal", ack)
		}
		if got := rec.queued(); len(got) != 0 {
			t.Errorf("queued %+v, want nothing", got)
		}
	})
}

func TestDispatcherEventEnvelope(t *testing.T) {
	t.Parallel()
	d, rec := newTestDispatcher(Allowlist{})
	ctx := t.Context()

	challenge, err := d.Event(ctx, []byte(`{"token":"x","challenge":"c-123","type":"url_verification"}`))
	if err != nil || challenge != "c-123" {
		t.Errorf("url_verification = %q, %v; want the challenge", challenge, err)
	}
	if _, err := d.Event(ctx, []byte(`not json`)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("garbage: err = %v, want ErrBadRequest", err)
	}
	if _, err := d.Event(ctx, []byte(`{"type":"app_rate_limited","minute_rate_limited":1}`)); err != nil {
		t.Errorf("app_rate_limited: %v", err)
	}
	if _, err := d.Event(ctx, []byte(`{"type":"event_callback","event":"not an object"}`)); err != nil && !errors.Is(err, ErrBadRequest) {
		t.Errorf("odd event: %v", err)
	}
	if got := rec.queued(); len(got) != 0 {
		t.Errorf("queued %+v, want nothing", got)
	}
}

func buttonPress(actionID, value, user string) slack.InteractionCallback {
	var cb slack.InteractionCallback
	cb.Type = slack.InteractionTypeBlockActions
	cb.Team.ID = "T0001"
	cb.User.ID = user
	cb.Channel.ID = "C100"
	cb.Container.ChannelID = "C100"
	cb.Container.MessageTs = "1700000002.000100"
	cb.Message.Timestamp = "1700000002.000100"
	cb.Message.ThreadTimestamp = "1700000001.000100"
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: actionID, Value: value, ActionTs: "1700000003.000100"}}
	return cb
}

func TestDispatcherButtons(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		actionID string
		want     Action
	}{{"show_sql", ActionShowSQL}, {"export_csv", ActionExportCSV}} {
		t.Run(tt.actionID, func(t *testing.T) {
			t.Parallel()
			d, rec := newTestDispatcher(Allowlist{})
			if err := d.Interaction(t.Context(), buttonPress(tt.actionID, "42", "U123")); err != nil {
				t.Fatal(err)
			}
			got := rec.queued()
			if len(got) != 1 {
				t.Fatalf("queued %d, want 1", len(got))
			}
			w := got[0]
			if w.Action != tt.want || w.HistoryID != 42 || w.ChannelID != "C100" || w.ThreadTS != "1700000001.000100" ||
				w.UserID != "U123" || w.TeamID != "T0001" {
				t.Errorf("work = %+v", w)
			}
		})
	}
	t.Run("a button on a top-level message uses its ts as the thread", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(Allowlist{})
		cb := buttonPress("show_sql", "", "U123")
		cb.Message.ThreadTimestamp = ""
		if err := d.Interaction(t.Context(), cb); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 1 || got[0].ThreadTS != "1700000002.000100" || got[0].HistoryID != 0 {
			t.Errorf("queued %+v", got)
		}
	})
	t.Run("other actions are ignored", func(t *testing.T) {
		t.Parallel()
		d, rec := newTestDispatcher(Allowlist{})
		if err := d.Interaction(t.Context(), buttonPress("something_else", "1", "U123")); err != nil {
			t.Fatal(err)
		}
		var view slack.InteractionCallback
		view.Type = slack.InteractionTypeViewSubmission
		if err := d.Interaction(t.Context(), view); err != nil {
			t.Fatal(err)
		}
		if got := rec.queued(); len(got) != 0 {
			t.Errorf("queued %+v", got)
		}
	})
	t.Run("a press without a channel is a bad request", func(t *testing.T) {
		t.Parallel()
		d, _ := newTestDispatcher(Allowlist{})
		cb := buttonPress("show_sql", "1", "U123")
		cb.Channel.ID, cb.Container.ChannelID = "", ""
		if err := d.Interaction(t.Context(), cb); !errors.Is(err, ErrBadRequest) {
			t.Errorf("err = %v, want ErrBadRequest", err)
		}
	})
}

func slashCommand(text string) slack.SlashCommand {
	return slack.SlashCommand{
		Command: "/analytics", Text: text, TeamID: "T0001", ChannelID: "C200", UserID: "U123",
		TriggerID: "123.456.abc", ResponseURL: "https://hooks.slack.com/commands/x",
	}
}

func TestDispatcherSlashCommand(t *testing.T) {
	t.Parallel()
	ctx := t.Context()

	d, rec := newTestDispatcher(Allowlist{})
	ack, err := d.Command(ctx, slashCommand("  DAU by platform?  "))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ack, "DAU by platform?") {
		t.Errorf("ack = %q, want it to name the question", ack)
	}
	got := rec.queued()
	want := Work{Key: "cmd:123.456.abc", Action: ActionQuestion, TeamID: "T0001", ChannelID: "C200", UserID: "U123", Text: "DAU by platform?"}
	if len(got) != 1 || !equalWork(got[0], want) {
		t.Errorf("queued %+v, want %+v", got, want)
	}

	for _, text := range []string{"", "   ", "show sql", "Export CSV"} {
		d, rec := newTestDispatcher(Allowlist{})
		ack, err := d.Command(ctx, slashCommand(text))
		if err != nil || ack == "" {
			t.Errorf("Command(%q) = %q, %v; want a hint", text, ack, err)
		}
		if got := rec.queued(); len(got) != 0 {
			t.Errorf("Command(%q) queued %+v", text, got)
		}
	}

	d, rec = newTestDispatcher(Allowlist{})
	rec.err = errQueueDown
	if _, err := d.Command(ctx, slashCommand("DAU?")); err == nil || errors.Is(err, ErrBadRequest) {
		t.Errorf("with the queue down: err = %v, want a retryable error", err)
	}
}

// A delivery that cannot be queued must get a 5xx so that Slack retries it;
// one that is merely odd gets a 4xx and is not retried.
func TestHandlerStatusCodes(t *testing.T) {
	t.Parallel()
	const secret = "s3cret"
	now := time.Now()
	mentionBody := callback(t, "Ev1", appMention("U123", "<@UBOT> DAU?", "1700000001.000100", ""))

	h, rec := newTestHandler(secret, Allowlist{})
	if w := serve(h, signedRequest("/slack/events", mentionBody, secret, now)); w.Code != http.StatusOK {
		t.Errorf("mention: %d %s", w.Code, w.Body)
	}
	if n := len(rec.queued()); n != 1 {
		t.Errorf("queued %d, want 1", n)
	}

	rec.err = errQueueDown
	if w := serve(h, signedRequest("/slack/events", mentionBody, secret, now)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("queue down: %d, want 503", w.Code)
	}

	for _, tc := range []struct {
		path, body string
		want       int
	}{
		{"/slack/events", `{"type":"url_verification","challenge":"xyz"}`, http.StatusOK},
		{"/slack/events", `{{{`, http.StatusBadRequest},
		{"/slack/interactions", `payload=%7Bnot+json`, http.StatusBadRequest},
		{"/slack/interactions", `nothing=here`, http.StatusBadRequest},
		{"/slack/commands", `text=&command=%2Fanalytics`, http.StatusOK},
		{"/slack/commands", `text=DAU&command=%2Fanalytics`, http.StatusBadRequest}, // no trigger, channel or user
	} {
		w := serve(h, signedRequest(tc.path, []byte(tc.body), secret, now))
		if w.Code != tc.want {
			t.Errorf("%s %q: %d, want %d (%s)", tc.path, tc.body, w.Code, tc.want, w.Body)
		}
	}

	// A button press as Slack sends it (trimmed).
	payload := `{"type":"block_actions","team":{"id":"T0001","domain":"fake"},"user":{"id":"U123","name":"ana"},
		"api_app_id":"A1","container":{"type":"message","message_ts":"1700000002.000100","channel_id":"C100","is_ephemeral":false},
		"trigger_id":"1.2.3","channel":{"id":"C100","name":"analytics"},
		"message":{"type":"message","user":"UBOT","ts":"1700000002.000100","thread_ts":"1700000001.000100","text":"answer"},
		"response_url":"https://hooks.slack.com/actions/x","actions":[{"action_id":"export_csv","block_id":"Xy1z",
		"text":{"type":"plain_text","text":"Export CSV"},"value":"42","type":"button","action_ts":"1700000003.000100"}]}`
	rec.err = nil
	before := len(rec.queued())
	w := serve(h, signedRequest("/slack/interactions", []byte(url.Values{"payload": {payload}}.Encode()), secret, now))
	if got := rec.queued(); w.Code != http.StatusOK || len(got) != before+1 ||
		got[before].Action != ActionExportCSV || got[before].HistoryID != 42 || got[before].ThreadTS != "1700000001.000100" {
		t.Errorf("button press: %d, queued %+v", w.Code, got[before:])
	}

	form := url.Values{"command": {"/analytics"}, "text": {"DAU by platform?"}, "team_id": {"T0001"},
		"channel_id": {"C200"}, "user_id": {"U123"}, "trigger_id": {"1.2.3"}}
	w = serve(h, signedRequest("/slack/commands", []byte(form.Encode()), secret, now))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"response_type":"ephemeral"`) {
		t.Errorf("slash command: %d %s", w.Code, w.Body)
	}
}
