package history

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// DownVote is an answer someone marked 👎, for curators to review.
type DownVote struct {
	ID       int64
	Question string
	SQL      string
	By       string
}

// DownVoted returns the latest answers marked 👎, newest first.
func (s *Store) DownVoted(ctx context.Context, limit int) ([]DownVote, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, question, coalesce(sql, ''), coalesce(feedback_by, '')
		FROM analytics_bot.query_history
		WHERE feedback = 'down'
		ORDER BY feedback_at DESC NULLS LAST, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read answers marked 👎: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DownVote, error) {
		var d DownVote
		err := row.Scan(&d.ID, &d.Question, &d.SQL, &d.By)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("read answers marked 👎: %w", err)
	}
	return list, nil
}
