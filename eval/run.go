package eval

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// Asker answers a question in a conversation: the agent.
type Asker interface {
	Run(ctx context.Context, question string, conv history.Conversation) (*agent.Answer, error)
}

// Querier runs reference SQL as the read-only role.
type Querier interface {
	Query(ctx context.Context, sql string) (*readonly.Result, error)
}

// Options configures one evaluation run.
type Options struct {
	// Label names the run in reports, usually the prompt folder.
	Label string
	// Model is the model the agent asks, for the report.
	Model string
	// Concurrency bounds the conversations asked at once (default 4).
	// The questions of one thread are always asked one after another.
	Concurrency int
	// TeamID marks the run's rows in query_history (default "eval").
	TeamID string
	// OnResult, when set, is called after each question, one call at a
	// time, with the number of questions done so far.
	OnResult func(done, total int, r Result)
	// Retriever, when set, measures the team knowledge each question's
	// prompt gets (recall@3, tokens).
	Retriever Retriever
}

// Run asks every question of the suite, runs each reference query as the
// read-only role right after the agent's answer, and scores the answers.
// Each thread is one conversation of its own, fresh for every run, so
// that earlier runs never leak into a follow-up.
func Run(ctx context.Context, suite *Suite, asker Asker, db Querier, opts Options) (*Report, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.TeamID == "" {
		opts.TeamID = "eval"
	}
	report := &Report{
		Label: opts.Label, Model: opts.Model, Source: suite.Source, StartedAt: time.Now().UTC(),
		Results: make([]Result, len(suite.Questions)),
	}
	runID := strings.ToLower(rand.Text()[:8])

	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
	)
	sem := make(chan struct{}, opts.Concurrency)
	for _, group := range suite.Threads() {
		first := suite.Questions[group[0]]
		name := first.Thread
		if name == "" {
			name = first.ID
		}
		conv := history.Conversation{TeamID: opts.TeamID, ThreadTS: "eval-" + runID + "-" + name}
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			for _, i := range group {
				if ctx.Err() != nil {
					return
				}
				r := ask(ctx, suite.Questions[i], asker, db, conv, opts.Retriever)
				mu.Lock()
				report.Results[i] = r
				done++
				if opts.OnResult != nil {
					opts.OnResult(done, len(suite.Questions), r)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluation stopped after %d of %d questions: %w", done, len(suite.Questions), err)
	}
	report.DurationMS = ms(time.Since(report.StartedAt))
	report.Summary = summarize(report.Results)
	report.Summary.Knowledge = summarizeRetrieval(report.Results)
	return report, nil
}

// ask puts one question to the agent and scores the answer against each
// reference query in turn: the first that matches passes it; otherwise it
// is scored against the reference it came closest to.
func ask(ctx context.Context, q Question, asker Asker, db Querier, conv history.Conversation, rt Retriever) Result {
	r := Result{ID: q.ID, Question: q.Question, Tags: q.Tags, Thread: q.Thread, Expect: q.Expect, Verified: q.Verified}
	retrieve(ctx, rt, q, conv, &r)
	ans, runErr := asker.Run(ctx, q.Question, conv)
	if len(q.SQL) == 0 {
		r.Reason, r.Detail = Score(q, "", ans, runErr, nil, nil)
	}
	for i, refSQL := range q.SQL {
		ref, refErr := db.Query(ctx, refSQL)
		switch {
		case refErr != nil:
			refErr = fmt.Errorf("reference SQL: %w", refErr)
		case ref.Truncated:
			refErr = fmt.Errorf("reference SQL: the result was cut at the row cap (%d rows); make the reference smaller", len(ref.Rows))
		}
		reason, detail := Score(q, refSQL, ans, runErr, ref, refErr)
		if i == 0 || reason.rank() < r.Reason.rank() || reason == ReasonReferenceError {
			r.Reason, r.Detail, r.ReferenceSQL, r.ReferenceRows = reason, detail, refSQL, 0
			if ref != nil {
				r.ReferenceRows = len(ref.Rows)
			}
		}
		if reason == ReasonPass || reason == ReasonReferenceError {
			break
		}
	}
	r.Pass = r.Reason == ReasonPass
	if ans != nil {
		r.Answer, r.SQL, r.Status = ans.Text, ans.SQL, ans.Status
		r.Turns, r.Usage, r.CostUSD, r.LatencyMS = ans.Turns, ans.Usage, ans.CostUSD, ms(ans.Latency)
		r.NoModel = ans.NoModel
		if ans.Verified != nil {
			r.FromVerified = ans.Verified.ID
		}
		if ans.Result != nil {
			r.Rows = len(ans.Result.Rows)
		}
	}
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
