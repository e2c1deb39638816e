package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// feedback records a 👍 / 👎 click on the question's history row. A 👎
// that changed the row gets a short ephemeral "what was wrong?" for the
// person who clicked.
func (w *Worker) feedback(ctx context.Context, work Work) error {
	if w.opts.Feedback == nil {
		return nil
	}
	changed, err := w.opts.Feedback.SetFeedback(ctx, work.Conversation(), work.HistoryID, work.Text)
	if err != nil {
		return err
	}
	if changed {
		w.opts.Metrics.RecordFeedback(ctx, work.Text)
		if work.Text == slackmsg.FeedbackDown {
			msg := slackmsg.FeedbackThanks()
			opts := append(msgOptions(msg, work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
			if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
				return fmt.Errorf("post feedback thanks: %w", err)
			}
		}
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

// welcome suggests up to four questions in a new assistant thread, drawn
// from the data the bot can read.
func (w *Worker) welcome(ctx context.Context, work Work) error {
	if w.opts.Catalog == nil {
		return nil
	}
	cat, err := w.opts.Catalog.Get(ctx)
	if err != nil {
		return fmt.Errorf("read the schema for suggested prompts: %w", err)
	}
	prompts := slackmsg.SuggestedPrompts(cat)
	if len(prompts) > 0 {
		params := slack.AssistantThreadsSetSuggestedPromptsParameters{
			ChannelID: work.ChannelID, ThreadTS: work.ThreadTS, Title: "Ask me about the data, for example:",
		}
		for _, p := range prompts {
			params.AddPrompt(p.Title, p.Message)
		}
		if err := w.opts.Slack.SetAssistantThreadsSuggestedPromptsContext(ctx, params); err != nil {
			return fmt.Errorf("set suggested prompts: %w", err)
		}
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

// titleThread names an assistant thread after its first question. A
// failure is only logged: the title is a nicety.
func (w *Worker) titleThread(ctx context.Context, work Work) {
	if !work.DM || work.ThreadTS == "" || w.opts.History == nil {
		return
	}
	if _, err := w.opts.History.LatestAnswered(ctx, work.Conversation()); !errors.Is(err, history.ErrNotFound) {
		return // not the first question, or unknown
	}
	err := w.opts.Slack.SetAssistantThreadsTitleContext(ctx, slack.AssistantThreadsSetTitleParameters{
		ChannelID: work.ChannelID, ThreadTS: work.ThreadTS, Title: slackmsg.ThreadTitle(work.Text),
	})
	if err != nil {
		w.opts.Logger.InfoContext(ctx, "could not title the assistant thread", slog.Any("error", err))
	}
}
