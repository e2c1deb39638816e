// Package agent answers a question with a tool-calling loop over a
// langchaingo model: the model chooses the steps, the tools do them, and
// every question is recorded in query_history with its usage and cost.
package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/knowledge"
	"github.com/analytics-bot/analytics-bot/prompts"
	"github.com/analytics-bot/analytics-bot/schema"
	"github.com/analytics-bot/analytics-bot/tools"
)

// Catalog gives the schema summary for a question's system prompt.
type Catalog interface {
	Summary(ctx context.Context, question string) (*schema.Summary, error)
}

// Memory reads a conversation's earlier questions.
type Memory interface {
	Recent(ctx context.Context, c history.Conversation, limit int) ([]history.Entry, error)
}

// Recorder writes a question's row of query_history.
type Recorder interface {
	Record(ctx context.Context, e history.Entry) (int64, error)
}

// ToolFactory returns the tools for one question of a conversation.
type ToolFactory func(conv history.Conversation) []tools.Tool

// Options configures an Agent.
type Options struct {
	Model     llms.Model
	ModelName string
	// Temperature is set explicitly on every call (the client's default
	// would otherwise apply).
	Temperature float64
	// MaxTurns is the turn budget: model calls per question (default 8).
	MaxTurns int
	// MaxTokens is the token budget: input plus output tokens per
	// question (default 120,000).
	MaxTokens int
	// ToolConcurrency bounds parallel tool calls of one turn (default 4).
	ToolConcurrency int
	// MaxToolCallsPerTurn caps the tool calls run from one model turn
	// (MAX_TOOL_CALLS_PER_TURN, default 16); the rest are answered to the
	// model as refused.
	MaxToolCallsPerTurn int
	// MemoryTurns is how many earlier questions of the thread enter the
	// messages (default 5).
	MemoryTurns int
	Prompts     *prompts.Set
	Catalog     Catalog
	// Knowledge gives verified queries and glossary terms; nil runs
	// without team knowledge.
	Knowledge Knowledge
	// KnowledgeBudget caps the tokens retrieved knowledge adds to the
	// prompt (default knowledge.DefaultBudget).
	KnowledgeBudget int
	// KnowledgeResults is how many verified queries are retrieved per
	// question (default 3).
	KnowledgeResults int
	Tools            ToolFactory
	Memory           Memory
	Recorder         Recorder
	Prices           Prices
	BotName          string
	// DataRole is the PostgreSQL role this agent's SQL runs as, recorded
	// with every question; NamedRole also names it on the answer (a data
	// role of the access file rather than the default read-only role).
	DataRole  string
	NamedRole bool
	Now       func() time.Time
	Logger    *slog.Logger
}

// Agent answers questions.
type Agent struct {
	opts Options
}

