package migrations_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/migrations"
)

func TestDataRolesGetExactlyTheirGrants(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	if _, err := f.db.Pool.Exec(ctx, twoSchemas); err != nil {
		t.Fatal(err)
	}
	finance, crm := f.newRoleName("i19_fin_"), f.newRoleName("i19_crm_")
	f.dropLater(finance)
	f.dropLater(crm)
	opts := f.options()
	opts.Schemas = []string{"public"}
	opts.DataRoles = []migrations.DataRole{
		{Name: finance, Password: "fin-password", Schemas: []string{"crm", "billing"}},
		{Name: crm, Password: "crm-password", Schemas: []string{"crm", "billing"}, Tables: []string{"crm.customers"}},
	}
	res := f.migrate(f.db.Pool, opts)
	if len(res.DataRoles) != 2 {
		t.Fatalf("result lists %d data roles, want 2", len(res.DataRoles))
	}
	if got := res.DataRoles[1].Readable.Tables(); got != 1 {
		t.Errorf("%s reads %d tables, want its 1 allowlisted", crm, got)
	}

	tables := []string{"crm.customers", "billing.invoices", "billing.revenue_by_customer", "public.scratch", "analytics_bot.query_history"}
	want := map[string][]string{
		finance: {"crm.customers", "billing.invoices", "billing.revenue_by_customer"},
		crm:     {"crm.customers"},
		f.role:  {"public.scratch"},
	}
	check := func(when string) {
		t.Helper()
		for role, readable := range want {
			for _, table := range tables {
				for _, priv := range []string{"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER"} {
					var has bool
					if err := f.db.Pool.QueryRow(ctx, "SELECT has_table_privilege($1, $2, $3)", role, table, priv).Scan(&has); err != nil {
						t.Fatal(err)
					}
					wantHas := priv == "SELECT" && contains(readable, table)
					if has != wantHas {
						t.Errorf("%s: %s has %s on %s: %v, want %v", when, role, priv, table, has, wantHas)
					}
				}
			}
		}
		// No data role is a member of another, nor of the read-only role,
		// and none has powers beyond logging in.
		var members int
		roles := []string{finance, crm, f.role}
		if err := f.db.Pool.QueryRow(ctx, `
			SELECT count(*) FROM pg_auth_members m
			JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
			WHERE u.rolname = ANY($1)`, roles).Scan(&members); err != nil {
			t.Fatal(err)
		}
		if members != 0 {
			t.Errorf("%s: the data roles belong to %d role(s), want none", when, members)
		}
		for _, r := range []string{finance, crm} {
			var login, super, createRole, createDB, bypass, inherit bool
			if err := f.db.Pool.QueryRow(ctx, `SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolinherit FROM pg_roles WHERE rolname = $1`, r).
				Scan(&login, &super, &createRole, &createDB, &bypass, &inherit); err != nil {
				t.Fatal(err)
			}
			if !login || super || createRole || createDB || bypass {
				t.Errorf("%s: %s login=%v super=%v createrole=%v createdb=%v bypassrls=%v", when, r, login, super, createRole, createDB, bypass)
			}
		}
	}
	check("first migrate")

	// A table added later reaches the schema-wide role, not the allowlisted one.
	if _, err := f.db.Pool.Exec(ctx, "CREATE TABLE crm.contacts (id int)"); err != nil {
		t.Fatal(err)
	}
	tables = append(tables, "crm.contacts")
	want[finance] = append(want[finance], "crm.contacts")
	check("after a new table")

	// A second run changes nothing, and each role logs in with its password
	// into a read-only session.
	f.migrate(f.db.Pool, opts)
	check("second migrate")
	conn := f.connect(crm, "crm-password")
	var readOnly string
	if err := conn.QueryRow(ctx, "SHOW default_transaction_read_only").Scan(&readOnly); err != nil || readOnly != "on" {
		t.Errorf("%s's sessions: default_transaction_read_only = %q, %v", crm, readOnly, err)
	}
	if _, err := conn.Exec(ctx, "SET ROLE "+pgx.Identifier{finance}.Sanitize()); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("%s switched to %s: %v", crm, finance, err)
	}
}

func TestDataRoleWithPowersIsRefused(t *testing.T) {
	t.Parallel()
	f := setup(t)
	name := f.newRoleName("i19_pow_")
	f.dropLater(name)
	if _, err := f.db.Pool.Exec(context.Background(), "CREATE ROLE "+name+" LOGIN CREATEDB"); err != nil {
		t.Fatal(err)
	}
	opts := f.options()
	opts.DataRoles = []migrations.DataRole{{Name: name, Password: "x", Schemas: []string{"public"}}}
	_, err := migrations.Migrate(context.Background(), f.db.Pool, opts)
	if err == nil || !strings.Contains(err.Error(), "powers a data role must not have") {
		t.Errorf("migrate with a CREATEDB data role: %v", err)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
