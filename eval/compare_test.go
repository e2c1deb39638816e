package eval_test

import (
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// result builds a readonly.Result from column names and rows.
func result(cols []string, rows ...[]any) *readonly.Result {
	r := &readonly.Result{Rows: rows}
	for _, c := range cols {
		r.Columns = append(r.Columns, readonly.Column{Name: c})
	}
	return r
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCompareResults(t *testing.T) {
	t.Parallel()
	byPlatform := result([]string{"platform", "revenue"},
		[]any{"ios", 8198.44}, []any{"android", 4021.66}, []any{"web", 932.75})

	tests := []struct {
		name    string
		ref     *readonly.Result
		got     *readonly.Result
		opts    eval.CompareOptions
		want    eval.Reason
		wantMsg string
	}{
		{name: "identical", ref: byPlatform, got: byPlatform, want: eval.ReasonPass},
		{
			name: "rows in another order when the reference is unordered",
			ref:  byPlatform,
			got: result([]string{"platform", "revenue"},
				[]any{"web", 932.75}, []any{"ios", 8198.44}, []any{"android", 4021.66}),
			want: eval.ReasonPass,
		},
		{
			name: "rows in another order when the reference is ordered",
			ref:  byPlatform,
			got: result([]string{"platform", "revenue"},
				[]any{"web", 932.75}, []any{"ios", 8198.44}, []any{"android", 4021.66}),
			opts: eval.CompareOptions{Ordered: true},
			want: eval.ReasonWrongOrder,
		},
		{
			name: "renamed and reordered columns",
			ref:  byPlatform,
			got: result([]string{"total_usd", "os"},
				[]any{932.75, "web"}, []any{8198.44, "ios"}, []any{4021.66, "android"}),
			want: eval.ReasonPass,
		},
		{
			name: "extra columns once every reference column is matched",
			ref:  byPlatform,
			got: result([]string{"platform", "dau", "revenue", "share"},
				[]any{"ios", int64(69448), 8198.44, 0.62}, []any{"android", int64(122281), 4021.66, 0.3},
				[]any{"web", int64(40000), 932.75, 0.08}),
			opts: eval.CompareOptions{Ordered: true},
			want: eval.ReasonPass,
		},
		{
			name: "a reference column without a match",
			ref:  byPlatform,
			got: result([]string{"platform", "revenue"},
				[]any{"ios", 8198.44}, []any{"android", 4021.66}, []any{"web", 999.99}),
			want:    eval.ReasonWrongRows,
			wantMsg: `no column of the answer has the values of reference column "revenue"`,
		},
		{
			name:    "missing a column",
			ref:     byPlatform,
			got:     result([]string{"platform"}, []any{"ios"}, []any{"android"}, []any{"web"}),
			want:    eval.ReasonWrongRows,
			wantMsg: `no column of the answer has the values of reference column "revenue"`,
		},
		{
			name:    "missing rows",
			ref:     byPlatform,
			got:     result([]string{"platform", "revenue"}, []any{"ios", 8198.44}, []any{"web", 932.75}),
			want:    eval.ReasonMissingRows,
			wantMsg: "1 of the reference's 3 rows missing",
		},
		{
			name: "extra rows",
			ref:  byPlatform,
			got: result([]string{"platform", "revenue"},
				[]any{"ios", 8198.44}, []any{"android", 4021.66}, []any{"web", 932.75}, []any{"tv", 1.0}),
			want:    eval.ReasonExtraRows,
			wantMsg: "1 row(s) more than the reference's 3",
		},
		{
			name: "values paired differently across rows",
			ref:  byPlatform,
			got: result([]string{"platform", "revenue"},
				[]any{"ios", 4021.66}, []any{"android", 8198.44}, []any{"web", 932.75}),
			want:    eval.ReasonWrongRows,
			wantMsg: "1 of the reference's 3 rows found in the answer's 3",
		},
		{
			name: "numbers within the default tolerance; int, float and numeric alike",
			ref:  result([]string{"n", "avg"}, []any{int64(225714), 64258.857142857143}),
			got:  result([]string{"n", "avg"}, []any{225714.0, 64258.8571428571}),
			want: eval.ReasonPass,
		},
		{
			name: "numbers outside the default tolerance",
			ref:  result([]string{"avg"}, []any{64258.857142857143}),
			got:  result([]string{"avg"}, []any{int64(64259)}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "numbers within the question's tolerance",
			ref:  result([]string{"avg"}, []any{64258.857142857143}),
			got:  result([]string{"avg"}, []any{int64(64259)}),
			opts: eval.CompareOptions{Tolerance: 1e-4},
			want: eval.ReasonPass,
		},
		{
			name: "zero and a tiny float are equal",
			ref:  result([]string{"x"}, []any{int64(0)}),
			got:  result([]string{"x"}, []any{1e-12}),
			want: eval.ReasonPass,
		},
		{
			name: "dates as dates: date, timestamp at midnight, text",
			ref:  result([]string{"week", "n"}, []any{day("2026-11-16"), int64(1)}, []any{day("2026-11-23"), int64(2)}),
			got: result([]string{"week_start", "n"},
				[]any{time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC), int64(1)}, []any{"2026-11-23", int64(2)}),
			want: eval.ReasonPass,
		},
		{
			name: "a timestamp during the day is not the date",
			ref:  result([]string{"day"}, []any{day("2026-11-16")}),
			got:  result([]string{"day"}, []any{time.Date(2026, 11, 16, 9, 0, 0, 0, time.UTC)}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "a number is not its text",
			ref:  result([]string{"x"}, []any{int64(5)}),
			got:  result([]string{"x"}, []any{"5"}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "NULL matches only NULL",
			ref:  result([]string{"x"}, []any{nil}),
			got:  result([]string{"x"}, []any{int64(0)}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "duplicates count as a multiset",
			ref:  result([]string{"x"}, []any{int64(1)}, []any{int64(1)}, []any{int64(2)}),
			got:  result([]string{"x"}, []any{int64(1)}, []any{int64(2)}, []any{int64(2)}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "a duplicate row more is an extra row",
			ref:  result([]string{"x"}, []any{int64(1)}, []any{int64(2)}),
			got:  result([]string{"x"}, []any{int64(1)}, []any{int64(1)}, []any{int64(2)}),
			want: eval.ReasonExtraRows,
		},
		{
			name: "two reference columns with the same values need two answer columns",
			ref:  result([]string{"a", "b"}, []any{int64(1), int64(1)}),
			got:  result([]string{"a"}, []any{int64(1)}),
			want: eval.ReasonWrongRows,
		},
		{
			name: "interchangeable columns: the mapping that gives the right order wins",
			ref:  result([]string{"a", "b"}, []any{int64(1), int64(2)}, []any{int64(3), int64(4)}),
			got: result([]string{"x", "y", "z"},
				[]any{int64(1), int64(1), int64(2)}, []any{int64(3), int64(3), int64(4)}),
			opts: eval.CompareOptions{Ordered: true},
			want: eval.ReasonPass,
		},
		{
			name: "both empty",
			ref:  result([]string{"x"}),
			got:  result([]string{"y"}),
			want: eval.ReasonPass,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, msg := eval.CompareResults(tt.ref, tt.got, tt.opts)
			if got != tt.want {
				t.Errorf("reason = %q (%s), want %q", got, msg, tt.want)
			}
			if tt.wantMsg != "" && msg != tt.wantMsg {
				t.Errorf("detail = %q, want %q", msg, tt.wantMsg)
			}
		})
	}
}
