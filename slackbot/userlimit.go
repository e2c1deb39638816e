package slackbot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"
	"github.com/slack-go/slack"
	"github.com/tidwall/gjson"

	"github.com/analytics-bot/analytics-bot/slackmsg"
)

// othersInFlightSQL counts the user's other questions being worked on
// now, by any instance: the jobs River is running for them.
const othersInFlightSQL = `
SELECT count(*) FROM analytics_bot.river_job
WHERE state = 'running' AND kind = 'slack_work' AND id <> $1
  AND args->>'action' = 'question' AND args->>'team_id' = $2 AND args->>'user_id' = $3`

// queuedPause is how long a question over its user's cap waits before it
// looks again; the jitter keeps two of them from meeting again.
const queuedPause = 2 * time.Second

// waitYourTurn returns a snooze when the question's user already has
// MaxQuestionsPerUser questions in flight, so that one person's flood
// holds at most that many workers and read-only connections. The user
// gets a short note the first time; a snooze is not an attempt.
func (w *Worker) waitYourTurn(ctx context.Context, job *river.Job[Work]) error {
	work := job.Args
	if w.opts.MaxQuestionsPerUser <= 0 || work.Action != ActionQuestion || work.UserID == "" {
		return nil
	}
	var others int
	if err := w.replies.pool.QueryRow(ctx, othersInFlightSQL, job.ID, work.TeamID, work.UserID).Scan(&others); err != nil {
		return fmt.Errorf("count the user's questions in flight: %w", err)
	}
	if others < w.opts.MaxQuestionsPerUser {
		return nil
	}
	if gjson.GetBytes(job.Metadata, "snoozes").Int() == 0 {
		opts := append(msgOptions(slackmsg.Queued(others), work.ThreadTS), slack.MsgOptionPostEphemeral(work.UserID))
		if _, _, err := w.opts.Slack.PostMessageContext(ctx, work.ChannelID, opts...); err != nil {
			w.opts.Logger.WarnContext(ctx, "could not tell a user their question waits", slog.Any("error", err))
		}
	}
	w.opts.Logger.InfoContext(ctx, "question waits for the user's others", slog.String("user", work.UserID), slog.Int("in_flight", others))
	return river.JobSnooze(queuedPause + rand.N(time.Second))
}
