package schedule_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/slack-go/slack"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
	"github.com/analytics-bot/analytics-bot/schedule"
)

// offsetClock is the wall clock moved by an offset, so that a slot can be
// made to fall a moment from now while time still runs.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *offsetClock) aimAt(slot time.Time, ahead time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = slot.Add(-ahead).Sub(time.Now())
}

// BenchmarkDeliveryLatency200 measures, for 200 schedules due in the same
// minute (10 channels of 20), the time from the slot to the posted
// message, with serve's settings: the planner looking every second, the
// schedules queue's 50 workers, 20 connections per pool, a grouped query
// on the demo data rendered as a table and a chart.
//
//	go test -run '^$' -bench DeliveryLatency200 -benchtime 3x ./schedule/
func BenchmarkDeliveryLatency200(b *testing.B) {
	const schedules, channels = 200, 10
	db := pgtest.NewMigrated(b)
	ctx := context.Background()
	if _, err := demodata.Load(ctx, db.Pool, 90, time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	owner := benchPool(b, db.DSN(), nil)
	ro := readonly.New(benchPool(b, db.ReadonlyDSN(), readonly.ConfigurePool), readonly.Options{Timeout: 15 * time.Second, MaxRows: 1000})
	s := fake.NewSlack(b)
	clock := &offsetClock{}
	svc, err := schedule.New(schedule.Options{
		Pool: owner, DB: ro, History: history.NewStore(owner), Slack: slack.New("xoxb-bench", slack.OptionAPIURL(s.URL)),
		Clock: clock, Charts: true, PerChannel: 20,
	})
	if err != nil {
		b.Fatal(err)
	}
	workers := river.NewWorkers()
	if err := svc.AddWorkers(workers); err != nil {
		b.Fatal(err)
	}
	client, err := river.NewClient(riverpgxv5.New(owner), &river.Config{
		Schema: migrations.AppSchema, Queues: schedule.QueueConfig(), Workers: workers,
		FetchCooldown: 20 * time.Millisecond, FetchPollInterval: 500 * time.Millisecond, // serve's settings
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := client.Start(ctx); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Stop(context.Background()) })

	// Every schedule is daily at 09:00 UTC; each iteration is one day's slot.
	slot := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1).Add(9 * time.Hour)
	clock.aimAt(slot, time.Hour)
	for i := range schedules {
		_, err := svc.Create(ctx, schedule.Draft{
			TeamID: "T0001", CreatorID: "U1", ChannelID: fmt.Sprintf("C%03d", i%channels), Question: "DAU by platform, last 7 days",
			SQL:     "SELECT platform, sum(dau) AS dau FROM app_metrics WHERE day > (SELECT max(day) FROM app_metrics) - 7 GROUP BY 1 ORDER BY 1",
			Cadence: schedule.Cadence{Frequency: schedule.Daily, Hour: 9, TimeZone: "UTC"}, Condition: schedule.Condition{Kind: schedule.Always},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { svc.Planner().Run(runCtx) })
	defer func() { stop(); wg.Wait() }()

	var all []time.Duration
	b.ResetTimer()
	for i := range b.N {
		day := slot.AddDate(0, 0, i)
		clock.aimAt(day, 300*time.Millisecond)
		realSlot := time.Now().Add(300 * time.Millisecond)
		lat := waitDelivered(b, owner, day, schedules, realSlot)
		all = append(all, lat...)
	}
	b.StopTimer()
	slices.Sort(all)
	pct := func(p float64) float64 { return all[min(len(all)-1, int(p*float64(len(all))))].Seconds() }
	b.ReportMetric(pct(0.50), "p50-s")
	b.ReportMetric(pct(0.99), "p99-s")
	b.ReportMetric(all[len(all)-1].Seconds(), "max-s")
	b.Logf("%d deliveries of %d schedules due in the same minute: p50 %.2f s, p99 %.2f s, max %.2f s (slot to posted)",
		len(all), schedules, pct(0.50), pct(0.99), all[len(all)-1].Seconds())
}

// waitDelivered waits until every schedule's delivery of slot is posted
// and returns each one's time from the slot (in wall-clock terms) to its
// post.
func waitDelivered(b *testing.B, pool *pgxpool.Pool, slot time.Time, n int, realSlot time.Time) []time.Duration {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var done int
		if err := pool.QueryRow(context.Background(),
			"SELECT count(*) FROM analytics_bot.schedule_deliveries WHERE slot = $1 AND status = 'posted'", slot).Scan(&done); err != nil {
			b.Fatal(err)
		}
		if done == n {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	rows, err := pool.Query(context.Background(),
		"SELECT finished_at FROM analytics_bot.schedule_deliveries WHERE slot = $1 AND status = 'posted'", slot)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []time.Duration
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			b.Fatal(err)
		}
		out = append(out, at.Sub(realSlot))
	}
	if len(out) != n {
		b.Fatalf("%d of %d deliveries posted", len(out), n)
	}
	return out
}

func benchPool(b *testing.B, dsn string, configure func(*pgxpool.Config)) *pgxpool.Pool {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 20 // serve's pools
	if configure != nil {
		configure(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return pool
}
