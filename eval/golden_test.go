package eval_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/eval"
)

func TestParse(t *testing.T) {
	t.Parallel()
	suite, err := eval.Parse([]byte(`
questions:
  - question: How many users yesterday?
    sql: SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1
    tags: [aggregation]
  - id: first
    thread: t
    question: Revenue last week?
    sql: "SELECT 1"
  - id: solo
    question: How are we doing?
    expect: clarify
    tags: [ambiguous]
  - id: second
    thread: t
    question: And by platform?
    sql: "SELECT 2"
    tags: [follow-up]
    tolerance: 0.01
`), "inline")
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, q := range suite.Questions {
		ids = append(ids, q.ID)
	}
	if want := []string{"q01", "first", "solo", "second"}; !slices.Equal(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}
	if got, want := suite.Threads(), [][]int{{0}, {1, 3}, {2}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("threads = %v, want %v (a thread's questions in file order, one group)", got, want)
	}
	if q := suite.Questions[3]; q.Tolerance != 0.01 || q.Expect != "" {
		t.Errorf("question 4 = %+v", q)
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml, want string
	}{
		{"no questions", "questions: []", "no questions"},
		{"unknown field", "questions:\n  - question: q\n    sqll: SELECT 1", "field sqll not found"},
		{"neither sql nor expect", "questions:\n  - question: q", "needs either sql"},
		{"both sql and expect", "questions:\n  - question: q\n    sql: SELECT 1\n    expect: refuse", "has both sql and expect"},
		{"unknown expect", "questions:\n  - question: q\n    expect: guess", `expect is "guess"`},
		{"unknown tag", "questions:\n  - question: q\n    sql: SELECT 1\n    tags: [joins]", `unknown tag "joins"`},
		{"empty question", "questions:\n  - sql: SELECT 1", "question is empty"},
		{"duplicate id", "questions:\n  - {id: a, question: q, sql: SELECT 1}\n  - {id: a, question: r, sql: SELECT 2}", "question 2 (a): id is also used by question 1"},
		{"follow-up without thread", "questions:\n  - question: q\n    sql: SELECT 1\n    tags: [follow-up]", "no thread"},
		{"ambiguous with sql", "questions:\n  - question: q\n    sql: SELECT 1\n    tags: [ambiguous]", "tagged ambiguous but says nothing in expect"},
		{"bad tolerance", "questions:\n  - question: q\n    sql: SELECT 1\n    tolerance: 2", "tolerance 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := eval.Parse([]byte(tt.yaml), "inline")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to say %q", err, tt.want)
			}
		})
	}
}
