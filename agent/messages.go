package agent

import (
	"context"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/history"
)

// messages builds the conversation sent on the first turn: exactly the
// Prompt that `analytics-bot prompt` prints.
func (a *Agent) messages(ctx context.Context, question string, conv history.Conversation, earlier []history.Entry) ([]llms.MessageContent, error) {
	p, err := a.prompt(ctx, question, conv, earlier)
	if err != nil {
		return nil, err
	}
	return p.llmMessages(), nil
}

func asker(c history.Conversation) string {
	if c.UserID == "" {
		return ""
	}
	if c.TeamID == "cli" {
		return "a user of the command line"
	}
	return "Slack user <@" + c.UserID + ">"
}

func place(c history.Conversation) string {
	switch {
	case c.ChannelID == "" || c.TeamID == "cli":
		return ""
	case c.ChannelID[0] == 'D':
		return "a direct message"
	default:
		return "channel <#" + c.ChannelID + ">"
	}
}
