package schema

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

const (
	// maxValues is the most distinct values a text column may have to
	// count as low-cardinality and have them listed.
	maxValues = 10
	// sampleRows bounds the rows read to find distinct values when the
	// table has no statistics.
	sampleRows = 50_000
	// countCap bounds the rows counted when the table has no statistics;
	// above it the planner's estimate is used.
	countCap = 10_000
	// sampleTimeout bounds each query that reads table data.
	sampleTimeout = 5 * time.Second
)

// statsSQL reads ANALYZE's view of the text columns: the number of
// distinct values (negative: a fraction of the rows) and the most common
// values with their frequencies. Statistics over an inheritance tree are
// preferred, as a query on the parent reads the whole tree.
const statsSQL = `
SELECT DISTINCT ON (c.oid, s.attname) c.oid, s.attname, coalesce(s.n_distinct, 0)::float8,
       coalesce(s.most_common_vals::text::text[], '{}'), coalesce(s.most_common_freqs, '{}')
FROM pg_catalog.pg_stats s
JOIN pg_catalog.pg_namespace n ON n.nspname = s.schemaname
JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE c.oid = ANY($1) AND t.typcategory IN ('S', 'E')
ORDER BY c.oid, s.attname, s.inherited DESC`

// columnStats is one column's row of pg_stats.
type columnStats struct {
	nDistinct float64
	values    []string
	freqs     []float32
}

func readStats(ctx context.Context, db Querier, oids []uint32) (map[uint32]map[string]columnStats, error) {
	rows, err := db.Query(ctx, statsSQL, oids)
	if err != nil {
		return nil, fmt.Errorf("read statistics: %w", err)
	}
	defer rows.Close()
	stats := make(map[uint32]map[string]columnStats)
	for rows.Next() {
		var oid uint32
		var name string
		var st columnStats
		if err := rows.Scan(&oid, &name, &st.nDistinct, &st.values, &st.freqs); err != nil {
			return nil, fmt.Errorf("read statistics: %w", err)
		}
		if stats[oid] == nil {
			stats[oid] = make(map[string]columnStats)
		}
		stats[oid][name] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read statistics: %w", err)
	}
	return stats, nil
}

// sample fills in what comes from the table's data: the row estimate,
// the values of low-cardinality text columns and the range of date and
// timestamp columns.
func sample(ctx context.Context, db Querier, r *relation, stats map[string]columnStats) error {
	name := pgx.Identifier{r.table.Schema, r.table.Name}.Sanitize()
	est, err := rowEstimate(ctx, db, r, name)
	if skip, err := skippable(ctx, err); !skip {
		return err
	}
	r.table.RowEstimate = est
	for i := range r.table.Columns {
		col := &r.table.Columns[i]
		switch kind := r.kinds[i]; kind {
		case "text":
			st, ok := stats[col.Name]
			var values []string
			values, err = distinctValues(ctx, db, name, col.Name, st, ok, r.table.RowEstimate)
			col.Values, col.LongValues = keepShort(values)
		case "date", "timestamp", "timestamptz":
			col.Min, col.Max, err = bounds(ctx, db, name, col.Name, kind)
		default:
			continue
		}
		if skip, err := skippable(ctx, err); !skip {
			return fmt.Errorf("column %s: %w", ident(col.Name), err)
		}
	}
	return nil
}

// skippable tells whether a failed data sample may be left out: the
// database refused or timed out that one query while the caller still
// waits. A nil error is trivially skippable.
func skippable(ctx context.Context, err error) (bool, error) {
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) || errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err) {
		return true, nil
	}
	return false, err
}

// rowEstimate takes the planner's row count when the table has been
// vacuumed or analyzed; otherwise (views too) it counts up to countCap
// rows, and beyond that asks the planner through EXPLAIN.
func rowEstimate(ctx context.Context, db Querier, r *relation, table string) (int64, error) {
	if r.reltuples >= 0 && r.table.Kind != "view" && r.table.Kind != "foreign table" {
		return int64(math.Round(r.reltuples)), nil
	}
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	var n int64
	q := fmt.Sprintf("SELECT count(*) FROM (SELECT FROM %s LIMIT %d) s", table, countCap+1)
	if err := db.QueryRow(ctx, q).Scan(&n); err != nil {
		return -1, fmt.Errorf("count rows: %w", err)
	}
	if n <= countCap {
		return n, nil
	}
	var plan []byte
	if err := db.QueryRow(ctx, "EXPLAIN (FORMAT JSON) SELECT FROM "+table).Scan(&plan); err != nil {
		return n, fmt.Errorf("estimate rows: %w", err)
	}
	var explained []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(plan, &explained); err != nil || len(explained) == 0 {
		return n, nil
	}
	return max(n, int64(math.Round(explained[0].Plan.Rows))), nil
}

