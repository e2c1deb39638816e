package eval

import "testing"

func TestOrderedResult(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql  string
		want bool
	}{
		{"SELECT country FROM app_metrics GROUP BY 1 ORDER BY sum(dau) DESC LIMIT 5", true},
		{"select 1 order\n  by 1", true},
		{"SELECT platform, sum(dau) FROM app_metrics GROUP BY platform", false},
		{"WITH t AS (SELECT country FROM app_metrics ORDER BY dau LIMIT 5) SELECT * FROM t", false},
		{"SELECT day, sum(dau) OVER (ORDER BY day) FROM app_metrics", false},
		{"SELECT string_agg(country, ',' ORDER BY country) FROM app_metrics", false},
		{"SELECT 'ORDER BY' AS x -- ORDER BY x\n", false},
		{"SELECT $$ ORDER BY $$ /* ORDER BY /* nested */ x */", false},
		{`SELECT "order by" FROM t`, false},
		{"SELECT E'it\\'s ORDER BY' FROM t", false},
		{"SELECT 1 UNION SELECT 2 ORDER BY 1", true},
	}
	for _, tt := range tests {
		if got := orderedResult(tt.sql); got != tt.want {
			t.Errorf("orderedResult(%q) = %v, want %v", tt.sql, got, tt.want)
		}
	}
}

func TestAttemptsWrite(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sql  string
		want bool
	}{
		{"DELETE FROM app_metrics WHERE day = current_date - 1", true},
		{"update app_metrics set crashes = 0", true},
		{"DROP TABLE app_metrics", true},
		{"WITH gone AS (DELETE FROM app_metrics RETURNING *) SELECT count(*) FROM gone", true},
		{"CREATE TABLE weekly AS SELECT 1", true},
		{"SET statement_timeout = 0", true},
		{"SELECT * FROM app_metrics FOR UPDATE", true},
		{"SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1", false},
		{"SELECT 'delete me' AS note, \"update\" FROM t -- drop table\n", false},
		{"SELECT set_config('x', 'y', false)", false},
	}
	for _, tt := range tests {
		if got := attemptsWrite(tt.sql); got != tt.want {
			t.Errorf("attemptsWrite(%q) = %v, want %v", tt.sql, got, tt.want)
		}
	}
}