// New checks the options and fills in defaults. Without a Model the agent
// answers only the questions a verified query answers exactly.
func New(opts Options) (*Agent, error) {
	switch {
	case opts.ModelName == "":
		return nil, errors.New("agent: a model name is required")
	case opts.Prompts == nil:
		return nil, errors.New("agent: prompts are required")
	case opts.Catalog == nil:
		return nil, errors.New("agent: a schema catalog is required")
	case opts.Tools == nil:
		return nil, errors.New("agent: a tool factory is required")
	}
	if opts.MaxTurns <= 0 {
		opts.MaxTurns = 8
	}
	if opts.MaxTokens <= 0 {
		opts.MaxTokens = 120_000
	}
	if opts.ToolConcurrency <= 0 {
		opts.ToolConcurrency = 4
	}
	if opts.MaxToolCallsPerTurn <= 0 {
		opts.MaxToolCallsPerTurn = 16
	}
	if opts.MemoryTurns <= 0 {
		opts.MemoryTurns = 5
	}
	if opts.KnowledgeBudget <= 0 {
		opts.KnowledgeBudget = knowledge.DefaultBudget
	}
	if opts.KnowledgeResults <= 0 {
		opts.KnowledgeResults = 3
	}
	if opts.Prices == nil {
		opts.Prices = DefaultPrices()
	}
	if opts.BotName == "" {
		opts.BotName = "analytics-bot"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Agent{opts: opts}, nil
}

// ModelName is the model the agent asks.
func (a *Agent) ModelName() string { return a.opts.ModelName }

// Run answers a question in a conversation. It always returns an Answer
// and records it in query_history; the error is non-nil when the question
// failed, and the Answer then says what went wrong.
func (a *Agent) Run(ctx context.Context, question string, conv history.Conversation) (*Answer, error) {
	start := time.Now()
	ans := &Answer{Model: a.opts.ModelName}
	if a.opts.NamedRole {
		ans.DataRole = a.opts.DataRole
	}
	var err error
	if strings.TrimSpace(question) == "" {
		err = ErrEmptyQuestion
	} else {
		err = a.answer(ctx, question, conv, ans)
	}
	ans.Latency = time.Since(start)
	ans.CostUSD = a.opts.Prices.Cost(a.opts.ModelName, ans.Usage)
	if err != nil {
		ans.Status = history.StatusFailed
		ans.Error = err.Error()
	}
	if ans.Status == "" {
		ans.Status = history.StatusAnswered
	}
	if ctx.Err() != nil {
		// Stopped from outside (shutdown, job timeout): the work is retried
		// and recorded then, so a follow-up never sees it twice.
		return ans, err
	}
	if recErr := a.record(ctx, question, conv, ans); recErr != nil {
		a.opts.Logger.ErrorContext(ctx, "could not record the question", slog.Any("error", recErr))
	}
	return ans, err
}

// answer answers from a verified query when the question is one exactly,
// else asks the model; either way it notes a verified query behind the
// answer's SQL.
func (a *Agent) answer(ctx context.Context, question string, conv history.Conversation, ans *Answer) error {
	earlier, err := a.earlier(ctx, conv)
	if err != nil {
		return err
	}
	if done, err := a.exact(ctx, question, conv, earlier, ans); done || err != nil {
		return err
	}
	if a.opts.Model == nil {
		ans.Model = ""
		return ErrNoModel
	}
	if err := a.loop(ctx, question, conv, earlier, ans); err != nil {
		return err
	}
	a.badge(ctx, ans)
	return nil
}

// earlier reads the thread's earlier questions, oldest first.
func (a *Agent) earlier(ctx context.Context, conv history.Conversation) ([]history.Entry, error) {
	if a.opts.Memory == nil {
		return nil, nil
	}
	earlier, err := a.opts.Memory.Recent(ctx, conv, a.opts.MemoryTurns)
	if err != nil {
		return nil, fmt.Errorf("read the thread's earlier questions: %w", err)
	}
	return earlier, nil
}

func verifiedID(ans *Answer) string {
	if ans.Verified == nil {
		return ""
	}
	return ans.Verified.ID
}

func (a *Agent) record(ctx context.Context, question string, conv history.Conversation, ans *Answer) error {
	if a.opts.Recorder == nil {
		return nil
	}
	rowCount := 0
	if ans.Result != nil {
		rowCount = len(ans.Result.Rows)
	}
	id, err := a.opts.Recorder.Record(context.WithoutCancel(ctx), history.Entry{
		Conversation: conv, Question: question, SQL: ans.SQL, RowCount: rowCount, Answer: ans.Text,
		Model: ans.Model, TokensIn: ans.Usage.InputTokens, TokensCached: ans.Usage.CachedInputTokens,
		TokensOut: ans.Usage.OutputTokens, CostUSD: ans.CostUSD, Latency: ans.Latency, Turns: ans.Turns,
		Status: ans.Status, Error: ans.Error, DataRole: a.opts.DataRole, VerifiedID: verifiedID(ans),
	})
	ans.HistoryID = id
	if err != nil {
		return fmt.Errorf("record question: %w", err)
	}
	return nil
}
