package demodata_test

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// productFingerprint sums every table's rows into one value per table.
func productFingerprint(t *testing.T, db *pgtest.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"plans", "accounts", "users", "subscriptions", "invoices", "events"} {
		var v string
		err := db.Pool.QueryRow(context.Background(),
			"SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY t.id)) FROM public."+pgx.Identifier{table}.Sanitize()+" t").Scan(&v)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = v
	}
	return out
}

func TestLoadProductTwiceChangesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewMigrated(t)
	ctx := context.Background()
	written, err := demodata.LoadProduct(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	before := productFingerprint(t, db)
	if written < 1000 {
		t.Errorf("first load wrote %d rows, want the whole schema", written)
	}
	again, err := demodata.LoadProduct(ctx, db.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		t.Errorf("second load wrote %d rows, want 0", again)
	}
	if after := productFingerprint(t, db); !reflect.DeepEqual(after, before) {
		t.Errorf("the second load changed the data:\n%v\n%v", before, after)
	}

	// Another database gets the very same rows.
	other := pgtest.NewMigrated(t)
	if _, err := demodata.LoadProduct(ctx, other.Pool); err != nil {
		t.Fatal(err)
	}
	if got := productFingerprint(t, other); !reflect.DeepEqual(got, before) {
		t.Errorf("another database got other rows:\n%v\n%v", before, got)
	}
}

func TestProductSchemaDeclaresItsJoinsAndIsReadable(t *testing.T) {
	t.Parallel()
	db := pgtest.NewMigrated(t)
	ctx := context.Background()
	if _, err := demodata.LoadProduct(ctx, db.Pool); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Pool.Query(ctx, `
		SELECT format('%s.%s -> %s', conrelid::regclass, a.attname, confrelid::regclass)
		FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
		WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	fks, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"events.user_id -> users", "invoices.subscription_id -> subscriptions",
		"subscriptions.account_id -> accounts", "subscriptions.plan_id -> plans", "users.account_id -> accounts"}
	if !slices.Equal(fks, want) {
		t.Errorf("foreign keys = %q, want %q", fks, want)
	}
	var uncommented []string
	rows, err = db.Pool.Query(ctx, `
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND obj_description(c.oid, 'pg_class') IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	if uncommented, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil || len(uncommented) != 0 {
		t.Errorf("tables without a comment: %v, %v", uncommented, err)
	}

	// The read-only role reads the new tables through migrate's default
	// privileges, and the data hangs together.
	var orphans, upgraded int
	err = db.Readonly.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM invoices i JOIN subscriptions s ON s.id = i.subscription_id
		         JOIN plans p ON p.id = s.plan_id WHERE p.monthly_price_usd = 0),
		       (SELECT count(DISTINCT account_id) FROM subscriptions WHERE status = 'upgraded')`).Scan(&orphans, &upgraded)
	if err != nil {
		t.Fatalf("read as the read-only role: %v", err)
	}
	if orphans != 0 || upgraded == 0 {
		t.Errorf("invoices of free plans = %d (want 0), upgraded accounts = %d (want some)", orphans, upgraded)
	}
}
