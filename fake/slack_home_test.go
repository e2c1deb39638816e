package fake_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
)

func TestSlackViewsPublishChecksTheHomeTabLikeSlack(t *testing.T) {
	t.Parallel()
	s := fake.NewSlack(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.URL))
	ctx := context.Background()
	section := func(text string) slack.Block {
		return slack.NewSectionBlock(slack.NewTextBlockObject(slack.MarkdownType, text, false, false), nil, nil)
	}
	button := func(id string) *slack.ButtonBlockElement {
		return slack.NewButtonBlockElement(id, "v", slack.NewTextBlockObject(slack.PlainTextType, "Go", false, false))
	}
	publish := func(user string, view slack.HomeTabViewRequest) error {
		_, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: user, View: view})
		return err
	}
	home := func(blocks ...slack.Block) slack.HomeTabViewRequest {
		return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
	}

	good := home(section("hello"), slack.NewActionBlock("b1", button("a"), button("b")))
	if err := publish("U1", good); err != nil {
		t.Fatalf("a valid view: %v", err)
	}
	if v, ok := s.HomeView("U1"); !ok || !strings.Contains(string(v), `"hello"`) {
		t.Fatalf("HomeView = %s, %v", v, ok)
	}
	many := make([]slack.Block, 101)
	for i := range many {
		many[i] = section(fmt.Sprint(i))
	}
	for name, tc := range map[string]struct {
		user string
		view slack.HomeTabViewRequest
		want string
	}{
		"not a home view":     {"U1", slack.HomeTabViewRequest{Type: slack.VTModal, Blocks: good.Blocks}, "invalid_arguments"},
		"too many blocks":     {"U1", home(many...), "invalid_arguments"},
		"duplicate block id":  {"U1", home(slack.NewActionBlock("x", button("a")), slack.NewActionBlock("x", button("b"))), "invalid_arguments"},
		"duplicate action id": {"U1", home(slack.NewActionBlock("x", button("a"), button("a"))), "invalid_arguments"},
		"section too long":    {"U1", home(section(strings.Repeat("a", 3001))), "invalid_arguments"},
	} {
		if err := publish(tc.user, tc.view); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if err := publish("", good); err == nil {
		t.Error("a view without a user must fail")
	}
}
