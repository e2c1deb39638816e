package eval

import (
	"context"
	"slices"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
)

// Retriever shows the team knowledge a question gets in its prompt;
// *agent.Agent is one.
type Retriever interface {
	Knowledge(ctx context.Context, question string, conv history.Conversation) (knowledge.Prompt, error)
}

// RecallAt is how many retrieved verified queries count for recall.
const RecallAt = 3

// Retrieval sums up the team knowledge of a run.
type Retrieval struct {
	// Marked counts the questions marked with the verified query that
	// should help them; Hits those where it was among the first RecallAt
	// retrieved into the prompt.
	Marked int `json:"marked"`
	Hits   int `json:"hits"`
	// Recall is Hits / Marked (recall@3), 0 when nothing is marked.
	Recall float64 `json:"recall_at_3"`
	// TokensPerQuestion is the average size of the knowledge part of the
	// prompt.
	TokensPerQuestion float64 `json:"tokens_per_question"`
	// VerifiedAnswers counts answers whose SQL was a verified query;
	// NoModelAnswers those answered from one with no model call.
	VerifiedAnswers int `json:"verified_answers"`
	NoModelAnswers  int `json:"no_model_answers"`
}

// retrieve records, before the question is asked (a follow-up's thread
// must not yet hold it), what knowledge it gets.
func retrieve(ctx context.Context, rt Retriever, q Question, conv history.Conversation, r *Result) {
	if rt == nil {
		return
	}
	kp, err := rt.Knowledge(ctx, q.Question, conv)
	if err != nil {
		return
	}
	r.KnowledgeTokens = kp.Tokens
	r.Retrieved = []string{}
	for _, m := range kp.Verified {
		r.Retrieved = append(r.Retrieved, m.ID)
	}
	if q.Verified != "" {
		top := r.Retrieved[:min(len(r.Retrieved), RecallAt)]
		hit := slices.Contains(top, q.Verified)
		r.RetrievalHit = &hit
	}
}

// summarizeRetrieval is nil for a run without knowledge measured.
func summarizeRetrieval(results []Result) *Retrieval {
	var s Retrieval
	measured, tokens := 0, 0
	for _, r := range results {
		if r.FromVerified != "" {
			s.VerifiedAnswers++
		}
		if r.NoModel {
			s.NoModelAnswers++
		}
		if r.Retrieved == nil {
			continue
		}
		measured++
		tokens += r.KnowledgeTokens
		if r.RetrievalHit != nil {
			s.Marked++
			if *r.RetrievalHit {
				s.Hits++
			}
		}
	}
	if measured == 0 {
		return nil
	}
	s.TokensPerQuestion = float64(tokens) / float64(measured)
	if s.Marked > 0 {
		s.Recall = float64(s.Hits) / float64(s.Marked)
	}
	return &s
}
