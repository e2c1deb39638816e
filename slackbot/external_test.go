package slackbot

import (
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

// TestDispatcherRefusesExternalTeams: in a Slack Connect channel people of
// another organisation are refused unless ExternalUsers is set, whatever
// the way they ask.
func TestDispatcherRefusesExternalTeams(t *testing.T) {
	t.Parallel()
	self := Identity{UserID: botUserID, BotID: "BBOT", TeamID: "T0001"}
	for _, allowExternal := range []bool{false, true} {
		rec := &recorder{}
		d := NewDispatcher(rec, self, Allowlist{ExternalUsers: allowExternal}, nil)

		cmd := slashCommand("DAU by platform?")
		cmd.TeamID = "TOTHER"
		ack, err := d.Command(t.Context(), cmd)
		if err != nil {
			t.Fatal(err)
		}
		if refused := ack == refusalText; refused == allowExternal {
			t.Errorf("ExternalUsers=%v: slash command from another team answered %q", allowExternal, ack)
		}

		cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions}
		cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: string(ActionShowSQL), Value: "7"}}
		cb.Channel.ID, cb.Message.Timestamp, cb.User.ID, cb.User.TeamID = "C100", "1700000000.000100", "UEXT", "TOTHER"
		if err := d.Interaction(t.Context(), cb); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, w := range rec.work {
			actions = append(actions, string(w.Action))
		}
		want := ActionRefuse
		if allowExternal {
			want = ActionShowSQL
		}
		if last := rec.work[len(rec.work)-1]; last.Action != want {
			t.Errorf("ExternalUsers=%v: button from another team queued %s, want %s (all: %s)", allowExternal, last.Action, want, strings.Join(actions, ","))
		}
	}
}
