package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/analytics-bot/analytics-bot/history"
	"github.com/analytics-bot/analytics-bot/tools"
)

// assertNoTempFiles checks that every file the sender saw is gone and the
// staging folder is empty.
func (f *fixture) assertNoTempFiles() {
	f.t.Helper()
	f.files.mu.Lock()
	paths := slices.Clone(f.files.paths)
	f.files.mu.Unlock()
	for _, p := range paths {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			f.t.Errorf("export file %s is still there (stat: %v)", p, err)
		}
	}
	entries, err := os.ReadDir(f.tempDir)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, e := range entries {
		f.t.Errorf("left behind in the export folder: %s", e.Name())
	}
}

// ownerCSV is the full result of sql as CSV with a header, produced by
// PostgreSQL itself on the owner's connection.
func (f *fixture) ownerCSV(sql string) string {
	f.t.Helper()
	conn, err := f.db.Pool.Acquire(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	defer conn.Release()
	var buf bytes.Buffer
	if _, err := conn.Conn().PgConn().CopyTo(context.Background(), &buf, "COPY ("+sql+") TO STDOUT WITH (FORMAT csv, HEADER)"); err != nil {
		f.t.Fatal(err)
	}
	return buf.String()
}

// fingerprint is an md5 over app_metrics, to prove nothing changed.
func (f *fixture) fingerprint() string {
	f.t.Helper()
	var sum string
	err := f.db.Pool.QueryRow(context.Background(),
		"SELECT md5(string_agg(m::text, ',' ORDER BY day, platform, country)) FROM app_metrics m").Scan(&sum)
	if err != nil {
		f.t.Fatal(err)
	}
	return sum
}

const dayOneSQL = "SELECT day, platform, country, dau, revenue_usd FROM app_metrics WHERE day = '2026-06-30' ORDER BY platform, country"

func TestExportCSVSendsTheFullResult(t *testing.T) {
	t.Parallel()
	f := setup(t, options{maxRows: 10}) // the row cap of answers does not apply to exports
	out := call(t, tool(t, tools.NewSet(f.deps(1_000_000), thisThread), "export_csv"), map[string]string{"sql": dayOneSQL})
	if out.IsError {
		t.Fatal(out.Text)
	}
	sent := f.files.files()
	if len(sent) != 1 {
		t.Fatalf("%d files sent, want 1", len(sent))
	}
	file := sent[0]
	want := f.ownerCSV(dayOneSQL)
	if string(file.content) != want {
		t.Errorf("the CSV differs from the full result with header:\ngot:\n%.300s\nwant:\n%.300s", file.content, want)
	}
	if !strings.HasPrefix(string(file.content), "day,platform,country,dau,revenue_usd\n") {
		t.Errorf("no header row: %.80s", file.content)
	}
	if file.Size != int64(len(want)) || !strings.HasSuffix(file.Name, ".csv") {
		t.Errorf("file size %d name %q, want %d bytes and a .csv name", file.Size, file.Name, len(want))
	}
	if !strings.Contains(file.Comment, "60 rows") || out.RowCount != 60 || out.Truncated {
		t.Errorf("comment %q, rows %d, truncated %v; want 60 rows, complete", file.Comment, out.RowCount, out.Truncated)
	}
	if !strings.Contains(out.Text, "60 rows") {
		t.Errorf("the model is not told the row count: %s", out.Text)
	}
	f.assertNoTempFiles()
}

func TestExportCSVRemovesTheFileWhenSendingFails(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.files.fail = errors.New("slack is down")
	raw, _ := json.Marshal(map[string]string{"sql": dayOneSQL})
	_, err := tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv").Call(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "slack is down") {
		t.Errorf("err = %v, want the sending failure", err)
	}
	if len(f.files.paths) != 1 {
		t.Fatalf("SendFile called %d times", len(f.files.paths))
	}
	f.assertNoTempFiles()
}

func TestExportCSVCutAtTheExportLimitSaysSo(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	out := call(t, tool(t, tools.NewSet(f.deps(5), thisThread), "export_csv"), map[string]string{"sql": dayOneSQL})
	if out.IsError {
		t.Fatal(out.Text)
	}
	file := f.files.files()[0]
	lines := strings.Split(strings.TrimSuffix(string(file.content), "\n"), "\n")
	if len(lines) != 6 {
		t.Errorf("%d lines, want the header and 5 rows:\n%s", len(lines), file.content)
	}
	if !strings.Contains(file.Comment, "EXPORT_MAX_ROWS") || !strings.Contains(file.Comment, "5 rows") {
		t.Errorf("comment %q does not say the export was cut at EXPORT_MAX_ROWS", file.Comment)
	}
	if !out.Truncated || out.RowCount != 5 || !strings.Contains(out.Text, "cut") {
		t.Errorf("output: truncated %v rows %d text %q", out.Truncated, out.RowCount, out.Text)
	}
	f.assertNoTempFiles()
}

