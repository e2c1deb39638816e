package schema

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The demo data is loaded for fixed days so that the goldens are stable.
var demoEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

const demoDays = 90

// setupDemo returns a migrated database holding the analyzed demo data
// and the catalog the read-only role sees of it.
func setupDemo(t *testing.T) (*pgtest.DB, *Catalog) {
	t.Helper()
	db := pgtest.NewMigrated(t)
	if _, err := demodata.Load(t.Context(), db.Pool, demoDays, demoEnd); err != nil {
		t.Fatalf("load demo data: %v", err)
	}
	exec(t, db.Pool, "ANALYZE public.app_metrics")
	return db, introspect(t, db.Readonly)
}

// setupUserSchema adds to the demo database the tables of testdata/
// user_schema.sql: a user's own tables, views and grants, a planted
// comment and value, and tables the read-only role must not see. The
// tables are not analyzed unless analyze is set.
func setupUserSchema(t *testing.T, analyze bool) (*pgtest.DB, *Catalog) {
	t.Helper()
	db, _ := setupDemo(t)
	body, err := os.ReadFile(filepath.Join("testdata", "user_schema.sql"))
	if err != nil {
		t.Fatalf("read user schema: %v", err)
	}
	exec(t, db.Pool, strings.ReplaceAll(string(body), "{{readonly}}", pgx.Identifier{pgtest.ReadonlyUser}.Sanitize()))
	if analyze {
		exec(t, db.Pool, "ANALYZE")
	}
	return db, introspect(t, db.Readonly)
}

func introspect(t *testing.T, db Querier) *Catalog {
	t.Helper()
	cat, err := Introspect(t.Context(), db)
	if err != nil {
		t.Fatalf("Introspect: %v", err)
	}
	return cat
}

func exec(t testing.TB, pool *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := pool.Exec(context.WithoutCancel(t.Context()), sql); err != nil {
		t.Fatalf("exec %.60q: %v", sql, err)
	}
}

// checkGolden compares got with testdata/name.golden, or rewrites the
// file under -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatalf("write golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test ./schema -update writes it): %v", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test ./schema -update accepts it)\n--- got:\n%s\n--- want:\n%s", path, got, want)
	}
}
