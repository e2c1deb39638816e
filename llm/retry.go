package llm

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryTransport retries a request on 429 (honouring Retry-After) and on
// 5xx or a broken connection, with exponential backoff and jitter, within
// the policy's deadline.
type RetryTransport struct {
	Base   http.RoundTripper
	Policy RetryPolicy
}

// RoundTrip implements http.RoundTripper.
func (t *RetryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	p := t.Policy.withDefaults()
	ctx, cancel := context.WithTimeout(req.Context(), p.Deadline)
	deadline, _ := ctx.Deadline()

	var lastErr error
	rec := recordFrom(req.Context())
	for attempt := 1; ; attempt++ {
		try := req.Clone(ctx)
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				cancel()
				return nil, fmt.Errorf("model request: replay body: %w", err)
			}
			try.Body = body
		}
		resp, err := t.Base.RoundTrip(try)
		if err == nil && !retryable(resp.StatusCode) {
			rec.sawResponse(resp, attempt)
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}
		wait := backoff(p, attempt)
		if err == nil {
			if ra := retryAfter(resp.Header.Get("Retry-After")); ra > 0 {
				wait = min(ra, p.MaxDelay)
			}
		} else {
			lastErr = err
		}
		last := attempt >= p.MaxAttempts || err != nil && unreachable(err) || time.Now().Add(wait).After(deadline) || req.GetBody == nil && req.Body != nil
		if last {
			if err != nil {
				cancel()
				rec.sawError(lastErr, attempt)
				return nil, fmt.Errorf("model request failed after %d attempt(s): %w", attempt, lastErr)
			}
			rec.sawResponse(resp, attempt)
			resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil // the caller sees the final 429 or 5xx
		}
		if resp != nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		select {
		case <-ctx.Done():
			cancel()
			if lastErr != nil {
				rec.sawError(lastErr, attempt)
			}
			return nil, fmt.Errorf("model request: %w", ctx.Err())
		case <-time.After(wait):
		}
	}
}

func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay << (attempt - 1)
	if d > p.MaxDelay || d <= 0 {
		d = p.MaxDelay
	}
	return d/2 + rand.N(d/2+1) // jitter keeps many workers from retrying in step
}

// retryAfter reads Retry-After in seconds or as an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t)
	}
	return 0
}

// cancelOnClose releases the request's deadline once the body is read.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
