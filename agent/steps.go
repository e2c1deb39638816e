package agent

import "context"

// Step is a tool call the agent starts or finishes, reported as it
// happens so that a person can watch the work (a Slack stream shows each
// one as a task).
type Step struct {
	ToolCall
	// Done is false when the call starts and true when it has ended; a
	// finished call has its Summary, IsError, Duration and RowCount.
	Done     bool
	RowCount int
}

// StepFunc is told about each step. The agent runs tool calls of one
// turn concurrently, so it must be safe for concurrent use, and it should
// return quickly: the question waits for it.
type StepFunc func(ctx context.Context, s Step)

type stepsKey struct{}

// WithSteps returns a context whose questions report their steps to fn,
// in the manner of net/http/httptrace: the steps belong to one question,
// not to the Agent.
func WithSteps(ctx context.Context, fn StepFunc) context.Context {
	return context.WithValue(ctx, stepsKey{}, fn)
}

// report tells the context's StepFunc, if any, about a step.
func report(ctx context.Context, s Step) {
	if fn, ok := ctx.Value(stepsKey{}).(StepFunc); ok && fn != nil {
		fn(ctx, s)
	}
}
