package knowledge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// Proposal is an answer a curator wants verified.
type Proposal struct {
	Question string
	SQL      string
	// HistoryID is the answer's query_history row.
	HistoryID int64
	// By is the curator's Slack user id.
	By string
}

// Pending is a proposed verified query waiting for a curator.
type Pending struct {
	Verified
	HistoryID  int64
	ProposedBy string
	CreatedAt  time.Time
}

// ErrNotPending means the proposal was already approved or rejected, or
// never existed.
var ErrNotPending = errors.New("no such pending proposal")

// Propose stores an answer as a proposed verified query. Proposing the
// same answer again returns the first proposal. It is not used for any
// answer until a curator approves it.
func (s *Store) Propose(ctx context.Context, p Proposal) (Verified, error) {
	if p.Question == "" || p.SQL == "" {
		return Verified{}, errors.New("propose verified query: the answer has no question or no SQL")
	}
	v := Verified{
		ID:       slug(p.Question) + "-h" + strconv.FormatInt(p.HistoryID, 10),
		Question: p.Question, SQL: p.SQL, Owner: p.By,
	}
	var batch pgx.Batch
	queueVerified(&batch, v, sourceSlack, statusProposed, 0, p.HistoryID, p.By)
	if err := s.pool.SendBatch(ctx, &batch).Close(); err != nil {
		return Verified{}, fmt.Errorf("propose verified query: %w", err)
	}
	return v, nil
}

// Review approves or rejects a pending proposal. An approved one is used
// for the very next question.
func (s *Store) Review(ctx context.Context, id, by string, approve bool) (Verified, error) {
	status := statusRejected
	if approve {
		status = statusApproved
	}
	rows, err := s.pool.Query(ctx, `
		UPDATE analytics_bot.knowledge_verified SET status = $2, reviewed_by = $3, reviewed_at = now()
		WHERE id = $1 AND status = 'proposed'
		RETURNING `+verifiedColumns, id, status, by)
	if err != nil {
		return Verified{}, fmt.Errorf("review verified query %s: %w", id, err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanVerified)
	if errors.Is(err, pgx.ErrNoRows) {
		return Verified{}, ErrNotPending
	}
	if err != nil {
		return Verified{}, fmt.Errorf("review verified query %s: %w", id, err)
	}
	return v, nil
}

// PendingList returns up to limit proposals waiting for review, oldest
// first.
func (s *Store) PendingList(ctx context.Context, limit int) ([]Pending, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+verifiedColumns+`, coalesce(history_id, 0), proposed_by, created_at
		FROM analytics_bot.knowledge_verified WHERE status = 'proposed'
		ORDER BY created_at, id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Pending, error) {
		var p Pending
		err := row.Scan(&p.ID, &p.Question, &p.Paraphrases, &p.SQL, &p.Description, &p.Owner,
			&p.HistoryID, &p.ProposedBy, &p.CreatedAt)
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("list proposals: %w", err)
	}
	return list, nil
}
