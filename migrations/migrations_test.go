package migrations_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/migrations"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// allMigrations are the numbered files a fresh database receives.
var allMigrations = []string{"0001_app_metrics.sql", "0002_query_history.sql", "0003_settings.sql", "0004_slack_replies.sql"}

const roTimeout = 3 * time.Second

// fixture is a fresh, unmigrated database and a read-only role name of its
// own, so that tests never share a role (roles belong to the whole server).
type fixture struct {
	t    *testing.T
	db   *pgtest.DB
	role string
	logs *logBuffer
	// dropLater registers another role to drop after the database.
	dropLater func(name string)
}

// setup creates the database and names a role; every role registered with
// f.dropLater is dropped after the database is, when the test ends.
func setup(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, logs: &logBuffer{}}
	var roles []string
	var mu sync.Mutex
	// Registered before pgtest.New, so it runs after the database is dropped.
	t.Cleanup(func() {
		mu.Lock()
		defer mu.Unlock()
		if f.db != nil {
			f.dropRoles(roles)
		}
	})
	f.db = pgtest.New(t)
	f.role = f.newRoleName("abt_ro_")
	roles = append(roles, f.role)
	f.dropLater = func(name string) {
		mu.Lock()
		defer mu.Unlock()
		roles = append(roles, name)
	}
	return f
}

func (f *fixture) newRoleName(prefix string) string {
	return prefix + strings.ToLower(rand.Text()[:12])
}

func (f *fixture) options() migrations.Options {
	return migrations.Options{
		ReadonlyUser:     f.role,
		ReadonlyPassword: "ro-password",
		StatementTimeout: roTimeout,
		Logger:           f.logs.logger(),
	}
}

func (f *fixture) migrate(pool *pgxpool.Pool, opts migrations.Options) *migrations.Result {
	f.t.Helper()
	res, err := migrations.Migrate(context.Background(), pool, opts)
	if err != nil {
		f.t.Fatalf("migrate: %v\nlogs:\n%s", err, f.logs)
	}
	return res
}

func (f *fixture) connConfig(user, password, database string) *pgx.ConnConfig {
	f.t.Helper()
	cfg, err := pgx.ParseConfig(f.db.DSN())
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.User, cfg.Password = user, password
	if database != "" {
		cfg.Database = database
	}
	return cfg
}

// connect opens a connection to the test database as user.
func (f *fixture) connect(user, password string) *pgx.Conn {
	f.t.Helper()
	conn, err := pgx.ConnectConfig(context.Background(), f.connConfig(user, password, ""))
	if err != nil {
		f.t.Fatalf("connect as %s: %v", user, err)
	}
	f.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// pool opens a pool on the test database as user; closed before the
// database is dropped.
func (f *fixture) pool(user, password string) *pgxpool.Pool {
	f.t.Helper()
	cfg, err := pgxpool.ParseConfig(f.db.DSN())
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.ConnConfig.User, cfg.ConnConfig.Password = user, password
	cfg.MaxConns = 4
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	f.t.Cleanup(p.Close)
	return p
}

// admin runs statements as the server's superuser in the maintenance
// database.
func (f *fixture) admin(stmts ...string) {
	f.t.Helper()
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, f.connConfig(f.superuser(), f.superPassword(), "postgres"))
	if err != nil {
		f.t.Fatalf("admin connect: %v", err)
	}
	defer conn.Close(ctx)
	for _, s := range stmts {
		if _, err := conn.Exec(ctx, s); err != nil {
			f.t.Fatalf("admin: %s: %v", s, err)
		}
	}
}

func (f *fixture) superuser() string     { return f.db.Env()["POSTGRES_USER"] }
func (f *fixture) superPassword() string { return f.db.Env()["POSTGRES_PASSWORD"] }

