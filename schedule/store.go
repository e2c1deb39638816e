package schedule

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store keeps schedules and their deliveries in analytics_bot.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store over the application's pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

const scheduleColumns = `s.id, s.created_at, s.team_id, s.channel_id, s.creator_id, s.question, s.sql,
    coalesce(s.history_id, 0), s.frequency, s.day, s.time_of_day, s.time_zone, s.condition,
    coalesce(s.threshold, 0), coalesce(s.window_size, 0), s.paused, coalesce(s.paused_reason, ''),
    s.next_run_at, s.failures`

func scanSchedule(row pgx.Row, extra ...any) (Schedule, error) {
	var s Schedule
	var freq, clock, cond string
	dest := append([]any{&s.ID, &s.CreatedAt, &s.TeamID, &s.ChannelID, &s.CreatorID, &s.Question, &s.SQL,
		&s.HistoryID, &freq, &s.Cadence.Day, &clock, &s.Cadence.TimeZone, &cond,
		&s.Condition.Threshold, &s.Condition.Window, &s.Paused, &s.PausedReason, &s.NextRunAt, &s.Failures}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Schedule{}, err
	}
	s.Cadence.Frequency = Frequency(freq)
	s.Cadence.Hour, s.Cadence.Minute = parseClock(clock)
	s.Condition.Kind = ConditionKind(cond)
	return s, nil
}

// parseClock reads "HH:MM"; a malformed value reads as midnight.
func parseClock(s string) (int, int) {
	h, m, _ := strings.Cut(s, ":")
	hour, err1 := strconv.Atoi(h)
	minute, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	return hour, minute
}

// Create stores a new schedule, whose NextRunAt the caller has set,
// unless its channel already has max schedules (ErrChannelFull).
func (st *Store) Create(ctx context.Context, s Schedule, max int) (Schedule, error) {
	err := pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		// Two people creating the last allowed schedule at once take turns.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('schedules:' || $1 || ':' || $2))", s.TeamID, s.ChannelID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM analytics_bot.schedules WHERE team_id = $1 AND channel_id = $2",
			s.TeamID, s.ChannelID).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return ErrChannelFull
		}
		return tx.QueryRow(ctx, `
			INSERT INTO analytics_bot.schedules
			    (team_id, channel_id, creator_id, question, sql, history_id, frequency, day, time_of_day, time_zone,
			     condition, threshold, window_size, next_run_at)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0), $7, $8, $9, $10, $11, $12, NULLIF($13, 0), $14)
			RETURNING id, created_at`,
			s.TeamID, s.ChannelID, s.CreatorID, s.Question, s.SQL, s.HistoryID, string(s.Cadence.Frequency), s.Cadence.Day,
			s.Cadence.Clock(), s.Cadence.TimeZone, string(s.Condition.Kind), s.Condition.Threshold, s.Condition.Window,
			s.NextRunAt).Scan(&s.ID, &s.CreatedAt)
	})
	if errors.Is(err, ErrChannelFull) {
		return Schedule{}, err
	}
	if err != nil {
		return Schedule{}, fmt.Errorf("create schedule: %w", err)
	}
	return s, nil
}

