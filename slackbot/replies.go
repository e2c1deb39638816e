package slackbot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// reply is what the bot has posted for one piece of work.
type reply struct {
	ChannelID     string
	ThreadTS      string
	PlaceholderTS string
	AnswerTS      string
	Answered      bool
	// Streaming is true when PlaceholderTS is a stream (chat.startStream).
	Streaming bool
}

// replies stores, per work key, the placeholder and answer posted, so a
// retried job edits its placeholder and never answers twice.
type replies struct {
	pool *pgxpool.Pool
}

// settling detaches the record of a message already posted from the job's
// cancellation: a job stopped just after posting must still remember it,
// or its retry posts (or answers) a second time.
func settling(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

func (r replies) get(ctx context.Context, key string) (reply, bool, error) {
	var rep reply
	var answeredAt *time.Time
	err := r.pool.QueryRow(ctx, `
		SELECT channel_id, thread_ts, coalesce(placeholder_ts, ''), coalesce(answer_ts, ''), answered_at, streaming
		FROM analytics_bot.slack_replies WHERE work_key = $1`, key).
		Scan(&rep.ChannelID, &rep.ThreadTS, &rep.PlaceholderTS, &rep.AnswerTS, &answeredAt, &rep.Streaming)
	if errors.Is(err, pgx.ErrNoRows) {
		return reply{}, false, nil
	}
	if err != nil {
		return reply{}, false, fmt.Errorf("read reply of %s: %w", key, err)
	}
	rep.Answered = answeredAt != nil
	return rep, true, nil
}

func (r replies) savePlaceholder(ctx context.Context, key, channel, thread, ts string) error {
	return r.save(ctx, key, channel, thread, ts, false)
}

// saveStream records a stream as the work's placeholder.
func (r replies) saveStream(ctx context.Context, key, channel, thread, ts string) error {
	return r.save(ctx, key, channel, thread, ts, true)
}

func (r replies) save(ctx context.Context, key, channel, thread, ts string, streaming bool) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	_, err := r.pool.Exec(ctx, `
		INSERT INTO analytics_bot.slack_replies (work_key, channel_id, thread_ts, placeholder_ts, streaming)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5)
		ON CONFLICT (work_key) DO UPDATE SET placeholder_ts = EXCLUDED.placeholder_ts, thread_ts = EXCLUDED.thread_ts,
			streaming = EXCLUDED.streaming`,
		key, channel, thread, ts, streaming)
	if err != nil {
		return fmt.Errorf("save placeholder of %s: %w", key, err)
	}
	return nil
}

func (r replies) markAnswered(ctx context.Context, key, channel, thread, answerTS string) error {
	ctx, cancel := settling(ctx)
	defer cancel()
	_, err := r.pool.Exec(ctx, `
		INSERT INTO analytics_bot.slack_replies (work_key, channel_id, thread_ts, answer_ts, answered_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), now())
		ON CONFLICT (work_key) DO UPDATE SET answer_ts = EXCLUDED.answer_ts, answered_at = now()`,
		key, channel, thread, answerTS)
	if err != nil {
		return fmt.Errorf("mark %s answered: %w", key, err)
	}
	return nil
}

func (r replies) purge(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := r.pool.Exec(ctx, "DELETE FROM analytics_bot.slack_replies WHERE created_at < $1", cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge replies: %w", err)
	}
	return tag.RowsAffected(), nil
}
