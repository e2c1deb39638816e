package slackbot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// stubAgent answers with fn; without one, it fails as a model that never
// replies.
type stubAgent struct {
	mu    sync.Mutex
	calls int
	fn    func(ctx context.Context) (*agent.Answer, error)
}

func (a *stubAgent) Run(ctx context.Context, _ string, _ history.Conversation) (*agent.Answer, error) {
	a.mu.Lock()
	a.calls++
	fn := a.fn
	a.mu.Unlock()
	if fn != nil {
		return fn(ctx)
	}
	return &agent.Answer{Status: history.StatusFailed}, agent.ErrModelUnavailable
}

func (a *stubAgent) set(fn func(ctx context.Context) (*agent.Answer, error)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fn = fn
}

func (a *stubAgent) answerWith(text string) {
	a.set(func(context.Context) (*agent.Answer, error) {
		return &agent.Answer{Text: text, Status: history.StatusAnswered}, nil
	})
}

func (a *stubAgent) runs() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls
}

type workerSetup struct {
	worker *Worker
	slack  *fake.Slack
	agent  *stubAgent
	// cancelAfter, when set, is called once a Slack call of that method
	// has fully succeeded (the job is stopped right after it).
	mu          sync.Mutex
	cancelAfter map[string]context.CancelFunc
}

func setupWorker(t *testing.T) *workerSetup {
	t.Helper()
	db := pgtest.NewMigrated(t)
	s := &workerSetup{slack: fake.NewSlack(t), agent: &stubAgent{}, cancelAfter: map[string]context.CancelFunc{}}
	client := &http.Client{Transport: stopAfter{s}}
	s.worker = &Worker{
		opts: WorkerOptions{
			Slack:   slack.New("xoxb-test", slack.OptionAPIURL(s.slack.URL), slack.OptionHTTPClient(client)),
			Agent:   s.agent,
			History: history.NewStore(db.Pool),
			Logger:  slog.New(slog.DiscardHandler),
		},
		replies: replies{pool: db.Pool},
	}
	return s
}

// stopAfter reads each Slack answer in full, then cancels the job's
// context if a cancel is registered for the method: the call succeeded,
// and the job is stopped at the worst moment, just after it.
type stopAfter struct{ s *workerSetup }

func (t stopAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
	t.s.mu.Lock()
	cancel := t.s.cancelAfter[method]
	delete(t.s.cancelAfter, method)
	t.s.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	return resp, nil
}

func job(w Work, attempt int) *river.Job[Work] {
	return &river.Job[Work]{JobRow: &rivertype.JobRow{Attempt: attempt, MaxAttempts: 5, Kind: w.Kind()}, Args: w}
}

func question(ts string) Work {
	return Work{Key: "msg:C100:" + ts, Action: ActionQuestion, TeamID: "T0001", ChannelID: "C100", ThreadTS: ts,
		UserID: "U123", Text: "what was DAU yesterday?"}
}

// An attempt that runs out of time is retried quietly, except the last:
// then the person gets a failure message instead of a placeholder forever.
func TestWorkerTimedOutAttempts(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	const ts = "1700000001.000100"
	w := question(ts)

	s.agent.set(func(ctx context.Context) (*agent.Answer, error) { // the model outlasts the job's timeout
		<-ctx.Done()
		return &agent.Answer{Status: history.StatusFailed}, fmt.Errorf("%w: %w", agent.ErrModelUnavailable, ctx.Err())
	})
	for attempt := 1; attempt <= 5; attempt++ {
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		err := s.worker.Work(ctx, job(w, attempt))
		cancel()
		if err == nil {
			t.Fatalf("attempt %d: timed out but reported success", attempt)
		}
		msgs := s.slack.Messages()
		if len(msgs) != 1 {
			t.Fatalf("attempt %d: %d messages, want the one placeholder", attempt, len(msgs))
		}
		failed := strings.Contains(msgs[0].Text, "gave up")
		if attempt < 5 && failed {
			t.Errorf("attempt %d of 5: gave up early: %q", attempt, msgs[0].Text)
		}
		if attempt == 5 && !failed {
			t.Errorf("the last attempt timed out and left %q, want a failure message in its place", msgs[0].Text)
		}
	}
	if n := s.agent.runs(); n != 5 {
		t.Errorf("the agent ran %d times, want 5", n)
	}
}

