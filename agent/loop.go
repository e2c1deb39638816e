package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/tools"
)

// loop runs model turns until the model answers without tool calls or a
// budget runs out.
func (a *Agent) loop(ctx context.Context, question string, conv history.Conversation, earlier []history.Entry, ans *Answer) error {
	messages, err := a.messages(ctx, question, conv, earlier)
	if err != nil {
		return err
	}
	toolList := a.opts.Tools(conv)
	byName := make(map[string]tools.Tool, len(toolList))
	defs := make([]llms.Tool, 0, len(toolList))
	for _, t := range toolList {
		byName[t.Name()] = t
		defs = append(defs, llms.Tool{Type: "function", Function: &llms.FunctionDefinition{
			Name: t.Name(), Description: t.Description(), Parameters: t.Parameters(),
		}})
	}
	callOpts := []llms.CallOption{
		llms.WithModel(a.opts.ModelName),
		llms.WithTemperature(a.opts.Temperature),
		llms.WithTools(defs),
	}

	var lastText string
	for ans.Turns < a.opts.MaxTurns {
		if ans.Usage.Total() >= a.opts.MaxTokens {
			a.partial(ans, lastText, fmt.Sprintf("this question used up its token budget (%d tokens)", a.opts.MaxTokens))
			return nil
		}
		resp, err := a.opts.Model.GenerateContent(ctx, messages, callOpts...)
		ans.Turns++
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%w: %w", ErrModelUnavailable, ctx.Err())
			}
			return fmt.Errorf("%w: %w", ErrModelUnavailable, err)
		}
		if len(resp.Choices) == 0 {
			return fmt.Errorf("%w: the model returned no choices", ErrModelUnavailable)
		}
		choice := resp.Choices[0]
		if u, ok := UsageOf(resp); ok {
			ans.Usage.add(u)
		}
		if strings.TrimSpace(choice.Content) != "" {
			lastText = choice.Content
		}
		if len(choice.ToolCalls) == 0 {
			ans.Text = strings.TrimSpace(choice.Content)
			if ans.Text == "" {
				a.partial(ans, "", "the model returned an empty answer")
			}
			return nil
		}
		messages = append(messages, assistantMessage(choice))
		for _, result := range a.callTools(ctx, byName, choice.ToolCalls, ans) {
			messages = append(messages, llms.MessageContent{
				Role:  llms.ChatMessageTypeTool,
				Parts: []llms.ContentPart{result},
			})
		}
	}
	a.partial(ans, lastText, fmt.Sprintf("I reached the limit of %d steps before finishing", a.opts.MaxTurns))
	return nil
}

// partial ends a question whose budget ran out with the best answer so
// far and a sentence saying what is missing.
func (a *Agent) partial(ans *Answer, lastText, reason string) {
	ans.Status = history.StatusPartial
	ans.Error = reason
	var b strings.Builder
	if lastText != "" {
		b.WriteString(strings.TrimSpace(lastText) + "\n\n")
	}
	if ans.Result != nil {
		fmt.Fprintf(&b, "_I could not finish: %s. The latest result I got (%d rows) is below; it may not fully answer the question. Try a narrower question._", reason, len(ans.Result.Rows))
	} else {
		fmt.Fprintf(&b, "_I could not finish: %s, and I have no result to show yet. Try a narrower or more specific question._", reason)
	}
	ans.Text = b.String()
}

// assistantMessage is the model's turn as one message carrying all of its
// tool calls, as the Chat Completions API expects.
func assistantMessage(choice *llms.ContentChoice) llms.MessageContent {
	msg := llms.MessageContent{Role: llms.ChatMessageTypeAI}
	if choice.Content != "" {
		msg.Parts = append(msg.Parts, llms.TextContent{Text: choice.Content})
	}
	for _, tc := range choice.ToolCalls {
		msg.Parts = append(msg.Parts, tc)
	}
	return msg
}

// callTools runs one turn's tool calls concurrently (bounded) and returns
// one response per call, in the calls' order. Failures become results the
// model can read; they never end the question.
func (a *Agent) callTools(ctx context.Context, byName map[string]tools.Tool, calls []llms.ToolCall, ans *Answer) []llms.ToolCallResponse {
	results := make([]llms.ToolCallResponse, len(calls))
	records := make([]ToolCall, len(calls))
	outputs := make([]tools.Output, len(calls))
	sem := make(chan struct{}, a.opts.ToolConcurrency)
	var wg sync.WaitGroup
	for i, call := range calls {
		if i >= a.opts.MaxToolCallsPerTurn {
			outputs[i], records[i] = a.refuseCall(call, len(calls))
			results[i] = llms.ToolCallResponse{ToolCallID: call.ID, Name: records[i].Name, Content: outputs[i].Text}
			continue
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			outputs[i], records[i] = a.callTool(ctx, byName, call)
			results[i] = llms.ToolCallResponse{ToolCallID: call.ID, Name: records[i].Name, Content: outputs[i].Text}
		})
	}
	wg.Wait()

	for i, out := range outputs {
		ans.ToolCalls = append(ans.ToolCalls, records[i])
		if out.Result != nil && !out.IsError {
			ans.SQL, ans.Result, ans.Chart = out.Result.SQL, out.Result, out.Chart
		}
	}
	return results
}

// refuseCall answers a tool call over the per-turn cap without running it.
func (a *Agent) refuseCall(call llms.ToolCall, asked int) (tools.Output, ToolCall) {
	rec := ToolCall{ID: call.ID}
	if call.FunctionCall != nil {
		rec.Name, rec.Arguments = call.FunctionCall.Name, call.FunctionCall.Arguments
	}
	out := tools.Failure(fmt.Sprintf("refused: not run, because this turn asked for %d tool calls and at most %d run per turn (MAX_TOOL_CALLS_PER_TURN). "+
		"Combine the queries into fewer, aggregated ones.", asked, a.opts.MaxToolCallsPerTurn))
	rec.Summary, rec.IsError = "refused: over the per-turn tool call cap", true
	return out, rec
}

func (a *Agent) callTool(ctx context.Context, byName map[string]tools.Tool, call llms.ToolCall) (tools.Output, ToolCall) {
	rec := ToolCall{ID: call.ID}
	if call.FunctionCall != nil {
		rec.Name, rec.Arguments = call.FunctionCall.Name, call.FunctionCall.Arguments
	}
	report(ctx, Step{ToolCall: rec})
	start := time.Now()
	var out tools.Output
	tool, ok := byName[rec.Name]
	switch {
	case !ok:
		out = tools.Failure(fmt.Sprintf("there is no tool named %q; the tools are describe_schema, run_readonly_sql, fetch_history and export_csv", rec.Name))
	case rec.Arguments != "" && !json.Valid([]byte(rec.Arguments)):
		out = tools.Failure("the arguments are not valid JSON")
	default:
		var err error
		out, err = tool.Call(ctx, json.RawMessage(rec.Arguments))
		if err != nil {
			a.opts.Logger.WarnContext(ctx, "tool failed", slog.String("tool", rec.Name), slog.Any("error", err))
			out = tools.Failure(fmt.Sprintf("the %s tool failed: %v. Try again or answer with what you have.", rec.Name, err))
		}
	}
	rec.Duration = time.Since(start)
	rec.Summary, rec.IsError = out.Summary, out.IsError
	report(ctx, Step{ToolCall: rec, Done: true, RowCount: out.RowCount})
	return out, rec
}
