package fake_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/analytics-bot/analytics-bot/fake"
)

// runSocketMode connects a socketmode client to s and stops it at test end.
func runSocketMode(t *testing.T, s *fake.Slack) *socketmode.Client {
	t.Helper()
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL), slack.OptionAppLevelToken("xapp-1-A0001-1-secret"))
	client := socketmode.New(api)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- client.RunContext(ctx) }()
	t.Cleanup(func() {
		cancel()
		<-errc
	})
	return client
}

// nextEvent returns the next client event of the given type.
func nextEvent(t *testing.T, client *socketmode.Client, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case evt := <-client.Events:
			if evt.Type == typ {
				return evt
			}
		case <-timeout:
			t.Fatalf("no %s event within 10s", typ)
		}
	}
}

func TestSlackSocketModeEventsAPI(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	event := []byte(`{"token":"x","team_id":"T0001","api_app_id":"A0001","type":"event_callback","event_id":"Ev1",
		"event":{"type":"app_mention","user":"U1","text":"<@UBOT> dau yesterday?","ts":"1700000001.000100","channel":"C1","event_ts":"1700000001.000100"}}`)
	// Sent before the client connects: the fake queues it until the hello.
	id := s.SendSocketEventsAPI(event)
	client := runSocketMode(t, s)

	evt := nextEvent(t, client, socketmode.EventTypeEventsAPI)
	api, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		t.Fatalf("event data = %T", evt.Data)
	}
	mention, ok := api.InnerEvent.Data.(*slackevents.AppMentionEvent)
	if !ok || mention.Text != "<@UBOT> dau yesterday?" || evt.Request.EnvelopeID != id {
		t.Fatalf("inner event = %#v, envelope %q", api.InnerEvent.Data, evt.Request.EnvelopeID)
	}
	if err := client.Ack(*evt.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}

	s.WaitFor(t, 5*time.Second, func(s *fake.Slack) bool { return slices.Contains(s.SocketAcks(), id) })
	if n := len(s.CallsTo("apps.connections.open")); n != 1 {
		t.Errorf("apps.connections.open calls = %d, want 1", n)
	}
}

func TestSlackSocketModeSlashCommandAndInteraction(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	client := runSocketMode(t, s)
	s.WaitFor(t, 5*time.Second, func(s *fake.Slack) bool { return s.SocketConnections() == 1 })

	cmdID := s.SendSocketSlashCommand(url.Values{
		"command": {"/analytics"}, "text": {"dau by platform"}, "user_id": {"U1"},
		"channel_id": {"C1"}, "response_url": {s.ResponseURL()},
	})
	evt := nextEvent(t, client, socketmode.EventTypeSlashCommand)
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok || cmd.Command != "/analytics" || cmd.Text != "dau by platform" || cmd.ResponseURL == "" {
		t.Fatalf("slash command = %#v", evt.Data)
	}
	if err := client.Ack(*evt.Request, map[string]string{"text": "On it"}); err != nil {
		t.Fatalf("ack: %v", err)
	}

	action := []byte(`{"type":"block_actions","user":{"id":"U1"},"channel":{"id":"C1"},
		"actions":[{"action_id":"show_sql","block_id":"b","type":"button","value":"42"}]}`)
	actID := s.SendSocketInteraction(action)
	evt = nextEvent(t, client, socketmode.EventTypeInteractive)
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok || len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].ActionID != "show_sql" {
		t.Fatalf("interaction = %#v", evt.Data)
	}
	if err := client.Ack(*evt.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}

	s.WaitFor(t, 5*time.Second, func(s *fake.Slack) bool { return len(s.SocketAcks()) == 2 })
	acks := s.SocketAckDetails()
	if acks[0].EnvelopeID != cmdID || acks[1].EnvelopeID != actID {
		t.Errorf("acks = %+v", acks)
	}
	var payload map[string]string
	if err := json.Unmarshal(acks[0].Payload, &payload); err != nil || payload["text"] != "On it" {
		t.Errorf("slash ack payload = %s (%v)", acks[0].Payload, err)
	}
}
