package telemetry

import (
	"context"
	"errors"
	"fmt"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/agent"
)

// usage is one model call's token counts. in includes cachedIn, as
// OpenAI's prompt_tokens does and the GenAI conventions want.
type usage struct {
	in, cachedIn, out int
}

// usageOf reads the token counts with the agent's own reader, so the
// spans and the answer's totals can never disagree.
func usageOf(resp *llms.ContentResponse) (usage, bool) {
	u, ok := agent.UsageOf(resp)
	return usage{in: u.InputTokens, cachedIn: u.CachedInputTokens, out: u.OutputTokens}, ok
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