// Get reads one schedule, or ErrNotFound.
func (st *Store) Get(ctx context.Context, id int64) (Schedule, error) {
	s, err := scanSchedule(st.pool.QueryRow(ctx, "SELECT "+scheduleColumns+" FROM analytics_bot.schedules s WHERE s.id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Schedule{}, ErrNotFound
	}
	if err != nil {
		return Schedule{}, fmt.Errorf("read schedule %d: %w", id, err)
	}
	return s, nil
}

// Channel lists a channel's schedules, oldest first, each with its latest
// finished delivery.
func (st *Store) Channel(ctx context.Context, teamID, channelID string) ([]Schedule, error) {
	rows, err := st.pool.Query(ctx, `
		SELECT `+scheduleColumns+`, d.slot, d.status, d.row_count, d.finished_at, d.late
		FROM analytics_bot.schedules s
		LEFT JOIN LATERAL (
		    SELECT slot, status, coalesce(row_count, 0) AS row_count, finished_at, late
		    FROM analytics_bot.schedule_deliveries
		    WHERE schedule_id = s.id AND status <> 'running'
		    ORDER BY slot DESC LIMIT 1
		) d ON true
		WHERE s.team_id = $1 AND s.channel_id = $2
		ORDER BY s.id`, teamID, channelID)
	if err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	defer rows.Close()
	var out []Schedule
	for rows.Next() {
		var slot, finished *time.Time
		var status *string
		var rowCount *int
		var late *bool
		s, err := scanSchedule(rows, &slot, &status, &rowCount, &finished, &late)
		if err != nil {
			return nil, fmt.Errorf("list schedules: %w", err)
		}
		if slot != nil {
			s.Last = &Delivery{ScheduleID: s.ID, Slot: *slot, Status: DeliveryStatus(*status), RowCount: *rowCount, Late: *late}
			if finished != nil {
				s.Last.FinishedAt = *finished
			}
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list schedules: %w", err)
	}
	return out, nil
}

// Pause stops a schedule's deliveries; reason is empty when a person
// paused it.
func (st *Store) Pause(ctx context.Context, id int64, reason string) error {
	return st.exec(ctx, "pause schedule", `
		UPDATE analytics_bot.schedules SET paused = true, paused_reason = NULLIF($2, ''), updated_at = now()
		WHERE id = $1`, id, reason)
}

// Resume restarts a paused schedule from next, its first run after now:
// the slots it missed while paused are not delivered.
func (st *Store) Resume(ctx context.Context, id int64, next time.Time) error {
	return st.exec(ctx, "resume schedule", `
		UPDATE analytics_bot.schedules
		SET paused = false, paused_reason = NULL, failures = 0, next_run_at = $2, updated_at = now()
		WHERE id = $1`, id, next)
}

// Delete removes a schedule and its deliveries.
func (st *Store) Delete(ctx context.Context, id int64) error {
	return st.exec(ctx, "delete schedule", "DELETE FROM analytics_bot.schedules WHERE id = $1", id)
}

func (st *Store) exec(ctx context.Context, what, sql string, args ...any) error {
	tag, err := st.pool.Exec(ctx, sql, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if tag.RowsAffected() == 0 {
		return ErrNotFound
	}
	return nil
}

// start claims a slot for delivery. started is false when an earlier
// attempt already finished it; historyID is the query_history row an
// earlier attempt recorded, so that a retry does not record it again.
func (st *Store) start(ctx context.Context, id int64, slot time.Time, late bool) (started bool, historyID int64, err error) {
	var status string
	err = st.pool.QueryRow(ctx, `
		WITH ins AS (
		    INSERT INTO analytics_bot.schedule_deliveries (schedule_id, slot, late) VALUES ($1, $2, $3)
		    ON CONFLICT (schedule_id, slot) DO NOTHING
		    RETURNING status, history_id
		)
		SELECT status, coalesce(history_id, 0) FROM ins
		UNION ALL
		SELECT status, coalesce(history_id, 0) FROM analytics_bot.schedule_deliveries WHERE schedule_id = $1 AND slot = $2
		LIMIT 1`, id, slot, late).Scan(&status, &historyID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, 0, nil // another attempt is inserting it at this moment
	}
	if err != nil {
		return false, 0, fmt.Errorf("start delivery: %w", err)
	}
	return DeliveryStatus(status) == StatusRunning, historyID, nil
}

// recorded notes the query_history row of a running delivery.
func (st *Store) recorded(ctx context.Context, id int64, slot time.Time, historyID int64) error {
	if _, err := st.pool.Exec(ctx, `
		UPDATE analytics_bot.schedule_deliveries SET history_id = $3 WHERE schedule_id = $1 AND slot = $2`,
		id, slot, historyID); err != nil {
		return fmt.Errorf("note the delivery's history row: %w", err)
	}
	return nil
}

// evidence reads what a condition needs: the last posted value and the
// values of up to window earlier deliveries, newest first.
func (st *Store) evidence(ctx context.Context, id int64, slot time.Time, window int) (Evidence, error) {
	var e Evidence
	err := st.pool.QueryRow(ctx, `
		SELECT value FROM analytics_bot.schedule_deliveries
		WHERE schedule_id = $1 AND slot < $2 AND status = 'posted' AND value IS NOT NULL
		ORDER BY slot DESC LIMIT 1`, id, slot).Scan(&e.LastPosted)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return e, fmt.Errorf("read the last delivery: %w", err)
	}
	rows, err := st.pool.Query(ctx, `
		SELECT value FROM analytics_bot.schedule_deliveries
		WHERE schedule_id = $1 AND slot < $2 AND status IN ('posted', 'withheld') AND value IS NOT NULL
		ORDER BY slot DESC LIMIT $3`, id, slot, max(window, 1))
	if err != nil {
		return e, fmt.Errorf("read earlier deliveries: %w", err)
	}
	e.Recent, err = pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		return e, fmt.Errorf("read earlier deliveries: %w", err)
	}
	return e, nil
}

// finish records a delivery that ran (posted or withheld) and clears the
// schedule's run of failures.
func (st *Store) finish(ctx context.Context, d Delivery) error {
	return pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE analytics_bot.schedule_deliveries
			SET status = $3, value = $4, row_count = $5, history_id = NULLIF($6, 0), message_ts = NULLIF($7, ''),
			    finished_at = now(), error = NULL
			WHERE schedule_id = $1 AND slot = $2`,
			d.ScheduleID, d.Slot, string(d.Status), d.Value, d.RowCount, d.HistoryID, d.MessageTS); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
		if _, err := tx.Exec(ctx, "UPDATE analytics_bot.schedules SET failures = 0 WHERE id = $1", d.ScheduleID); err != nil {
			return fmt.Errorf("finish delivery: %w", err)
		}
		return nil
	})
}

// fail records a failed delivery and counts it; the schedule is paused
// at maxFailures in a row. It returns the count and whether it paused.
func (st *Store) fail(ctx context.Context, d Delivery, reason string) (failures int, paused bool, err error) {
	err = pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			UPDATE analytics_bot.schedule_deliveries
			SET status = 'failed', error = $3, history_id = NULLIF($4, 0), finished_at = now()
			WHERE schedule_id = $1 AND slot = $2`, d.ScheduleID, d.Slot, d.Error, d.HistoryID); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			UPDATE analytics_bot.schedules
			SET failures = failures + 1,
			    paused = paused OR failures + 1 >= $2,
			    paused_reason = CASE WHEN NOT paused AND failures + 1 >= $2 THEN $3 ELSE paused_reason END,
			    updated_at = now()
			WHERE id = $1
			RETURNING failures, paused`, d.ScheduleID, maxFailures, reason).Scan(&failures, &paused)
	})
	if err != nil {
		return 0, false, fmt.Errorf("record failed delivery: %w", err)
	}
	return failures, paused, nil
}

// Deliveries lists a schedule's deliveries, oldest first.
func (st *Store) Deliveries(ctx context.Context, id int64) ([]Delivery, error) {
	rows, err := st.pool.Query(ctx, `
		SELECT schedule_id, slot, late, status, value, coalesce(row_count, 0), coalesce(history_id, 0),
		       coalesce(message_ts, ''), coalesce(error, ''), coalesce(finished_at, created_at)
		FROM analytics_bot.schedule_deliveries WHERE schedule_id = $1 ORDER BY slot`, id)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Delivery, error) {
		var d Delivery
		var status string
		err := r.Scan(&d.ScheduleID, &d.Slot, &d.Late, &status, &d.Value, &d.RowCount, &d.HistoryID, &d.MessageTS, &d.Error, &d.FinishedAt)
		d.Status = DeliveryStatus(status)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	return out, nil
}
