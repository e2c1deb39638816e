package eval_test

import (
	"context"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// byCount is a reference ordered by count, with two rows tied at 5.
var byCount = result([]string{"name", "n"},
	[]any{"ada", int64(9)}, []any{"bob", int64(5)}, []any{"cy", int64(5)}, []any{"dee", int64(1)})

// answered is an agent answer whose final result is res.
func answered(res *readonly.Result) *agent.Answer {
	return &agent.Answer{Status: history.StatusAnswered, Text: "done", SQL: "SELECT …", Result: res}
}

func TestRowsTiedOnTheOrderByKeysCompareAsASet(t *testing.T) {
	t.Parallel()
	swappedTie := result([]string{"name", "n"},
		[]any{"ada", int64(9)}, []any{"cy", int64(5)}, []any{"bob", int64(5)}, []any{"dee", int64(1)})
	swappedAcrossKeys := result([]string{"name", "n"},
		[]any{"ada", int64(9)}, []any{"bob", int64(5)}, []any{"dee", int64(1)}, []any{"cy", int64(5)})
	q := eval.Question{ID: "q", Question: "who did most?"}
	for _, tc := range []struct {
		name, ref string
		got       *readonly.Result
		want      eval.Reason
	}{
		{"tied rows swapped, ORDER BY a column name", "SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY n DESC", swappedTie, eval.ReasonPass},
		{"tied rows swapped, ORDER BY a position", "SELECT name, count(*) AS n FROM t GROUP BY 1 ORDER BY 2 DESC NULLS LAST LIMIT 10", swappedTie, eval.ReasonPass},
		{"tied rows swapped, qualified key", "SELECT t.name, t.n FROM t ORDER BY t.n DESC", swappedTie, eval.ReasonPass},
		{"rows of different keys swapped", "SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY n DESC", swappedAcrossKeys, eval.ReasonWrongOrder},
		{"tie broken by a second key", "SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY n DESC, name", swappedTie, eval.ReasonWrongOrder},
		{"a key that is an expression: strict order", "SELECT name, count(*) AS n FROM t GROUP BY name ORDER BY count(*) DESC", swappedTie, eval.ReasonWrongOrder},
	} {
		reason, detail := eval.Score(q, tc.ref, answered(tc.got), nil, byCount, nil)
		if reason != tc.want {
			t.Errorf("%s: %s (%s), want %s", tc.name, reason, detail, tc.want)
		}
	}
}

// fixedDB answers each reference query with a fixed result.
type fixedDB map[string]*readonly.Result

func (d fixedDB) Query(_ context.Context, sql string) (*readonly.Result, error) { return d[sql], nil }

// fixedAsker answers every question with one result.
type fixedAsker struct{ res *readonly.Result }

func (a fixedAsker) Run(context.Context, string, history.Conversation) (*agent.Answer, error) {
	return answered(a.res), nil
}

func TestAnyOfSeveralReferencesPasses(t *testing.T) {
	t.Parallel()
	suite, err := eval.Parse([]byte(`
questions:
  - id: author
    question: Who wrote the most posts?
    tags: [top-n]
    sql:
      - SELECT name FROM authors ORDER BY posts DESC LIMIT 1
      - SELECT id FROM authors ORDER BY posts DESC LIMIT 1
  - id: one
    question: Who else?
    tags: [top-n]
    sql: SELECT name FROM authors ORDER BY posts DESC LIMIT 1
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	if got := suite.Questions[0].SQL; len(got) != 2 || len(suite.Questions[1].SQL) != 1 {
		t.Fatalf("references = %q and %q, want 2 and 1", got, suite.Questions[1].SQL)
	}
	db := fixedDB{
		"SELECT name FROM authors ORDER BY posts DESC LIMIT 1": result([]string{"name"}, []any{"ada"}),
		"SELECT id FROM authors ORDER BY posts DESC LIMIT 1":   result([]string{"id"}, []any{int64(7)}),
	}
	report, err := eval.Run(context.Background(), suite, fixedAsker{result([]string{"author_id"}, []any{int64(7)})}, db, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, second := report.Results[0], report.Results[1]
	if !first.Pass || first.ReferenceSQL != "SELECT id FROM authors ORDER BY posts DESC LIMIT 1" {
		t.Errorf("an answer matching the second reference: pass=%v (%s %s) against %q", first.Pass, first.Reason, first.Detail, first.ReferenceSQL)
	}
	if second.Pass {
		t.Error("an answer matching no reference passed")
	}

	for _, bad := range []string{"sql: []", "sql: [SELECT 1, '']", "sql: {a: 1}"} {
		_, err := eval.Parse([]byte("questions:\n  - question: q?\n    tags: [aggregation]\n    "+bad+"\n"), "test")
		if err == nil {
			t.Errorf("%s: parsed, want an error", bad)
		}
	}
}