// distinctValues lists a text column's values, most frequent first, when
// it has at most maxValues of them. Statistics answer when the column has
// been analyzed and its most common values cover all it has; otherwise a
// bounded sample of the rows does.
func distinctValues(ctx context.Context, db Querier, table, column string, st columnStats, analyzed bool, rows int64) ([]string, error) {
	if analyzed {
		distinct := st.nDistinct
		if distinct < 0 {
			distinct = -distinct * float64(max(rows, 0))
		}
		distinct = math.Round(distinct)
		switch {
		case distinct > maxValues || st.nDistinct == 0:
			return nil, nil
		case len(st.values) >= int(distinct) && len(st.values) == len(st.freqs):
			return fromStats(st), nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	col := pgx.Identifier{column}.Sanitize()
	q := fmt.Sprintf(`SELECT v FROM (SELECT %[1]s::text AS v FROM %[2]s WHERE %[1]s IS NOT NULL LIMIT %[3]d) s
		GROUP BY v ORDER BY count(*) DESC, v COLLATE "C" LIMIT %[4]d`, col, table, sampleRows, maxValues+1)
	r, err := db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("sample values: %w", err)
	}
	values, err := pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("sample values: %w", err)
	}
	if len(values) > maxValues {
		return nil, nil
	}
	return values, nil
}

// fromStats orders the most common values by frequency, ties by value,
// so that the result does not depend on how ANALYZE broke them.
func fromStats(st columnStats) []string {
	idx := make([]int, len(st.values))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		return cmp.Or(cmp.Compare(st.freqs[b], st.freqs[a]), strings.Compare(st.values[a], st.values[b]))
	})
	values := make([]string, 0, min(len(idx), maxValues))
	for _, i := range idx[:min(len(idx), maxValues)] {
		values = append(values, st.values[i])
	}
	return values
}

// bounds reads the smallest and largest value of a date or timestamp
// column; timestamptz is shown in UTC so that the session's time zone
// does not matter.
func bounds(ctx context.Context, db Querier, table, column, kind string) (lo, hi string, err error) {
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	col := pgx.Identifier{column}.Sanitize()
	q := fmt.Sprintf("SELECT min(%[1]s), max(%[1]s) FROM %[2]s", col, table)
	switch kind {
	case "date":
		var a, b pgtype.Date
		err = db.QueryRow(ctx, q).Scan(&a, &b)
		lo, hi = formatTime(a.Time, a.InfinityModifier, a.Valid, time.DateOnly), formatTime(b.Time, b.InfinityModifier, b.Valid, time.DateOnly)
	case "timestamp":
		var a, b pgtype.Timestamp
		err = db.QueryRow(ctx, q).Scan(&a, &b)
		lo, hi = formatTime(a.Time, a.InfinityModifier, a.Valid, time.DateTime), formatTime(b.Time, b.InfinityModifier, b.Valid, time.DateTime)
	default:
		var a, b pgtype.Timestamptz
		err = db.QueryRow(ctx, q).Scan(&a, &b)
		lo, hi = formatTime(a.Time, a.InfinityModifier, a.Valid, time.DateTime+"Z07"), formatTime(b.Time, b.InfinityModifier, b.Valid, time.DateTime+"Z07")
	}
	if err != nil {
		return "", "", fmt.Errorf("read range: %w", err)
	}
	return lo, hi, nil
}

func formatTime(t time.Time, inf pgtype.InfinityModifier, valid bool, layout string) string {
	switch {
	case !valid:
		return ""
	case inf == pgtype.Infinity:
		return "infinity"
	case inf == pgtype.NegativeInfinity:
		return "-infinity"
	}
	return t.UTC().Format(layout)
}

// keepShort keeps the values short enough to show whole and counts the
// others: a value is shown exactly or not at all, never cut into a
// literal that matches nothing.
func keepShort(values []string) (short []string, long int) {
	for _, v := range values {
		if utf8.RuneCountInString(v) > maxValueLen || !utf8.ValidString(v) {
			long++
			continue
		}
		short = append(short, v)
	}
	return short, long
}