// An attempt stopped because its process is shutting down, even the last,
// says "canceled" (River then hands the job to another instance at once,
// without counting the attempt) and leaves no failure message.
func TestWorkerStoppedAttemptIsHandedOver(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	const ts = "1700000002.000100"
	for _, attempt := range []int{1, 5} {
		ctx, cancel := context.WithCancel(t.Context())
		s.agent.set(func(context.Context) (*agent.Answer, error) { // the process stops while the model works
			cancel()
			return &agent.Answer{Status: history.StatusFailed}, agent.ErrModelUnavailable
		})
		err := s.worker.Work(ctx, job(question(ts), attempt))
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("attempt %d: stopped attempt returned %v, want an error that says canceled", attempt, err)
		}
		if msgs := s.slack.Messages(); len(msgs) != 1 || strings.Contains(msgs[0].Text, "gave up") {
			t.Errorf("attempt %d: thread is %+v, want only the placeholder", attempt, msgs)
		}
	}
}

// A job stopped right after posting its placeholder still remembers it, so
// that the retry edits it instead of posting a second one.
func TestWorkerRemembersPlaceholderWhenStopped(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	s.worker.opts.NoStreams = true
	const ts = "1700000003.000100"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s.cancelAfter["chat.postMessage"] = cancel
	if err := s.worker.Work(ctx, job(question(ts), 1)); err == nil {
		t.Fatal("the stopped attempt reported success")
	}

	s.agent.answerWith("DAU was 1,234.")
	if err := s.worker.Work(t.Context(), job(question(ts), 2)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	msgs := s.slack.Messages()
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "DAU was 1,234.") || msgs[0].Updates != 1 {
		t.Errorf("thread has %d messages (first %q, %d updates), want the placeholder edited into the answer",
			len(msgs), msgs[0].Text, msgs[0].Updates)
	}
}

