package fake_test

import (
	"slices"
	"testing"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestUserGroupMembersThroughSlackGo(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	s.SetUserGroup("S1", "U1", "U2")
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL))
	members, err := api.GetUserGroupMembers("S1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(members, []string{"U1", "U2"}) {
		t.Errorf("members = %v", members)
	}
	s.SetUserGroup("S1", "U3")
	if members, _ := api.GetUserGroupMembers("S1"); !slices.Equal(members, []string{"U3"}) {
		t.Errorf("members after change = %v", members)
	}
	if _, err := api.GetUserGroupMembers("S9"); !isSlackError(err, "no_such_subteam") {
		t.Errorf("unknown group: %v", err)
	}
}
