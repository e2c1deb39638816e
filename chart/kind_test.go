package chart

import (
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

func TestChoose(t *testing.T) {
	t.Parallel()
	hour := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	withNils := daily(30, "dau")
	for i := range withNils.Rows {
		if i%3 == 0 {
			withNils.Rows[i][1] = nil
		}
	}
	allNilButOne := daily(5, "dau")
	for i := 1; i < len(allNilButOne.Rows); i++ {
		allNilButOne.Rows[i][1] = nil
	}

	tests := []struct {
		name string
		res  *readonly.Result
		hint string
		want Kind
	}{
		{"nil result", nil, "", None},
		{"no rows", result([]string{"day", "date", "dau", "int8"}), "", None},
		{"daily series", daily(30, "dau"), "", Line},
		{"daily series, several columns", daily(30, "dau", "wau", "mau"), "auto", Line},
		{"daily series with nil values", withNils, "", Line},
		{"long format by platform", long(30, "ios", "android", "web"), "", Line},
		{"long format, 8 platforms", long(10, "a", "b", "c", "d", "e", "f", "g", "h"), "", Line},
		{"long format, 9 platforms is too many lines", long(10, "a", "b", "c", "d", "e", "f", "g", "h", "i"), "", None},
		{"9 numeric columns are too many lines", daily(10, "a", "b", "c", "d", "e", "f", "g", "h", "i"), "", None},
		{"hourly timestamps", result([]string{"hour", "timestamptz", "events", "int8"},
			[]any{hour(0), int64(5)}, []any{hour(1), int64(7)}, []any{hour(2), int64(6)}), "", Line},
		{"months as text", result([]string{"month", "text", "revenue", "numeric"},
			[]any{"2025-01", 10.5}, []any{"2025-02", 12.0}, []any{"2025-03", 9.0}), "", Line},
		{"a single day cannot make a line", daily(1, "dau"), "", None},
		{"one day with a value cannot make a line", allNilButOne, "", None},
		{"category bar", categories(12), "", Bar},
		{"25 categories", categories(25), "", Bar},
		{"26 categories are too many", categories(26), "", None},
		{"a single category", categories(1), "", None},
		{"numeric values as strings", result([]string{"plan", "varchar", "mrr", "numeric"},
			[]any{"pro", "1200.50"}, []any{"team", "800.00"}), "", Bar},
		{"enum category", result([]string{"platform", "platform_kind", "users", "int4"},
			[]any{"ios", int64(3)}, []any{"web", int64(5)}), "", Bar},
		{"single value", result([]string{"count", "int8"}, []any{int64(42)}), "", None},
		{"text only", result([]string{"name", "text", "email", "text"},
			[]any{"Ann", "ann@example.com"}, []any{"Bob", "bob@example.com"}), "", None},
		{"identifiers are not values", result([]string{"name", "text", "user_id", "int8"},
			[]any{"Ann", int64(1)}, []any{"Bob", int64(2)}), "", None},
		{"two numeric columns without a date", result([]string{"hour", "int4", "events", "int8"},
			[]any{int64(1), int64(5)}, []any{int64(2), int64(7)}), "", None},
		{"an extra boolean column", result([]string{"day", "date", "dau", "int8", "weekend", "bool"},
			[]any{start, int64(1), false}, []any{start.AddDate(0, 0, 1), int64(2), false}), "", None},
		{"two category columns", result([]string{"country", "text", "platform", "text", "users", "int8"},
			[]any{"DE", "ios", int64(1)}, []any{"FR", "web", int64(2)}), "", None},

		{"hint none wins over a line", daily(30, "dau"), "none", None},
		{"hint none wins over bars", categories(5), "none", None},
		{"hint line on a line", daily(30, "dau"), "line", Line},
		{"hint bar on a short daily series", daily(7, "signups"), "bar", Bar},
		{"hint bar, upper case and spaces", daily(7, "signups"), " BAR ", Bar},
		{"impossible hint bar on a long series", daily(365, "dau"), "bar", Line},
		{"impossible hint bar on several columns", daily(7, "dau", "wau"), "bar", Line},
		{"impossible hint line on categories", categories(12), "line", Bar},
		{"impossible hint bar on text only", result([]string{"name", "text"}, []any{"Ann"}, []any{"Bob"}), "bar", None},
		{"unknown hint falls back to auto", categories(12), "pie", Bar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Choose(tt.res, tt.hint); got != tt.want {
				t.Errorf("Choose(%s, %q) = %q, want %q", tt.name, tt.hint, got, tt.want)
			}
		})
	}
}
