package llm_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tmc/langchaingo/llms"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/llm"
)

func client(t *testing.T, retry llm.RetryPolicy, transport http.RoundTripper) *http.Client {
	t.Helper()
	return &http.Client{Transport: &llm.RetryTransport{Base: transport, Policy: retry}}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var firstAt, secondAt time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != "payload" {
			t.Errorf("attempt %d got body %q: the body was not replayed", calls.Load()+1, body)
		}
		if calls.Add(1) == 1 {
			firstAt = time.Now()
			w.Header().Set("Retry-After", "0.3")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		secondAt = time.Now()
		w.Write([]byte("ok"))
	}))
	defer srv.Close()
	c := client(t, llm.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Second, Deadline: 5 * time.Second}, http.DefaultTransport)
	resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || calls.Load() != 2 {
		t.Fatalf("status %d after %d calls", resp.StatusCode, calls.Load())
	}
	if wait := secondAt.Sub(firstAt); wait < 250*time.Millisecond {
		t.Errorf("retried after %s, before Retry-After (300ms)", wait)
	}
}

func TestServerErrorsGiveUpAtTheDeadline(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	c := client(t, llm.RetryPolicy{MaxAttempts: 100, BaseDelay: 20 * time.Millisecond, MaxDelay: 50 * time.Millisecond, Deadline: 400 * time.Millisecond}, http.DefaultTransport)
	start := time.Now()
	resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want the final 500", resp.StatusCode)
	}
	if calls.Load() < 2 {
		t.Errorf("only %d attempt(s): 5xx should be retried", calls.Load())
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %s, past the 400ms deadline", took)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadRequest)
	}))
	defer srv.Close()
	c := client(t, llm.RetryPolicy{BaseDelay: time.Millisecond}, http.DefaultTransport)
	resp, err := c.Post(srv.URL, "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if calls.Load() != 1 {
		t.Errorf("a 400 was tried %d times", calls.Load())
	}
}

func TestModelThroughFakeOpenAI(t *testing.T) {
	t.Parallel()
	o := fake.NewOpenAI(t)
	o.Script(fake.RateLimited("0"), fake.Reply("hello"))
	model, err := llm.New(llm.Options{BaseURL: o.URL, APIKey: "sk-secret", Model: "gpt-4.1",
		Retry: llm.RetryPolicy{BaseDelay: time.Millisecond, Deadline: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := model.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "hi")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Content != "hello" || len(o.Requests()) != 2 {
		t.Errorf("content %q after %d requests", resp.Choices[0].Content, len(o.Requests()))
	}
	if got := o.Requests()[1].Header.Get("Authorization"); got != "Bearer sk-secret" {
		t.Errorf("Authorization = %q", got)
	}
}

// A Retry-After past the caller's deadline is not waited for: the 429
// comes back at once.
func TestRetryAfterPastDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "10")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	c := client(t, llm.RetryPolicy{MaxDelay: 10 * time.Second, Deadline: time.Minute}, http.DefaultTransport)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("x"))
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("status = %d, want the 429", resp.StatusCode)
	}
	if time.Since(start) > 2*time.Second {
		t.Errorf("kept waiting %s after the context ended", time.Since(start))
	}
}
