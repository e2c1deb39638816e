package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"

	"github.com/tmc/langchaingo/llms"
)

// Error is a model request that failed: where it went, what came back and
// whether trying again can help. langchaingo hides the transport's error
// ("network error: failed to reach API server"), so the transport records
// what happened and the model wrapper returns it as this error.
type Error struct {
	// BaseURL and Model say which endpoint and model were asked.
	BaseURL, Model string
	// Status is the final HTTP status; 0 when no response came back.
	Status int
	// Message is the server's error message, or the connection error.
	Message string
	// Attempts is how many times the request was sent.
	Attempts int
	// Err is the error langchaingo returned.
	Err error

	unreachable bool
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "model %s at %s", e.Model, e.BaseURL)
	if e.Status != 0 {
		fmt.Fprintf(&b, " answered HTTP %d", e.Status)
	} else {
		b.WriteString(" could not be reached")
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Kind is what a failure means for the person who sees it.
type Kind int

// The kinds of model failure.
const (
	// KindTransient may pass: rate limits, server errors, timeouts.
	KindTransient Kind = iota
	// KindAuth is a rejected or missing API key (401, 403).
	KindAuth
	// KindNotFound is an unknown model or a wrong path (404).
	KindNotFound
	// KindUnreachable is a host that does not resolve or refuses connections.
	KindUnreachable
	// KindRejected is any other request the server refused (4xx).
	KindRejected
)

// Kind classifies the failure.
func (e *Error) Kind() Kind {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return KindAuth
	case e.Status == http.StatusNotFound:
		return KindNotFound
	case e.Status == http.StatusTooManyRequests || e.Status >= 500 || e.Status == http.StatusRequestTimeout:
		return KindTransient
	case e.Status >= 400:
		return KindRejected
	case e.unreachable:
		return KindUnreachable
	}
	return KindTransient
}

// Retryable reports whether asking again later can help.
func (e *Error) Retryable() bool { return e.Kind() == KindTransient }

// Advice is what to do about the failure, for an operator.
func (e *Error) Advice() string {
	switch e.Kind() {
	case KindAuth:
		return "check OPENAI_API_KEY (the key was rejected); retrying will not help"
	case KindNotFound:
		return fmt.Sprintf("check AI_MODEL (%q must exist on that server; for Ollama, pull it first) and OPENAI_BASE_URL (usually ends in /v1); retrying will not help", e.Model)
	case KindUnreachable:
		return "check OPENAI_BASE_URL (nothing answers there); retrying will not help until it does"
	case KindRejected:
		return "the server refused the request; check AI_MODEL and OPENAI_BASE_URL"
	}
	return "the server is busy or failing; try again in a minute"
}

// record collects what the transport saw of one model call.
type record struct {
	mu          sync.Mutex
	status      int
	message     string
	transport   error
	attempts    int
	unreachable bool
}

type recordKey struct{}

func recordFrom(ctx context.Context) *record {
	r, _ := ctx.Value(recordKey{}).(*record)
	return r
}

// sawResponse keeps the final response's status and error message, and
// puts the body back for langchaingo to read.
func (r *record) sawResponse(resp *http.Response, attempts int) {
	if r == nil || resp.StatusCode < 400 {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.status, r.message, r.attempts = resp.StatusCode, serverMessage(body), attempts
}

func (r *record) sawError(err error, attempts int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.transport, r.attempts = err, attempts
	r.unreachable = unreachable(err)
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	r.message = err.Error()
}

// unreachable reports a host that does not resolve or refuses connections:
// a wrong OPENAI_BASE_URL far more often than a passing fault, so it is
// neither retried nor advised to retry.
func unreachable(err error) bool {
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) || errors.Is(err, syscall.ECONNREFUSED)
}

// serverMessage finds the message in an error body: OpenAI's
// {"error":{"message":…}}, the {"error":"…"} of Ollama and others, or the
// text itself.
func serverMessage(body []byte) string {
	var withObject struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &withObject) == nil && withObject.Error.Message != "" {
		return clip(withObject.Error.Message)
	}
	var withString struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &withString) == nil && withString.Error != "" {
		return clip(withString.Error)
	}
	return clip(strings.TrimSpace(string(body)))
}

func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// model wraps langchaingo's client so that its failures come back as *Error.
type model struct {
	llms.Model
	baseURL, name string
}

// GenerateContent implements llms.Model.
func (m *model) GenerateContent(ctx context.Context, messages []llms.MessageContent, options ...llms.CallOption) (*llms.ContentResponse, error) {
	rec := &record{}
	resp, err := m.Model.GenerateContent(context.WithValue(ctx, recordKey{}, rec), messages, options...)
	if err == nil || ctx.Err() != nil {
		return resp, err
	}
	return nil, m.failure(rec, options, err)
}

// Call implements llms.Model.
func (m *model) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, options...)
}

func (m *model) failure(rec *record, options []llms.CallOption, err error) error {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.status == 0 && rec.transport == nil {
		return err // not an HTTP failure (a malformed answer, say): langchaingo's error says it
	}
	name := m.name
	var opts llms.CallOptions
	for _, o := range options {
		o(&opts)
	}
	if opts.Model != "" {
		name = opts.Model
	}
	return &Error{BaseURL: m.baseURL, Model: name, Status: rec.status, Message: rec.message,
		Attempts: rec.attempts, Err: err, unreachable: rec.unreachable}
}
