package liveness_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/analytics-bot/analytics-bot/liveness"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// slowArgs is a job that runs until its worker's release channel closes.
type slowArgs struct{}

func (slowArgs) Kind() string { return "liveness_slow" }

// slowWorker counts its attempts and blocks each until release is closed,
// ignoring cancellation, as a process busy with a question would.
type slowWorker struct {
	river.WorkerDefaults[slowArgs]
	started chan int64
	release chan struct{}
	runs    atomic.Int32
}

func newSlowWorker() *slowWorker {
	return &slowWorker{started: make(chan int64, 10), release: make(chan struct{})}
}

func (w *slowWorker) Work(_ context.Context, job *river.Job[slowArgs]) error {
	w.runs.Add(1)
	w.started <- job.ID
	<-w.release
	return nil
}

// metrics records what the instance reports.
type metrics struct {
	mu        sync.Mutex
	recovered int
	delays    []time.Duration
}

func (m *metrics) RecordJobRecovered(context.Context, string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recovered++
}

func (m *metrics) RecordFailoverDelay(_ context.Context, _ string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.delays = append(m.delays, d)
}

func (m *metrics) snapshot() (int, []time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.recovered, append([]time.Duration(nil), m.delays...)
}

// process is one worker process: its liveness instance and River client.
type process struct {
	in     *liveness.Instance
	client *river.Client[pgx.Tx]
	worker *slowWorker
	stop   context.CancelFunc // stops the beats; nil when not running
}

type setup struct {
	db *pgtest.DB
}

func newSetup(t *testing.T) setup {
	t.Helper()
	return setup{db: pgtest.NewMigrated(t)}
}

// start registers an instance and starts a River client working one job at
// a time under its client id; beat runs the instance's beats (and sweeps).
func (s setup) start(t *testing.T, opts liveness.Options, beat bool) *process {
	t.Helper()
	return s.startOn(t, opts, beat, river.QueueDefault)
}

