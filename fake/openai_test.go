package fake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/analytics-bot/analytics-bot/fake"
)

func setupOpenAI(t *testing.T) (*fake.OpenAI, *openai.LLM) {
	t.Helper()
	o := fake.NewOpenAI(t)
	llm, err := openai.New(openai.WithBaseURL(o.URL), openai.WithToken("test"), openai.WithModel("gpt-4.1"))
	if err != nil {
		t.Fatalf("new openai client: %v", err)
	}
	return o, llm
}

var sqlTool = llms.Tool{
	Type: "function",
	Function: &llms.FunctionDefinition{
		Name:        "run_readonly_sql",
		Description: "Run one read-only SELECT.",
		Parameters: map[string]any{
			"type":       "object",
			"properties": map[string]any{"sql": map[string]any{"type": "string"}},
			"required":   []string{"sql"},
		},
	},
}

func TestOpenAIToolCallRoundTrip(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.Response{
		ToolCalls: []fake.ToolCall{fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT 1"})},
		Usage:     fake.Usage{PromptTokens: 1200, CompletionTokens: 30, CachedTokens: 1024},
	})

	resp, err := llm.GenerateContent(context.Background(), []llms.MessageContent{
		llms.TextParts(llms.ChatMessageTypeSystem, "You answer analytics questions."),
		llms.TextParts(llms.ChatMessageTypeHuman, "How many users yesterday?"),
	}, llms.WithTools([]llms.Tool{sqlTool}), llms.WithTemperature(0.2))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}

	choice := resp.Choices[0]
	if len(choice.ToolCalls) != 1 {
		t.Fatalf("tool calls = %d, want 1", len(choice.ToolCalls))
	}
	call := choice.ToolCalls[0]
	if call.ID != "call_1" || call.FunctionCall.Name != "run_readonly_sql" || call.FunctionCall.Arguments != `{"sql":"SELECT 1"}` {
		t.Errorf("tool call = %+v %+v", call, call.FunctionCall)
	}
	if choice.StopReason != "tool_calls" {
		t.Errorf("stop reason = %q, want tool_calls", choice.StopReason)
	}
	info := choice.GenerationInfo
	if info["PromptTokens"] != 1200 || info["CompletionTokens"] != 30 || info["PromptCachedTokens"] != 1024 || info["TotalTokens"] != 1230 {
		t.Errorf("generation info = %v", info)
	}

	reqs := o.Requests()
	if len(reqs) != 1 {
		t.Fatalf("requests = %d, want 1", len(reqs))
	}
	req := reqs[0]
	if req.Model != "gpt-4.1" || req.Temperature == nil || *req.Temperature != 0.2 {
		t.Errorf("model/temperature = %q/%v", req.Model, req.Temperature)
	}
	if got := req.Header.Get("Authorization"); got != "Bearer test" {
		t.Errorf("authorization = %q", got)
	}
	if req.SystemPrompt() != "You answer analytics questions." || req.LastUserMessage() != "How many users yesterday?" {
		t.Errorf("messages = %+v", req.Messages)
	}
	if len(req.Tools) != 1 || req.Tools[0].Function.Name != "run_readonly_sql" || !strings.Contains(string(req.Tools[0].Function.Parameters), `"required":["sql"]`) {
		t.Errorf("tools = %+v", req.Tools)
	}
}

func TestOpenAIDecodesToolHistory(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.Reply("42 users."))

	resp, err := llm.GenerateContent(context.Background(), []llms.MessageContent{
		{Role: llms.ChatMessageTypeHuman, Parts: []llms.ContentPart{llms.TextContent{Text: "How many"}, llms.TextContent{Text: "users?"}}},
		{Role: llms.ChatMessageTypeAI, Parts: []llms.ContentPart{
			llms.ToolCall{ID: "call_a", Type: "function", FunctionCall: &llms.FunctionCall{Name: "run_readonly_sql", Arguments: `{"sql":"SELECT 42"}`}},
			llms.ToolCall{ID: "call_b", Type: "function", FunctionCall: &llms.FunctionCall{Name: "describe_schema", Arguments: `{}`}},
		}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "call_a", Name: "run_readonly_sql", Content: "42"}}},
		{Role: llms.ChatMessageTypeTool, Parts: []llms.ContentPart{llms.ToolCallResponse{ToolCallID: "call_b", Name: "describe_schema", Content: "app_metrics"}}},
	}, llms.WithTools([]llms.Tool{sqlTool}))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if resp.Choices[0].Content != "42 users." || resp.Choices[0].StopReason != "stop" {
		t.Errorf("choice = %+v", resp.Choices[0])
	}

	req := o.Requests()[0]
	if got := req.Messages[0].Content; got != "How many\nusers?" {
		t.Errorf("array-of-parts content = %q", got)
	}
	if calls := req.Messages[1].ToolCalls; len(calls) != 2 || calls[1].ID != "call_b" || calls[1].Function.Name != "describe_schema" {
		t.Errorf("assistant tool calls = %+v", calls)
	}
	results := req.ToolResults()
	if len(results) != 2 || results[0].ToolCallID != "call_a" || results[0].Content != "42" || results[1].Content != "app_metrics" {
		t.Errorf("tool results = %+v", results)
	}
}

