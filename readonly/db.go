package readonly

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB runs model-written SQL on the read-only role's own pool.
type DB struct {
	pool     *pgxpool.Pool
	timeout  time.Duration
	maxRows  int
	maxBytes int64
	gate     bool
	log      *slog.Logger
}

// Options configures a DB.
type Options struct {
	// Timeout is the statement timeout of every statement (QUERY_TIMEOUT).
	Timeout time.Duration
	// MaxRows caps the rows a query returns (MAX_RESULT_ROWS).
	MaxRows int
	// MaxBytes caps the bytes of a query's result, cells and rows
	// together, as they come off the wire (MAX_RESULT_BYTES).
	MaxBytes int64
	// WithoutGate skips the statement gate. Only tests set it, to measure
	// what the database-side layers hold on their own.
	WithoutGate bool
	// Logger receives connection-reset failures.
	Logger *slog.Logger
}

// New wraps a pool that logs in as the read-only role. Configure the pool
// with ConfigurePool so that a capped query is cancelled on the server
// instead of closing the connection.
func New(pool *pgxpool.Pool, opts Options) *DB {
	if opts.Timeout <= 0 {
		opts.Timeout = 15 * time.Second
	}
	if opts.MaxRows <= 0 {
		opts.MaxRows = 1000
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &DB{
		pool: pool, timeout: opts.Timeout, maxRows: opts.MaxRows, maxBytes: opts.MaxBytes,
		gate: !opts.WithoutGate, log: opts.Logger,
	}
}

// DefaultMaxBytes is the result budget when MAX_RESULT_BYTES is unset.
const DefaultMaxBytes = 8 << 20

// MaxMessageBytes is the largest protocol message a read-only connection
// accepts: one row of a result or of an export. pgx would otherwise
// allocate whatever length the server announces (up to 1 GiB) before the
// row could be looked at; a larger message fails the statement and drops
// the connection, which ends the statement on the server.
const MaxMessageBytes = 8 << 20

// ConfigurePool sets what the read-only pool needs: statements sent with
// the extended protocol (which refuses several statements in one string)
// and never cached (the reset discards them), no protocol message over
// MaxMessageBytes, and context cancellation that asks the server to
// cancel rather than dropping the connection.
func ConfigurePool(cfg *pgxpool.Config) {
	cfg.ConnConfig.MaxProtocolMessageBodyLen = MaxMessageBytes
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.ConnConfig.StatementCacheCapacity = 0
	cfg.ConnConfig.DescriptionCacheCapacity = 0
	cfg.ConnConfig.BuildContextWatcherHandler = func(conn *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: conn, DeadlineDelay: 2 * time.Second}
	}
}

// MaxRows is the row cap of Query.
func (d *DB) MaxRows() int { return d.maxRows }

// MaxBytes is the byte budget of Query.
func (d *DB) MaxBytes() int64 { return d.maxBytes }

// Timeout is the statement timeout.
func (d *DB) Timeout() time.Duration { return d.timeout }

// ErrEmpty is returned for SQL with no statement in it.
var ErrEmpty = errors.New("the SQL is empty")

// resetSQL undoes whatever a statement may have left on the session: the
// transaction, then with DISCARD ALL settings changed with set_config(…,
// false), prepared statements, cursors, advisory locks (which survive a
// rollback), LISTEN registrations and temporary state. DISCARD ALL may not
// run inside a transaction block, so the two go as separate messages.
var resetSQL = []string{"ROLLBACK", "DISCARD ALL"}

// withTx runs fn on a pooled read-only connection inside BEGIN READ ONLY
// with a local statement timeout, then rolls back and resets the
// connection; a connection that cannot be reset is closed, not reused.
func (d *DB) withTx(ctx context.Context, fn func(conn *pgx.Conn) error) error {
	pconn, err := d.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("read-only connection: %w", err)
	}
	conn := pconn.Conn()
	defer func() {
		cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		for _, stmt := range resetSQL {
			if conn.IsClosed() {
				break
			}
			if _, err := conn.PgConn().Exec(cleanupCtx, stmt).ReadAll(); err != nil {
				d.log.WarnContext(ctx, "closing a read-only connection that could not be reset", slog.Any("error", err))
				_ = conn.Close(cleanupCtx)
			}
		}
		pconn.Release()
	}()

	begin := fmt.Sprintf("BEGIN READ ONLY; SET LOCAL statement_timeout = %d", d.timeout.Milliseconds())
	if _, err := conn.PgConn().Exec(ctx, begin).ReadAll(); err != nil {
		return fmt.Errorf("begin read-only transaction: %w", err)
	}
	return fn(conn)
}

// cleanSQL trims whitespace and trailing semicolons, then puts the
// statement through the gate. Its errors are *SQLError.
func (d *DB) cleanSQL(sql string) (string, error) {
	sql = strings.TrimSpace(sql)
	for strings.HasSuffix(sql, ";") {
		sql = strings.TrimSpace(strings.TrimSuffix(sql, ";"))
	}
	if sql == "" {
		return "", &SQLError{Message: ErrEmpty.Error()}
	}
	if d.gate {
		if err := Gate(sql); err != nil {
			return "", err
		}
	}
	return sql, nil
}
