package agent

import (
	"encoding/json"

	"github.com/tmc/langchaingo/llms"
)

// GenerationInfo keys set by langchaingo v0.1.14's OpenAI client
// (llms/openai/openaillm.go).
const (
	infoPromptTokens       = "PromptTokens"
	infoCompletionTokens   = "CompletionTokens"
	infoPromptCachedTokens = "PromptCachedTokens"
)

// UsageOf reads one model call's token counts from the first choice that
// has them. The OpenAI client copies the response-wide usage into every
// choice, so summing over choices would count it once per choice. ok is
// false when the response carries no usage.
func UsageOf(resp *llms.ContentResponse) (u Usage, ok bool) {
	if resp == nil {
		return Usage{}, false
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
		return Usage{InputTokens: in, CachedInputTokens: cached, OutputTokens: out}, true
	}
	return Usage{}, false
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
