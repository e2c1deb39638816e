package migrations_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/migrations"
)

// dangerous are calls the read-only role must not be able to make in a
// database the bot owns.
var dangerous = []string{
	"SELECT pg_logical_emit_message(false, 'x', 'y')",
	"SELECT txid_current()",
	"SELECT pg_current_xact_id()",
	"SELECT query_to_xml('SELECT 1', true, false, '')",
	"SELECT * FROM pg_stat_get_activity(NULL)",
	"SELECT pg_stat_clear_snapshot()",
	"SELECT pg_advisory_lock(1)",
	"SELECT lo_create(0)",
}

func TestMigrateRevokesDangerousFunctionsInTheBotsDatabase(t *testing.T) {
	t.Parallel()
	f := setup(t)
	pool := f.pool(f.superuser(), f.superPassword())
	res := f.migrate(pool, f.options())
	if len(res.ForDBA) != 0 {
		t.Errorf("a superuser owner left statements for a DBA: %v", res.ForDBA)
	}
	ctx := context.Background()
	still, err := migrations.StillCallable(ctx, pool, f.role)
	if err != nil || len(still) != 0 {
		t.Errorf("still callable: %v, %v; want none", still, err)
	}
	conn := f.readonlyConn()
	for _, stmt := range dangerous {
		assertPermissionDenied(t, conn, stmt)
	}
	for setting, want := range map[string]string{"temp_file_limit": "256MB", "work_mem": "8MB"} {
		var got string
		if err := conn.QueryRow(ctx, "SELECT current_setting('"+setting+"')").Scan(&got); err != nil || got != want {
			t.Errorf("%s = %q, %v; want %s", setting, got, err, want)
		}
	}
	// The read-only role cannot lift temp_file_limit itself.
	assertDenied(t, conn, "SET temp_file_limit = -1")

	// Idempotent: a second run has nothing left to revoke.
	if again := f.migrate(pool, f.options()); len(again.ForDBA) != 0 {
		t.Errorf("second run: %v", again.ForDBA)
	}
}

func TestMigrateNamesTheDBAStatementsItCannotRun(t *testing.T) {
	t.Parallel()
	f := setup(t)
	pool := f.ownerPool()
	res := f.migrate(pool, f.options())
	for _, want := range []string{
		"ALTER ROLE \"" + f.role + "\" SET temp_file_limit = '256MB'",
		"REVOKE EXECUTE ON FUNCTION pg_logical_emit_message(boolean,text,text) FROM PUBLIC",
		"REVOKE EXECUTE ON FUNCTION txid_current() FROM PUBLIC",
		"REVOKE EXECUTE ON FUNCTION query_to_xml(text,boolean,boolean,text) FROM PUBLIC",
		"REVOKE EXECUTE ON FUNCTION pg_stat_get_activity(integer) FROM PUBLIC",
	} {
		if !slices.Contains(res.ForDBA, want) {
			t.Errorf("statements for a DBA lack %q:\n%s", want, strings.Join(res.ForDBA, "\n"))
		}
	}
	ctx := context.Background()
	still, err := migrations.StillCallable(ctx, pool, f.role)
	if err != nil || !slices.Contains(still, "txid_current()") {
		t.Errorf("still callable = %v, %v; want txid_current() among them", still, err)
	}

	// Run as a DBA (a superuser, in this database), the statements close the gap.
	for _, stmt := range res.ForDBA {
		if _, err := f.db.Pool.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if still, err := migrations.StillCallable(ctx, pool, f.role); err != nil || len(still) != 0 {
		t.Errorf("after the DBA ran the statements, still callable: %v, %v", still, err)
	}
	assertPermissionDenied(t, f.readonlyConn(), "SELECT txid_current()")
}
