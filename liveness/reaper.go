package liveness

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// diedError starts the attempt error the reaper records; the instance's
// client id and ")" follow.
const diedError = "process died: its instance stopped holding its liveness lock (instance "

// recovered is a job the reaper took from a dead instance.
type recovered struct {
	id       int64
	kind     string
	state    string
	instance string
	lastSeen time.Time
}

// sweep starts the confirmation window of instances that lost their lock,
// hands over the running jobs of those that stayed dead, and forgets
// instances gone for a day.
func (in *Instance) sweep(ctx context.Context) error {
	if _, err := in.conn.Exec(ctx, markLost, instanceLockSpace); err != nil {
		return fmt.Errorf("mark lost instances: %w", err)
	}
	rows, err := in.conn.Query(ctx, reap, instanceLockSpace, in.opts.Confirm.Seconds(), diedError)
	if err != nil {
		return fmt.Errorf("recover jobs: %w", err)
	}
	jobs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (recovered, error) {
		var r recovered
		err := row.Scan(&r.id, &r.kind, &r.state, &r.instance, &r.lastSeen)
		return r, err
	})
	if err != nil {
		return fmt.Errorf("recover jobs: %w", err)
	}
	for _, j := range jobs {
		in.opts.Metrics.RecordJobRecovered(ctx, j.kind)
		in.opts.Logger.WarnContext(ctx, "liveness: took a running job from a dead instance",
			slog.Int64("job_id", j.id), slog.String("job_kind", j.kind), slog.String("state", j.state),
			slog.String("dead_instance", j.instance), slog.Time("last_seen", j.lastSeen))
	}
	if _, err := in.conn.Exec(ctx, forget, instanceLockSpace); err != nil {
		return fmt.Errorf("forget old instances: %w", err)
	}
	return nil
}
