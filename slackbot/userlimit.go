package slackbot

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/slack-go/slack"
	"github.com/tidwall/gjson"

	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// waitYourTurn returns a snooze unless it is the question's turn: fewer
// than MaxQuestionsPerUser of its user's questions run now or were asked
// before it and wait. So one person's flood holds at most that many
// workers and read-only connections, and their questions start in the
// order they were asked. The user is told the first time a question
// waits (see noteQueued); a snooze is not an attempt.
func (w *Worker) waitYourTurn(ctx context.Context, job *river.Job[Work]) error {
	work := job.Args
	if w.turns.max <= 0 || work.Action != ActionQuestion || work.UserID == "" {
		return nil
	}
	snoozes := gjson.GetBytes(job.Metadata, "snoozes").Int()
	p, behind, err := w.turns.look(ctx, job, snoozes)
	if err != nil {
		return err
	}
	if behind > 0 {
		return river.JobSnooze(behind)
	}
	if p.ahead() < w.turns.max {
		return nil
	}
	waiting := job.ID
	if p.runningBefore+p.waitingBefore < w.turns.max {
		waiting = 0 // held back only by later questions
	}
	w.turns.lines.saw(work.TeamID, work.UserID, p.ahead()+1, waiting, time.Now())
	wait := w.turns.snooze(p, snoozes)
	level := slog.LevelDebug
	if snoozes == 0 {
		level = slog.LevelInfo
		w.noteQueued(ctx, work, p)
	}
	w.opts.Logger.Log(ctx, level, "question waits for its turn", slog.String("user", work.UserID),
		slog.Int("running", p.running), slog.Int("waiting_before", p.waitingBefore), slog.Duration("wait", wait))
	return river.JobSnooze(wait)
}

// noteQueued tells the user, the first time a question waits, that it
// waits for their earlier ones. A question held back only by later ones
// (passing through their own checks) is not noted: its wait is a blink.
// Nor is one that joins a long line: a person asking one question after
// another has been told, and a flood of thousands gets no thousand notes.
func (w *Worker) noteQueued(ctx context.Context, work Work, p place) {
	earlier := p.runningBefore + p.waitingBefore
	if earlier < w.turns.max || earlier >= longLine {
		return
	}
	opts := append(msgOptions(slackmsg.Queued(earlier), work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
	if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
		w.opts.Logger.WarnContext(ctx, "could not tell a user their question waits", slog.Any("error", err))
	}
}
