package eval

import (
	"math"
	"slices"
	"time"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
)

// Result is the outcome of one golden question.
type Result struct {
	ID           string   `json:"id"`
	Question     string   `json:"question"`
	Tags         []string `json:"tags"`
	Thread       string   `json:"thread,omitempty"`
	Expect       Expect   `json:"expect,omitempty"`
	ReferenceSQL string   `json:"reference_sql,omitempty"`
	// ReferenceRows is the number of rows the reference query returned.
	ReferenceRows int `json:"reference_rows"`

	Pass   bool   `json:"pass"`
	Reason Reason `json:"reason"`
	// Detail says what differed, for a failure.
	Detail string `json:"detail,omitempty"`

	// Answer, SQL and Rows are the agent's answer, final SQL and its row count.
	Answer    string         `json:"answer"`
	SQL       string         `json:"sql,omitempty"`
	Rows      int            `json:"rows"`
	Status    history.Status `json:"status"`
	Turns     int            `json:"turns"`
	Usage     agent.Usage    `json:"tokens"`
	CostUSD   float64        `json:"cost_usd"`
	LatencyMS float64        `json:"latency_ms"`

	// Verified is the question's mark: the verified query that should
	// help it. Retrieved lists the verified queries its prompt got, and
	// RetrievalHit whether the marked one was among the first three.
	Verified        string   `json:"verified,omitempty"`
	Retrieved       []string `json:"retrieved,omitempty"`
	RetrievalHit    *bool    `json:"retrieval_hit,omitempty"`
	KnowledgeTokens int      `json:"knowledge_tokens"`
	// FromVerified is the verified query the answer's SQL was; NoModel
	// says it was answered from it with no model call.
	FromVerified string `json:"from_verified,omitempty"`
	NoModel      bool   `json:"no_model,omitempty"`
}

// Latency is the time the agent took.
func (r Result) Latency() time.Duration { return fromMS(r.LatencyMS) }

// Report is one run of the golden questions against one prompt folder and
// model.
type Report struct {
	// Label names the run: the prompt folder, or "embedded".
	Label      string    `json:"label"`
	Model      string    `json:"model"`
	Source     string    `json:"source"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
	Results    []Result  `json:"results"`
	Summary    Summary   `json:"summary"`
}

// Summary aggregates a run.
type Summary struct {
	Questions int `json:"questions"`
	Passed    int `json:"passed"`
	// Accuracy is the share of questions passed, 0 to 1.
	Accuracy float64    `json:"accuracy"`
	ByTag    []TagScore `json:"by_tag"`
	// Failures counts the failed questions by reason.
	Failures map[Reason]int `json:"failures"`

	LatencyMedianMS         float64 `json:"latency_median_ms"`
	LatencyP95MS            float64 `json:"latency_p95_ms"`
	TurnsPerQuestion        float64 `json:"turns_per_question"`
	TokensPerQuestion       float64 `json:"tokens_per_question"`
	InputTokensPerQuestion  float64 `json:"input_tokens_per_question"`
	OutputTokensPerQuestion float64 `json:"output_tokens_per_question"`
	CostPerQuestionUSD      float64 `json:"cost_per_question_usd"`
	CostUSD                 float64 `json:"cost_usd"`
	// Knowledge is the retrieval recall and the tokens knowledge adds;
	// nil for a run without knowledge.
	Knowledge *Retrieval `json:"knowledge,omitempty"`
}

// LatencyMedian is the median latency of a question.
func (s Summary) LatencyMedian() time.Duration { return fromMS(s.LatencyMedianMS) }

// LatencyP95 is the 95th percentile latency of a question.
func (s Summary) LatencyP95() time.Duration { return fromMS(s.LatencyP95MS) }

// TagScore is the accuracy of the questions with one tag.
type TagScore struct {
	Tag       string  `json:"tag"`
	Questions int     `json:"questions"`
	Passed    int     `json:"passed"`
	Accuracy  float64 `json:"accuracy"`
}

func summarize(results []Result) Summary {
	s := Summary{Questions: len(results), Failures: map[Reason]int{}}
	if len(results) == 0 {
		return s
	}
	latencies := make([]float64, 0, len(results))
	var turns, in, out int
	for _, r := range results {
		if r.Pass {
			s.Passed++
		} else {
			s.Failures[r.Reason]++
		}
		latencies = append(latencies, r.LatencyMS)
		turns += r.Turns
		in += r.Usage.InputTokens
		out += r.Usage.OutputTokens
		s.CostUSD += r.CostUSD
	}
	n := float64(len(results))
	s.Accuracy = float64(s.Passed) / n
	s.TurnsPerQuestion = float64(turns) / n
	s.InputTokensPerQuestion = float64(in) / n
	s.OutputTokensPerQuestion = float64(out) / n
	s.TokensPerQuestion = float64(in+out) / n
	s.CostPerQuestionUSD = s.CostUSD / n
	slices.Sort(latencies)
	s.LatencyMedianMS = median(latencies)
	s.LatencyP95MS = percentile(latencies, 0.95)

	for _, tag := range Tags {
		ts := TagScore{Tag: tag}
		for _, r := range results {
			if slices.Contains(r.Tags, tag) {
				ts.Questions++
				if r.Pass {
					ts.Passed++
				}
			}
		}
		if ts.Questions > 0 {
			ts.Accuracy = float64(ts.Passed) / float64(ts.Questions)
			s.ByTag = append(s.ByTag, ts)
		}
	}
	return s
}

// median of sorted values.
func median(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}

// percentile of sorted values by the nearest-rank method.
func percentile(sorted []float64, p float64) float64 {
	rank := int(math.Ceil(p * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

func fromMS(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }
