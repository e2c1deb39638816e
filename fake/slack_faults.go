package fake

import (
	"strings"
	"testing"
	"time"
)

// rateLimit is a pending run of 429 answers for one method.
type rateLimit struct {
	remaining  int
	retryAfter int // seconds
}

// RateLimit makes the next times calls of method (or "upload" for the
// file upload POST) answer HTTP 429 with a Retry-After header of retryAfter,
// rounded up to whole seconds as Slack sends it.
func (s *Slack) RateLimit(method string, times int, retryAfter time.Duration) {
	secs := int((retryAfter + time.Second - 1) / time.Second)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimits[method] = &rateLimit{remaining: times, retryAfter: max(secs, 0)}
}

// FailNext makes the next call of method answer {"ok":false,"error":slackError}.
// Calling it again queues further failures.
func (s *Slack) FailNext(method, slackError string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = append(s.failures[method], slackError)
}

// takeRateLimitLocked uses up one pending 429 of method, if any.
func (s *Slack) takeRateLimitLocked(method string, retryAfter *int) bool {
	rl := s.rateLimits[method]
	if rl == nil || rl.remaining <= 0 {
		return false
	}
	rl.remaining--
	*retryAfter = rl.retryAfter
	return true
}

// takeFailureLocked uses up one pending failure of method, if any.
func (s *Slack) takeFailureLocked(method string, code *string) bool {
	queue := s.failures[method]
	if len(queue) == 0 {
		return false
	}
	*code, s.failures[method] = queue[0], queue[1:]
	return true
}

// WaitFor blocks until cond holds, re-checking it whenever the fake's state
// changes (and every 50 ms, for conditions that look elsewhere too). It
// fails the test, listing the calls received, if timeout passes first.
// cond may call the fake's accessors; it must not block.
func (s *Slack) WaitFor(t testing.TB, timeout time.Duration, cond func(*Slack) bool) {
	t.Helper()
	if !waitFor(timeout, s.changedChan, func() bool { return cond(s) }) {
		t.Fatalf("fake slack: condition not met within %v; calls received: %s", timeout, s.callSummary())
	}
}

// changedChan is the channel closed on the fake's next change.
func (s *Slack) changedChan() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.changed
}

// callSummary lists the methods called, with the errors answered.
func (s *Slack) callSummary() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) == 0 {
		return "none"
	}
	parts := make([]string, len(s.calls))
	for i, c := range s.calls {
		parts[i] = c.Method
		if c.Error != "" {
			parts[i] += "(" + c.Error + ")"
		}
	}
	return strings.Join(parts, ", ")
}
