package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/config"
	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/pgtest"
	"github.com/analytics-bot/analytics-bot/readonly"
)

// tenRoles is a migrated database with an access file of ten data roles
// (channel C<i> and user U<i> for role i) and the stack serve builds on it.
type tenRoles struct {
	db    *pgtest.DB
	s     *stack
	names []string
}

func newTenRoles(b *testing.B) *tenRoles {
	b.Helper()
	db := pgtest.NewMigrated(b)
	var names []string
	var file strings.Builder
	file.WriteString("roles:\n")
	for i := range 10 {
		n := fmt.Sprintf("i19_%s_r%d", db.Name, i)
		names = append(names, n)
		fmt.Fprintf(&file, "  - name: %s\n    schemas: [public]\n", n)
	}
	file.WriteString("rules:\n")
	for i, n := range names {
		fmt.Fprintf(&file, "  - channels: [C%d]\n    users: [U%d]\n    role: %s\n", i, i, n)
	}
	path := filepath.Join(b.TempDir(), "access.yaml")
	if err := os.WriteFile(path, []byte(file.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	dropRolesAtEndTB(b, db, names...)
	bot := newTestBot(b, botOptions{db: db, noStart: true, env: map[string]string{"ACCESS_FILE": path}})
	var stdout, stderr strings.Builder
	if err := run(context.Background(), []string{"migrate"}, bot.lookup, &stdout, &stderr); err != nil {
		b.Fatalf("migrate: %v\n%s", err, stderr.String())
	}
	ctx := context.Background()
	cfg, log, err := loadConfig(ctx, env{lookup: bot.lookup, stdout: io.Discard, stderr: io.Discard}, config.NeedDatabase)
	if err != nil {
		b.Fatal(err)
	}
	s, err := newStack(ctx, cfg, log, stackOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	return &tenRoles{db: db, s: s, names: names}
}

// dropRolesAtEndTB is dropRolesAtEnd for benchmarks.
func dropRolesAtEndTB(tb testing.TB, db *pgtest.DB, roles ...string) {
	tb.Cleanup(func() {
		ctx := context.Background()
		for _, r := range roles {
			_, _ = db.Pool.Exec(ctx, "DROP OWNED BY "+r)
			if _, err := db.Pool.Exec(ctx, "DROP ROLE IF EXISTS "+r); err != nil {
				tb.Errorf("drop role %s: %v", r, err)
			}
		}
	})
}

// BenchmarkDataRoleOverhead measures what a question pays for data roles
// once cached: choosing the role (the thread's earlier role from
// query_history, then the rules) and the scope's lookup, and a statement
// on the role's own small pool against the same on the read-only pool.
func BenchmarkDataRoleOverhead(b *testing.B) {
	r := newTenRoles(b)
	ctx := context.Background()
	d := r.s.roles
	conv := history.Conversation{TeamID: "T1", ChannelID: "C7", ThreadTS: "1700000000.000100", UserID: "U7"}
	sc, err := d.Scope(ctx, conv) // connects the role's pool
	if err != nil || !sc.Allowed || sc.Role != r.names[7] {
		b.Fatalf("scope = %+v, %v", sc, err)
	}
	role, _ := d.scope(ctx, sc.Role)
	var resolve, onRole, onDefault []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if _, err := d.Scope(ctx, conv); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := role.db.Query(ctx, "SELECT 1"); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		if _, err := r.s.db.Query(ctx, "SELECT 1"); err != nil {
			b.Fatal(err)
		}
		t3 := time.Now()
		resolve, onRole, onDefault = append(resolve, t1.Sub(t0)), append(onRole, t2.Sub(t1)), append(onDefault, t3.Sub(t2))
	}
	b.StopTimer()
	p50 := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return float64(ds[len(ds)/2].Microseconds()) / 1000
	}
	b.ReportMetric(p50(resolve), "resolve-p50-ms")
	b.ReportMetric(p50(onRole)-p50(onDefault), "role-pool-extra-p50-ms")
	b.ReportMetric(p50(onRole), "role-pool-query-p50-ms")
	b.ReportMetric(p50(onDefault), "default-pool-query-p50-ms")
}

// BenchmarkTenDataRolesConnections counts the server connections a bot
// with ten data roles holds: at most rolePoolConns per role while 8
// questions per role run at once, and none once they have been idle
// (here 1 s instead of a minute).
func BenchmarkTenDataRolesConnections(b *testing.B) {
	r := newTenRoles(b)
	ctx := context.Background()
	d, err := newDataRoles(ctx, r.s, nil, readonly.ConfigurePool, func(pc *pgxpool.Config) {
		pc.MaxConnIdleTime, pc.HealthCheckPeriod = time.Second, 250*time.Millisecond
	})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	count := func() int {
		var n int
		if err := r.db.Pool.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND usename = ANY($2)", r.db.Name, r.names).Scan(&n); err != nil {
			b.Fatal(err)
		}
		return n
	}
	for b.Loop() {
		var wg sync.WaitGroup
		var mu sync.Mutex
		peak := 0
		for i := range 10 {
			for range 8 {
				wg.Go(func() {
					conv := history.Conversation{TeamID: "T1", ChannelID: fmt.Sprintf("C%d", i), UserID: fmt.Sprintf("U%d", i)}
					sc, err := d.Scope(ctx, conv)
					if err != nil {
						b.Error(err)
						return
					}
					role, _ := d.scope(ctx, sc.Role)
					if _, err := role.db.Query(ctx, "SELECT count(*) FROM generate_series(1, 2000000)"); err != nil {
						b.Error(err)
					}
					mu.Lock()
					peak = max(peak, count())
					mu.Unlock()
				})
			}
		}
		wg.Wait()
		held := count()
		idleSince := time.Now()
		for count() > 0 && time.Since(idleSince) < 10*time.Second {
			time.Sleep(50 * time.Millisecond)
		}
		b.ReportMetric(float64(peak), "peak-conns")
		b.ReportMetric(float64(held), "held-after-burst")
		b.ReportMetric(float64(count()), "held-after-idle")
		b.ReportMetric(time.Since(idleSince).Seconds(), "s-to-close-idle")
	}
}
