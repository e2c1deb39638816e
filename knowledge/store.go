package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps the knowledge in the bot's private schema, as the
// application's own role.
type Store struct {
	pool *pgxpool.Pool
	// trgm is the schema pg_trgm is installed in, "" when it is not.
	trgm string
}

// NewStore returns a store over the application's pool; it notices
// whether pg_trgm is installed, for similarity ranking.
func NewStore(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	s := &Store{pool: pool}
	err := pool.QueryRow(ctx, `
		SELECT coalesce((SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
		                 WHERE e.extname = 'pg_trgm'), '')`).Scan(&s.trgm)
	if err != nil {
		return nil, fmt.Errorf("knowledge store: %w", err)
	}
	return s, nil
}

// Trigrams reports whether retrieval ranks with pg_trgm similarity.
func (s *Store) Trigrams() bool { return s.trgm != "" }

// The sources and states of a verified query.
const (
	sourceFile      = "file"
	sourceSlack     = "slack"
	statusProposed  = "proposed"
	statusApproved  = "approved"
	statusRejected  = "rejected"
	filesHashKey    = "knowledge_files_hash"
	syncLockKey     = 7_412_901_338
	verifiedColumns = "id, question, paraphrases, sql, description, owner"
)

const insertVerifiedSQL = `
INSERT INTO analytics_bot.knowledge_verified
    (id, question, paraphrases, sql, description, owner, source, status, position, phrases, sql_key, search_a, search,
     history_id, proposed_by)
VALUES ($1, $2::text, $3::text[], $4::text, $5::text, $6, $7, $8, $9, $10, $11,
        to_tsvector('english', $2::text || ' ' || array_to_string($3::text[], ' ')),
        setweight(to_tsvector('english', $2::text), 'A')
        || setweight(to_tsvector('english', array_to_string($3::text[], ' ')), 'A')
        || setweight(to_tsvector('english', $5), 'B')
        || setweight(to_tsvector('english', $4), 'D'),
        $12, $13)
ON CONFLICT (id) DO NOTHING`

const insertTermSQL = `
INSERT INTO analytics_bot.knowledge_terms (term, synonyms, definition, sql, position, names, search)
VALUES ($1::text, $2::text[], $3, $4, $5,
        ARRAY(SELECT phraseto_tsquery('english', n) FROM unnest($1::text || $2::text[]) n),
        to_tsvector('english', $1::text || ' ' || array_to_string($2::text[], ' ')))`

