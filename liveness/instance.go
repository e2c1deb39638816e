package liveness

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options configures an Instance.
type Options struct {
	// ClientID is the River client id of this process (river_job.attempted_by);
	// empty picks a unique one (see ClientID).
	ClientID string
	// Interval is how often the instance beats and the reaper sweeps;
	// default 1 s.
	Interval time.Duration
	// Confirm is how long an instance's lock must stay released before its
	// jobs are taken; default 3 s. It must exceed the time a live process
	// needs to notice a dropped connection and take its lock again (one
	// Interval).
	Confirm time.Duration
	// Metrics counts recovered jobs; nil records nothing.
	Metrics Metrics
	Logger  *slog.Logger
}

// Metrics records failovers; *telemetry.Metrics is one.
type Metrics interface {
	// RecordJobRecovered counts a job taken from a dead instance.
	RecordJobRecovered(ctx context.Context, kind string)
	// RecordFailoverDelay records the time from an instance's death (its
	// last sign of life) to a live instance starting the job again.
	RecordFailoverDelay(ctx context.Context, kind string, delay time.Duration)
}

// WithDefaults returns the options with defaults filled in.
func (o Options) WithDefaults() Options {
	if o.ClientID == "" {
		o.ClientID = NewClientID()
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.Confirm <= 0 {
		o.Confirm = 3 * o.Interval
	}
	if o.Metrics == nil {
		o.Metrics = noMetrics{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func (o Options) validate() error {
	if len(o.ClientID) > 100 {
		return errors.New("liveness: ClientID is longer than River's 100 characters")
	}
	if o.Confirm <= o.Interval {
		return fmt.Errorf("liveness: Confirm (%v) must be longer than Interval (%v)", o.Confirm, o.Interval)
	}
	return nil
}

// NewClientID returns a River client id unique to this process: host,
// process id and a random suffix.
func NewClientID() string {
	host, _ := os.Hostname()
	if len(host) > 60 {
		host = host[:60]
	}
	return strings.Join([]string{host, strconv.Itoa(os.Getpid()), strings.ToLower(rand.Text()[:8])}, "_")
}

// Instance is this process's proof of life: its row in
// analytics_bot.instances and the advisory lock on it, held on a
// dedicated connection. Run keeps it (and, on one instance, the reaper)
// going; Close ends it.
type Instance struct {
	opts    Options
	connCfg *pgx.ConnConfig
	id      int32
	conn    *pgx.Conn // used by one goroutine at a time: Register, then Run, then Close
	reaper  bool      // this connection holds the reaper lock
}

// Register connects on a dedicated connection (settings from pool),
// records the instance and takes its lock. Start River's client with
// ClientID only after Register returns, so that no job is ever attempted
// by an instance without its lock.
func Register(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Instance, error) {
	opts = opts.WithDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	cfg := pool.Config().ConnConfig.Copy()
	cfg.Tracer = nil // a beat a second would drown the traces
	cfg.RuntimeParams["application_name"] = "analytics-bot liveness"
	// A host that vanishes without closing its connection is noticed by
	// the server's keepalives within about 10 s (ignored on Unix sockets).
	cfg.RuntimeParams["tcp_keepalives_idle"] = "4"
	cfg.RuntimeParams["tcp_keepalives_interval"] = "2"
	cfg.RuntimeParams["tcp_keepalives_count"] = "3"
	cfg.RuntimeParams["tcp_user_timeout"] = "10000"
	in := &Instance{opts: opts, connCfg: cfg}
	if err := in.connect(ctx); err != nil {
		return nil, err
	}
	return in, nil
}

// ClientID is the River client id this instance proves alive.
func (in *Instance) ClientID() string { return in.opts.ClientID }

// connect opens the dedicated connection, then records the instance and
// takes its lock in one transaction.
func (in *Instance) connect(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, in.connCfg)
	if err != nil {
		return fmt.Errorf("liveness: connect: %w", err)
	}
	var locked bool
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, register, in.opts.ClientID).Scan(&in.id); err != nil {
			return err
		}
		return tx.QueryRow(ctx, tryLock, instanceLockSpace, in.id).Scan(&locked)
	})
	if err == nil && !locked {
		err = fmt.Errorf("instance %d's lock is held by another session", in.id)
	}
	if err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return fmt.Errorf("liveness: register %s: %w", in.opts.ClientID, err)
	}
	in.conn, in.reaper = conn, false
	return nil
}

// Run beats every Interval until ctx ends, taking the lock again on a
// new connection when the old one drops, and sweeps for dead instances
// while this instance is the reaper. Call Close after Run returns.
func (in *Instance) Run(ctx context.Context) {
	tick := time.NewTicker(in.opts.Interval)
	defer tick.Stop()
	for {
		in.beat(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// beat proves this instance alive and, on the reaper, sweeps once.
func (in *Instance) beat(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, max(in.opts.Interval, 5*time.Second))
	defer cancel()
	if in.conn != nil {
		if _, err := in.conn.Exec(ctx, heartbeat, in.id); err != nil {
			if ctx.Err() != nil {
				return
			}
			in.opts.Logger.WarnContext(ctx, "liveness: lost the connection that proves this instance alive; reconnecting",
				slog.Any("error", err))
			_ = in.conn.Close(context.WithoutCancel(ctx))
			in.conn = nil
		}
	}
	if in.conn == nil {
		if err := in.connect(ctx); err != nil {
			if ctx.Err() == nil {
				in.opts.Logger.ErrorContext(ctx, "liveness: cannot prove this instance alive", slog.Any("error", err))
			}
			return
		}
		in.opts.Logger.InfoContext(ctx, "liveness: lock taken again", slog.String("client_id", in.opts.ClientID))
	}
	if !in.reaper {
		if err := in.conn.QueryRow(ctx, tryLock, reaperLockSpace, 0).Scan(&in.reaper); err != nil {
			return // the next beat finds out whether the connection is gone
		}
		if in.reaper {
			in.opts.Logger.DebugContext(ctx, "liveness: this instance is the reaper", slog.String("client_id", in.opts.ClientID))
		}
	}
	if in.reaper {
		if err := in.sweep(ctx); err != nil && ctx.Err() == nil {
			in.opts.Logger.WarnContext(ctx, "liveness: sweep for dead instances failed", slog.Any("error", err))
		}
	}
}

// Close records a graceful stop and closes the connection, which releases
// the locks. Any job of this instance still running is then handed over by
// the reaper at its next sweep.
func (in *Instance) Close(ctx context.Context) error {
	if in.conn == nil {
		return nil
	}
	_, err := in.conn.Exec(ctx, markStopped, in.id)
	if cerr := in.conn.Close(ctx); err == nil {
		err = cerr
	}
	in.conn = nil
	if err != nil {
		return fmt.Errorf("liveness: close: %w", err)
	}
	return nil
}

type noMetrics struct{}

func (noMetrics) RecordJobRecovered(context.Context, string)                 {}
func (noMetrics) RecordFailoverDelay(context.Context, string, time.Duration) {}
