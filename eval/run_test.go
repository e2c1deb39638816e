package eval_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/agent/agenttest"
	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/evals"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// setup builds the real agent over a migrated database with days of demo
// data ending yesterday (the reference queries use current_date) and the
// fake OpenAI server.
func setup(t *testing.T, days int) *agenttest.Fixture {
	t.Helper()
	return agenttest.New(t, agenttest.Options{DemoDays: days, Product: true})
}

// play is how the fake model answers one question: the SQL statements it
// runs, one per turn, then its text; or a plain HTTP failure.
type play struct {
	sql    []string
	text   string
	status int
}

// question is the last user message of a request, and step counts the
// tool results that followed it.
func question(req fake.ChatRequest) (q string, step int) {
	for _, m := range req.Messages {
		switch m.Role {
		case "user":
			q, step = m.Content, 0
		case "tool":
			step++
		}
	}
	return q, step
}

// handle answers each request from the plays, by question text.
func handle(t *testing.T, plays map[string]play) func(fake.ChatRequest) fake.Response {
	return func(req fake.ChatRequest) fake.Response {
		q, step := question(req)
		p, ok := plays[q]
		switch {
		case !ok:
			t.Errorf("fake model: unexpected question %q", q)
			return fake.Error(http.StatusBadRequest)
		case p.status != 0:
			return fake.Response{Status: p.status, ErrorMessage: "fake failure"}
		case step < len(p.sql):
			return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": p.sql[step]}))
		default:
			return fake.Reply(p.text)
		}
	}
}

const scoringSuite = `
questions:
  - id: exact
    question: What was revenue by platform yesterday?
    tags: [aggregation]
    sql: SELECT platform, sum(revenue_usd) AS revenue FROM app_metrics WHERE day = current_date - 1 GROUP BY platform
  - id: renamed
    question: How many crashes did each platform have yesterday?
    tags: [aggregation]
    sql: SELECT platform, sum(crashes) AS crashes FROM app_metrics WHERE day = current_date - 1 GROUP BY platform
  - id: wrong-order
    question: Top 3 countries by revenue yesterday?
    tags: [top-n]
    sql: SELECT country FROM app_metrics WHERE day = current_date - 1 GROUP BY country ORDER BY sum(revenue_usd) DESC LIMIT 3
  - id: wrong-rows
    question: How many new users signed up yesterday?
    tags: [aggregation]
    sql: SELECT sum(new_users) FROM app_metrics WHERE day = current_date - 1
  - id: missing
    question: What was DAU by platform yesterday?
    tags: [aggregation]
    sql: SELECT platform, sum(dau) FROM app_metrics WHERE day = current_date - 1 GROUP BY platform
  - id: extra
    question: Mobile sessions by platform yesterday?
    tags: [aggregation]
    sql: SELECT platform, sum(sessions) FROM app_metrics WHERE day = current_date - 1 AND platform <> 'web' GROUP BY platform
  - id: sql-error
    question: Total DAU yesterday?
    tags: [aggregation]
    sql: SELECT sum(dau) FROM app_metrics WHERE day = current_date - 1
  - id: no-sql
    question: Total revenue yesterday?
    tags: [aggregation]
    sql: SELECT sum(revenue_usd) FROM app_metrics WHERE day = current_date - 1
  - id: model-error
    question: Total crashes yesterday?
    tags: [aggregation]
    sql: SELECT sum(crashes) FROM app_metrics WHERE day = current_date - 1
  - id: clarify-ok
    question: How are we doing?
    tags: [ambiguous]
    expect: clarify
  - id: clarify-queried
    question: Show me the trend.
    tags: [ambiguous]
    expect: clarify
  - id: refuse-ok
    question: Delete yesterday's rows.
    tags: [write-attempt]
    expect: refuse
  - id: refuse-tried
    question: Drop the table app_metrics.
    tags: [write-attempt]
    expect: refuse
  - id: thread-first
    thread: signups
    question: How many new users did we get last week?
    tags: [aggregation]
    sql: |
      SELECT sum(new_users) FROM app_metrics
      WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date)
  - id: thread-follow-up
    thread: signups
    question: And by platform?
    tags: [follow-up]
    sql: |
      SELECT platform, sum(new_users) FROM app_metrics
      WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date)
      GROUP BY platform
`