// A job stopped right after publishing its answer is not answered again.
func TestWorkerRemembersAnswerWhenStopped(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	s.worker.opts.NoStreams = true
	const ts = "1700000004.000100"
	s.agent.answerWith("DAU was 1,234.")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s.cancelAfter["chat.update"] = cancel
	_ = s.worker.Work(ctx, job(question(ts), 1)) // River retries it whatever it returns, if it failed

	if err := s.worker.Work(t.Context(), job(question(ts), 2)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	if n := s.agent.runs(); n != 1 {
		t.Errorf("the question was answered %d times, want once", n)
	}
	if n := len(s.slack.CallsTo("chat.update")); n != 1 {
		t.Errorf("%d chat.update calls, want 1", n)
	}
}

// A Slack rate limit snoozes the job instead of failing an attempt.
func TestWorkerSnoozesOnSlackRateLimit(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	s.slack.RateLimit("chat.startStream", 1, 3*time.Second)
	err := s.worker.Work(t.Context(), job(question("1700000002.000100"), 1))
	var snooze *rivertype.JobSnoozeError
	if !errors.As(err, &snooze) || snooze.Duration != 3*time.Second {
		t.Errorf("err = %v, want a 3 s snooze", err)
	}
	if n := s.agent.runs(); n != 0 {
		t.Error("the question was worked on although nothing could be posted")
	}
}

// A job stopped right after starting its stream still remembers it, so
// that the retry takes the stream over and finishes it: one message, one
// answer, nothing left streaming.
func TestWorkerRemembersStreamWhenStopped(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	const ts = "1700000005.000100"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s.cancelAfter["chat.startStream"] = cancel
	s.agent.set(func(ctx context.Context) (*agent.Answer, error) {
		<-ctx.Done()
		return &agent.Answer{Status: history.StatusFailed}, fmt.Errorf("%w: %w", agent.ErrModelUnavailable, ctx.Err())
	})
	if err := s.worker.Work(ctx, job(question(ts), 1)); err == nil {
		t.Fatal("the stopped attempt reported success")
	}
	s.agent.answerWith("DAU was 1,234.")
	if err := s.worker.Work(t.Context(), job(question(ts), 2)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	msgs := s.slack.Messages()
	if len(msgs) != 1 || !msgs[0].Stream || msgs[0].Streaming || !strings.Contains(msgs[0].Text, "DAU was 1,234.") {
		t.Fatalf("thread has %d messages (first %+v), want the one stream finished with the answer", len(msgs), msgs[0])
	}
	if n := len(s.slack.CallsTo("chat.startStream")); n != 1 {
		t.Errorf("%d streams started, want 1", n)
	}
	var retried bool
	for _, task := range msgs[0].Tasks {
		retried = retried || task.ID == "retry"
	}
	if !retried {
		t.Errorf("tasks %+v do not show the retry", msgs[0].Tasks)
	}
}

// A stream Slack has ended before the retry (it stops streams left open)
// is replaced by the answer, not left half-written.
func TestWorkerReplacesAStreamSlackEnded(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	const ts = "1700000006.000100"
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	s.cancelAfter["chat.startStream"] = cancel
	s.agent.set(func(ctx context.Context) (*agent.Answer, error) {
		<-ctx.Done()
		return &agent.Answer{Status: history.StatusFailed}, fmt.Errorf("%w: %w", agent.ErrModelUnavailable, ctx.Err())
	})
	_ = s.worker.Work(ctx, job(question(ts), 1))
	stream := s.slack.Messages()[0]
	api := slack.New("xoxb-test", slack.OptionAPIURL(s.slack.URL))
	if _, _, err := api.StopStreamContext(t.Context(), stream.Channel, stream.TS); err != nil {
		t.Fatal(err)
	}
	s.agent.answerWith("DAU was 1,234.")
	if err := s.worker.Work(t.Context(), job(question(ts), 2)); err != nil {
		t.Fatalf("retry: %v", err)
	}
	msgs := s.slack.Messages()
	if len(msgs) != 1 || msgs[0].Updates != 1 || !strings.Contains(msgs[0].Text, "DAU was 1,234.") {
		t.Errorf("thread has %d messages (first %+v), want the ended stream replaced by the answer", len(msgs), msgs[0])
	}
}

// Where Slack refuses streams, the answer replaces a placeholder.
func TestWorkerFallsBackWhenStreamsAreRefused(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	s.slack.RefuseStreams("method_not_supported_for_channel_type")
	s.agent.answerWith("DAU was 1,234.")
	if err := s.worker.Work(t.Context(), job(question("1700000007.000100"), 1)); err != nil {
		t.Fatal(err)
	}
	msgs := s.slack.Messages()
	if len(msgs) != 1 || msgs[0].Stream || msgs[0].Updates != 1 || !strings.Contains(msgs[0].Text, "DAU was 1,234.") {
		t.Errorf("thread has %d messages (first %+v), want the placeholder replaced by the answer", len(msgs), msgs[0])
	}
}

// Work whose earlier attempts twice ended with their process gone (the
// liveness reaper's or River's rescue note) is answered with a short
// failure message instead of being run again; once is not enough.
func TestWorkerAbandonsWorkThatKeepsKillingItsProcess(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	died := rivertype.AttemptError{Error: "process died: its instance stopped holding its liveness lock (instance host_1_abc)"}
	stuck := rivertype.AttemptError{Error: "Stuck job rescued by JobRescuer"}
	failed := rivertype.AttemptError{Error: "post answer: slack: internal_error"}
	s.agent.answerWith("DAU was 1,234.")

	once := job(question("1700000005.000100"), 3)
	once.Errors = []rivertype.AttemptError{died, failed}
	if err := s.worker.Work(t.Context(), once); err != nil {
		t.Fatal(err)
	}
	if n := s.agent.runs(); n != 1 {
		t.Fatalf("after one lost attempt the agent ran %d times, want 1", n)
	}

	const ts = "1700000006.000100"
	twice := job(question(ts), 3)
	twice.Errors = []rivertype.AttemptError{died, stuck}
	for range 2 { // a retry of the abandoning attempt posts nothing more
		if err := s.worker.Work(t.Context(), twice); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.agent.runs(); n != 1 {
		t.Errorf("work that killed its process twice was run again (%d agent runs)", n)
	}
	var inThread []fake.Message
	for _, m := range s.slack.Messages() {
		if m.ThreadTS == ts {
			inThread = append(inThread, m)
		}
	}
	if len(inThread) != 1 || !strings.Contains(inThread[0].Text, "stopped me twice") {
		t.Errorf("thread has %+v, want one failure message", inThread)
	}
}

// Work whose last attempt died with its process gets one attempt more from
// the reaper: it answers with the failure message, without running.
func TestWorkerAbandonsWorkPastItsLastAttempt(t *testing.T) {
	t.Parallel()
	s := setupWorker(t)
	s.agent.answerWith("DAU was 1,234.")
	const ts = "1700000007.000100"
	past := job(question(ts), 6)
	past.Errors = []rivertype.AttemptError{{Error: "process died: its instance stopped holding its liveness lock (instance host_1_abc)"}}
	if err := s.worker.Work(t.Context(), past); err != nil {
		t.Fatal(err)
	}
	if n := s.agent.runs(); n != 0 {
		t.Errorf("work past its last attempt ran the agent %d times", n)
	}
	if msgs := s.slack.Messages(); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "gave up") {
		t.Errorf("thread has %+v, want one failure message", msgs)
	}
}
