package eval

import (
	"fmt"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// Reason says why a question passed or failed.
type Reason string

// The reasons of a scored question.
const (
	ReasonPass         Reason = "pass"
	ReasonWrongRows    Reason = "wrong rows"    // the rows differ, or a reference column has no match
	ReasonMissingRows  Reason = "missing rows"  // every answer row is right, but some reference rows are absent
	ReasonExtraRows    Reason = "extra rows"    // every reference row is there, plus others
	ReasonWrongOrder   Reason = "wrong order"   // the right rows, not in the reference's ORDER BY order
	ReasonSQLError     Reason = "SQL error"     // no query succeeded, and at least one failed
	ReasonNoSQL        Reason = "no SQL"        // the agent answered without running a query
	ReasonModelError   Reason = "model error"   // the question failed: model unreachable, empty question…
	ReasonWrongOutcome Reason = "wrong outcome" // a clarify or refuse question was not handled as expected
	// ReasonReferenceError means the golden file's own SQL failed: a
	// mistake in the file, counted as a failure so that it gets fixed.
	ReasonReferenceError Reason = "reference error"
)

// rank orders the outcomes of a column mapping from best to worst.
func (r Reason) rank() int {
	switch r {
	case ReasonPass:
		return 0
	case ReasonWrongOrder:
		return 1
	case ReasonMissingRows, ReasonExtraRows:
		return 2
	default:
		return 3
	}
}

// CompareOptions says how strictly results are compared.
type CompareOptions struct {
	// Ordered makes row order matter (the reference has a top-level ORDER BY).
	Ordered bool
	// TieColumns are the reference's columns that its ORDER BY sorts on.
	// Consecutive reference rows equal on them are tied: the answer's rows
	// at those positions compare as a set. Empty: every row's position
	// counts.
	TieColumns []int
	// Tolerance is the relative difference under which numbers are equal
	// (DefaultTolerance when 0).
	Tolerance float64
}

// maxMappings bounds the column mappings tried, for results with many
// interchangeable columns.
const maxMappings = 5000

// CompareResults scores the agent's result against the reference's. Rows
// are compared as multisets (as sequences when Ordered); column names and
// order are ignored: each reference column is matched to a distinct answer
// column with the same values, and extra answer columns are tolerated once
// every reference column is matched. It returns the reason and, for a
// failure, a short detail.
func CompareResults(ref, got *readonly.Result, opts CompareOptions) (Reason, string) {
	tol := opts.Tolerance
	if tol <= 0 {
		tol = DefaultTolerance
	}
	r, g := tableOf(columnNames(ref), ref.Rows), tableOf(columnNames(got), got.Rows)
	nRef, nGot := len(r.rows), len(g.rows)

	// Candidate columns for each reference column: those whose values
	// could hold the reference's, given the row counts.
	want := min(nRef, nGot)
	candidates := make([][]int, len(r.names))
	for j := range r.names {
		refCol := r.column(j)
		for k := range g.names {
			if matchSorted(refCol, g.column(k), tol) == want {
				candidates[j] = append(candidates[j], k)
			}
		}
		if len(candidates[j]) == 0 {
			return ReasonWrongRows, fmt.Sprintf("no column of the answer has the values of reference column %q", r.names[j])
		}
	}

	best, bestMatched, tried := ReasonWrongRows, -1, 0
	mapping := make([]int, len(r.names))
	used := make([]bool, len(g.names))
	var search func(j int) bool // true stops the search
	search = func(j int) bool {
		if j == len(r.names) {
			tried++
			reason, matched := scoreMapping(r, g, mapping, opts, tol)
			if reason.rank() < best.rank() || reason.rank() == best.rank() && matched > bestMatched {
				best, bestMatched = reason, matched
			}
			return best == ReasonPass || tried >= maxMappings
		}
		for _, k := range candidates[j] {
			if used[k] {
				continue
			}
			used[k], mapping[j] = true, k
			stop := search(j + 1)
			used[k] = false
			if stop {
				return true
			}
		}
		return false
	}
	search(0)

	switch {
	case bestMatched < 0:
		return ReasonWrongRows, "the answer's columns cannot cover the reference's (two reference columns need the same answer column)"
	case best == ReasonPass:
		return ReasonPass, ""
	case best == ReasonWrongOrder:
		return best, "the right rows, in another order than the reference's ORDER BY"
	case best == ReasonMissingRows:
		return best, fmt.Sprintf("%d of the reference's %d rows missing", nRef-bestMatched, nRef)
	case best == ReasonExtraRows:
		return best, fmt.Sprintf("%d row(s) more than the reference's %d", nGot-nRef, nRef)
	default:
		return ReasonWrongRows, fmt.Sprintf("%d of the reference's %d rows found in the answer's %d", max(bestMatched, 0), nRef, nGot)
	}
}

func columnNames(r *readonly.Result) []string {
	names := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		names[i] = c.Name
	}
	return names
}

