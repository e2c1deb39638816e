package eval

import (
	"encoding/json"
	"fmt"
	"io"
)

// Flip is a question whose outcome changed between two runs.
type Flip struct {
	ID   string `json:"id"`
	From Reason `json:"from"`
	To   Reason `json:"to"`
}

// Diff is what changed from a base run to another run of the same
// questions: the accuracy and cost deltas (other minus base) and the
// questions that flipped.
type Diff struct {
	Base  string `json:"base"`
	Other string `json:"other"`
	// AccuracyDelta is in accuracy units (0.05 is five points).
	AccuracyDelta          float64 `json:"accuracy_delta"`
	LatencyMedianDeltaMS   float64 `json:"latency_median_delta_ms"`
	LatencyP95DeltaMS      float64 `json:"latency_p95_delta_ms"`
	TokensPerQuestionDelta float64 `json:"tokens_per_question_delta"`
	CostPerQuestionDelta   float64 `json:"cost_per_question_delta_usd"`
	TurnsPerQuestionDelta  float64 `json:"turns_per_question_delta"`
	// Fixed failed in the base run and pass in the other.
	Fixed []Flip `json:"fixed"`
	// Broken passed in the base run and fail in the other.
	Broken []Flip `json:"broken"`
}

// Compare diffs other against base, question by question (matched by id).
func Compare(base, other *Report) Diff {
	b, o := base.Summary, other.Summary
	d := Diff{
		Base: base.Label, Other: other.Label,
		AccuracyDelta:          o.Accuracy - b.Accuracy,
		LatencyMedianDeltaMS:   o.LatencyMedianMS - b.LatencyMedianMS,
		LatencyP95DeltaMS:      o.LatencyP95MS - b.LatencyP95MS,
		TokensPerQuestionDelta: o.TokensPerQuestion - b.TokensPerQuestion,
		CostPerQuestionDelta:   o.CostPerQuestionUSD - b.CostPerQuestionUSD,
		TurnsPerQuestionDelta:  o.TurnsPerQuestion - b.TurnsPerQuestion,
		Fixed:                  []Flip{},
		Broken:                 []Flip{},
	}
	before := make(map[string]Result, len(base.Results))
	for _, r := range base.Results {
		before[r.ID] = r
	}
	for _, r := range other.Results {
		prev, ok := before[r.ID]
		if !ok || prev.Pass == r.Pass {
			continue
		}
		f := Flip{ID: r.ID, From: prev.Reason, To: r.Reason}
		if r.Pass {
			d.Fixed = append(d.Fixed, f)
		} else {
			d.Broken = append(d.Broken, f)
		}
	}
	return d
}

// File is the JSON document of an evaluation: every run and, with more
// than one, each later run compared with the first.
type File struct {
	Runs  []*Report `json:"runs"`
	Diffs []Diff    `json:"diffs"`
}

// NewFile collects runs of the same questions.
func NewFile(runs ...*Report) File {
	f := File{Runs: runs, Diffs: []Diff{}}
	for _, r := range runs[min(1, len(runs)):] {
		f.Diffs = append(f.Diffs, Compare(runs[0], r))
	}
	return f
}

// WriteJSON writes the file as indented JSON.
func (f File) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write evaluation JSON: %w", err)
	}
	return nil
}