func TestExportCSVDefaultsToThisQuestionsLatestSQL(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	f.record(thisThread, "older question", "SELECT 'from history' AS source", history.StatusAnswered)
	set := tools.NewSet(f.deps(0), thisThread)
	run := tool(t, set, "run_readonly_sql")
	if out := call(t, run, map[string]string{"sql": "SELECT 'first' AS source"}); out.IsError {
		t.Fatal(out.Text)
	}
	if out := call(t, run, map[string]string{"sql": "SELECT 'latest' AS source;"}); out.IsError {
		t.Fatal(out.Text)
	}
	if out := call(t, run, map[string]string{"sql": "SELECT nope FROM app_metrics"}); !out.IsError {
		t.Fatal("bad SQL succeeded")
	}

	out := call(t, tool(t, set, "export_csv"), map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if got := string(f.files.files()[0].content); got != "source\nlatest\n" {
		t.Errorf("export without sql sent %q, want the latest successful SQL's result", got)
	}
	f.assertNoTempFiles()
}

func TestExportCSVDefaultsToTheThreadsLatestAnsweredQuestion(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	otherThread := thisThread
	otherThread.ThreadTS = "1700000999.000100"
	f.record(thisThread, "old", "SELECT 'old' AS source", history.StatusAnswered)
	f.record(thisThread, "answered", "SELECT 'answered' AS source", history.StatusAnswered)
	f.record(thisThread, "failed later", "SELECT 'failed' AS source", history.StatusFailed)
	f.record(thisThread, "no sql later", "", history.StatusAnswered)
	f.record(otherThread, "newer elsewhere", "SELECT 'other thread' AS source", history.StatusAnswered)

	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv"), map[string]any{})
	if out.IsError {
		t.Fatal(out.Text)
	}
	if got := string(f.files.files()[0].content); got != "source\nanswered\n" {
		t.Errorf("export without sql sent %q, want the thread's latest answered question's result", got)
	}
}

func TestExportCSVWithNothingToExport(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	out := call(t, tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv"), map[string]any{})
	if !out.IsError || !strings.Contains(out.Text, "no earlier query") {
		t.Errorf("export with no SQL anywhere: %q", out.Text)
	}
	if len(f.files.files()) != 0 {
		t.Error("a file was sent")
	}
}

func TestExportCSVWithoutFileSender(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	deps := f.deps(0)
	deps.Files = nil
	out := call(t, tool(t, tools.NewSet(deps, thisThread), "export_csv"), map[string]string{"sql": "SELECT 1"})
	if !out.IsError {
		t.Errorf("export without a file sender: %q, want an error result", out.Text)
	}
}

func TestExportCSVRefusesHostileSQL(t *testing.T) {
	t.Parallel()
	f := setup(t, options{})
	before := f.fingerprint()
	tl := tool(t, tools.NewSet(f.deps(0), thisThread), "export_csv")
	for _, sql := range []string{
		"DROP TABLE app_metrics",
		"DELETE FROM app_metrics",
		"DELETE FROM app_metrics RETURNING *",
		"UPDATE app_metrics SET dau = 0 RETURNING day",
		"WITH gone AS (DELETE FROM app_metrics RETURNING *) SELECT * FROM gone",
		"SELECT 1; DELETE FROM app_metrics",
		"SELECT 1) TO STDOUT; DELETE FROM app_metrics; COPY (SELECT 1",
		"SELECT 1\n) AS x) TO PROGRAM 'touch /tmp/abt_pwned' --",
		"SELECT * FROM query_history",
		"SELECT * FROM analytics_bot.settings",
		"SELECT pg_read_file('/etc/passwd')",
		"SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM app_metrics",
		"COPY app_metrics TO STDOUT",
		"TRUNCATE app_metrics",
	} {
		raw, _ := json.Marshal(map[string]string{"sql": sql})
		out, err := tl.Call(context.Background(), raw)
		if err != nil {
			t.Errorf("%q: Go error %v, want an error result for the model", sql, err)
			continue
		}
		if !out.IsError {
			t.Errorf("%q: exported (%s), want an error result", sql, out.Text)
		}
	}
	if len(f.files.files()) != 0 {
		t.Errorf("%d files were sent", len(f.files.files()))
	}
	if after := f.fingerprint(); after != before {
		t.Error("app_metrics changed")
	}
	if _, err := os.Stat("/tmp/abt_pwned"); err == nil {
		t.Error("a program ran on the server")
	}
	f.assertNoTempFiles()
}
