package slackbot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

// botUserID is the bot's own user id in these tests.
const botUserID = "UBOT"

// recorder is an in-memory Enqueuer that keeps what it was given.
type recorder struct {
	mu   sync.Mutex
	work []Work
	err  error // returned by Enqueue when set
}

func (r *recorder) Enqueue(_ context.Context, w Work) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return r.err
	}
	r.work = append(r.work, w)
	return nil
}

func (r *recorder) queued() []Work {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Work(nil), r.work...)
}

// errQueueDown is what a failing recorder returns.
var errQueueDown = errors.New("queue down")

// newTestDispatcher returns a dispatcher over a fresh recorder.
func newTestDispatcher(allow Allowlist) (*Dispatcher, *recorder) {
	rec := &recorder{}
	return NewDispatcher(rec, Identity{UserID: botUserID, BotID: "BBOT"}, allow, nil), rec
}

// newTestHandler returns the HTTP handler with secret over a fresh recorder.
func newTestHandler(secret string, allow Allowlist) (http.Handler, *recorder) {
	d, rec := newTestDispatcher(allow)
	return NewHandler(ServerOptions{SigningSecret: secret, Dispatcher: d}), rec
}

// signedRequest builds a POST signed the way Slack signs it, at ts.
func signedRequest(path string, body []byte, secret string, ts time.Time) *http.Request {
	req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", stamp, body)
	req.Header.Set("X-Slack-Request-Timestamp", stamp)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
	return req
}

// serve runs one request through h and returns the recorded response.
func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// callback wraps an inner event in an Events API event_callback body.
func callback(tb testing.TB, eventID string, inner map[string]any) []byte {
	tb.Helper()
	body, err := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}
