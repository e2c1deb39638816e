package slackbot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/telemetry"
)

// Timing of jobs: a job runs at most jobTimeout. One whose process died is
// handed to a live instance within seconds by the liveness reaper; River
// rescues a job still running after rescueAfter (plus the rescuer's
// interval) as a last resort, for a live process whose job ignores its
// cancellation.
const (
	jobTimeout  = 100 * time.Second
	rescueAfter = 2 * time.Minute
	retention   = 365 * 24 * time.Hour
)

// QueueOptions configures the job queue.
type QueueOptions struct {
	// Workers is how many jobs this process works at once; 0 makes an
	// insert-only queue (HTTP without workers, for scaling out).
	Workers int
	// Worker answers the work; required when Workers > 0.
	Worker WorkerOptions
	// History is purged of rows older than a year by a periodic job.
	History *history.Store
	// Plugins extend River (tracing and metrics of jobs).
	Plugins []rivertype.Plugin
	// ClientID is River's id for this process, the one its liveness
	// instance proves alive; empty lets River pick one.
	ClientID string
	// AddWorkers registers the job kinds of other features (schedules);
	// Queues adds the queues they run on.
	AddWorkers func(*river.Workers) error
	Queues     map[string]river.QueueConfig
	Logger     *slog.Logger
}

// Queue is the durable job queue on PostgreSQL (River).
type Queue struct {
	client  *river.Client[pgx.Tx]
	batch   *batcher
	working bool
	// turns wakes a user's next question when one of theirs is finished;
	// unsubscribe ends its subscription and following the wait for it.
	turns       turns
	unsubscribe func()
	following   sync.WaitGroup
}

// NewQueue builds the queue over the application's pool.
func NewQueue(pool *pgxpool.Pool, opts QueueOptions) (*Queue, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	workers := river.NewWorkers()
	rep := replies{pool: pool}
	opts.Worker.Logger = opts.Logger
	line := newTurns(pool, opts.Worker.MaxQuestionsPerUser, opts.Logger)
	if err := river.AddWorkerSafely(workers, &Worker{opts: opts.Worker, replies: rep, turns: line}); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &purgeWorker{history: opts.History, replies: rep, log: opts.Logger}); err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	if opts.AddWorkers != nil {
		if err := opts.AddWorkers(workers); err != nil {
			return nil, fmt.Errorf("queue: %w", err)
		}
	}
	cfg := &river.Config{
		ID:                   opts.ClientID,
		Schema:               migrations.AppSchema,
		Workers:              workers,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: rescueAfter,
		MaxAttempts:          5,
		FetchCooldown:        20 * time.Millisecond,
		FetchPollInterval:    500 * time.Millisecond,
		Logger:               quietRiverLogger(opts.Logger),
		Plugins:              opts.Plugins,
	}
	if opts.Workers > 0 {
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opts.Workers}}
		maps.Copy(cfg.Queues, opts.Queues)
		cfg.PeriodicJobs = []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(6*time.Hour),
			func() (river.JobArgs, *river.InsertOpts) { return purgeArgs{}, nil },
			&river.PeriodicJobOpts{RunOnStart: true, ID: "purge_history"},
		)}
	}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q := &Queue{client: client, working: opts.Workers > 0, turns: line}
	q.batch = &batcher{insert: q.insertMany}
	return q, nil
}

// Enqueue stores the work durably; a duplicate key is accepted silently.
// Concurrent calls share one transaction (see batcher); each job keeps the
// trace of its own caller. A question behind a long line of its user's is
// stored waiting for its turn.
func (q *Queue) Enqueue(ctx context.Context, w Work) error {
	return q.batch.do(ctx, pendingJob{work: w, metadata: telemetry.TraceMetadata(ctx), at: q.turns.waitingFrom(w, time.Now())})
}

func (q *Queue) insertMany(ctx context.Context, jobs []pendingJob) error {
	params := make([]river.InsertManyParams, len(jobs))
	for i, j := range jobs {
		// Work.InsertOpts still gives uniqueness and attempts.
		params[i] = river.InsertManyParams{Args: j.work, InsertOpts: &river.InsertOpts{Metadata: j.metadata, ScheduledAt: j.at}}
	}
	if _, err := q.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("insert job: %w", err)
	}
	return nil
}

// Start begins working jobs (a no-op for an insert-only queue).
func (q *Queue) Start(ctx context.Context) error {
	if !q.working {
		return nil
	}
	var events <-chan *river.Event
	if q.turns.max > 0 {
		events, q.unsubscribe = q.client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobCancelled)
	}
	if err := q.client.Start(ctx); err != nil {
		q.stopFollowing()
		return fmt.Errorf("start workers: %w", err)
	}
	if events != nil {
		q.following.Go(func() { q.turns.follow(ctx, events) })
	}
	return nil
}

// stopFollowing ends the subscription to finished jobs (stopping the
// client ends it too) and waits for the turns to stop following it.
func (q *Queue) stopFollowing() {
	if q.unsubscribe != nil {
		q.unsubscribe()
	}
	q.following.Wait()
}

// Stop lets running jobs finish until ctx ends, then cancels them: River
// makes a job cancelled this way available again at once, without counting
// the attempt, so another instance takes it over.
func (q *Queue) Stop(ctx context.Context) error {
	if !q.working {
		return nil
	}
	defer q.stopFollowing()
	err := q.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cancelCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		err = q.client.StopAndCancel(cancelCtx)
	}
	if err != nil {
		return fmt.Errorf("stop workers: %w", err)
	}
	return nil
}

// purgeArgs is the periodic retention job.
type purgeArgs struct{}

func (purgeArgs) Kind() string { return "purge_history" }

type purgeWorker struct {
	river.WorkerDefaults[purgeArgs]
	history *history.Store
	replies replies
	log     *slog.Logger
}

// Work deletes question history older than one year.
func (p *purgeWorker) Work(ctx context.Context, _ *river.Job[purgeArgs]) error {
	cutoff := time.Now().Add(-retention)
	if p.history != nil {
		n, err := p.history.Purge(ctx, cutoff)
		if err != nil {
			return err
		}
		p.log.InfoContext(ctx, "purged question history", slog.Int64("rows", n), slog.Time("before", cutoff))
	}
	_, err := p.replies.purge(ctx, time.Now().Add(-30*24*time.Hour))
	return err
}

// quietRiverLogger keeps River's routine messages out of the info log.
func quietRiverLogger(log *slog.Logger) *slog.Logger {
	return slog.New(levelFloor{Handler: log.Handler(), floor: slog.LevelWarn})
}

type levelFloor struct {
	slog.Handler
	floor slog.Level
}

func (l levelFloor) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= l.floor && l.Handler.Enabled(ctx, level)
}

func (l levelFloor) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFloor{Handler: l.Handler.WithAttrs(attrs), floor: l.floor}
}

func (l levelFloor) WithGroup(name string) slog.Handler {
	return levelFloor{Handler: l.Handler.WithGroup(name), floor: l.floor}
}
