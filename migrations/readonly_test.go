package migrations_test

import (
	"context"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestReadonlyRoleReadsAnalyticsAndNothingElse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.migrate(f.db.Pool, f.options())
	if _, err := f.db.Pool.Exec(ctx, `
		CREATE TABLE public.app_metrics (day date PRIMARY KEY, platform text, country text, dau int,
		                                 new_users int, sessions int, revenue_usd numeric(12,2), crashes int);
		INSERT INTO public.app_metrics VALUES ('2026-01-01', 'ios', 'US', 10, 1, 20, 1.50, 0);
		INSERT INTO analytics_bot.query_history (question, status) VALUES ('secret question', 'answered');
		INSERT INTO analytics_bot.settings (key, value) VALUES ('k', 'v');`); err != nil {
		t.Fatal(err)
	}
	conn := f.readonlyConn()

	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 1 {
		t.Errorf("SELECT app_metrics = %d, %v; want the row", n, err)
	}

	// The session starts read-only, with the role's own timeout.
	var readOnly, timeout string
	if err := conn.QueryRow(ctx, "SELECT current_setting('default_transaction_read_only'), current_setting('statement_timeout')").Scan(&readOnly, &timeout); err != nil {
		t.Fatal(err)
	}
	if readOnly != "on" || timeout != "3s" {
		t.Errorf("session default_transaction_read_only=%s statement_timeout=%s, want on and 3s", readOnly, timeout)
	}

	for _, stmt := range []string{
		"SELECT * FROM analytics_bot.query_history",
		"SELECT * FROM analytics_bot.settings",
		"SELECT * FROM analytics_bot.river_job",
		"SELECT * FROM analytics_bot.schema_migrations",
		"SELECT * FROM analytics_bot.slack_replies",
		"SELECT pg_read_file('/etc/hostname')",
		"SELECT * FROM pg_ls_dir('.')",
	} {
		assertPermissionDenied(t, conn, stmt)
	}

	// PUBLIC keeps TEMP on the database (migrate leaves PUBLIC alone), but
	// the role's sessions are read-only, where no table can be created.
	if err := try(t, conn, "CREATE TEMP TABLE mine (x int)"); pgCodeOf(err) != "25006" {
		t.Errorf("CREATE TEMP TABLE in the role's read-only session: err = %v, want read_only_sql_transaction (25006)", err)
	}

	// default_transaction_read_only is the role's own to switch off, so it
	// is not the boundary: the grants are. Test them with it off.
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE public.mine (x int)",
		"CREATE TABLE mine (x int)",
		"CREATE SCHEMA mine",
		"INSERT INTO app_metrics VALUES ('2026-01-02', 'ios', 'US', 1, 1, 1, 1, 1)",
		"UPDATE app_metrics SET dau = 0",
		"DELETE FROM app_metrics",
		"TRUNCATE app_metrics",
		"INSERT INTO analytics_bot.query_history (question, status) VALUES ('x', 'answered')",
		"CREATE TABLE analytics_bot.mine (x int)",
		"COPY app_metrics TO '/tmp/abt_copy_out'",
		"ALTER TABLE app_metrics ADD COLUMN x int",
	} {
		assertDenied(t, conn, stmt)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics WHERE dau = 10").Scan(&n); err != nil || n != 1 {
		t.Errorf("app_metrics changed: %d rows, %v", n, err)
	}
}

func TestReadonlyRoleSettingsAndAttributes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.migrate(f.db.Pool, f.options())

	var config []string
	var super, createRole, createDB, inherit, login, replication, bypassRLS bool
	var connLimit int
	err := f.db.Pool.QueryRow(context.Background(), `
		SELECT coalesce(rolconfig, '{}'), rolsuper, rolcreaterole, rolcreatedb, rolinherit, rolcanlogin,
		       rolreplication, rolbypassrls, rolconnlimit
		FROM pg_roles WHERE rolname = $1`, f.role).
		Scan(&config, &super, &createRole, &createDB, &inherit, &login, &replication, &bypassRLS, &connLimit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"statement_timeout=3000ms", "default_transaction_read_only=on"} {
		if !slices.Contains(config, want) {
			t.Errorf("role settings %v lack %s", config, want)
		}
	}
	// The search path is set for this database only: the role is shared.
	var dbConfig []string
	err = f.db.Pool.QueryRow(context.Background(), `
		SELECT coalesce(setconfig, '{}') FROM pg_db_role_setting
		WHERE setrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
		  AND setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())`, f.role).Scan(&dbConfig)
	if err != nil || !slices.Equal(dbConfig, []string{"search_path=public"}) {
		t.Errorf("the role's settings in this database = %v, %v; want search_path=public", dbConfig, err)
	}
	if super || createRole || createDB || inherit || !login || replication || bypassRLS {
		t.Errorf("role attributes super=%v createrole=%v createdb=%v inherit=%v login=%v replication=%v bypassrls=%v",
			super, createRole, createDB, inherit, login, replication, bypassRLS)
	}
	if connLimit <= 0 {
		t.Errorf("connection limit = %d, want a limit", connLimit)
	}
}

func TestReadonlyRoleLeavesEveryGroup(t *testing.T) {
	t.Parallel()
	f := setup(t)
	group := f.newRoleName("abt_grp_")
	f.dropLater(group)
	role := pgx.Identifier{f.role}.Sanitize()
	// An existing role with too much power and a group to inherit from.
	f.admin(
		"CREATE ROLE "+pgx.Identifier{group}.Sanitize()+" NOLOGIN",
		"CREATE ROLE "+role+" LOGIN CREATEDB INHERIT",
		"GRANT "+pgx.Identifier{group}.Sanitize()+" TO "+role,
		"GRANT pg_read_all_data TO "+role,
	)
	f.migrate(f.db.Pool, f.options())

	var groups []string
	err := f.db.Pool.QueryRow(context.Background(), `
		SELECT coalesce(array_agg(g.rolname), '{}') FROM pg_auth_members m
		JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
		WHERE r.rolname = $1`, f.role).Scan(&groups)
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 0 {
		t.Errorf("the read-only role is still a member of %v", groups)
	}
	var createDB bool
	if err := f.db.Pool.QueryRow(context.Background(), "SELECT rolcreatedb FROM pg_roles WHERE rolname = $1", f.role).Scan(&createDB); err != nil {
		t.Fatal(err)
	}
	if createDB {
		t.Error("the existing role kept CREATEDB")
	}
	assertPermissionDenied(t, f.readonlyConn(), "SELECT * FROM analytics_bot.query_history")
}

func TestTablesAddedLaterAreReadable(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.migrate(f.db.Pool, f.options())
	if _, err := f.db.Pool.Exec(ctx, `
		CREATE TABLE public.orders (id int, amount numeric);
		INSERT INTO public.orders VALUES (1, 9.99);
		CREATE TABLE analytics_bot.private_notes (note text);`); err != nil {
		t.Fatal(err)
	}
	conn := f.readonlyConn()
	var amount float64
	if err := conn.QueryRow(ctx, "SELECT amount::float8 FROM public.orders").Scan(&amount); err != nil || amount != 9.99 {
		t.Errorf("a table the owner added later in public: %v, %v; want it readable", amount, err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.private_notes")
}
