package schedule_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schedule"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is one database, one fake Slack and one clock, shared by the
// bot instances a test starts.
type fixture struct {
	db    *pgtest.DB
	slack *fake.Slack
	clock *testClock
	ro    *readonly.DB
	hist  *history.Store
	api   *slack.Client
}

var berlin = mustLocation("Europe/Berlin")

func mustLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func setup(t *testing.T) *fixture {
	t.Helper()
	db := pgtest.NewMigrated(t)
	cfg, err := pgxpool.ParseConfig(db.ReadonlyDSN())
	if err != nil {
		t.Fatal(err)
	}
	readonly.ConfigurePool(cfg)
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s := fake.NewSlack(t)
	return &fixture{
		db: db, slack: s, clock: &testClock{now: time.Date(2026, 11, 29, 12, 0, 0, 0, berlin)}, // a Sunday
		ro:   readonly.New(pool, readonly.Options{Timeout: 5 * time.Second, MaxRows: 1000}),
		hist: history.NewStore(db.Pool),
		api:  slack.New("xoxb-test", slack.OptionAPIURL(s.URL)),
	}
}

// instance is one bot instance: the schedule service and a River client
// that works its jobs.
type instance struct {
	svc    *schedule.Service
	client *river.Client[pgx.Tx]
	events <-chan *river.Event
	cancel func()
}

func (f *fixture) start(t *testing.T, mutate ...func(*schedule.Options)) *instance {
	t.Helper()
	opts := schedule.Options{
		Pool: f.db.Pool, DB: f.ro, History: f.hist, Slack: f.api, Clock: f.clock,
		Curators: []string{"UCURATOR"}, Logger: testLogger(t),
	}
	for _, m := range mutate {
		m(&opts)
	}
	svc, err := schedule.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	workers := river.NewWorkers()
	if err := svc.AddWorkers(workers); err != nil {
		t.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(f.db.Pool), &river.Config{
		Schema: migrations.AppSchema, Queues: schedule.QueueConfig(), Workers: workers,
		FetchCooldown: 10 * time.Millisecond, FetchPollInterval: 50 * time.Millisecond, Logger: testLogger(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	events, cancelSub := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	if err := client.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := &instance{svc: svc, client: client, events: events}
	stopped := false
	in.cancel = func() {
		if stopped {
			return
		}
		stopped = true
		cancelSub()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := client.Stop(ctx); err != nil {
			t.Errorf("stop River: %v", err)
		}
	}
	t.Cleanup(in.cancel)
	return in
}

// tick runs every instance's planner once, at the same time.
func tick(t *testing.T, ins ...*instance) int {
	t.Helper()
	var wg sync.WaitGroup
	counts := make([]int, len(ins))
	for i, in := range ins {
		wg.Go(func() {
			n, err := in.svc.Planner().Tick(t.Context())
			if err != nil {
				t.Errorf("tick: %v", err)
			}
			counts[i] = n
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	return total
}

// waitJobs waits until n jobs have finished on the instances, and fails
// on a job that failed.
func waitJobs(t *testing.T, n int, ins ...*instance) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for done := 0; done < n; {
		for _, in := range ins {
			select {
			case ev := <-in.events:
				switch ev.Kind {
				case river.EventKindJobCompleted:
					done++
				case river.EventKindJobSnoozed: // it comes back
				default:
					t.Fatalf("job %s ended %s: %v", ev.Job.Kind, ev.Kind, ev.Job.Errors)
				}
			case <-deadline:
				t.Fatalf("only %d of %d jobs finished", done, n)
			default:
			}
		}
		if done < n {
			select {
			case <-deadline:
				t.Fatalf("only %d of %d jobs finished", done, n)
			case <-time.After(5 * time.Millisecond):
			}
		}
	}
}

// create stores a schedule directly (the modal's path is tested apart).
func (f *fixture) create(t *testing.T, in *instance, sql string, c schedule.Cadence, cond schedule.Condition) schedule.Schedule {
	t.Helper()
	if cond.Kind == "" {
		cond.Kind = schedule.Always
	}
	sch, err := in.svc.Create(t.Context(), schedule.Draft{
		TeamID: "T0001", CreatorID: "UCREATOR", ChannelID: "C100", Question: "Revenue last week?",
		SQL: sql, Cadence: c, Condition: cond,
	})
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// posts returns the messages posted in a channel.
func posts(s *fake.Slack, channel string) []fake.Message {
	var out []fake.Message
	for _, m := range s.Messages() {
		if m.Channel == channel && !m.Ephemeral {
			out = append(out, m)
		}
	}
	return out
}

func (f *fixture) setSQL(t *testing.T, id int64, sql string) {
	t.Helper()
	if _, err := f.db.Pool.Exec(t.Context(), "UPDATE analytics_bot.schedules SET sql = $2 WHERE id = $1", id, sql); err != nil {
		t.Fatal(err)
	}
}

func contains(m fake.Message, s string) bool {
	blocks := strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(m.Blocks))
	return strings.Contains(m.Text, s) || strings.Contains(blocks, s)
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
