package tools_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/tools"
)

func TestRunReadonlySQLReturnsDelimitedRows(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	set := tools.NewSet(f.deps(0), thisThread)
	out := call(t, tool(t, set, "run_readonly_sql"), map[string]string{
		"sql": "SELECT platform, sum(dau) AS dau FROM app_metrics GROUP BY platform ORDER BY platform",
	})
	if out.IsError {
		t.Fatalf("error result: %s", out.Text)
	}
	open, close := strings.Index(out.Text, "<data>"), strings.Index(out.Text, "</data>")
	if open < 0 || close < open {
		t.Fatalf("rows are not between <data> markers:\n%s", out.Text)
	}
	inside := out.Text[open:close]
	for _, want := range []string{"platform | dau", "android |", "ios |", "web |"} {
		if !strings.Contains(inside, want) {
			t.Errorf("the data lacks %q:\n%s", want, out.Text)
		}
	}
	if !strings.Contains(out.Text, "rows: 3 (complete)") {
		t.Errorf("the row count and completeness are not stated:\n%s", out.Text)
	}
	if out.RowCount != 3 || out.Truncated || out.Result == nil || len(out.Result.Rows) != 3 {
		t.Errorf("output = rows %d truncated %v result %v", out.RowCount, out.Truncated, out.Result)
	}
}

func TestRunReadonlySQLSaysWhenRowsWereCut(t *testing.T) {
	t.Parallel()
	f := setup(t, options{maxRows: 10})
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "run_readonly_sql"),
		map[string]string{"sql": "SELECT day, platform, country, dau FROM app_metrics ORDER BY 1, 2, 3"})
	if out.IsError || !out.Truncated || out.RowCount != 10 {
		t.Fatalf("output: error %v truncated %v rows %d", out.IsError, out.Truncated, out.RowCount)
	}
	if !strings.Contains(out.Text, "MORE rows") {
		t.Errorf("the model is not told the result was cut:\n%s", out.Text)
	}
}

func TestRunReadonlySQLErrorIsAResultWithSuggestions(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "run_readonly_sql")

	out := call(t, tl, map[string]string{"sql": "SELECT platform, sum(daus) FROM app_metrics GROUP BY 1"})
	if !out.IsError {
		t.Fatalf("unknown column not reported as an error result: %s", out.Text)
	}
	if !strings.Contains(out.Text, `column "daus" does not exist`) || !strings.Contains(out.Text, "Did you mean: dau") {
		t.Errorf("the error does not name the column and suggest dau:\n%s", out.Text)
	}

	for _, args := range []any{
		map[string]string{"sql": "SELEC 1"},
		map[string]string{"sql": "DELETE FROM app_metrics"},
		map[string]string{"sql": "SELECT * FROM query_history"},
		map[string]string{"sql": "   "},
		map[string]string{},
		json.RawMessage(`{"sql": 42}`),
	} {
		out := call(t, tl, args)
		if !out.IsError || !strings.HasPrefix(out.Text, "ERROR: ") {
			t.Errorf("%v: got %q, want an error result", args, out.Text)
		}
	}
	var n int
	if err := f.db.Pool.QueryRow(context.Background(), "SELECT count(*) FROM app_metrics").Scan(&n); err != nil || n != 30*3*20 {
		t.Errorf("app_metrics has %d rows, %v", n, err)
	}
}

func TestUnknownTableRefreshesTheSchema(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	ctx := context.Background()
	// Read the schema once, then add a table behind the cache's back.
	if _, err := f.catalog.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Pool.Exec(ctx, "CREATE TABLE public.signups (day date, n int)"); err != nil {
		t.Fatal(err)
	}
	set := tools.NewSet(f.deps(0), history.Conversation{TeamID: "T", ChannelID: "C", ThreadTS: "1"})
	out := call(t, tool(t, set, "run_readonly_sql"), map[string]string{"sql": "SELECT * FROM signupz"})
	if !out.IsError {
		t.Fatalf("a missing table succeeded: %s", out.Text)
	}
	cat, err := f.catalog.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Table("signups"); !ok {
		t.Error("the schema was not read again after an unknown table")
	}

	// Another miss right after does not read the schema again.
	if _, err := f.db.Pool.Exec(ctx, "CREATE TABLE public.refunds (day date, n int)"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		call(t, tool(t, set, "run_readonly_sql"), map[string]string{"sql": "SELECT * FROM refundz"})
	}
	if cat, err = f.catalog.Get(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := cat.Table("refunds"); ok {
		t.Errorf("the schema was read again within %s of the last miss", tools.SchemaRefreshInterval)
	}
}
