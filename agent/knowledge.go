package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/tools"
)

// Knowledge is the team's verified queries and glossary;
// *knowledge.Store is one.
type Knowledge interface {
	Exact(ctx context.Context, question string) (*knowledge.Verified, error)
	BySQL(ctx context.Context, sql string) (*knowledge.Verified, error)
	Search(ctx context.Context, text string, k int) (knowledge.Retrieval, error)
}

// VerifiedRef names the verified query an answer's SQL is.
type VerifiedRef struct {
	ID string `json:"id"`
	// Label is its description, else its question.
	Label string `json:"label"`
	// Exact is true when the question matched the verified question
	// exactly and was answered with no model call.
	Exact bool `json:"exact"`
}

// ErrNoModel means no language model is configured and the question is
// not one a verified query answers exactly.
var ErrNoModel = errors.New("no language model is configured")

// retrievalTurns is how many earlier questions of a thread count for
// retrieval in a follow-up.
const retrievalTurns = 2

// KnowledgePrompt retrieves the knowledge for a question (in a follow-up,
// with the thread's latest earlier questions) and renders it within the
// knowledge budget. It is empty when the agent has no knowledge.
func (a *Agent) KnowledgePrompt(ctx context.Context, question string, earlier []history.Entry) (knowledge.Prompt, error) {
	if a.opts.Knowledge == nil {
		return knowledge.Prompt{}, nil
	}
	text := question
	for i := len(earlier) - 1; i >= 0 && i >= len(earlier)-retrievalTurns; i-- {
		text += "\n" + earlier[i].Question
	}
	r, err := a.opts.Knowledge.Search(ctx, text, a.opts.KnowledgeResults)
	if err != nil {
		return knowledge.Prompt{}, fmt.Errorf("retrieve knowledge: %w", err)
	}
	return r.Render(a.opts.KnowledgeBudget), nil
}

// exact answers a question that matches a verified query's question or
// paraphrase exactly, by running its SQL as the conversation's read-only
// role: no model call, no cost. It reports false when the question is not
// such a match.
func (a *Agent) exact(ctx context.Context, question string, conv history.Conversation, earlier []history.Entry, ans *Answer) (bool, error) {
	if a.opts.Knowledge == nil || len(earlier) > 0 {
		return false, nil // follow-ups depend on the thread: the model reads it
	}
	v, err := a.opts.Knowledge.Exact(ctx, question)
	if err != nil {
		a.opts.Logger.WarnContext(ctx, "verified query lookup failed", "error", err)
		return false, nil // the model can still answer
	}
	if v == nil {
		return false, nil
	}
	ans.Model = ""
	ans.NoModel = true
	ans.Verified = &VerifiedRef{ID: v.ID, Label: v.Label(), Exact: true}
	var run tools.Tool
	for _, t := range a.opts.Tools(conv) {
		if t.Name() == "run_readonly_sql" {
			run = t
		}
	}
	if run == nil {
		return true, errors.New("answer a verified query: no run_readonly_sql tool")
	}
	args, _ := json.Marshal(map[string]string{"sql": v.SQL})
	out, err := run.Call(ctx, args)
	if err != nil {
		return true, fmt.Errorf("run verified query %s: %w", v.ID, err)
	}
	if out.IsError || out.Result == nil {
		// The data changed under the query: say so plainly.
		ans.Status = history.StatusFailed
		ans.Error = fmt.Sprintf("verified query %s failed: %s", v.ID, out.Text)
		ans.Text = fmt.Sprintf("The verified query for this question (%s) no longer runs; ask a curator to fix it.", v.ID)
		return true, nil
	}
	ans.SQL, ans.Result, ans.Chart = out.Result.SQL, out.Result, out.Chart
	ans.Text = verifiedSentence(v, out.Result)
	return true, nil
}

// verifiedSentence is the templated answer of an exact match: the value
// itself for a single value, else what the table below shows.
func verifiedSentence(v *knowledge.Verified, res *readonly.Result) string {
	label := strings.TrimSpace(v.Label())
	switch {
	case len(res.Rows) == 1 && len(res.Columns) == 1:
		return fmt.Sprintf("*%s*: %s", label, res.Display(0, 0))
	case len(res.Rows) == 0:
		return fmt.Sprintf("*%s*: the query returned no rows.", label)
	}
	rows := "rows"
	if len(res.Rows) == 1 {
		rows = "row"
	}
	return fmt.Sprintf("*%s*: %d %s, below.", label, len(res.Rows), rows)
}

// badge marks an answer whose final SQL is a verified query.
func (a *Agent) badge(ctx context.Context, ans *Answer) {
	if a.opts.Knowledge == nil || ans.SQL == "" || ans.Verified != nil {
		return
	}
	v, err := a.opts.Knowledge.BySQL(ctx, ans.SQL)
	if err != nil {
		a.opts.Logger.WarnContext(ctx, "verified query lookup failed", "error", err)
		return
	}
	if v != nil {
		ans.Verified = &VerifiedRef{ID: v.ID, Label: v.Label()}
	}
}

// Knowledge is the knowledge a question would get in its prompt, for
// measuring retrieval (eval) without building the whole prompt.
func (a *Agent) Knowledge(ctx context.Context, question string, conv history.Conversation) (knowledge.Prompt, error) {
	earlier, err := a.earlier(ctx, conv)
	if err != nil {
		return knowledge.Prompt{}, err
	}
	return a.KnowledgePrompt(ctx, question, earlier)
}
