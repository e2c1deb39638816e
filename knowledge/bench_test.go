package knowledge_test

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// BenchmarkSearch measures retrieval with 2,000 verified queries and 500
// glossary terms (plus the demo set) and prints p50 and p99 per question
// and the tokens the rendered part adds.
//
//	go test -run '^$' -bench Search -benchtime 400x ./knowledge/
func BenchmarkSearch(b *testing.B) {
	f := setup(b)
	if _, err := f.store.Sync(b.Context(), synthetic(2000, 500)); err != nil {
		b.Fatal(err)
	}
	questions := []string{
		"what was DAU by platform last week?",
		"how much money did each platform bring in last week?",
		"refunds per campaign last month for group 417",
		"churn by cohort this quarter",
		"which countries made the most revenue in the last 30 days?",
		"what is metric 42 and kpi number 7 for the last 90 days?",
		"how many signups did we get yesterday on android?",
		"crash rate by device year to date",
	}
	durations := make([]time.Duration, 0, b.N)
	tokens := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		r, err := f.store.Search(b.Context(), questions[i%len(questions)], 3)
		durations = append(durations, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		tokens += r.Render(600).Tokens
	}
	b.StopTimer()
	slices.Sort(durations)
	p := func(q float64) float64 {
		return float64(durations[min(len(durations)-1, int(q*float64(len(durations))))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.50), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
	b.ReportMetric(float64(tokens)/float64(len(durations)), "tokens/question")
	fmt.Printf("knowledge search, 2,000 verified + 500 terms: p50 %.2f ms, p99 %.2f ms over %d questions\n", p(0.50), p(0.99), len(durations))
}