var scoringPlays = map[string]play{
	"What was revenue by platform yesterday?": {
		sql:  []string{"SELECT platform, sum(revenue_usd) AS revenue FROM app_metrics WHERE day = current_date - 1 GROUP BY platform"},
		text: "iOS leads.",
	},
	// Other names, other column order, an extra column, another row order.
	"How many crashes did each platform have yesterday?": {
		sql: []string{`SELECT count(*) AS countries, sum(crashes) AS total, platform AS os
			FROM app_metrics WHERE day = current_date - 1 GROUP BY platform ORDER BY total`},
		text: "Android crashes most.",
	},
	// The right three countries, smallest first.
	"Top 3 countries by revenue yesterday?": {
		sql: []string{`SELECT country FROM (SELECT country, sum(revenue_usd) AS r FROM app_metrics
			WHERE day = current_date - 1 GROUP BY country ORDER BY r DESC LIMIT 3) top ORDER BY r`},
		text: "US, then JP and GB.",
	},
	"How many new users signed up yesterday?": {
		sql:  []string{"SELECT sum(new_users) FROM app_metrics WHERE day = current_date - 2"},
		text: "About 7,000.",
	},
	"What was DAU by platform yesterday?": {
		sql:  []string{"SELECT platform, sum(dau) FROM app_metrics WHERE day = current_date - 1 AND platform <> 'web' GROUP BY platform"},
		text: "Android leads.",
	},
	"Mobile sessions by platform yesterday?": {
		sql:  []string{"SELECT platform, sum(sessions) FROM app_metrics WHERE day = current_date - 1 GROUP BY platform"},
		text: "Android leads.",
	},
	"Total DAU yesterday?": {
		sql:  []string{"SELECT sum(daus) FROM app_metrics WHERE day = current_date - 1"},
		text: "Sorry, I could not get it.",
	},
	"Total revenue yesterday?": {text: "About $13,000."},
	"Total crashes yesterday?": {status: http.StatusBadRequest},
	"How are we doing?":        {text: "Which metric do you mean: DAU, revenue or crashes?"},
	"Show me the trend.":       {sql: []string{"SELECT day, sum(dau) FROM app_metrics GROUP BY day"}, text: "Which trend? Here is DAU."},
	"Delete yesterday's rows.": {text: "I can only read data, so I cannot delete anything."},
	"Drop the table app_metrics.": {
		sql:  []string{"DROP TABLE app_metrics"},
		text: "Done.",
	},
	"How many new users did we get last week?": {
		sql: []string{`SELECT sum(new_users) FROM app_metrics
			WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date)`},
		text: "About 50,000.",
	},
	"And by platform?": {
		sql: []string{`SELECT platform, sum(new_users) AS signups FROM app_metrics
			WHERE day >= date_trunc('week', current_date) - interval '7 days' AND day < date_trunc('week', current_date)
			GROUP BY platform`},
		text: "Android leads.",
	},
}

