package slackmsg

import (
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/readonly"
)

// The table shows PostgreSQL's text of every value (as package readonly
// reads it): digits are never rounded away, times keep their fractions
// and no invented zone, intervals keep PostgreSQL's spelling, and SQL
// NULL differs from the text NULL.
func TestTableShowsExactValues(t *testing.T) {
	t.Parallel()
	res := &readonly.Result{
		Columns: []readonly.Column{{Name: "n", Type: "numeric"}, {Name: "r", Type: "float4"}, {Name: "at", Type: "timestamp"},
			{Name: "took", Type: "interval"}, {Name: "note", Type: "text"}},
		Rows: [][]any{
			{9007199254740992.0, 4.7, nil, "4 years 1 mon 17 days", "NULL"},
			{0.125, 1e300, nil, "00:00:01.5", nil},
		},
		Texts: [][]string{
			{"9007199254740993", "4.7", "", "4 years 1 mon 17 days", "NULL"},
			{"0.125", "1e+300", "", "00:00:01.5", ""},
		},
	}
	res.Rows[0][2], res.Texts[0][2] = day("2026-03-01"), "2026-03-01 08:00:00.123456"
	res.Rows[1][2], res.Texts[1][2] = day("2026-03-02"), "2026-03-02 00:00:00"
	got := string(blocksJSON(t, Answer(answered("Two rows.", res), 1)))
	for _, want := range []string{`"9,007,199,254,740,993"`, `"4.7"`, `"0.125"`, `"1e+300"`, `"2026-03-01 08:00:00.123456"`,
		`"2026-03-02 00:00:00"`, `"4 years 1 mon 17 days"`, `"00:00:01.5"`, `"NULL"`, `"—"`} {
		if !strings.Contains(got, want) {
			t.Errorf("the table lacks %s:\n%s", want, got)
		}
	}
}
