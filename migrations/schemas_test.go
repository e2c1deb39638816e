package migrations_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/migrations"
)

// twoSchemas is a customer database whose tables live in crm and billing,
// joined by a foreign key, and nothing in public.
const twoSchemas = `
CREATE SCHEMA crm;
CREATE SCHEMA billing;
CREATE TABLE crm.customers (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE billing.invoices (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES crm.customers (id), amount numeric(10,2));
CREATE VIEW billing.revenue_by_customer AS
    SELECT c.name, sum(i.amount) AS revenue FROM billing.invoices i JOIN crm.customers c ON c.id = i.customer_id GROUP BY 1;
INSERT INTO crm.customers VALUES (1, 'Acme'), (2, 'Globex');
INSERT INTO billing.invoices VALUES (10, 1, 100.00), (11, 1, 50.00), (12, 2, 75.50);
CREATE TABLE public.scratch (note text);`

func TestTwoNonPublicSchemasAreReadableThroughAnalyticsSchemas(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.db.Pool.Exec(ctx, twoSchemas); err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Schemas = []string{"crm", "billing"}
	res := f.migrate(f.db.Pool, opts)

	want := []migrations.ReadableSchema{{Name: "billing", Tables: 2}, {Name: "crm", Tables: 1}, {Name: "public", Tables: 0}}
	if !slices.Equal(res.Readable.Schemas, want) {
		t.Errorf("readable = %+v, want %+v", res.Readable.Schemas, want)
	}
	if s := res.Readable.String(); !strings.Contains(s, "3 tables and views") || !strings.Contains(s, "billing (2), crm (1)") {
		t.Errorf("summary %q", s)
	}

	// The search path holds both schemas, so unqualified names join.
	conn := f.readonlyConn()
	var names []string
	rows, err := conn.Query(ctx, `
		SELECT c.name || '=' || sum(i.amount) FROM invoices i JOIN customers c ON c.id = i.customer_id GROUP BY c.name ORDER BY 1`)
	if err != nil {
		t.Fatalf("join across crm and billing: %v", err)
	}
	if names, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || !slices.Equal(names, []string{"Acme=150.00", "Globex=75.50"}) {
		t.Errorf("join = %v, %v", names, err)
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM billing.revenue_by_customer").Scan(&n); err != nil || n != 2 {
		t.Errorf("view: %d, %v", n, err)
	}
	assertPermissionDenied(t, conn, "SELECT * FROM public.scratch")
	assertPermissionDenied(t, conn, "SELECT * FROM analytics_bot.query_history")

	// A table added later to a listed schema is readable at once.
	if _, err := f.db.Pool.Exec(ctx, "CREATE TABLE crm.contacts (id int); INSERT INTO crm.contacts VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Errorf("a table added later to crm: %d, %v", n, err)
	}

	// Dropping a schema from the list takes its grants away again.
	opts.Schemas = []string{"crm"}
	res = f.migrate(f.db.Pool, opts)
	assertPermissionDenied(t, f.readonlyConn(), "SELECT * FROM billing.invoices")
	if got := res.Readable.Tables(); got != 2 {
		t.Errorf("after dropping billing the role reads %d tables, want crm's 2", got)
	}
	if _, err := f.db.Pool.Exec(ctx, "CREATE TABLE billing.later (id int)"); err != nil {
		t.Fatal(err)
	}
	assertPermissionDenied(t, f.readonlyConn(), "SELECT * FROM billing.later")
}

func TestNothingReadableSaysWhichSettingToChange(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if _, err := f.db.Pool.Exec(context.Background(), twoSchemas); err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.Schemas = []string{"Missing Schema"}
	res := f.migrate(f.db.Pool, opts)
	if res.Readable.Tables() != 0 || !strings.Contains(res.Readable.String(), "set ANALYTICS_SCHEMAS") {
		t.Errorf("summary %q, want it to name ANALYTICS_SCHEMAS", res.Readable.String())
	}
	if logs := f.logs.String(); !strings.Contains(logs, "does not exist") || !strings.Contains(logs, "Missing Schema") {
		t.Errorf("the missing schema is not named in the log:\n%s", logs)
	}
}