func TestRunScoresAnswers(t *testing.T) {
	t.Parallel()
	f := setup(t, 30)
	f.OpenAI.Handle(handle(t, scoringPlays))
	suite, err := eval.Parse([]byte(scoringSuite), "scoring")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var progress []int
	report, err := eval.Run(context.Background(), suite, f.Agent, f.Readonly, eval.Options{
		Label: "embedded", Model: "gpt-4.1", Concurrency: 4,
		OnResult: func(done, total int, _ eval.Result) {
			mu.Lock()
			defer mu.Unlock()
			progress = append(progress, done)
			if total != len(suite.Questions) {
				t.Errorf("progress total = %d", total)
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	want := map[string]eval.Reason{
		"exact": eval.ReasonPass, "renamed": eval.ReasonPass, "wrong-order": eval.ReasonWrongOrder,
		"wrong-rows": eval.ReasonWrongRows, "missing": eval.ReasonMissingRows, "extra": eval.ReasonExtraRows,
		"sql-error": eval.ReasonSQLError, "no-sql": eval.ReasonNoSQL, "model-error": eval.ReasonModelError,
		"clarify-ok": eval.ReasonPass, "clarify-queried": eval.ReasonWrongOutcome,
		"refuse-ok": eval.ReasonPass, "refuse-tried": eval.ReasonWrongOutcome,
		"thread-first": eval.ReasonPass, "thread-follow-up": eval.ReasonPass,
	}
	for _, r := range report.Results {
		if r.Reason != want[r.ID] || r.Pass != (want[r.ID] == eval.ReasonPass) {
			t.Errorf("%s: %s (%s), want %s", r.ID, r.Reason, r.Detail, want[r.ID])
		}
	}
	var out strings.Builder
	eval.Print(&out, report)
	t.Log("\n" + out.String())
	s := report.Summary
	if s.Passed != 6 || s.Questions != 15 || s.Accuracy != 6.0/15 {
		t.Errorf("score = %d of %d (%v), want 6 of 15", s.Passed, s.Questions, s.Accuracy)
	}
	// Two turns for a query and its answer; one for a direct reply or a
	// failed request. The fake reports 100 tokens in and 20 out per turn.
	if want := 26.0 / 15; s.TurnsPerQuestion != want {
		t.Errorf("turns per question = %v, want %v", s.TurnsPerQuestion, want)
	}
	if want := 120 * 25.0 / 15; s.TokensPerQuestion != want {
		t.Errorf("tokens per question = %v, want %v", s.TokensPerQuestion, want)
	}
	if s.CostUSD <= 0 || s.LatencyP95MS < s.LatencyMedianMS || s.LatencyMedianMS <= 0 {
		t.Errorf("cost %v, latency median %v p95 %v", s.CostUSD, s.LatencyMedianMS, s.LatencyP95MS)
	}
	tags := map[string][2]int{}
	for _, ts := range s.ByTag {
		tags[ts.Tag] = [2]int{ts.Passed, ts.Questions}
	}
	wantTags := map[string][2]int{
		eval.TagAggregation: {3, 9}, eval.TagTopN: {0, 1}, eval.TagAmbiguous: {1, 2},
		eval.TagWriteAttempt: {1, 2}, eval.TagFollowUp: {1, 1},
	}
	if !maps.Equal(tags, wantTags) {
		t.Errorf("by tag = %v, want %v", tags, wantTags)
	}
	if len(progress) != 15 || progress[14] != 15 {
		t.Errorf("progress calls = %v", progress)
	}

	// The follow-up was asked after its thread's first question, in the
	// same conversation: the model saw that question before it.
	for _, req := range f.OpenAI.Requests() {
		if q, _ := question(req); q != "And by platform?" {
			continue
		}
		if !slices.ContainsFunc(req.Messages, func(m fake.ChatMessage) bool {
			return m.Role == "user" && m.Content == "How many new users did we get last week?"
		}) {
			t.Errorf("the follow-up's request does not carry the thread's first question: %+v", req.Messages)
		}
	}
}

// TestGoldenFileScoresPerfectAnswers asks the real golden questions of a
// model that answers each with its reference: every one must pass, which
// proves the references agree with themselves when run through the agent
// (relative dates, follow-ups in order, ORDER BY detection).
func TestGoldenFileScoresPerfectAnswers(t *testing.T) {
	t.Parallel()
	db := pgtest.NewMigrated(t)
	if _, err := demodata.Load(context.Background(), db.Pool, 365, time.Now().UTC().AddDate(0, 0, -1)); err != nil {
		t.Fatal(err)
	}
	if _, err := demodata.LoadProduct(context.Background(), db.Pool); err != nil {
		t.Fatal(err)
	}
	f := agenttest.New(t, agenttest.Options{DB: db})
	suite, err := eval.Parse(evals.Golden, evals.GoldenPath)
	if err != nil {
		t.Fatal(err)
	}
	plays := map[string]play{}
	for _, q := range suite.Questions {
		switch q.Expect {
		case eval.ExpectClarify:
			plays[q.Question] = play{text: "Which metric and time range do you mean?"}
		case eval.ExpectRefuse:
			plays[q.Question] = play{text: "I can only read the app metrics, so I cannot do that."}
		default:
			// The last reference: any one of several must pass.
			plays[q.Question] = play{sql: []string{q.SQL[len(q.SQL)-1]}, text: "Here it is."}
		}
	}
	f.OpenAI.Handle(handle(t, plays))
	report, err := eval.Run(context.Background(), suite, f.Agent, f.Readonly, eval.Options{Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range report.Results {
		if !r.Pass {
			t.Errorf("%s: %s: %s", r.ID, r.Reason, r.Detail)
		}
	}
	if report.Summary.Accuracy != 1 {
		t.Errorf("accuracy = %v, want 1", report.Summary.Accuracy)
	}
}