func TestOpenAIWithoutScriptAnswers500(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)

	_, err := llm.Call(context.Background(), "hello")
	if err == nil || !strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "no scripted response") {
		t.Fatalf("err = %v, want a 500 naming the missing script", err)
	}
	if n := len(o.Requests()); n != 1 {
		t.Errorf("requests = %d, want 1 (failed requests are recorded too)", n)
	}
}

func TestOpenAIErrorStatuses(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.Error(http.StatusServiceUnavailable), fake.RateLimited("7"))

	if _, err := llm.Call(context.Background(), "hi"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("first err = %v, want 503", err)
	}

	resp, err := http.Post(o.URL+"/chat/completions", "application/json", strings.NewReader(`{"model":"m","messages":[]}`))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	var body struct {
		Error struct{ Message, Type, Code string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("decode error body: %v", err)
	}
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || body.Error.Code != "rate_limit_exceeded" {
		t.Errorf("429 answer = %d %q %+v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if o.Remaining() != 0 {
		t.Errorf("remaining = %d, want 0", o.Remaining())
	}
}

func TestOpenAIStreamsText(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.Response{Content: "Daily active users rose 4%.", Usage: fake.Usage{PromptTokens: 50, CompletionTokens: 7}})

	var chunks []string
	resp, err := llm.GenerateContent(context.Background(),
		[]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "trend?")},
		llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			if len(chunk) > 0 {
				chunks = append(chunks, string(chunk))
			}
			return nil
		}))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	if got := strings.Join(chunks, ""); got != "Daily active users rose 4%." || len(chunks) < 2 {
		t.Errorf("chunks = %q", chunks)
	}
	if resp.Choices[0].Content != "Daily active users rose 4%." || resp.Choices[0].StopReason != "stop" {
		t.Errorf("choice = %+v", resp.Choices[0])
	}
	if resp.Choices[0].GenerationInfo["PromptTokens"] != 50 || resp.Choices[0].GenerationInfo["CompletionTokens"] != 7 {
		t.Errorf("generation info = %v", resp.Choices[0].GenerationInfo)
	}
	if req := o.Requests()[0]; !req.Stream || req.StreamOptions == nil || !req.StreamOptions.IncludeUsage {
		t.Errorf("stream flags = %v %+v", req.Stream, req.StreamOptions)
	}
}

func TestOpenAIStreamsToolCall(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": "SELECT count(*) FROM app_metrics"})))

	resp, err := llm.GenerateContent(context.Background(),
		[]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "count rows")},
		llms.WithTools([]llms.Tool{sqlTool}),
		llms.WithStreamingFunc(func(context.Context, []byte) error { return nil }))
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	calls := resp.Choices[0].ToolCalls
	if len(calls) != 1 || calls[0].FunctionCall.Arguments != `{"sql":"SELECT count(*) FROM app_metrics"}` {
		t.Errorf("streamed tool calls = %+v", calls)
	}
}

func TestOpenAIHandleAnswersConcurrentRequestsByContent(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.SetDelay(5 * time.Millisecond)
	o.Handle(func(req fake.ChatRequest) fake.Response {
		return fake.Reply("echo: " + req.LastUserMessage())
	})

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			q := fmt.Sprintf("question %d", i)
			got, err := llm.Call(context.Background(), q)
			if err != nil {
				t.Errorf("call %d: %v", i, err)
				return
			}
			if got != "echo: "+q {
				t.Errorf("call %d answered %q", i, got)
			}
		})
	}
	wg.Wait()
	if n := len(o.Requests()); n != 20 {
		t.Errorf("requests = %d, want 20", n)
	}
}

func TestOpenAIDelayHonoursCancellation(t *testing.T) {
	t.Parallel()
	o, llm := setupOpenAI(t)
	o.Script(fake.Response{Content: "late", Delay: time.Hour})

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := llm.Call(ctx, "hi"); err == nil {
		t.Fatal("want an error when the context ends before the delayed answer")
	}
}
