package schema

import (
	"context"
	"fmt"
	"strings"
)

// Full-text search over the catalog is PostgreSQL's own: the documents
// are turned into tsvectors once per introspection, and each question is
// ranked against them with ts_rank, so stemming ("customers" finds
// customer_id), stop words and weights are the database's.

// searchConfig is the text search configuration of documents and
// questions.
const searchConfig = "english"

// maxQuestionLen bounds the question text sent for ranking.
const maxQuestionLen = 2000

// documentsSQL weighs a table's name (A) above its column names (B) and
// its comments (C).
const documentsSQL = `
SELECT (setweight(to_tsvector('` + searchConfig + `', d.name), 'A') ||
        setweight(to_tsvector('` + searchConfig + `', d.columns), 'B') ||
        setweight(to_tsvector('` + searchConfig + `', d.comments), 'C'))::text
FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS d(name, columns, comments, ord)
ORDER BY d.ord`

// rankSQL ranks the documents against any word of the question (its
// lexemes joined with OR; a table need not match them all) and returns
// the 1-based positions of the matching ones, best first.
const rankSQL = `
WITH q AS (
    SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery AS q
    FROM unnest(to_tsvector('` + searchConfig + `', $2))
)
SELECT d.ord
FROM q, unnest($1::tsvector[]) WITH ORDINALITY AS d(doc, ord)
WHERE d.doc @@ q.q
ORDER BY ts_rank(d.doc, q.q) DESC, d.ord
LIMIT $3`

// searchDocuments computes each table's tsvector in PostgreSQL.
func searchDocuments(ctx context.Context, db Querier, tables []Table) ([]string, error) {
	if len(tables) == 0 {
		return nil, nil
	}
	names := make([]string, len(tables))
	columns := make([]string, len(tables))
	comments := make([]string, len(tables))
	for i, t := range tables {
		names[i] = t.Schema + " " + t.Name
		var cols, notes []string
		notes = append(notes, t.Comment)
		for _, c := range t.Columns {
			cols = append(cols, c.Name)
			notes = append(notes, c.Comment)
		}
		columns[i] = strings.Join(cols, " ")
		comments[i] = strings.Join(notes, " ")
	}
	rows, err := db.Query(ctx, documentsSQL, names, columns, comments)
	if err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	defer rows.Close()
	docs := make([]string, 0, len(tables))
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("search documents: %w", err)
		}
		docs = append(docs, doc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search documents: %w", err)
	}
	return docs, nil
}

// Rank returns the indexes (into Tables) of at most limit tables that
// match the question, most relevant first, ranked by PostgreSQL's
// full-text search over their names, column names and comments.
func (c *Catalog) Rank(ctx context.Context, db Querier, question string, limit int) ([]int, error) {
	if len(c.search) != len(c.Tables) || len(c.Tables) == 0 || limit <= 0 {
		return nil, nil
	}
	question = strings.ToValidUTF8(question, " ")
	if r := []rune(question); len(r) > maxQuestionLen {
		question = string(r[:maxQuestionLen])
	}
	rows, err := db.Query(ctx, rankSQL, c.search, question, limit)
	if err != nil {
		return nil, fmt.Errorf("rank tables: %w", err)
	}
	defer rows.Close()
	var ranked []int
	for rows.Next() {
		var ord int64
		if err := rows.Scan(&ord); err != nil {
			return nil, fmt.Errorf("rank tables: %w", err)
		}
		if ord >= 1 && int(ord) <= len(c.Tables) {
			ranked = append(ranked, int(ord)-1)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rank tables: %w", err)
	}
	return ranked, nil
}