// Sync makes the stored file knowledge equal to set (entries approved in
// Slack stay, unless the files now hold the same id). It does nothing
// when the set is the one stored last, and reports whether it changed
// anything. Instances starting together take turns.
func (s *Store) Sync(ctx context.Context, set *Set) (bool, error) {
	hash, err := setHash(set)
	if err != nil {
		return false, err
	}
	changed := false
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", syncLockKey); err != nil {
			return err
		}
		var stored string
		err := tx.QueryRow(ctx, "SELECT value FROM analytics_bot.settings WHERE key = $1", filesHashKey).Scan(&stored)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if stored == hash {
			return nil
		}
		ids := make([]string, len(set.Verified))
		for i, v := range set.Verified {
			ids[i] = v.ID
		}
		if _, err := tx.Exec(ctx, "DELETE FROM analytics_bot.knowledge_verified WHERE source = 'file' OR id = ANY($1)", ids); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "DELETE FROM analytics_bot.knowledge_terms"); err != nil {
			return err
		}
		var batch pgx.Batch
		for i, v := range set.Verified {
			queueVerified(&batch, v, sourceFile, statusApproved, i, 0, "")
		}
		for i, t := range set.Terms {
			batch.Queue(insertTermSQL, t.Term, nonNil(t.Synonyms), t.Definition, t.SQL, i)
		}
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO analytics_bot.settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = now()`, filesHashKey, hash)
		changed = err == nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store knowledge: %w", err)
	}
	if changed {
		// Fresh statistics keep the planner on the indexes after a bulk load.
		if _, err := s.pool.Exec(ctx, "ANALYZE analytics_bot.knowledge_verified, analytics_bot.knowledge_terms"); err != nil {
			return true, fmt.Errorf("store knowledge: %w", err)
		}
	}
	return changed, nil
}

func queueVerified(b *pgx.Batch, v Verified, source, status string, position int, historyID int64, by string) {
	var hid *int64
	if historyID > 0 {
		hid = &historyID
	}
	b.Queue(insertVerifiedSQL, v.ID, v.Question, nonNil(v.Paraphrases), v.SQL, v.Description, v.Owner,
		source, status, position, phrases(v), NormalizeSQL(v.SQL), hid, by)
}

// phrases are the normalised wordings that match a verified query exactly.
func phrases(v Verified) []string {
	out := []string{NormalizeQuestion(v.Question)}
	for _, p := range v.Paraphrases {
		out = append(out, NormalizeQuestion(p))
	}
	return out
}

func setHash(set *Set) (string, error) {
	data, err := json.Marshal(struct {
		V []Verified
		T []Term
	}{set.Verified, set.Terms})
	if err != nil {
		return "", fmt.Errorf("hash knowledge: %w", err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Exact returns the approved verified query whose question or paraphrase
// is the question (as NormalizeQuestion sees it), or nil.
func (s *Store) Exact(ctx context.Context, question string) (*Verified, error) {
	key := NormalizeQuestion(question)
	if key == "" {
		return nil, nil
	}
	return s.one(ctx, `SELECT `+verifiedColumns+` FROM analytics_bot.knowledge_verified
		WHERE status = 'approved' AND phrases @> ARRAY[$1]
		ORDER BY source = 'file' DESC, position, id LIMIT 1`, key)
}

// BySQL returns the approved verified query whose SQL is sql (as
// NormalizeSQL sees it), or nil.
func (s *Store) BySQL(ctx context.Context, sql string) (*Verified, error) {
	key := NormalizeSQL(sql)
	if key == "" {
		return nil, nil
	}
	return s.one(ctx, `SELECT `+verifiedColumns+` FROM analytics_bot.knowledge_verified
		WHERE status = 'approved' AND md5(sql_key) = md5($1) AND sql_key = $1
		ORDER BY source = 'file' DESC, position, id LIMIT 1`, key)
}

// ByID returns an approved verified query by its id, or nil.
func (s *Store) ByID(ctx context.Context, id string) (*Verified, error) {
	return s.one(ctx, `SELECT `+verifiedColumns+` FROM analytics_bot.knowledge_verified
		WHERE status = 'approved' AND id = $1`, id)
}

func (s *Store) one(ctx context.Context, sql string, args ...any) (*Verified, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("find verified query: %w", err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanVerified)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find verified query: %w", err)
	}
	return &v, nil
}

func scanVerified(row pgx.CollectableRow) (Verified, error) {
	var v Verified
	err := row.Scan(&v.ID, &v.Question, &v.Paraphrases, &v.SQL, &v.Description, &v.Owner)
	if len(v.Paraphrases) == 0 {
		v.Paraphrases = nil
	}
	return v, err
}

// Approved lists every approved verified query: the files' first, in
// their order, then those approved in Slack, oldest first.
func (s *Store) Approved(ctx context.Context) ([]Verified, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+verifiedColumns+` FROM analytics_bot.knowledge_verified
		WHERE status = 'approved' ORDER BY source = 'file' DESC, position, reviewed_at, id`)
	if err != nil {
		return nil, fmt.Errorf("list verified queries: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanVerified)
	if err != nil {
		return nil, fmt.Errorf("list verified queries: %w", err)
	}
	return list, nil
}

// Counts says how much knowledge is stored.
func (s *Store) Counts(ctx context.Context) (verified, terms int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM analytics_bot.knowledge_verified WHERE status = 'approved'),
		(SELECT count(*) FROM analytics_bot.knowledge_terms)`).Scan(&verified, &terms)
	if err != nil {
		return 0, 0, fmt.Errorf("count knowledge: %w", err)
	}
	return verified, terms, nil
}

// slug turns a question into the start of an id.
func slug(q string) string {
	words := strings.Fields(NormalizeQuestion(q))
	var b strings.Builder
	for _, w := range words {
		if b.Len()+len(w) > 50 {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('-')
		}
		for _, r := range w {
			if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
				b.WriteRune(r)
			}
		}
	}
	if b.Len() == 0 {
		return "question"
	}
	return strings.Trim(b.String(), "-")
}
