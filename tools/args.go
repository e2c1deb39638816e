package tools

import (
	"encoding/json"
	"fmt"
	"strings"
)

// decodeArgs reads a tool's JSON arguments; empty arguments are an empty
// object. A decoding problem is reported to the model as text.
func decodeArgs(raw json.RawMessage, v any) *Output {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		out := Failure(fmt.Sprintf("the arguments are not valid JSON for this tool: %v", err))
		return &out
	}
	return nil
}

// Failure is a tool result that tells the model what went wrong.
func Failure(text string) Output {
	return Output{Text: "ERROR: " + text, IsError: true, Summary: firstLine(text)}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 160 {
		s = s[:160] + "…"
	}
	return s
}