func (f *fixture) dropRoles(roles []string) {
	ctx := context.Background()
	conn, err := pgx.ConnectConfig(ctx, f.connConfig(f.superuser(), f.superPassword(), "postgres"))
	if err != nil {
		f.t.Errorf("drop roles: connect: %v", err)
		return
	}
	defer conn.Close(ctx)
	// Dropped in reverse: a role created later may have been created by
	// (or granted to) an earlier one.
	for _, r := range slices.Backward(roles) {
		ident := pgx.Identifier{r}.Sanitize()
		_, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
		if err != nil {
			_, _ = conn.Exec(ctx, "DROP OWNED BY "+ident)
			_, err = conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
		}
		if err != nil {
			f.t.Errorf("drop role %s: %v", r, err)
		}
	}
}

// snapshot renders everything migrate creates or grants in the database:
// relations, columns, indexes, constraints, comments, ACLs, default
// privileges, the database's ACL, the role's settings and the migration
// records (without their timestamps).
func snapshot(t *testing.T, db *pgxpool.Pool, role string) string {
	t.Helper()
	var out string
	err := db.QueryRow(context.Background(), `
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('public', 'analytics_bot'))
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
    SELECT format('schema %s owner=%s acl=%s', nspname, pg_get_userbyid(nspowner), nspacl) AS line
    FROM pg_namespace WHERE oid IN (SELECT oid FROM ns)
  UNION ALL
    SELECT format('rel %s.%s kind=%s acl=%s comment=%s', ns.nspname, c.relname, c.relkind, c.relacl, obj_description(c.oid, 'pg_class'))
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
    SELECT format('col %s.%s.%s %s notnull=%s default=%s acl=%s comment=%s', ns.nspname, c.relname, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attacl,
                  col_description(c.oid, a.attnum))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'v', 'p')
  UNION ALL
    SELECT format('index %s', indexdef) FROM pg_indexes WHERE schemaname IN ('public', 'analytics_bot')
  UNION ALL
    SELECT format('constraint %s.%s %s', c.conrelid::regclass, c.conname, pg_get_constraintdef(c.oid))
    FROM pg_constraint c JOIN ns ON ns.oid = c.connamespace
  UNION ALL
    SELECT format('function %s', p.oid::regprocedure) FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
    SELECT format('type %s', t.oid::regtype) FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype = 'e'
  UNION ALL
    SELECT format('default acl %s %s %s %s', pg_get_userbyid(defaclrole), defaclnamespace::regnamespace, defaclobjtype, defaclacl)
    FROM pg_default_acl
  UNION ALL
    SELECT format('database acl %s', datacl) FROM pg_database WHERE datname = current_database()
  UNION ALL
    SELECT format('role %s config=%s', rolname, rolconfig) FROM pg_roles WHERE rolname = $1
  UNION ALL
    SELECT format('migration %s', version) FROM analytics_bot.schema_migrations
  UNION ALL
    SELECT format('river migration %s %s', line, version) FROM analytics_bot.river_migration
) s`, role).Scan(&out)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return out
}

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()

	first := f.migrate(f.db.Pool, f.options())
	if !slices.Equal(first.Applied, allMigrations) {
		t.Errorf("first run applied %v, want %v", first.Applied, allMigrations)
	}
	before := snapshot(t, f.db.Pool, f.role)

	second := f.migrate(f.db.Pool, f.options())
	if len(second.Applied) != 0 {
		t.Errorf("second run applied %v, want nothing", second.Applied)
	}
	if after := snapshot(t, f.db.Pool, f.role); after != before {
		t.Errorf("the second run changed the schema:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	pending, err := migrations.Pending(ctx, f.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Errorf("Pending after migrate = %v, want none", pending)
	}
}

func TestPendingListsUnappliedMigrations(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.migrate(f.db.Pool, f.options())
	if _, err := f.db.Pool.Exec(ctx, "DELETE FROM analytics_bot.schema_migrations WHERE version = $1", allMigrations[3]); err != nil {
		t.Fatal(err)
	}
	pending, err := migrations.Pending(ctx, f.db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pending, allMigrations[3:]) {
		t.Errorf("Pending = %v, want %v", pending, allMigrations[3:])
	}
}

