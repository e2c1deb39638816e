package agent

import (
	"context"
	"fmt"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/prompts"
)

// messages builds the conversation sent on the first turn. The stable
// part (rules, schema summary) comes first so the provider's prompt cache
// can reuse it; the date, the asker, the knowledge retrieved for the
// question and the thread's earlier turns follow.
func (a *Agent) messages(ctx context.Context, question string, conv history.Conversation, earlier []history.Entry) ([]llms.MessageContent, error) {
	system, err := a.SystemPrompt(ctx)
	if err != nil {
		return nil, err
	}
	know, err := a.KnowledgePrompt(ctx, question, earlier)
	if err != nil {
		return nil, err
	}
	now := a.opts.Now().UTC()
	contextText, err := a.opts.Prompts.Context(prompts.ContextData{
		Today: now.Format("2006-01-02"), Weekday: now.Weekday().String(),
		Asker: asker(conv), Place: place(conv), HistoryCount: len(earlier),
	})
	if err != nil {
		return nil, err
	}
	msgs := []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, system),
		llms.TextParts(llms.ChatMessageTypeSystem, contextText),
	}
	if know.Text != "" {
		msgs = append(msgs, llms.TextParts(llms.ChatMessageTypeSystem, know.Text))
	}
	for _, e := range earlier {
		answer := e.Answer
		if answer == "" {
			answer = fmt.Sprintf("(no answer: %s)", e.Status)
		}
		text, err := a.opts.Prompts.HistoryAnswer(prompts.HistoryAnswerData{Answer: answer, SQL: e.SQL, RowCount: e.RowCount})
		if err != nil {
			return nil, err
		}
		msgs = append(msgs,
			llms.TextParts(llms.ChatMessageTypeHuman, e.Question),
			llms.TextParts(llms.ChatMessageTypeAI, text))
	}
	return append(msgs, llms.TextParts(llms.ChatMessageTypeHuman, question)), nil
}

// SystemPrompt renders the stable system prompt with the current schema
// summary.
func (a *Agent) SystemPrompt(ctx context.Context) (string, error) {
	cat, err := a.opts.Catalog.Get(ctx)
	if err != nil {
		return "", fmt.Errorf("schema for the system prompt: %w", err)
	}
	return a.opts.Prompts.System(prompts.SystemData{BotName: a.opts.BotName, Schema: cat.Summary()})
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
