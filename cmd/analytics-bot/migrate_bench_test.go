package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/pgtest"
)

// BenchmarkMigrate500Tables builds the real binary and times `migrate` on
// a database that already holds 500 analytics tables in two schemas
// (ANALYTICS_SCHEMAS=public,sales): the first run (migrations, role and
// grants on every table) and a second one (nothing to apply, grants again).
func BenchmarkMigrate500Tables(b *testing.B) {
	if testing.Short() {
		b.Skip("builds the binary and a 500-table database")
	}
	bin := filepath.Join(b.TempDir(), "analytics-bot")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var first, again time.Duration
	var readable string
	for range b.N {
		db := pgtest.New(b)
		var ddl strings.Builder
		ddl.WriteString("CREATE SCHEMA sales;\n")
		for i := range 500 {
			schema := "public"
			if i%2 == 1 {
				schema = "sales"
			}
			fmt.Fprintf(&ddl, "CREATE TABLE %s.t%03d (id int PRIMARY KEY, name text, amount numeric(12,2), created_at timestamptz);\n", schema, i)
		}
		if _, err := db.Pool.Exec(context.Background(), ddl.String()); err != nil {
			b.Fatal(err)
		}
		env := os.Environ()
		for k, v := range db.Env() {
			env = append(env, k+"="+v)
		}
		env = append(env, "ANALYTICS_SCHEMAS=public,sales")
		run := func() time.Duration {
			cmd := exec.Command(bin, "migrate")
			cmd.Env = env
			start := time.Now()
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			if err != nil {
				b.Fatalf("migrate: %v\n%s", err, out)
			}
			for _, line := range strings.Split(string(out), "\n") {
				if strings.HasPrefix(line, "read-only role") {
					readable = line
				}
			}
			return took
		}
		first += run()
		again += run()
	}
	n := time.Duration(b.N)
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64((first / n).Milliseconds()), "first-ms")
	b.ReportMetric(float64((again / n).Milliseconds()), "again-ms")
	b.Logf("migrate on 500 tables: first run %v, second run %v; %s", (first / n).Round(time.Millisecond), (again / n).Round(time.Millisecond), readable)
}
