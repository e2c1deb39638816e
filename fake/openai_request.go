package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// ChatRequest is one Chat Completions request as the fake OpenAI received it.
type ChatRequest struct {
	Model               string          `json:"model"`
	Temperature         *float64        `json:"temperature,omitempty"`
	MaxTokens           int             `json:"max_tokens,omitempty"`
	MaxCompletionTokens int             `json:"max_completion_tokens,omitempty"`
	Stream              bool            `json:"stream,omitempty"`
	StreamOptions       *StreamOptions  `json:"stream_options,omitempty"`
	Messages            []ChatMessage   `json:"messages"`
	Tools               []Tool          `json:"tools,omitempty"`
	ToolChoice          any             `json:"tool_choice,omitempty"`
	ResponseFormat      json.RawMessage `json:"response_format,omitempty"`

	// Header is the request's HTTP header (Authorization included).
	Header http.Header `json:"-"`
	// Body is the raw request body.
	Body []byte `json:"-"`
}

// StreamOptions is the stream_options object of a streamed request.
type StreamOptions struct {
	IncludeUsage bool `json:"include_usage,omitempty"`
}

// ChatMessage is one chat message of a request.
type ChatMessage struct {
	Role string `json:"role"`
	// Content is the message text; array-of-parts content has its text
	// parts joined with "\n" (other parts, such as images, are dropped).
	Content    string     `json:"content"`
	ToolCalls  []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID string     `json:"tool_call_id,omitempty"`
	Name       string     `json:"name,omitempty"`
}

// ToolCall is a call of a tool, in an assistant message or in a Response.
type ToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function FunctionCall `json:"function"`
}

// FunctionCall names the function a ToolCall calls and its JSON arguments.
type FunctionCall struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// Tool is a tool offered to the model in a request.
type Tool struct {
	Type     string             `json:"type"`
	Function FunctionDefinition `json:"function"`
}

// FunctionDefinition describes an offered function and its JSON schema.
type FunctionDefinition struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
}

// UnmarshalJSON accepts content as a string, null, or an array of parts.
func (m *ChatMessage) UnmarshalJSON(data []byte) error {
	type plain ChatMessage
	var aux struct {
		plain
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	*m = ChatMessage(aux.plain)
	text, err := decodeContent(aux.Content)
	if err != nil {
		return err
	}
	m.Content = text
	return nil
}

func decodeContent(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("decode message content: %w", err)
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), nil
}

// LastUserMessage returns the content of the last message with role user.
func (r ChatRequest) LastUserMessage() string {
	for _, m := range slices.Backward(r.Messages) {
		if m.Role == "user" {
			return m.Content
		}
	}
	return ""
}

// SystemPrompt returns the contents of the system (or developer) messages.
func (r ChatRequest) SystemPrompt() string {
	var parts []string
	for _, m := range r.Messages {
		if m.Role == "system" || m.Role == "developer" {
			parts = append(parts, m.Content)
		}
	}
	return strings.Join(parts, "\n")
}

// ToolResults returns the tool messages that follow the last assistant
// message: the results the model is now being asked to act on.
func (r ChatRequest) ToolResults() []ChatMessage {
	var out []ChatMessage
	for _, m := range slices.Backward(r.Messages) {
		if m.Role != "tool" {
			break
		}
		out = append(out, m)
	}
	slices.Reverse(out)
	return out
}

// ToolNames returns the names of the offered tools, in request order.
func (r ChatRequest) ToolNames() []string {
	names := make([]string, 0, len(r.Tools))
	for _, t := range r.Tools {
		names = append(names, t.Function.Name)
	}
	return names
}

func (r ChatRequest) clone() ChatRequest {
	c := r
	c.Messages = slices.Clone(r.Messages)
	for i := range c.Messages {
		c.Messages[i].ToolCalls = slices.Clone(c.Messages[i].ToolCalls)
	}
	c.Tools = slices.Clone(r.Tools)
	c.Header = r.Header.Clone()
	c.Body = slices.Clone(r.Body)
	return c
}
