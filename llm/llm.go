// Package llm connects to an OpenAI-compatible Chat Completions endpoint
// through langchaingo, with retries on rate limits and server errors.
package llm

import (
	"fmt"
	"net/http"
	"time"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
)

// Options configures the model client.
type Options struct {
	// BaseURL is the API's base URL (OPENAI_BASE_URL).
	BaseURL string
	// APIKey is the bearer token (OPENAI_API_KEY); may be empty for a
	// local server that needs none.
	APIKey string
	// Model is the default model (AI_MODEL).
	Model string
	// Retry says how 429s and 5xx are retried.
	Retry RetryPolicy
	// Transport is the underlying transport; nil means http.DefaultTransport.
	Transport http.RoundTripper
}

// New returns a langchaingo model for the endpoint.
func New(opts Options) (llms.Model, error) {
	base := opts.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	client := &http.Client{Transport: &RetryTransport{Base: base, Policy: opts.Retry.withDefaults()}}
	token := opts.APIKey
	if token == "" {
		token = "none" // langchaingo insists on a token; local servers ignore it
	}
	inner, err := openai.New(
		openai.WithBaseURL(opts.BaseURL),
		openai.WithToken(token),
		openai.WithModel(opts.Model),
		openai.WithHTTPClient(client),
	)
	if err != nil {
		return nil, fmt.Errorf("model client: %w", err)
	}
	return &model{Model: inner, baseURL: opts.BaseURL, name: opts.Model}, nil
}

// RetryPolicy bounds retries of one model request.
type RetryPolicy struct {
	// MaxAttempts is the most tries of one request, the first included.
	MaxAttempts int
	// BaseDelay is the first backoff; it doubles each time.
	BaseDelay time.Duration
	// MaxDelay caps one wait, Retry-After included.
	MaxDelay time.Duration
	// Deadline caps the time spent on one request, retries included.
	Deadline time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 20 * time.Second
	}
	if p.Deadline <= 0 {
		p.Deadline = 90 * time.Second
	}
	return p
}
