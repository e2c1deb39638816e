package agent

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/llm"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// Usage counts a question's tokens across all model turns.
type Usage struct {
	InputTokens       int `json:"input_tokens"`
	CachedInputTokens int `json:"cached_input_tokens"`
	OutputTokens      int `json:"output_tokens"`
}

// Total is input plus output tokens.
func (u Usage) Total() int { return u.InputTokens + u.OutputTokens }

func (u *Usage) add(o Usage) {
	u.InputTokens += o.InputTokens
	u.CachedInputTokens += o.CachedInputTokens
	u.OutputTokens += o.OutputTokens
}

// ToolCall records one tool call the model made.
type ToolCall struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Arguments string        `json:"arguments"`
	Summary   string        `json:"summary"`
	IsError   bool          `json:"is_error"`
	Duration  time.Duration `json:"duration"`
}

// MarshalJSON writes the duration as duration_ms (milliseconds), the unit
// every duration in the bot's JSON carries.
func (c ToolCall) MarshalJSON() ([]byte, error) {
	type plain ToolCall
	return json.Marshal(struct {
		plain
		Duration   *struct{} `json:"duration,omitempty"` // hides plain's nanoseconds
		DurationMS float64   `json:"duration_ms"`
	}{plain: plain(c), DurationMS: float64(c.Duration.Microseconds()) / 1000})
}

// Answer is the outcome of one question.
type Answer struct {
	// Text is the answer in Slack mrkdwn.
	Text string `json:"answer"`
	// SQL is the last statement run_readonly_sql ran successfully.
	SQL string `json:"sql,omitempty"`
	// Result is that statement's structured result.
	Result *readonly.Result `json:"result,omitempty"`
	// Chart is the chart the model asked for with that statement.
	Chart     string         `json:"chart,omitempty"`
	ToolCalls []ToolCall     `json:"tool_calls"`
	Turns     int            `json:"turns"`
	Usage     Usage          `json:"usage"`
	CostUSD   float64        `json:"cost_usd"`
	Latency   time.Duration  `json:"latency"`
	Model     string         `json:"model"`
	Status    history.Status `json:"status"`
	// Error says what went wrong when Status is failed or partial.
	Error string `json:"error,omitempty"`
	// HistoryID is the query_history row written for the question.
	HistoryID int64 `json:"history_id,omitempty"`
	// Verified names the verified query the answer's SQL is, if any.
	Verified *VerifiedRef `json:"verified,omitempty"`
	// NoModel is true when the answer came from a verified query with no
	// model call.
	NoModel bool `json:"no_model,omitempty"`
	// DataRole names the data role the SQL ran as when it is not the
	// default read-only role (ACCESS_FILE), so that readers know whose
	// view of the data they see.
	DataRole string `json:"data_role,omitempty"`
}

// Errors Run returns; the Slack layer turns them into plain sentences.
var (
	// ErrModelUnavailable means the model could not be reached or kept failing.
	ErrModelUnavailable = errors.New("the language model is unavailable")
	// ErrEmptyQuestion means there was nothing to answer.
	ErrEmptyQuestion = errors.New("the question is empty")
)

// FailureReason is the short, safe sentence a person sees for a failed
// question; the details stay in the logs (see FailureDetail). It says what
// happened and asks for a retry only when a retry can help.
func FailureReason(err error) string {
	var mErr *llm.Error
	switch {
	case errors.As(err, &mErr):
		switch mErr.Kind() {
		case llm.KindAuth:
			return "the language model rejected the bot's API key; an administrator needs to fix the bot's settings, so retrying will not help"
		case llm.KindNotFound:
			return "the language model server does not know the configured model; an administrator needs to fix the bot's settings, so retrying will not help"
		case llm.KindUnreachable:
			return "the language model server could not be reached at its configured address; an administrator needs to fix the bot's settings"
		case llm.KindRejected:
			return "the language model refused the request; an administrator should look at the bot's log"
		}
		if mErr.Status != 0 {
			return "the language model is busy or failing; please try again in a minute"
		}
		return "the language model did not answer in time; please try again in a minute"
	case errors.Is(err, ErrModelUnavailable):
		return "the language model could not be reached or kept failing; please try again in a minute"
	case errors.Is(err, ErrNoModel):
		return "no language model is configured (OPENAI_API_KEY is not set), so I can only answer the team's verified questions asked exactly as written"
	case errors.Is(err, ErrEmptyQuestion):
		return "the question is empty; ask me something about the data"
	default:
		return "something went wrong on my side while answering"
	}
}

// FailureDetail is the operator's account of a failed question: for a model
// failure the status, the server's message, the base URL, the model and
// what to do; otherwise the error itself. It goes to logs and the terminal,
// never to Slack.
func FailureDetail(err error) string {
	var mErr *llm.Error
	if errors.As(err, &mErr) {
		return mErr.Error() + "; " + mErr.Advice()
	}
	return err.Error()
}