func TestConcurrentMigrationsOfOneDatabaseBothSucceed(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const runs = 3
	results := make([]*migrations.Result, runs)
	errs := make([]error, runs)
	var wg sync.WaitGroup
	for i := range runs {
		// Each run has its own pool, as separate instances would.
		pool := f.pool(f.superuser(), f.superPassword())
		wg.Go(func() {
			results[i], errs[i] = migrations.Migrate(context.Background(), pool, f.options())
		})
	}
	wg.Wait()

	var applied []string
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		applied = append(applied, results[i].Applied...)
	}
	slices.Sort(applied)
	if !slices.Equal(applied, allMigrations) {
		t.Errorf("the runs applied %v together, want each migration exactly once: %v", applied, allMigrations)
	}
	pending, err := migrations.Pending(context.Background(), f.db.Pool)
	if err != nil || len(pending) != 0 {
		t.Errorf("Pending = %v, %v; want none", pending, err)
	}
}

// readonlyConn connects as the fixture's read-only role.
func (f *fixture) readonlyConn() *pgx.Conn {
	f.t.Helper()
	return f.connect(f.role, "ro-password")
}

// try runs stmt in a transaction of its own that is always rolled back,
// and returns PostgreSQL's error.
func try(t *testing.T, conn *pgx.Conn, stmt string) error {
	t.Helper()
	ctx := context.Background()
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatalf("begin: %v", err)
	}
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, stmt)
	return err
}

// assertDenied checks that stmt fails for lack of privilege (42501:
// "permission denied …", "must be owner …", "must be superuser …").
func assertDenied(t *testing.T, conn *pgx.Conn, stmt string) {
	t.Helper()
	err := try(t, conn, stmt)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Errorf("%s: err = %v, want insufficient privilege (42501)", stmt, err)
	}
}

// assertPermissionDenied checks that reading stmt is refused with
// "permission denied".
func assertPermissionDenied(t *testing.T, conn *pgx.Conn, stmt string) {
	t.Helper()
	err := try(t, conn, stmt)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.HasPrefix(pgErr.Message, "permission denied") {
		t.Errorf("%s: err = %v, want permission denied (42501)", stmt, err)
	}
}

