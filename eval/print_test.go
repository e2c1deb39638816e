package eval

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/agent"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// report builds a run from (id, tags, reason, turns, latency ms) rows.
func report(label string, durationMS float64, rows ...Result) *Report {
	for i := range rows {
		r := &rows[i]
		r.Pass = r.Reason == ReasonPass
		r.Usage = agent.Usage{InputTokens: 1000 * r.Turns, CachedInputTokens: 400, OutputTokens: 60 * r.Turns}
		r.CostUSD = float64(r.Turns) * 0.0025
	}
	return &Report{Label: label, Model: "gpt-4.1", Source: "evals/golden.yaml", DurationMS: durationMS,
		Results: rows, Summary: summarize(rows)}
}

func reports() (base, other *Report) {
	base = report("prompts", 4210,
		Result{ID: "dau-yesterday", Tags: []string{TagAggregation, TagTimeRange}, Reason: ReasonPass, Turns: 2, LatencyMS: 1830},
		Result{ID: "top-5-countries", Tags: []string{TagTopN}, Reason: ReasonWrongOrder, Detail: "the right rows, in another order than the reference's ORDER BY", Turns: 2, LatencyMS: 2410},
		Result{ID: "arpdau-last-week", Tags: []string{TagRatio}, Reason: ReasonWrongRows, Detail: "0 of the reference's 1 rows found in the answer's 1", Turns: 3, LatencyMS: 3120},
		Result{ID: "how-are-we-doing", Tags: []string{TagAmbiguous}, Expect: ExpectClarify, Reason: ReasonPass, Turns: 1, LatencyMS: 950},
	)
	other = report("my-prompts", 3980,
		Result{ID: "dau-yesterday", Tags: []string{TagAggregation, TagTimeRange}, Reason: ReasonPass, Turns: 2, LatencyMS: 1710},
		Result{ID: "top-5-countries", Tags: []string{TagTopN}, Reason: ReasonPass, Turns: 2, LatencyMS: 2250},
		Result{ID: "arpdau-last-week", Tags: []string{TagRatio}, Reason: ReasonPass, Turns: 2, LatencyMS: 2040},
		Result{ID: "how-are-we-doing", Tags: []string{TagAmbiguous}, Expect: ExpectClarify, Reason: ReasonWrongOutcome, Detail: "ran 1 SQL statement(s) instead of asking which was meant", Turns: 2, LatencyMS: 2600},
	)
	return base, other
}

func TestPrint(t *testing.T) {
	t.Parallel()
	base, other := reports()
	for name, runs := range map[string][]*Report{
		"single.golden":       {base},
		"side_by_side.golden": {base, other},
	} {
		var b strings.Builder
		if err := Print(&b, runs...); err != nil {
			t.Fatal(err)
		}
		compareGolden(t, name, b.String())
	}
}

func TestCompareReports(t *testing.T) {
	t.Parallel()
	base, other := reports()
	d := Compare(base, other)
	if d.AccuracyDelta != 0.25 {
		t.Errorf("accuracy delta = %v, want +0.25", d.AccuracyDelta)
	}
	if len(d.Fixed) != 2 || d.Fixed[0] != (Flip{ID: "top-5-countries", From: ReasonWrongOrder, To: ReasonPass}) || d.Fixed[1].ID != "arpdau-last-week" {
		t.Errorf("fixed = %+v", d.Fixed)
	}
	if len(d.Broken) != 1 || d.Broken[0] != (Flip{ID: "how-are-we-doing", From: ReasonPass, To: ReasonWrongOutcome}) {
		t.Errorf("broken = %+v", d.Broken)
	}
}

func compareGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
