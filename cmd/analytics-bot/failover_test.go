package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/liveness"
)

// The failover tests run two or three instances of the bot on one
// database: real `serve` processes killed with SIGKILL, or in-process
// servers stopped as SIGTERM stops them.

// slowly is a model turn that outlasts the test unless its caller dies.
func slowly(r fake.Response) fake.Response {
	r.Delay = 2 * time.Minute
	return r
}

func sqlTurn() fake.Response {
	return fake.CallTools(fake.CallTool("run_readonly_sql", map[string]string{"sql": platformSQL}))
}

// waitForModelRequests waits until the fake model has received n requests.
func (b *testBot) waitForModelRequests(n int) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(b.model.Requests()) < n {
		if time.Now().After(deadline) {
			b.t.Fatalf("the model received %d requests, want %d", len(b.model.Requests()), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// workJob is the one slack_work job of the test.
func (b *testBot) workJob() *rivertype.JobRow {
	b.t.Helper()
	job := &rivertype.JobRow{}
	var state string
	err := b.db.Pool.QueryRow(context.Background(), `
		SELECT id, state::text, attempt, errors, attempted_by FROM analytics_bot.river_job WHERE kind = 'slack_work'`).
		Scan(&job.ID, &state, &job.Attempt, &job.Errors, &job.AttemptedBy)
	if err != nil {
		b.t.Fatal(err)
	}
	job.State = rivertype.JobState(state)
	return job
}

// waitForJob waits until the test's job is in state, and returns it.
func (b *testBot) waitForJob(state rivertype.JobState) *rivertype.JobRow {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job := b.workJob()
		if job.State == state {
			return job
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("job is %s after errors %+v, want %s", job.State, job.Errors, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// answeredOnce checks that the thread holds one bot message (the
// placeholder, replaced) and the question one history row.
func (b *testBot) answeredOnce(thread string) {
	b.t.Helper()
	if msgs := threadMessages(b.slack, "C100", thread); len(msgs) != 1 {
		b.t.Errorf("%d bot messages in the thread, want 1: %+v", len(msgs), msgs)
	}
	var n int
	if err := b.db.Pool.QueryRow(context.Background(),
		"SELECT count(*) FROM analytics_bot.query_history WHERE thread_ts = $1", thread).Scan(&n); err != nil {
		b.t.Fatal(err)
	}
	if n != 1 {
		b.t.Errorf("%d history rows for the question, want 1", n)
	}
}

// startServer runs another in-process `serve` on the bot's database and
// fakes; tweak adjusts it before it runs. stop cancels its context, as
// SIGTERM does, and waits until Run returns.
func (b *testBot) startServer(tweak func(*server)) (srv *server, stop func()) {
	b.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := newServer(ctx, env{lookup: b.lookup, stdout: io.Discard, stderr: testWriter{b.t}}, roleAll)
	if err != nil {
		cancel()
		b.t.Fatalf("start server: %v", err)
	}
	if tweak != nil {
		tweak(srv)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			b.t.Errorf("server: %v", err)
		}
	}
	b.t.Cleanup(stop)
	return srv, stop
}

// fastSweeps makes an in-process server's liveness reaper sweep ten
// times a second.
func fastSweeps(s *server) {
	s.liveness.Interval, s.liveness.Confirm = 100*time.Millisecond, 300*time.Millisecond
}

func TestKilledInstanceQuestionIsAnsweredOnceByAnother(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	b.model.Script(slowly(sqlTurn()), sqlTurn(), fake.Reply("Yesterday *ios* had the most users."))
	const thread = "1700000101.000100"

	doomed := b.startServe()
	b.url = doomed.url
	b.sendEvent(mention("what was DAU by platform yesterday?", thread, ""))
	b.waitForModelRequests(1) // the doomed instance is mid-answer
	b.startServe()

	doomed.kill()
	killed := time.Now()
	b.waitForTextWithin(10*time.Second, "C100", thread, "Yesterday *ios* had the most users.")
	t.Logf("answered %v after the kill", time.Since(killed).Round(time.Millisecond))
	b.answeredOnce(thread)
	job := b.workJob()
	if job.Attempt != 2 || liveness.LostAttempts(job.Errors) != 1 {
		t.Errorf("job: attempt %d, errors %+v; want attempt 2 after one lost attempt", job.Attempt, job.Errors)
	}
}

func TestWorkThatKillsItsProcessTwiceIsAbandoned(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	b.model.Script(slowly(sqlTurn()), slowly(sqlTurn()), fake.Reply("never sent"))
	const thread = "1700000102.000100"

	first := b.startServe()
	b.url = first.url
	b.sendEvent(mention("what was DAU by platform yesterday?", thread, ""))
	b.waitForModelRequests(1)
	second := b.startServe()
	first.kill()
	b.waitForModelRequests(2) // the second instance took the question over, and dies with it too
	b.startServe()
	second.kill()

	msg := b.waitForText("C100", thread, "stopped me twice")
	if msg.Updates == 0 && !(msg.Stream && !msg.Streaming) {
		t.Error("the failure message did not finish the answer's stream or replace its placeholder")
	}
	if msgs := threadMessages(b.slack, "C100", thread); len(msgs) != 1 {
		t.Errorf("%d bot messages in the thread, want 1", len(msgs))
	}
	if n := len(b.model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2: the third instance must not run the question", n)
	}
	job := b.waitForJob(rivertype.JobStateCompleted)
	if liveness.LostAttempts(job.Errors) != 2 {
		t.Errorf("job: %s after errors %+v; want completed after two lost attempts", job.State, job.Errors)
	}
}

func TestSlowQuestionOnLiveInstanceIsNeverTaken(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	scriptSQLAnswer(b.model, platformSQL, "Yesterday *ios* had the most users.")
	b.model.SetDelay(2500 * time.Millisecond) // two turns: 5 s, fifty sweeps of both reapers
	const thread = "1700000103.000100"

	first, _ := b.startServer(fastSweeps)
	b.url = "http://" + first.Addr()
	b.startServer(fastSweeps)
	b.sendEvent(mention("what was DAU by platform yesterday?", thread, ""))

	b.waitForText("C100", thread, "Yesterday *ios* had the most users.")
	b.answeredOnce(thread)
	job := b.workJob()
	if job.Attempt != 1 || len(job.Errors) != 0 {
		t.Errorf("job: attempt %d, errors %+v; want one attempt and no error", job.Attempt, job.Errors)
	}
	if n := len(b.model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2", n)
	}
}

func TestStoppingInstanceHandsItsQuestionOver(t *testing.T) {
	t.Parallel()
	b := newTestBot(t, botOptions{noStart: true})
	b.model.Script(slowly(sqlTurn()), sqlTurn(), fake.Reply("Yesterday *ios* had the most users."))
	const thread = "1700000104.000100"

	// The stopping instance's reaper is slow: only the handover on stop
	// can explain a quick answer.
	leaving, stop := b.startServer(func(s *server) {
		s.grace = 500 * time.Millisecond
		s.liveness.Interval, s.liveness.Confirm = time.Second, time.Minute
	})
	b.url = "http://" + leaving.Addr()
	b.sendEvent(mention("what was DAU by platform yesterday?", thread, ""))
	b.waitForModelRequests(1)
	b.startServer(func(s *server) { s.liveness.Interval, s.liveness.Confirm = time.Second, time.Minute })

	stopping := time.Now()
	stop()
	t.Logf("stopped in %v", time.Since(stopping).Round(time.Millisecond))
	b.waitForText("C100", thread, "Yesterday *ios* had the most users.")
	t.Logf("answered %v after the stop began", time.Since(stopping).Round(time.Millisecond))
	b.answeredOnce(thread)
	job := b.workJob()
	if job.Attempt != 1 || len(job.Errors) != 0 || len(job.AttemptedBy) != 2 {
		t.Errorf("job: attempt %d by %v, errors %+v; want the handover not counted as an attempt", job.Attempt, job.AttemptedBy, job.Errors)
	}
}
