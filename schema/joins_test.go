package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/analytics-bot/analytics-bot/demodata"
	"github.com/analytics-bot/analytics-bot/pgtest"
)

// setupShop returns the catalog of the demo database plus the tables of
// testdata/shop_schemas.sql, which live in two schemas other than public.
func setupShop(t *testing.T) *Catalog {
	t.Helper()
	db, _ := setupDemo(t)
	body, err := os.ReadFile(filepath.Join("testdata", "shop_schemas.sql"))
	if err != nil {
		t.Fatalf("read shop schemas: %v", err)
	}
	exec(t, db.Pool, strings.ReplaceAll(string(body), "{{readonly}}", pgx.Identifier{pgtest.ReadonlyUser}.Sanitize()))
	exec(t, db.Pool, "ANALYZE")
	return introspect(t, db.Readonly)
}

func TestJoinsDeclaredAndInferred(t *testing.T) {
	t.Parallel()
	cat := setupShop(t)

	want := []string{"crm.customers", "public.app_metrics", "shop.coupons", "shop.order_items", "shop.orders", "shop.products", "shop.shipments"}
	if names := cat.TableNames(); !slices.Equal(names, want) {
		t.Fatalf("readable tables = %v, want %v (every schema the role may read)", names, want)
	}
	paths := func(name string) []string {
		table, _ := cat.Table(name)
		var out []string
		for _, j := range table.Joins {
			p := table.joinPath(j, true)
			if j.Inferred {
				p += " inferred"
			}
			out = append(out, p)
		}
		return out
	}
	if got := paths("shop.orders"); !slices.Equal(got, []string{"shop.orders.customer_id → crm.customers.id"}) {
		t.Errorf("orders joins = %q, want the declared key across schemas", got)
	}
	// product_id has no declared key: inferred. coupon_id is integer but
	// coupons.id is bigint: no join.
	wantItems := []string{"shop.order_items.order_id → shop.orders.id", "shop.order_items.product_id → shop.products.id inferred"}
	if got := paths("shop.order_items"); !slices.Equal(got, wantItems) {
		t.Errorf("order_items joins = %q, want %q", got, wantItems)
	}
	wantShip := []string{"(shop.shipments.order_id, shop.shipments.line) → (shop.order_items.order_id, shop.order_items.line)"}
	if got := paths("shop.shipments"); !slices.Equal(got, wantShip) {
		t.Errorf("shipments joins = %q, want the two-column key", got)
	}

	checkGolden(t, "summary_shop", cat.Summary())
	describe := mustDescribe(t, cat, []string{"shop.order_items"})
	checkGolden(t, "describe_shop_order_items", describe)
	if !strings.Contains(describe, "shop.order_items.product_id → shop.products.id (inferred") {
		t.Errorf("describe_schema does not mark the inferred join:\n%s", describe)
	}
}

func TestJoinsUnqualifiedInPublicOnly(t *testing.T) {
	t.Parallel()
	cat := &Catalog{Tables: []Table{
		{Schema: "public", Name: "customers", PrimaryKey: []string{"id"}, Columns: []Column{{Name: "id", Type: "bigint"}}},
		{Schema: "public", Name: "orders", Columns: []Column{{Name: "id", Type: "bigint"}, {Name: "customer_id", Type: "bigint"}}},
	}}
	cat.inferJoins()
	if sum := cat.Summary(); !strings.Contains(sum, "  joins: orders.customer_id → customers.id (inferred)\n") {
		t.Errorf("summary:\n%s", sum)
	}
}

// The demo's product-analytics tables declare their foreign keys; the
// summary shows them as join paths.
func TestSummaryProductDemo(t *testing.T) {
	t.Parallel()
	db, _ := setupDemo(t)
	if _, err := demodata.LoadProduct(t.Context(), db.Pool); err != nil {
		t.Fatalf("load product demo: %v", err)
	}
	exec(t, db.Pool, "ANALYZE")
	cat := introspect(t, db.Readonly)
	summary := cat.Summary()
	checkGolden(t, "summary_product_demo", summary)
	for _, join := range []string{"subscriptions.plan_id → plans.id", "invoices.subscription_id → subscriptions.id", "users.account_id → accounts.id"} {
		if !strings.Contains(summary, join) {
			t.Errorf("the summary lacks the join %s", join)
		}
	}
	t.Logf("demo schema with the product tables: %d tokens (o200k_base)", countTokens(t, summary))
}
