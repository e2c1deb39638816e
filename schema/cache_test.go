package schema

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/fake"
	"github.com/jackc/pgx/v5"
)

// flakyDB wraps the real read-only pool: it counts introspections and can
// be made to fail, as an unreachable database would.
type flakyDB struct {
	Querier
	loads atomic.Int32
	fail  atomic.Bool
}

var errUnreachable = errors.New("database unreachable")

func (f *flakyDB) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if f.fail.Load() {
		return nil, errUnreachable
	}
	if sql == tablesSQL {
		f.loads.Add(1)
	}
	return f.Querier.Query(ctx, sql, args...)
}

func (f *flakyDB) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	if f.fail.Load() {
		return errRow{errUnreachable}
	}
	return f.Querier.QueryRow(ctx, sql, args...)
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// clock is a settable time source for the cache.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func setupCache(t *testing.T, ttl time.Duration) (*Cache, *flakyDB, *clock, *fake.LogSink, func(string)) {
	t.Helper()
	db, _ := setupDemo(t)
	flaky := &flakyDB{Querier: db.Readonly}
	logs := &fake.LogSink{}
	cache := NewCache(flaky, ttl, slog.New(slog.NewTextHandler(logs, nil)))
	clk := &clock{now: time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)}
	cache.now = clk.Now
	return cache, flaky, clk, logs, func(sql string) { exec(t, db.Pool, sql) }
}

func TestCacheSharesOneIntrospection(t *testing.T) {
	t.Parallel()
	cache, db, _, _, _ := setupCache(t, time.Hour)

	const callers = 16
	got := make([]*Catalog, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			cat, err := cache.Get(t.Context())
			if err != nil {
				t.Errorf("Get: %v", err)
			}
			got[i] = cat
		})
	}
	wg.Wait()
	if n := db.loads.Load(); n != 1 {
		t.Errorf("%d introspections for %d concurrent callers, want 1", n, callers)
	}
	for _, cat := range got {
		if cat == nil || cat != got[0] {
			t.Fatal("callers got different catalogs")
		}
	}
}

func TestCacheRefreshesAfterTTL(t *testing.T) {
	t.Parallel()
	cache, db, clk, _, execSQL := setupCache(t, time.Minute)

	first, err := cache.Get(t.Context())
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	execSQL("CREATE TABLE public.signups (day date, source text)")
	clk.Advance(59 * time.Second)
	if again, _ := cache.Get(t.Context()); again != first {
		t.Error("catalog reloaded before its ttl")
	}
	clk.Advance(2 * time.Second)
	fresh, err := cache.Get(t.Context())
	if err != nil {
		t.Fatalf("Get after ttl: %v", err)
	}
	if _, ok := fresh.Table("signups"); !ok || db.loads.Load() != 2 {
		t.Errorf("after the ttl the new table is missing (%d introspections)", db.loads.Load())
	}
}

func TestCacheKeepsPreviousCatalogWhenRefreshFails(t *testing.T) {
	t.Parallel()
	cache, db, clk, logs, _ := setupCache(t, time.Minute)

	first, err := cache.Get(t.Context())
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	db.fail.Store(true)
	if err := cache.Refresh(t.Context()); !errors.Is(err, errUnreachable) {
		t.Errorf("Refresh = %v, want the database's error", err)
	}
	clk.Advance(2 * time.Minute)
	got, err := cache.Get(t.Context())
	if err != nil || got != first {
		t.Errorf("Get after a failed refresh = %p, %v; want the previous catalog", got, err)
	}
	if !strings.Contains(logs.String(), "schema introspection failed") || !strings.Contains(logs.String(), errUnreachable.Error()) {
		t.Errorf("failure not logged; logs:\n%s", logs)
	}

	db.fail.Store(false)
	if again, _ := cache.Get(t.Context()); again != first {
		t.Error("retried at once after a failure, want a pause")
	}
	clk.Advance(retryAfterFailure)
	if again, _ := cache.Get(t.Context()); again == first {
		t.Error("did not retry after the pause")
	}
}

func TestCacheGetWithoutCatalogFails(t *testing.T) {
	t.Parallel()
	cache, db, _, _, _ := setupCache(t, time.Minute)
	db.fail.Store(true)
	if _, err := cache.Get(t.Context()); !errors.Is(err, errUnreachable) {
		t.Errorf("Get = %v, want the database's error when nothing is cached", err)
	}
}

func TestCacheRun(t *testing.T) {
	t.Parallel()
	db, _ := setupDemo(t)
	cache := NewCache(db.Readonly, 20*time.Millisecond, nil)

	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { cache.Run(ctx) })
	defer wg.Wait()
	defer cancel()

	exec(t, db.Pool, "CREATE TABLE public.signups (day date, source text)")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		cache.mu.Lock()
		cat := cache.catalog
		cache.mu.Unlock()
		if cat != nil {
			if _, ok := cat.Table("signups"); ok {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("Run did not pick up the new table")
}
