package migrations_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/migrations"
)

func TestMigrateAsNonSuperuserDatabaseOwner(t *testing.T) {
	t.Parallel()
	f := setup(t)
	pool := f.ownerPool()
	res := f.migrate(pool, f.options())
	if !slices.Equal(res.Applied, allMigrations) {
		t.Errorf("applied %v, want %v", res.Applied, allMigrations)
	}
	again := f.migrate(pool, f.options())
	if len(again.Applied) != 0 {
		t.Errorf("second run applied %v", again.Applied)
	}
	if strings.Contains(f.logs.String(), "skipped") {
		t.Errorf("an owner with CREATEROLE skipped steps:\n%s", f.logs)
	}

	// The owner loads the demo data, which creates app_metrics; the
	// read-only role reads it through migrate's default privileges.
	ctx := context.Background()
	if _, err := demodata.Load(ctx, pool, 2, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("load demo data as the owner: %v", err)
	}
	conn := f.readonlyConn()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 2*3*20 {
		t.Errorf("read-only role reads app_metrics: %d, %v", n, err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.query_history")
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.river_job")
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	assertDenied(t, conn, "CREATE TABLE public.mine (x int)")
	var timeout string
	if err := conn.QueryRow(ctx, "SELECT current_setting('statement_timeout')").Scan(&timeout); err != nil || timeout != "3s" {
		t.Errorf("statement_timeout = %q, %v; want the role's 3s", timeout, err)
	}
}

func TestMigrateWithoutCreateRoleUsesTheExistingRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	owner := f.newRoleName("abt_owner_")
	f.dropLater(owner)
	f.admin(
		"CREATE ROLE "+owner+" LOGIN NOCREATEROLE NOSUPERUSER",
		"ALTER DATABASE "+f.db.Name+" OWNER TO "+owner,
		"CREATE ROLE "+f.role+" LOGIN",
	)
	pool := f.pool(owner, "")
	res := f.migrate(pool, f.options())
	if !slices.Equal(res.Applied, allMigrations) {
		t.Errorf("applied %v, want %v", res.Applied, allMigrations)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "skipped") || !strings.Contains(logs, "CREATEROLE") {
		t.Errorf("the steps that need CREATEROLE were not logged as skipped:\n%s", logs)
	}

	ctx := context.Background()
	if _, err := demodata.Load(ctx, pool, 1, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("load demo data as the owner: %v", err)
	}
	conn := f.readonlyConn()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics").Scan(&n); err != nil {
		t.Errorf("read-only role cannot read app_metrics: %v", err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.query_history")
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.settings")
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	assertDenied(t, conn, "CREATE TABLE public.mine (x int)")
}

func TestMigrateWithoutCreateRoleNamesTheMissingRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	owner := f.newRoleName("abt_owner_")
	f.dropLater(owner)
	f.admin(
		"CREATE ROLE "+owner+" LOGIN NOCREATEROLE NOSUPERUSER",
		"ALTER DATABASE "+f.db.Name+" OWNER TO "+owner,
	)
	_, err := migrations.Migrate(context.Background(), f.pool(owner, ""), f.options())
	if err == nil || !strings.Contains(err.Error(), f.role) || !strings.Contains(err.Error(), "CREATEROLE") {
		t.Errorf("err = %v, want it to name the missing role and CREATEROLE", err)
	}
}
