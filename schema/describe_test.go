package schema

import (
	"errors"
	"strings"
	"testing"
)

func TestDescribeDemo(t *testing.T) {
	t.Parallel()
	_, cat := setupDemo(t)
	checkGolden(t, "describe_demo", mustDescribe(t, cat, nil))
}

func TestDescribeUserSchema(t *testing.T) {
	t.Parallel()
	_, cat := setupUserSchema(t, false)
	checkGolden(t, "describe_user_schema", mustDescribe(t, cat, nil))
}

func TestDescribeNamedTables(t *testing.T) {
	t.Parallel()
	_, cat := setupUserSchema(t, false)
	got := mustDescribe(t, cat, []string{"refunds", "public.orders", "sales.refunds", `"public"."orders"`})
	if n := strings.Count(got, "\nsales.refunds (table"); n != 1 {
		t.Errorf("sales.refunds described %d times, want once", n)
	}
	if !strings.Contains(got, "\npublic.orders (table") || strings.Contains(got, "app_metrics") {
		t.Errorf("want exactly the named tables, got:\n%s", got)
	}
	if strings.Index(got, "sales.refunds") > strings.Index(got, "public.orders") {
		t.Error("tables are not in the order they were asked for")
	}
}

func TestDescribeUnknownTable(t *testing.T) {
	t.Parallel()
	_, cat := setupDemo(t)
	_, err := cat.Describe([]string{"app_metrics", "query_history", "daily\nmetrics"})
	if !errors.Is(err, ErrUnknownTable) {
		t.Fatalf("err = %v, want ErrUnknownTable", err)
	}
	want := `unknown table "query_history", "daily metrics"; the readable tables are: public.app_metrics`
	if err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}
}
