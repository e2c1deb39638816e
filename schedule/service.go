package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/agent"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// Querier runs frozen SQL as the read-only role with a normal question's
// limits; *readonly.DB is one.
type Querier interface {
	Query(ctx context.Context, sql string) (*readonly.Result, error)
}

// Recorder writes deliveries to query_history; *history.Store is one.
type Recorder interface {
	Record(ctx context.Context, e history.Entry) (int64, error)
	SetThread(ctx context.Context, id int64, threadTS string) error
}

// HistoryReader finds the answer a "Schedule…" button is under;
// *history.Store is one.
type HistoryReader interface {
	ByID(ctx context.Context, c history.Conversation, id int64) (history.Entry, error)
}

// Answerer answers a question typed into the modal once, to obtain its
// SQL; *agent.Agent is one.
type Answerer interface {
	Run(ctx context.Context, question string, conv history.Conversation) (*agent.Answer, error)
}

// Options configures the schedule service.
type Options struct {
	// Pool is the application's own pool (analytics_bot).
	Pool    *pgxpool.Pool
	DB      Querier
	History interface {
		Recorder
		HistoryReader
	}
	// Agent answers questions typed into "/analytics schedule"; nil
	// refuses them.
	Agent Answerer
	Slack *slack.Client
	// Clock tells the time (SystemClock when nil).
	Clock Clock
	// PerChannel caps the schedules of one channel (SCHEDULES_PER_CHANNEL).
	PerChannel int
	// Curators may change anyone's schedule (CURATORS).
	Curators []string
	// Allowed says whether a user may create a schedule posting in a
	// channel (ALLOWED_CHANNELS, ALLOWED_USERS); nil allows everyone.
	Allowed func(channelID, userID string) bool
	// Roles, when set (ACCESS_FILE), runs each delivery as the data role
	// of its channel instead of DB's role.
	Roles DataRoles
	// Charts posts a chart under a delivery that is a trend or comparison.
	Charts bool
	// PlanInterval is how often the planner looks for due slots (1 s).
	PlanInterval time.Duration
	// LateAfter is how long after its slot a delivery counts as late (2 min).
	LateAfter time.Duration
	Logger    *slog.Logger
}

// WithDefaults fills what was left unset.
func (o Options) WithDefaults() Options {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.PerChannel <= 0 {
		o.PerChannel = 20
	}
	if o.PlanInterval <= 0 {
		o.PlanInterval = time.Second
	}
	if o.LateAfter <= 0 {
		o.LateAfter = 2 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Allowed == nil {
		o.Allowed = func(string, string) bool { return true }
	}
	return o
}

func (o Options) validate() error {
	switch {
	case o.Pool == nil:
		return errors.New("schedule: Options.Pool is required")
	case o.DB == nil:
		return errors.New("schedule: Options.DB is required")
	case o.History == nil:
		return errors.New("schedule: Options.History is required")
	case o.Slack == nil:
		return errors.New("schedule: Options.Slack is required")
	}
	return nil
}

// Service is scheduled questions and alerts: the store, the planner, the
// delivery jobs and the Slack side.
type Service struct {
	store   *Store
	db      Querier
	roles   DataRoles
	history interface {
		Recorder
		HistoryReader
	}
	slack      *slack.Client
	clock      Clock
	log        *slog.Logger
	charts     bool
	perChannel int
	curators   []string
	allowed    func(channelID, userID string) bool
	agent      Answerer
	planner    *Planner
	inserter   *river.Client[pgx.Tx]
}

// New builds the service.
func New(opts Options) (*Service, error) {
	opts = opts.WithDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	// An insert-only River client: the jobs are worked by the bot's queue,
	// which registers them with AddWorkers.
	inserter, err := river.NewClient(riverpgxv5.New(opts.Pool), &river.Config{
		Schema: migrations.AppSchema, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return nil, fmt.Errorf("schedule: %w", err)
	}
	s := &Service{
		store: NewStore(opts.Pool), db: opts.DB, roles: opts.Roles, history: opts.History, slack: opts.Slack, clock: opts.Clock,
		log: opts.Logger, charts: opts.Charts, perChannel: opts.PerChannel, curators: slices.Clone(opts.Curators),
		allowed: opts.Allowed, agent: opts.Agent, inserter: inserter,
	}
	s.planner = &Planner{
		pool: opts.Pool, client: inserter, clock: opts.Clock, log: opts.Logger,
		interval: opts.PlanInterval, lateAfter: opts.LateAfter, batch: 500,
	}
	return s, nil
}

// Store is the service's store.
func (s *Service) Store() *Store { return s.store }

// Planner is the service's planner; Run it where workers run.
func (s *Service) Planner() *Planner { return s.planner }

// AddWorkers registers the schedule jobs with the bot's River workers.
func (s *Service) AddWorkers(w *river.Workers) error {
	if err := river.AddWorkerSafely(w, &deliveryWorker{svc: s}); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	if err := river.AddWorkerSafely(w, &createWorker{svc: s}); err != nil {
		return fmt.Errorf("schedule: %w", err)
	}
	return nil
}

// QueueConfig is the River queue deliveries need on a working client.
func QueueConfig() map[string]river.QueueConfig {
	return map[string]river.QueueConfig{Queue: {MaxWorkers: 50}}
}

// mayChange reports whether a user may pause, resume or delete a
// schedule: its creator or a curator.
func (s *Service) mayChange(sch Schedule, userID string) bool {
	return userID != "" && (sch.CreatorID == userID || slices.Contains(s.curators, userID))
}
