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

// TestDispatcherEnterpriseGridSiblingsAreNotExternal: on Enterprise Grid a
// person of a sibling workspace is one of the organisation's own, whether
// Slack names them by that workspace in a channel shared with no other
// organisation, or by the organisation's E… id in an interaction. In a
// channel shared with another organisation a different team is external.
func TestDispatcherEnterpriseGridSiblingsAreNotExternal(t *testing.T) {
	t.Parallel()
	self := Identity{UserID: botUserID, BotID: "BBOT", TeamID: "T0001", EnterpriseID: "E0001"}
	mentionFrom := func(userTeam, extShared string) []byte {
		return []byte(`{"type":"event_callback","team_id":"T0001","enterprise_id":"E0001","event_id":"Ev` + userTeam + extShared + `",` +
			`"is_ext_shared_channel":` + extShared + `,"event":{"type":"app_mention","user":"USIB","user_team":"` + userTeam + `",` +
			`"text":"<@` + botUserID + `> DAU by platform?","ts":"1700000000.000100","channel":"C100","event_ts":"1700000000.000100"}}`)
	}
	for _, c := range []struct {
		name, userTeam, extShared string
		refused                   bool
	}{
		{"own workspace", "T0001", "true", false},
		{"sibling workspace, channel shared inside the organisation", "T0002", "false", false},
		{"other team, channel shared with another organisation", "T0002", "true", true},
	} {
		rec := &recorder{}
		d := NewDispatcher(rec, self, Allowlist{}, nil)
		if _, err := d.Event(t.Context(), mentionFrom(c.userTeam, c.extShared)); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(rec.work) != 1 {
			t.Fatalf("%s: queued %d works, want 1", c.name, len(rec.work))
		}
		if refused := rec.work[0].Action == ActionRefuse; refused != c.refused {
			t.Errorf("%s: queued %s, want refused=%v", c.name, rec.work[0].Action, c.refused)
		}
	}

	rec := &recorder{}
	d := NewDispatcher(rec, self, Allowlist{}, nil)
	cb := slack.InteractionCallback{Type: slack.InteractionTypeBlockActions}
	cb.ActionCallback.BlockActions = []*slack.BlockAction{{ActionID: string(ActionShowSQL), Value: "7"}}
	cb.Channel.ID, cb.Message.Timestamp, cb.User.ID, cb.User.TeamID = "C100", "1700000000.000100", "USIB", "E0001"
	if err := d.Interaction(t.Context(), cb); err != nil {
		t.Fatal(err)
	}
	if got := rec.work[len(rec.work)-1].Action; got != ActionShowSQL {
		t.Errorf("button from the organisation's E… id queued %s, want %s", got, ActionShowSQL)
	}
}
