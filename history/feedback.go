package history

import (
	"context"
	"fmt"
	"time"
)

// Feedback is the latest 👍 / 👎 click on an answer.
type Feedback struct {
	// Outcome is "up" or "down"; "" when nobody has clicked.
	Outcome string
	// By is the Slack user id of who clicked.
	By string
	At time.Time
}

const setFeedbackSQL = `
UPDATE analytics_bot.query_history
SET feedback = $4, feedback_by = $5, feedback_at = now()
WHERE id = $1 AND team_id = $2 AND channel_id = $3
  AND (feedback IS DISTINCT FROM $4 OR feedback_by IS DISTINCT FROM $5)`

// SetFeedback records a click on the answer of question id, in the
// conversation's team and channel (a button cannot reach another
// channel's history). The row keeps the latest click: a second click by
// the same person replaces the first. changed is false when nothing
// changed: the same person clicked the same button again, or there is no
// such question there.
func (s *Store) SetFeedback(ctx context.Context, c Conversation, id int64, outcome string) (changed bool, err error) {
	tag, err := s.pool.Exec(ctx, setFeedbackSQL, id, c.TeamID, c.ChannelID, outcome, c.UserID)
	if err != nil {
		return false, fmt.Errorf("set feedback on question %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// FeedbackOf reads the latest click on question id.
func (s *Store) FeedbackOf(ctx context.Context, c Conversation, id int64) (Feedback, error) {
	var f Feedback
	var outcome, by *string
	var at *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT feedback, feedback_by, feedback_at FROM analytics_bot.query_history
		WHERE id = $1 AND team_id = $2 AND channel_id = $3`, id, c.TeamID, c.ChannelID).Scan(&outcome, &by, &at)
	if err != nil {
		return f, fmt.Errorf("read feedback of question %d: %w", id, err)
	}
	if outcome != nil {
		f.Outcome = *outcome
	}
	if by != nil {
		f.By = *by
	}
	if at != nil {
		f.At = *at
	}
	return f, nil
}
