package fake

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// OpenAI is a fake OpenAI Chat Completions endpoint.
//
// Answers come from the Script queue first, then from the Handle function;
// with neither, a request gets a 500 error.
type OpenAI struct {
	// URL is the base URL ending in /v1, for openai.WithBaseURL.
	URL string

	srv  *httptest.Server
	done chan struct{}

	mu       sync.Mutex
	script   []Response
	handle   func(ChatRequest) Response
	delay    time.Duration
	requests []ChatRequest
	seq      int // completions answered, for chatcmpl IDs
	calls    int // tool calls generated, for call_<n> IDs
}

// NewOpenAI starts a fake OpenAI server that is closed when the test ends.
func NewOpenAI(t testing.TB) *OpenAI {
	t.Helper()
	o := &OpenAI{done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/chat/completions", o.serveChat)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeOpenAIError(w, http.StatusNotFound, "fake openai: unknown endpoint "+r.Method+" "+r.URL.Path, "")
	})
	o.srv = httptest.NewServer(mux)
	o.URL = o.srv.URL + "/v1"
	t.Cleanup(func() {
		close(o.done)
		o.srv.Close()
	})
	return o
}

// Script appends answers to the queue; each request consumes one, in order.
func (o *OpenAI) Script(steps ...Response) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.script = append(o.script, steps...)
}

// Handle sets the function that answers when the script queue is empty. It
// may be called concurrently, so it should answer from the request alone.
func (o *OpenAI) Handle(fn func(ChatRequest) Response) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.handle = fn
}

// SetDelay adds d before every answer, on top of a Response's own Delay.
func (o *OpenAI) SetDelay(d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.delay = d
}

// Requests returns copies of every request received, in arrival order.
func (o *OpenAI) Requests() []ChatRequest {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]ChatRequest, len(o.requests))
	for i, r := range o.requests {
		out[i] = r.clone()
	}
	return out
}

// Remaining returns how many scripted answers have not been used yet.
func (o *OpenAI) Remaining() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.script)
}

func (o *OpenAI) serveChat(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeOpenAIError(w, http.StatusBadRequest, "fake openai: read body: "+err.Error(), "")
		return
	}
	var req ChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		writeOpenAIError(w, http.StatusBadRequest, "fake openai: decode request: "+err.Error(), "")
		return
	}
	req.Header = r.Header.Clone()
	req.Body = body

	resp, ok, id, delay := o.next(req)
	if !ok {
		writeOpenAIError(w, http.StatusInternalServerError, "fake openai: no scripted response", "")
		return
	}
	if !o.wait(r.Context(), delay+resp.Delay) {
		return
	}
	if resp.isError() {
		writeOpenAIError(w, resp.Status, resp.ErrorMessage, resp.RetryAfter)
		return
	}
	if resp.RetryAfter != "" {
		w.Header().Set("Retry-After", resp.RetryAfter)
	}
	if req.Stream {
		includeUsage := req.StreamOptions != nil && req.StreamOptions.IncludeUsage
		writeStream(w, resp, id, req.Model, includeUsage)
		return
	}
	writeJSON(w, http.StatusOK, resp.completion(id, req.Model))
}

// next records req and picks its answer: the script first, then the handler.
func (o *OpenAI) next(req ChatRequest) (resp Response, ok bool, id string, delay time.Duration) {
	o.mu.Lock()
	o.requests = append(o.requests, req)
	o.seq++
	id = fmt.Sprintf("chatcmpl-fake%d", o.seq)
	delay = o.delay
	handle := o.handle
	if len(o.script) > 0 {
		resp, ok = o.script[0], true
		o.script = o.script[1:]
	}
	o.mu.Unlock()

	if !ok && handle != nil {
		resp, ok = handle(req.clone()), true
	}
	if ok {
		resp.ToolCalls = o.fillToolCalls(resp.ToolCalls)
	}
	return resp, ok, id, delay
}

// fillToolCalls gives every call an ID and a type, without touching the
// caller's slice.
func (o *OpenAI) fillToolCalls(calls []ToolCall) []ToolCall {
	if len(calls) == 0 {
		return nil
	}
	out := make([]ToolCall, len(calls))
	o.mu.Lock()
	defer o.mu.Unlock()
	for i, c := range calls {
		if c.ID == "" {
			o.calls++
			c.ID = fmt.Sprintf("call_%d", o.calls)
		}
		if c.Type == "" {
			c.Type = "function"
		}
		out[i] = c
	}
	return out
}

// wait sleeps for d; it reports false if the client or the test gave up.
func (o *OpenAI) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	case <-o.done:
		return false
	}
}
