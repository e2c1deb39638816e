// Package history keeps query_history: one row per question with its SQL,
// answer, usage and outcome, read back for follow-ups, "show SQL" and
// "export csv", and purged after a year.
package history

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Conversation identifies a thread: questions are only ever read back
// within the same team, channel and thread.
type Conversation struct {
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	ThreadTS  string `json:"thread_ts"`
	UserID    string `json:"user_id"`
}

// Status is a question's outcome.
type Status string

// The outcomes of a question.
const (
	StatusAnswered Status = "answered"
	StatusPartial  Status = "partial" // a budget ran out; the best answer so far was given
	StatusFailed   Status = "failed"
	StatusRefused  Status = "refused" // not allowed to ask

	// A scheduled delivery: posted, withheld by its alert condition, or
	// failed (its frozen SQL no longer runs).
	StatusDelivered      Status = "delivered"
	StatusWithheld       Status = "withheld"
	StatusDeliveryFailed Status = "delivery_failed"
)

// Entry is one row of query_history.
type Entry struct {
	ID           int64
	CreatedAt    time.Time
	Conversation Conversation
	Question     string
	SQL          string
	RowCount     int
	Answer       string
	Model        string
	TokensIn     int
	TokensCached int
	TokensOut    int
	CostUSD      float64
	Latency      time.Duration
	Turns        int
	Status       Status
	Error        string
	// DataRole is the PostgreSQL role the question's SQL ran as.
	DataRole string
	// VerifiedID is the verified query the answer's SQL was, if any.
	VerifiedID string
}

// Store reads and writes query_history as the application's own role.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store over the application's pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// ErrNotFound means the thread has no answered question yet.
var ErrNotFound = errors.New("no answered question in this thread")

const insertSQL = `
INSERT INTO analytics_bot.query_history
    (team_id, channel_id, thread_ts, user_id, question, sql, row_count, answer, model,
     tokens_in, tokens_cached, tokens_out, cost_usd, latency_ms, turns, status, error, data_role, verified_id)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), $7, NULLIF($8, ''), $9, $10, $11, $12, $13, $14, $15, $16, NULLIF($17, ''), NULLIF($18, ''), NULLIF($19, ''))
RETURNING id, created_at`

// Record writes one question's row and returns its id.
func (s *Store) Record(ctx context.Context, e Entry) (int64, error) {
	c := e.Conversation
	var rowCount *int
	if e.SQL != "" {
		rowCount = &e.RowCount
	}
	err := s.pool.QueryRow(ctx, insertSQL,
		c.TeamID, c.ChannelID, c.ThreadTS, c.UserID, e.Question, e.SQL, rowCount, e.Answer, e.Model,
		e.TokensIn, e.TokensCached, e.TokensOut, e.CostUSD, e.Latency.Milliseconds(), e.Turns, string(e.Status), e.Error, e.DataRole,
		e.VerifiedID,
	).Scan(&e.ID, &e.CreatedAt)
	if err != nil {
		return 0, fmt.Errorf("record question: %w", err)
	}
	return e.ID, nil
}

const selectColumns = `id, created_at, team_id, channel_id, thread_ts, user_id, question, coalesce(sql, ''),
    coalesce(row_count, 0), coalesce(answer, ''), model, tokens_in, tokens_cached, tokens_out,
    cost_usd::float8, latency_ms, turns, status, coalesce(error, ''), coalesce(data_role, '')`

// Recent returns up to limit earlier questions of the conversation,
// oldest first.
func (s *Store) Recent(ctx context.Context, c Conversation, limit int) ([]Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT * FROM (
		    SELECT `+selectColumns+` FROM analytics_bot.query_history
		    WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3
		    ORDER BY id DESC LIMIT $4
		) recent ORDER BY id`, c.TeamID, c.ChannelID, c.ThreadTS, limit)
	if err != nil {
		return nil, fmt.Errorf("read conversation history: %w", err)
	}
	entries, err := pgx.CollectRows(rows, scanEntry)
	if err != nil {
		return nil, fmt.Errorf("read conversation history: %w", err)
	}
	return entries, nil
}

// LatestAnswered returns the conversation's latest question that has SQL
// behind its answer, or ErrNotFound.
func (s *Store) LatestAnswered(ctx context.Context, c Conversation) (Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+selectColumns+` FROM analytics_bot.query_history
		WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3
		  AND sql IS NOT NULL AND status IN ('answered', 'partial', 'delivered')
		ORDER BY id DESC LIMIT 1`, c.TeamID, c.ChannelID, c.ThreadTS)
	if err != nil {
		return Entry{}, fmt.Errorf("read latest answer: %w", err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read latest answer: %w", err)
	}
	return e, nil
}

// ThreadRole returns the data role of the conversation's first question
// that recorded one, or "" when none did: a thread keeps that role.
func (s *Store) ThreadRole(ctx context.Context, c Conversation) (string, error) {
	var role string
	err := s.pool.QueryRow(ctx, `
		SELECT data_role FROM analytics_bot.query_history
		WHERE team_id = $1 AND channel_id = $2 AND thread_ts = $3 AND data_role IS NOT NULL
		ORDER BY id LIMIT 1`, c.TeamID, c.ChannelID, c.ThreadTS).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the thread's data role: %w", err)
	}
	return role, nil
}

// Purge deletes rows older than cutoff and returns how many went.
func (s *Store) Purge(ctx context.Context, cutoff time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, "DELETE FROM analytics_bot.query_history WHERE created_at < $1", cutoff)
	if err != nil {
		return 0, fmt.Errorf("purge question history: %w", err)
	}
	return tag.RowsAffected(), nil
}

func scanEntry(row pgx.CollectableRow) (Entry, error) {
	var e Entry
	var latencyMS int64
	var status string
	c := &e.Conversation
	err := row.Scan(&e.ID, &e.CreatedAt, &c.TeamID, &c.ChannelID, &c.ThreadTS, &c.UserID, &e.Question, &e.SQL,
		&e.RowCount, &e.Answer, &e.Model, &e.TokensIn, &e.TokensCached, &e.TokensOut, &e.CostUSD, &latencyMS,
		&e.Turns, &status, &e.Error, &e.DataRole)
	e.Latency = time.Duration(latencyMS) * time.Millisecond
	e.Status = Status(status)
	return e, err
}

// ByID returns one question of the conversation by its id; a question of
// another conversation is not found.
func (s *Store) ByID(ctx context.Context, c Conversation, id int64) (Entry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+selectColumns+` FROM analytics_bot.query_history
		WHERE id = $1 AND team_id = $2 AND channel_id = $3 AND thread_ts = $4`, id, c.TeamID, c.ChannelID, c.ThreadTS)
	if err != nil {
		return Entry{}, fmt.Errorf("read question %d: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, scanEntry)
	if errors.Is(err, pgx.ErrNoRows) {
		return Entry{}, ErrNotFound
	}
	if err != nil {
		return Entry{}, fmt.Errorf("read question %d: %w", id, err)
	}
	return e, nil
}

// SetThread files a recorded question under the thread its answer
// started, once Slack has given the answer's timestamp (a scheduled
// delivery's buttons then find it like an answer's).
func (s *Store) SetThread(ctx context.Context, id int64, threadTS string) error {
	if _, err := s.pool.Exec(ctx, "UPDATE analytics_bot.query_history SET thread_ts = $2 WHERE id = $1", id, threadTS); err != nil {
		return fmt.Errorf("file question %d under its thread: %w", id, err)
	}
	return nil
}