// startOn is start with the client working another queue than the jobs'.
func (s setup) startOn(t *testing.T, opts liveness.Options, beat bool, queue string) *process {
	t.Helper()
	ctx := context.Background()
	in, err := liveness.Register(ctx, s.db.Pool, opts)
	if err != nil {
		t.Fatal(err)
	}
	p := &process{in: in, worker: newSlowWorker()}
	workers := river.NewWorkers()
	river.AddWorker(workers, p.worker)
	p.client, err = river.NewClient(riverpgxv5.New(s.db.Pool), &river.Config{
		ID: in.ClientID(), Schema: migrations.AppSchema, Workers: workers,
		Queues:        map[string]river.QueueConfig{queue: {MaxWorkers: 1}},
		FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond,
		JobTimeout: -1, Plugins: []rivertype.Plugin{liveness.PickupHook(opts.Metrics)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.client.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	if beat {
		runCtx, cancel := context.WithCancel(ctx)
		p.stop = cancel
		wg.Go(func() { in.Run(runCtx) })
	}
	t.Cleanup(func() {
		p.releaseWork()
		if p.stop != nil {
			p.stop()
		}
		wg.Wait()
		_ = in.Close(ctx)
		stopCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		_ = p.client.Stop(stopCtx)
	})
	return p
}

func (p *process) releaseWork() {
	select {
	case <-p.worker.release:
	default:
		close(p.worker.release)
	}
}

// insert queues one slow job and waits until p works it.
func (s setup) insert(t *testing.T, p *process) int64 {
	t.Helper()
	return s.insertAttempts(t, p, 5)
}

// insertAttempts is insert for a job with maxAttempts attempts.
func (s setup) insertAttempts(t *testing.T, p *process, maxAttempts int) int64 {
	t.Helper()
	res, err := p.client.Insert(context.Background(), slowArgs{}, &river.InsertOpts{MaxAttempts: maxAttempts})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case id := <-p.worker.started:
		if id != res.Job.ID {
			t.Fatalf("worked job %d, want %d", id, res.Job.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the job was not started")
	}
	return res.Job.ID
}

// kill ends the instance's connection the way a dead process does: the
// server sees it close, with no cleanup by the process.
func (s setup) kill(t *testing.T, p *process) {
	t.Helper()
	var n int
	err := s.db.Pool.QueryRow(context.Background(), `
		SELECT count(pg_terminate_backend(a.pid)) FROM pg_stat_activity a
		JOIN analytics_bot.instances i ON i.client_id = $1
		JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' AND l.objid = i.id::oid AND l.objsubid = 2
		    AND l.classid = x'6c697665'::integer::oid
		    AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
		p.in.ClientID()).Scan(&n)
	if err != nil || n != 1 {
		t.Fatalf("terminate the instance's connection: %d terminated, %v", n, err)
	}
}

func (s setup) job(t *testing.T, id int64) *rivertype.JobRow {
	t.Helper()
	var row struct {
		state    string
		attempt  int
		errs     []rivertype.AttemptError
		attempts []string
	}
	err := s.db.Pool.QueryRow(context.Background(),
		"SELECT state::text, attempt, errors, attempted_by FROM analytics_bot.river_job WHERE id = $1", id).
		Scan(&row.state, &row.attempt, &row.errs, &row.attempts)
	if err != nil {
		t.Fatal(err)
	}
	return &rivertype.JobRow{ID: id, State: rivertype.JobState(row.state), Attempt: row.attempt, Errors: row.errs, AttemptedBy: row.attempts}
}

func TestDeadInstanceJobMovesToLiveOneAtOnce(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	m := &metrics{}
	fast := liveness.Options{Interval: 100 * time.Millisecond, Confirm: 300 * time.Millisecond, Metrics: m}
	dead := s.start(t, fast, false)
	id := s.insert(t, dead)

	survivor := s.start(t, fast, true)
	s.kill(t, dead)
	killed := time.Now()
	select {
	case got := <-survivor.worker.started:
		if got != id {
			t.Fatalf("survivor worked job %d, want %d", got, id)
		}
		t.Logf("picked up %v after the kill", time.Since(killed).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatalf("the dead instance's job was not picked up within 10 s: %+v", s.job(t, id))
	}

	job := s.job(t, id)
	if job.Attempt != 2 || len(job.AttemptedBy) != 2 || job.AttemptedBy[1] != survivor.in.ClientID() {
		t.Errorf("job attempt %d by %v, want attempt 2 by the survivor %s", job.Attempt, job.AttemptedBy, survivor.in.ClientID())
	}
	if n := liveness.LostAttempts(job.Errors); n != 1 {
		t.Errorf("LostAttempts = %d, want 1 (errors %+v)", n, job.Errors)
	}
	recovered, delays := m.snapshot()
	if recovered != 1 || len(delays) != 1 {
		t.Fatalf("recorded %d recovered jobs and delays %v, want 1 and one delay", recovered, delays)
	}
	if delays[0] <= 0 || delays[0] > 10*time.Second {
		t.Errorf("failover delay %v, want between 0 and 10 s", delays[0])
	}

	// The dead process's attempt, should it ever return, cannot undo the
	// survivor's: River completes a job only while it is running for it.
	survivor.releaseWork()
	waitState(t, s, id, rivertype.JobStateCompleted)
	dead.releaseWork()
	time.Sleep(300 * time.Millisecond)
	if runs := survivor.worker.runs.Load() + dead.worker.runs.Load(); runs != 2 {
		t.Errorf("%d runs in all, want 2 (one per process)", runs)
	}
}

// A process that starts after another died (systemd restarting the only
// instance) takes its predecessor's jobs over.
func TestRestartedInstanceTakesItsPredecessorsJobs(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	fast := liveness.Options{Interval: 100 * time.Millisecond, Confirm: 300 * time.Millisecond}
	dead := s.start(t, fast, false)
	id := s.insert(t, dead)
	s.kill(t, dead)
	restarted := s.start(t, fast, true)
	select {
	case got := <-restarted.worker.started:
		if got != id {
			t.Fatalf("worked job %d, want %d", got, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the predecessor's job was not taken over: %+v", s.job(t, id))
	}
}

// A job whose last attempt died is not discarded, as River's rescuer would
// do, but gets one attempt more, so that its worker can tell the person.
func TestDeadInstanceLastAttemptGetsOneMore(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	fast := liveness.Options{Interval: 100 * time.Millisecond, Confirm: 300 * time.Millisecond}
	dead := s.start(t, fast, false)
	id := s.insertAttempts(t, dead, 1)
	survivor := s.start(t, fast, true)
	s.kill(t, dead)
	select {
	case <-survivor.worker.started:
	case <-time.After(10 * time.Second):
		t.Fatalf("the job of a dead last attempt was not run again: %+v", s.job(t, id))
	}
	if job := s.job(t, id); job.Attempt != 2 {
		t.Errorf("attempt %d, want 2", job.Attempt)
	}
}

func TestLiveInstanceJobIsNeverTaken(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	m := &metrics{}
	opts := liveness.Options{Interval: 100 * time.Millisecond, Confirm: 1500 * time.Millisecond, Metrics: m}
	// The other process is the reaper, and works another queue so that
	// only a sweep could give it the job.
	reaper := s.startOn(t, opts, true, "other")
	time.Sleep(300 * time.Millisecond)
	slow := s.start(t, opts, true)
	id := s.insert(t, slow)

	// The job runs for 30 sweeps; halfway, the slow process's connection
	// drops, as a network blip or a database restart would do: it takes
	// its lock again before the confirmation window ends.
	time.Sleep(1500 * time.Millisecond)
	s.kill(t, slow)
	time.Sleep(1500 * time.Millisecond)

	job := s.job(t, id)
	if job.State != rivertype.JobStateRunning || job.Attempt != 1 || len(job.Errors) != 0 {
		t.Fatalf("live instance's job: state %s, attempt %d, errors %+v; want running, attempt 1, no errors", job.State, job.Attempt, job.Errors)
	}
	slow.releaseWork()
	waitState(t, s, id, rivertype.JobStateCompleted)
	if recovered, _ := m.snapshot(); recovered != 0 {
		t.Errorf("%d jobs recovered from live instances", recovered)
	}
	if runs := reaper.worker.runs.Load() + slow.worker.runs.Load(); runs != 1 {
		t.Errorf("the job ran %d times, want once", runs)
	}
}

func TestGracefullyStoppedInstanceHandsOverAtOnce(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	// A long confirmation window: only a graceful stop can explain a
	// quick handover.
	opts := liveness.Options{Interval: 100 * time.Millisecond, Confirm: time.Minute}
	leaving := s.start(t, opts, false)
	id := s.insert(t, leaving)
	survivor := s.start(t, opts, true)

	if err := leaving.in.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-survivor.worker.started:
		if got != id {
			t.Fatalf("survivor worked job %d, want %d", got, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("the stopped instance's job was not handed over: %+v", s.job(t, id))
	}
}

func TestRegisterRefusesALockHeldElsewhere(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	first, err := liveness.Register(context.Background(), s.db.Pool, liveness.Options{ClientID: "twin"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = first.Close(context.Background()) })
	if _, err := liveness.Register(context.Background(), s.db.Pool, liveness.Options{ClientID: "twin"}); err == nil {
		t.Fatal("a second process registered under a client id whose lock is held")
	}
}

func TestOptionsAreValidated(t *testing.T) {
	t.Parallel()
	s := newSetup(t)
	_, err := liveness.Register(context.Background(), s.db.Pool, liveness.Options{Interval: time.Second, Confirm: time.Second})
	if err == nil {
		t.Error("Confirm equal to Interval was accepted")
	}
}

func TestLostAttemptsCountsOnlyAttemptsThatNeverReported(t *testing.T) {
	t.Parallel()
	died := rivertype.AttemptError{Error: "process died: its instance stopped holding its liveness lock (instance h_1_x)"}
	stuck := rivertype.AttemptError{Error: "Stuck job rescued by JobRescuer"}
	failed := rivertype.AttemptError{Error: "post answer: slack: internal_error"}
	timedOut := rivertype.AttemptError{Error: context.DeadlineExceeded.Error()}
	for _, tc := range []struct {
		errs []rivertype.AttemptError
		want int
	}{
		{nil, 0},
		{[]rivertype.AttemptError{failed, timedOut}, 0},
		{[]rivertype.AttemptError{died}, 1},
		{[]rivertype.AttemptError{failed, died, timedOut, stuck}, 2},
	} {
		if got := liveness.LostAttempts(tc.errs); got != tc.want {
			t.Errorf("LostAttempts(%v) = %d, want %d", tc.errs, got, tc.want)
		}
	}
}

func waitState(t *testing.T, s setup, id int64, want rivertype.JobState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		job := s.job(t, id)
		if job.State == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s", id, job.State, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
