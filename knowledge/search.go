package knowledge

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Match is a retrieved verified query with how well it fits (0 to 1).
type Match struct {
	Verified
	Score float64 `json:"score"`
}

// Retrieval is the knowledge found for a question.
type Retrieval struct {
	// Verified are the most similar verified queries, best first.
	Verified []Match
	// Terms are the glossary terms the question names.
	Terms []Term
}

// inputCTE reads $1 (the question, and in a follow-up the thread's
// earlier questions): its lexemes, the glossary terms it names, and the
// other names of those terms (a question that says "sales" also looks for
// "revenue"). Lexemes are OR-ed so that a paraphrase sharing some words
// still matches; the ranking then counts how many of them an entry has.
const inputCTE = `
WITH base AS (
    SELECT d AS doc, tsvector_to_array(d) AS lexemes,
           to_tsquery('simple', coalesce((SELECT string_agg(quote_literal(l), ' | ') FROM unnest(tsvector_to_array(d)) l), '')) AS query
    FROM to_tsvector('english', $1) d
), named AS (
    SELECT t.term, t.synonyms, t.definition, t.sql, t.position
    FROM analytics_bot.knowledge_terms t, base
    WHERE t.search @@ base.query
      AND EXISTS (SELECT 1 FROM unnest(t.names) n WHERE numnode(n) > 0 AND n @@ base.doc)
), input AS (
    SELECT base.lexemes,
           array(SELECT l FROM unnest(tsvector_to_array(to_tsvector('english',
               coalesce((SELECT string_agg(n.term || ' ' || array_to_string(n.synonyms, ' '), ' ') FROM named n), ''))
           )) l WHERE l <> ALL (base.lexemes)) AS extra
    FROM base
), query AS (
    SELECT array(SELECT quote_literal(l)::tsquery FROM unnest(input.lexemes) l) AS lexemes,
           array(SELECT quote_literal(l)::tsquery FROM unnest(input.extra) l) AS extra,
           cardinality(input.lexemes) AS n,
           to_tsquery('simple', coalesce((SELECT string_agg(quote_literal(l), ' | ') FROM unnest(input.lexemes || input.extra) l), '')) AS query
    FROM input
)`

// rankSQL scores a candidate from 0 to 1: the share of the question's
// words found in the entry's question or paraphrases (full weight) or
// elsewhere in it (less), words of the named terms' synonyms counting
// half.
const rankSQL = `least(1.0,
    ((SELECT coalesce(sum(CASE WHEN v.search_a @@ l THEN 0.7 ELSE 0 END + CASE WHEN v.search @@ l THEN 0.3 ELSE 0 END), 0) FROM unnest(q.lexemes) l)
     + 0.5 * (SELECT coalesce(sum(CASE WHEN v.search_a @@ l THEN 0.7 ELSE 0 END + CASE WHEN v.search @@ l THEN 0.3 ELSE 0 END), 0) FROM unnest(q.extra) l))
    / greatest(q.n, 1))`

// searchVerifiedSQL ranks with full-text search alone; the trigram
// variant adds the similarity of the question's wording (a trigram index
// to find candidates was measured slower than full-text search with
// thousands of entries, so similarity only re-ranks). Both keep the best candidates by ts_rank
// first, so the cost stays flat with thousands of entries.
const searchVerifiedSQL = inputCTE + `,
candidates AS (
    SELECT v.id FROM analytics_bot.knowledge_verified v, query q
    WHERE v.status = 'approved' AND v.search @@ q.query
    ORDER BY ts_rank(v.search, q.query) DESC LIMIT ` + preselect + `
)
SELECT v.id, v.question, v.paraphrases, v.sql, v.description, v.owner, (` + rankSQL + `)::float8 AS score
FROM candidates c JOIN analytics_bot.knowledge_verified v USING (id), query q
ORDER BY score DESC, v.source = 'file' DESC, v.position, v.id LIMIT $2`

const searchVerifiedTrgmSQL = inputCTE + `,
candidates AS (
    SELECT v.id FROM analytics_bot.knowledge_verified v, query q
    WHERE v.status = 'approved' AND v.search @@ q.query
    ORDER BY ts_rank(v.search, q.query) DESC LIMIT ` + preselect + `
)
SELECT v.id, v.question, v.paraphrases, v.sql, v.description, v.owner,
       (0.7 * ` + rankSQL + ` + 0.3 * greatest(TRGM.similarity(v.question, $1),
            coalesce((SELECT max(TRGM.similarity(p, $1)) FROM unnest(v.paraphrases) p), 0)))::float8 AS score
FROM candidates c JOIN analytics_bot.knowledge_verified v USING (id), query q
ORDER BY score DESC, v.source = 'file' DESC, v.position, v.id LIMIT $2`

// preselect is how many entries PostgreSQL's own ts_rank keeps for the
// finer (and slower) ranking above.
const preselect = "60"

// searchTermsSQL returns the terms the text names, by a name or synonym
// appearing in it as a phrase.
const searchTermsSQL = inputCTE + `
SELECT term, synonyms, definition, sql FROM named ORDER BY position LIMIT $2`

// maxTerms caps the glossary terms retrieved for one question.
const maxTerms = 8

// Search retrieves the k verified queries most similar to text and the
// glossary terms it names, in one round trip.
func (s *Store) Search(ctx context.Context, text string, k int) (Retrieval, error) {
	var out Retrieval
	if strings.TrimSpace(text) == "" || k <= 0 {
		return out, nil
	}
	verifiedSQL := searchVerifiedSQL
	if s.trgm != "" {
		verifiedSQL = strings.ReplaceAll(searchVerifiedTrgmSQL, "TRGM", pgx.Identifier{s.trgm}.Sanitize())
	}
	var batch pgx.Batch
	batch.Queue(verifiedSQL, text, k).Query(func(rows pgx.Rows) error {
		var err error
		out.Verified, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Match, error) {
			var m Match
			err := row.Scan(&m.ID, &m.Question, &m.Paraphrases, &m.SQL, &m.Description, &m.Owner, &m.Score)
			return m, err
		})
		return err
	})
	batch.Queue(searchTermsSQL, text, maxTerms).Query(func(rows pgx.Rows) error {
		var err error
		out.Terms, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Term, error) {
			var t Term
			err := row.Scan(&t.Term, &t.Synonyms, &t.Definition, &t.SQL)
			if len(t.Synonyms) == 0 {
				t.Synonyms = nil
			}
			return t, err
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, &batch).Close(); err != nil {
		return Retrieval{}, fmt.Errorf("search knowledge: %w", err)
	}
	return out, nil
}
