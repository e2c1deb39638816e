package knowledge_test

import (
	"slices"
	"testing"

	"github.com/analytics-bot/analytics-bot/eval"
	"github.com/analytics-bot/analytics-bot/evals"
)

// TestGoldenRecall measures retrieval on the golden questions marked with
// the verified query that should help them, as eval does, without a
// model: recall@3 and the tokens the knowledge adds.
//
//	go test -run TestGoldenRecall -v ./knowledge/
func TestGoldenRecall(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.builtin(t)
	suite, err := eval.Parse(evals.Golden, "built-in")
	if err != nil {
		t.Fatal(err)
	}
	marked, hits, tokens, asked := 0, 0, 0, 0
	for _, q := range suite.Questions {
		r, err := f.store.Search(t.Context(), q.Question, eval.RecallAt)
		if err != nil {
			t.Fatal(err)
		}
		p := r.Render(600)
		tokens += p.Tokens
		asked++
		if q.Verified == "" {
			continue
		}
		marked++
		var ids []string
		for _, m := range p.Verified {
			ids = append(ids, m.ID)
		}
		if slices.Contains(ids, q.Verified) {
			hits++
		} else {
			t.Errorf("%s: retrieved %v, want %s among them", q.ID, ids, q.Verified)
		}
	}
	if marked < 8 {
		t.Errorf("%d golden questions are marked with a verified query, want at least 8", marked)
	}
	t.Logf("recall@3 %d/%d (%.0f%%) on the golden questions; knowledge adds %.0f tokens per question on average (%d questions)",
		hits, marked, 100*float64(hits)/float64(marked), float64(tokens)/float64(asked), asked)
}
