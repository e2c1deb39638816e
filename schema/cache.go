package schema

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

const (
	// DefaultTTL is how long a catalog is served when NewCache gets no ttl.
	DefaultTTL = 10 * time.Minute
	// retryAfterFailure is how long a previous catalog is served after a
	// failed refresh before Get tries again, so that a broken database is
	// not introspected on every question.
	retryAfterFailure = 30 * time.Second
)

// Cache keeps the latest Catalog and refreshes it when it is older than
// its ttl. Concurrent callers share one introspection; a failed refresh
// keeps the previous catalog in service and is logged.
type Cache struct {
	db     Querier
	ttl    time.Duration
	logger *slog.Logger
	now    func() time.Time

	mu       sync.Mutex
	catalog  *Catalog
	freshTil time.Time // catalog is served without a refresh until then
	lastMiss time.Time // when RefreshAfterMiss last refreshed
	inflight *load
}

// load is one introspection that several callers may wait for.
type load struct {
	done    chan struct{}
	catalog *Catalog
	err     error
}

// NewCache returns a cache over db, the read-only role's pool. A ttl of
// zero or less means DefaultTTL; a nil logger discards.
func NewCache(db Querier, ttl time.Duration, logger *slog.Logger) *Cache {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Cache{db: db, ttl: ttl, logger: logger, now: time.Now}
}

// Get returns the cached catalog, introspecting first when there is none
// or it is older than the ttl. When that refresh fails, the previous
// catalog is returned; with none, the error is. The catalog is shared by
// every caller and must not be modified.
func (c *Cache) Get(ctx context.Context) (*Catalog, error) {
	for {
		c.mu.Lock()
		previous, fresh := c.catalog, c.now().Before(c.freshTil)
		c.mu.Unlock()
		if previous != nil && fresh {
			return previous, nil
		}
		cat, err := c.load(ctx)
		switch {
		case err == nil:
			return cat, nil
		case ctx.Err() != nil:
			return nil, fmt.Errorf("schema: %w", ctx.Err())
		case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
			continue // the caller that led the load gave up; we have not
		case previous != nil:
			return previous, nil
		}
		return nil, fmt.Errorf("schema: %w", err)
	}
}

// Refresh introspects now (or joins an introspection under way) and
// replaces the cached catalog; on failure the previous one stays.
func (c *Cache) Refresh(ctx context.Context) error {
	if _, err := c.load(ctx); err != nil {
		return fmt.Errorf("schema: refresh: %w", err)
	}
	return nil
}

// RefreshAfterMiss is Refresh for a name the model used that the catalog
// lacks, at most once per interval: a model (or a user) that keeps
// naming unknown tables costs one introspection per interval, not one
// per error. It reports whether it refreshed.
func (c *Cache) RefreshAfterMiss(ctx context.Context, interval time.Duration) (bool, error) {
	c.mu.Lock()
	if !c.lastMiss.IsZero() && c.now().Sub(c.lastMiss) < interval {
		c.mu.Unlock()
		return false, nil
	}
	c.lastMiss = c.now()
	c.mu.Unlock()
	return true, c.Refresh(ctx)
}

// Run refreshes the catalog at once and then every ttl until ctx ends.
// The caller owns the goroutine it runs in; failures are logged.
func (c *Cache) Run(ctx context.Context) {
	ticker := time.NewTicker(c.ttl)
	defer ticker.Stop()
	for {
		_ = c.Refresh(ctx) // logged by load
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// load leads an introspection when none is under way, else waits for the
// one that is.
func (c *Cache) load(ctx context.Context) (*Catalog, error) {
	c.mu.Lock()
	l := c.inflight
	lead := l == nil
	if lead {
		l = &load{done: make(chan struct{})}
		c.inflight = l
	}
	c.mu.Unlock()

	if !lead {
		select {
		case <-l.done:
			return l.catalog, l.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}

	start := c.now()
	l.catalog, l.err = Introspect(ctx, c.db)
	c.mu.Lock()
	switch {
	case l.err == nil:
		c.catalog, c.freshTil = l.catalog, c.now().Add(c.ttl)
	case c.catalog != nil && ctx.Err() == nil:
		c.freshTil = c.now().Add(min(c.ttl, retryAfterFailure))
	}
	c.inflight = nil
	c.mu.Unlock()
	close(l.done)

	if l.err != nil {
		if ctx.Err() == nil {
			c.logger.WarnContext(ctx, "schema introspection failed; serving the previous catalog if any", slog.Any("error", l.err))
		}
		return nil, l.err
	}
	c.logger.DebugContext(ctx, "schema introspected",
		slog.Int("tables", len(l.catalog.Tables)), slog.Duration("took", c.now().Sub(start)))
	return l.catalog, nil
}

// Summary returns the schema summary for a question over the cached
// catalog, ranking tables on the cache's database when the catalog is
// larger than the summary's budget. When the ranking fails, the summary
// falls back to catalog order (logged) rather than failing the question.
func (c *Cache) Summary(ctx context.Context, question string) (*Summary, error) {
	cat, err := c.Get(ctx)
	if err != nil {
		return nil, err
	}
	sum, err := cat.SummaryFor(ctx, c.db, question)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("schema: %w", ctx.Err())
		}
		c.logger.WarnContext(ctx, "ranking tables for the question failed; summarising in catalog order", slog.Any("error", err))
		return cat.summarize(nil), nil
	}
	return sum, nil
}
