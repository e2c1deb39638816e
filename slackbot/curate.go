package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// The curators' actions: propose an answer as a verified query, show the
// App Home, approve or reject a proposal.
const (
	ActionVerify  Action = "verify"
	ActionHome    Action = "home"
	ActionApprove Action = "approve"
	ActionReject  Action = "reject"
)

// Curation is the store of proposed and verified queries;
// *knowledge.Store is one.
type Curation interface {
	Propose(ctx context.Context, p knowledge.Proposal) (knowledge.Verified, error)
	Review(ctx context.Context, id, by string, approve bool) (knowledge.Verified, error)
	PendingList(ctx context.Context, limit int) ([]knowledge.Pending, error)
}

// DownVotes reads the latest answers marked 👎; *history.Store is one.
type DownVotes interface {
	DownVoted(ctx context.Context, limit int) ([]history.DownVote, error)
}

// homeWork is the work for a person opening the bot's Home tab.
func homeWork(teamID string, e *slackevents.AppHomeOpenedEvent) (Work, bool) {
	if e.Tab != "home" || e.User == "" {
		return Work{}, false
	}
	return Work{Key: "home:" + e.User + ":" + e.EventTimeStamp, Action: ActionHome, TeamID: teamID, UserID: e.User}, true
}

// reviewWork is the work for an Approve or Reject press on the Home tab;
// the proposal's id travels in Text.
func reviewWork(cb slack.InteractionCallback, a *slack.BlockAction) (Work, error) {
	if cb.User.ID == "" || a.Value == "" {
		return Work{}, fmt.Errorf("%w: review without user or proposal", ErrBadRequest)
	}
	action := ActionReject
	if a.ActionID == slackmsg.ActionApprove {
		action = ActionApprove
	}
	return Work{
		Key:    "review:" + cb.User.ID + ":" + a.Value + ":" + a.ActionID + ":" + a.ActionTs,
		Action: action, TeamID: cb.Team.ID, UserID: cb.User.ID, Text: a.Value,
	}, nil
}

func (w *Worker) isCurator(user string) bool {
	return user != "" && slices.Contains(w.opts.Curators, user)
}

// verify proposes the answer under a Verify press as a verified query,
// when a curator pressed it; anyone else is told, only them, why not.
func (w *Worker) verify(ctx context.Context, work Work) error {
	var msg slackmsg.Message
	switch {
	case !w.isCurator(work.UserID) || w.opts.Knowledge == nil:
		msg = slackmsg.NotACurator()
	default:
		e, err := w.opts.History.ByID(ctx, work.Conversation(), work.HistoryID)
		switch {
		case errors.Is(err, history.ErrNotFound) || (err == nil && e.SQL == ""):
			msg = slackmsg.NothingToVerify()
		case err != nil:
			return err
		default:
			v, err := w.opts.Knowledge.Propose(ctx, knowledge.Proposal{Question: e.Question, SQL: e.SQL, HistoryID: e.ID, By: work.UserID})
			if err != nil {
				return err
			}
			w.opts.Logger.InfoContext(ctx, "verified query proposed", slog.String("id", v.ID), slog.String("by", work.UserID))
			msg = slackmsg.Proposed(v.ID)
		}
	}
	return w.ephemeral(ctx, work, msg)
}

// ephemeral answers only the person behind the work, in its thread.
func (w *Worker) ephemeral(ctx context.Context, work Work, msg slackmsg.Message) error {
	opts := append(msgOptions(msg, work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
	if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
		return fmt.Errorf("post ephemeral reply: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, work.ChannelID, work.ThreadTS, "")
}

// review approves or rejects a proposal for a curator, then shows the
// Home tab again. A press by anyone else changes nothing.
func (w *Worker) review(ctx context.Context, work Work) error {
	if w.isCurator(work.UserID) && w.opts.Knowledge != nil {
		approve := work.Action == ActionApprove
		v, err := w.opts.Knowledge.Review(ctx, work.Text, work.UserID, approve)
		switch {
		case errors.Is(err, knowledge.ErrNotPending):
			// Another curator was first: the refreshed tab shows it.
		case err != nil:
			return err
		default:
			w.opts.Logger.InfoContext(ctx, "verified query reviewed", slog.String("id", v.ID),
				slog.Bool("approved", approve), slog.String("by", work.UserID))
		}
	} else {
		w.opts.Logger.WarnContext(ctx, "a review by someone who is not a curator was ignored", slog.String("user", work.UserID))
	}
	return w.home(ctx, work)
}

// home publishes the Home tab for the person behind the work.
func (w *Worker) home(ctx context.Context, work Work) error {
	curator := w.isCurator(work.UserID) && w.opts.Knowledge != nil
	var proposals []slackmsg.Proposal
	var down []slackmsg.DownVote
	if curator {
		pending, err := w.opts.Knowledge.PendingList(ctx, 50)
		if err != nil {
			return err
		}
		for _, p := range pending {
			proposals = append(proposals, slackmsg.Proposal{ID: p.ID, Question: p.Question, SQL: p.SQL, ProposedBy: p.ProposedBy})
		}
		if w.opts.DownVotes != nil {
			votes, err := w.opts.DownVotes.DownVoted(ctx, 10)
			if err != nil {
				return err
			}
			for _, d := range votes {
				down = append(down, slackmsg.DownVote{Question: d.Question, SQL: d.SQL, By: d.By, HistoryID: d.ID})
			}
		}
	}
	_, err := w.opts.Slack.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: work.UserID, View: slackmsg.Home(curator, proposals, down),
	})
	if err != nil {
		return fmt.Errorf("publish the Home tab: %w", err)
	}
	return w.replies.markAnswered(ctx, work.Key, "", "", "")
}

// historyIDOf reads a button's value: the answer's query_history id.
func historyIDOf(value string) int64 {
	id, _ := strconv.ParseInt(value, 10, 64)
	return id
}