// privileges renders every privilege in the database held by anyone but
// the read-only role: the database's ACL, every schema's but the bot's own
// and every data table's, PUBLIC's included, and what PUBLIC and other can
// do on each table and the database.
func privileges(t *testing.T, f *fixture, other string) string {
	t.Helper()
	var out string
	err := f.db.Pool.QueryRow(context.Background(), `
WITH ro AS (SELECT oid FROM pg_roles WHERE rolname = $1),
acl AS (
    SELECT 'database' AS kind, datname::text AS name, a.* FROM pg_database, aclexplode(coalesce(datacl, acldefault('d', datdba))) a
    WHERE datname = current_database()
  UNION ALL
    SELECT 'schema', nspname::text, a.* FROM pg_namespace, aclexplode(coalesce(nspacl, acldefault('n', nspowner))) a
    WHERE nspname NOT LIKE 'pg\_%' AND nspname NOT IN ('information_schema', 'analytics_bot')
  UNION ALL
    SELECT 'table', c.oid::regclass::text, a.* FROM pg_class c, aclexplode(coalesce(relacl, acldefault('r', relowner))) a
    WHERE c.relkind IN ('r', 'v') AND c.relnamespace IN ('public'::regnamespace, 'crm'::regnamespace, 'billing'::regnamespace)
)
SELECT string_agg(line, E'\n' ORDER BY line) FROM (
    SELECT format('%s %s: %s granted %s%s to %s', kind, name, pg_get_userbyid(grantor), privilege_type,
                  CASE WHEN is_grantable THEN ' with grant option' ELSE '' END,
                  CASE grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(grantee) END) AS line
    FROM acl WHERE grantee NOT IN (SELECT oid FROM ro)
  UNION ALL
    SELECT format('%s may %s %s: %s', r.who, p.priv, c.oid::regclass, has_table_privilege(r.who, c.oid, p.priv))
    FROM pg_class c,
         (VALUES ('public'), ($2)) r(who),
         (VALUES ('SELECT'), ('INSERT'), ('UPDATE'), ('DELETE')) p(priv)
    WHERE c.relkind IN ('r', 'v') AND c.relnamespace IN ('public'::regnamespace, 'crm'::regnamespace, 'billing'::regnamespace)
  UNION ALL
    SELECT format('%s may %s on the database: %s', r.who, p.priv, has_database_privilege(r.who, current_database(), p.priv))
    FROM (VALUES ('public'), ($2)) r(who), (VALUES ('CREATE'), ('TEMPORARY'), ('CONNECT')) p(priv)
) s`, f.role, other).Scan(&out)
	if err != nil {
		t.Fatalf("privileges: %v", err)
	}
	return out
}

// TestMigrateLeavesPublicAndOtherRolesAlone migrates, as a non-superuser
// that does not own the database, a database where PUBLIC and another
// role hold privileges migrate used to revoke, and checks that only the
// read-only role's privileges changed.
func TestMigrateLeavesPublicAndOtherRolesAlone(t *testing.T) {
	t.Parallel()
	checkOnlyTheReadonlyRoleChanges(t, false)
}

// TestMigrateAsSuperuserLeavesPublicAndOtherRolesAlone does the same as
// a superuser, who could change anything.
func TestMigrateAsSuperuserLeavesPublicAndOtherRolesAlone(t *testing.T) {
	t.Parallel()
	checkOnlyTheReadonlyRoleChanges(t, true)
}

func checkOnlyTheReadonlyRoleChanges(t *testing.T, superuser bool) {
	f := setup(t)
	ctx := context.Background()
	owner := f.newRoleName("abt_i13_mig_")
	other := f.newRoleName("abt_i13_other_")
	f.dropLater(owner)
	f.dropLater(other)
	f.admin(
		"CREATE ROLE "+owner+" LOGIN CREATEROLE NOSUPERUSER NOCREATEDB",
		"CREATE ROLE "+other+" LOGIN",
		"GRANT CREATE ON DATABASE "+f.db.Name+" TO "+owner,
	)
	// The database belongs to the superuser; the data to several roles.
	if _, err := f.db.Pool.Exec(ctx, twoSchemas+`;
		GRANT CREATE ON SCHEMA public TO PUBLIC;
		GRANT USAGE ON SCHEMA crm, billing TO `+owner+` WITH GRANT OPTION;
		GRANT SELECT ON ALL TABLES IN SCHEMA crm, billing TO `+owner+` WITH GRANT OPTION;
		GRANT USAGE ON SCHEMA crm TO `+other+`;
		GRANT SELECT, INSERT ON crm.customers TO `+other+`;
		GRANT SELECT ON public.scratch TO PUBLIC;
		GRANT TEMPORARY ON DATABASE `+f.db.Name+` TO `+other); err != nil {
		t.Fatal(err)
	}
	before := privileges(t, f, other)

	pool := f.pool(owner, "")
	if superuser {
		pool = f.db.Pool
	}
	opts := f.options()
	opts.Schemas = []string{"crm", "billing", "public"}
	res := f.migrate(pool, opts)
	f.migrate(pool, opts) // and again

	if after := privileges(t, f, other); after != before {
		t.Errorf("privileges of PUBLIC or another role changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	// The read-only role got what it needs where the user may grant it.
	conn := f.readonlyConn()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM invoices JOIN customers ON customers.id = invoices.customer_id").Scan(&n); err != nil || n != 3 {
		t.Errorf("the read-only role joins crm and billing: %d, %v", n, err)
	}
	if got := res.Readable.Tables(); got != 4 { // customers, invoices, the view, and scratch through PUBLIC
		t.Errorf("readable tables = %d (%s), want 4", got, res.Readable)
	}

	// One warning line says what PUBLIC may still do and how a DBA stops it.
	var warnings []string
	for _, line := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(line, "a DBA may run") {
			warnings = append(warnings, line)
		}
	}
	if len(warnings) != 2 { // one per run
		t.Fatalf("warnings about PUBLIC = %q, want one line per run", warnings)
	}
	for _, want := range []string{
		`REVOKE TEMPORARY ON DATABASE \"` + f.db.Name + `\" FROM PUBLIC;`,
		`REVOKE CREATE ON SCHEMA \"public\" FROM PUBLIC;`,
	} {
		if !strings.Contains(warnings[0], want) {
			t.Errorf("the warning %s lacks %s", warnings[0], want)
		}
	}
}
