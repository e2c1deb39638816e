package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// Default token counts reported when a Response leaves Usage empty.
const (
	DefaultPromptTokens     = 100
	DefaultCompletionTokens = 20
)

// Response is what the fake OpenAI answers to one request.
type Response struct {
	// Content is the assistant's text.
	Content string
	// ToolCalls are the tools the model calls; an empty ID becomes call_<n>
	// and an empty Type becomes "function".
	ToolCalls []ToolCall
	// FinishReason defaults to "tool_calls" when ToolCalls is set, else "stop".
	FinishReason string
	// Usage defaults to DefaultPromptTokens and DefaultCompletionTokens.
	Usage Usage
	// Status, when not 0 or 200, answers with that HTTP status and an
	// OpenAI error body instead of a completion.
	Status int
	// ErrorMessage is the error body's message when Status is set.
	ErrorMessage string
	// RetryAfter sets the Retry-After header.
	RetryAfter string
	// Delay is waited before answering; it ends early if the client gives up.
	Delay time.Duration
}

// Usage is the token usage reported with a completion.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	CachedTokens     int
}

// Reply is a plain text answer.
func Reply(text string) Response {
	return Response{Content: text}
}

// CallTool builds a tool call whose arguments are args marshalled to JSON;
// a string or json.RawMessage is used as the arguments text unchanged. It
// panics if args cannot be marshalled, which is a mistake in the test.
func CallTool(name string, args any) ToolCall {
	var text string
	switch a := args.(type) {
	case string:
		text = a
	case json.RawMessage:
		text = string(a)
	case nil:
		text = "{}"
	default:
		b, err := json.Marshal(a)
		if err != nil {
			panic(fmt.Sprintf("fake openai: marshal arguments of %s: %v", name, err))
		}
		text = string(b)
	}
	return ToolCall{Type: "function", Function: FunctionCall{Name: name, Arguments: text}}
}

// CallTools is an answer that calls the given tools (in parallel).
func CallTools(calls ...ToolCall) Response {
	return Response{ToolCalls: calls}
}

// Error is an answer with the given HTTP status and an OpenAI error body.
func Error(status int) Response {
	return Response{Status: status}
}

// RateLimited is a 429 answer with the given Retry-After header.
func RateLimited(retryAfter string) Response {
	return Response{Status: http.StatusTooManyRequests, RetryAfter: retryAfter}
}

func (r Response) isError() bool {
	return r.Status != 0 && r.Status != http.StatusOK
}

func (r Response) finishReason() string {
	switch {
	case r.FinishReason != "":
		return r.FinishReason
	case len(r.ToolCalls) > 0:
		return "tool_calls"
	default:
		return "stop"
	}
}

func (u Usage) withDefaults() Usage {
	if u == (Usage{}) {
		return Usage{PromptTokens: DefaultPromptTokens, CompletionTokens: DefaultCompletionTokens}
	}
	return u
}

// usageJSON is the wire form of Usage.
type usageJSON struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
}

func (u Usage) wire() usageJSON {
	u = u.withDefaults()
	w := usageJSON{
		PromptTokens:     u.PromptTokens,
		CompletionTokens: u.CompletionTokens,
		TotalTokens:      u.PromptTokens + u.CompletionTokens,
	}
	w.PromptTokensDetails.CachedTokens = u.CachedTokens
	return w
}

type completionJSON struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	Choices           []choiceJSON `json:"choices"`
	Usage             *usageJSON   `json:"usage,omitempty"`
	SystemFingerprint string       `json:"system_fingerprint"`
}

type choiceJSON struct {
	Index        int              `json:"index"`
	Message      *assistantJSON   `json:"message,omitempty"`
	Delta        *deltaJSON       `json:"delta,omitempty"`
	FinishReason *string          `json:"finish_reason"`
	Logprobs     *json.RawMessage `json:"logprobs"`
}

type assistantJSON struct {
	Role      string     `json:"role"`
	Content   *string    `json:"content"`
	ToolCalls []ToolCall `json:"tool_calls,omitempty"`
}

// completion renders a non-streamed chat.completion body.
func (r Response) completion(id, model string) completionJSON {
	msg := &assistantJSON{Role: "assistant", ToolCalls: r.ToolCalls}
	if r.Content != "" || len(r.ToolCalls) == 0 {
		msg.Content = &r.Content
	}
	reason := r.finishReason()
	usage := r.Usage.wire()
	return completionJSON{
		ID:                id,
		Object:            "chat.completion",
		Created:           time.Now().Unix(),
		Model:             model,
		Choices:           []choiceJSON{{Message: msg, FinishReason: &reason}},
		Usage:             &usage,
		SystemFingerprint: "fp_fake",
	}
}

// writeOpenAIError answers with an OpenAI-style error body.
func writeOpenAIError(w http.ResponseWriter, status int, message, retryAfter string) {
	errType, code := "server_error", ""
	switch {
	case status == http.StatusTooManyRequests:
		errType, code = "requests", "rate_limit_exceeded"
	case status == http.StatusUnauthorized:
		errType, code = "invalid_request_error", "invalid_api_key"
	case status >= 400 && status < 500:
		errType = "invalid_request_error"
	}
	if message == "" {
		message = fmt.Sprintf("fake openai: HTTP %d", status)
	}
	body := map[string]any{"error": map[string]any{
		"message": message, "type": errType, "param": nil, "code": nilIfEmpty(code),
	}}
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	writeJSON(w, status, body)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// writeJSON writes v as a JSON body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
