package slackbot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/slackmsg"
	"github.com/analytics-bot/analytics-bot/tools"
)

// Access decides which data role a conversation's work runs as
// (ACCESS_FILE).
type Access interface {
	Scope(ctx context.Context, conv history.Conversation) (Scope, error)
}

// Scope is what one data role gives a piece of work: the agent whose SQL
// runs as that role and the exporter that connects as it.
type Scope struct {
	Role string
	// Allowed is false when the asker may not see what the role reads:
	// the work is refused with a note instead.
	Allowed  bool
	Agent    Answerer
	Exporter tools.Exporter
}

// scope returns the work's scope: the access file's choice, or the one
// read-only role when there is no access file.
func (w *Worker) scope(ctx context.Context, work Work) (Scope, error) {
	if w.opts.Access == nil {
		return Scope{Allowed: true, Agent: w.opts.Agent, Exporter: w.opts.Exporter}, nil
	}
	sc, err := w.opts.Access.Scope(ctx, work.Conversation())
	if err != nil {
		return Scope{}, fmt.Errorf("choose the data role: %w", err)
	}
	return sc, nil
}

// refuseRole tells the asker alone, in an ephemeral message, that the
// channel's answers come from a data role they may not use.
func (w *Worker) refuseRole(ctx context.Context, work Work, role string) error {
	msg := slackmsg.RoleRefusal(role)
	opts := append(msgOptions(msg, work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
	if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
		return fmt.Errorf("post data role refusal: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}