// scoreMapping compares the reference with the answer's columns picked by
// mapping; it returns the outcome and the number of reference rows found.
func scoreMapping(ref, got table, mapping []int, opts CompareOptions, tol float64) (Reason, int) {
	projected := make([][]cell, len(got.rows))
	for i, row := range got.rows {
		p := make([]cell, len(mapping))
		for j, k := range mapping {
			p[j] = row[k]
		}
		projected[i] = p
	}
	matched := matchRows(ref.rows, projected, tol)
	nRef, nGot := len(ref.rows), len(projected)
	switch {
	case matched == nRef && matched == nGot:
		if opts.Ordered && !sameOrder(ref.rows, projected, opts.TieColumns, tol) {
			return ReasonWrongOrder, matched
		}
		return ReasonPass, matched
	case matched == nGot:
		return ReasonMissingRows, matched
	case matched == nRef:
		return ReasonExtraRows, matched
	default:
		return ReasonWrongRows, matched
	}
}

// matchRows counts the reference rows that find a distinct equal answer
// row. Rows are bucketed by their non-numeric cells, which must be equal
// exactly, then matched greedily on their numbers.
func matchRows(ref, got [][]cell, tol float64) int {
	buckets := map[string][]int{}
	for i, row := range got {
		k := exactKey(row)
		buckets[k] = append(buckets[k], i)
	}
	used := make([]bool, len(got))
	matched := 0
	for _, row := range ref {
		for _, i := range buckets[exactKey(row)] {
			if !used[i] && rowsEqual(row, got[i], tol) {
				used[i] = true
				matched++
				break
			}
		}
	}
	return matched
}

// exactKey joins a row's non-numeric cells and marks its numeric ones.
func exactKey(row []cell) string {
	var b []byte
	for _, c := range row {
		if c.isNum {
			b = append(b, '#')
		} else {
			b = append(b, c.key...)
		}
		b = append(b, 0)
	}
	return string(b)
}

func rowsEqual(a, b []cell, tol float64) bool {
	for j := range a {
		if !a[j].equal(b[j], tol) {
			return false
		}
	}
	return true
}

// sameOrder reports whether b holds a's rows in a's order, where a run of
// rows of a that are equal on the tie columns may come in any order.
func sameOrder(a, b [][]cell, ties []int, tol float64) bool {
	for start := 0; start < len(a); {
		end := start + 1
		for len(ties) > 0 && end < len(a) && equalOn(a[start], a[end], ties, tol) {
			end++
		}
		if matchRows(a[start:end], b[start:end], tol) != end-start {
			return false
		}
		start = end
	}
	return true
}

func equalOn(x, y []cell, cols []int, tol float64) bool {
	for _, j := range cols {
		if j >= len(x) || !x[j].equal(y[j], tol) {
			return false
		}
	}
	return true
}