func TestReadonlyRoleReadsAnalyticsAndNothingElse(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	f.migrate(f.db.Pool, f.options())
	if _, err := f.db.Pool.Exec(ctx, `
		INSERT INTO public.app_metrics VALUES ('2026-01-01', 'ios', 'US', 10, 1, 20, 1.50, 0);
		INSERT INTO public.query_history (question, status) VALUES ('secret question', 'answered');
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
		"SELECT * FROM public.query_history",
		"SELECT * FROM analytics_bot.settings",
		"SELECT * FROM analytics_bot.river_job",
		"SELECT * FROM analytics_bot.schema_migrations",
		"SELECT * FROM analytics_bot.slack_replies",
		"SELECT pg_read_file('/etc/hostname')",
		"SELECT * FROM pg_ls_dir('.')",
	} {
		assertPermissionDenied(t, conn, stmt)
	}

	// default_transaction_read_only is the role's own to switch off, so it
	// is not the boundary: the grants are. Test them with it off.
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE public.mine (x int)",
		"CREATE TABLE mine (x int)",
		"CREATE TEMP TABLE mine (x int)",
		"CREATE SCHEMA mine",
		"INSERT INTO app_metrics VALUES ('2026-01-02', 'ios', 'US', 1, 1, 1, 1, 1)",
		"UPDATE app_metrics SET dau = 0",
		"DELETE FROM app_metrics",
		"TRUNCATE app_metrics",
		"INSERT INTO public.query_history (question, status) VALUES ('x', 'answered')",
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
	for _, want := range []string{"statement_timeout=3000ms", "default_transaction_read_only=on", "search_path=public"} {
		if !slices.Contains(config, want) {
			t.Errorf("role settings %v lack %s", config, want)
		}
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
	assertPermissionDenied(t, f.readonlyConn(), "SELECT * FROM public.query_history")
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

func TestMigrateAsNonSuperuserDatabaseOwner(t *testing.T) {
	t.Parallel()
	f := setup(t)
	owner := f.newRoleName("abt_owner_")
	f.dropLater(owner)
	f.admin(
		"CREATE ROLE "+owner+" LOGIN CREATEROLE NOSUPERUSER NOCREATEDB",
		"ALTER DATABASE "+f.db.Name+" OWNER TO "+owner,
	)
	pool := f.pool(owner, "")
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

	// The owner can still load the demo data (which stages rows in a
	// temporary table) after TEMP was revoked from PUBLIC.
	ctx := context.Background()
	if _, err := demodata.Load(ctx, pool, 2, time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("load demo data as the owner: %v", err)
	}
	conn := f.readonlyConn()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 2*3*20 {
		t.Errorf("read-only role reads app_metrics: %d, %v", n, err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM public.query_history")
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.river_job")
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	assertDenied(t, conn, "CREATE TEMP TABLE mine (x int)")
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
	conn := f.readonlyConn()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM app_metrics").Scan(&n); err != nil {
		t.Errorf("read-only role cannot read app_metrics: %v", err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM public.query_history")
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.settings")
	if _, err := conn.Exec(ctx, "SET default_transaction_read_only = off"); err != nil {
		t.Fatal(err)
	}
	assertDenied(t, conn, "CREATE TEMP TABLE mine (x int)")
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

func TestLocalPasswordIsGeneratedOnceAndKept(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	opts := f.options()
	opts.ReadonlyPassword = ""
	opts.GeneratePassword = true

	first := f.migrate(f.db.Pool, opts)
	if !first.GeneratedPassword || len(first.ReadonlyPassword) < 16 {
		t.Fatalf("first run: generated=%v password of %d characters; want a generated password", first.GeneratedPassword, len(first.ReadonlyPassword))
	}
	kept, err := migrations.LocalPassword(ctx, f.db.Pool, f.role)
	if err != nil || kept != first.ReadonlyPassword {
		t.Errorf("LocalPassword = %q, %v; want the generated one", kept, err)
	}

	second := f.migrate(f.db.Pool, opts)
	if second.GeneratedPassword {
		t.Error("the second run generated another password")
	}
	if second.ReadonlyPassword != first.ReadonlyPassword {
		t.Error("the second run uses a different password than the one kept")
	}

	var hasPassword bool
	if err := f.db.Pool.QueryRow(ctx, "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = $1", f.role).Scan(&hasPassword); err != nil || !hasPassword {
		t.Errorf("the role has no password: %v", err)
	}
	if other, err := migrations.LocalPassword(ctx, f.db.Pool, "some_other_role"); err != nil || other != "" {
		t.Errorf("LocalPassword of another role = %q, %v; want empty", other, err)
	}
}

func TestLocalPasswordBeforeMigrate(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, err := migrations.LocalPassword(context.Background(), f.db.Pool, f.role)
	if err == nil {
		t.Error("LocalPassword on an unmigrated database succeeded")
	}
}

func TestMigrateOutsideLocalNeedsAPassword(t *testing.T) {
	t.Parallel()
	f := setup(t)
	opts := f.options()
	opts.ReadonlyPassword = ""
	opts.GeneratePassword = false
	_, err := migrations.Migrate(context.Background(), f.db.Pool, opts)
	if err == nil || !strings.Contains(err.Error(), "POSTGRES_READONLY_PASSWORD") {
		t.Errorf("err = %v, want it to name POSTGRES_READONLY_PASSWORD", err)
	}
}

// logBuffer collects a migration's logs; Migrate may log from several
// goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(b, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestMigrateRefusesAOneConnectionPool(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cfg, err := pgxpool.ParseConfig(f.db.DSN())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = migrations.Migrate(ctx, pool, f.options())
	if err == nil || errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "2 connections") {
		t.Errorf("err = %v, want an immediate error about the pool size instead of waiting for a second connection", err)
	}
}
