package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// deltaJSON is the delta of one streamed chunk.
type deltaJSON struct {
	Role      string          `json:"role,omitempty"`
	Content   *string         `json:"content,omitempty"`
	ToolCalls []toolDeltaJSON `json:"tool_calls,omitempty"`
}

// toolDeltaJSON is one piece of a streamed tool call: the first piece of a
// call carries its id, type and name, the later ones only argument text.
type toolDeltaJSON struct {
	Index    int               `json:"index"`
	ID       string            `json:"id,omitempty"`
	Type     string            `json:"type,omitempty"`
	Function functionDeltaJSON `json:"function"`
}

type functionDeltaJSON struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

// streamChunkJSON is one chat.completion.chunk; only the usage chunk, sent
// last when the client asked for it, carries Usage.
type streamChunkJSON struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint"`
	Choices           []choiceJSON `json:"choices"`
	Usage             *usageJSON   `json:"usage,omitempty"`
}

// writeStream answers with server-sent chat.completion.chunk events the way
// OpenAI does: a role chunk, content pieces, tool-call pieces, a finish
// chunk, an optional usage chunk and [DONE].
func writeStream(w http.ResponseWriter, resp Response, id, model string, includeUsage bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	created := time.Now().Unix()
	send := func(choices []choiceJSON, usage *usageJSON) {
		b, err := json.Marshal(streamChunkJSON{
			ID: id, Object: "chat.completion.chunk", Created: created, Model: model,
			SystemFingerprint: "fp_fake", Choices: choices, Usage: usage,
		})
		if err != nil {
			return
		}
		fmt.Fprintf(w, "data: %s\n\n", b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	delta := func(d deltaJSON) []choiceJSON {
		return []choiceJSON{{Delta: &d}}
	}

	empty := ""
	send(delta(deltaJSON{Role: "assistant", Content: &empty}), nil)
	for _, piece := range splitWords(resp.Content) {
		send(delta(deltaJSON{Content: &piece}), nil)
	}
	for i, call := range resp.ToolCalls {
		send(delta(deltaJSON{ToolCalls: []toolDeltaJSON{{
			Index: i, ID: call.ID, Type: call.Type,
			Function: functionDeltaJSON{Name: call.Function.Name},
		}}}), nil)
		for _, piece := range splitHalves(call.Function.Arguments) {
			send(delta(deltaJSON{ToolCalls: []toolDeltaJSON{{
				Index: i, Function: functionDeltaJSON{Arguments: piece},
			}}}), nil)
		}
	}
	reason := resp.finishReason()
	send([]choiceJSON{{Delta: &deltaJSON{}, FinishReason: &reason}}, nil)
	if includeUsage {
		usage := resp.Usage.wire()
		send([]choiceJSON{}, &usage)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}

// splitWords cuts s after each space, so the pieces join back to s.
func splitWords(s string) []string {
	if s == "" {
		return nil
	}
	return strings.SplitAfter(s, " ")
}

// splitHalves cuts s in two pieces (on a rune boundary) so that clients
// must join streamed argument text.
func splitHalves(s string) []string {
	switch len(s) {
	case 0:
		return nil // an empty, typeless piece would read as a new call
	case 1:
		return []string{s}
	}
	runes := []rune(s)
	mid := len(runes) / 2
	return []string{string(runes[:mid]), string(runes[mid:])}
}
