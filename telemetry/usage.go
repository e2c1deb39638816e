package telemetry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tmc/langchaingo/llms"
)

// GenerationInfo keys set by langchaingo v0.1.14's OpenAI client
// (llms/openai/openaillm.go).
const (
	infoPromptTokens       = "PromptTokens"
	infoCompletionTokens   = "CompletionTokens"
	infoPromptCachedTokens = "PromptCachedTokens"
)

// usage is one model call's token counts. in includes cachedIn, as
// OpenAI's prompt_tokens does and the GenAI conventions want.
type usage struct {
	in, cachedIn, out int
}

// usageOf reads the token counts from the first choice that has them.
// The OpenAI client copies the response-wide usage into every choice, so
// summing over choices would count it once per choice.
func usageOf(resp *llms.ContentResponse) (usage, bool) {
	if resp == nil {
		return usage{}, false
	}
	for _, c := range resp.Choices {
		if c == nil || c.GenerationInfo == nil {
			continue
		}
		in, okIn := intOf(c.GenerationInfo[infoPromptTokens])
		out, okOut := intOf(c.GenerationInfo[infoCompletionTokens])
		if !okIn && !okOut {
			continue
		}
		cached, _ := intOf(c.GenerationInfo[infoPromptCachedTokens])
		return usage{in: in, cachedIn: cached, out: out}, true
	}
	return usage{}, false
}

// generationInfo returns the first choice's value for key, or nil.
func generationInfo(resp *llms.ContentResponse, key string) any {
	if resp == nil {
		return nil
	}
	for _, c := range resp.Choices {
		if c != nil && c.GenerationInfo != nil {
			if v, ok := c.GenerationInfo[key]; ok {
				return v
			}
		}
	}
	return nil
}

// finishReasons lists each choice's stop reason ("stop", "tool_calls", …).
func finishReasons(resp *llms.ContentResponse) []string {
	if resp == nil {
		return nil
	}
	reasons := make([]string, 0, len(resp.Choices))
	for _, c := range resp.Choices {
		if c != nil && c.StopReason != "" {
			reasons = append(reasons, c.StopReason)
		}
	}
	return reasons
}

// intOf accepts the numeric types a GenerationInfo value may have (int
// from the OpenAI client, float64 or json.Number after a JSON round trip).
func intOf(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	default:
		return 0, false
	}
}

// errorType is a low-cardinality name for err, for error.type.
func errorType(err error) string {
	var llmErr *llms.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &llmErr):
		return string(llmErr.Code)
	}
	switch t := fmt.Sprintf("%T", err); t {
	case "*errors.errorString", "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError":
		return "_OTHER"
	default:
		return t
	}
}
