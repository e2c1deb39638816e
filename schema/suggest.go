package schema

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Suggest returns up to n existing column names closest to unknown, best
// first, for an error such as `column "daus" does not exist`. A name
// qualified with a table or alias ("m.daus") is matched on its last part.
// Names too far from unknown are not suggested, so the result may be
// empty.
func (c *Catalog) Suggest(unknown string, n int) []string {
	if i := strings.LastIndex(unknown, "."); i >= 0 {
		unknown = unknown[i+1:]
	}
	want := strings.ToLower(unquote(unknown))
	if want == "" || n <= 0 {
		return nil
	}
	type candidate struct {
		name     string
		distance int
	}
	var found []candidate
	for _, name := range c.ColumnNames() {
		have := strings.ToLower(name)
		d := levenshtein(want, have)
		if d <= maxDistance(want) || len(want) >= 3 && (strings.Contains(have, want) || strings.Contains(want, have) && len(have) >= 3) {
			found = append(found, candidate{name, d})
		}
	}
	slices.SortFunc(found, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.distance, b.distance), cmp.Compare(a.name, b.name))
	})
	names := make([]string, 0, min(n, len(found)))
	for _, f := range found[:min(n, len(found))] {
		names = append(names, f.name)
	}
	return names
}

// maxDistance is how many edits still count as a typo: about one in three
// characters, and at least one.
func maxDistance(s string) int {
	return max(1, utf8.RuneCountInString(s)/3)
}

// levenshtein is the number of single-character insertions, deletions
// and substitutions that turn a into b.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
