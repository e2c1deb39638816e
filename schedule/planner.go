package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
)

// Queue is the River queue deliveries run on, apart from questions so
// that a burst of slow questions never delays a report.
const Queue = "schedules"

// DeliveryArgs is the River job of one slot of one schedule. The job is
// unique by schedule and slot, so however many planners see the slot, it
// is queued once.
type DeliveryArgs struct {
	ScheduleID int64     `json:"schedule_id" river:"unique"`
	Slot       time.Time `json:"slot" river:"unique"`
	// Late is true when the slot was planned well after it was due (every
	// instance was down across it).
	Late bool `json:"late,omitempty"`
}

// Kind implements river.JobArgs.
func (DeliveryArgs) Kind() string { return "schedule_delivery" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliveryArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Planner queues the deliveries that are due. Every instance with workers
// runs one; rows are claimed with SKIP LOCKED and jobs are unique per
// schedule and slot, so they never plan a slot twice.
type Planner struct {
	pool   *pgxpool.Pool
	client *river.Client[pgx.Tx]
	clock  Clock
	log    *slog.Logger
	// interval is how often it looks; lateAfter is how long after its
	// slot a delivery counts as late.
	interval  time.Duration
	lateAfter time.Duration
	batch     int
}

// Tick plans every slot due now: for each schedule whose next run has
// come, one delivery of its latest due slot (a schedule that missed
// several slots while every instance was down gets one, late), and its
// next run moves past now. It returns how many deliveries it queued.
func (p *Planner) Tick(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := p.tickBatch(ctx)
		total += n
		if err != nil || n < p.batch {
			return total, err
		}
	}
}

func (p *Planner) tickBatch(ctx context.Context) (int, error) {
	now := p.clock.Now()
	var params []river.InsertManyParams
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			SELECT id, frequency, day, time_of_day, time_zone, next_run_at
			FROM analytics_bot.schedules
			WHERE NOT paused AND next_run_at <= $1
			ORDER BY next_run_at
			LIMIT $2
			FOR UPDATE SKIP LOCKED`, now, p.batch)
		if err != nil {
			return err
		}
		type due struct {
			id   int64
			c    Cadence
			next time.Time
		}
		var dues []due
		for rows.Next() {
			var d due
			var freq, clock string
			if err := rows.Scan(&d.id, &freq, &d.c.Day, &clock, &d.c.TimeZone, &d.next); err != nil {
				rows.Close()
				return err
			}
			d.c.Frequency = Frequency(freq)
			d.c.Hour, d.c.Minute = parseClock(clock)
			dues = append(dues, d)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		ids := make([]int64, 0, len(dues))
		nexts := make([]time.Time, 0, len(dues))
		for _, d := range dues {
			slot, next, err := d.c.Latest(d.next, now)
			if err != nil || next.IsZero() {
				// A cadence that stopped making sense (a time zone removed
				// from tzdata) pauses rather than looping.
				p.log.WarnContext(ctx, "pausing a schedule whose cadence is invalid", slog.Int64("schedule_id", d.id), slog.Any("error", err))
				if _, err := tx.Exec(ctx, "UPDATE analytics_bot.schedules SET paused = true, paused_reason = 'its cadence is no longer valid' WHERE id = $1", d.id); err != nil {
					return err
				}
				continue
			}
			ids, nexts = append(ids, d.id), append(nexts, next)
			params = append(params, river.InsertManyParams{Args: DeliveryArgs{
				ScheduleID: d.id, Slot: slot, Late: now.Sub(slot) > p.lateAfter,
			}})
		}
		if len(ids) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `
			UPDATE analytics_bot.schedules s SET next_run_at = u.next
			FROM unnest($1::bigint[], $2::timestamptz[]) AS u(id, next)
			WHERE s.id = u.id`, ids, nexts); err != nil {
			return err
		}
		_, err = p.client.InsertManyTx(ctx, tx, params)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("plan deliveries: %w", err)
	}
	return len(params), nil
}

// Run plans at once (delivering, late, what was missed while no instance
// ran), then every interval until ctx ends.
func (p *Planner) Run(ctx context.Context) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		if n, err := p.Tick(ctx); err != nil && ctx.Err() == nil {
			p.log.WarnContext(ctx, "could not plan scheduled deliveries", slog.Any("error", err))
		} else if n > 0 {
			p.log.DebugContext(ctx, "planned scheduled deliveries", slog.Int("deliveries", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
