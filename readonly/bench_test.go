package readonly_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// benchReadonly is a migrated database with a year of demo data and a
// read-only pool configured as the bot configures it.
func benchReadonly(b *testing.B, days int, timeout time.Duration) (*readonly.DB, *pgxpool.Pool) {
	b.Helper()
	db := pgtest.NewMigrated(b)
	ctx := context.Background()
	if days > 0 {
		if _, err := demodata.Load(ctx, db.Pool, days, time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, "VACUUM ANALYZE app_metrics"); err != nil {
			b.Fatal(err)
		}
	}
	cfg, err := pgxpool.ParseConfig(db.ReadonlyDSN())
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 2
	readonly.ConfigurePool(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	return readonly.New(pool, readonly.Options{Timeout: timeout, MaxRows: 1000}), pool
}

const overheadSQL = "SELECT platform, sum(dau) FROM app_metrics GROUP BY 1"

// direct runs sql on the same pool with plain pgx: no read-only
// transaction, no timeout, no reset.
func direct(ctx context.Context, pool *pgxpool.Pool, sql string) (int, error) {
	rows, err := pool.Query(ctx, sql)
	if err != nil {
		return 0, err
	}
	values, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	return len(values), err
}

func p50(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkQueryOverhead measures what readonly.DB.Query adds to a small
// aggregate over a year of demo data: BEGIN READ ONLY with a local
// statement timeout, the row cap, and the rollback and reset afterwards.
// The paired run alternates both paths and reports the p50 of each and
// the p50 overhead in µs.
func BenchmarkQueryOverhead(b *testing.B) {
	ro, pool := benchReadonly(b, 365, 15*time.Second)
	ctx := context.Background()

	b.Run("pgx", func(b *testing.B) {
		for b.Loop() {
			if n, err := direct(ctx, pool, overheadSQL); err != nil || n != 3 {
				b.Fatalf("direct: %d rows, %v", n, err)
			}
		}
	})
	b.Run("readonly", func(b *testing.B) {
		for b.Loop() {
			res, err := ro.Query(ctx, overheadSQL)
			if err != nil || len(res.Rows) != 3 {
				b.Fatalf("readonly: %v", err)
			}
		}
	})
	b.Run("paired", func(b *testing.B) {
		var pgxTimes, roTimes []time.Duration
		for b.Loop() {
			start := time.Now()
			if _, err := direct(ctx, pool, overheadSQL); err != nil {
				b.Fatal(err)
			}
			pgxTimes = append(pgxTimes, time.Since(start))
			start = time.Now()
			if _, err := ro.Query(ctx, overheadSQL); err != nil {
				b.Fatal(err)
			}
			roTimes = append(roTimes, time.Since(start))
		}
		pp, pr := p50(pgxTimes), p50(roTimes)
		b.ReportMetric(float64(pp.Microseconds()), "p50-pgx-µs")
		b.ReportMetric(float64(pr.Microseconds()), "p50-readonly-µs")
		b.ReportMetric(float64((pr - pp).Microseconds()), "p50-overhead-µs")
	})
}

// memSampler records the peak heap in use and memory obtained from the OS
// while an export runs.
type memSampler struct {
	stop chan struct{}
	done sync.WaitGroup

	baseHeap, baseSys uint64
	peakHeap, peakSys uint64
}

func startMemSampler() *memSampler {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := &memSampler{stop: make(chan struct{}), baseHeap: m.HeapInuse, baseSys: m.Sys, peakHeap: m.HeapInuse, peakSys: m.Sys}
	s.done.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-tick.C:
				s.sample()
			}
		}
	})
	return s
}

func (s *memSampler) sample() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s.peakHeap = max(s.peakHeap, m.HeapInuse)
	s.peakSys = max(s.peakSys, m.Sys)
}

// Stop ends sampling and returns the growth of heap in use and of memory
// from the OS, in MB.
func (s *memSampler) Stop() (heapMB, sysMB float64) {
	close(s.stop)
	s.done.Wait()
	s.sample()
	const mb = 1 << 20
	return float64(s.peakHeap-s.baseHeap) / mb, float64(s.peakSys-s.baseSys) / mb
}

const millionSQL = "select g, md5(g::text) from generate_series(1,1000000) g"

// BenchmarkExportCSVMillion streams a million rows through CopyCSV into a
// temporary file, as export csv does, and reports the wall time, the file
// size and the peak memory growth while it ran.
func BenchmarkExportCSVMillion(b *testing.B) {
	ro, _ := benchReadonly(b, 0, 2*time.Minute)
	ctx := context.Background()
	dir := b.TempDir()

	var peakHeap, peakSys float64
	var size int64
	for b.Loop() {
		f, err := os.Create(filepath.Join(dir, "export.csv"))
		if err != nil {
			b.Fatal(err)
		}
		sampler := startMemSampler()
		w := bufio.NewWriterSize(f, 256<<10)
		res, err := ro.CopyCSV(ctx, millionSQL, w, readonly.ExportLimits{MaxRows: 1_000_000, MaxBytes: 1 << 30})
		if err == nil {
			err = w.Flush()
		}
		heap, sys := sampler.Stop()
		peakHeap, peakSys = max(peakHeap, heap), max(peakSys, sys)
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != 1_000_000 || res.Truncated {
			b.Fatalf("exported %d rows, truncated %v", res.Rows, res.Truncated)
		}
		info, err := f.Stat()
		if err != nil {
			b.Fatal(err)
		}
		size = info.Size()
		f.Close()
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MB")
	b.ReportMetric(peakHeap, "peak-heap-growth-MB")
	b.ReportMetric(peakSys, "peak-sys-growth-MB")
}
